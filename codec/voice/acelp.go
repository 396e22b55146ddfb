package voice

import (
	"slices"
	"time"

	"github.com/tetrasim/tetrasim/codec/acelp"
)

// acelpCodec adapts codec/acelp's encoder and decoder to Codec.
type acelpCodec struct {
	enc *acelp.Encoder
	dec *acelp.Decoder
}

func newACELP() *acelpCodec {
	return &acelpCodec{enc: acelp.NewEncoder(), dec: acelp.NewDecoder()}
}

func (*acelpCodec) Name() string                 { return "acelp" }
func (*acelpCodec) FrameDuration() time.Duration { return 30 * time.Millisecond }
func (*acelpCodec) SamplesPerFrame() int         { return acelp.FrameSamples }
func (*acelpCodec) BitsPerFrame() int            { return acelp.FrameBits }

func (c *acelpCodec) Encode(dst []byte, pcm []int16) []byte {
	if len(pcm) != acelp.FrameSamples {
		panic("voice: acelp Encode: need 240 samples")
	}
	n := len(dst)
	dst = slices.Grow(dst, acelp.FrameBits)[:n+acelp.FrameBits]
	c.enc.Encode(dst[n:], pcm)
	return dst
}

func (c *acelpCodec) Decode(pcm []int16, frame []byte, bad bool) {
	c.dec.Decode(pcm[:acelp.FrameSamples], frame, bad)
}
