package sdr

import (
	"errors"
	"math"
)

// SymbolRate is the π/4-DQPSK symbol rate of EN 300 392-2 clause 5 [symbol/s].
const SymbolRate = 18000

// Rolloff is the roll-off factor of the root-raised-cosine pulse, EN 300 392-2 clause 5.
const Rolloff = 0.35

// RRCTaps returns the taps of a root-raised-cosine filter of EN 300 392-2 clause 5:
// sps samples per symbol (>= 1), spanSymbols symbols long (>= 2, even, so the
// filter has spanSymbols*sps+1 taps and is symmetric about its centre tap), roll-off
// 0 < rolloff <= 1. The taps are normalised to unit energy (Σ h² = 1), so the
// cascade of two of them is a raised-cosine Nyquist pulse with peak 1.
//
//	h(t) = [sin(πt(1-α)) + 4αt·cos(πt(1+α))] / [πt(1-(4αt)²)],  t in symbols
func RRCTaps(sps, spanSymbols int, rolloff float64) ([]float64, error) {
	if sps < 1 {
		return nil, errors.New("sdr: RRC needs sps >= 1")
	}
	if spanSymbols < 2 || spanSymbols%2 != 0 {
		return nil, errors.New("sdr: RRC span must be even and >= 2 symbols")
	}
	if !(rolloff > 0 && rolloff <= 1) {
		return nil, errors.New("sdr: RRC roll-off must be in (0, 1]")
	}
	n := spanSymbols*sps + 1
	h := make([]float64, n)
	a := rolloff
	var e float64
	for i := range h {
		t := float64(i-(n-1)/2) / float64(sps)
		var v float64
		switch {
		case t == 0:
			v = 1 - a + 4*a/math.Pi
		case math.Abs(math.Abs(4*a*t)-1) < 1e-9:
			v = a / math.Sqrt2 * ((1+2/math.Pi)*math.Sin(math.Pi/(4*a)) + (1-2/math.Pi)*math.Cos(math.Pi/(4*a)))
		default:
			v = (math.Sin(math.Pi*t*(1-a)) + 4*a*t*math.Cos(math.Pi*t*(1+a))) / (math.Pi * t * (1 - 16*a*a*t*t))
		}
		h[i] = v
		e += v * v
	}
	s := 1 / math.Sqrt(e)
	for i := range h {
		h[i] *= s
	}
	return h, nil
}

// KaiserLowpass designs a linear-phase low-pass FIR by the Kaiser window method for
// a signal at rateHz (> 0): passband edge passHz, stopband edge stopHz
// (0 < passHz < stopHz <= rateHz/2), stopband attenuation attenDB (>= 20). The DC
// gain is 1. The tap count is odd, chosen by Kaiser's formula
//
//	N ≈ (A - 8) / (2.285 · 2π·(stop-pass)/rate) + 1
func KaiserLowpass(passHz, stopHz, rateHz, attenDB float64) ([]float64, error) {
	if !(rateHz > 0 && passHz > 0 && passHz < stopHz && stopHz <= rateHz/2) {
		return nil, errors.New("sdr: Kaiser low-pass needs 0 < pass < stop <= rate/2")
	}
	if attenDB < 20 {
		return nil, errors.New("sdr: Kaiser low-pass needs attenuation >= 20 dB")
	}
	dw := 2 * math.Pi * (stopHz - passHz) / rateHz
	n := int(math.Ceil((attenDB-8)/(2.285*dw))) + 1
	if n%2 == 0 {
		n++
	}
	if n > 1<<20 {
		return nil, errors.New("sdr: Kaiser low-pass too long")
	}
	fc := (passHz + stopHz) / 2 / rateHz // cycles/sample
	return windowedSinc(n, fc, kaiserBeta(attenDB)), nil
}

func kaiserBeta(a float64) float64 {
	switch {
	case a > 50:
		return 0.1102 * (a - 8.7)
	case a >= 21:
		return 0.5842*math.Pow(a-21, 0.4) + 0.07886*(a-21)
	}
	return 0
}

// windowedSinc returns n Kaiser-windowed sinc taps with cutoff fc [cycles/sample]
// and unit DC gain.
func windowedSinc(n int, fc, beta float64) []float64 {
	h := make([]float64, n)
	m := float64(n-1) / 2
	i0b := besselI0(beta)
	var sum float64
	for i := range h {
		t := float64(i) - m
		var s float64
		if t == 0 {
			s = 2 * fc
		} else {
			s = math.Sin(2*math.Pi*fc*t) / (math.Pi * t)
		}
		r := 0.0
		if m > 0 {
			r = t / m
		}
		w := besselI0(beta*math.Sqrt(math.Max(0, 1-r*r))) / i0b
		h[i] = s * w
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// besselI0 is the zeroth-order modified Bessel function of the first kind (series).
func besselI0(x float64) float64 {
	s, t := 1.0, 1.0
	for k := 1; k < 200; k++ {
		t *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		s += t
		if t < s*1e-17 {
			break
		}
	}
	return s
}

// float32s converts design-time taps to the float32 taps of the sample path.
func float32s(h []float64, gain float64) []float32 {
	out := make([]float32, len(h))
	for i, v := range h {
		out[i] = float32(v * gain)
	}
	return out
}
