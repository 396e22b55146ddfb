package sigmf

import (
	"context"
	"fmt"
	"sync"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/iq"
)

// Driver returns the driver of SigMF recordings:
// "sigmf=PATH.sigmf-meta[,repeat][,throttle]" for receiving and
// "sigmf=PATH.sigmf-meta[,format=cf32|cs16|cs8|cu8][,rate=R][,freq=F][,desc=TEXT]"
// for transmitting into a recording. "file=X.sigmf-meta" and a bare
// "X.sigmf-meta" mean the same. A recording sink is created at its first write,
// with the rate and frequency set by then (SetSampleRate, Tune or rate=/freq=),
// and implements hardware.Annotator.
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "sigmf",
		Usage: "sigmf=PATH.sigmf-meta[,repeat][,throttle] (rx) or sigmf=PATH.sigmf-meta[,format=cf32|cs16|cs8|cu8][,rate=R][,freq=F][,desc=TEXT] (tx)",
		Keys:  []string{"repeat", "throttle", "rate", "freq", "format", "fmt", "desc"},
		Open:  open,
	}
}

func open(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if a.Value == "" {
		return nil, fmt.Errorf("%w: sigmf= needs a path", hardware.ErrBadSpec)
	}
	rate, err := a.Float("rate", 0)
	if err != nil {
		return nil, err
	}
	freq, err := a.Float("freq", 0)
	if err != nil {
		return nil, err
	}
	info := hardware.Info{Driver: "sigmf", Serial: a.Value, Label: "SigMF recording " + MetaPath(a.Value)}
	switch dir {
	case hardware.RX:
		repeat, err := a.Bool("repeat", false)
		if err != nil {
			return nil, err
		}
		throttle, err := a.Bool("throttle", false)
		if err != nil {
			return nil, err
		}
		if a.Has("format") || a.Has("fmt") || a.Has("desc") {
			return nil, fmt.Errorf("%w: sigmf: format and desc are for writing (a recording names its own datatype)", hardware.ErrBadSpec)
		}
		r, err := Open(a.Value)
		if err != nil {
			return nil, err
		}
		if mr := r.Meta.Global.SampleRate; mr > 0 {
			if rate > 0 && rate != mr {
				r.Close()
				return nil, fmt.Errorf("%w: sigmf: rate=%g but the recording is at %g S/s", hardware.ErrBadSpec, rate, mr)
			}
			rate = mr
		}
		if c := r.Meta.CenterHz(); c != 0 {
			freq = c
		}
		if throttle && rate <= 0 {
			r.Close()
			return nil, fmt.Errorf("%w: sigmf: throttle needs a sample rate and the recording has none (give rate=)", hardware.ErrBadSpec)
		}
		info.RX = true
		info.Label += " (" + r.Meta.Global.Datatype + ")"
		return iqfile.NewSource(r, info, rate, freq, repeat, throttle), nil
	case hardware.TX:
		if a.Has("repeat") || a.Has("throttle") {
			return nil, fmt.Errorf("%w: sigmf: repeat and throttle are for reading", hardware.ErrBadSpec)
		}
		f := iq.CF32
		if s := a.Str("format", a.Str("fmt", "")); s != "" {
			if f, err = iq.ParseFormat(s); err != nil {
				return nil, fmt.Errorf("sigmf: %w", err)
			}
		}
		info.TX = true
		return &sink{path: a.Value, format: f, desc: a.Str("desc", ""), rate: rate, freq: freq, info: info}, nil
	}
	return nil, hardware.ErrDirection
}

type sink struct {
	path       string
	format     iq.Format
	desc       string
	rate, freq float64
	info       hardware.Info
	c          hardware.Counters

	mu      sync.Mutex
	w       *Writer
	pending []Annotation
	closed  bool
}

func (s *sink) Info() hardware.Info { return s.info }

func (s *sink) Tune(ctx context.Context, hz float64) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w != nil && hz != s.freq {
		return s.freq, fmt.Errorf("sigmf: tune after the recording started: %w", hardware.ErrNotSupported)
	}
	s.freq = hz
	return hz, nil
}

func (s *sink) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w != nil && sps != s.rate {
		return s.rate, fmt.Errorf("sigmf: change of sample rate after the recording started: %w", hardware.ErrNotSupported)
	}
	s.rate = sps
	return sps, nil
}

func (s *sink) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("sigmf: gain: %w", hardware.ErrNotSupported)
}

func (s *sink) SetPPM(float64) error { return fmt.Errorf("sigmf: ppm: %w", hardware.ErrNotSupported) }

func (s *sink) Stats() hardware.Stats { return s.c.Stats() }

// start creates the recording; s.mu is held.
func (s *sink) start() error {
	if s.w != nil {
		return nil
	}
	if s.rate <= 0 {
		return fmt.Errorf("sigmf: %s: no sample rate: give rate= or call SetSampleRate before writing", s.path)
	}
	w, err := Create(s.path, s.format, s.rate, s.freq, s.desc)
	if err != nil {
		return err
	}
	for _, a := range s.pending {
		w.Annotate(a.SampleStart, a.SampleCount, a.Label, a.Comment, a.FreqLowerEdge, a.FreqUpperEdge)
	}
	s.pending = nil
	s.w = w
	return nil
}

func (s *sink) Write(src []complex64) (int, error) { return s.WriteIQ(context.Background(), src) }

func (s *sink) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, hardware.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.start(); err != nil {
		return 0, err
	}
	n, err := s.w.Write(src)
	s.c.AddSamples(n)
	return n, err
}

func (s *sink) Annotate(start, count uint64, label, comment string, fLo, fHi float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		s.pending = append(s.pending, Annotation{SampleStart: start, SampleCount: count, Label: label, Comment: comment, FreqLowerEdge: fLo, FreqUpperEdge: fHi})
		return
	}
	s.w.Annotate(start, count, label, comment, fLo, fHi)
}

func (s *sink) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return hardware.ErrClosed
	}
	if s.w == nil {
		return nil
	}
	return s.w.data.Flush()
}

// Close finishes the recording. A sink that was never written to still leaves
// an empty recording when it knows its sample rate.
func (s *sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.w == nil {
		if s.rate <= 0 {
			return nil
		}
		if err := s.start(); err != nil {
			return err
		}
	}
	return s.w.Close()
}

var (
	_ hardware.Sink      = (*sink)(nil)
	_ hardware.Annotator = (*sink)(nil)
)
