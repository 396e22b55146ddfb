package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/iq/iqtest"
)

func flagsFor(t *testing.T, dir hardware.Direction, args ...string) *deviceFlags {
	t.Helper()
	c := &cobra.Command{Use: "x"}
	f := addDeviceFlags(c, dir)
	if err := c.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDeviceHelpersLoopback(t *testing.T) {
	ctx := withRegistry(context.Background(), newDeviceRegistry()) // sink and source share it
	tx := flagsFor(t, hardware.TX, "--device", "loopback=helpers", "--freq", "433.92e6", "--rate", "144e3")
	rx := flagsFor(t, hardware.RX, "--device", "loopback=helpers", "--freq", "433.92e6", "--rate", "144e3")
	var warn bytes.Buffer
	snk, err := openSinkWithSafety(ctx, &warn, tx, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSourceFlag(ctx, rx)
	if err != nil {
		t.Fatal(err)
	}
	want := []complex64{1, 1i, -1, -1i}
	snk.WriteIQ(ctx, want)
	snk.Close()
	got := make([]complex64, 8)
	n, _ := iq.ReadFull(src, got)
	src.Close()
	if n != 4 || got[1] != 1i {
		t.Errorf("got %d %v", n, got[:n])
	}
	if warn.Len() != 0 {
		t.Errorf("loopback printed a TX warning: %s", warn.String())
	}
}

func TestDeviceHelpersSigMF(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "tx.sigmf-meta")
	tx := flagsFor(t, hardware.TX, "--device", p, "--freq", "433.92e6", "--rate", "144e3")
	snk, err := openSinkWithSafety(ctx, &bytes.Buffer{}, tx, 0)
	if err != nil {
		t.Fatal(err)
	}
	snk.WriteIQ(ctx, make([]complex64, 100))
	snk.(hardware.Annotator).Annotate(10, 50, "NDB", "test", 0, 0)
	if err := snk.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := sigmf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 100 || r.Meta.CenterHz() != 433.92e6 || r.Meta.Global.SampleRate != 144e3 || len(r.Meta.Annotations) != 1 {
		t.Errorf("recording: %d %+v", r.Len(), r.Meta)
	}
}

func TestDeviceErrors(t *testing.T) {
	ctx := context.Background()
	var ue usageError
	for _, spec := range []string{"", "nosuch=1", "file=x.cu8,colour=red"} {
		_, err := openSourceFlag(ctx, &deviceFlags{Device: spec})
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v is not a usage error", spec, err)
		}
	}
	if _, err := openSourceFlag(ctx, &deviceFlags{Device: "file=/nonexistent/x.cu8"}); err == nil || errors.As(err, &ue) {
		t.Errorf("missing file: %v", err)
	}
	tx := flagsFor(t, hardware.TX, "--allow-freq", "5:1")
	if _, err := tx.txPolicy(0); !errors.As(err, &ue) {
		t.Errorf("bad --allow-freq: %v", err)
	}
	tx = flagsFor(t, hardware.TX, "--allow-freq", "433.05M:434.79M")
	p, err := tx.txPolicy(0)
	if err != nil || len(p.Allowed) != 1 || p.Allowed[0].Min != 433.05e6 || p.MaxBurst <= 0 {
		t.Errorf("policy %+v %v", p, err)
	}
}

func TestHelpHasLegalNote(t *testing.T) {
	if !strings.Contains(txLegalNote, "--cipher clear") || !strings.Contains(txLegalNote, "amateur") {
		t.Error("legal note lost its warning")
	}
}

func TestReportStats(t *testing.T) {
	ctx := withRegistry(context.Background(), newDeviceRegistry()) // sink and source share it
	rx := flagsFor(t, hardware.RX, "--device", "loopback=stats,drop=1,seed=1")
	tx := flagsFor(t, hardware.TX, "--device", "loopback=stats")
	snk, err := openSinkWithSafety(ctx, &bytes.Buffer{}, tx, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSourceFlag(ctx, rx)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out bytes.Buffer
	stop := reportStats(ctx, &out, src, time.Hour)
	snk.WriteIQ(ctx, make([]complex64, 4096))
	snk.Close()
	src.ReadIQ(ctx, make([]complex64, 16)) // every block is dropped: EOF
	stop()
	stop()
	if !strings.Contains(out.String(), "dropped 4096 in 4 overflows") {
		t.Errorf("report: %q", out.String())
	}
}

func TestLOOffsetFlag(t *testing.T) {
	ctx := withRegistry(context.Background(), newDeviceRegistry()) // sink and source share it
	tx := flagsFor(t, hardware.TX, "--device", "loopback=lo", "--freq", "433.92e6", "--rate", "1e6")
	rx := flagsFor(t, hardware.RX, "--device", "loopback=lo", "--freq", "433.92e6", "--rate", "1e6", "--lo-offset", "200e3")
	snk, err := openSinkWithSafety(ctx, &bytes.Buffer{}, tx, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSourceFlag(ctx, rx)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dc := make([]complex64, 10000)
	for i := range dc {
		dc[i] = 0.5
	}
	snk.WriteIQ(ctx, dc)
	snk.Close()
	got := make([]complex64, len(dc))
	if n, _ := iq.ReadFull(src, got); n != len(dc) {
		t.Fatalf("read %d", n)
	}
	// The carrier at --freq arrives at DC despite the device tuned 200 kHz lower.
	if f := iqtest.FreqOf(got) * 1e6; f > 1 || f < -1 {
		t.Errorf("carrier at %.2f Hz, want 0", f)
	}
	if _, err := openSourceFlag(ctx, flagsFor(t, hardware.RX, "--device", "loopback=lo2", "--lo-offset", "1e5")); err == nil {
		t.Error("--lo-offset without --freq accepted")
	}
}

// TestRegistryPerRun: every command line gets a registry of its own, and a
// context that already carries one keeps it (how tests run two commands on
// one loopback hub).
func TestRegistryPerRun(t *testing.T) {
	a := ensureRegistry(context.Background())
	b := ensureRegistry(context.Background())
	if registryOf(a) == registryOf(b) {
		t.Fatal("two runs share a registry")
	}
	if registryOf(ensureRegistry(a)) != registryOf(a) {
		t.Fatal("ensureRegistry replaced the registry of the context")
	}
	// Two runs with their own registries do not meet on loopback: the sink
	// has no peer.
	ctxTX, ctxRX := ensureRegistry(context.Background()), ensureRegistry(context.Background())
	snk, err := openSinkWithSafety(ctxTX, &bytes.Buffer{}, flagsFor(t, hardware.TX, "--device", "loopback=apart"), 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := openSourceFlag(ctxRX, flagsFor(t, hardware.RX, "--device", "loopback=apart"))
	if err != nil {
		t.Fatal(err)
	}
	snk.WriteIQ(ctxTX, []complex64{1, 2, 3})
	snk.Close()
	ctx, cancel := context.WithTimeout(ctxRX, 200*time.Millisecond)
	defer cancel()
	if n, _ := src.ReadIQ(ctx, make([]complex64, 4)); n != 0 {
		t.Errorf("a source of another registry read %d samples", n)
	}
	src.Close()
}
