package sdr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// runDemod demodulates x and compares the emitted slots with the transmitted bits,
// aligning the first emitted slot by its Sample (the demodulator's own estimate).
// It returns bit errors, bits compared and slots emitted.
func runDemod(t *testing.T, cfg DemodConfig, x []complex64, tx []byte, txDelay int, chunk int) (errs, nbits, nslots int, last Slot) {
	t.Helper()
	d, err := NewDemodulator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slots := make([]Slot, d.OutLen(len(x)))
	n := 0
	for a := 0; a < len(x); a += chunk {
		src := x[a:min(a+chunk, len(x))]
		if len(slots)-n < d.OutLen(len(src)) {
			slots = append(slots, make([]Slot, d.OutLen(len(src)))...)
		}
		n += d.Process(slots[n:], src)
	}
	slotLen := float64(SlotSymbols * cfg.SamplesPerSymbol)
	hard := make([]byte, SlotBits)
	for _, s := range slots[:n] {
		// transmitted slot number from the sample position (test-side alignment)
		j := int(math.Round(float64(s.Sample-int64(txDelay)) / slotLen))
		if j < 0 || (j+1)*SlotBits > len(tx) {
			continue
		}
		HardBits(hard, s.Soft[:])
		for i := range hard {
			if hard[i] != tx[j*SlotBits+i] {
				errs++
			}
		}
		nbits += SlotBits
	}
	if n > 0 {
		last = slots[n-1]
	}
	return errs, nbits, n, last
}

func TestDemodCleanRoundTrip(t *testing.T) {
	for _, sps := range []int{2, 4, 5, 8} {
		for _, det := range []Detector{Coherent, Differential} {
			t.Run(fmt.Sprintf("sps%d/%v", sps, det), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, 1))
				tx := dlSlots(rng, 12)
				x := modulate(tx, sps)
				m, _ := NewModulator(ModulatorConfig{SamplesPerSymbol: sps})
				errs, nb, ns, last := runDemod(t, dlConfig(sps, det), x, tx, m.Delay(), 999)
				if ns < 6 || nb < 6*SlotBits {
					t.Fatalf("only %d slots (%d bits) demodulated", ns, nb)
				}
				if errs != 0 {
					t.Errorf("%d bit errors in %d bits", errs, nb)
				}
				t.Logf("slots %d bits %d errs %d last: score %.2f cfo %.1f Hz ppm %.1f EsN0 %.1f dB", ns, nb, errs, last.SyncScore, last.CFOHz, last.ClockPPM, last.EsN0dB)
			})
		}
	}
}

func TestDemodAcquisition(t *testing.T) {
	cases := []struct {
		name     string
		cfo, ppm float64
	}{
		{"cfo+25k", 25000, 0},
		{"cfo-25k", -25000, 0},
		{"cfo+12.3k_ppm+100", 12345, 100},
		{"cfo-24k_ppm-100", -24000, -100},
		{"ppm+100", 0, 100},
		{"ppm-100", 0, -100},
		{"cfo+3k_ppm+1000", 3000, 1000},
		{"cfo-7k_ppm-1000", -7000, -1000},
	}
	for _, c := range cases {
		for _, det := range []Detector{Coherent, Differential} {
			t.Run(c.name+"/"+det.String(), func(t *testing.T) {
				const sps = 4
				rng := rand.New(rand.NewPCG(2, 2))
				tx := dlSlots(rng, 30)
				x := modulate(tx, sps)
				// Es/N0 = 14 dB: noise variance 1/25 of the unit signal power per symbol → N0 = sps... per sample power 1.
				n0 := math.Pow(10, -14.0/10) * float64(sps)
				y := impair(rng, x, sps*SymbolRate, c.cfo, c.ppm, n0)
				m, _ := NewModulator(ModulatorConfig{SamplesPerSymbol: sps})
				d := m.Delay()
				errs, nb, ns, last := runDemod(t, dlConfig(sps, det), y, tx, int(float64(d)*(1+c.ppm*1e-6)), 777)
				_ = ns
				if nb < 20*SlotBits {
					t.Fatalf("only %d bits demodulated", nb)
				}
				ber := float64(errs) / float64(nb)
				if ber > 1e-3 {
					t.Errorf("BER %.2g (%d/%d)", ber, errs, nb)
				}
				if math.Abs(last.CFOHz-c.cfo) > 50 {
					t.Errorf("CFO estimate %.1f Hz, want %.1f", last.CFOHz, c.cfo)
				}
				if math.Abs(last.ClockPPM-c.ppm) > 30 {
					t.Errorf("clock estimate %.1f ppm, want %.1f", last.ClockPPM, c.ppm)
				}
				t.Logf("BER %d/%d; CFO %.1f Hz; clock %.1f ppm; EsN0 %.1f dB", errs, nb, last.CFOHz, last.ClockPPM, last.EsN0dB)
			})
		}
	}
}
