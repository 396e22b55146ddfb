package hardware

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Args is a parsed device string: "driver=value,key=val,key=val". The first
// element names the driver; its value (after '=') is the device's address, path or
// serial and may be empty ("loopback", "hackrf"). A bare path ending in
// ".sigmf-meta" or ".sigmf-data" means "sigmf=PATH".
type Args struct {
	Driver string
	Value  string
	Params map[string]string
	spec   string
}

// ParseArgs parses a device string. Keys are lower-cased; values keep their case.
// A key given twice is an error.
func ParseArgs(spec string) (Args, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return Args{}, fmt.Errorf("%w: empty (want e.g. file=cap.cu8,rate=2.304e6 or rtltcp=127.0.0.1:1234)", ErrBadSpec)
	}
	parts := strings.Split(s, ",")
	a := Args{Params: map[string]string{}, spec: s}
	head := strings.TrimSpace(parts[0])
	if k, v, ok := strings.Cut(head, "="); ok {
		a.Driver, a.Value = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
	} else {
		a.Driver = strings.ToLower(head)
	}
	if isSigMFPath(head) && !strings.Contains(head, "=") {
		a.Driver, a.Value = "sigmf", head
	}
	if a.Driver == "file" && isSigMFPath(a.Value) {
		a.Driver = "sigmf"
	}
	if a.Driver == "" {
		return Args{}, fmt.Errorf("%w %q: no driver name before '='", ErrBadSpec, s)
	}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok {
			v = "true" // a bare flag such as "repeat"
		}
		if k == "" {
			return Args{}, fmt.Errorf("%w %q: empty key in %q", ErrBadSpec, s, p)
		}
		if _, dup := a.Params[k]; dup {
			return Args{}, fmt.Errorf("%w %q: %s given twice", ErrBadSpec, s, k)
		}
		a.Params[k] = strings.TrimSpace(v)
	}
	return a, nil
}

func isSigMFPath(p string) bool {
	return strings.HasSuffix(p, ".sigmf-meta") || strings.HasSuffix(p, ".sigmf-data") || strings.HasSuffix(p, ".sigmf")
}

// String returns the device string as given.
func (a Args) String() string { return a.spec }

// Has reports whether key was given.
func (a Args) Has(key string) bool { _, ok := a.Params[key]; return ok }

// Str returns the value of key or def.
func (a Args) Str(key, def string) string {
	if v, ok := a.Params[key]; ok {
		return v
	}
	return def
}

// Float returns key as a float64 (Go syntax, e.g. 2.304e6, or with a k/M/G suffix),
// or def when absent.
func (a Args) Float(key string, def float64) (float64, error) {
	v, ok := a.Params[key]
	if !ok {
		return def, nil
	}
	f, err := ParseFloatSI(v)
	if err != nil {
		return 0, fmt.Errorf("%w %q: %s=%q: %v", ErrBadSpec, a.spec, key, v, err)
	}
	return f, nil
}

// Bool returns key as a bool (true/false/1/0/on/off/yes/no), or def when absent.
func (a Args) Bool(key string, def bool) (bool, error) {
	v, ok := a.Params[key]
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes", "":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("%w %q: %s=%q is not a boolean", ErrBadSpec, a.spec, key, v)
}

