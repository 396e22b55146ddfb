// Package hackrf drives a HackRF One for receiving and transmitting through our
// own thin cgo binding to libhackrf 0.7 (Debian's libhackrf-dev, release
// 2022.09.1; shared design note sdr-hardware.md §5 and §6.1). The binding is
// compiled only with the build tag "hackrf" and cgo; otherwise Open and List
// return hardware.ErrDriverNotBuilt with the command to rebuild.
//
// The receive callback copies each USB transfer into a preallocated
// hardware.Ring and never blocks: when the ring is full the transfer is counted
// in Stats().Dropped. The transmit callback takes prepared cs8 blocks and fills
// an underrun with zeros (Stats().Underruns). Streams start on the first read or
// write; Flush ends a transmit burst and stops the transmitter; Close stops
// everything, closes the device and releases the callback handle only after
// libhackrf's transfer thread has ended, so no callback outlives the Device.
//
// Gains: receive "LNA" 0-40 dB in 8 dB steps, "VGA" 0-62 dB in 2 dB steps,
// "AMP" 0 or 11 dB; transmit "TXVGA" 0-47 dB in 1 dB steps and "AMP" 0 or 11 dB.
// A gain for stage "" is spread over LNA and VGA (receive) or given to TXVGA
// (transmit); the amplifier is switched only by name and is off by default.
package hackrf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tetrasim/tetrasim/hardware"
)

// Limits of the HackRF One (sdr-hardware.md §6.1).
const (
	MinRate = 2e6     // [S/s]
	MaxRate = 20e6    // [S/s]
	MinFreq = 1e6     // [Hz]
	MaxFreq = 6e9     // [Hz]
	AmpDB   = 11      // nominal gain of the RF amplifier [dB]
	MaxTXDB = 47      // TX VGA maximum [dB]
	MaxRXDB = 40 + 62 // LNA + VGA maximum [dB]
)

// ErrInvalidParam reports libhackrf's HACKRF_ERROR_INVALID_PARAM.
var ErrInvalidParam = errors.New("hackrf: invalid parameter")

// BasebandFilters returns the MAX2837 baseband filter bandwidths [Hz] in
// increasing order (libhackrf's max2837_ft table).
func BasebandFilters() []float64 {
	return []float64{1.75e6, 2.5e6, 3.5e6, 5e6, 5.5e6, 6e6, 7e6, 8e6, 9e6, 10e6, 12e6, 14e6, 15e6, 20e6, 24e6, 28e6}
}

// BasebandFilterFor returns the default filter for a sample rate: the widest
// one not above 0.75·rate, and at least 1.75 MHz.
func BasebandFilterFor(rate float64) float64 {
	fs := BasebandFilters()
	best := fs[0]
	for _, f := range fs {
		if f <= 0.75*rate {
			best = f
		}
	}
	return best
}

// NearestBasebandFilter returns the filter bandwidth closest to hz.
func NearestBasebandFilter(hz float64) float64 {
	fs := BasebandFilters()
	best := fs[0]
	for _, f := range fs {
		if math.Abs(f-hz) < math.Abs(best-hz) {
			best = f
		}
	}
	return best
}

func lnaRange() hardware.Range   { return hardware.Range{Min: 0, Max: 40, Step: 8} }
func vgaRange() hardware.Range   { return hardware.Range{Min: 0, Max: 62, Step: 2} }
func txvgaRange() hardware.Range { return hardware.Range{Min: 0, Max: 47, Step: 1} }
func ampRange() hardware.Range   { return hardware.Range{Min: 0, Max: AmpDB, Step: AmpDB} }

// SplitRXGain spreads a total receive gain [dB] over LNA and VGA: the LNA takes
// about half (in 8 dB steps, at most 40 dB) and the VGA the rest (2 dB steps,
// at most 62 dB). The amplifier is never switched on this way.
func SplitRXGain(total float64) (lna, vga float64) {
	lna = lnaRange().Clamp(math.Floor(total/2/8) * 8)
	vga = vgaRange().Clamp(total - lna)
	return lna, vga
}

// gainStage normalises a stage name for dir.
func gainStage(stage string, dir hardware.Direction) (string, hardware.Range, error) {
	s := strings.ToUpper(stage)
	switch {
	case s == "AMP":
		return "AMP", ampRange(), nil
	case dir == hardware.RX && s == "LNA":
		return "LNA", lnaRange(), nil
	case dir == hardware.RX && s == "VGA":
		return "VGA", vgaRange(), nil
	case dir == hardware.TX && (s == "TXVGA" || s == "VGA" || s == ""):
		return "TXVGA", txvgaRange(), nil
	case dir == hardware.RX && s == "":
		return "", hardware.Range{Min: 0, Max: MaxRXDB}, nil
	}
	return "", hardware.Range{}, fmt.Errorf("hackrf: gain stage %q: %w for %s (RX: LNA, VGA, AMP; TX: TXVGA, AMP)", stage, hardware.ErrNotSupported, dir)
}

