//go:build hackrf && cgo

package hackrf

import (
	"context"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
)

// TestReceiveIfAttached receives 0.5 s at 8.064 MS/s from the first HackRF
// found, and checks the stream and its counters; it skips when none is
// attached (CI). It never transmits.
func TestReceiveIfAttached(t *testing.T) {
	ctx := context.Background()
	infos, err := List(ctx)
	if err != nil || len(infos) == 0 {
		t.Skipf("no HackRF attached (%v)", err)
	}
	d, err := Open(ctx, infos[0].Serial, hardware.RX)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if r, err := d.SetSampleRate(ctx, 8.064e6); err != nil || r != 8.064e6 {
		t.Fatalf("rate %g %v", r, err)
	}
	if _, err := d.Tune(ctx, 433.92e6); err != nil {
		t.Fatal(err)
	}
	if g, err := d.SetGain(ctx, "", 32); err != nil || g != 32 {
		t.Fatalf("gain %g %v", g, err)
	}
	src := d.(hardware.Source)
	buf := make([]complex64, 1<<16)
	var n int
	deadline := time.Now().Add(5 * time.Second)
	for n < 4032000 && time.Now().Before(deadline) {
		m, err := src.ReadIQ(ctx, buf)
		if err != nil {
			t.Fatal(err)
		}
		n += m
	}
	st := src.Stats()
	t.Logf("read %d samples, stats %+v", n, st)
	if n < 4032000 {
		t.Errorf("only %d samples in 5 s at 8.064 MS/s", n)
	}
	if err := d.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}
