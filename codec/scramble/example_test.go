package scramble_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/scramble"
)

// The scrambling code of a cell and the first bits of its sequence.
func Example() {
	c := scramble.Cell(262, 42, 5) // MCC 262, MNC 42, colour code 5
	seq := make([]byte, 16)
	scramble.Sequence(seq, c)
	fmt.Printf("%#08x %v\n", uint32(c), seq)
	// Output: 0x41802a17 [0 1 0 0 1 0 1 1 0 1 1 1 1 1 0 0]
}
