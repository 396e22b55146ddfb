package air

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel"
)

func testCell() Cell {
	c := Cell{MCC: 262, MNC: 42, CC: 5}
	c.Sysinfo = mac.Sysinfo{MainCarrier: 3600, FreqBand: 3, DuplexSpacing: 2, MSTxPwrMaxCell: 5, RxLevAccessMin: 3,
		AccessParameter: 7, RadioDLTimeout: 4, OptionFlag: 2, LocationArea: 17, SubscriberClass: 0xffff, BSServiceDetails: 0x0e0}
	return c
}

type key struct {
	slot int64 // absolute slot number (Time.Slot())
	ch   lmac.Channel
	half uint8
}

// sent is what a transmitter put on the air, by slot and block.
type sent map[key]string

func bitsString(b []byte) string {
	s := make([]byte, len(b))
	for i, v := range b {
		s[i] = '0' + v
	}
	return string(s)
}

// transmit runs the demonstration schedule for nslots slots.
func transmit(t testing.TB, cfg TxConfig, nslots int) ([]complex64, sent) {
	t.Helper()
	tx, err := NewTransmitter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := NewSchedule(cfg.Cell, 7)
	log := sent{}
	var out []complex64
	var s DLSlot
	for i := 0; i < nslots; i++ {
		tm := tx.Time()
		if err := sc.Next(tm, &s); err != nil {
			t.Fatal(err)
		}
		a, _ := s.AACH.AppendBits(nil)
		log[key{tm.Slot(), lmac.AACH, 0}] = bitsString(a)
		for j, b := range s.Blocks {
			if b.Channel == 0 {
				continue
			}
			half := uint8(j + 1)
			if s.Burst == radio.NormalDL && s.Blocks[1].Channel == 0 {
				half = 0
			}
			log[key{tm.Slot(), b.Channel, half}] = bitsString(b.Bits)
		}
		if out, err = tx.Slot(out, &s); err != nil {
			t.Fatal(err)
		}
	}
	return tx.Flush(out), log
}

type result struct {
	blocks, crcErr, match, mismatch, slots int
	first, last                            int64
	perCh                                  map[lmac.Channel][2]int // blocks, CRC errors
}

// receive runs x through a receiver and compares the blocks with log.
func receive(t testing.TB, cfg RxConfig, x []complex64, log sent, chunk int) (result, *Receiver) {
	t.Helper()
	var res result
	res.first = -1
	slots := map[int64]bool{}
	res.perCh = map[lmac.Channel][2]int{}
	cfg.OnBlock = func(b *RxBlock) {
		res.blocks++
		c := res.perCh[b.Channel]
		c[0]++
		if !b.CRCOK {
			res.crcErr++
			c[1]++
		}
		res.perCh[b.Channel] = c
		k := key{b.Time.Slot(), b.Channel, b.Half}
		slots[k.slot] = true
		if want, ok := log[k]; ok && want == bitsString(b.Bits) {
			res.match++
		} else if b.CRCOK && b.Channel.Params().CRC {
			res.mismatch++
			if res.mismatch < 4 {
				t.Logf("mismatch at %v %v half %d: found=%v", b.Time, b.Channel, b.Half, ok)
			}
		}
	}
	r, err := NewReceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < len(x); a += chunk {
		r.Write(x[a:min(a+chunk, len(x))])
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	res.slots = len(slots)
	for s := range slots {
		if res.first < 0 || s < res.first {
			res.first = s
		}
		res.last = max(res.last, s)
	}
	return res, r
}

// impair runs x through a chain of channel blocks.
func impair(t testing.TB, x []complex64, blocks ...channel.Block) []complex64 {
	t.Helper()
	c, err := channel.NewChain(blocks...)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]complex64, c.OutLen(len(x)))
	n := c.Process(y, x)
	return y[:n]
}

