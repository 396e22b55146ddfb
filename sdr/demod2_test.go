package sdr

import (
	"math"
	"math/rand/v2"
	"testing"
)

func demodAll(t *testing.T, cfg DemodConfig, x []complex64, chunks func() int) []Slot {
	t.Helper()
	d, err := NewDemodulator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []Slot
	buf := make([]Slot, d.OutLen(len(x)))
	for a := 0; a < len(x); {
		c := min(chunks(), len(x)-a)
		n := d.Process(buf, x[a:a+c])
		out = append(out, buf[:n]...)
		a += c
	}
	return out
}

// TestDemodChunking: any chunking gives the same slots, through acquisition, a loss
// of lock (a gap of noise) and re-acquisition.
func TestDemodChunking(t *testing.T) {
	const sps = 4
	rng := rand.New(rand.NewPCG(7, 7))
	tx := dlSlots(rng, 40)
	x := modulate(tx, sps)
	// 30 slots of noise in the middle: the receiver must lose lock and re-acquire.
	gap := make([]complex64, 30*SlotSymbols*sps)
	x = append(append(append([]complex64{}, x[:len(x)/2]...), gap...), x[len(x)/2:]...)
	x = impair(rng, x, sps*SymbolRate, 1500, 40, 0.05)
	cfg := dlConfig(sps, Coherent)
	one := demodAll(t, cfg, x, func() int { return len(x) })
	crng := rand.New(rand.NewPCG(8, 8))
	many := demodAll(t, cfg, x, func() int { return 1 + crng.IntN(3000) })
	if len(one) != len(many) {
		t.Fatalf("%d slots in one call, %d chunked", len(one), len(many))
	}
	for i := range one {
		if one[i] != many[i] {
			t.Fatalf("slot %d differs", i)
		}
	}
	// lock lost in the gap, then regained: Index jumps over the gap
	jump := false
	for i := 1; i < len(one); i++ {
		if one[i].Index-one[i-1].Index > 10 {
			jump = true
		}
	}
	if !jump {
		t.Errorf("no re-acquisition after the gap (slots: %d)", len(one))
	}
	good := 0
	for _, s := range one {
		if s.Training >= 0 {
			good++
		}
	}
	if good < 30 {
		t.Errorf("only %d slots with training found, want >= 30 of 40", good)
	}
}

// TestDemodNoiseOnly: noise alone never locks.
func TestDemodNoiseOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]complex64, 60*SlotSymbols*4)
	for i := range x {
		x[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
	}
	got := demodAll(t, dlConfig(4, Coherent), x, func() int { return 4096 })
	if len(got) != 0 {
		t.Errorf("%d slots from pure noise", len(got))
	}
}

// TestDemodBadSamples: NaN, Inf and huge values never panic nor leave a
// non-finite estimate in a slot, and a burst of them does not stop the receiver.
func TestDemodBadSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	tx := dlSlots(rng, 12)
	x := modulate(tx, 4)
	for i := 0; i < len(x); i += 97 {
		switch i % 3 {
		case 0:
			x[i] = complex(float32(math.NaN()), 0)
		case 1:
			x[i] = complex(0, float32(math.Inf(-1)))
		default:
			x[i] = complex(3e38, -3e38)
		}
	}
	for _, det := range []Detector{Coherent, Differential} {
		for _, s := range demodAll(t, dlConfig(4, det), x, func() int { return 500 }) {
			checkFinite(t, det, &s)
		}
	}
	// A burst of 50 bad samples in slot 5 of a clean signal costs the slots
	// around it, not the stream: the receiver locks and decodes the rest.
	for _, kind := range []string{"NaN", "-Inf", "3e38"} {
		rng := rand.New(rand.NewPCG(10, 10))
		x := modulate(dlSlots(rng, 30), 4)
		for i := 5 * SlotSymbols * 4; i < 5*SlotSymbols*4+50; i++ {
			switch kind {
			case "NaN":
				x[i] = complex(float32(math.NaN()), 0)
			case "-Inf":
				x[i] = complex(0, float32(math.Inf(-1)))
			default:
				x[i] = complex(3e38, -3e38)
			}
		}
		for _, det := range []Detector{Coherent, Differential} {
			good := 0
			for _, s := range demodAll(t, dlConfig(4, det), x, func() int { return 500 }) {
				checkFinite(t, det, &s)
				if s.Training >= 0 {
					good++
				}
			}
			if good < 20 {
				t.Errorf("%v, 50 samples of %s: %d of 30 slots with training found, want >= 20", det, kind, good)
			}
		}
	}
}

func checkFinite(t *testing.T, det Detector, s *Slot) {
	t.Helper()
	for _, v := range []float64{float64(s.SyncScore), s.CFOHz, s.ClockPPM, float64(s.EsN0dB)} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%v: slot %d has a non-finite estimate: %+v", det, s.Index, *s)
		}
	}
}

func TestDemodZeroAlloc(t *testing.T) {
	const sps = 4
	rng := rand.New(rand.NewPCG(11, 11))
	x := impair(rng, modulate(dlSlots(rng, 40), sps), sps*SymbolRate, 800, 0, 0.01)
	for _, det := range []Detector{Coherent, Differential} {
		d, _ := NewDemodulator(dlConfig(sps, det))
		dst := make([]Slot, d.OutLen(len(x)))
		d.Process(dst, x[:len(x)/2])
		if !d.Locked() {
			t.Fatal("not locked")
		}
		src := x[len(x)/2 : len(x)/2+4000]
		if a := testing.AllocsPerRun(5, func() { d.Process(dst, src) }); a != 0 {
			t.Errorf("%v: Demodulator.Process allocates %v times", det, a)
		}
		d.Reset()
		d.Process(dst, x[:len(x)/2]) // acquisition after Reset must not allocate either
		d.Reset()
		if a := testing.AllocsPerRun(2, func() { d.Reset(); d.Process(dst, x[:20000]) }); a != 0 {
			t.Errorf("%v: acquisition allocates %v times", det, a)
		}
	}
}

func FuzzDemodulator(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, uint8(0))
	f.Add(make([]byte, 64), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, det uint8) {
		// Arbitrary bytes as cs8 samples, repeated to span an acquisition block; det
		// bit 0 selects the detector, bit 1 burst mode.
		if len(b) < 2 {
			return
		}
		x := make([]complex64, 10*SlotSymbols*4) // beyond the 8-slot acquisition block
		for i := range x {
			x[i] = complex(float32(int8(b[(2*i)%len(b)]))/128, float32(int8(b[(2*i+1)%len(b)]))/128)
		}
		cfg := dlConfig(4, Detector(det%2))
		if det&2 != 0 {
			cfg = ulConfig(4, Detector(det%2))
		}
		d, err := NewDemodulator(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]Slot, d.OutLen(len(x)))
		d.Process(dst, x)
	})
}

func TestDemodSearchingZeroAlloc(t *testing.T) {
	x := randIQ(rand.New(rand.NewPCG(12, 12)), 12*SlotSymbols*4)
	d, _ := NewDemodulator(dlConfig(4, Coherent))
	dst := make([]Slot, d.OutLen(len(x)))
	d.Process(dst, x)
	if a := testing.AllocsPerRun(3, func() { d.Process(dst, x) }); a != 0 {
		t.Errorf("acquisition on noise allocates %v times", a)
	}
}
