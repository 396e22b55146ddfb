package acelp

import (
	"math/bits"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// Fast paths for the multiply-accumulate loops of the encoder.
//
// The reference accumulates products with the saturating L_mac0 (a
// saturating 32-bit add after each product), which is several times slower
// than a plain sum. The plain sum gives the same result whenever no partial
// sum leaves the 32-bit range, and these helpers use it only when that is
// proven:
//
//   - A sum of squares never decreases, so the saturating loop from c >= 0
//     returns min(c + Σx², 2^31-1), and it overflows exactly when the plain
//     sum exceeds 2^31-1 ([encEnergy]).
//   - By the Cauchy-Schwarz inequality every partial sum of Σx[i]·y[i] is at
//     most sqrt(Σx²·Σy²) in magnitude. If Σx²·Σy² < 2^60 every partial sum
//     is below 2^30, so no L_add along the loop saturates and the plain sum
//     is exact ([encDotFits]).
//
// Each optimised loop keeps the reference loop as its fallback, and the
// tests compare both on inputs chosen to take either path.

// encEnergy64 is Σ x[i]² in 64 bits, without saturation.
func encEnergy64(x []int16) int64 {
	var s int64
	for _, v := range x {
		s += int64(int32(v) * int32(v))
	}
	return s
}

// encDot64 is Σ x[i]·y[i] in 64 bits, without saturation; y must be at least
// as long as x.
func encDot64(x, y []int16) int64 {
	y = y[:len(x)]
	var s int64
	for i, v := range x {
		s += int64(int32(v) * int32(y[i]))
	}
	return s
}

// encEnergy is the loop s = L_mac0(s, x[i], x[i]) from s = c >= 0: its
// result and whether any step saturated (the reference's Overflow flag).
func encEnergy(c int32, x []int16) (int32, bool) {
	s := int64(c) + encEnergy64(x)
	if s > int64(fp.Max32) {
		return fp.Max32, true
	}
	return int32(s), false
}

// encDotFits reports whether ex·ey < 2^60 for energies ex, ey >= 0: then
// the saturating loop over Σx[i]·y[i], started from |c| < 2^30, never
// saturates.
func encDotFits(ex, ey int64) bool {
	hi, lo := bits.Mul64(uint64(ex), uint64(ey))
	return hi == 0 && lo < 1<<60
}

// encDotSat is the reference loop s = L_mac0(s, x[i], y[i]) from s = c: its
// result and whether any step saturated.
func encDotSat(c int32, x, y []int16) (int32, bool) {
	y = y[:len(x)]
	s, overflow := c, false
	for i, v := range x {
		var o bool
		s, o = fp.LMac0O(s, v, y[i])
		overflow = overflow || o
	}
	return s, overflow
}

// encConvolve is Convolve (EN 300 395-2 clause 4) for the encoder's
// closed-loop pitch search: y[n] = Σ_{i=0…n} x[i]·h[n-i] with h in Q12,
// n = 0…59, stored as StoreHi(·, 4). It is [convolve] with the fast path
// above: every partial sum of output n is bounded by sqrt(Σx²·Σh²).
func encConvolve(x, h, y []int16) {
	const l = SubframeSamples
	x, h, y = x[:l], h[:l], y[:l]
	if !encDotFits(encEnergy64(x), encEnergy64(h)) {
		convolve(x, h, y, l)
		return
	}
	for n := range y {
		var s int32
		hh := h[:n+1]
		for i, v := range x[:n+1] {
			s += int32(v) * int32(hh[n-i])
		}
		y[n] = fp.StoreHi(s, 4)
	}
}
