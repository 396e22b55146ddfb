package acelp

import "testing"

// decFuzzFrameBytes is the size of one frame in the input of FuzzDecode: a
// flag byte (bit 0 = BFI) and the 137 bit bytes, used unmasked.
const decFuzzFrameBytes = 1 + FrameBits

// FuzzDecode decodes arbitrary frames and BFI patterns: the input is cut
// into frames of a flag byte (bit 0 set = bad frame) and 137 bytes of
// "bits" of any value. Decoding must not panic, must write exactly
// FrameSamples samples, must be deterministic, and must treat every byte
// other than 1 as a zero bit.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"hts1a.ser", "vk5qi_p0.03.cdec.ser"} {
		frames := decReadSer(f, name)
		var seed []byte
		for k, fr := range frames[:12] {
			flag := byte(0)
			if fr.bfi || k == 5 {
				flag = 1
			}
			seed = append(seed, flag)
			seed = append(seed, fr.bits[:]...)
		}
		f.Add(seed)
	}
	ones := make([]byte, 3*decFuzzFrameBytes)
	for i := range ones {
		ones[i] = 1
	}
	f.Add(ones)
	f.Add(make([]byte, 2*decFuzzFrameBytes))

	f.Fuzz(func(t *testing.T, data []byte) {
		const maxFrames = 40 // size guard
		if len(data) > maxFrames*decFuzzFrameBytes {
			data = data[:maxFrames*decFuzzFrameBytes]
		}
		d1, d2, d3 := NewDecoder(), NewDecoder(), NewDecoder()
		var masked [FrameBits]byte
		for ; len(data) >= decFuzzFrameBytes; data = data[decFuzzFrameBytes:] {
			bfi := data[0]&1 != 0
			bits := data[1:decFuzzFrameBytes]
			for i, b := range bits {
				masked[i] = 0
				if b == 1 {
					masked[i] = 1
				}
			}
			// Sentinels after the frame catch writes past FrameSamples.
			var out1, out2, out3 [FrameSamples + 4]int16
			for i := FrameSamples; i < len(out1); i++ {
				out1[i], out2[i], out3[i] = 0x5a5a, 0x5a5a, 0x5a5a
			}
			d1.Decode(out1[:], bits, bfi)
			d2.Decode(out2[:], bits, bfi)
			d3.Decode(out3[:], masked[:], bfi)
			for i := FrameSamples; i < len(out1); i++ {
				if out1[i] != 0x5a5a {
					t.Fatalf("Decode wrote sample %d, past the frame", i)
				}
			}
			if out1 != out2 {
				t.Fatal("two decoders disagree on the same input")
			}
			if out1 != out3 {
				t.Fatal("bytes other than 1 do not decode as zero bits")
			}
		}
	})
}
