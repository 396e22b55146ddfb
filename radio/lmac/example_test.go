package lmac_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio/lmac"
)

// A SCH/F block through the lower MAC and back: 268 type-1 bits become 432
// type-5 bits (BKN1 = [0:216], BKN2 = [216:432]) and decode with a good CRC
// even after some bit errors.
func Example() {
	var c lmac.Coder
	cell := scramble.Cell(262, 42, 5) // MCC 262, MNC 42, colour code 5
	p := lmac.SCHF.Params()
	type1 := make([]byte, p.Type1)
	type1[0], type1[100] = 1, 1
	type5 := c.Encode(nil, lmac.SCHF, type1, cell)

	soft := make([]int8, len(type5)) // +127 = 0, -127 = 1
	for i, b := range type5 {
		soft[i] = 127
		if b == 1 {
			soft[i] = -127
		}
	}
	soft[10], soft[200], soft[300] = -soft[10], -soft[200], -soft[300] // channel errors

	got := make([]byte, p.Type1)
	ok := c.Decode(got, lmac.SCHF, soft, cell)
	fmt.Println(p.Name, p.Type1, "->", len(type5), "CRC ok:", ok, "bits equal:", string(got) == string(type1))
	// Output: SCH/F 268 -> 432 CRC ok: true bits equal: true
}
