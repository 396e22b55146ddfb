//go:build codec2 && cgo

package codec2

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func readPCM(t *testing.T, name string) []int16 {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// encodePacked runs our binding over pcm and returns the packed frames, as c2enc writes them.
func encodePacked(t *testing.T, c *Codec, pcm []int16) []byte {
	var out []byte
	bitsBuf := make([]byte, 0, c.BitsPerFrame())
	for i := 0; i+c.SamplesPerFrame() <= len(pcm); i += c.SamplesPerFrame() {
		bitsBuf = c.Encode(bitsBuf[:0], pcm[i:i+c.SamplesPerFrame()])
		frame := make([]byte, c.nbytes)
		for k, b := range bitsBuf {
			frame[k/8] |= b << (7 - k%8)
		}
		out = append(out, frame...)
	}
	return out
}

func TestModesGeometry(t *testing.T) {
	for _, c := range []struct {
		mode           string
		samples, nbits int
	}{{"3200", 160, 64}, {"1600", 320, 64}, {"700C", 320, 28}} {
		cc, err := New(c.mode)
		if err != nil {
			t.Fatal(err)
		}
		if cc.SamplesPerFrame() != c.samples || cc.BitsPerFrame() != c.nbits {
			t.Errorf("%s: %d samples %d bits", c.mode, cc.SamplesPerFrame(), cc.BitsPerFrame())
		}
	}
	if _, err := New("9999"); err == nil {
		t.Error("unknown mode accepted")
	}
}

// TestMatchesC2enc: our 3200 and 1600 frames equal Debian's c2enc output on hts1a.
func TestMatchesC2enc(t *testing.T) {
	c2enc, err := exec.LookPath("c2enc")
	if err != nil {
		t.Skip("c2enc not installed (Debian package codec2)")
	}
	pcm := readPCM(t, "testdata/hts1a.pcm")
	for _, mode := range []string{"3200", "1600"} {
		out := filepath.Join(t.TempDir(), "hts1a.bit") // raw frames: a .c2 name would add a 7-byte header
		if b, err := exec.Command(c2enc, mode, "testdata/hts1a.pcm", out).CombinedOutput(); err != nil {
			t.Fatalf("c2enc: %v: %s", err, b)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(mode)
		if err != nil {
			t.Fatal(err)
		}
		got := encodePacked(t, c, pcm)
		if !bytes.Equal(got, want) {
			t.Errorf("mode %s: our frames differ from c2enc (%d vs %d bytes)", mode, len(got), len(want))
		} else {
			t.Logf("mode %s: %d frames identical to c2enc", mode, len(want)/c.nbytes)
		}
	}
}

// TestRoundTrip: decoding our own frames gives speech at the input's level, and bad
// frames are concealed then muted.
func TestRoundTrip(t *testing.T) {
	pcm := readPCM(t, "testdata/hts1a.pcm")
	c, err := New("3200")
	if err != nil {
		t.Fatal(err)
	}
	n := c.SamplesPerFrame()
	var eIn, eOut float64
	out := make([]int16, n)
	var bits []byte
	for i := 0; i+n <= len(pcm); i += n {
		bits = c.Encode(bits[:0], pcm[i:i+n])
		c.Decode(out, bits, false)
		for k := 0; k < n; k++ {
			eIn += float64(pcm[i+k]) * float64(pcm[i+k])
			eOut += float64(out[k]) * float64(out[k])
		}
	}
	ratio := 10 * math.Log10(eOut/eIn)
	if math.Abs(ratio) > 6 {
		t.Errorf("output energy %+.1f dB from input", ratio)
	}
	for i := 0; i < maxBadRun+1; i++ {
		c.Decode(out, nil, true)
	}
	for _, v := range out {
		if v != 0 {
			t.Fatal("output not muted after a long run of bad frames")
		}
	}
}
