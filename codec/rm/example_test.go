package rm_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/rm"
)

// Encode an ACCESS-ASSIGN word, corrupt 3 bits, and decode it.
func Example() {
	cw := rm.Encode(0b00100011110100)
	soft := make([]int8, rm.CodewordBits)
	for i := range soft {
		soft[i] = 127
		if cw>>(rm.CodewordBits-1-i)&1 == 1 {
			soft[i] = -127
		}
	}
	soft[0], soft[12], soft[25] = -soft[0], -soft[12], -soft[25]
	info, dist := rm.DecodeSoft(soft)
	fmt.Printf("%030b -> %014b, %d errors corrected\n", cw, info, dist)
	// Output: 001000111101001111110000101110 -> 00100011110100, 3 errors corrected
}
