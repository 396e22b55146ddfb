package main

// Helpers that open --device for the tx, rx and record commands, with the
// transmit-safety flags of shared design note sdr-hardware.md §7.
//
// For the "air" commands:
//
//	cmd.SetContext(ensureRegistry(cmd.Context()))    // one device registry per run
//	df := addDeviceFlags(c, hardware.RX)             // --device --freq --rate --gain --ppm --lo-offset
//	src, err := openSourceFlag(ctx, df)               // hardware.Source (also an iq.Reader)
//
//	df := addDeviceFlags(c, hardware.TX)             // + --transmit --allow-freq --max-gain --tx-gain --max-burst
//	c.Long += txLegalNote
//	if err := checkCipherOnAir(ctx, df, cipherName, carrierHz); err != nil { return err }
//	snk, err := openSinkWithSafety(ctx, cmd.ErrOrStderr(), df, plannedDuration)
//	snk.WriteIQ(ctx, samples); snk.Flush(ctx); snk.Close()
//
//	stop := reportStats(ctx, cmd.ErrOrStderr(), src, time.Second) // live lost-sample counters
//	defer stop()
//
// The registry travels in the context (withRegistry): two commands run in
// one process share a loopback link only when given the same registry.
// A sink that records (sigmf=, file=X.sigmf-meta) also implements
// hardware.Annotator for burst annotations.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/hackrf"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/hardware/loopback"
	"github.com/tetrasim/tetrasim/hardware/rtlsdr"
	"github.com/tetrasim/tetrasim/hardware/rtltcp"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/hardware/zmq"
)

// newDeviceRegistry returns a registry of every driver, with a loopback hub of
// its own. Each command line gets one (withRegistry): the loopback device pairs a
// sink and a source by name only inside one registry, so two commands run in one
// process (tests, scenarios) meet only when they are given the same registry
// explicitly. There is no process-wide registry: the project forbids mutable
// package-level state.
func newDeviceRegistry() *hardware.Registry {
	return hardware.NewRegistry(
		iqfile.Driver(),
		sigmf.Driver(),
		loopback.NewHub().Driver(),
		rtltcp.Driver(),
		rtltcp.ServerDriver(),
		zmq.Driver(),
		hackrf.Driver(),
		rtlsdr.Driver(),
	)
}

// registryKey is the context key of the run's device registry.
type registryKey struct{}

// withRegistry returns ctx carrying reg as the run's device registry.
func withRegistry(ctx context.Context, reg *hardware.Registry) context.Context {
	return context.WithValue(ctx, registryKey{}, reg)
}

// ensureRegistry returns ctx with a device registry: the one it carries, or a
// new one. Every command that opens devices calls it once at the start of its
// run and passes the result on, so all the devices of one run share a registry.
func ensureRegistry(ctx context.Context) context.Context {
	if _, ok := ctx.Value(registryKey{}).(*hardware.Registry); ok {
		return ctx
	}
	return withRegistry(ctx, newDeviceRegistry())
}

// registryOf returns the registry ctx carries, or a new one (good for opening a
// single device; a loopback pair needs the registry in ctx, see ensureRegistry).
func registryOf(ctx context.Context) *hardware.Registry {
	if r, ok := ctx.Value(registryKey{}).(*hardware.Registry); ok {
		return r
	}
	return newDeviceRegistry()
}

// txLegalNote is appended to the --help of every command that can transmit.
const txLegalNote = `

Transmitting (sdr-hardware.md §7): nothing goes on air unless you pass --transmit,
and only inside the allow-list (--allow-freq; default: the ITU ISM bands, never the
380-400 MHz TETRA public-safety band), with the TX gain capped at --max-gain and a
watchdog that stops a burst running past its planned length. Prefer a conducted
setup: TX -> coax -> 30-60 dB of attenuation or a dummy load -> receiver.
Encrypted traffic is unlawful on amateur bands in most countries (e.g. 47 CFR
97.113(a)(4) in the US): use --cipher clear there; encrypted transmission on an
amateur frequency is refused. Listening to public-safety TETRA is itself illegal
in some countries.`

// deviceFlags holds the values of the flags addDeviceFlags registers.
type deviceFlags struct {
	dir    hardware.Direction
	Device string  // --device: a device string (see 'tetrasim devices --help')
	Freq   float64 // --freq [Hz], 0 = leave as the device string says
	Rate   float64 // --rate [S/s], 0 = leave as the device string says
	Gain   string  // --gain (rx): dB, "auto", or "" for the device's default
	PPM    float64 // --ppm (rx) crystal correction
	LO     float64 // --lo-offset (rx) [Hz]: tune this far below --freq and shift back digitally

	// Transmit only.
	Transmit  bool          // --transmit
	AllowFreq []string      // --allow-freq LO:HI ranges [Hz]
	MaxGain   float64       // --max-gain [dB]
	TXGain    float64       // --tx-gain [dB]
	MaxBurst  time.Duration // --max-burst, used when the caller plans no length
}