// checkClean requires every transmitted block to come back with a good CRC
// and identical bits.
func checkClean(t *testing.T, res result, r *Receiver, log sent) {
	t.Helper()
	st := r.Decoder().Stats()
	t.Logf("blocks %d (sent %d), matched %d, CRC errors %d, slots %d; carrier %.1f Hz; %+v",
		res.blocks, len(log), res.match, res.crcErr, res.slots, r.CarrierHz(), st)
	if res.crcErr != 0 || res.mismatch != 0 {
		t.Fatalf("%d CRC errors, %d mismatches", res.crcErr, res.mismatch)
	}
	if res.match != len(log) {
		t.Fatalf("recovered %d of %d blocks", res.match, len(log))
	}
}

// TestRoundTrip36k: the demonstration downlink at 36 kS/s, carrier at the
// centre, comes back completely: every block of every slot, 0 CRC errors.
func TestRoundTrip36k(t *testing.T) {
	cell := testCell()
	x, log := transmit(t, TxConfig{Cell: cell}, 3*72+20)
	res, r := receive(t, RxConfig{SampleRateHz: 36000}, x, log, 4001)
	checkClean(t, res, r, log)
}

// TestRoundTrip2M4: 2.4 MS/s with the carrier at +300 kHz, received by a
// radio whose crystal is 40 ppm off: the carrier appears 40 ppm × 390 MHz =
// 15.6 kHz higher and the sample clock runs 40 ppm fast. The receiver finds
// the carrier itself (search ±50 kHz around 300 kHz).
func TestRoundTrip2M4(t *testing.T) {
	const rate = 2.4e6
	cell := testCell()
	x, log := transmit(t, TxConfig{Cell: cell, SampleRateHz: rate, OffsetHz: 300e3}, 72+30)
	osc, _ := channel.NewOscillator(nil, 40e-6*390e6, 0, rate)
	clk, _ := channel.NewClockOffset(40, 0, rate)
	y := impair(t, x, osc, clk)
	res, r := receive(t, RxConfig{SampleRateHz: rate, OffsetHz: 300e3, SearchHz: 50e3}, y, log, 100003)
	checkClean(t, res, r, log)
	if math.Abs(r.CarrierHz()-(300e3+15.6e3)) > 1000 {
		t.Errorf("carrier found at %.0f Hz, want 315600 ± 1000", r.CarrierHz())
	}
}

// TestLeadingSilence: silence before the signal produces no blocks and no errors.
func TestLeadingSilence(t *testing.T) {
	x, log := transmit(t, TxConfig{Cell: testCell()}, 80)
	y := append(make([]complex64, 3*510), x...)
	res, r := receive(t, RxConfig{SampleRateHz: 36000}, y, log, 999)
	checkClean(t, res, r, log)
}

// noisy runs the downlink through AWGN (and fading) and reports block error rates.
func noisy(t testing.TB, ebn0 float64, fading bool, det sdr.Detector) (res result, st DecoderStats) {
	const rate = 72000
	cell := testCell()
	nslots := 3*72 + 10
	x, log := transmit(t, TxConfig{Cell: cell, SampleRateHz: rate}, nslots)
	rng := rand.New(rand.NewPCG(3, 4))
	var blocks []channel.Block
	if fading {
		f, err := channel.NewFading(rand.New(rand.NewPCG(5, 6)), channel.FadingConfig{SampleRateHz: rate, Profile: channel.ProfileTU50(), CarrierHz: 390e6})
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, f)
	}
	awgn, _ := channel.NewAWGN(rng, channel.NoisePowerEbN0(ebn0, 0.25, rate, 36000))
	blocks = append(blocks, awgn)
	y := impair(t, x, blocks...)
	res, r := receive(t, RxConfig{SampleRateHz: rate, Detector: det, Cell: &cell}, y, log, 7777)
	st = r.Decoder().Stats()
	return res, st
}

// TestAWGN10dB: at Eb/N0 = 10 dB the downlink decodes with few block errors.
func TestAWGN10dB(t *testing.T) {
	res, st := noisy(t, 10, false, sdr.Coherent)
	fer := float64(res.crcErr) / float64(res.blocks)
	t.Logf("AWGN 10 dB: %d blocks, %d CRC errors (%.2f%%), %d slots, %+v", res.blocks, res.crcErr, 100*fer, res.slots, st)
	if res.mismatch != 0 || fer > 0.02 || res.slots < 3*72 {
		t.Fatalf("too many errors")
	}
}

