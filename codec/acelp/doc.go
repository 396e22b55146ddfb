// Package acelp implements the TETRA full-rate speech codec of ETSI
// EN 300 395-2 V1.3.1 (2005-01), "Speech codec for full-rate traffic
// channel; Part 2: TETRA codec": an algebraic-code-excited linear-prediction
// (ACELP) coder that turns 30 ms of 8 kHz speech (240 samples) into a frame
// of 137 bits (4567 bit/s), and back.
//
// # Overview
//
// The codec is defined bit for bit by the fixed-point C code that is part of
// the standard. This package is a Go port of that definition: every routine
// uses the basic operators of package fixpoint in the order of the
// reference, so that its output is identical to the reference codec's for
// every input. The names of the reference routines are given in each doc
// comment (Decod_Tetra, D_Lsp334, Syn_Filt, ...) because they are the exact
// anchors in the standard; the functional description of the codec is
// clause 4 of EN 300 395-2.
//
//	Decoder: 137 bits + BFI -> parameters (Bits2prm_Tetra)
//	         -> LSPs (D_Lsp334) -> 4 interpolated A(z) (Int_Lpc4, Lsp_Az)
//	         -> per 60-sample subframe: adaptive codebook (Pred_Lt),
//	            algebraic code filtered by F(z) (D_D4i60), gains (Dec_Ener),
//	            synthesis 1/A(z) (Syn_Filt)
//	         -> post-processing x2 (Post_Process) -> 240 samples
//
// The encoder ([Encoder], Coder_Tetra) is in the enc_*.go files of this
// package.
//
// # Frame layout
//
// A frame is 137 unpacked bits (one per byte, 0 or 1), first transmitted
// bit first, as in the reference serial files (a .ser frame is the BFI word
// followed by these 137 bits). It carries 23 parameters, each MSB first:
//
//	bits (1-based)   parameter
//	1-8              LSP split-VQ index 1 (LSPs 1-3, 256 vectors)
//	9-17             LSP split-VQ index 2 (LSPs 4-6, 512 vectors)
//	18-26            LSP split-VQ index 3 (LSPs 7-10, 512 vectors)
//	27-34            subframe 1: pitch lag (8 bits, absolute)
//	35-48            subframe 1: pulse positions of the algebraic code (14)
//	49, 50           subframe 1: global sign, shift by one sample (1 + 1)
//	51-56            subframe 1: joint pitch/code energy VQ index (6)
//	57-83            subframe 2: pitch lag (5 bits, relative), then 14+1+1+6
//	84-110           subframe 3, as subframe 2
//	111-137          subframe 4, as subframe 2
//
// # Bad frames
//
// A frame received with its bad-frame indicator (BFI) set is concealed as
// the reference does: the LSPs of the last frame are repeated, the pitch
// lag of the last frame is reused, the other parameters of the last good
// frame are reused, and the pitch and code energies decay by 0.5 (log2
// domain) per subframe.
//
// # Invariants
//
//   - No package-level mutable state: all state lives in [Decoder] and
//     [Encoder]. Tables are package-level variables that are never
//     written.
//   - Decoding allocates nothing.
//   - Any 137 bytes and any BFI pattern decode without panicking into 240
//     samples.
//
// # Speed
//
// Where a routine's accumulations provably cannot saturate (a bound from
// the coefficient sums and the largest input sample, checked per call), it
// uses plain int32 arithmetic, which then equals the saturating operators;
// otherwise it runs the operator chain of the reference. The tests compare
// each such routine with its reference loop on inputs up to full scale.
//
// # Map from the reference code to files
//
//	tables.go      ener_qua.tab, grid.tab, lag_wind.tab, window.tab, the
//	               interpolation filters of Inter8_* and Inter32_*
//	lsp_tables.go  clsp_334.tab
//	frame.go       Bits2prm_Tetra, the frame layout
//	lpc.go         sub_dsp.c: Fac_Pond, Pond_Ai, Get_Lsp_Pol, Lsp_Az,
//	               Int_Lpc4, Syn_Filt, Residu, Convolve, Lpc_Gain
//	pitch.go       Pred_Lt with Inter32_1_3 and Inter32_M1_3, Inter8_1_3,
//	               Inter8_M1_3
//	decoder.go     sdec_tet.c (Init_Decod_Tetra, Decod_Tetra), D_Lsp334,
//	               D_D4i60, Dec_Ener, Post_Process
//	gains.go       the steps Ener_Qua and Dec_Ener share (energies,
//	               prediction, quantized energies, gains)
//	enc_*.go       scod_tet.c and the encoder routines of sub_sc_d.c and
//	               sub_dsp.c
//
// The basic operators (tetra_op.c, fbas_tet.c, fexp_tet.c, fmat_tet.c with
// inv_sqrt.tab, log2.tab and pow2.tab) are in package fixpoint.
package acelp

// Frame geometry of EN 300 395-2 clause 4.
const (
	// SampleRateHz is the sampling rate of the codec's PCM [Hz].
	SampleRateHz = 8000
	// FrameSamples is the number of 16-bit PCM samples in one 30 ms frame
	// (L_frame).
	FrameSamples = 240
	// SubframeSamples is the length of one of the four subframes (L_subfr).
	SubframeSamples = 60
	// FrameBits is the number of coded bits in one frame.
	FrameBits = 137
	// NumParams is the number of coded parameters in one frame (PRM_NO).
	NumParams = 23
)

// Internal dimensions of the reference code.
const (
	lpcOrder = 10  // p, pp: order of the LPC filter
	lpcLen   = 11  // pp1: lpcOrder+1 coefficients, a[0] = 1.0 in Q12
	pitMin   = 20  // minimum pitch lag
	pitMax   = 143 // maximum pitch lag
	lInter   = 15  // length of the interpolation filter history (L_inter)
	nSubfr   = FrameSamples / SubframeSamples
)
