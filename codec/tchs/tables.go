package tchs

// Sizes of EN 300 395-2 clause 5.5 (speech frame of clause 4, sensitivity
// classes of clause 5.5).
const (
	FrameBits = 137 // bits of one 30 ms speech frame
	N0        = 51  // class 0 bits per frame (uncoded)
	N1        = 56  // class 1 bits per frame (rate 2/3)
	N2        = 30  // class 2 bits per frame (parity, rate 8/18)

	BlockBits       = 432 // coded bits of a full TCH/S slot (two frames)
	StolenBlockBits = 216 // coded bits of frame B when the first half-slot is stolen
)

// EN 300 395-2 clause 5.5, table of class 0 (TAB0): speech-frame bit numbers
// (1-based) in class order. (Some public copies have 33 for 43 and miss 64.)
var tab0 = [N0]uint8{
	35, 36, 37, 38, 39, 40, 41, 42, 43, 47, 48, 56, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 74, 75, 83, 88, 89, 90, 91, 92,
	93, 94, 95, 96, 97, 101, 102, 110, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 128, 129, 137,
}

// EN 300 395-2 clause 5.5, table of class 1 (TAB1), in this order.
var tab1 = [N1]uint8{
	58, 85, 112, 54, 81, 108, 135, 50, 77, 104, 131, 45, 72, 99, 126, 55, 82, 109, 136, 5, 13, 34, 8, 16, 17, 22, 23, 24,
	25, 26, 6, 14, 7, 15, 60, 87, 114, 46, 73, 100, 127, 44, 71, 98, 125, 33, 49, 76, 103, 130, 59, 86, 113, 57, 84, 111,
}

// EN 300 395-2 clause 5.5, table of class 2 (TAB2), in this order.
var tab2 = [N2]uint8{
	18, 19, 20, 21, 31, 32, 53, 80, 107, 134, 1, 2, 3, 4, 9, 10, 11, 12, 27, 28, 29, 30, 52, 79, 106, 133, 51, 78, 105, 132,
}

// EN 300 395-2 clause 5.5: the 8 parity bits c1…c8 of the normal mode, each
// the XOR of the 60-bit class-2 vector at these 1-based positions.
var parity8 = [8][]uint8{
	{1, 5, 8, 9, 13, 15, 16, 17, 19, 21, 22, 24, 25, 31, 32, 35, 36, 38, 40, 43, 44, 45, 48, 49, 50, 51, 53, 54, 56},
	{2, 6, 9, 10, 14, 16, 17, 18, 20, 22, 23, 25, 26, 32, 33, 36, 37, 39, 41, 44, 45, 46, 49, 50, 51, 52, 54, 55, 57},
	{3, 7, 10, 11, 15, 17, 18, 19, 21, 23, 24, 26, 27, 33, 34, 37, 38, 40, 42, 45, 46, 47, 50, 51, 52, 53, 55, 56, 58},
	{1, 4, 5, 9, 11, 12, 13, 15, 17, 18, 20, 21, 27, 28, 31, 32, 34, 36, 39, 40, 41, 44, 45, 46, 47, 49, 50, 52, 57, 59},
	{2, 5, 6, 10, 12, 13, 14, 16, 18, 19, 21, 22, 28, 29, 32, 33, 35, 37, 40, 41, 42, 45, 46, 47, 48, 50, 51, 53, 58, 60},
	{3, 6, 7, 11, 13, 14, 15, 17, 19, 20, 22, 23, 29, 30, 33, 34, 36, 38, 41, 42, 43, 46, 47, 48, 49, 51, 52, 54, 59},
	{4, 7, 8, 12, 14, 15, 16, 18, 20, 21, 23, 24, 30, 31, 34, 35, 37, 39, 42, 43, 44, 47, 48, 49, 50, 52, 53, 55, 60},
	{1, 2, 3, 4, 8, 13, 14, 16, 19, 20, 22, 23, 25, 26, 27, 28, 29, 30, 32, 33, 34, 36, 37, 40, 41, 42, 44, 48, 50, 53, 56, 57, 58, 59, 60},
}

// EN 300 395-2 clause 5.5: the 4 parity bits f1…f4 of the frame-stealing
// mode over the 30-bit class-2 vector of frame B.
var parity4 = [4][]uint8{
	{1, 4, 5, 7, 9, 10, 11, 12, 16, 19, 20, 22, 24, 25, 26, 27},
	{1, 2, 4, 6, 7, 8, 9, 13, 16, 17, 19, 21, 22, 23, 24, 28},
	{2, 3, 5, 7, 8, 9, 10, 14, 17, 18, 20, 22, 23, 24, 25, 29},
	{3, 4, 6, 8, 9, 10, 11, 15, 18, 19, 21, 23, 24, 25, 26, 30},
}

// parityMasks packs a parity table into bit masks over the class-2 vector
// (position p → bit p−1).
func parityMasks(tab [][]uint8) (m [8]uint64) {
	for i, row := range tab {
		for _, p := range row {
			m[i] |= 1 << (p - 1)
		}
	}
	return m
}

var (
	mask8 = parityMasks(parity8[:])
	mask4 = parityMasks(parity4[:])
)

// EN 300 395-2 clause 5.5: the rate-1/3, K = 5 speech code, masks over the
// register r = u(k) | u(k−1)<<1 | … | u(k−4)<<4:
//
//	G1 = 1 + D + D² + D³ + D⁴ → 0x1F
//	G2 = 1 + D + D³ + D⁴      → 0x1B
//	G3 = 1 + D² + D⁴          → 0x15
const (
	gen1 = 0x1F
	gen2 = 0x1B
	gen3 = 0x15
)

// Convolutional code layout, EN 300 395-2 clause 5.5 (puncturing).
const (
	tail = 4

	convIn       = 2*N1 + 2*N2 + 8 + tail // 184 trellis steps, normal mode
	convInStolen = N1 + N2 + 4 + tail     // 94, frame stealing

	coded1       = 2*N1 + N1 // 168: class 1, G1 always, G2 at even n
	coded2       = 144 + 18  // 162: class 2 + parity + tail, G1 G2 always, G3 at m mod 8 ∈ {0,4}
	coded1Stolen = N1 + N1/2 // 84
	coded2Stolen = 76 + 5    // 81: G3 only at m mod 8 = 0
)

// keepG2 and keepG3 report whether generator 2 or 3 is transmitted at trellis
// step k (0-based) of a block with n1 class-1 bits: the puncturing of clause
// 5.5. G1 is always kept.
func keepG2(k, n1 int) bool { return k >= n1 || k%2 == 0 }

func keepG3(k, n1 int, stolen bool) bool {
	if k < n1 {
		return false
	}
	m := (k - n1) % 8
	if stolen {
		return m == 0
	}
	return m == 0 || m == 4
}

// Class0 returns the class-0 (uncoded) speech-frame bit numbers of EN 300 395-2
// clause 5.5 (TAB0), 1-based, in class order. The E2EE tags leave exactly these bits
// out (e2ee-design.md §5.5); a root test checks that e2ee's copy agrees.
func Class0() [N0]uint8 { return tab0 }