// addDeviceFlags registers --device, --freq, --rate and, for dir == RX, --gain,
// --ppm and --lo-offset; for dir == TX, --transmit, --allow-freq, --max-gain, --tx-gain and
// --max-burst. The caller must not register these names itself.
func addDeviceFlags(c *cobra.Command, dir hardware.Direction) *deviceFlags {
	f := &deviceFlags{dir: dir}
	fs := c.Flags()
	fs.StringVar(&f.Device, "device", "", "device string: file=PATH[,format=..][,rate=R], X.sigmf-meta, rtltcp=HOST:PORT, rtlsdr=SERIAL, hackrf=SERIAL, zmq=tcp://HOST:PORT[,pattern=..], loopback[=NAME] (see 'tetrasim devices --help')")
	fs.Float64Var(&f.Freq, "freq", 0, "centre frequency [Hz] (0: as the device string says)")
	fs.Float64Var(&f.Rate, "rate", 0, "sample rate [S/s] (0: as the device string says)")
	if dir == hardware.RX {
		fs.StringVar(&f.Gain, "gain", "", "receive gain [dB], or auto for the tuner's AGC (default: the device's own default)")
		fs.Float64Var(&f.PPM, "ppm", 0, "crystal correction [ppm] for dongles that support it")
		fs.Float64Var(&f.LO, "lo-offset", 0, "tune the device this many Hz below --freq and shift back digitally, keeping the signal off the DC spike (e.g. 200e3 on a HackRF)")
	}
	if dir == hardware.TX {
		fs.BoolVar(&f.Transmit, "transmit", false, "really put RF on air with a radio device (off by default; files, zmq and loopback need no flag)")
		fs.StringSliceVar(&f.AllowFreq, "allow-freq", nil, "transmit allow-list as LO:HI ranges in Hz, e.g. 433.05e6:434.79e6 (replaces the default ISM list; 380-400 MHz is always refused)")
		fs.Float64Var(&f.MaxGain, "max-gain", hardware.DefaultMaxGainDB, "cap on the total TX gain [dB]")
		fs.Float64Var(&f.TXGain, "tx-gain", 0, "TX gain [dB], clamped to --max-gain")
		fs.DurationVar(&f.MaxBurst, "max-burst", time.Minute, "watchdog: stop a transmission longer than this when its length is not planned")
	}
	return f
}

// deviceError turns spec and policy errors into usage errors (exit code 2).
func deviceError(err error) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{hardware.ErrBadSpec, hardware.ErrUnknownDriver, hardware.ErrTXDisabled, hardware.ErrPolicy, hardware.ErrFreqNotAllowed, hardware.ErrDriverNotBuilt} {
		if errors.Is(err, e) {
			return usageError{err}
		}
	}
	return err
}

// openSourceFlag opens f.Device for receiving and applies --rate, --ppm, --freq
// and --gain (in that order) when given.
func openSourceFlag(ctx context.Context, f *deviceFlags) (hardware.Source, error) {
	if f.Device == "" {
		return nil, usagef("--device is required (e.g. --device rtltcp=127.0.0.1:1234)")
	}
	src, err := registryOf(ctx).OpenSource(ctx, f.Device)
	if err != nil {
		return nil, deviceError(err)
	}
	if f.LO != 0 {
		if f.Freq <= 0 {
			src.Close()
			return nil, usagef("--lo-offset needs --freq")
		}
		src = hardware.WithLOOffset(src, f.LO)
	}
	if err := applyRX(ctx, src, f); err != nil {
		src.Close()
		return nil, err
	}
	return src, nil
}

func applyRX(ctx context.Context, d hardware.Device, f *deviceFlags) error {
	if f.Rate > 0 {
		got, err := d.SetSampleRate(ctx, f.Rate)
		if err != nil {
			return fmt.Errorf("--rate %g: %w", f.Rate, err)
		}
		if math.Abs(got-f.Rate) > 1e-5*f.Rate { // below a crystal's error
			return fmt.Errorf("--rate %g: the device runs at %g S/s", f.Rate, got)
		}
	}
	if f.PPM != 0 {
		if err := d.SetPPM(f.PPM); err != nil {
			return fmt.Errorf("--ppm %g: %w", f.PPM, err)
		}
	}
	if f.Freq > 0 {
		if _, err := d.Tune(ctx, f.Freq); err != nil {
			return fmt.Errorf("--freq %g: %w", f.Freq, err)
		}
	}
	if f.Gain != "" {
		g := math.NaN() // NaN asks for automatic gain
		if !strings.EqualFold(f.Gain, "auto") {
			v, err := hardware.ParseFloatSI(f.Gain)
			if err != nil {
				return usagef("--gain %q: want a number of dB or auto", f.Gain)
			}
			g = v
		}
		if _, err := d.SetGain(ctx, "", g); err != nil && !errors.Is(err, hardware.ErrNotSupported) {
			return fmt.Errorf("--gain %s: %w", f.Gain, err)
		}
	}
	return nil
}

