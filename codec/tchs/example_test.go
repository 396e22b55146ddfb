package tchs_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/tchs"
)

// Two speech frames through the TCH/S channel coder and back; the decoder
// reports BFI when the parity fails.
func Example() {
	a, b := make([]byte, tchs.FrameBits), make([]byte, tchs.FrameBits)
	a[0], b[136] = 1, 1
	type4 := tchs.Encode(make([]byte, tchs.BlockBits), a, b)
	soft := make([]int8, len(type4))
	for i, x := range type4 {
		soft[i] = 127
		if x == 1 {
			soft[i] = -127
		}
	}
	var d tchs.Decoder
	ga, gb := make([]byte, tchs.FrameBits), make([]byte, tchs.FrameBits)
	bfi := d.Decode(ga, gb, soft)
	fmt.Println(len(type4), bfi, string(ga) == string(a), string(gb) == string(b))
	// Output: 432 false true true
}
