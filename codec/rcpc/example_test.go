package rcpc_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/rcpc"
)

// Rate-2/3 coding of a BSCH-sized type-2 block (76 bits + 4 tail bits) and soft
// Viterbi decoding through two channel errors.
func Example() {
	type2 := make([]byte, 80)
	for i := 0; i < 76; i += 3 {
		type2[i] = 1
	}
	type3 := rcpc.Encode(make([]byte, rcpc.Rate23.OutLen(80)), type2, rcpc.Rate23)
	soft := make([]int8, len(type3))
	for i, b := range type3 {
		soft[i] = 127
		if b == 1 {
			soft[i] = -127
		}
	}
	soft[7], soft[90] = -soft[7], -soft[90]
	var d rcpc.Decoder
	out := make([]byte, 80)
	d.Decode(out, soft, rcpc.Rate23)
	fmt.Println(len(type3), string(out) == string(type2))
	// Output: 120 true
}
