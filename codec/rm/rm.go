// Package rm implements the (30,14) Reed–Muller code of ETSI EN 300 392-2 V3.2.1
// (2007-09), clause 8.2.3.2, which protects the 14-bit ACCESS-ASSIGN PDU of the
// AACH. The code is systematic (14 information bits followed by 16 parity bits)
// and has minimum distance 8: every pattern of up to 3 errors is corrected, and
// 4 errors can leave the received word equidistant from two codewords.
//
// The decoder is maximum likelihood over all 2¹⁴ codewords on soft bits (int8,
// positive meaning 0). All functions are pure and safe for concurrent use; none
// allocates.
package rm

import "math/bits"

// Code sizes.
const (
	InfoBits     = 14
	CodewordBits = 30
	MinDistance  = 8
)

// parityRows holds row r = 1…14 of the parity matrix P of EN 300 392-2 clause
// 8.2.3.2 (generator matrix [I₁₄ | P]), parity bit 1 in bit 15.
var parityRows = [InfoBits]uint16{
	0b1001101101100000, // 1
	0b0010110111100000, // 2
	0b1111110000100000, // 3
	0b1110000000111100, // 4
	0b1001100000111010, // 5
	0b0101010000110110, // 6
	0b0010110000101110, // 7
	0b1111111111011111, // 8
	0b1000001100111001, // 9
	0b0100001010110101, // 10
	0b0010000110101101, // 11
	0b0001001001110011, // 12
	0b0000100101101011, // 13
	0b0000010011100111, // 14
}

// Parity returns the 16 parity bits of the 14-bit information word info (bit 13
// = information bit 1, the first transmitted): EN 300 392-2 clause 8.2.3.2.
func Parity(info uint16) uint16 {
	var p uint16
	for r := 0; r < InfoBits; r++ {
		if info>>(InfoBits-1-r)&1 != 0 {
			p ^= parityRows[r]
		}
	}
	return p
}

// Encode returns the 30-bit codeword of info (14 bits, higher bits ignored):
// info ‖ parity, first transmitted bit in bit 29. EN 300 392-2 clause 8.2.3.2.
func Encode(info uint16) uint32 {
	info &= 1<<InfoBits - 1
	return uint32(info)<<16 | uint32(Parity(info))
}

// EncodeBits writes the 30 codeword bits of the 14 unpacked information bits
// info into dst and returns dst[:30]. It panics if info has fewer than 14 bits
// or dst fewer than 30.
func EncodeBits(dst, info []byte) []byte {
	var v uint16
	for _, b := range info[:InfoBits] {
		v = v<<1 | uint16(b&1)
	}
	c := Encode(v)
	dst = dst[:CodewordBits]
	for i := range dst {
		dst[i] = byte(c>>(CodewordBits-1-i)) & 1
	}
	return dst
}

// DecodeSoft returns the information word of the codeword with the highest
// correlation Σ (1 − 2c_i)·s_i with the 30 soft bits s (maximum likelihood on
// an AWGN channel; on hard ±127 input, the nearest codeword in Hamming
// distance), and dist, the Hamming distance between the hard decisions of s
// (s_i < 0 means 1, 0 counts as 0) and that codeword. dist ≤ 3 means the word
// was inside the decoding radius, so the result is unique; dist ≥ 4 means it
// may be a wrong codeword. Ties go to the smaller information word. It panics
// if len(s) < 30.
//
// Reference loop: for info in 0…16383, corr = Σ_i (c_i ? −s_i : s_i). The
// implementation splits the correlation into four table lookups (7 + 7
// information bits, 8 + 8 parity bits) per candidate.
func DecodeSoft(s []int8) (info uint16, dist int) {
	s = s[:CodewordBits]
	// Fast path: if the hard decisions form a codeword and no bit is an
	// erasure, that codeword has the largest possible correlation Σ|s_i| and
	// every other codeword is strictly worse, so it is the ML decision.
	var hard uint32
	erasure := false
	for _, v := range s {
		hard <<= 1
		if v < 0 {
			hard |= 1
		}
		erasure = erasure || v == 0
	}
	if !erasure {
		if h := uint16(hard >> 16); Encode(h) == hard {
			return h, 0
		}
	}
	// Partial correlations: t[mask] = Σ over the group of (bit set ? −s : s).
	var ia, ib [128]int32
	var pa, pb [256]int32
	fill7 := func(t *[128]int32, g []int8) {
		var base int32
		for _, v := range g {
			base += int32(v)
		}
		t[0] = base
		for m := 1; m < 128; m++ {
			low := bits.TrailingZeros(uint(m))
			t[m] = t[m&(m-1)] - 2*int32(g[6-low])
		}
	}
	fill8 := func(t *[256]int32, g []int8) {
		var base int32
		for _, v := range g {
			base += int32(v)
		}
		t[0] = base
		for m := 1; m < 256; m++ {
			low := bits.TrailingZeros(uint(m))
			t[m] = t[m&(m-1)] - 2*int32(g[7-low])
		}
	}
	fill7(&ia, s[0:7])
	fill7(&ib, s[7:14])
	fill8(&pa, s[14:22])
	fill8(&pb, s[22:30])
	best := int32(-1 << 30)
	for hi := uint16(0); hi < 128; hi++ {
		phi := Parity(hi << 7)
		chi := ia[hi]
		for lo := uint16(0); lo < 128; lo++ {
			p := phi ^ parityLow[lo]
			c := chi + ib[lo] + pa[p>>8] + pb[p&0xFF]
			if c > best {
				best = c
				info = hi<<7 | lo
			}
		}
	}
	cw := Encode(info)
	for i, v := range s {
		hard := uint32(0)
		if v < 0 {
			hard = 1
		}
		if hard != cw>>(CodewordBits-1-i)&1 {
			dist++
		}
	}
	return info, dist
}

// parityLow[lo] = Parity(lo) for the 7 low information bits (rows 8…14).
var parityLow = func() (t [128]uint16) {
	for lo := range t {
		t[lo] = Parity(uint16(lo))
	}
	return t
}()

// DecodeBits decodes 30 soft bits like [DecodeSoft] and writes the 14
// information bits into dst, returning dst[:14] and dist.
func DecodeBits(dst []byte, s []int8) ([]byte, int) {
	info, dist := DecodeSoft(s)
	dst = dst[:InfoBits]
	for i := range dst {
		dst[i] = byte(info>>(InfoBits-1-i)) & 1
	}
	return dst, dist
}
