package bersweep

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel"
)

func TestDiagGenie(t *testing.T) {
	const sps = 4
	rng := rand.New(rand.NewPCG(1, 1))
	bits := make([]byte, 200000)
	for i := range bits {
		bits[i] = byte(rng.IntN(2))
	}
	m, _ := sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: sps})
	x := make([]complex64, m.OutLen(len(bits)))
	m.Process(x, bits)
	for _, sp := range []float64{0, 50, 200} {
		y := make([]complex64, len(x))
		if sp > 0 {
			f, _ := channel.NewFading(rand.New(rand.NewPCG(2, 2)), channel.FadingConfig{SampleRateHz: sps * 18000, Profile: channel.ProfileFlat(sp)})
			f.Process(y, x)
		} else {
			copy(y, x)
		}
		h, _ := sdr.RRCTaps(sps, 8, 0.35)
		h32 := make([]float32, len(h))
		for i := range h {
			h32[i] = float32(h[i])
		}
		fir, _ := sdr.NewFIR(h32)
		fir.Process(y, y)
		delay := m.Delay() + (len(h)-1)/2
		if sp > 0 {
			delay += 7
		}
		errs := 0
		nb := 0
		for k := 1; k < len(bits)/2-20; k++ {
			r1 := y[k*sps+delay]
			r0 := y[(k-1)*sps+delay]
			d := r1 * complex(real(r0), -imag(r0))
			b1, b2 := byte(0), byte(0)
			if imag(d) < 0 {
				b1 = 1
			}
			if real(d) < 0 {
				b2 = 1
			}
			if b1 != bits[2*k] {
				errs++
			}
			if b2 != bits[2*k+1] {
				errs++
			}
			nb += 2
		}
		t.Logf("speed %g: noiseless genie differential BER %.3g", sp, float64(errs)/float64(nb))
	}
	_ = math.Pi
}
