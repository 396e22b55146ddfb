package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/codec/voice"
)

// TestCodecCLIBitExact: `tetrasim codec encode` and `decode` reproduce the ETSI
// reference files (hts1a .pcm -> .ser -> .dec.pcm) byte for byte, and score works.
func TestCodecCLIBitExact(t *testing.T) {
	dir := t.TempDir()
	in := "../../codec/voice/testdata/hts1a.pcm"
	ser := filepath.Join(dir, "a.ser")
	dec := filepath.Join(dir, "a.pcm")
	if rc := run([]string{"codec", "encode", in, ser}); rc != 0 {
		t.Fatalf("encode rc %d", rc)
	}
	gotSer, _ := os.ReadFile(ser)
	wantSer, err := os.ReadFile("../../codec/acelp/testdata/hts1a.ser")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotSer, wantSer) {
		t.Fatal("encoded .ser differs from the ETSI reference encoder output")
	}
	if rc := run([]string{"codec", "decode", ser, dec}); rc != 0 {
		t.Fatalf("decode rc %d", rc)
	}
	got, _ := os.ReadFile(dec)
	want, err := os.ReadFile("../../codec/voice/testdata/hts1a.dec.pcm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("decoded PCM differs from the ETSI reference decoder output")
	}
	if rc := run([]string{"codec", "decode", ser, filepath.Join(dir, "a.wav")}); rc != 0 {
		t.Fatalf("decode to wav rc %d", rc)
	}
	// score reports the calibration row of speech-codec.md §5.1 for this pair.
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"codec", "score", "--json", in, filepath.Join(dir, "a.wav")})
	if err := root.Execute(); err != nil {
		t.Fatalf("score: %v", err)
	}
	var sc voice.Score
	if err := json.Unmarshal(out.Bytes(), &sc); err != nil {
		t.Fatalf("score --json output %q: %v", out.String(), err)
	}
	if sc.LagSamples != 40 || math.Abs(sc.SegSNR-7.04) > 0.02 || math.Abs(sc.LSD-7.89) > 0.02 {
		t.Fatalf("score: lag %d segSNR %.3f LSD %.3f, want 40 / 7.04 / 7.89", sc.LagSamples, sc.SegSNR, sc.LSD)
	}
}

func TestCodecCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.wav")
	os.WriteFile(bad, []byte(strings.Repeat("x", 100)), 0o644)
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"codec", "encode", bad, filepath.Join(dir, "o.ser")}, 1},
		{[]string{"codec", "encode", "../../codec/voice/testdata/hts1a.pcm", filepath.Join(dir, "o.txt")}, 2},
		{[]string{"codec", "encode", "--codec", "nope", "a.wav", "b.ser"}, 2},
		{[]string{"codec", "decode", bad, filepath.Join(dir, "o.wav")}, 1},
		{[]string{"codec", "score", "onlyone"}, 2},
	} {
		if got := run(c.args); got != c.want {
			t.Errorf("%q: exit %d, want %d", c.args, got, c.want)
		}
	}
}