// ParseFloatSI parses a number with an optional k, M or G suffix ("433.92M", "2.304e6").
func ParseFloatSI(s string) (float64, error) {
	s = strings.TrimSpace(s)
	mul := 1.0
	if n := len(s); n > 1 {
		switch s[n-1] {
		case 'k', 'K':
			mul, s = 1e3, s[:n-1]
		case 'M':
			mul, s = 1e6, s[:n-1]
		case 'G':
			mul, s = 1e9, s[:n-1]
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	return f * mul, nil
}

// Driver opens one kind of device. Drivers are plain values; a program collects
// the ones it wants in a Registry.
type Driver struct {
	Name string // the name before '=' in a device string
	// Usage is a one-line description of the device string, e.g. "rtltcp=HOST:PORT[,freq=F][,rate=R][,gain=G]".
	Usage string
	// Keys lists the parameter keys Open understands; others are rejected.
	Keys []string
	// Radiates is true for drivers that put RF on air (HackRF): OpenSink wraps
	// them in the transmit policy. Files, ZeroMQ and loopback do not radiate.
	Radiates bool
	// TXRefusedKeys are keys a radiating driver takes for receiving but that
	// OpenSink refuses, because they would bypass the transmit policy (e.g. a
	// HackRF's txvga and amp): TX gain goes through the guarded SetGain.
	TXRefusedKeys []string
	// Open opens the device for dir. It must return ErrDirection (wrapped) when the
	// device cannot work in that direction.
	Open func(ctx context.Context, args Args, dir Direction) (Device, error)
	// List reports attached devices (nil for drivers with nothing to enumerate).
	List func(ctx context.Context) ([]Info, error)
}

// Registry maps driver names to drivers. Build it once with NewRegistry; it is
// read-only afterwards and safe for concurrent use.
type Registry struct {
	drivers map[string]Driver
}

// NewRegistry returns a registry of the given drivers. A repeated name panics
// (a programming error).
func NewRegistry(drivers ...Driver) *Registry {
	r := &Registry{drivers: map[string]Driver{}}
	for _, d := range drivers {
		if _, dup := r.drivers[d.Name]; dup {
			panic("hardware: NewRegistry: driver " + d.Name + " registered twice")
		}
		r.drivers[d.Name] = d
	}
	return r
}

// Drivers returns the registered drivers sorted by name.
func (r *Registry) Drivers() []Driver {
	out := make([]Driver, 0, len(r.drivers))
	for _, d := range r.drivers {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) resolve(spec string) (Driver, Args, error) {
	a, err := ParseArgs(spec)
	if err != nil {
		return Driver{}, Args{}, err
	}
	d, ok := r.drivers[a.Driver]
	if !ok {
		names := make([]string, 0, len(r.drivers))
		for n := range r.drivers {
			names = append(names, n)
		}
		sort.Strings(names)
		return Driver{}, Args{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownDriver, a.Driver, strings.Join(names, ", "))
	}
	for k := range a.Params {
		if !slices.Contains(d.Keys, k) {
			return Driver{}, Args{}, fmt.Errorf("%w %q: %s does not take %q (usage: %s)", ErrBadSpec, spec, d.Name, k, d.Usage)
		}
	}
	return d, a, nil
}

// OpenSource opens the device named by spec for receiving.
func (r *Registry) OpenSource(ctx context.Context, spec string) (Source, error) {
	d, a, err := r.resolve(spec)
	if err != nil {
		return nil, err
	}
	dev, err := d.Open(ctx, a, RX)
	if err != nil {
		return nil, err
	}
	src, ok := dev.(Source)
	if !ok {
		dev.Close()
		return nil, fmt.Errorf("%w: %s cannot receive", ErrDirection, d.Name)
	}
	return src, nil
}

// OpenSink opens the device named by spec for transmitting. For a radiating driver
// it refuses unless p allows transmission (p.Validate) and returns the sink wrapped
// in p (Guard): tuning outside p.Allowed, gain above p.MaxGainDB and bursts longer
// than p.MaxBurst are stopped. Non-radiating sinks (files, ZeroMQ, loopback) ignore p.
func (r *Registry) OpenSink(ctx context.Context, spec string, p TXPolicy) (Sink, error) {
	d, a, err := r.resolve(spec)
	if err != nil {
		return nil, err
	}
	if d.Radiates {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		for _, k := range d.TXRefusedKeys {
			if a.Has(k) {
				return nil, fmt.Errorf("%w %q: %s= is refused for transmitting: set the TX gain with gain= or --tx-gain, capped by the policy", ErrBadSpec, spec, k)
			}
		}
	}
	// A radiating driver is opened without freq and gain: those go through the
	// guard below, so that nothing is tuned or amplified before the policy checks it.
	late := Args{Params: map[string]string{}, spec: a.spec}
	if d.Radiates {
		early := Args{Driver: a.Driver, Value: a.Value, Params: map[string]string{}, spec: a.spec}
		for k, v := range a.Params {
			if k == "freq" || k == "gain" {
				late.Params[k] = v
			} else {
				early.Params[k] = v
			}
		}
		a = early
	}
	dev, err := d.Open(ctx, a, TX)
	if err != nil {
		return nil, err
	}
	snk, ok := dev.(Sink)
	if !ok {
		dev.Close()
		return nil, fmt.Errorf("%w: %s cannot transmit", ErrDirection, d.Name)
	}
	if !d.Radiates {
		return snk, nil
	}
	g, err := Guard(snk, p)
	if err != nil {
		snk.Close()
		return nil, err
	}
	if err := ApplyCommon(ctx, g, late); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// Radiates reports whether spec names a driver that puts RF on air.
func (r *Registry) Radiates(spec string) (bool, error) {
	d, _, err := r.resolve(spec)
	return d.Radiates, err
}

// List asks every driver that can enumerate for its attached devices. Drivers
// that are not compiled in are skipped; other errors are joined into err while
// the devices found are still returned.
func (r *Registry) List(ctx context.Context) ([]Info, error) {
	var out []Info
	var errs []error
	for _, d := range r.Drivers() {
		if d.List == nil {
			continue
		}
		infos, err := d.List(ctx)
		if err != nil && !errors.Is(err, ErrDriverNotBuilt) {
			errs = append(errs, err)
		}
		out = append(out, infos...)
	}
	return out, errors.Join(errs...)
}

// ApplyCommon applies the common keys freq, rate, gain and ppm of a to dev in that
// order (rate first, so that frequency-dependent corrections see the final rate).
func ApplyCommon(ctx context.Context, dev Device, a Args) error {
	if a.Has("rate") {
		v, err := a.Float("rate", 0)
		if err != nil {
			return err
		}
		if _, err := dev.SetSampleRate(ctx, v); err != nil {
			return err
		}
	}
	if a.Has("ppm") {
		v, err := a.Float("ppm", 0)
		if err != nil {
			return err
		}
		if err := dev.SetPPM(v); err != nil {
			return err
		}
	}
	if a.Has("freq") {
		v, err := a.Float("freq", 0)
		if err != nil {
			return err
		}
		if _, err := dev.Tune(ctx, v); err != nil {
			return err
		}
	}
	if a.Has("gain") {
		v, err := a.Float("gain", 0)
		if err != nil {
			return err
		}
		if _, err := dev.SetGain(ctx, "", v); err != nil {
			return err
		}
	}
	if a.Has("biastee") {
		on, err := a.Bool("biastee", false)
		if err != nil {
			return err
		}
		bt, ok := dev.(BiasTee)
		if !ok {
			if on {
				return fmt.Errorf("bias tee: %w", ErrNotSupported)
			}
			return nil
		}
		if err := bt.SetBiasTee(on); err != nil {
			return err
		}
	}
	return nil
}
