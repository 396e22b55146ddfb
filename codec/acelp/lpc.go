package acelp

import (
	"math"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// This file holds the signal-processing routines of sub_dsp.c that the
// decoder needs and the encoder shares (EN 300 395-2 V1.3.1 clause 4). Each
// follows its reference routine operation by operation; the comments give
// the floating-point meaning.

// facPond is Fac_Pond (EN 300 395-2 clause 4, perceptual weighting and noise
// shaping): fac[i] = gamma^(i+1) in Q15 for i = 0…9, each power rounded from
// the previous one.
func facPond(gamma int16, fac *[lpcOrder]int16) {
	fac[0] = gamma
	for i := 1; i < lpcOrder; i++ {
		fac[i] = fp.Round(fp.LMult(fac[i-1], gamma))
	}
}

// pondAi is Pond_Ai (EN 300 395-2 clause 4): the bandwidth-expanded filter
// A(z/γ), aExp[0] = a[0] and aExp[i] = a[i]·fac[i-1] rounded, for
// i = 1…10. a and aExp hold lpcLen coefficients in Q12.
func pondAi(a []int16, fac *[lpcOrder]int16, aExp []int16) {
	_, _ = a[lpcOrder], aExp[lpcOrder]
	aExp[0] = a[0]
	for i := 1; i <= lpcOrder; i++ {
		aExp[i] = fp.Round(fp.LMult(a[i], fac[i-1]))
	}
}

// getLspPol is Get_Lsp_Pol (EN 300 395-2 clause 4, LSP to LPC conversion):
// the coefficients f[0…5] in Q24 of
//
//	F(z) = Π_{i=0…4} (1 - 2·lsp[2i]·z^-1 + z^-2)
//
// from every second LSP lsp[0], lsp[2], …, lsp[8] (cosine domain, Q15).
func getLspPol(lsp []int16, f *[6]int32) {
	f[0] = fp.LoadSh(4096, 12)     // 1.0 in Q24
	f[1] = fp.SubSh(0, lsp[0], 10) // -2·lsp[0] in Q24
	for i, l := 2, 2; i <= 5; i, l = i+1, l+2 {
		f[i] = f[i-2]
		for k := i; k > 1; k-- {
			hi, lo := fp.LExtract(f[k-1])
			t0 := fp.LShl(fp.MpyMix(hi, lo, lsp[l]), 1) // f[k-1]·2·lsp
			f[k] = fp.LAdd(f[k], f[k-2])
			f[k] = fp.LSub(f[k], t0)
		}
		f[1] = fp.SubSh(f[1], lsp[l], 10)
	}
}

// lspAz is Lsp_Az (EN 300 395-2 clause 4, LSP to LPC conversion): the LPC
// coefficients a[0…10] in Q12 (a[0] = 1.0) of the LSPs lsp[0…9] (cosine
// domain, Q15), A(z) = (F1(z)·(1+z^-1) + F2(z)·(1-z^-1)) / 2.
func lspAz(lsp []int16, a []int16) {
	var f1, f2 [6]int32
	getLspPol(lsp[0:], &f1)
	getLspPol(lsp[1:], &f2)
	for i := 5; i > 0; i-- {
		f1[i] = fp.LAdd(f1[i], f1[i-1])
		f2[i] = fp.LSub(f2[i], f2[i-1])
	}
	_ = a[lpcOrder]
	a[0] = 4096
	for i, j := 1, lpcOrder; i <= 5; i, j = i+1, j-1 {
		a[i] = fp.ExtractL(fp.LShrR(fp.LAdd(f1[i], f2[i]), 13)) // Q24 -> Q12, ×0.5
		a[j] = fp.ExtractL(fp.LShrR(fp.LSub(f1[i], f2[i]), 13))
	}
}

// intLpc4 is Int_Lpc4 (EN 300 395-2 clause 4, LSP interpolation): the LPC
// filters of the four subframes, a[11k…11k+10] for subframe k, from the LSPs
// interpolated in the cosine domain with weights (old, new) = (3/4, 1/4),
// (1/2, 1/2), (1/4, 3/4) and (0, 1).
func intLpc4(lspOld, lspNew *[lpcOrder]int16, a *[nSubfr * lpcLen]int16) {
	var lsp [lpcOrder]int16
	facNew, facOld := int16(8192), int16(24576) // 1/4 and 3/4 in Q15
	for j := 0; j < 33; j += lpcLen {
		for i := range lsp {
			t0 := fp.LMult(lspOld[i], facOld)
			t0 = fp.LMac(t0, lspNew[i], facNew)
			lsp[i] = fp.ExtractH(t0)
		}
		lspAz(lsp[:], a[j:j+lpcLen])
		facOld = fp.Sub(facOld, 8192)
		facNew = fp.Add(facNew, 8192)
	}
	lspAz(lspNew[:], a[33:33+lpcLen])
}

// synFilt is Syn_Filt (EN 300 395-2 clause 4, synthesis filter): y = x
// filtered by 1/A(z) over lg samples (lg <= 70), with a[0…10] in Q12 and
// the filter memory mem[0…9] (the last 10 outputs, oldest first). If update
// is set, mem receives the last 10 outputs. y may be x; mem is read before
// anything is written.
//
//	y[n] = round(x[n] - Σ_{j=1…10} a[j]·y[n-j] / 4096)
func synFilt(a, x, y []int16, lg int, mem []int16, update bool) {
	var tmp [80]int16
	copy(tmp[:lpcOrder], mem[:lpcOrder])
	_ = a[lpcOrder]
	x = x[:lg]
	if synFiltNoSat(a, x) {
		// Fast path: no partial sum can leave the 32-bit range, so plain
		// int32 arithmetic equals the saturating operators.
		a1, a2, a3, a4, a5 := int32(a[1]), int32(a[2]), int32(a[3]), int32(a[4]), int32(a[5])
		a6, a7, a8, a9, a10 := int32(a[6]), int32(a[7]), int32(a[8]), int32(a[9]), int32(a[10])
		for i, xi := range x {
			yy := tmp[i : i+lpcOrder : i+lpcOrder]
			s := int32(xi) << 12
			s -= a1*int32(yy[9]) + a2*int32(yy[8]) + a3*int32(yy[7]) + a4*int32(yy[6]) + a5*int32(yy[5])
			s -= a6*int32(yy[4]) + a7*int32(yy[3]) + a8*int32(yy[2]) + a9*int32(yy[1]) + a10*int32(yy[0])
			s = fp.AddSh(s, 1, 11) // rounding
			tmp[i+lpcOrder] = fp.ExtractH(fp.LShl(s, 4))
		}
	} else {
		for i, xi := range x {
			s := fp.LoadSh(xi, 12) // a[] is in Q12
			yy := tmp[i : i+lpcOrder]
			for j := 1; j <= lpcOrder; j++ {
				s = fp.LMsu0(s, a[j], yy[lpcOrder-j])
			}
			s = fp.AddSh(s, 1, 11) // rounding
			tmp[i+lpcOrder] = fp.ExtractH(fp.LShl(s, 4))
		}
	}
	copy(y[:lg], tmp[lpcOrder:lpcOrder+lg])
	if update {
		copy(mem[:lpcOrder], y[lg-lpcOrder:lg])
	}
}

// synFiltNoSat reports whether the accumulations of synFilt with filter a
// and input x are certain not to saturate: every partial sum is bounded by
// max|x|·2^12 + Σ|a[j]|·2^15, since the outputs are 16-bit.
func synFiltNoSat(a, x []int16) bool {
	var sa int64
	for _, v := range a[1 : lpcOrder+1] {
		sa += abs64(v)
	}
	return maxAbs(x)<<12+sa<<15 <= math.MaxInt32
}

// maxAbs returns max |x[i]| (0 for an empty x), with |-32768| = 32768.
func maxAbs(x []int16) int64 {
	var m int64
	for _, v := range x {
		if a := abs64(v); a > m {
			m = a
		}
	}
	return m
}

func abs64(v int16) int64 {
	if v < 0 {
		return -int64(v)
	}
	return int64(v)
}

// residu is Residu (EN 300 395-2 clause 4, LP residual): y = x filtered by
// A(z) over lg samples, a[0…10] in Q12. The input sample n is
// x[lpcOrder+n]; x[0…9] are the 10 samples before the first one.
//
//	y[n] = round(Σ_{j=0…10} a[j]·x[n-j] / 4096)
func residu(a, x, y []int16, lg int) {
	_ = a[lpcOrder]
	for i := 0; i < lg; i++ {
		xx := x[i : i+lpcLen] // xx[lpcOrder] is sample i
		s := fp.LoadSh(xx[lpcOrder], 12)
		for j := 1; j <= lpcOrder; j++ {
			s = fp.LMac0(s, a[j], xx[lpcOrder-j])
		}
		s = fp.AddSh(s, 1, 11) // rounding
		s = fp.LShl(s, 4)      // saturation
		y[i] = fp.ExtractH(s)
	}
}

// convolve is Convolve (EN 300 395-2 clause 4): y[n] = Σ_{i=0…n} x[i]·h[n-i]
// for n = 0…l-1, with h in Q12.
func convolve(x, h, y []int16, l int) {
	for n := 0; n < l; n++ {
		var s int32
		for i := 0; i <= n; i++ {
			s = fp.LMac0(s, x[i], h[n-i])
		}
		y[n] = fp.StoreHi(s, 4) // h is in Q12
	}
}

// lpcGain is Lpc_Gain (EN 300 395-2 clause 4, quantization of the gains):
// the energy of the first 60 samples of the impulse response of 1/A(z), the
// response in Q10, so the energy is in Q20.
func lpcGain(a []int16) int32 {
	const llg = 60
	var h [llg]int16
	var mem [lpcOrder]int16
	h[0] = 1024 // 1.0 in Q10
	synFilt(a, h[:], h[:], llg, mem[:], false)
	var ener int32
	for _, v := range h {
		ener = fp.LMac0(ener, v, v)
	}
	return ener
}
