package sim

import (
	"time"

	"github.com/tetrasim/tetrasim/codec/acelp"
	"github.com/tetrasim/tetrasim/codec/voice"
)

// acelpCodec adapts the TETRA ACELP encoder and decoder (EN 300 395-2 V1.3.1)
// to voice.Codec: 240 samples <-> 137 bits per 30 ms.
type acelpCodec struct {
	enc *acelp.Encoder
	dec *acelp.Decoder
}

var _ voice.Codec = (*acelpCodec)(nil)

func newACELP() (voice.Codec, error) {
	return &acelpCodec{enc: acelp.NewEncoder(), dec: acelp.NewDecoder()}, nil
}

func (c *acelpCodec) Name() string                 { return "acelp" }
func (c *acelpCodec) FrameDuration() time.Duration { return 30 * time.Millisecond }
func (c *acelpCodec) SamplesPerFrame() int         { return acelp.FrameSamples }
func (c *acelpCodec) BitsPerFrame() int            { return acelp.FrameBits }

func (c *acelpCodec) Encode(dst []byte, pcm []int16) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, acelp.FrameBits)...)
	c.enc.Encode(dst[n:], pcm)
	return dst
}

func (c *acelpCodec) Decode(pcm []int16, frame []byte, bad bool) {
	if bad || len(frame) < acelp.FrameBits {
		frame = make([]byte, acelp.FrameBits)
		bad = true
	}
	c.dec.Decode(pcm, frame, bad)
}