// TestTU50: typical urban 50 km/h (two-tap Rayleigh, clause 6) at Eb/N0 = 10 dB.
func TestTU50(t *testing.T) {
	res, st := noisy(t, 10, true, sdr.Coherent)
	fer := float64(res.crcErr) / float64(res.blocks)
	t.Logf("TU50 10 dB: %d blocks, %d CRC errors (%.2f%%), %d slots, %+v", res.blocks, res.crcErr, 100*fer, res.slots, st)
	if res.mismatch != 0 || fer > 0.15 || res.slots < 2*72 {
		t.Fatalf("too many errors")
	}
}

// BenchmarkDownlinkFER reports the block error rate of the demonstration
// downlink (all blocks: AACH, BSCH, BNCH, SCH/F, SCH/HD, STCH, TCH/S) over
// AWGN and TU50 at several Eb/N0, for both detectors.
func BenchmarkDownlinkFER(b *testing.B) {
	for _, fad := range []bool{false, true} {
		for _, e := range []float64{4, 6, 8, 10, 15} {
			for _, det := range []sdr.Detector{sdr.Coherent, sdr.Differential} {
				name := fmt.Sprintf("awgn/%gdB/%v", e, det)
				if fad {
					name = fmt.Sprintf("tu50/%gdB/%v", e, det)
				}
				b.Run(name, func(b *testing.B) {
					var res result
					for b.Loop() {
						res, _ = noisy(b, e, fad, det)
					}
					b.ReportMetric(float64(res.crcErr)/float64(res.blocks), "FER")
					for _, ch := range []lmac.Channel{lmac.AACH, lmac.SCHF, lmac.SCHHD, lmac.TCHS} {
						c := res.perCh[ch]
						name := strings.NewReplacer("/", "").Replace(ch.String())
						b.ReportMetric(float64(c[1])/float64(max(c[0], 1)), "FER-"+name)
					}
					b.ReportMetric(float64(res.slots), "slots")
				})
			}
		}
	}
}

