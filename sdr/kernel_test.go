package sdr

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// naiveDotCR is the reference loop of dotCR.
func naiveDotCR(h []float32, x []complex64) complex64 {
	var acc complex64
	for i := range h {
		acc += complex(h[i], 0) * x[i]
	}
	return acc
}

// TestDotCRMatchesReference compares the unrolled kernel with the reference loop for
// every length that exercises each of its three loops and their combinations.
func TestDotCRMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for n := 0; n <= 300; n++ {
		h := make([]float32, n)
		for i := range h {
			h[i] = float32(rng.NormFloat64())
		}
		x := randIQ(rng, n+3) // longer than h, as the callers pass it
		got, want := dotCR(h, x), naiveDotCR(h, x)
		var scale float64
		for i := range h {
			scale += math.Abs(float64(h[i])) * cmplx.Abs(complex128(x[i]))
		}
		if d := cmplx.Abs(complex128(got - want)); d > 1e-6*scale+1e-30 {
			t.Fatalf("%d taps: %v, want %v (|diff| %g, scale %g)", n, got, want, d, scale)
		}
	}
}

// TestDotCRSymMatchesReference compares the symmetric-tap kernel with the reference
// loop for odd and even lengths around its 8-tap blocks.
func TestDotCRSymMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for n := 0; n <= 300; n++ {
		h := make([]float32, n)
		for i := range (n + 1) / 2 {
			h[i] = float32(rng.NormFloat64())
			h[n-1-i] = h[i]
		}
		if !isSymmetric(h) {
			t.Fatalf("%d taps: isSymmetric false", n)
		}
		x := randIQ(rng, n+3)
		got, want := dotCRSym(h, x), naiveDotCR(h, x)
		var scale float64
		for i := range h {
			scale += math.Abs(float64(h[i])) * cmplx.Abs(complex128(x[i]))
		}
		if d := cmplx.Abs(complex128(got - want)); d > 1e-6*scale+1e-30 {
			t.Fatalf("%d taps: %v, want %v (|diff| %g, scale %g)", n, got, want, d, scale)
		}
		if n >= 2 {
			h[0]++
			if isSymmetric(h) {
				t.Fatalf("%d taps: isSymmetric true after breaking the symmetry", n)
			}
		}
	}
}

// naiveResample is the reference of the rational Resampler, straight from its
// definition: y[m] = Σ_k h[p_m + k·L]·L·x[n_m - k], n_m = ⌊m·M/L⌋, p_m = m·M mod L,
// with x[n] = 0 before the start, for every m whose n_m is in the input.
func naiveResample(l, m int, h []float64, gain float64, x []complex64) []complex128 {
	var y []complex128
	for j := 0; ; j++ {
		n, p := j*m/l, j*m%l
		if n >= len(x) {
			return y
		}
		var acc complex128
		for k := 0; p+k*l < len(h); k++ {
			if n-k >= 0 {
				acc += complex(h[p+k*l]*gain, 0) * complex128(x[n-k])
			}
		}
		y = append(y, acc)
	}
}

// TestResamplerMatchesReference checks the polyphase Resampler (channel filter
// 3/100, decimator by 33, an interpolator and an odd ratio) against naiveResample,
// fed in random chunks (shorter and longer than the history, so both the buffered
// and the direct path of Process run), a third of them in place when the ratio is
// at most 1.
func TestResamplerMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	chf, err := KaiserLowpass(15000, 57000, 7.2e6, 65)
	if err != nil {
		t.Fatal(err)
	}
	h100 := make([]float64, 100)
	for i := range h100 {
		h100[i] = rng.NormFloat64() / 10
	}
	h37 := make([]float64, 37)
	for i := range h37 {
		h37[i] = rng.NormFloat64() / 5
	}
	sym := func(n int) []float64 { // symmetric taps: the decimator's dotCRSym path
		h := make([]float64, n)
		for i := range (n + 1) / 2 {
			h[i] = rng.NormFloat64() / 10
			h[n-1-i] = h[i]
		}
		return h
	}
	kaiser33, err := KaiserLowpass(12000, 30000, 2.4e6, 65)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		l, m int
		h    []float64
	}{
		{"channel3/100", 3, 100, chf}, {"decim33", 1, 33, h100}, {"interp4", 4, 1, h37},
		{"7/5", 7, 5, h37}, {"decim1", 1, 1, h37[:5]},
		{"decim33sym100", 1, 33, sym(100)}, {"decim33sym101", 1, 33, sym(101)},
		{"decim7sym23", 1, 7, sym(23)}, {"decim33kaiser", 1, 33, kaiser33},
	} {
		r, err := NewRationalResampler(c.l, c.m, c.h)
		if err != nil {
			t.Fatal(err)
		}
		if wantSym := c.l == 1 && c.name != "decim33" && c.name != "decim1"; r.sym != wantSym {
			t.Errorf("%s: symmetric kernel %v, want %v", c.name, r.sym, wantSym)
		}
		if c.name == "channel3/100" {
			// the symmetric prototype of odd length has one self-symmetric phase
			// (after dropping its padding zero), computed with dotCRSym
			nsym := 0
			for _, st := range r.steps {
				if st.sym {
					nsym++
				}
			}
			if nsym != 1 {
				t.Errorf("%s: %d phases use the symmetric kernel, want 1", c.name, nsym)
			}
		}
		x := randIQ(rng, 20000)
		want := naiveResample(c.l, c.m, c.h, float64(c.l), x)
		var got []complex64
		for a := 0; a < len(x); {
			n := min(1+rng.IntN(3000), len(x)-a)
			o := make([]complex64, r.OutLen(n))
			if c.l <= c.m && rng.IntN(3) == 0 {
				// in place (ratio <= 1): the buffered path
				b := append([]complex64(nil), x[a:a+n]...)
				if k := r.Process(b, b); k != len(o) {
					t.Fatalf("%s: in-place Process returned %d, OutLen %d", c.name, k, len(o))
				}
				copy(o, b)
			} else if k := r.Process(o, x[a:a+n]); k != len(o) {
				t.Fatalf("%s: Process returned %d, OutLen %d", c.name, k, len(o))
			}
			got = append(got, o...)
			a += n
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d outputs, want %d", c.name, len(got), len(want))
		}
		var hs float64
		for _, v := range c.h {
			hs += math.Abs(v) * float64(c.l)
		}
		for i := range want {
			if d := cmplx.Abs(complex128(got[i]) - want[i]); d > 1e-5*hs*4 {
				t.Fatalf("%s: output %d = %v, want %v (|diff| %g)", c.name, i, got[i], want[i], d)
			}
		}
	}
}
