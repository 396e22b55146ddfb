package acelp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// encVectors are the inputs of the ETSI reference vectors (testdata/README.md).
var encVectors = []string{"hts1a", "silence", "sine1k", "noise", "square_fullscale"}

// encReadPCM reads a raw s16le file of testdata, whole frames only.
func encReadPCM(t testing.TB, name string) []int16 {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	n := len(raw) / 2 / FrameSamples * FrameSamples
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm
}

// encEncodeFile encodes pcm with a new Encoder and returns the serial file
// (138 s16le words per frame: BFI 0, then the bits) and the local synthesis
// (s16le), the formats of the reference encoder's outputs.
func encEncodeFile(pcm []int16) (ser, synth []byte) {
	e := NewEncoder()
	var bits [FrameBits]byte
	var syn [FrameSamples]int16
	for k := 0; k+FrameSamples <= len(pcm); k += FrameSamples {
		e.EncodeSynth(bits[:], syn[:], pcm[k:k+FrameSamples])
		ser = binary.LittleEndian.AppendUint16(ser, 0)
		for _, b := range bits {
			ser = binary.LittleEndian.AppendUint16(ser, uint16(b))
		}
		for _, s := range syn {
			synth = binary.LittleEndian.AppendUint16(synth, uint16(s))
		}
	}
	return ser, synth
}

// TestEncoderBitExact encodes the inputs of the ETSI EN 300 395-2 V1.3.1
// reference vectors and compares the bitstream with the reference encoder's
// X.ser and the local synthesis with its X.synth.pcm (which is identical to
// X.dec.pcm, the file kept in testdata), byte for byte.
func TestEncoderBitExact(t *testing.T) {
	identical := 0
	for _, name := range encVectors {
		t.Run(name, func(t *testing.T) {
			pcm := encReadPCM(t, name+".pcm")
			ser, synth := encEncodeFile(pcm)
			want, err := os.ReadFile(filepath.Join("testdata", name+".ser"))
			if err != nil {
				t.Fatal(err)
			}
			ok := true
			if !bytes.Equal(ser, want) {
				ok = false
				t.Errorf("%s.ser differs: %s", name, encFirstDiff(ser, want, 2*(1+FrameBits)))
			}
			want, err = os.ReadFile(filepath.Join("testdata", name+".dec.pcm"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(synth, want) {
				ok = false
				t.Errorf("%s local synthesis differs: %s", name, encFirstDiff(synth, want, 2*FrameSamples))
			}
			if ok {
				identical++
			}
		})
	}
	t.Logf("encoder: %d of %d vectors identical (.ser and local synthesis)", identical, len(encVectors))
}

// encFirstDiff describes the first difference of two files of frames of
// frameBytes bytes.
func encFirstDiff(got, want []byte, frameBytes int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Sprintf("first at byte %d (frame %d, word %d)", i, i/frameBytes, i%frameBytes/2)
		}
	}
	return "none"
}

