package crc_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/crc"
)

// The FCS of the 60-bit SYNC PDU of osmo-tetra's crc_test, and the receiver's
// residue check.
func Example() {
	s := "000100001011000010111110000000001000001100000111110100110011"
	bits := make([]byte, len(s))
	for i := range s {
		bits[i] = s[i] - '0'
	}
	fmt.Printf("FCS %#04x\n", crc.Checksum(bits))
	block := crc.Append(bits, bits)
	fmt.Printf("residue %#04x, intact %v\n", crc.Remainder(block), crc.Check(block))
	// Output:
	// FCS 0xdef1
	// residue 0x1d0f, intact true
}
