// Package interleave implements the interleavers of ETSI EN 300 392-2 V3.2.1
// (2007-09), clause 8.2.4: the block interleaver (K, a) of clause 8.2.4.1 and
// interleaving over N blocks (TCH/4.8 and TCH/2.4), and the 24 × 18 matrix
// interleaver of the TCH/S speech channel, ETSI EN 300 395-2 V1.3.1, clause 5.5.
//
// The functions work on unpacked bits ([]byte) and soft bits ([]int8) alike.
// Block, Deblock, Matrix and Dematrix are pure; dst and src must not overlap.
// Nothing allocates except [NewNBlock], which allocates the N-block history.
package interleave

// Bit is the element type of the interleavers: unpacked bits or soft bits.
type Bit interface{ ~byte | ~int8 }

// Block interleaves src into dst with the (K, a) block interleaver of EN 300
// 392-2 clause 8.2.4.1, K = len(src):
//
//	b4(k) = b3(i), i = 1…K, k = 1 + ((a·i) mod K)
//
// that is dst[(a*(i+1)) % K] = src[i] 0-based. Used with (120, 11) for BSCH,
// (216, 101) for BNCH, SCH/HD, STCH and stolen TCH/S, (168, 13) for SCH/HU and
// (432, 103) for SCH/F. a must be coprime with K. It panics if len(dst) < K.
func Block[T Bit](dst, src []T, a int) {
	K := len(src)
	dst = dst[:K]
	if K == 0 {
		return
	}
	a %= K
	k := 0
	for i := range src {
		k += a
		if k >= K {
			k -= K
		}
		dst[k] = src[i]
	}
}

// Deblock is the inverse of [Block]: dst[i] = src[(a*(i+1)) % K], K = len(src).
func Deblock[T Bit](dst, src []T, a int) {
	K := len(src)
	dst = dst[:K]
	if K == 0 {
		return
	}
	a %= K
	k := 0
	for i := range dst {
		k += a
		if k >= K {
			k -= K
		}
		dst[i] = src[k]
	}
}

// Matrix sizes of the TCH/S interleaver, EN 300 395-2 clause 5.5.
const (
	MatrixLines   = 24
	MatrixColumns = 18
	MatrixBits    = MatrixLines * MatrixColumns // 432
)

// Matrix interleaves the 432 coded TCH/S bits src into dst: EN 300 395-2 clause
// 5.5, written line by line into a 24 × 18 matrix and read column by column:
//
//	dst[c·24 + l] = src[l·18 + c],  l = 0…23, c = 0…17
//
// It panics if either slice is shorter than 432.
func Matrix[T Bit](dst, src []T) {
	dst = dst[:MatrixBits]
	src = src[:MatrixBits]
	for l := 0; l < MatrixLines; l++ {
		for c := 0; c < MatrixColumns; c++ {
			dst[c*MatrixLines+l] = src[l*MatrixColumns+c]
		}
	}
}

// Dematrix is the inverse of [Matrix].
func Dematrix[T Bit](dst, src []T) {
	dst = dst[:MatrixBits]
	src = src[:MatrixBits]
	for l := 0; l < MatrixLines; l++ {
		for c := 0; c < MatrixColumns; c++ {
			dst[l*MatrixColumns+c] = src[c*MatrixLines+l]
		}
	}
}