// BenchmarkReceiveChain measures the whole receive chain per carrier (carrier
// search where configured, mixing, channel filter, demodulation, slot
// classification, every lower-MAC decoder and SYNC tracking) as a real-time
// factor: seconds of signal processed per second of CPU.
func BenchmarkReceiveChain(b *testing.B) {
	cases := []struct {
		name   string
		rate   float64
		offset float64
		search float64
		det    sdr.Detector
	}{
		{"36k/coherent", 36000, 0, 0, sdr.Coherent},
		{"36k/differential", 36000, 0, 0, sdr.Differential},
		{"72k/coherent", 72000, 0, 0, sdr.Coherent},
		{"2.4M+300k/search/coherent", 2.4e6, 300e3, 50e3, sdr.Coherent},
		{"2.4M+300k/known/coherent", 2.4e6, 300e3, 0, sdr.Coherent},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			x, _ := transmit(b, TxConfig{Cell: testCell(), SampleRateHz: c.rate, OffsetHz: c.offset}, 72+8)
			blocks := 0
			cfg := RxConfig{SampleRateHz: c.rate, OffsetHz: c.offset, SearchHz: c.search, Detector: c.det,
				OnBlock: func(*RxBlock) { blocks++ }}
			b.SetBytes(int64(len(x)) * 8)
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReceiver(cfg)
				if err != nil {
					b.Fatal(err)
				}
				for a := 0; a < len(x); a += 65536 {
					r.Write(x[a:min(a+65536, len(x))])
				}
				r.Close()
			}
			sec := float64(len(x)) / c.rate
			b.ReportMetric(sec*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// TestReceiverAllocs: once warm, the receive chain allocates nothing.
func TestReceiverAllocs(t *testing.T) {
	cell := testCell()
	x, _ := transmit(t, TxConfig{Cell: cell, SampleRateHz: 72000}, 5*72)
	r, err := NewReceiver(RxConfig{SampleRateHz: 72000, OnBlock: func(*RxBlock) {}})
	if err != nil {
		t.Fatal(err)
	}
	warm := 100000 // past the first SYNC (frame 18 of MN 1)
	r.Write(x[:warm])
	pos := warm
	const step = 2000
	allocs := testing.AllocsPerRun(100, func() {
		r.Write(x[pos : pos+step])
		pos += step
	})
	if !r.Decoder().Synced() {
		t.Fatal("not synced")
	}
	if allocs != 0 {
		t.Errorf("Receiver.Write allocates %.2f times per call", allocs)
	}
}

// TestTransmitterAllocs: encoding and modulating a slot allocates nothing.
func TestTransmitterAllocs(t *testing.T) {
	cell := testCell()
	tx, err := NewTransmitter(TxConfig{Cell: cell, SampleRateHz: 2.4e6, OffsetHz: 300e3})
	if err != nil {
		t.Fatal(err)
	}
	var s DLSlot
	if err := NewSchedule(cell, 1).Next(radio.Time{TN: 2, FN: 4, MN: 1}, &s); err != nil {
		t.Fatal(err)
	}
	dst := make([]complex64, 0, 40000)
	dst, _ = tx.Slot(dst[:0], &s)
	allocs := testing.AllocsPerRun(50, func() {
		dst, _ = tx.Slot(dst[:0], &s)
	})
	if allocs != 0 {
		t.Errorf("Transmitter.Slot allocates %.2f times", allocs)
	}
}

// TestSyncBurstVector decodes the independent 510-bit sync burst of the
// shared vectors through radio (burst split), radio/lmac (BSCH, AACH and
// SB2 chains) and radio/mac (SYNC, ACCESS-ASSIGN, Null PDU), and rebuilds it
// bit-exactly with the Encoder path. As the vector's note says, all three
// blocks of this synthetic burst are scrambled with the BSCH code (e = 0).
func TestSyncBurstVector(t *testing.T) {
	const burst = "000110101101101111111100000000000000000000000000000000000000000000000000000000000000001111111100011001001100101111100110011000010010000011010110101000011011010011011011010010000100100011101001011110011010111010101111000001100111001110100111000001100111101111101111011100001110111001101111111110010011110001100110101110000101100111001001100010111010100001101000101111100000001111101111110101101000111001010011011101010010010100011000010010100100111001101000100101011011010101101011101010011001011110011011011100"
	in := make([]byte, len(burst))
	soft := make([]int8, len(burst))
	for i := range burst {
		in[i] = burst[i] - '0'
		soft[i] = 127
		if in[i] == 1 {
			soft[i] = -127
		}
	}
	var b radio.Burst
	if err := b.Parse(radio.SyncDL, in); err != nil {
		t.Fatal(err)
	}
	var c lmac.Coder
	sync := make([]byte, 60)
	if !c.Decode(sync, lmac.BSCH, soft[radio.SBBlock1Start:radio.SBBlock1Start+radio.SB1Bits], scramble.BSCH) {
		t.Fatal("BSCH CRC")
	}
	sy, err := mac.ParseSync(sync)
	if err != nil || sy.ColourCode != 0 || sy.TN != 4 || sy.FN != 18 || sy.MN != 51 || sy.MCC != 234 || sy.MNC != 1 {
		t.Fatalf("SYNC %+v %v", sy, err)
	}
	aach := make([]byte, 14)
	if !c.Decode(aach, lmac.AACH, radio.BB(make([]int8, 30), radio.SyncDL, soft), scramble.BSCH) || bitsString(aach) != "00000001000000" {
		t.Fatalf("AACH %s", bitsString(aach))
	}
	sb2 := make([]byte, 124)
	if !c.Decode(sb2, lmac.SCHHD, soft[radio.SBBlock2Start:radio.SBBlock2Start+radio.BKNBits], scramble.BSCH) {
		t.Fatal("SB2 CRC")
	}
	if p, _, err := mac.Parse(mac.Downlink, lmac.SCHHD, sb2); err != nil || p.Name() != "NULL" {
		t.Fatalf("SB2: %v %v", p, err)
	}
	// Rebuild: encode the three type-1 blocks with code e = 0 and assemble.
	rb := radio.Burst{Type: radio.SyncDL,
		Block1: c.Encode(nil, lmac.BSCH, sync, scramble.BSCH),
		BB:     c.Encode(nil, lmac.AACH, aach, scramble.BSCH),
		Block2: c.Encode(nil, lmac.SCHHD, sb2, scramble.BSCH)}
	out, err := rb.AppendBits(nil)
	if err != nil || bitsString(out) != burst {
		t.Fatalf("rebuilt burst differs (%v)", err)
	}
}

// TestUplinkBitLevel: uplink bursts of every kind (NUB with SCH/F, TCH/S,
// STCH + TCH/S stolen; CB with SCH/HU MAC-ACCESS) encode and decode, and
// survive a few bit errors.
func TestUplinkBitLevel(t *testing.T) {
	cell := testCell()
	enc, _ := NewEncoder(cell)
	dec, _ := NewULDecoder(cell)
	rng := rand.New(rand.NewPCG(9, 9))
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		return b
	}
	access, _ := mac.AppendBlock(nil, 92, mac.Uplink, &mac.Access{Addr: mac.Address{Type: mac.AddrSSI, SSI: 1234567}, HasOptional: true, SDU: rnd(30)})
	data, _ := mac.AppendBlock(nil, 268, mac.Uplink, &mac.Data{Addr: mac.Address{Type: mac.AddrSSI, SSI: 1234567}, SDU: rnd(120)})
	usig, _ := mac.AppendBlock(nil, 124, mac.Uplink, &mac.USignal{SDU: rnd(121)})
	cases := []struct {
		name    string
		slot    ULSlot
		traffic bool
	}{
		{"CB SCH/HU", ULSlot{Burst: radio.ControlUL, Blocks: [2]Block{{lmac.SCHHU, access}}}, false},
		{"NUB SCH/F", ULSlot{Burst: radio.NormalUL, Blocks: [2]Block{{lmac.SCHF, data}}}, false},
		{"NUB TCH/S", ULSlot{Burst: radio.NormalUL, Blocks: [2]Block{{lmac.TCHS, rnd(274)}}}, true},
		{"NUB STCH+TCH/S", ULSlot{Burst: radio.NormalUL, Blocks: [2]Block{{lmac.STCH, usig}, {lmac.TCHSStolen, rnd(137)}}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bits, err := enc.AppendULBurst(nil, &c.slot)
			if err != nil {
				t.Fatal(err)
			}
			if len(bits) != c.slot.Burst.Bits() {
				t.Fatalf("%d bits", len(bits))
			}
			soft := make([]int8, len(bits))
			for i, b := range bits {
				soft[i] = 127
				if b == 1 {
					soft[i] = -127
				}
			}
			// A few errors in the first coded block (TCH/S class 0 is unprotected).
			if c.slot.Blocks[0].Channel != lmac.TCHS {
				for _, i := range []int{50, 140} {
					soft[i] = -soft[i] / 2
				}
			}
			var got []Block
			n := dec.Decode(soft, c.slot.Burst, radio.Time{TN: 1, FN: 1, MN: 1}, c.traffic, func(b *RxBlock) {
				if !b.CRCOK {
					t.Errorf("%v: CRC", b.Channel)
				}
				got = append(got, Block{b.Channel, append([]byte(nil), b.Bits...)})
			})
			want := 0
			for _, b := range c.slot.Blocks {
				if b.Channel != 0 {
					want++
				}
			}
			if n != want || len(got) != want {
				t.Fatalf("decoded %d blocks, want %d", n, want)
			}
			for i := range got {
				if got[i].Channel != c.slot.Blocks[i].Channel || bitsString(got[i].Bits) != bitsString(c.slot.Blocks[i].Bits) {
					t.Errorf("block %d: %v differs", i, got[i].Channel)
				}
			}
			if c.slot.Burst == radio.ControlUL {
				p, _, err := mac.Parse(mac.Uplink, lmac.SCHHU, got[0].Bits)
				if err != nil || p.Name() != "MAC-ACCESS" {
					t.Errorf("SCH/HU PDU %v %v", p, err)
				}
			}
		})
	}
}

// FuzzSlotDecoder: any soft slot, with any training index, never panics the
// decoder, before or after it has synchronised on a real sync burst.
func FuzzSlotDecoder(f *testing.F) {
	cell := testCell()
	enc, err := NewEncoder(cell)
	if err != nil {
		f.Fatal(err)
	}
	var ds DLSlot
	tm := radio.Time{TN: 2, FN: 18, MN: 1}
	if err := NewSchedule(cell, 1).Next(tm, &ds); err != nil {
		f.Fatal(err)
	}
	syncBits, err := enc.AppendBurst(nil, &ds)
	if err != nil {
		f.Fatal(err)
	}
	var sync sdr.Slot
	HardSlot(&sync, syncBits, 0)
	sync.Training = 2
	f.Add(int8(2), syncBits)
	f.Add(int8(0), make([]byte, 510))
	f.Add(int8(-1), []byte{0x80, 0x7f, 3})
	f.Fuzz(func(t *testing.T, training int8, data []byte) {
		for _, known := range []*Cell{nil, &cell} {
			d := NewSlotDecoder(known, func(*RxBlock) {})
			var s sdr.Slot
			for i := range s.Soft {
				if len(data) > 0 {
					s.Soft[i] = int8(data[i%len(data)])
				}
			}
			s.Training = int(training%4) - 1
			s.SyncScore = 1
			for k := int64(0); k < 4; k++ {
				if k == 1 {
					sync.Index = k
					d.Decode(&sync)
					continue
				}
				s.Index = k
				d.Decode(&s)
			}
			if !d.Synced() {
				t.Fatal("real sync burst did not synchronise the decoder")
			}
			d.Flush()
		}
	})
}

// BenchmarkTransmitter measures encoding and modulating the demonstration
// downlink, as a real-time factor.
func BenchmarkTransmitter(b *testing.B) {
	for _, rate := range []float64{36000, 2.4e6} {
		b.Run(fmt.Sprintf("%gS/s", rate), func(b *testing.B) {
			cell := testCell()
			tx, err := NewTransmitter(TxConfig{Cell: cell, SampleRateHz: rate, OffsetHz: 300e3 * float64(int(rate/1e6))})
			if err != nil {
				b.Fatal(err)
			}
			sc := NewSchedule(cell, 1)
			var s DLSlot
			dst := make([]complex64, 0, 40000)
			b.ReportAllocs()
			for b.Loop() {
				if err := sc.Next(tx.Time(), &s); err != nil {
					b.Fatal(err)
				}
				dst, _ = tx.Slot(dst[:0], &s)
			}
			slotSec := float64(radio.SlotSymbols) / radio.SymbolRate
			b.ReportMetric(float64(b.N)*slotSec/b.Elapsed().Seconds(), "x-realtime")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "slots/s")
		})
	}
}

