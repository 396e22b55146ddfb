package interleave_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/interleave"
)

// The (120, 11) block interleaver of the BSCH: input bit i (1-based) goes to
// position 1 + (11·i mod 120).
func Example() {
	src := make([]int8, 120)
	for i := range src {
		src[i] = int8(i + 1)
	}
	dst := make([]int8, 120)
	interleave.Block(dst, src, 11)
	fmt.Println(dst[11], dst[22], dst[1]) // positions 12, 23, 2
	// Output: 1 2 11
}
