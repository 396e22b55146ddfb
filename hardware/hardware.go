// Package hardware defines tetrasim's interface to radio front ends and IQ
// transports (shared design note sdr-hardware.md §1): a Device that tunes, sets the
// sample rate, gains and ppm correction and returns the value actually applied; a
// Source that reads complex64 samples and a Sink that writes them; Stats counters
// for dropped, overflowed and underrun samples; device strings such as
// "rtltcp=127.0.0.1:1234" or "file=cap.cu8,rate=2.304e6" resolved by a Registry of
// drivers; and the transmit-safety policy (TXPolicy) that every radiating sink is
// wrapped in (sdr-hardware.md §7).
//
// Drivers live in subpackages (iqfile, sigmf, rtltcp, zmq, loopback, hackrf,
// rtlsdr) and each has a Driver function (rtltcp also ServerDriver, loopback a
// Hub with a Driver method); the program builds its own Registry from the
// drivers it wants. Deviation from sdr-hardware.md §1: drivers do not register
// themselves in init() into a package-level table, because the project forbids
// mutable package-level state; a Registry is a value. The package holds no
// mutable package-level state.
//
// Wrappers independent of the hardware: Guard (the transmit policy),
// WithLOOffset (keep the signal off the DC spike), Tee (record while
// receiving), Pacer (real-time pacing) and Ring (non-blocking hand-off from USB
// callbacks).
//
// Every Source is also an iq.Reader and every Sink an iq.Writer (their Read and
// Write use a background context; Close unblocks them), so the same receiver runs
// on hardware, files and the simulated channel.
package hardware

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tetrasim/tetrasim/iq"
)

// Direction is the direction a device is opened for.
type Direction int

// Directions.
const (
	RX Direction = iota + 1 // receive: the device is a Source
	TX                      // transmit: the device is a Sink
)

// String returns "rx" or "tx".
func (d Direction) String() string {
	switch d {
	case RX:
		return "rx"
	case TX:
		return "tx"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Range is a closed interval [Min, Max] with an optional Step (0 = continuous).
type Range struct{ Min, Max, Step float64 }

// Contains reports whether Min <= x <= Max.
func (r Range) Contains(x float64) bool { return x >= r.Min && x <= r.Max }

// Clamp returns x limited to [Min, Max] and rounded to the nearest Step above Min.
func (r Range) Clamp(x float64) float64 {
	if x < r.Min {
		x = r.Min
	}
	if x > r.Max {
		x = r.Max
	}
	if r.Step > 0 {
		x = r.Min + math.Round((x-r.Min)/r.Step)*r.Step
		if x > r.Max {
			x -= r.Step
		}
	}
	return x
}

// GainStage is one gain element of a device: "LNA", "VGA", "AMP", "TXVGA", "TUNER", "IF".
type GainStage struct {
	Name  string
	Range Range // [dB]
}

// Info describes a device or an attached piece of hardware.
type Info struct {
	Driver string // "hackrf", "rtlsdr", "rtltcp", "file", "sigmf", "zmq", "loopback"
	Serial string // serial number or address; what to put after "driver=" to open it
	Label  string // human-readable description

	RX, TX, FullDuplex bool

	Freq  Range // tunable centre frequency [Hz]
	Rate  Range // sample rate [S/s]
	Gains []GainStage
}

// Stats are monotonic counters of a stream.
type Stats struct {
	Samples   uint64 // samples delivered to the caller (RX) or accepted from it (TX)
	Dropped   uint64 // samples lost before the caller saw them (RX overrun, ring full, TX refused)
	Overflows uint64 // overrun events (each may drop many samples)
	Underruns uint64 // TX underrun events: the device ran out of samples mid-burst
}

// Device is what every front end, file and transport has in common. Setters return
// the value actually applied, which may differ from the request (rounding to the
// device's steps, clamping to its range).
type Device interface {
	Info() Info
	// Tune sets the centre frequency [Hz] and returns the frequency applied.
	Tune(ctx context.Context, hz float64) (actualHz float64, err error)
	// SetSampleRate sets the sample rate [S/s] and returns the rate applied.
	SetSampleRate(ctx context.Context, sps float64) (actual float64, err error)
	// SetGain sets one gain stage [dB] (stage "" distributes over all stages) and
	// returns the gain applied.
	SetGain(ctx context.Context, stage string, dB float64) (actualDB float64, err error)
	// SetPPM sets the frequency correction [ppm]; ErrNotSupported where absent.
	SetPPM(ppm float64) error
	// Stats returns the stream counters so far.
	Stats() Stats
	// Close stops streaming (and any transmission at once) and releases the device.
	// It is idempotent and unblocks a pending ReadIQ or WriteIQ.
	Close() error
}

// Source is a device that receives.
type Source interface {
	Device
	iq.Reader
	// ReadIQ blocks until at least one sample is available or ctx is done. Overruns
	// are not errors: they add to Stats().Dropped. io.EOF ends a finite stream.
	ReadIQ(ctx context.Context, dst []complex64) (int, error)
}

// Sink is a device that transmits.
type Sink interface {
	Device
	iq.Writer
	// WriteIQ blocks for back-pressure until src is accepted or ctx is done.
	WriteIQ(ctx context.Context, src []complex64) (int, error)
	// Flush ends a burst: it returns once every sample written is out.
	Flush(ctx context.Context) error
}

// BiasTee is implemented by devices that can power an antenna amplifier through
// the antenna port. It is never switched on unless asked (sdr-hardware.md §9).
type BiasTee interface {
	SetBiasTee(on bool) error
}

// Sentinel errors. Drivers wrap them with the operation and value, so test with errors.Is.
var (
	ErrNotSupported   = errors.New("hardware: not supported by this device")
	ErrDriverNotBuilt = errors.New("hardware: driver not compiled into this binary")
	ErrNoDevice       = errors.New("hardware: no such device attached")
	ErrUnknownDriver  = errors.New("hardware: device string names no known driver")
	ErrBadSpec        = errors.New("hardware: bad device string")
	ErrClosed         = errors.New("hardware: device closed")
	ErrDirection      = errors.New("hardware: device cannot be opened in this direction")
	ErrBusy           = errors.New("hardware: device busy")
	ErrPermission     = errors.New("hardware: permission denied")

	ErrTXDisabled      = errors.New("hardware: transmit not enabled")
	ErrFreqNotAllowed  = errors.New("hardware: frequency not in the transmit allow-list")
	ErrWatchdog        = errors.New("hardware: transmit watchdog: burst ran past its planned length")
	ErrNotTuned        = errors.New("hardware: transmit before tuning")
	ErrPolicy          = errors.New("hardware: bad transmit policy")
	ErrServerLagging   = errors.New("hardware: server stopped sending samples")
	ErrStreamTruncated = errors.New("hardware: stream ended early")
)

// Settings is implemented by devices that can report their current sample rate
// [S/s] and centre frequency [Hz] (0 when unknown), for recorders.
type Settings interface {
	Settings() (rateHz, centerHz float64)
}
