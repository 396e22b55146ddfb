package radio_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/radio"
)

// Build a normal continuous downlink burst from two half-slot blocks and an
// AACH block, then split it again.
func Example() {
	bkn1 := make([]byte, radio.BKNBits)
	bkn2 := make([]byte, radio.BKNBits)
	bb := make([]byte, radio.BBBits)
	bkn1[0], bkn2[215], bb[29] = 1, 1, 1
	b := radio.Burst{Type: radio.NormalDL, SlotFlag: true, Block1: bkn1, Block2: bkn2, BB: bb}
	bits, err := b.AppendBits(nil)
	if err != nil {
		panic(err)
	}
	var got radio.Burst
	if err := got.Parse(radio.NormalDL, bits); err != nil {
		panic(err)
	}
	t := radio.Time{TN: 4, FN: 18, MN: 51}
	fmt.Println(len(bits), got.SlotFlag, got.Block1[0], got.Block2[215], got.BB[29])
	fmt.Println(t, "BSCH:", t.HasBSCH(), "next:", t.Next())
	// Output:
	// 510 true 1 1 1
	// 0/51/18/4 BSCH: true next: 0/52/01/1
}
