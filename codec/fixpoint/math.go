package fixpoint

// This file holds the mathematical functions of fmat_tet.c
// (EN 300 395-2 V1.3.1 clause 5) and their tables.

// tabInvSqrt is tab_inv_sqrt of inv_sqrt.tab (EN 300 395-2 V1.3.1 clause 5):
// 1/sqrt(x) in Q15 for x = 0.5 + i/96, i = 0…48 (32767 stands for 1.0).
var tabInvSqrt = [49]int16{
	32767, 31790, 30894, 30070, 29309, 28602, 27945, 27330, 26755, 26214,
	25705, 25225, 24770, 24339, 23930, 23541, 23170, 22817, 22479, 22155,
	21845, 21548, 21263, 20988, 20724, 20470, 20225, 19988, 19760, 19539,
	19326, 19119, 18919, 18725, 18536, 18354, 18176, 18004, 17837, 17674,
	17515, 17361, 17211, 17064, 16921, 16782, 16646, 16514, 16384}

// tabLog2 is tab_log2 of log2.tab (EN 300 395-2 V1.3.1 clause 5):
// log2(1 + i/32) in Q15, i = 0…32 (32767 stands for 1.0).
var tabLog2 = [33]int16{
	0, 1455, 2866, 4236, 5568, 6863, 8124, 9352, 10549, 11716,
	12855, 13967, 15054, 16117, 17156, 18172, 19167, 20142, 21097, 22033,
	22951, 23852, 24735, 25603, 26455, 27291, 28113, 28922, 29716, 30497,
	31266, 32023, 32767}

// tabPow2 is tab_pow2 of pow2.tab (EN 300 395-2 V1.3.1 clause 5):
// 2^(i/32) in Q14, i = 0…32 (32767 stands for 2.0).
var tabPow2 = [33]int16{
	16384, 16743, 17109, 17484, 17867, 18258, 18658, 19066, 19484, 19911,
	20347, 20792, 21247, 21713, 22188, 22674, 23170, 23678, 24196, 24726,
	25268, 25821, 26386, 26964, 27554, 28158, 28774, 29405, 30048, 30706,
	31379, 32066, 32767}

// InvSqrt is inv_sqrt: 1/sqrt(x) by table lookup and linear
// interpolation, for x > 0 in Q0 to Q31 as the reference scales it. x <= 0
// gives 0x3fffffff.
func InvSqrt(x int32) int32 {
	if x <= 0 {
		return 0x3fffffff
	}
	exp := NormL(x)
	x = LShl(x, exp) // normalised
	exp = Sub(30, exp)
	if exp&1 == 0 { // even exponent: shift right
		x = LShr(x, 1)
	}
	exp = Shr(exp, 1)
	exp = Add(exp, 1)
	x = LShr(x, 9)
	i := ExtractH(x) // b25-b31
	x = LShr(x, 1)
	a := ExtractL(x) & 0x7fff // b10-b24
	i = Sub(i, 16)
	y := LDepositH(tabInvSqrt[i])
	tmp := Sub(tabInvSqrt[i], tabInvSqrt[i+1])
	y = LMsu(y, tmp, a)
	return LShr(y, exp)
}

// Log2 is Log2: the base-2 logarithm of x > 0 as an integer exponent and a
// Q15 fraction, by table lookup and linear interpolation. x <= 0 gives 0, 0.
func Log2(x int32) (exponent, fraction int16) {
	if x <= 0 {
		return 0, 0
	}
	exp := NormL(x)
	x = LShl(x, exp) // normalised
	exponent = Sub(30, exp)
	x = LShr(x, 9)
	i := ExtractH(x) // b25-b31
	x = LShr(x, 1)
	a := ExtractL(x) & 0x7fff // b10-b24
	i = Sub(i, 32)
	y := LDepositH(tabLog2[i])
	tmp := Sub(tabLog2[i], tabLog2[i+1])
	y = LMsu(y, tmp, a)
	return exponent, ExtractH(y)
}

// Pow2 is pow2: 2^(exponent + fraction/2^15) for 0 <= exponent <= 30 and a
// Q15 fraction in [0, 32767], by table lookup and linear interpolation.
func Pow2(exponent, fraction int16) int32 {
	x := LShl(LDepositL(fraction), 6)
	i := ExtractH(x) // b10-b16 of fraction
	x = LShr(x, 1)
	a := ExtractL(x) & 0x7fff // b0-b9 of fraction
	x = LDepositH(tabPow2[i])
	tmp := Sub(tabPow2[i], tabPow2[i+1])
	x = LMsu(x, tmp, a)
	exp := Sub(30, exponent)
	return LShrR(x, exp)
}
