package fixpoint

import "math/bits"

// Saturation limits of EN 300 395-2 (MAX_16, MIN_16, MAX_32, MIN_32 of source.h).
const (
	Max16 int16 = 0x7fff
	Min16 int16 = -0x8000
	Max32 int32 = 0x7fffffff
	Min32 int32 = -0x80000000
)

// Sat16 is sature of tetra_op.c (EN 300 395-2 clause 5): x clamped to
// [-32768, 32767].
func Sat16(x int32) int16 {
	if x > int32(Max16) {
		return Max16
	}
	if x < int32(Min16) {
		return Min16
	}
	return int16(x)
}

// Add is add: sat16(a + b).
func Add(a, b int16) int16 { return Sat16(int32(a) + int32(b)) }

// Sub is sub: sat16(a - b).
func Sub(a, b int16) int16 { return Sat16(int32(a) - int32(b)) }

// Abs is abs_s: |a|, with Abs(-32768) = 32767.
func Abs(a int16) int16 {
	if a == Min16 {
		return Max16
	}
	if a < 0 {
		return -a
	}
	return a
}

// Negate is negate: -a, with Negate(-32768) = 32767.
func Negate(a int16) int16 {
	if a == Min16 {
		return Max16
	}
	return -a
}

// Mult is mult: sat16((a·b) >> 15), the Q15 product. Only a = b = -32768
// saturates.
func Mult(a, b int16) int16 { return Sat16((int32(a) * int32(b)) >> 15) }

// MultR is mult_r: sat16((a·b + 0x4000) >> 15), the rounded Q15 product.
func MultR(a, b int16) int16 { return Sat16((int32(a)*int32(b) + 0x4000) >> 15) }

// LMult is L_mult: sat32(2·a·b). Only a = b = -32768 saturates, to 0x7fffffff.
func LMult(a, b int16) int32 {
	p := int32(a) * int32(b)
	if p == 0x40000000 {
		return Max32
	}
	return p * 2
}

// LMultO is [LMult] that also reports whether it saturated (set Overflow).
func LMultO(a, b int16) (int32, bool) {
	p := int32(a) * int32(b)
	if p == 0x40000000 {
		return Max32, true
	}
	return p * 2, false
}

// LMult0 is L_mult0: a·b without the left shift (never saturates).
func LMult0(a, b int16) int32 { return int32(a) * int32(b) }

// LAdd is L_add: sat32(x + y).
func LAdd(x, y int32) int32 {
	s := x + y
	if (x^y) >= 0 && (s^x) < 0 {
		if x < 0 {
			return Min32
		}
		return Max32
	}
	return s
}

// LAddO is [LAdd] that also reports whether it saturated (set Overflow).
func LAddO(x, y int32) (int32, bool) {
	s := x + y
	if (x^y) >= 0 && (s^x) < 0 {
		if x < 0 {
			return Min32, true
		}
		return Max32, true
	}
	return s, false
}

// LSub is L_sub: sat32(x - y).
func LSub(x, y int32) int32 {
	d := x - y
	if (x^y) < 0 && (d^x) < 0 {
		if x < 0 {
			return Min32
		}
		return Max32
	}
	return d
}

// LAbs is L_abs: |x|, with LAbs(-2^31) = 2^31 - 1.
func LAbs(x int32) int32 {
	if x == Min32 {
		return Max32
	}
	if x < 0 {
		return -x
	}
	return x
}

// LNegate is L_negate: -x, with LNegate(-2^31) = 2^31 - 1.
func LNegate(x int32) int32 {
	if x == Min32 {
		return Max32
	}
	return -x
}

// LMac is L_mac: LAdd(acc, LMult(a, b)), saturating at both steps.
func LMac(acc int32, a, b int16) int32 { return LAdd(acc, LMult(a, b)) }

// LMacO is [LMac] that also reports whether either step saturated.
func LMacO(acc int32, a, b int16) (int32, bool) {
	p, o1 := LMultO(a, b)
	s, o2 := LAddO(acc, p)
	return s, o1 || o2
}

// LMsu is L_msu: LSub(acc, LMult(a, b)).
func LMsu(acc int32, a, b int16) int32 { return LSub(acc, LMult(a, b)) }

// LMac0 is L_mac0: LAdd(acc, a·b).
func LMac0(acc int32, a, b int16) int32 { return LAdd(acc, int32(a)*int32(b)) }

// LMac0O is [LMac0] that also reports whether it saturated.
func LMac0O(acc int32, a, b int16) (int32, bool) { return LAddO(acc, int32(a)*int32(b)) }

// LMsu0 is L_msu0: LSub(acc, a·b).
func LMsu0(acc int32, a, b int16) int32 { return LSub(acc, int32(a)*int32(b)) }

