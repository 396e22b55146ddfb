package voice

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Score holds the objective quality figures of shared speech-codec.md §5.
type Score struct {
	LagSamples   int     `json:"lag_samples"`   // delay of the degraded signal found by alignment
	SegSNR       float64 `json:"segsnr_db"`     // segmental SNR [dB], frames of 240, clipped to [-10, 35]
	LSD          float64 `json:"lsd_db"`        // log-spectral distance 125-3500 Hz [dB]
	SNRFrames    int     `json:"snr_frames"`    // active frames in the segSNR mean
	LSDFrames    int     `json:"lsd_frames"`    // active frames in the LSD mean
	AlignedLen   int     `json:"aligned_len"`   // samples compared after alignment
	Parametric   bool    `json:"parametric"`    // aligned on energy envelopes (Codec2) rather than waveforms
	Correlation  float64 `json:"correlation"`   // the normalised correlation at the chosen lag
	ReferenceLen int     `json:"reference_len"` // samples in the reference
}

// MaxLag bounds the delay search [samples] (speech-codec.md §5: L in [0, 800)).
const MaxLag = 800

// Compare aligns deg to ref and computes segmental SNR and band-limited LSD,
// exactly as defined in shared speech-codec.md §5. parametric selects alignment on
// 5 ms log-energy envelopes, for codecs with synthesised phase such as Codec2.
func Compare(ref, deg []int16, parametric bool) Score {
	r := toFloat(ref)
	d := toFloat(deg)
	var lag int
	var rho float64
	if parametric {
		lag, rho = alignEnvelope(r, d)
	} else {
		lag, rho = alignWaveform(r, d)
	}
	n := min(len(r), len(d))
	if lag > n {
		lag = n
	}
	r, d = r[:n-lag], d[lag:n]
	s := Score{LagSamples: lag, Parametric: parametric, Correlation: rho, AlignedLen: len(r), ReferenceLen: len(ref)}
	s.SegSNR, s.SNRFrames = segSNR(r, d)
	s.LSD, s.LSDFrames = lsd(r, d)
	return s
}

func toFloat(x []int16) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// normCorr is <a,b> / (sqrt(|a|^2 |b|^2) + 1e-9).
func normCorr(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / (math.Sqrt(aa*bb) + 1e-9)
}

// alignWaveform picks the lag L in [0, MaxLag) maximising the normalised
// correlation of r[0:n-L] and d[L:n] (speech-codec.md §5, waveform codecs).
func alignWaveform(r, d []float64) (int, float64) {
	n := min(len(r), len(d))
	best, bestRho := 0, math.Inf(-1)
	for L := 0; L < MaxLag && L < n; L++ {
		if rho := normCorr(r[:n-L], d[L:n]); rho > bestRho {
			best, bestRho = L, rho
		}
	}
	return best, bestRho
}

// envelope is e[m] = log10(mean(x^2 over 40-sample block m) + 1), mean removed.
func envelope(x []float64) []float64 {
	const blk = 40
	e := make([]float64, len(x)/blk)
	var mean float64
	for m := range e {
		var s float64
		for _, v := range x[m*blk : (m+1)*blk] {
			s += v * v
		}
		e[m] = math.Log10(s/blk + 1)
		mean += e[m]
	}
	if len(e) > 0 {
		mean /= float64(len(e))
	}
	for m := range e {
		e[m] -= mean
	}
	return e
}

// alignEnvelope runs the lag search on 5 ms log-energy envelopes (parametric codecs).
func alignEnvelope(r, d []float64) (int, float64) {
	er, ed := envelope(r), envelope(d)
	n := min(len(er), len(ed))
	best, bestRho := 0, math.Inf(-1)
	for L := 0; L < MaxLag/40 && L < n; L++ {
		if rho := normCorr(er[:n-L], ed[L:n]); rho > bestRho {
			best, bestRho = L, rho
		}
	}
	return best * 40, bestRho
}

// peakOf is max|r| + 1e-9.
func peakOf(r []float64) float64 {
	var p float64
	for _, v := range r {
		p = math.Max(p, math.Abs(v))
	}
	return p + 1e-9
}

// active applies the activity gate: 10 log10(sum a^2 / N / peak^2 + 1e-20) >= -50 dB.
func active(a []float64, peak float64) bool {
	var e float64
	for _, v := range a {
		e += v * v
	}
	return 10*math.Log10(e/float64(len(a))/(peak*peak)+1e-20) >= -50
}

func segSNR(r, d []float64) (float64, int) {
	const N = 240
	peak := peakOf(r)
	var sum float64
	var frames int
	for i := 0; i < len(r)-N; i += N {
		a, b := r[i:i+N], d[i:i+N]
		if !active(a, peak) {
			continue
		}
		var sa, se float64
		for k := range a {
			sa += a[k] * a[k]
			e := a[k] - b[k]
			se += e * e
		}
		snr := 10 * math.Log10(sa/(se+1e-9)+1e-12)
		sum += math.Max(-10, math.Min(35, snr))
		frames++
	}
	if frames == 0 {
		return 0, 0
	}
	return sum / float64(frames), frames
}

func lsd(r, d []float64) (float64, int) {
	const N, hop = 256, 80
	const kLo, kHi = 4, 112 // 125 Hz and 3500 Hz at 8000/256 Hz per bin
	peak := peakOf(r)
	fft := fourier.NewFFT(N)
	win := make([]float64, N)
	for k := range win {
		win[k] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(k)/(N-1))
	}
	bufA, bufB := make([]float64, N), make([]float64, N)
	ca, cb := make([]complex128, N/2+1), make([]complex128, N/2+1)
	A, B := make([]float64, N/2+1), make([]float64, N/2+1)
	var sum float64
	var frames int
	for i := 0; i < len(r)-N; i += hop {
		a := r[i : i+N]
		if !active(a, peak) {
			continue
		}
		for k := 0; k < N; k++ {
			bufA[k] = a[k] * win[k]
			bufB[k] = d[i+k] * win[k]
		}
		fft.Coefficients(ca, bufA)
		fft.Coefficients(cb, bufB)
		maxA := math.Inf(-1)
		for k := range A {
			A[k] = 10 * math.Log10(sq(cmplx.Abs(ca[k]))+1e-9)
			B[k] = 10 * math.Log10(sq(cmplx.Abs(cb[k]))+1e-9)
			maxA = math.Max(maxA, A[k])
		}
		floor := maxA - 60
		var se float64
		for k := kLo; k <= kHi; k++ {
			x, y := math.Max(A[k], floor), math.Max(B[k], floor)
			se += (x - y) * (x - y)
		}
		sum += math.Sqrt(se / float64(kHi-kLo+1))
		frames++
	}
	if frames == 0 {
		return 0, 0
	}
	return sum / float64(frames), frames
}

func sq(x float64) float64 { return x * x }
