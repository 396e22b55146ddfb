//go:build rtlsdr && cgo

package rtlsdr

import (
	"context"
	"testing"
	"time"
)

// TestReceiveIfAttached receives 0.5 s at 2.304 MS/s from the first dongle
// found and checks the stream and its counters; it skips when none is attached.
func TestReceiveIfAttached(t *testing.T) {
	ctx := context.Background()
	infos, _ := List(ctx)
	if len(infos) == 0 {
		t.Skip("no RTL-SDR attached")
	}
	src, err := Open(ctx, ":"+infos[0].Serial)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if r, err := src.SetSampleRate(ctx, 2.304e6); err != nil || r < 2.3e6 || r > 2.31e6 {
		t.Fatalf("rate %g %v", r, err)
	}
	if _, err := src.Tune(ctx, 433.92e6); err != nil {
		t.Fatal(err)
	}
	buf := make([]complex64, 1<<16)
	var n int
	deadline := time.Now().Add(5 * time.Second)
	for n < 1152000 && time.Now().Before(deadline) {
		m, err := src.ReadIQ(ctx, buf)
		if err != nil {
			t.Fatal(err)
		}
		n += m
	}
	t.Logf("read %d samples, stats %+v", n, src.Stats())
	if n < 1152000 {
		t.Errorf("only %d samples in 5 s", n)
	}
	if err := src.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}