// txPolicy builds the transmit policy of the flags. planned is the planned
// length of the transmission (0: unknown, use --max-burst); the watchdog allows
// planned + 10 % + 1 s.
func (f *deviceFlags) txPolicy(planned time.Duration) (hardware.TXPolicy, error) {
	p := hardware.TXPolicy{Enabled: f.Transmit, MaxGainDB: f.MaxGain, MaxBurst: f.MaxBurst}
	if planned > 0 {
		p.MaxBurst = planned + planned/10 + time.Second
	}
	if len(f.AllowFreq) == 0 {
		p.Allowed = hardware.DefaultAllowed()
	}
	for _, s := range f.AllowFreq {
		lo, hi, ok := strings.Cut(s, ":")
		a, err1 := hardware.ParseFloatSI(lo)
		b, err2 := hardware.ParseFloatSI(hi)
		if !ok || err1 != nil || err2 != nil || !(a < b) {
			return p, usagef("--allow-freq %q: want LO:HI in Hz with LO < HI, e.g. 433.05e6:434.79e6", s)
		}
		p.Allowed = append(p.Allowed, hardware.Range{Min: a, Max: b})
	}
	return p, nil
}

// openSinkWithSafety opens f.Device for transmitting. A radiating device (HackRF)
// needs --transmit, is tuned to --freq only inside the allow-list, gets --tx-gain
// clamped to --max-gain, and is stopped by a watchdog once a burst runs past
// planned (+10 % + 1 s; --max-burst when planned is 0). Warnings (TX on air,
// clamped gain) go to w. Files, zmq and loopback sinks ignore the TX flags.
func openSinkWithSafety(ctx context.Context, w io.Writer, f *deviceFlags, planned time.Duration) (hardware.Sink, error) {
	if f.Device == "" {
		return nil, usagef("--device is required (e.g. --device hackrf=SERIAL or --device out.sigmf-meta)")
	}
	p, err := f.txPolicy(planned)
	if err != nil {
		return nil, err
	}
	reg := registryOf(ctx)
	radiates, err := reg.Radiates(f.Device)
	if err != nil {
		return nil, deviceError(err)
	}
	if radiates && f.Freq <= 0 {
		return nil, usagef("--freq is required to transmit with %s", f.Device)
	}
	if radiates && p.Enabled && !p.AllowsFreq(f.Freq) {
		// Checked before the device is opened, with the flags that fix it.
		return nil, usageError{fmt.Errorf("%w: %.6f MHz (±%.1f kHz) with %s: give --freq (and tx's --carrier) inside the allow-list, e.g. --carrier 433.925e6 --freq 433.925e6 in the ISM band 433.05-434.79 MHz (Region 1), or set the list with --allow-freq LO:HI (380-400 MHz, public-safety TETRA, is always refused)",
			hardware.ErrFreqNotAllowed, f.Freq/1e6, hardware.DefaultBandwidthHz/2e3, f.Device)}
	}
	snk, err := reg.OpenSink(ctx, f.Device, p)
	if err != nil {
		return nil, deviceError(err)
	}
	fail := func(err error) (hardware.Sink, error) { snk.Close(); return nil, deviceError(err) }
	if f.Rate > 0 {
		if _, err := snk.SetSampleRate(ctx, f.Rate); err != nil {
			return fail(fmt.Errorf("--rate %g: %w", f.Rate, err))
		}
	}
	if f.Freq > 0 {
		if _, err := snk.Tune(ctx, f.Freq); err != nil {
			return fail(fmt.Errorf("--freq %g: %w", f.Freq, err))
		}
	}
	if radiates {
		got, err := snk.SetGain(ctx, "", f.TXGain)
		if err != nil {
			return fail(fmt.Errorf("--tx-gain %g: %w", f.TXGain, err))
		}
		if got < f.TXGain {
			fmt.Fprintf(w, "tetrasim: TX gain capped at %.1f dB (asked %.1f dB; raise --max-gain to allow more)\n", got, f.TXGain)
		}
		fmt.Fprintf(w, "tetrasim: TRANSMITTING on %.6f MHz with %s, TX gain %.1f dB, watchdog %v. Use a conducted setup or a dummy load.\n",
			f.Freq/1e6, f.Device, got, p.MaxBurst)
	}
	return snk, nil
}

