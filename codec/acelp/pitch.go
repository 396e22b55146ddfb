package acelp

import (
	"math"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// inter8P13At is Inter8_1_3 (EN 300 395-2 clause 4, closed-loop pitch
// search): the normalised correlation corr interpolated 1/3 after corr[i],
// using corr[i-3…i+4], in 32 bits.
func inter8P13At(corr []int16, i int) int32 {
	xx := corr[i-3 : i+5]
	var s int32
	for k, c := range inter8P13 {
		s = fp.LMac0(s, xx[k], c)
	}
	return s
}

// inter8M13At is Inter8_M1_3 (EN 300 395-2 clause 4, closed-loop pitch
// search): the normalised correlation corr interpolated 1/3 before corr[i],
// using corr[i-4…i+3], in 32 bits.
func inter8M13At(corr []int16, i int) int32 {
	xx := corr[i-4 : i+4]
	var s int32
	for k, c := range inter8M13 {
		s = fp.LMac0(s, xx[k], c)
	}
	return s
}

// predLt is Pred_Lt (EN 300 395-2 clause 4, adaptive codebook): the
// adaptive-codebook vector exc[pos…pos+l-1] = the past excitation delayed by
// t0 + frac/3 samples, frac in {-1, 0, 1}, computed in place so that lags
// shorter than l repeat the new samples. exc must hold t0+16 samples before
// pos, and t0 >= 19. Other values of frac leave exc unchanged, as in the
// reference.
func predLt(exc []int16, pos int, t0, frac int16, l int) {
	d := int(t0)
	var coef *[32]int16
	var off int // the filter reads x[i-off…i-off+31]
	switch frac {
	case 0:
		for i := pos; i < pos+l; i++ {
			exc[i] = exc[i-d]
		}
		return
	case 1:
		coef, off = &inter32P13, 16
	case -1:
		coef, off = &inter32M13, 15
	default:
		return
	}
	// Sample i reads exc[i-d-off…i-d-off+31], all before i since d >= 19:
	// the old excitation and the samples already computed. While every
	// sample read is at most inter32NoSat in magnitude, no partial sum of
	// the filter can leave the 32-bit range, and plain int32 arithmetic
	// equals the saturating L_mac0 chain of Inter32_*.
	m := maxAbs(exc[pos-d-off : pos])
	for i := pos; i < pos+l; i++ {
		w := (*[32]int16)(exc[i-d-off:])
		var s int32
		if m <= inter32NoSat {
			for k, c := range coef {
				s += int32(w[k]) * int32(c)
			}
		} else {
			for k, c := range coef {
				s = fp.LMac0(s, w[k], c)
			}
		}
		v := fp.Round(fp.LAdd(s, s))
		exc[i] = v
		if a := abs64(v); a > m {
			m = a
		}
	}
}

// inter32NoSat is the largest sample magnitude for which no partial sum of
// Inter32_1_3 or Inter32_M1_3 can saturate: (2^31-1) / Σ|coef|, with
// Σ|coef| = 76585 for both filters.
const inter32NoSat = math.MaxInt32 / 76585

// pitchRange returns the lag range [t0Min, t0Max] of subframes 2-4, ten
// integer lags from t0 − 5 kept inside [pitMin, pitMax], around the integer
// lag t0 of the first subframe (EN 300 395-2 clause 4, adaptive codebook;
// the encoder's search range and the decoder's lag decoding share it).
func pitchRange(t0 int16) (t0Min, t0Max int16) {
	t0Min = fp.Sub(t0, 5)
	if t0Min < pitMin {
		t0Min = pitMin
	}
	t0Max = fp.Add(t0Min, 9)
	if t0Max > pitMax {
		t0Max = pitMax
		t0Min = fp.Sub(t0Max, 9)
	}
	return t0Min, t0Max
}
