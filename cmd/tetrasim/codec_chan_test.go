package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetrasim/tetrasim/codec/voice"
)

// TestCodecChanRoundTrip: random speech frames → chan-encode → chan-decode gives
// the same frames with BFI 0 (odd final frame dropped); bad arguments exit 2.
func TestCodecChanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	var ser []byte
	frames := make([][]byte, 7)
	for i := range frames {
		frames[i] = make([]byte, 137)
		for k := range frames[i] {
			frames[i][k] = byte(rng.IntN(2))
		}
		ser = voice.AppendSer(ser, frames[i], false)
	}
	in := filepath.Join(dir, "in.ser")
	if err := os.WriteFile(in, ser, 0o644); err != nil {
		t.Fatal(err)
	}
	ch := filepath.Join(dir, "x.chan")
	out := filepath.Join(dir, "out.ser")
	if code := run([]string{"codec", "chan-encode", in, ch}); code != 0 {
		t.Fatalf("chan-encode exit %d", code)
	}
	if code := run([]string{"codec", "chan-decode", ch, out}); code != 0 {
		t.Fatalf("chan-decode exit %d", code)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ser[:6*276]) {
		t.Fatal("round trip differs")
	}
	if code := run([]string{"codec", "chan-decode", ch}); code != 2 {
		t.Fatalf("missing argument: exit %d, want 2", code)
	}
	if code := run([]string{"codec", "chan-decode", in, out}); code != 1 {
		t.Fatalf(".ser given as .chan: exit %d, want 1", code)
	}
	// Fewer than two frames make no block: an error, not an empty .chan.
	one := filepath.Join(dir, "one.ser")
	if err := os.WriteFile(one, ser[:276], 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"codec", "chan-encode", one, filepath.Join(dir, "one.chan")}); code != 1 {
		t.Fatalf("one frame: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "one.chan")); err == nil {
		t.Fatal("one frame: an empty .chan was written")
	}
}
