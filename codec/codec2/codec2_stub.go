//go:build !(codec2 && cgo)

package codec2

import "time"

// Available reports whether Codec2 is compiled in.
const Available = false

// Modes lists the mode names New accepts: none without the codec2 build tag.
func Modes() []string { return nil }

// Codec is absent in this build; New always fails.
type Codec struct{}

// New returns ErrNotBuilt: rebuild with -tags codec2 and libcodec2-dev installed.
func New(mode string) (*Codec, error) {
	return nil, ErrNotBuilt
}

func (*Codec) Name() string                        { return "codec2" }
func (*Codec) FrameDuration() time.Duration        { return 0 }
func (*Codec) SamplesPerFrame() int                { return 0 }
func (*Codec) BitsPerFrame() int                   { return 0 }
func (*Codec) Encode(dst []byte, _ []int16) []byte { panic(ErrNotBuilt) }
func (*Codec) Decode(_ []int16, _ []byte, _ bool)  { panic(ErrNotBuilt) }
