package hackrf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/hardware"
)

func TestBasebandFilter(t *testing.T) {
	for _, c := range [][2]float64{{2e6, 1.75e6}, {8e6, 6e6}, {8.064e6, 6e6}, {10e6, 7e6}, {20e6, 15e6}, {1e6, 1.75e6}} {
		if got := BasebandFilterFor(c[0]); got != c[1] {
			t.Errorf("BasebandFilterFor(%g) = %g, want %g", c[0], got, c[1])
		}
	}
	if got := NearestBasebandFilter(5.2e6); got != 5e6 {
		t.Errorf("NearestBasebandFilter(5.2e6) = %g", got)
	}
}

func TestSplitRXGain(t *testing.T) {
	for _, c := range [][3]float64{{0, 0, 0}, {32, 16, 16}, {40, 16, 24}, {102, 40, 62}, {200, 40, 62}, {7, 0, 8}} {
		lna, vga := SplitRXGain(c[0])
		if lna != c[1] || vga != c[2] {
			t.Errorf("SplitRXGain(%g) = %g, %g; want %g, %g", c[0], lna, vga, c[1], c[2])
		}
	}
}

func TestGainStages(t *testing.T) {
	for _, c := range []struct {
		stage string
		dir   hardware.Direction
		ok    bool
	}{{"lna", hardware.RX, true}, {"VGA", hardware.RX, true}, {"AMP", hardware.TX, true}, {"", hardware.TX, true},
		{"TXVGA", hardware.RX, false}, {"LNA", hardware.TX, false}, {"IF", hardware.RX, false}} {
		_, _, err := gainStage(c.stage, c.dir)
		if (err == nil) != c.ok {
			t.Errorf("gainStage(%q, %v): %v", c.stage, c.dir, err)
		}
	}
}

func TestMapError(t *testing.T) {
	for _, c := range []struct {
		code int
		want error
		hint string
	}{
		{codeNotFound, hardware.ErrNoDevice, "cable"},
		{codeBusy, hardware.ErrBusy, "another program"},
		{codeLibUSB, hardware.ErrPermission, "plugdev"},
		{codeInvalidParam, ErrInvalidParam, ""},
	} {
		err := mapError("open", c.code, "NAME")
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.hint) || !strings.HasPrefix(err.Error(), "hackrf: open: NAME") {
			t.Errorf("code %d: %v", c.code, err)
		}
	}
	if mapError("x", 0, "") != nil || mapError("x", 1, "") != nil {
		t.Error("success mapped to an error")
	}
}

// TestNoDevice runs in every build: without the tag the driver says how to
// build it; with it (and no HackRF attached, as on CI) opening fails with
// "no device" (or, where USB is not accessible at all, a permission error).
func TestNoDevice(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	_, err := reg.OpenSource(ctx, "hackrf=0000000000000000deadbeefdeadbeef")
	if !Built {
		if !errors.Is(err, hardware.ErrDriverNotBuilt) || !strings.Contains(err.Error(), "-tags hackrf") {
			t.Fatalf("stub: %v", err)
		}
		if _, err := List(ctx); !errors.Is(err, hardware.ErrDriverNotBuilt) {
			t.Fatalf("stub List: %v", err)
		}
		return
	}
	if err == nil {
		t.Skip("a HackRF with that serial is attached")
	}
	if !errors.Is(err, hardware.ErrNoDevice) && !errors.Is(err, hardware.ErrPermission) {
		t.Fatalf("open: %v", err)
	}
	t.Logf("open without a device: %v", err)
	infos, err := List(ctx)
	if err != nil && !errors.Is(err, hardware.ErrPermission) && !errors.Is(err, hardware.ErrNoDevice) {
		t.Fatalf("List: %v", err)
	}
	t.Logf("List: %d devices, %v", len(infos), err)
	// Transmit is refused by policy before any USB access.
	if _, err := reg.OpenSink(ctx, "hackrf", hardware.TXPolicy{}); !errors.Is(err, hardware.ErrTXDisabled) {
		t.Fatalf("sink without policy: %v", err)
	}
}

func TestSpecErrors(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	if _, err := reg.OpenSource(ctx, "hackrf,txvga=10"); !errors.Is(err, hardware.ErrBadSpec) {
		t.Errorf("txvga on rx: %v", err)
	}
	p := hardware.TXPolicy{Enabled: true, Allowed: hardware.DefaultAllowed(), MaxGainDB: 10, MaxBurst: 1}
	if _, err := reg.OpenSink(ctx, "hackrf,lna=8", p); !errors.Is(err, hardware.ErrBadSpec) {
		t.Errorf("lna on tx: %v", err)
	}
}

func TestTXGainKeysRefused(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	p := hardware.TXPolicy{Enabled: true, Allowed: hardware.DefaultAllowed(), MaxGainDB: 10, MaxBurst: 1}
	for _, spec := range []string{"hackrf,txvga=47", "hackrf,amp=1"} {
		if _, err := reg.OpenSink(ctx, spec, p); !errors.Is(err, hardware.ErrBadSpec) || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v", spec, err)
		}
	}
}
