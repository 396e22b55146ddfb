package fixpoint_test

import (
	"fmt"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// A Q15 dot product in the style of the reference code: L_mac accumulates
// 2·a·b with 32-bit saturation, Round keeps the rounded upper half.
func Example() {
	x := []int16{16384, -16384, 32767}   // 0.5, -0.5, ~1.0
	y := []int16{16384, 16384, fp.Min16} // 0.5, 0.5, -1.0
	var acc int32
	for i := range x {
		acc = fp.LMac(acc, x[i], y[i])
	}
	fmt.Println(acc, fp.Round(acc))
	fmt.Println(fp.LMult(fp.Min16, fp.Min16), fp.Add(32000, 1000), fp.Shl(0x4000, 1))
	// Output:
	// -2147418112 -32767
	// 2147483647 32767 32767
}
