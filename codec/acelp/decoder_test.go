package acelp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// decSerFrame is one frame of a reference serial file: the BFI word and the
// 137 bits.
type decSerFrame struct {
	bfi  bool
	bits [FrameBits]byte
}

// decReadSer reads a reference .ser or .cdec.ser file (138 little-endian
// 16-bit words per frame: BFI, then the bits).
func decReadSer(t testing.TB, name string) []decSerFrame {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	const words = 1 + FrameBits
	if len(raw)%(2*words) != 0 {
		t.Fatalf("%s: %d bytes is not a whole number of %d-word frames", name, len(raw), words)
	}
	frames := make([]decSerFrame, len(raw)/(2*words))
	for k := range frames {
		w := raw[k*2*words:]
		frames[k].bfi = binary.LittleEndian.Uint16(w) != 0
		for i := range FrameBits {
			v := binary.LittleEndian.Uint16(w[2*(i+1):])
			if v > 1 {
				t.Fatalf("%s frame %d bit %d: word %d is not 0 or 1", name, k, i, v)
			}
			frames[k].bits[i] = byte(v)
		}
	}
	return frames
}

// decDecodeFile decodes every frame of a .ser file with a new Decoder and
// returns the PCM as little-endian bytes, the format of the .dec.pcm files.
func decDecodeFile(t testing.TB, name string) []byte {
	t.Helper()
	frames := decReadSer(t, name)
	d := NewDecoder()
	out := make([]byte, 0, len(frames)*FrameSamples*2)
	var pcm [FrameSamples]int16
	for _, f := range frames {
		d.Decode(pcm[:], f.bits[:], f.bfi)
		for _, s := range pcm {
			out = binary.LittleEndian.AppendUint16(out, uint16(s))
		}
	}
	return out
}

// TestDecoderBitExact decodes the reference bitstreams of the ETSI EN 300
// 395-2 V1.3.1 reference codec and compares the PCM with the reference
// decoder's output, byte for byte. vk5qi_p0.03 is channel-decoder output
// with bad frames (BFI = 1 in frames 10 and 11), so it checks concealment.
func TestDecoderBitExact(t *testing.T) {
	cases := []struct{ ser, pcm string }{
		{"hts1a.ser", "hts1a.dec.pcm"},
		{"silence.ser", "silence.dec.pcm"},
		{"sine1k.ser", "sine1k.dec.pcm"},
		{"noise.ser", "noise.dec.pcm"},
		{"square_fullscale.ser", "square_fullscale.dec.pcm"},
		{"vk5qi_p0.03.cdec.ser", "vk5qi_p0.03.dec.pcm"},
	}
	identical := 0
	for _, c := range cases {
		t.Run(c.ser, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", c.pcm))
			if err != nil {
				t.Fatal(err)
			}
			got := decDecodeFile(t, c.ser)
			if len(got) != len(want) {
				t.Fatalf("decoded %d bytes, reference %d", len(got), len(want))
			}
			if !bytes.Equal(got, want) {
				i := 0
				for got[i] == want[i] {
					i++
				}
				s := i / 2
				t.Fatalf("first difference at sample %d (frame %d, sample %d of the frame): got %d, want %d",
					s, s/FrameSamples, s%FrameSamples,
					int16(binary.LittleEndian.Uint16(got[2*s:])), int16(binary.LittleEndian.Uint16(want[2*s:])))
			}
			identical++
		})
	}
	t.Logf("decoder: %d of %d files identical", identical, len(cases))
}

// TestDecoderBFIFramesInVector checks that the concealment vector really has
// bad frames where its README says (frames 10 and 11), so that
// TestDecoderBitExact covers concealment.
func TestDecoderBFIFramesInVector(t *testing.T) {
	var bad []int
	for k, f := range decReadSer(t, "vk5qi_p0.03.cdec.ser") {
		if f.bfi {
			bad = append(bad, k)
		}
	}
	if fmt.Sprint(bad) != "[10 11]" {
		t.Fatalf("BFI frames %v, want [10 11]", bad)
	}
}

// TestDecoderReset checks that Reset returns a used Decoder to the state of
// a new one.
func TestDecoderReset(t *testing.T) {
	frames := decReadSer(t, "hts1a.ser")
	d := NewDecoder()
	var a, b [FrameSamples]int16
	for _, f := range frames[:20] {
		d.Decode(a[:], f.bits[:], f.bfi)
	}
	d.Reset()
	fresh := NewDecoder()
	for k, f := range frames[:20] {
		d.Decode(a[:], f.bits[:], f.bfi)
		fresh.Decode(b[:], f.bits[:], f.bfi)
		if a != b {
			t.Fatalf("frame %d differs after Reset", k)
		}
	}
}

