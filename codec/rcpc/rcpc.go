// Package rcpc implements the rate-compatible punctured convolutional codes of
// ETSI EN 300 392-2 V3.2.1 (2007-09), clause 8.2.3.1: the rate-1/4, constraint
// length 5 (16 state) mother code, its puncturing schemes (2/3, 1/3, 292/432,
// 148/432), and a soft-decision Viterbi decoder for terminated blocks.
//
// Bits are unpacked, one per byte (0 or 1), first transmitted bit first. Soft
// bits are int8, positive meaning 0: +127 is a certain 0, −127 a certain 1 and 0
// an erasure. Punctured positions are decoded as erasures.
//
// The encoder functions are pure. A [Decoder] holds its own scratch memory; its
// zero value is ready to use, it does not allocate, and it is not safe for
// concurrent use (use one per goroutine).
package rcpc

// Mother code generators, EN 300 392-2 clause 8.2.3.1, as masks over the
// register r = u(k) | u(k−1)<<1 | u(k−2)<<2 | u(k−3)<<3 | u(k−4)<<4:
//
//	G1 = 1 + D + D⁴         → 0x13
//	G2 = 1 + D² + D³ + D⁴   → 0x1D
//	G3 = 1 + D + D² + D⁴    → 0x17
//	G4 = 1 + D + D³ + D⁴    → 0x1B
const (
	g1 = 0x13
	g2 = 0x1D
	g3 = 0x17
	g4 = 0x1B
)

// States is the number of trellis states (constraint length K = 5).
const States = 16

// TailBits is the number of zero tail bits that terminate a block in state 0.
const TailBits = 4

// MaxBits is the largest number of type-2 bits (trellis steps, tail included) a
// [Decoder] accepts. TETRA's longest block is TCH/4.8 with 292.
const MaxBits = 1024

func parity8(x uint8) byte {
	x ^= x >> 4
	x ^= x >> 2
	x ^= x >> 1
	return x & 1
}

// mother returns the four output bits G1…G4 for register r (5 bits) packed as
// bit 3 = G1 … bit 0 = G4.
func mother(r uint8) uint8 {
	return parity8(r&g1)<<3 | parity8(r&g2)<<2 | parity8(r&g3)<<1 | parity8(r&g4)
}

// EncodeMother writes the rate-1/4 mother code of the type-2 bits src into dst:
// EN 300 392-2 clause 8.2.3.1, V(4(k−1)+1…4k) = G1(k)…G4(k), starting in state
// 0. It returns dst[:4*len(src)] and panics if dst is shorter. The caller
// supplies the tail bits (zeros) as part of src.
func EncodeMother(dst, src []byte) []byte {
	dst = dst[:4*len(src)]
	var r uint8
	for k, u := range src {
		r = (r<<1 | u&1) & 0x1F
		v := motherTable[r]
		d := dst[4*k : 4*k+4]
		d[0] = v >> 3 & 1
		d[1] = v >> 2 & 1
		d[2] = v >> 1 & 1
		d[3] = v & 1
	}
	return dst
}

// motherTable[r] = mother(r) for every 5-bit register.
var motherTable = func() (t [32]uint8) {
	for r := range t {
		t[r] = mother(uint8(r))
	}
	return t
}()
