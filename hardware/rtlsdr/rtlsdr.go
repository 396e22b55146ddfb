// Package rtlsdr receives from RTL2832U dongles through our own thin cgo binding
// to librtlsdr 0.6.0 (Debian's librtlsdr-dev; shared design note sdr-hardware.md
// §5 and §6.2). The binding is compiled only with the build tag "rtlsdr" and cgo;
// otherwise Open and List return hardware.ErrDriverNotBuilt with the command to
// rebuild. Without cgo, reach a dongle through rtl_tcp (package rtltcp).
//
// Samples arrive through rtlsdr_read_async on a goroutine of their own; the
// callback copies each buffer into a preallocated hardware.Ring and never
// blocks, counting what does not fit in Stats().Dropped. Close cancels the
// transfer, waits for read_async to return, closes the device and only then
// releases the callback handle.
package rtlsdr

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tetrasim/tetrasim/hardware"
)

// libusb error codes that librtlsdr passes through (libusb.h).
const (
	usbErrorAccess = -3
	usbErrorNoDev  = -4
	usbErrorBusy   = -6
)

// mapError turns a librtlsdr/libusb return code into an error wrapping a
// sentinel, with the operation and, for the common failures, what to do
// (sdr-hardware.md §5.3).
func mapError(op string, code int) error {
	if code >= 0 {
		return nil
	}
	var base error
	hint := ""
	switch code {
	case usbErrorBusy:
		base, hint = hardware.ErrBusy, "usb_claim_interface failed: the DVB-T kernel driver holds the dongle; blacklist it (echo 'blacklist dvb_usb_rtl28xxu' | sudo tee /etc/modprobe.d/blacklist-rtl.conf) and replug, or close the other program"
	case usbErrorAccess:
		base, hint = hardware.ErrPermission, "USB access denied: add yourself to the plugdev group (Debian's udev rules for rtl-sdr) and re-login"
	case usbErrorNoDev:
		base, hint = hardware.ErrNoDevice, "the dongle was unplugged"
	default:
		base = errors.New("rtlsdr: error " + strconv.Itoa(code))
	}
	msg := fmt.Sprintf("rtlsdr: %s: error %d", op, code)
	if hint != "" {
		msg += ": " + hint
	}
	return fmt.Errorf("%s: %w", msg, base)
}

// ValidSampleRate reports whether librtlsdr accepts sps: 225001-300000 or
// 900001-3200000 S/s.
func ValidSampleRate(sps float64) bool {
	return (sps >= 225001 && sps <= 300000) || (sps >= 900001 && sps <= 3200000)
}

// nearestGain returns the entry of gains (tenths of dB) closest to tenths.
func nearestGain(gains []int, tenths int) int {
	if len(gains) == 0 {
		return tenths
	}
	best := gains[0]
	for _, g := range gains {
		if d, b := g-tenths, best-tenths; d*d < b*b {
			best = g
		}
	}
	return best
}

// parseSelector splits "rtlsdr=" values: ":SERIAL" is a serial; otherwise the
// value is tried as a serial first and, when it is a small number, as an index.
func parseSelector(v string) (serial string, index int, byIndex bool) {
	if s, ok := strings.CutPrefix(v, ":"); ok {
		return s, -1, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 100 && len(v) <= 2 {
		return v, n, true
	}
	return v, -1, false
}

// Driver returns the RTL-SDR driver:
// "rtlsdr[=SERIAL|:SERIAL|INDEX][,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1][,agc=0|1][,direct=0|1|2]".
// Select by serial: indices change with USB ports.
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "rtlsdr",
		Usage: "rtlsdr[=SERIAL|:SERIAL|INDEX][,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1][,agc=0|1][,direct=0|1|2]",
		Keys:  []string{"freq", "rate", "gain", "ppm", "biastee", "agc", "direct"},
		Open:  openArgs,
		List:  List,
	}
}

func openArgs(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if dir != hardware.RX {
		return nil, fmt.Errorf("%w: an RTL-SDR is receive only", hardware.ErrDirection)
	}
	d, err := Open(ctx, a.Value)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (hardware.Device, error) { d.Close(); return nil, err }
	auto := strings.EqualFold(a.Str("gain", ""), "auto")
	common := hardware.Args{Driver: a.Driver, Value: a.Value, Params: map[string]string{}}
	for k, v := range a.Params {
		if k == "freq" || k == "rate" || k == "ppm" || k == "biastee" || (k == "gain" && !auto) {
			common.Params[k] = v
		}
	}
	if err := hardware.ApplyCommon(ctx, d, common); err != nil {
		return fail(err)
	}
	type extra interface {
		SetAGC(bool) error
		SetDirectSampling(int) error
		SetAutoGain(bool) error
	}
	x, ok := d.(extra)
	if !ok {
		return d, nil
	}
	if auto {
		if err := x.SetAutoGain(true); err != nil {
			return fail(err)
		}
	}
	if a.Has("agc") {
		on, err := a.Bool("agc", false)
		if err != nil {
			return fail(err)
		}
		if err := x.SetAGC(on); err != nil {
			return fail(err)
		}
	}
	if a.Has("direct") {
		m, err := a.Float("direct", 0)
		if err != nil {
			return fail(err)
		}
		if err := x.SetDirectSampling(int(m)); err != nil {
			return fail(err)
		}
	}
	return d, nil
}
