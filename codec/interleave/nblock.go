package interleave

import "errors"

// NBlockBits is the block size of interleaving over N blocks (TCH/4.8, TCH/2.4).
const NBlockBits = 432

// nBlockA is the block interleaver applied to every block after the diagonal step.
const nBlockA = 103

// NBlock interleaves type-3 blocks of 432 bits over N = 1, 4 or 8 consecutive
// blocks, for TCH/4.8 and TCH/2.4: EN 300 392-2 clause 8.2.4 (interleaving over N blocks), as described in
// air-interface.md §8.2:
//
//  1. diagonal step: output block m, position k (0-based, w = 432/N) takes
//     input block m − ⌊k/w⌋, bit ⌊k/w⌋ + (k mod w)·N;
//  2. a (432, 103) block interleave of each output block.
//
// For N = 1 the diagonal step is the identity.
//
// Deviation warning: this description is unverified against the standard (the
// shared vectors leave interleaving out for these channels); treat the output
// as tetrasim-only until checked.
//
// Bits of input blocks before the first one are 0 (soft: erasures). The
// deinterleaver delivers input block m − N + 1 when type-4 block m arrives.
// An NBlock keeps history: it is not safe for concurrent use, and Interleave
// and Deinterleave must not be mixed on one value. Create it with [NewNBlock].
type NBlock[T Bit] struct {
	n, w int
	ring [][NBlockBits]T // the last n blocks, slot m mod n
	tmp  [NBlockBits]T
	m    int // blocks processed
}

// NewNBlock returns an interleaver over n blocks; n must be 1, 4 or 8.
func NewNBlock[T Bit](n int) (*NBlock[T], error) {
	if n != 1 && n != 4 && n != 8 {
		return nil, errors.New("interleave: N must be 1, 4 or 8")
	}
	return &NBlock[T]{n: n, w: NBlockBits / n, ring: make([][NBlockBits]T, n)}, nil
}

// Depth returns N.
func (x *NBlock[T]) Depth() int { return x.n }

// Reset forgets the history.
func (x *NBlock[T]) Reset() {
	clear(x.ring)
	x.m = 0
}

// Interleave takes the next type-3 block src and writes type-4 block m to dst.
// It panics if a slice is shorter than 432.
func (x *NBlock[T]) Interleave(dst, src []T) {
	src, dst = src[:NBlockBits], dst[:NBlockBits]
	n, w := x.n, x.w
	copy(x.ring[x.m%n][:], src)
	for k := 0; k < NBlockBits; k++ {
		j, i := k/w, k%w
		if x.m-j < 0 {
			x.tmp[k] = 0
			continue
		}
		x.tmp[k] = x.ring[(x.m-j)%n][j+i*n]
	}
	Block(dst, x.tmp[:], nBlockA)
	x.m++
}

// Deinterleave takes the next type-4 block src and writes type-3 block
// m − N + 1 to dst (m counting received blocks from 0). It returns false, with
// dst untouched, while fewer than N blocks have arrived. It panics if a slice
// is shorter than 432.
func (x *NBlock[T]) Deinterleave(dst, src []T) bool {
	src, dst = src[:NBlockBits], dst[:NBlockBits]
	n, w := x.n, x.w
	Deblock(x.ring[x.m%n][:], src, nBlockA)
	x.m++
	first := x.m - n // index of the input block now complete
	if first < 0 {
		return false
	}
	for j := 0; j < n; j++ {
		blk := &x.ring[(first+j)%n]
		for i := 0; i < w; i++ {
			dst[j+i*n] = blk[j*w+i]
		}
	}
	return true
}
