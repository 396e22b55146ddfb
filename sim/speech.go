package sim

import "github.com/tetrasim/tetrasim/codec/voice"

// newACELP returns a fresh TETRA ACELP codec (EN 300 395-2 V1.3.1: 240
// samples <-> 137 bits per 30 ms) through codec/voice, one per direction and
// talker.
func newACELP() (voice.Codec, error) { return voice.New("acelp") }