// Error codes of libhackrf's enum hackrf_error (hackrf.h, release 2022.09.1).
const (
	codeInvalidParam = -2
	codeNotFound     = -5
	codeBusy         = -6
	codeNoMem        = -11
	codeLibUSB       = -1000
	codeThread       = -1001
	codeStreamThread = -1002
	codeStreamStop   = -1003
	codeStreamExit   = -1004
	codeUSBAPI       = -1005
	codeNotLast      = -2000
	codeOther        = -9999
)

// mapError turns a libhackrf return code into an error wrapping a sentinel, with
// the operation, the library's own name for the code and, for the common
// failures, what to do (sdr-hardware.md §5.3).
func mapError(op string, code int, name string) error {
	if code >= 0 {
		return nil
	}
	var base error
	hint := ""
	switch code {
	case codeNotFound:
		base, hint = hardware.ErrNoDevice, "check the USB cable and the serial ('tetrasim devices' lists what is attached)"
	case codeBusy:
		base, hint = hardware.ErrBusy, "another program (or a VM) has the HackRF open"
	case codeLibUSB:
		base, hint = hardware.ErrPermission, "USB access denied or device busy: add yourself to the plugdev group (Debian's udev rules) and re-login, or close the other program or VM using it"
	case codeInvalidParam:
		base = ErrInvalidParam
	default:
		base = errors.New("hackrf: " + name)
	}
	msg := fmt.Sprintf("hackrf: %s: %s (%d)", op, name, code)
	if hint != "" {
		msg += ": " + hint
	}
	return fmt.Errorf("%s: %w", msg, base)
}

// Driver returns the HackRF driver:
// "hackrf[=SERIAL][,rate=R][,freq=F][,gain=G][,lna=DB][,vga=DB][,txvga=DB][,amp=0|1][,bw=HZ][,ppm=P][,biastee=0|1]".
// It radiates: Registry.OpenSink wraps it in the transmit policy.
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:     "hackrf",
		Usage:    "hackrf[=SERIAL][,rate=R][,freq=F][,gain=G][,lna=DB][,vga=DB][,txvga=DB][,amp=0|1][,bw=HZ][,ppm=P][,biastee=0|1]",
		Keys:     []string{"rate", "freq", "gain", "lna", "vga", "txvga", "amp", "bw", "ppm", "biastee"},
		Radiates: true,
		// Transmit gain goes through the policy guard: txvga= and amp= would bypass it.
		TXRefusedKeys: []string{"txvga", "amp"},
		Open:          openArgs,
		List:          List,
	}
}

func openArgs(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if dir == hardware.TX {
		for _, k := range []string{"lna", "vga"} {
			if a.Has(k) {
				return nil, fmt.Errorf("%w: hackrf: %s is a receive gain (transmit: txvga, amp)", hardware.ErrBadSpec, k)
			}
		}
	} else if a.Has("txvga") {
		return nil, fmt.Errorf("%w: hackrf: txvga is a transmit gain (receive: lna, vga, amp)", hardware.ErrBadSpec)
	}
	d, err := Open(ctx, a.Value, dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (hardware.Device, error) { d.Close(); return nil, err }
	if a.Has("bw") {
		bw, err := a.Float("bw", 0)
		if err != nil {
			return fail(err)
		}
		if f, ok := d.(interface {
			SetBasebandFilter(float64) (float64, error)
		}); ok {
			if _, err := f.SetBasebandFilter(bw); err != nil {
				return fail(err)
			}
		}
	}
	if err := hardware.ApplyCommon(ctx, d, a); err != nil {
		return fail(err)
	}
	for _, st := range []string{"lna", "vga", "txvga"} {
		if a.Has(st) {
			v, err := a.Float(st, 0)
			if err != nil {
				return fail(err)
			}
			if _, err := d.SetGain(ctx, strings.ToUpper(st), v); err != nil {
				return fail(err)
			}
		}
	}
	if a.Has("amp") {
		on, err := a.Bool("amp", false)
		if err != nil {
			return fail(err)
		}
		v := 0.0
		if on {
			v = AmpDB
		}
		if _, err := d.SetGain(ctx, "AMP", v); err != nil {
			return fail(err)
		}
	}
	return d, nil
}
