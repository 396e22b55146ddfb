package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if rc := run([]string{"codec", "score", "--json", in, filepath.Join(dir, "a.wav")}); rc != 0 {
		t.Fatalf("score rc %d", rc)
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
