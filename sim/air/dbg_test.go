package air

import (
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel"
)

func TestDbgScores(t *testing.T) {
	const rate = 72000
	cell := testCell()
	x, _ := transmit(t, TxConfig{Cell: cell, SampleRateHz: rate}, 100)
	awgn, _ := channel.NewAWGN(rand.New(rand.NewPCG(3, 4)), channel.NoisePowerEbN0(10, 0.25, rate, 36000))
	y := impair(t, x, awgn)
	d, _ := sdr.NewDemodulator(sdr.DemodConfig{SamplesPerSymbol: 4, Training: DLTraining(), Fixed: DLFixed()})
	slots := make([]sdr.Slot, d.OutLen(len(y)))
	n := d.Process(slots, y)
	for i := range slots[:n] {
		if i < 12 || i%10 == 0 {
			t.Logf("%d idx %d train %d score %.2f esn0 %.1f cfo %.1f", i, slots[i].Index, slots[i].Training, slots[i].SyncScore, slots[i].EsN0dB, slots[i].CFOHz)
		}
	}
}

func TestDbgChunks(t *testing.T) {
	const rate = 72000
	cell := testCell()
	x, log := transmit(t, TxConfig{Cell: cell, SampleRateHz: rate}, 100)
	awgn, _ := channel.NewAWGN(rand.New(rand.NewPCG(3, 4)), channel.NoisePowerEbN0(10, 0.25, rate, 36000))
	y := impair(t, x, awgn)
	for _, ch := range []int{len(y), 100000, 7777, 8192} {
		res, r := receive(t, RxConfig{SampleRateHz: rate, Cell: &cell}, y, log, ch)
		t.Logf("chunk %d: %+v %+v", ch, res, r.Decoder().Stats())
	}
	d, _ := sdr.NewDemodulator(sdr.DemodConfig{SamplesPerSymbol: 4, Training: DLTraining(), Fixed: DLFixed()})
	slots := make([]sdr.Slot, d.OutLen(len(y)))
	n := 0
	for a := 0; a < len(y); a += 8192 {
		n += d.Process(slots[n:], y[a:min(a+8192, len(y))])
	}
	bad := 0
	for i := range slots[:n] {
		if slots[i].Training < 0 {
			bad++
		}
	}
	t.Logf("direct chunked 8192: %d slots, %d without training", n, bad)
}

func TestDbgLong(t *testing.T) {
	const rate = 72000
	cell := testCell()
	x, _ := transmit(t, TxConfig{Cell: cell, SampleRateHz: rate}, 226)
	awgn, _ := channel.NewAWGN(rand.New(rand.NewPCG(3, 4)), channel.NoisePowerEbN0(10, 0.25, rate, 36000))
	y := impair(t, x, awgn)
	d, _ := sdr.NewDemodulator(sdr.DemodConfig{SamplesPerSymbol: 4, Training: DLTraining(), Fixed: DLFixed()})
	slots := make([]sdr.Slot, d.OutLen(len(y)))
	n := d.Process(slots, y)
	for i := range slots[:n] {
		if slots[i].Training < 0 || i%20 == 0 {
			t.Logf("%d idx %d train %d score %.2f esn0 %.1f cfo %.1f", i, slots[i].Index, slots[i].Training, slots[i].SyncScore, slots[i].EsN0dB, slots[i].CFOHz)
		}
	}
}
