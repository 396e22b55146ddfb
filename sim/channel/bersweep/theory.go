package bersweep

import (
	"math"

	"github.com/tetrasim/tetrasim/sdr"
)

// TheoryBER returns the bit error rate of π/4-DQPSK with Gray mapping on the AWGN
// channel at ebn0dB for the detector:
//
// Coherent detection with differential decoding (a symbol decision error corrupts
// two dibits), p the BER of coherent QPSK:
//
//	Pb = 2p(1-p),  p = Q(√(2·Eb/N0))
//
// Differential detection (Proakis, Digital Communications, 4th ed., eq. 5.2-69 for
// DQPSK with Gray coding, which π/4-DQPSK equals on AWGN):
//
//	Pb = Q1(a, b) - ½·I0(ab)·exp(-(a²+b²)/2),  a = √(2γ(1-1/√2)), b = √(2γ(1+1/√2)),  γ = Eb/N0
//
// Q1 is the Marcum Q-function. These give 1e-2, 1e-3, 1e-4 at 5.20, 7.33, 8.79 dB
// (coherent) and 6.80, 9.20, 10.78 dB (differential).
func TheoryBER(det sdr.Detector, ebn0dB float64) float64 {
	g := math.Pow(10, ebn0dB/10)
	if det == sdr.Differential {
		a := math.Sqrt(2 * g * (1 - 1/math.Sqrt2))
		b := math.Sqrt(2 * g * (1 + 1/math.Sqrt2))
		return marcumQ1(a, b) - 0.5*i0e(a*b)*math.Exp(-(b-a)*(b-a)/2)
	}
	p := 0.5 * math.Erfc(math.Sqrt(g))
	return 2 * p * (1 - p)
}

// marcumQ1 is the first-order Marcum Q-function by numerical integration:
//
//	Q1(a, b) = ∫_b^∞ x·exp(-(x²+a²)/2)·I0(ax) dx
//
// with the exponentially scaled I0 to avoid overflow, Simpson's rule, step 1e-3.
func marcumQ1(a, b float64) float64 {
	f := func(x float64) float64 { return x * math.Exp(-(x-a)*(x-a)/2) * i0e(a*x) }
	hi := math.Max(a, b) + 40
	n := int((hi-b)/1e-3) | 1
	n++
	h := (hi - b) / float64(n)
	s := f(b) + f(hi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(b+float64(i)*h)
	}
	return s * h / 3
}

// i0e is the exponentially scaled modified Bessel function I0(z)·e^{-z}, z >= 0.
func i0e(z float64) float64 {
	if z < 30 {
		s, t := 1.0, 1.0
		for k := 1; k < 500; k++ {
			t *= (z / (2 * float64(k))) * (z / (2 * float64(k)))
			s += t
			if t < s*1e-17 {
				break
			}
		}
		return s * math.Exp(-z)
	}
	// asymptotic series
	return (1 + 1/(8*z) + 9/(128*z*z) + 225/(3072*z*z*z)) / math.Sqrt(2*math.Pi*z)
}

// EbN0For returns the Eb/N0 [dB] at which TheoryBER(det, ·) equals ber (0 < ber < 0.5),
// by bisection.
func EbN0For(det sdr.Detector, ber float64) float64 {
	lo, hi := -10.0, 30.0
	for i := 0; i < 60; i++ {
		m := (lo + hi) / 2
		if TheoryBER(det, m) > ber {
			lo = m
		} else {
			hi = m
		}
	}
	return (lo + hi) / 2
}
