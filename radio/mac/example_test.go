package mac_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
)

// Pack a MAC-RESOURCE to a group into a 268-bit SCH/F block (a Null PDU and
// fill bits follow it) and parse the block again.
func Example() {
	r := &mac.Resource{Addr: mac.Address{Type: mac.AddrSSI, SSI: 9001}, SDU: make(mac.Bits, 50)}
	block, err := mac.AppendBlock(nil, 268, mac.Downlink, r)
	if err != nil {
		panic(err)
	}
	for p, err := range mac.PDUs(mac.Downlink, lmac.SCHF, block) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p)
	}
	// Output:
	// MAC-RESOURCE SSI(9001) len 12 enc 0 sdu 50 bits
	// NULL
}