// Shl is shl: a·2^n saturated to 16 bits; a negative n shifts right by -n
// as [Shr] does. A non-zero a with n > 15 saturates.
func Shl(a, n int16) int16 {
	if n < 0 {
		return shr(a, -int32(n))
	}
	return shl(a, int32(n))
}

// Shr is shr: the arithmetic right shift a >> n; n >= 15 gives -1 or 0. A
// negative n shifts left by -n with saturation as [Shl] does.
func Shr(a, n int16) int16 {
	if n < 0 {
		return shl(a, -int32(n))
	}
	return shr(a, int32(n))
}

func shl(a int16, n int32) int16 {
	if n > 15 {
		if a == 0 {
			return 0
		}
	} else if r := int32(a) << n; r == int32(int16(r)) {
		return int16(r)
	}
	if a > 0 {
		return Max16
	}
	return Min16
}

func shr(a int16, n int32) int16 {
	if n >= 15 {
		return a >> 15
	}
	return a >> n
}

// LShl is L_shl: x·2^n saturated to 32 bits; n <= 0 shifts right by -n as
// [LShr] does.
func LShl(x int32, n int16) int32 {
	if n <= 0 {
		return lshr(x, -int32(n))
	}
	r, _ := lshl(x, int32(n))
	return r
}

// LShlO is [LShl] that also reports whether it saturated.
func LShlO(x int32, n int16) (int32, bool) {
	if n <= 0 {
		return lshr(x, -int32(n)), false
	}
	return lshl(x, int32(n))
}

// LShr is L_shr: the arithmetic right shift x >> n; n >= 31 gives -1 or 0.
// A negative n shifts left by -n with saturation as [LShl] does.
func LShr(x int32, n int16) int32 {
	if n < 0 {
		r, _ := lshl(x, -int32(n))
		return r
	}
	return lshr(x, int32(n))
}

func lshl(x int32, n int32) (int32, bool) {
	if x == 0 {
		return 0, false
	}
	if n < 32 {
		if r := int64(x) << n; r == int64(int32(r)) {
			return int32(r), false
		}
	}
	if x > 0 {
		return Max32, true
	}
	return Min32, true
}

func lshr(x int32, n int32) int32 {
	if n >= 31 {
		return x >> 31
	}
	return x >> n
}

// LShrR is L_shr_r: [LShr] rounded by adding bit n-1 of x. As in the
// reference, n > 31 gives 0 whatever the sign of x.
func LShrR(x int32, n int16) int32 {
	if n > 31 {
		return 0
	}
	r := LShr(x, n)
	if n > 0 && x&(1<<(n-1)) != 0 {
		r++
	}
	return r
}

// Round is etsi_round: ExtractH(LAdd(x, 0x8000)), the upper 16 bits
// rounded, saturating near 2^31.
func Round(x int32) int16 { return int16(LAdd(x, 0x8000) >> 16) }

// ExtractH is extract_h: the upper 16 bits of x.
func ExtractH(x int32) int16 { return int16(x >> 16) }

// ExtractL is extract_l: the lower 16 bits of x.
func ExtractL(x int32) int16 { return int16(x) }

// LDepositH is L_deposit_h: a << 16.
func LDepositH(a int16) int32 { return int32(a) << 16 }

// LDepositL is L_deposit_l: a sign-extended to 32 bits.
func LDepositL(a int16) int32 { return int32(a) }

// NormS is norm_s: the left shift that brings a into [0x4000, 0x7fff], or
// [-0x8000, -0x4001] for a < 0. NormS(0) = 0 and NormS(-1) = 15.
func NormS(a int16) int16 {
	if a == 0 {
		return 0
	}
	if a < 0 {
		a = ^a // -1 becomes 0: 15 below, as in the reference
	}
	return int16(bits.LeadingZeros16(uint16(a))) - 1
}

// NormL is norm_l: the left shift that brings x into [0x40000000,
// 0x7fffffff], or the matching negative range. NormL(0) = 0 and
// NormL(-1) = 31.
func NormL(x int32) int16 {
	if x == 0 {
		return 0
	}
	if x < 0 {
		x = ^x
	}
	return int16(bits.LeadingZeros32(uint32(x))) - 1
}

// DivS is div_s: the Q15 quotient a/b truncated, for 0 <= a <= b and b > 0;
// a = b gives 32767. The reference aborts the program on other inputs; DivS
// panics, which only a bug in its caller can cause.
func DivS(a, b int16) int16 {
	if a > b || a < 0 || b <= 0 {
		panic("fixpoint: DivS: operands out of range")
	}
	if a == 0 {
		return 0
	}
	if a == b {
		return Max16
	}
	// The reference's 15 restoring-division steps compute exactly
	// floor(a·2^15 / b) for 0 < a < b.
	return int16((int32(a) << 15) / int32(b))
}