// TestDecoderIndependent checks that two Decoders share no state: decoding
// two streams interleaved gives the same PCM as decoding them one by one.
func TestDecoderIndependent(t *testing.T) {
	s1 := decReadSer(t, "hts1a.ser")[:30]
	s2 := decReadSer(t, "noise.ser")[:30]
	d1, d2 := NewDecoder(), NewDecoder()
	r1, r2 := NewDecoder(), NewDecoder()
	var a, b, c, e [FrameSamples]int16
	for k := range s1 {
		d1.Decode(a[:], s1[k].bits[:], false)
		d2.Decode(b[:], s2[k].bits[:], false)
		r1.Decode(c[:], s1[k].bits[:], false)
		if a != c {
			t.Fatalf("frame %d: stream 1 depends on stream 2", k)
		}
		_ = e
	}
	for k := range s2 {
		r2.Decode(e[:], s2[k].bits[:], false)
	}
	if b != e {
		t.Fatal("stream 2 depends on stream 1")
	}
}

// TestDecoderZeroAllocs proves that decoding a frame does not allocate.
func TestDecoderZeroAllocs(t *testing.T) {
	frames := decReadSer(t, "hts1a.ser")
	d := NewDecoder()
	var pcm [FrameSamples]int16
	k := 0
	allocs := testing.AllocsPerRun(100, func() {
		f := &frames[k%len(frames)]
		d.Decode(pcm[:], f.bits[:], k%7 == 3)
		k++
	})
	if allocs != 0 {
		t.Fatalf("Decode allocates %v times per frame, want 0", allocs)
	}
}

// TestDecoderPanicsOnShortBuffers checks the documented caller-bug panics.
func TestDecoderPanicsOnShortBuffers(t *testing.T) {
	d := NewDecoder()
	bits := make([]byte, FrameBits)
	for _, c := range []struct {
		name string
		pcm  []int16
		bits []byte
		bfi  bool
	}{
		{"short pcm", make([]int16, FrameSamples-1), bits, false},
		{"short bits", make([]int16, FrameSamples), bits[:FrameBits-1], false},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			d.Decode(c.pcm, c.bits, c.bfi)
		})
	}
	// A bad frame does not read the bits.
	d.Decode(make([]int16, FrameSamples), nil, true)
}

// TestBitsToParams checks the frame layout against a hand-built frame whose
// parameters are known.
func TestBitsToParams(t *testing.T) {
	want := [NumParams]int16{
		0xA5, 0x1FF, 0x0,
		0x81, 0x2AAA, 1, 0, 0x3F,
		0x1F, 0x3FFF, 0, 1, 0x15,
		0x10, 0x0001, 1, 1, 0x20,
		0x00, 0x2000, 0, 0, 0x01,
	}
	var bits []byte
	for i, v := range want {
		for b := int(paramBits[i]) - 1; b >= 0; b-- {
			bits = append(bits, byte(v>>b)&1)
		}
	}
	if len(bits) != FrameBits {
		t.Fatalf("layout has %d bits, want %d", len(bits), FrameBits)
	}
	var got [NumParams]int16
	bitsToParams(&got, bits)
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Only the byte value 1 is a one bit (bin2int of the reference).
	for i := range bits {
		if bits[i] == 0 {
			bits[i] = 2
		}
	}
	bitsToParams(&got, bits)
	if got != want {
		t.Fatalf("with 2 for zero bits: got %v, want %v", got, want)
	}
}

// TestDecoderConcealmentFades checks the concealment over a long run of
// bad frames: the energies decay by 0.5 (log2) per subframe, so the output
// falls by about 6 dB per frame until it settles near silence, and good
// frames afterwards decode normally again.
func TestDecoderConcealmentFades(t *testing.T) {
	frames := decReadSer(t, "hts1a.ser")
	d := NewDecoder()
	var pcm [FrameSamples]int16
	level := func() float64 { // RMS in dB relative to 1
		var s float64
		for _, v := range pcm {
			s += float64(v) * float64(v)
		}
		return 10 * math.Log10(s/FrameSamples+1e-9)
	}
	for _, f := range frames[:40] {
		d.Decode(pcm[:], f.bits[:], false)
	}
	prev := level()
	for k := range 30 {
		d.Decode(pcm[:], nil, true)
		l := level()
		if k < 5 && l > prev-4 {
			t.Fatalf("bad frame %d: %.1f dB after %.1f dB, want a fall of at least 4 dB", k, l, prev)
		}
		if k >= 8 && l > 20 { // RMS 10, -70 dBFS
			t.Fatalf("bad frame %d: %.1f dB, want near silence", k, l)
		}
		prev = l
	}
	for _, f := range frames[70:80] {
		d.Decode(pcm[:], f.bits[:], false)
	}
	if l := level(); l < 30 {
		t.Fatalf("good frames after the bad run decode at %.1f dB only", l)
	}
}