// TestEncoderZeroAllocs checks that encoding a frame allocates nothing.
func TestEncoderZeroAllocs(t *testing.T) {
	pcm := encReadPCM(t, "hts1a.pcm")
	e := NewEncoder()
	var bits [FrameBits]byte
	var synth [FrameSamples]int16
	k := 0
	frame := func() []int16 {
		k = (k + 1) % (len(pcm) / FrameSamples)
		return pcm[k*FrameSamples : (k+1)*FrameSamples]
	}
	e.EncodeSynth(bits[:], synth[:], frame()) // warm-up
	if n := testing.AllocsPerRun(100, func() { e.Encode(bits[:], frame()) }); n != 0 {
		t.Errorf("Encode: %v allocations per frame, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { e.EncodeSynth(bits[:], synth[:], frame()) }); n != 0 {
		t.Errorf("EncodeSynth: %v allocations per frame, want 0", n)
	}
}

// TestEncoderReset checks that Reset returns an Encoder that has coded
// other speech to the initial state: it then codes hts1a as a new one does.
func TestEncoderReset(t *testing.T) {
	pcm := encReadPCM(t, "hts1a.pcm")
	want, _ := encEncodeFile(pcm)
	e := NewEncoder()
	var bits [FrameBits]byte
	noise := encReadPCM(t, "noise.pcm")
	for k := 0; k < 10; k++ {
		e.Encode(bits[:], noise[k*FrameSamples:])
	}
	e.Reset()
	var got []byte
	for k := 0; k+FrameSamples <= len(pcm); k += FrameSamples {
		e.Encode(bits[:], pcm[k:k+FrameSamples])
		got = binary.LittleEndian.AppendUint16(got, 0)
		for _, b := range bits {
			got = binary.LittleEndian.AppendUint16(got, uint16(b))
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("after Reset: %s", encFirstDiff(got, want, 2*(1+FrameBits)))
	}
}

// TestEncoderIndependent interleaves two Encoders frame by frame on
// different inputs: each must code exactly as if it ran alone (no shared
// state).
func TestEncoderIndependent(t *testing.T) {
	a := encReadPCM(t, "hts1a.pcm")
	b := encReadPCM(t, "sine1k.pcm")
	wantA, _ := encEncodeFile(a[:60*FrameSamples])
	wantB, _ := encEncodeFile(b[:60*FrameSamples])
	ea, eb := NewEncoder(), NewEncoder()
	var gotA, gotB []byte
	var bits [FrameBits]byte
	appendFrame := func(dst []byte) []byte {
		dst = binary.LittleEndian.AppendUint16(dst, 0)
		for _, v := range bits {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		}
		return dst
	}
	for k := 0; k < 60; k++ {
		ea.Encode(bits[:], a[k*FrameSamples:])
		gotA = appendFrame(gotA)
		eb.Encode(bits[:], b[k*FrameSamples:])
		gotB = appendFrame(gotB)
	}
	if !bytes.Equal(gotA, wantA) || !bytes.Equal(gotB, wantB) {
		t.Error("interleaved Encoders do not code as separate runs")
	}
}

// TestEncoderDoesNotModifyInput checks that Encode leaves pcm unchanged.
func TestEncoderDoesNotModifyInput(t *testing.T) {
	pcm := encReadPCM(t, "hts1a.pcm")[:FrameSamples]
	orig := append([]int16(nil), pcm...)
	var bits [FrameBits]byte
	NewEncoder().Encode(bits[:], pcm)
	for i := range pcm {
		if pcm[i] != orig[i] {
			t.Fatalf("pcm[%d] changed from %d to %d", i, orig[i], pcm[i])
		}
	}
}

// TestEncoderPanicsOnShortBuffers checks the documented panics on caller
// bugs.
func TestEncoderPanicsOnShortBuffers(t *testing.T) {
	var bits [FrameBits]byte
	var pcm, synth [FrameSamples]int16
	tests := []struct {
		name string
		f    func(e *Encoder)
	}{
		{"short pcm", func(e *Encoder) { e.Encode(bits[:], pcm[:FrameSamples-1]) }},
		{"short bits", func(e *Encoder) { e.Encode(bits[:FrameBits-1], pcm[:]) }},
		{"short synth", func(e *Encoder) { e.EncodeSynth(bits[:], synth[:10], pcm[:]) }},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			c.f(NewEncoder())
		})
	}
}

// TestEncoderDecoderAgree encodes synthetic signals that stress the
// saturation and overflow paths (full-scale noise, alternating extremes,
// a chirp at full scale, tiny noise) and checks that the encoder's local
// synthesis equals the Decoder's output for the emitted bits, frame by
// frame. Seeded: rand.NewPCG(1, 1).
func TestEncoderDecoderAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	gens := []struct {
		name string
		gen  func(i int) int16
	}{
		{"fullscale-noise", func(int) int16 { return int16(r.Uint32()) }},
		{"alternating-extremes", func(i int) int16 {
			if i%2 == 0 {
				return 32767
			}
			return -32768
		}},
		{"chirp", func(i int) int16 {
			x := float64(i) / SampleRateHz
			return int16(32767 * math.Sin(2*math.Pi*(50+1800*x)*x))
		}},
		{"tiny-noise", func(int) int16 { return int16(r.IntN(5) - 2) }},
		{"dc", func(int) int16 { return 20000 }},
	}
	for _, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			e, d := NewEncoder(), NewDecoder()
			var pcm, synth, dec [FrameSamples]int16
			var bits [FrameBits]byte
			for k := 0; k < 20; k++ {
				for i := range pcm {
					pcm[i] = g.gen(k*FrameSamples + i)
				}
				e.EncodeSynth(bits[:], synth[:], pcm[:])
				d.Decode(dec[:], bits[:], false)
				if synth != dec {
					t.Fatalf("frame %d: local synthesis differs from the decoder output", k)
				}
			}
		})
	}
}

// TestParamsToBits checks Prm2bits_Tetra against its inverse
// Bits2prm_Tetra on random parameters within their widths, and the bit
// order on one known frame: the first frame of the reference hts1a.ser.
func TestParamsToBits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var prm, back [NumParams]int16
	var bits [FrameBits]byte
	for trial := 0; trial < 1000; trial++ {
		for i, n := range paramBits {
			prm[i] = int16(r.IntN(1 << n))
		}
		paramsToBits(bits[:], &prm)
		bitsToParams(&back, bits[:])
		if back != prm {
			t.Fatalf("trial %d: bitsToParams(paramsToBits(%v)) = %v", trial, prm, back)
		}
	}
	pcm := encReadPCM(t, "hts1a.pcm")
	ser, _ := encEncodeFile(pcm[:FrameSamples])
	want := decReadSer(t, "hts1a.ser")[0]
	for i := range FrameBits {
		if got := byte(binary.LittleEndian.Uint16(ser[2*(i+1):])); got != want.bits[i] {
			t.Fatalf("frame 0 bit %d = %d, want %d", i, got, want.bits[i])
		}
	}
}
