// Package fixpoint implements the fixed-point basic operators of the TETRA
// speech codec of ETSI EN 300 395-2 V1.3.1 (2005-01), clause 5 and the
// normative C code that accompanies it (tetra_op.c, fbas_tet.c, fexp_tet.c
// and fmat_tet.c).
//
// # Overview
//
// The codec computes with 16-bit (int16, "Word16") and 32-bit (int32,
// "Word32") integers through a small set of saturating operators. A port is
// bit-exact only if it uses the same operators in the same order, so every
// function here reproduces its reference counterpart exactly, including the
// corner cases (saturation at -32768·-32768, shift counts of 15, 16, 31 and
// more, negative shift counts, rounding quirks).
//
// Names follow the standard with Go capitalisation: add → [Add], L_mult →
// [LMult], L_mac0 → [LMac0], etsi_round → [Round], norm_l → [NormL], and so
// on. Shift counts and exponents are int16 as in the reference.
//
// # Overflow flag
//
// The reference keeps a global Overflow flag that a few codec routines
// clear, read and act on (Autocorr, G_Pitch, G_Code and the open-loop pitch
// search of EN 300 395-2). There is no global flag here: the operators that
// can set it have a variant with the suffix O ([LAddO], [LMacO], [LMac0O],
// [LMultO], [LShlO]) that returns the flag beside the result, and the caller
// keeps it. Only the 32-bit operators that those routines use between
// clearing and reading the flag need such a variant.
//
// # Concurrency
//
// The package has no state; every function is safe for concurrent use.
// No function allocates. The operators and the double-precision helpers
// [LExtract], [LComp], [MpyMix], [Mpy32] and [StoreHi] are small enough for
// the compiler to inline; [LShrR], [NormV], [Div32], [InvSqrt], [Log2],
// [Pow2] and [Bin2Int] are not. Where a reference function is a chain of
// saturating operators that provably cannot saturate, it is written as
// plain integer arithmetic, with the argument in its doc comment; the
// known-answer tests and a checksum over 200000 random operand sets, both
// from the reference, cover every function.
package fixpoint
