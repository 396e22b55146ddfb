package teach

import (
	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// frameBits is one TETRA ACELP frame (EN 300 395-2 V1.3.1: 137 bits per 30 ms).
const frameBits = e2ee.FrameBits

// encodeClip returns the ACELP frames (137 unpacked bits each) of a bundled
// speech clip, preceded by lead frames of digital silence (all-zero PCM), and
// truncated to at most max speech frames (0: all).
func encodeClip(name string, lead, max int) ([][]byte, error) {
	pcm, err := voice.Clip(name)
	if err != nil {
		return nil, err
	}
	c, err := voice.New("acelp")
	if err != nil {
		return nil, err
	}
	n := c.SamplesPerFrame()
	silence := make([]int16, n)
	var frames [][]byte
	for range lead {
		frames = append(frames, c.Encode(nil, silence))
	}
	for i := 0; i+n <= len(pcm); i += n {
		if max > 0 && i/n >= max {
			break
		}
		frames = append(frames, c.Encode(nil, pcm[i:i+n]))
	}
	return frames, nil
}

// decodeFrames decodes frames to PCM with a fresh ACELP decoder. A nil frame is a
// muted position (the receiver refused it): it is played as silence.
func decodeFrames(frames [][]byte) ([]int16, error) {
	c, err := voice.New("acelp")
	if err != nil {
		return nil, err
	}
	n := c.SamplesPerFrame()
	out := make([]int16, 0, n*len(frames))
	pcm := make([]int16, n)
	for _, f := range frames {
		if f == nil {
			clear(pcm)
		} else {
			c.Decode(pcm, f, false)
		}
		out = append(out, pcm...)
	}
	return out, nil
}

// packSlot packs two 137-bit frames into one 274-bit TCH/S slot (35 bytes, MSB
// first, last 6 bits zero), the unit the weak profiles encrypt.
func packSlot(f1, f2 []byte) []byte {
	b := make([]byte, wteach.SlotBytes)
	for i := range 2 * frameBits {
		var bit byte
		if i < frameBits {
			bit = f1[i]
		} else {
			bit = f2[i-frameBits]
		}
		b[i/8] |= (bit & 1) << (7 - i%8)
	}
	return b
}

// unpackSlot is the inverse of packSlot.
func unpackSlot(b []byte) (f1, f2 []byte) {
	f1, f2 = make([]byte, frameBits), make([]byte, frameBits)
	for i := range 2 * frameBits {
		bit := b[i/8] >> (7 - i%8) & 1
		if i < frameBits {
			f1[i] = bit
		} else {
			f2[i-frameBits] = bit
		}
	}
	return f1, f2
}

// slots packs frames pairwise (an odd last frame is dropped).
func slots(frames [][]byte) [][]byte {
	var s [][]byte
	for i := 0; i+1 < len(frames); i += 2 {
		s = append(s, packSlot(frames[i], frames[i+1]))
	}
	return s
}

// unslots unpacks slots into frames.
func unslots(s [][]byte) [][]byte {
	var f [][]byte
	for _, b := range s {
		a, c := unpackSlot(b)
		f = append(f, a, c)
	}
	return f
}

// xorBytes returns a XOR b (same length).
func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// bitsEqual counts equal bits of two equal-length byte strings (packed) and
// returns (equal, total).
func bitsEqual(a, b []byte) (eq, total int) {
	for i := range a {
		x := a[i] ^ b[i]
		for j := range 8 {
			if x>>j&1 == 0 {
				eq++
			}
		}
		total += 8
	}
	return eq, total
}

// frameBitsEqual counts equal bits of unpacked frames; a nil frame in got counts
// as all different.
func frameBitsEqual(want, got [][]byte) (eq, total int) {
	for i := range want {
		total += len(want[i])
		if i >= len(got) || got[i] == nil {
			continue
		}
		for j := range want[i] {
			if want[i][j] == got[i][j] {
				eq++
			}
		}
	}
	return eq, total
}

// slotBitsEqual counts equal bits over 274-bit slots (the 6 pad bits left out).
func slotBitsEqual(want, got [][]byte) (eq, total int) {
	return frameBitsEqual(unslots(want), unslots(got))
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
