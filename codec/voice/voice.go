// Package voice is tetrasim's speech layer around the codecs: the Codec interface
// that the radio and the simulator use, the reference file formats of the ETSI
// EN 300 395-2 V1.3.1 test suite (.ser serial bit files, raw 16-bit PCM), WAV input
// and output at any rate and channel count (resampled to and from 8 kHz mono), and
// the objective quality metrics of shared speech-codec.md §5 (segmental SNR and
// band-limited log-spectral distance with automatic delay alignment).
//
// Frames are unpacked bits: one bit per byte, value 0 or 1, in the codec's own
// frame order (for TETRA ACELP, speech-codec.md §2). Every codec uses that form, so
// the channel coder and the E2EE layer never need to know which codec produced a
// frame.
//
// The package holds no mutable state; codecs are separate values, one per
// direction and per handset.
package voice

import (
	"fmt"
	"strings"
	"time"

	"github.com/tetrasim/tetrasim/codec/codec2"
)

// SampleRate is the speech sampling rate of every codec here [Hz].
const SampleRate = 8000

// Codec is a speech codec at 8 kHz: fixed-size frames of PCM in, fixed-size
// frames of unpacked bits out. A Codec value holds the state of one encoder and
// one decoder, so a handset uses one value per direction; it is not safe for
// concurrent use.
type Codec interface {
	// Name identifies the codec in call set-up and on the command line
	// ("acelp", "codec2-3200", ...).
	Name() string
	// FrameDuration is the speech duration of one frame (30 ms for ACELP).
	FrameDuration() time.Duration
	// SamplesPerFrame is the PCM frame length at 8 kHz (240 for ACELP).
	SamplesPerFrame() int
	// BitsPerFrame is the coded frame length in bits (137 for ACELP).
	BitsPerFrame() int
	// Encode appends the BitsPerFrame() unpacked bits coding pcm to dst.
	// pcm must hold SamplesPerFrame() samples; Encode panics otherwise.
	Encode(dst []byte, pcm []int16) []byte
	// Decode writes SamplesPerFrame() samples decoded from frame into pcm.
	// bad marks a frame the channel decoder flagged (BFI): the codec conceals it
	// and ignores frame's content. frame must hold BitsPerFrame() bits unless bad.
	Decode(pcm []int16, frame []byte, bad bool)
}

// Names lists the codec names New accepts in this build.
func Names() []string {
	n := []string{"acelp"}
	for _, m := range codec2.Modes() {
		n = append(n, "codec2-"+m)
	}
	return n
}

// New returns a fresh codec by name: "acelp" (TETRA ACELP, EN 300 395-2, pure Go)
// or "codec2-MODE" (Codec2 through libcodec2; needs the build tag codec2).
func New(name string) (Codec, error) {
	switch {
	case name == "acelp" || name == "tetra" || name == "tetra-acelp":
		return newACELP(), nil
	case strings.HasPrefix(name, "codec2-") || strings.HasPrefix(name, "codec2_"):
		c, err := codec2.New(name[len("codec2-"):])
		if err != nil {
			return nil, fmt.Errorf("voice: %w", err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("voice: unknown codec %q (this build has: %s)", name, strings.Join(Names(), ", "))
}
