package acelp_test

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/tetrasim/tetrasim/codec/acelp"
)

// Example decodes a reference serial file (.ser: per frame a BFI word and
// the 137 bits, as 16-bit little-endian words) into 8 kHz PCM.
func Example() {
	raw, err := os.ReadFile("testdata/hts1a.ser")
	if err != nil {
		fmt.Println(err)
		return
	}
	const words = 1 + acelp.FrameBits
	d := acelp.NewDecoder()
	pcm := make([]int16, acelp.FrameSamples)
	bits := make([]byte, acelp.FrameBits)
	var frames int
	var peak int16
	for ; len(raw) >= 2*words; raw = raw[2*words:] {
		bfi := binary.LittleEndian.Uint16(raw) != 0
		for i := range bits {
			bits[i] = byte(binary.LittleEndian.Uint16(raw[2+2*i:]))
		}
		d.Decode(pcm, bits, bfi)
		for _, s := range pcm {
			peak = max(peak, s, -s)
		}
		frames++
	}
	fmt.Printf("%d frames, %d samples, peak %d\n", frames, frames*acelp.FrameSamples, peak)
	// Output: 100 frames, 24000 samples, peak 22022
}
