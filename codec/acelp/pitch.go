package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// inter32P13At is Inter32_1_3 (EN 300 395-2 clause 4, adaptive codebook):
// the excitation x interpolated 1/3 sample after x[i], using x[i-16…i+15].
func inter32P13At(x []int16, i int) int16 {
	xx := x[i-16 : i+16]
	var s int32
	for k, c := range inter32P13 {
		s = fp.LMac0(s, xx[k], c)
	}
	return fp.Round(fp.LAdd(s, s))
}

// inter32M13At is Inter32_M1_3 (EN 300 395-2 clause 4, adaptive codebook):
// the excitation x interpolated 1/3 sample before x[i], using x[i-15…i+16].
func inter32M13At(x []int16, i int) int16 {
	xx := x[i-15 : i+17]
	var s int32
	for k, c := range inter32M13 {
		s = fp.LMac0(s, xx[k], c)
	}
	return fp.Round(fp.LAdd(s, s))
}

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
// pos. Other values of frac leave exc unchanged, as in the reference.
func predLt(exc []int16, pos int, t0, frac int16, l int) {
	d := int(t0)
	switch frac {
	case 0:
		for i := pos; i < pos+l; i++ {
			exc[i] = exc[i-d]
		}
	case 1:
		for i := pos; i < pos+l; i++ {
			exc[i] = inter32P13At(exc, i-d)
		}
	case -1:
		for i := pos; i < pos+l; i++ {
			exc[i] = inter32M13At(exc, i-d)
		}
	}
}
