//go:build codec2 && cgo

package codec2

/*
#cgo pkg-config: codec2
#include <codec2/codec2.h>
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Available reports whether Codec2 is compiled in.
const Available = true

// Modes lists the mode names New accepts.
func Modes() []string {
	out := make([]string, len(modeInfo))
	for i, m := range modeInfo {
		out[i] = m.name
	}
	return out
}

// Codec is one Codec2 encoder and decoder pair. Not safe for concurrent use.
type Codec struct {
	st      *state
	name    string
	dur     time.Duration
	samples int
	nbits   int
	nbytes  int
	packed  []byte // one frame, packed, for the C calls
	last    []byte // last good frame, packed, for concealment
	badRun  int
	haveOld bool
}

type state struct{ enc, dec *C.struct_CODEC2 }

// New opens Codec2 in the named mode ("3200", "2400", "1600", "1400", "1300",
// "1200", "700C").
func New(mode string) (*Codec, error) {
	id, dur, ok := lookup(mode)
	if !ok {
		return nil, fmt.Errorf("codec2: unknown mode %q (want one of %v)", mode, Modes())
	}
	enc := C.codec2_create(C.int(id))
	dec := C.codec2_create(C.int(id))
	if enc == nil || dec == nil {
		if enc != nil {
			C.codec2_destroy(enc)
		}
		if dec != nil {
			C.codec2_destroy(dec)
		}
		return nil, fmt.Errorf("codec2: codec2_create(%s) failed", mode)
	}
	st := &state{enc: enc, dec: dec}
	c := &Codec{
		st:      st,
		name:    "codec2-" + mode,
		dur:     dur,
		samples: int(C.codec2_samples_per_frame(enc)),
		nbits:   int(C.codec2_bits_per_frame(enc)),
		// The byte count comes from the library, never from bits/8 (700C has 28 bits).
		nbytes: int(C.codec2_bytes_per_frame(enc)),
	}
	c.packed = make([]byte, c.nbytes)
	c.last = make([]byte, c.nbytes)
	runtime.AddCleanup(c, func(s *state) {
		C.codec2_destroy(s.enc)
		C.codec2_destroy(s.dec)
	}, st)
	return c, nil
}

func (c *Codec) Name() string                 { return c.name }
func (c *Codec) FrameDuration() time.Duration { return c.dur }
func (c *Codec) SamplesPerFrame() int         { return c.samples }
func (c *Codec) BitsPerFrame() int            { return c.nbits }

// Encode appends the frame's unpacked bits to dst.
func (c *Codec) Encode(dst []byte, pcm []int16) []byte {
	if len(pcm) != c.samples {
		panic("codec2: Codec.Encode: wrong frame length")
	}
	C.codec2_encode(c.st.enc, (*C.uchar)(unsafe.Pointer(&c.packed[0])), (*C.short)(unsafe.Pointer(&pcm[0])))
	runtime.KeepAlive(c)
	for i := 0; i < c.nbits; i++ {
		dst = append(dst, (c.packed[i/8]>>(7-i%8))&1)
	}
	return dst
}

// Decode decodes one frame of unpacked bits. A bad frame repeats the last good
// frame (up to 3 in a row) and then mutes: Codec2 has no concealment of its own.
func (c *Codec) Decode(pcm []int16, frame []byte, bad bool) {
	if len(pcm) < c.samples {
		panic("codec2: Codec.Decode: pcm too short")
	}
	if bad {
		c.badRun++
		if !c.haveOld || c.badRun > maxBadRun {
			clear(pcm[:c.samples])
			return
		}
		copy(c.packed, c.last)
	} else {
		if len(frame) < c.nbits {
			panic("codec2: Codec.Decode: frame too short")
		}
		clear(c.packed)
		for i := 0; i < c.nbits; i++ {
			c.packed[i/8] |= (frame[i] & 1) << (7 - i%8)
		}
		copy(c.last, c.packed)
		c.haveOld = true
		c.badRun = 0
	}
	C.codec2_decode(c.st.dec, (*C.short)(unsafe.Pointer(&pcm[0])), (*C.uchar)(unsafe.Pointer(&c.packed[0])))
	runtime.KeepAlive(c)
}
