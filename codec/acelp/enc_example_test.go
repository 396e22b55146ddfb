package acelp_test

import (
	"fmt"
	"math"

	"github.com/tetrasim/tetrasim/codec/acelp"
)

// Encode 120 ms of a 1 kHz tone and decode it again: the coded frames are
// FrameBits unpacked bits each, and the decoder's output equals the
// encoder's local synthesis.
func ExampleEncoder() {
	enc := acelp.NewEncoder()
	dec := acelp.NewDecoder()
	var pcm, synth, out [acelp.FrameSamples]int16
	var bits [acelp.FrameBits]byte
	n := 0
	for frame := 0; frame < 4; frame++ {
		for i := range pcm {
			t := float64(n) / acelp.SampleRateHz
			pcm[i] = int16(8000 * math.Sin(2*math.Pi*1000*t))
			n++
		}
		enc.EncodeSynth(bits[:], synth[:], pcm[:])
		dec.Decode(out[:], bits[:], false)
		fmt.Printf("frame %d: first LSP index bits %v, synthesis = decoder output: %v\n", frame, bits[:8], synth == out)
	}
	// Output:
	// frame 0: first LSP index bits [1 1 1 0 0 0 0 0], synthesis = decoder output: true
	// frame 1: first LSP index bits [1 1 1 0 0 0 0 0], synthesis = decoder output: true
	// frame 2: first LSP index bits [1 1 1 0 0 0 0 0], synthesis = decoder output: true
	// frame 3: first LSP index bits [1 1 1 0 0 0 0 0], synthesis = decoder output: true
}