// TestHyperframeFromSysinfo: the receiver takes HN from SYSINFO; blocks
// after the first SYSINFO carry the transmitter's hyperframe number.
func TestHyperframeFromSysinfo(t *testing.T) {
	start := radio.Time{TN: 1, FN: 10, MN: 59, HN: 4242}
	x, _ := transmit(t, TxConfig{Cell: testCell(), Start: start}, 150)
	var last RxBlock
	sawSysinfo := false
	r, err := NewReceiver(RxConfig{SampleRateHz: 36000, OnBlock: func(b *RxBlock) {
		if b.Channel == lmac.BNCH && b.CRCOK {
			sawSysinfo = true
		}
		last = *b
	}})
	if err != nil {
		t.Fatal(err)
	}
	r.Write(x)
	r.Close()
	want := start.Add(149)
	if !sawSysinfo || last.Time != want {
		t.Fatalf("last block at %v, want %v (SYSINFO seen: %v)", last.Time, want, sawSysinfo)
	}
}

// TestReceiverChunking: the decoded blocks do not depend on how the input is
// split into Write calls.
func TestReceiverChunking(t *testing.T) {
	x, log := transmit(t, TxConfig{Cell: testCell(), SampleRateHz: 72000, OffsetHz: 2000}, 100)
	var ref []string
	for _, chunk := range []int{len(x), 65536, 4093, 511, 77} {
		var got []string
		r, err := NewReceiver(RxConfig{SampleRateHz: 72000, OffsetHz: 2000, OnBlock: func(b *RxBlock) {
			got = append(got, fmt.Sprintf("%v %v %d %v %s", b.Time, b.Channel, b.Half, b.CRCOK, bitsString(b.Bits)))
		}})
		if err != nil {
			t.Fatal(err)
		}
		for a := 0; a < len(x); a += chunk {
			r.Write(x[a:min(a+chunk, len(x))])
		}
		r.Close()
		if ref == nil {
			ref = got
			if len(ref) != len(log) {
				t.Fatalf("%d blocks, sent %d", len(ref), len(log))
			}
			continue
		}
		if len(got) != len(ref) {
			t.Fatalf("chunk %d: %d blocks, want %d", chunk, len(got), len(ref))
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("chunk %d: block %d differs:\n%s\n%s", chunk, i, got[i][:40], ref[i][:40])
			}
		}
	}
}

