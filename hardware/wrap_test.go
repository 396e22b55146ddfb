package hardware_test

import (
	"context"
	"math"
	"testing"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/loopback"
	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/iq/iqtest"
)

// TestLOOffset: a carrier at 433.92 MHz received through a loopback with the
// receiver tuned via WithLOOffset(100 kHz) arrives at 0 Hz, while the device
// itself sits 100 kHz lower.
func TestLOOffset(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(loopback.NewHub().Driver())
	snk, _ := reg.OpenSink(ctx, "loopback=lo,rate=1e6,freq=433.92e6", hardware.TXPolicy{})
	src, _ := reg.OpenSource(ctx, "loopback=lo")
	rx := hardware.WithLOOffset(src, 100e3)
	if got, err := rx.Tune(ctx, 433.92e6); err != nil || got != 433.92e6 {
		t.Fatalf("Tune = %g, %v", got, err)
	}
	if _, c := src.(hardware.Settings).Settings(); c != 433.82e6 {
		t.Fatalf("device centre %g, want 433.82 MHz", c)
	}
	// A tone 1 kHz above the carrier.
	tone := make([]complex64, 200000)
	iq.ReadFull(&iqtest.Tone{FreqHz: 1e3, RateHz: 1e6, Amplitude: 0.5}, tone)
	snk.WriteIQ(ctx, tone)
	snk.Close()
	var rec iqtest.Sink
	out := make([]complex64, len(tone))
	n, err := iq.ReadFull(hardware.Tee(rx, &rec), out)
	if n != len(tone) {
		t.Fatalf("read %d, %v", n, err)
	}
	if f := iqtest.FreqOf(out) * 1e6; math.Abs(f-1e3) > 0.5 {
		t.Errorf("tone at %.2f Hz, want 1000", f)
	}
	if p := iqtest.Power(out); math.Abs(p-0.25) > 1e-3 {
		t.Errorf("power %g", p)
	}
	if len(rec.S) != n || rec.S[n-1] != out[n-1] {
		t.Errorf("tee recorded %d samples", len(rec.S))
	}
}
