package sdr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Normal uplink burst (EN 300 392-2 clause 9.4.4.2.1, air-interface.md §4.1):
// 34 guard bits, tail 1100, BKN1 216, training n or p at bit 254, BKN2 216, tail
// 1100, 14 guard bits.
func ulConfig(sps int, det Detector) DemodConfig {
	tail := bitsOf("1100")
	return DemodConfig{
		SamplesPerSymbol: sps, Mode: Bursts, Detector: det,
		Training: []SyncPattern{
			{Name: "n", Bits: bitsOf(seqN), BitOffset: 254},
			{Name: "p", Bits: bitsOf(seqP), BitOffset: 254},
		},
		Fixed: []SyncPattern{{Name: "tail1", Bits: tail, BitOffset: 34}, {Name: "tail2", Bits: tail, BitOffset: 492}},
	}
}

// ulBurst returns the 510 bits of a normal uplink burst; the guard bits are 0 and
// not transmitted.
func ulBurst(rng *rand.Rand, p bool) []byte {
	b := make([]byte, SlotBits)
	for i := 38; i < 496; i++ {
		b[i] = byte(rng.IntN(2))
	}
	copy(b[34:], bitsOf("1100"))
	copy(b[492:], bitsOf("1100"))
	if p {
		copy(b[254:], bitsOf(seqP))
	} else {
		copy(b[254:], bitsOf(seqN))
	}
	return b
}

// TestDemodBursts: uplink bursts in some slots of a stream, each with its own
// carrier offset, phase and timing; every burst must be found once, in its slot,
// with no false bursts in the empty slots, and demodulated without errors.
func TestDemodBursts(t *testing.T) {
	for _, c := range []struct {
		det              Detector
		offset, offsetHz float64 // common carrier offset, and what the caller tells
	}{
		{Coherent, 0, 0}, {Differential, 0, 0},
		{Coherent, 20000, 19700}, {Differential, -20000, -20300},
	} {
		det := c.det
		t.Run(fmt.Sprintf("%v/offset%+.0f", det, c.offset), func(t *testing.T) {
			const sps = 4
			rng := rand.New(rand.NewPCG(21, 21))
			slotLen := SlotSymbols * sps
			const nslots = 40
			x := make([]complex64, (nslots+5)*slotLen) // room for the search look-ahead
			busy := map[int][]byte{}
			cfos := map[int]float64{}
			lead := 3*slotLen/2 + 123 // first slot starts here
			for sl := 0; sl < nslots; sl++ {
				if rng.IntN(3) == 0 {
					continue // empty slot
				}
				b := ulBurst(rng, sl%2 == 0)
				busy[sl] = b
				m, _ := NewModulator(ModulatorConfig{SamplesPerSymbol: sps})
				out := make([]complex64, slotLen+m.Delay()*2+2*sps)
				k := m.Silence(out, 17)
				k += m.Process(out[k:], b[34:496])
				k += m.Silence(out[k:], 7)
				k += m.Flush(out[k:])
				cfo := c.offset + (rng.Float64()*2-1)*800 // Hz
				cfos[sl] = cfo
				ph := rng.Float64() * 2 * math.Pi
				at := lead + sl*slotLen - m.Delay() + rng.IntN(3) // small timing jitter
				for i := 0; i < k && at+i < len(x); i++ {
					if at+i < 0 {
						continue
					}
					w := ph + 2*math.Pi*cfo*float64(i)/(sps*SymbolRate)
					x[at+i] += out[i] * complex(float32(math.Cos(w)), float32(math.Sin(w)))
				}
			}
			// Es/N0 = 18 dB
			n0 := math.Pow(10, -1.8) * sps
			sd := math.Sqrt(n0 / 2)
			for i := range x {
				x[i] += complex(float32(sd*rng.NormFloat64()), float32(sd*rng.NormFloat64()))
			}
			cfg := ulConfig(sps, det)
			cfg.OffsetHz = c.offsetHz
			got := demodAll(t, cfg, x, func() int { return 1000 })
			crng := rand.New(rand.NewPCG(5, 5))
			other := demodAll(t, cfg, x, func() int { return 1 + crng.IntN(5000) })
			if len(other) != len(got) {
				t.Fatalf("chunking changes the burst count: %d vs %d", len(got), len(other))
			}
			for i := range got {
				if got[i] != other[i] {
					t.Fatalf("chunking changes burst %d", i)
				}
			}
			dm, _ := NewDemodulator(cfg)
			dst := make([]Slot, dm.OutLen(len(x)))
			dm.Process(dst, x[:len(x)/2])
			if a := testing.AllocsPerRun(3, func() { dm.Reset(); dm.Process(dst, x) }); a != 0 {
				t.Errorf("burst demodulation allocates %v times", a)
			}
			seen := map[int]bool{}
			hard := make([]byte, SlotBits)
			for _, s := range got {
				sl := int(math.Round(float64(s.Sample-int64(lead)) / float64(slotLen)))
				b, ok := busy[sl]
				if !ok || seen[sl] {
					t.Errorf("false or repeated burst at slot %d (sample %d = slot %.2f, score %.2f, training %d)", sl, s.Sample, float64(s.Sample-int64(lead))/float64(slotLen), s.SyncScore, s.Training)
					continue
				}
				seen[sl] = true
				if want := 1 - sl%2; s.Training != want { // p (index 1) in even slots
					t.Errorf("slot %d: training %d, want %d", sl, s.Training, want)
				}
				HardBits(hard, s.Soft[:])
				errs := 0
				for i := 40; i < 496; i++ { // the first tail dibit follows silence
					if hard[i] != b[i] {
						errs++
					}
				}
				if errs > 0 {
					t.Errorf("slot %d: %d bit errors (CFO est %.0f Hz)", sl, errs, s.CFOHz)
				}
				if math.Abs(s.CFOHz-cfos[sl]) > 50 {
					t.Errorf("slot %d: CFO estimate %.0f Hz, want %.0f", sl, s.CFOHz, cfos[sl])
				}
			}
			if len(seen) != len(busy) {
				t.Errorf("found %d of %d bursts", len(seen), len(busy))
				for sl := range busy {
					if !seen[sl] {
						t.Logf("missed slot %d", sl)
					}
				}
			}
			t.Log(fmt.Sprintf("%d bursts found of %d", len(seen), len(busy)))
		})
	}
}

// TestDemodBurstsNoise: no bursts from noise.
func TestDemodBurstsNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	x := randIQ(rng, 200*SlotSymbols*4)
	if got := demodAll(t, ulConfig(4, Coherent), x, func() int { return 4096 }); len(got) != 0 {
		t.Errorf("%d bursts from noise", len(got))
		for _, s := range got {
			t.Logf("sample %d score %.2f EsN0 %.1f dB", s.Sample, s.SyncScore, s.EsN0dB)
		}
	}
}