// pickDeviceRate sets the sample rate of a device opened without --rate: rate
// (the command's default) when the device takes it, else the smallest
// multiple of 18 kS/s (an integer number of samples per symbol) inside the
// device's range, e.g. 2.016 MS/s on a HackRF (2-20 MS/s), 234 kS/s on an
// RTL-SDR. It says so on stderr, prefixed with who.
func pickDeviceRate(cmd *cobra.Command, d hardware.Device, rate float64, who string) (float64, error) {
	in := d.Info()
	r := in.Rate
	if r.Min > rate {
		rate = math.Ceil(r.Min/18000) * 18000
		if r.Max > 0 && rate > r.Max {
			return 0, usagef("%s takes %g-%g S/s and no multiple of 18 kS/s: give --rate", in.Driver, r.Min, r.Max)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s takes %g-%g S/s, so the sample rate is %.0f S/s (the smallest multiple of 18 kS/s in range; set --rate to choose)\n",
			who, in.Driver, r.Min, r.Max, rate)
	}
	got, err := d.SetSampleRate(cmd.Context(), rate)
	if err != nil {
		return 0, deviceError(fmt.Errorf("sample rate %g: %w", rate, err))
	}
	if math.Abs(got-rate) > 1e-5*rate {
		return 0, fmt.Errorf("sample rate %g: the device runs at %g S/s; give --rate", rate, got)
	}
	return rate, nil
}

// amateurBands are the amateur allocations above 28 MHz where tetrasim's
// signals could be tuned (ITU RR article 5, all regions merged): encrypted
// traffic is refused on air there.
func amateurBands() []hardware.Range {
	return []hardware.Range{
		{Min: 28e6, Max: 29.7e6}, {Min: 50e6, Max: 54e6}, {Min: 144e6, Max: 148e6}, {Min: 219e6, Max: 225e6},
		{Min: 420e6, Max: 450e6}, {Min: 902e6, Max: 928e6}, {Min: 1240e6, Max: 1300e6},
		{Min: 2300e6, Max: 2450e6}, {Min: 3300e6, Max: 3500e6}, {Min: 5650e6, Max: 5925e6},
	}
}

// checkCipherOnAir refuses encrypted transmission (cipher other than "clear",
// "none", "null" or "") by a radiating device when the occupied band,
// carrierHz ± 12.5 kHz, touches an amateur allocation (sdr-hardware.md §7,
// e2ee-design.md §9). Sinks that do not radiate (files, ZeroMQ, loopback,
// rtl_tcp server) pass. It is checked before the device is opened.
func checkCipherOnAir(ctx context.Context, f *deviceFlags, cipher string, carrierHz float64) error {
	switch strings.ToLower(cipher) {
	case "", "clear", "none", "null":
		return nil
	}
	if f.Device == "" {
		return nil
	}
	radiates, err := registryOf(ctx).Radiates(f.Device)
	if err != nil || !radiates {
		return deviceError(err)
	}
	lo, hi := carrierHz-hardware.DefaultBandwidthHz/2, carrierHz+hardware.DefaultBandwidthHz/2
	for _, b := range amateurBands() {
		if hi >= b.Min && lo <= b.Max {
			return usagef("--cipher %s on %.6f MHz (amateur band %.6g-%.6g MHz): transmitting encrypted traffic on amateur bands is unlawful in most countries (47 CFR 97.113(a)(4) in the US, similar rules elsewhere); use --cipher clear there, or a conducted setup into a file, zmq or loopback device",
				cipher, carrierHz/1e6, b.Min/1e6, b.Max/1e6)
		}
	}
	return nil
}

// reportStats prints the device's counters to w every interval while they show
// lost samples (dropped, overflows, underruns), and once more when stop is
// called if anything was lost: the "visible dropped-sample counters" of a live
// receiver or transmitter. Call stop (idempotent) before returning.
func reportStats(ctx context.Context, w io.Writer, d hardware.Device, every time.Duration) (stop func()) {
	base := d.Stats()
	line := func(s hardware.Stats) string {
		return fmt.Sprintf("%s: %d samples, dropped %d in %d overflows, %d underruns",
			d.Info().Driver, s.Samples-base.Samples, s.Dropped-base.Dropped, s.Overflows-base.Overflows, s.Underruns-base.Underruns)
	}
	lost := func(s hardware.Stats) bool {
		return s.Dropped != base.Dropped || s.Overflows != base.Overflows || s.Underruns != base.Underruns
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		var last hardware.Stats
		for {
			select {
			case <-t.C:
				if s := d.Stats(); lost(s) && s != last {
					fmt.Fprintln(w, "tetrasim:", line(s))
					last = s
				}
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-finished
			if s := d.Stats(); lost(s) {
				fmt.Fprintln(w, "tetrasim:", line(s))
			}
		})
	}
}
