// Package scramble implements the scrambling of ETSI EN 300 392-2 V3.2.1
// (2007-09), clause 8.2.5: type-4 bits are XORed with a linear feedback
// sequence whose 30-bit initial state is the extended colour code
// (MCC ‖ MNC ‖ colour code). The sequence restarts for every block (BKN1, BKN2,
// BB, SB1 are scrambled separately).
//
// All functions are pure and safe for concurrent use.
package scramble

import "math/bits"

// Code is the 32-bit register form of a scrambling initial state:
//
//	Code = (e(1…30) << 2) | 3, e = MCC (10 bits) ‖ MNC (14 bits) ‖ CC (6 bits), MSB first
//
// (p(−31) = p(−30) = 1 are the two low bits). The zero Code is not a valid
// scrambling code; use [Cell] or [BSCH].
type Code uint32

// BSCH is the fixed code of the synchronisation channel, e = 0: EN 300 392-2
// clause 8.2.5.
const BSCH Code = 0x00000003

// Cell returns the scrambling code of a cell: EN 300 392-2 clause 8.2.5.
// mcc is 0…1023, mnc 0…16383, cc 1…63 (higher bits are masked off).
func Cell(mcc, mnc uint16, cc uint8) Code {
	e := uint32(mcc&0x3FF)<<20 | uint32(mnc&0x3FFF)<<6 | uint32(cc&0x3F)
	return Code(e<<2 | 3)
}

// ColourCode returns the extended colour code fields of c.
func (c Code) ColourCode() (mcc, mnc uint16, cc uint8) {
	e := uint32(c) >> 2
	return uint16(e >> 20 & 0x3FF), uint16(e >> 6 & 0x3FFF), uint8(e & 0x3F)
}

// tapMask has bit (32 − t) set for each tap t of
// c(X) = 1 + X + X² + X⁴ + X⁵ + X⁷ + X⁸ + X¹⁰ + X¹¹ + X¹² + X¹⁶ + X²² + X²³ + X²⁶ + X³²
// (EN 300 392-2 clause 8.2.5), so that the next bit is the parity of reg & tapMask.
const tapMask = 1<<31 | 1<<30 | 1<<28 | 1<<27 | 1<<25 | 1<<24 | 1<<22 | 1<<21 | 1<<20 |
	1<<16 | 1<<10 | 1<<9 | 1<<6 | 1<<0

func parity32(x uint32) uint32 {
	return uint32(bits.OnesCount32(x)) & 1
}

// step8 is the reference loop of clause 8.2.5 run for 8 bits:
//
//	bit = parity(reg & tapMask); reg = reg>>1 | bit<<31; emit bit
//
// It returns the register after 8 steps; its top byte holds the 8 new bits, the
// first in bit 24.
func step8(reg uint32) uint32 {
	for range 8 {
		bit := parity32(reg & tapMask)
		reg = reg>>1 | bit<<31
	}
	return reg
}

// byteTables[i][v] is the top byte that step8 produces from a register whose
// byte i is v and whose other bytes are 0. The map is linear over GF(2), so
// for any register the new byte is the XOR of the four table entries.
var byteTables = func() (t [4][256]uint8) {
	for i := range 4 {
		for v := range 256 {
			t[i][v] = uint8(step8(uint32(v)<<(8*i)) >> 24)
		}
	}
	return t
}()

// next8 returns the next 8 sequence bits (the first in bit 0) and the register
// after them; equal to step8, by table.
func next8(reg uint32) (uint8, uint32) {
	fb := byteTables[0][uint8(reg)] ^ byteTables[1][uint8(reg>>8)] ^ byteTables[2][uint8(reg>>16)] ^ byteTables[3][uint8(reg>>24)]
	return fb, reg>>8 | uint32(fb)<<24
}

// next returns the next 32 sequence bits p(k…k+31), first bit in bit 31, and
// the register after them.
func next(reg uint32) (word, out uint32) {
	for i := 0; i < 4; i++ {
		var fb uint8
		fb, reg = next8(reg)
		word |= uint32(bits.Reverse8(fb)) << (24 - 8*i)
	}
	return word, reg
}

// Sequence writes the first len(dst) scrambling bits p(1…) of c into dst, one
// bit per byte: EN 300 392-2 clause 8.2.5.
func Sequence(dst []byte, c Code) {
	reg := uint32(c)
	for i := 0; i < len(dst); i += 32 {
		var w uint32
		w, reg = next(reg)
		for j := 0; j < 32 && i+j < len(dst); j++ {
			dst[i+j] = byte(w>>(31-j)) & 1
		}
	}
}

// Bits scrambles (or descrambles) the unpacked bits b in place with c, the
// sequence starting at p(1): EN 300 392-2 clause 8.2.5, type-5 = type-4 ⊕ p.
func Bits(b []byte, c Code) {
	reg := uint32(c)
	for i := 0; i < len(b); i += 32 {
		var w uint32
		w, reg = next(reg)
		n := min(32, len(b)-i)
		for j := 0; j < n; j++ {
			b[i+j] ^= byte(w>>(31-j)) & 1
		}
	}
}

// Soft descrambles soft bits in place (positive = 0): every position where the
// sequence is 1 is negated. −128 is first clamped to −127 so the range stays
// symmetric.
func Soft(s []int8, c Code) {
	reg := uint32(c)
	for i := 0; i < len(s); i += 32 {
		var w uint32
		w, reg = next(reg)
		n := min(32, len(s)-i)
		for j := 0; j < n; j++ {
			v := max(s[i+j], -127)
			if w>>(31-j)&1 != 0 {
				v = -v
			}
			s[i+j] = v
		}
	}
}

// MaxCached is the longest block a [Scrambler] serves from its cache (a full
// slot).
const MaxCached = 432

// Scrambler scrambles many blocks with the same code quickly: it keeps the
// first 432 sequence bits of the last code it was given and regenerates them
// only when the code changes. Results equal [Bits] and [Soft]. The zero value
// is ready to use; a Scrambler is not safe for concurrent use.
type Scrambler struct {
	code  Code
	valid bool
	seq   [MaxCached]byte
}

func (s *Scrambler) load(c Code) {
	if !s.valid || s.code != c {
		Sequence(s.seq[:], c)
		s.code, s.valid = c, true
	}
}

// Bits scrambles b in place with c, like [Bits].
func (s *Scrambler) Bits(b []byte, c Code) {
	if len(b) > MaxCached {
		Bits(b, c)
		return
	}
	s.load(c)
	seq := s.seq[:len(b)]
	for i := range b {
		b[i] ^= seq[i]
	}
}

// Soft descrambles soft bits in place with c, like [Soft].
func (s *Scrambler) Soft(v []int8, c Code) {
	if len(v) > MaxCached {
		Soft(v, c)
		return
	}
	s.load(c)
	seq := s.seq[:len(v)]
	for i, x := range v {
		x = max(x, -127)
		m := -int8(seq[i]) // 0, or -1 where the sequence is 1
		v[i] = (x ^ m) - m
	}
}