// TestBitSync: a one-bit-per-byte stream that starts mid-slot and loses
// 100 bits in the middle still decodes: BitSync finds the sync burst, follows
// the training sequences, and re-locks after the slip with the right time:
// only the blocks of the slot that holds the slip are lost.
func TestBitSync(t *testing.T) {
	cell := testCell()
	tx, _ := NewTransmitter(TxConfig{Cell: cell})
	sc := NewSchedule(cell, 3)
	var s DLSlot
	var stream []byte
	log := sent{}
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 1234; i++ { // leading garbage, not a multiple of 510
		stream = append(stream, byte(rng.IntN(2)))
	}
	const nslots = 3 * 72
	cutAt := 0
	for i := 0; i < nslots; i++ {
		tm := tx.Time()
		if err := sc.Next(tm, &s); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Slot(nil, &s); err != nil {
			t.Fatal(err)
		}
		if i == 100 {
			cutAt = len(stream) + 200
		}
		stream = append(stream, tx.Burst()...)
		for j, blk := range s.Blocks {
			if blk.Channel != 0 {
				half := uint8(j + 1)
				if s.Burst == radio.NormalDL && s.Blocks[1].Channel == 0 {
					half = 0
				}
				log[key{tm.Slot(), blk.Channel, half}] = bitsString(blk.Bits)
			}
		}
	}
	stream = append(stream[:cutAt], stream[cutAt+100:]...) // lose 100 bits in slot 100
	var match, bad, blocks int
	dec := NewSlotDecoder(nil, func(b *RxBlock) {
		if b.Channel == lmac.AACH {
			return
		}
		blocks++
		if !b.CRCOK {
			bad++
		}
		if log[key{b.Time.Slot(), b.Channel, b.Half}] == bitsString(b.Bits) {
			match++
		}
	})
	bs := NewBitSync(dec)
	for a := 0; a < len(stream); a += 1000 {
		bs.Write(stream[a:min(a+1000, len(stream))])
	}
	bs.Close()
	t.Logf("%d slots, %d resyncs, %d blocks, %d matched, %d CRC errors (sent %d, AACH not counted)", bs.Slots(), bs.Resyncs(), blocks, match, bad, len(log))
	if bs.Resyncs() != 1 || bad != 0 || match != blocks || match < len(log)-3 {
		t.Fatal("bit stream not recovered")
	}
}

