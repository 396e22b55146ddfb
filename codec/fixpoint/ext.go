package fixpoint

// This file holds the TETRA-specific basic functions of fbas_tet.c and the
// extended-precision functions of fexp_tet.c (EN 300 395-2 V1.3.1 clause 5).

// pow2neg is POW2 of fbas_tet.c: -2^shift for shift 0…15.
var pow2neg = [16]int16{-1, -2, -4, -8, -16, -32, -64, -128, -256, -512,
	-1024, -2048, -4096, -8192, -16384, -32768}

// AddSh is add_sh: x + a·2^shift (0 <= shift <= 15), computed as
// LMsu0(x, a, -2^shift) with 32-bit saturation.
func AddSh(x int32, a, shift int16) int32 { return LMsu0(x, a, pow2neg[shift]) }

// AddSh16 is add_sh16: x + a·2^16, computed as LMsu(x, a, -32768).
func AddSh16(x int32, a int16) int32 { return LMsu(x, a, Min16) }

// SubSh is sub_sh: x - a·2^shift (0 <= shift <= 15), computed as
// LMac0(x, a, -2^shift).
func SubSh(x int32, a, shift int16) int32 { return LMac0(x, a, pow2neg[shift]) }

// SubSh16 is sub_sh16: x - a·2^16, computed as LMac(x, a, -32768).
func SubSh16(x int32, a int16) int32 { return LMac(x, a, Min16) }

// LoadSh is Load_sh: a·2^shift (0 <= shift <= 15) as a 32-bit value.
func LoadSh(a, shift int16) int32 { return LMsu0(0, a, pow2neg[shift]) }

// LoadSh16 is Load_sh16: a·2^16, computed as LMsu(0, a, -32768).
func LoadSh16(a int16) int32 { return LMsu(0, a, Min16) }

// StoreHi is store_hi: ExtractL(LShr(x, 16-shift)) for 0 <= shift <= 7
// (the reference indexes an 8-entry table with shift).
func StoreHi(x int32, shift int16) int16 { return int16(x >> uint8(16-shift)) }

// NormV is norm_v: x normalised as by [NormL] but shifted left by at most
// maxShift; it returns the shifted value and the shift used.
func NormV(x int32, maxShift int16) (int32, int16) {
	shift := NormL(x)
	if Sub(shift, maxShift) > 0 {
		shift = maxShift
	}
	return LShl(x, shift), shift
}

// Bin2Int is bin2int: the first n unpacked bits of b (0/1, MSB first) as
// an integer. Only the value 1 counts as a one, as in the reference.
func Bin2Int(n int16, b []int16) int16 {
	var v int16
	for _, bit := range b[:n] {
		v = Shl(v, 1)
		if bit == 1 {
			v++
		}
	}
	return v
}

// Int2Bin is int2bin: the low n bits of v into b[:n] as 0/1, MSB first.
func Int2Bin(v, n int16, b []int16) {
	for i := n - 1; i >= 0; i-- {
		b[i] = v & 1
		v >>= 1
	}
}

// LComp is L_comp: the 32-bit value hi·2^16 + lo·2 of a double-precision
// pair (hi, lo), as produced by [LExtract].
//
// The reference computes AddSh(LoadSh(lo, 0), hi, 15); that sum of
// magnitude below 2^30 + 2^15 never saturates, so it is written out plainly.
func LComp(hi, lo int16) int32 { return int32(hi)<<15 + int32(lo) }

// LExtract is L_extract: splits x into hi = x >> 16 and lo = (x - hi·2^16)
// >> 1, the double-precision format of EN 300 395-2 (x = hi·2^16 + lo·2).
//
// The reference computes hi = ExtractH(LShl(x, 1)), which is x >> 15
// clamped to 16 bits, and lo = ExtractL(SubSh(x, hi, 15)), whose 32-bit
// difference never saturates; both are written out plainly.
func LExtract(x int32) (hi, lo int16) {
	h := min(max(x>>15, int32(Min16)), int32(Max16))
	return int16(h), int16(x - h<<15)
}

// MpyMix is mpy_mix: the product of the double-precision (hi1, lo1) by the
// 16-bit lo2, a 32-bit result.
//
// The reference's AddSh(hi1·lo2, p1, 1) adds at most 2^16 to a product of
// magnitude at most 2^30, so it never saturates and is written out plainly.
func MpyMix(hi1, lo1, lo2 int16) int32 {
	p1 := int16((int32(lo1) * int32(lo2)) >> 16)
	return int32(hi1)*int32(lo2) + 2*int32(p1)
}

// Mpy32 is mpy_32: the product of two double-precision numbers (hi1, lo1)
// and (hi2, lo2), a 32-bit result.
//
// As in [MpyMix], the reference's two AddSh steps (at most 2^16 each, on a
// product of magnitude at most 2^30) never saturate.
func Mpy32(hi1, lo1, hi2, lo2 int16) int32 {
	p1 := int16((int32(hi1) * int32(lo2)) >> 16)
	p2 := int16((int32(lo1) * int32(hi2)) >> 16)
	return int32(hi1)*int32(hi2) + 2*int32(p1) + 2*int32(p2)
}

// Div32 is div_32: the fractional quotient num / denom of a 32-bit
// numerator by a double-precision denominator (denomHi, denomLo), for
// 0 <= num <= denom with denom normalised (denomHi >= 0x4000, assumed and
// not checked, as in the reference). It takes one Newton-Raphson step on
// 1/denomHi, then multiplies, exactly as the reference does.
func Div32(num int32, denomHi, denomLo int16) int32 {
	approx := DivS(0x3fff, denomHi) // 1/denomHi in Q15
	t := MpyMix(denomHi, denomLo, approx)
	t = LSub(0x40000000, t) // 2 - denom·approx, Q29
	hi, lo := LExtract(t)
	t = MpyMix(hi, lo, approx) // 1/denom in Q28
	hi, lo = LExtract(t)
	nHi, nLo := LExtract(num)
	t = Mpy32(nHi, nLo, hi, lo)
	return LShl(t, 2) // Q28 to Q30
}
