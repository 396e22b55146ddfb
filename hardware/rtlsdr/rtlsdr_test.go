package rtlsdr

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/hardware"
)

func TestMapError(t *testing.T) {
	for _, c := range []struct {
		code int
		want error
		hint string
	}{
		{usbErrorBusy, hardware.ErrBusy, "dvb_usb_rtl28xxu"},
		{usbErrorAccess, hardware.ErrPermission, "plugdev"},
		{usbErrorNoDev, hardware.ErrNoDevice, "unplugged"},
	} {
		err := mapError("open", c.code)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.hint) {
			t.Errorf("code %d: %v", c.code, err)
		}
	}
	if mapError("x", 0) != nil {
		t.Error("success mapped to an error")
	}
}

func TestSelectorsAndGains(t *testing.T) {
	for _, c := range []struct {
		in      string
		serial  string
		index   int
		byIndex bool
	}{{":00000001", "00000001", -1, false}, {"00000001", "00000001", -1, false}, {"1", "1", 1, true}, {"abc", "abc", -1, false}} {
		s, i, b := parseSelector(c.in)
		if s != c.serial || i != c.index || b != c.byIndex {
			t.Errorf("parseSelector(%q) = %q %d %v", c.in, s, i, b)
		}
	}
	r820t := []int{0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328, 338, 364, 372, 386, 402, 421, 434, 439, 445, 480, 496}
	for _, c := range [][2]int{{300, 297}, {0, 0}, {1000, 496}, {-50, 0}, {80, 77}} {
		if g := nearestGain(r820t, c[0]); g != c[1] {
			t.Errorf("nearestGain(%d) = %d, want %d", c[0], g, c[1])
		}
	}
	if !ValidSampleRate(2.304e6) || ValidSampleRate(500e3) || ValidSampleRate(3.3e6) {
		t.Error("ValidSampleRate")
	}
}

// TestNoDevice runs in every build: without the tag the driver says how to build
// it; with it (and no dongle attached, as on CI) opening fails with "no device".
func TestNoDevice(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	_, err := reg.OpenSource(ctx, "rtlsdr=:SERIAL-THAT-DOES-NOT-EXIST")
	if !Built {
		if !errors.Is(err, hardware.ErrDriverNotBuilt) || !strings.Contains(err.Error(), "-tags rtlsdr") {
			t.Fatalf("stub: %v", err)
		}
		return
	}
	if err == nil {
		t.Skip("a dongle with that serial is attached")
	}
	if !errors.Is(err, hardware.ErrNoDevice) {
		t.Fatalf("open: %v", err)
	}
	t.Logf("open without a device: %v", err)
	infos, err := List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	t.Logf("List: %d devices", len(infos))
	if _, err := reg.OpenSink(ctx, "rtlsdr", hardware.TXPolicy{}); !errors.Is(err, hardware.ErrDirection) {
		t.Fatalf("sink: %v", err)
	}
}