// FuzzBitSync: any byte stream, written in any chunk sizes, never panics
// the bit synchroniser.
func FuzzBitSync(f *testing.F) {
	cell := testCell()
	enc, _ := NewEncoder(cell)
	var ds DLSlot
	NewSchedule(cell, 1).Next(radio.Time{TN: 2, FN: 18, MN: 1}, &ds)
	sb, _ := enc.AppendBurst(nil, &ds)
	f.Add(append(append(make([]byte, 300), sb...), sb...), uint16(97))
	f.Add([]byte{1, 0, 1}, uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		if len(data) > 20000 {
			return
		}
		c := int(chunk%4096) + 1
		bs := NewBitSync(NewSlotDecoder(nil, func(*RxBlock) {}))
		for a := 0; a < len(data); a += c {
			bs.Write(data[a:min(a+c, len(data))])
		}
		bs.Close()
		if bs.Slots() > int64(len(data)/radio.SlotBits)+1 {
			t.Fatalf("%d slots from %d bits", bs.Slots(), len(data))
		}
	})
}

// TestMultiCarrier: two cells on one 2.4 MS/s capture, at −200 kHz and +300
// kHz (the second 6 dB weaker), are both found and decoded completely.
func TestMultiCarrier(t *testing.T) {
	const rate = 2.4e6
	c1, c2 := testCell(), Cell{MCC: 234, MNC: 30, CC: 17}
	x1, log1 := transmit(t, TxConfig{Cell: c1, SampleRateHz: rate, OffsetHz: -200e3}, 80)
	x2, log2 := transmit(t, TxConfig{Cell: c2, SampleRateHz: rate, OffsetHz: 300e3, Amplitude: 0.25}, 80)
	n := min(len(x1), len(x2))
	x := make([]complex64, n)
	for i := range x {
		x[i] = x1[i] + x2[i]
	}
	awgn, _ := channel.NewAWGN(rand.New(rand.NewPCG(7, 7)), channel.NoisePowerEbN0(25, 0.0625, rate, 36000))
	x = impair(t, x, awgn)
	got := map[float64][2]int{} // carrier → matched blocks, CRC errors
	m, err := NewMultiReceiver(MultiConfig{MaxCarriers: 4, Rx: RxConfig{SampleRateHz: rate, OnBlock: func(b *RxBlock) {
		g := got[math.Round(b.CarrierHz/25e3)*25e3]
		if !b.CRCOK {
			g[1]++
		}
		k := key{b.Time.Slot(), b.Channel, b.Half}
		if w, ok := log1[k]; ok && w == bitsString(b.Bits) && b.CarrierHz < 0 {
			g[0]++
		}
		if w, ok := log2[k]; ok && w == bitsString(b.Bits) && b.CarrierHz > 0 {
			g[0]++
		}
		got[math.Round(b.CarrierHz/25e3)*25e3] = g
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < len(x); a += 50000 {
		m.Write(x[a:min(a+50000, len(x))])
	}
	m.Close()
	t.Logf("carriers %+v; per carrier (matched, CRC errors) %v; sent %d and %d", m.Carriers(), got, len(log1), len(log2))
	if len(m.Carriers()) != 2 {
		t.Fatalf("found %d carriers", len(m.Carriers()))
	}
	if g := got[-200e3]; g[0] != len(log1) || g[1] != 0 {
		t.Errorf("carrier −200 kHz: %v", g)
	}
	if g := got[300e3]; g[0] != len(log2) || g[1] != 0 {
		t.Errorf("carrier +300 kHz: %v", g)
	}
}

// TestOddRates: rates that are not multiples of 18 kHz, below and above
// 72 kS/s, go through the resamplers both ways and still decode completely.
func TestOddRates(t *testing.T) {
	for _, rate := range []float64{40000, 50000, 100000, 250000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			off := 0.0
			if rate > 72000 {
				off = 20000
			}
			x, log := transmit(t, TxConfig{Cell: testCell(), SampleRateHz: rate, OffsetHz: off}, 80)
			res, r := receive(t, RxConfig{SampleRateHz: rate, OffsetHz: off}, x, log, 5003)
			checkClean(t, res, r, log)
		})
	}
}
