package acelp

import (
	"bytes"
	"encoding/binary"
	"fmt"
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
