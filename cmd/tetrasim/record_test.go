package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
)

func runCtx(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	root := newRootCmd()
	var o, e bytes.Buffer
	root.SetOut(&o)
	root.SetErr(&e)
	root.SetArgs(args)
	err = root.ExecuteContext(ctx)
	return o.String(), e.String(), err
}

func TestRecordFileToSigMF(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.cs8")
	b := make([]byte, 2*30000)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	os.WriteFile(in, b, 0o644)
	out := filepath.Join(dir, "rec.sigmf-meta")
	_, stderr, err := runCtx(context.Background(), "record", "--device", "file="+in+",rate=1e6,freq=433.92M", "--seconds", "0.02", "--out", out, "--format", "cs8")
	if err != nil {
		t.Fatal(err, stderr)
	}
	if !strings.Contains(stderr, "20000 samples") {
		t.Errorf("stderr: %s", stderr)
	}
	r, err := sigmf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 20000 || r.Meta.CenterHz() != 433.92e6 || r.Meta.Global.SampleRate != 1e6 || r.Format != iq.CS8 {
		t.Fatalf("recording %d %+v", r.Len(), r.Meta.Global)
	}
	got, _ := os.ReadFile(sigmf.DataPath(out))
	if !bytes.Equal(got, b[:40000]) {
		t.Error("cs8 -> cs8 recording is not bit-exact")
	}
}

// TestRecordInterrupted: cancelling the context (Ctrl-C) closes a valid recording.
func TestRecordInterrupted(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.cu8")
	os.WriteFile(in, make([]byte, 20000), 0o644)
	out := filepath.Join(dir, "rec.sigmf-meta")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, stderr, err := runCtx(ctx, "record", "--device", "file="+in+",rate=1e5,repeat,throttle", "--seconds", "30", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "interrupted") || !strings.Contains(stderr, "closed properly") {
		t.Errorf("stderr: %s", stderr)
	}
	r, err := sigmf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() < 1000 || r.Len() > 100000 {
		t.Errorf("%d samples after 0.3 s at 100 kS/s", r.Len())
	}
}

func TestRecordUsageErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.cu8")
	os.WriteFile(in, make([]byte, 200), 0o644)
	os.WriteFile(filepath.Join(dir, "odd.cs16"), make([]byte, 7), 0o644)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"record", "--device", "nosuch=1", "--out", filepath.Join(dir, "a.sigmf-meta")}, 2},
		{[]string{"record", "--device", "file=" + in, "--out", filepath.Join(dir, "b.sigmf-meta")}, 2}, // no rate
		{[]string{"record", "--device", "file=" + in + ",rate=1e6"}, 2},                                // no --out
		{[]string{"record", "--device", "file=" + in + ",rate=1e6", "--seconds", "-1", "--out", filepath.Join(dir, "c.sigmf-meta")}, 2},
		{[]string{"record", "--device", "file=" + filepath.Join(dir, "odd.cs16") + ",rate=1e6", "--out", filepath.Join(dir, "d.sigmf-meta")}, 1},
		{[]string{"record", "--device", "file=" + filepath.Join(dir, "missing.cu8") + ",rate=1e6", "--out", filepath.Join(dir, "e.sigmf-meta")}, 1},
		{[]string{"devices", "extra"}, 2},
	} {
		if got := run(c.args); got != c.code {
			t.Errorf("%q: exit %d, want %d", c.args, got, c.code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d.sigmf-meta")); err == nil {
		t.Error("a recording was started from a truncated input")
	}
}

func TestDevicesCommand(t *testing.T) {
	stdout, _, err := runCtx(context.Background(), "devices")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "No SDR hardware found") && !strings.Contains(stdout, "DEVICE STRING") {
		t.Errorf("devices: %s", stdout)
	}
}
