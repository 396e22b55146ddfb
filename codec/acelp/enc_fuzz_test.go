package acelp

import (
	"encoding/binary"
	"testing"
)

// FuzzEncode encodes arbitrary PCM (the fuzz input as s16le samples, up to
// 8 frames, a partial frame zero-padded) and checks that the encoder never
// panics, emits only 0/1 bits, and that its local synthesis equals what a
// Decoder makes of the emitted bits: the encoder's analysis-by-synthesis
// loop and the decoder must agree on every input, not just on speech.
func FuzzEncode(f *testing.F) {
	for _, name := range encVectors {
		pcm := encReadPCM(f, name+".pcm")
		f.Add(encPCMBytes(pcm[:2*FrameSamples]))
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxFrames = 8
		if len(data) > maxFrames*FrameSamples*2 {
			data = data[:maxFrames*FrameSamples*2]
		}
		nFrames := (len(data)/2 + FrameSamples - 1) / FrameSamples
		pcm := make([]int16, nFrames*FrameSamples)
		for i := range len(data) / 2 {
			pcm[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		e := NewEncoder()
		d := NewDecoder()
		var bits [FrameBits]byte
		var synth, dec [FrameSamples]int16
		for k := range nFrames {
			e.EncodeSynth(bits[:], synth[:], pcm[k*FrameSamples:(k+1)*FrameSamples])
			for i, b := range bits {
				if b > 1 {
					t.Fatalf("frame %d bit %d = %d, want 0 or 1", k, i, b)
				}
			}
			d.Decode(dec[:], bits[:], false)
			if synth != dec {
				t.Fatalf("frame %d: local synthesis differs from the decoder's output", k)
			}
		}
	})
}

// encPCMBytes is pcm as s16le bytes.
func encPCMBytes(pcm []int16) []byte {
	b := make([]byte, 0, 2*len(pcm))
	for _, s := range pcm {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}
