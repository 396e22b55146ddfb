package iqfile

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// Driver returns the driver of raw IQ files: "file=PATH[,format=cs8|cu8|cs16|cf32][,rate=R][,freq=F][,repeat][,throttle]".
//
// The driver opens raw IQ files. For receiving, rate and freq are metadata (a raw file has none; rate is needed
// for throttle); repeat loops the file and throttle paces it to real time. For
// transmitting, the file is created (truncated) and receives the samples.
// A ".sigmf-meta" path is handed to the sigmf driver by the device-string parser.
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "file",
		Usage: "file=PATH[,format=cs8|cu8|cs16|cf32][,rate=R][,freq=F][,repeat][,throttle]",
		Keys:  []string{"format", "fmt", "rate", "freq", "repeat", "throttle"},
		Open:  open,
	}
}

func open(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if a.Value == "" {
		return nil, fmt.Errorf("%w: file= needs a path", hardware.ErrBadSpec)
	}
	var f iq.Format
	if s := a.Str("format", a.Str("fmt", "")); s != "" {
		var err error
		if f, err = iq.ParseFormat(s); err != nil {
			return nil, fmt.Errorf("iqfile: %w", err)
		}
	}
	rate, err := a.Float("rate", 0)
	if err != nil {
		return nil, err
	}
	freq, err := a.Float("freq", 0)
	if err != nil {
		return nil, err
	}
	repeat, err := a.Bool("repeat", false)
	if err != nil {
		return nil, err
	}
	throttle, err := a.Bool("throttle", false)
	if err != nil {
		return nil, err
	}
	if throttle && rate <= 0 {
		return nil, fmt.Errorf("%w: file: throttle needs rate=", hardware.ErrBadSpec)
	}
	info := hardware.Info{Driver: "file", Serial: a.Value, Label: "raw IQ file " + a.Value}
	switch dir {
	case hardware.RX:
		fd, err := Open(a.Value, f)
		if err != nil {
			return nil, err
		}
		info.RX = true
		info.Label += " (" + fd.Format().String() + ")"
		return NewSource(fd, info, rate, freq, repeat, throttle), nil
	case hardware.TX:
		if repeat || throttle {
			return nil, fmt.Errorf("%w: file: repeat and throttle are for reading", hardware.ErrBadSpec)
		}
		out, err := Create(a.Value, f)
		if err != nil {
			return nil, err
		}
		info.TX = true
		return &sink{out: out, info: info, rate: rate, freq: freq}, nil
	}
	return nil, hardware.ErrDirection
}

// Rewinder is a sample stream that can restart from its first sample.
type Rewinder interface {
	iq.Reader
	Rewind() error
	Close() error
}

// NewSource makes a hardware.Source of a file-like stream: rate [S/s] and freq
// [Hz] are its metadata (0 = unknown), repeat loops it, throttle paces it to
// real time at rate. Tune and SetSampleRate cannot change a recording: they
// return the recording's value (or accept any value when it is unknown).
func NewSource(r Rewinder, info hardware.Info, rate, freq float64, repeat, throttle bool) hardware.Source {
	s := &source{r: r, info: info, rate: rate, freq: freq, repeat: repeat}
	s.closed, s.cancel = context.WithCancel(context.Background())
	if throttle {
		s.pacer.Rate = rate
	}
	return s
}

type source struct {
	r            Rewinder
	info         hardware.Info
	rate, freq   float64
	repeat       bool
	pacer        hardware.Pacer
	c            hardware.Counters
	mu           sync.Mutex // serialises reads
	closeOnce    sync.Once
	closed       context.Context // done once Close is called
	cancel       context.CancelFunc
	emptyRepeats int
}

func (s *source) Info() hardware.Info { return s.info }

// Settings implements hardware.Settings.
func (s *source) Settings() (float64, float64) { return s.rate, s.freq }

func (s *source) Tune(ctx context.Context, hz float64) (float64, error) {
	if s.freq == 0 {
		s.freq = hz
	}
	return s.freq, nil
}

func (s *source) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if s.rate == 0 {
		s.rate = sps
	}
	return s.rate, nil
}

func (s *source) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("file: gain: %w", hardware.ErrNotSupported)
}

func (s *source) SetPPM(float64) error { return fmt.Errorf("file: ppm: %w", hardware.ErrNotSupported) }

func (s *source) Stats() hardware.Stats { return s.c.Stats() }

func (s *source) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		s.mu.Lock()
		err = s.r.Close()
		s.mu.Unlock()
	})
	return err
}

func (s *source) Read(dst []complex64) (int, error) { return s.ReadIQ(context.Background(), dst) }

func (s *source) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Err() != nil {
		return 0, hardware.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for {
		n, err := s.r.Read(dst)
		if n > 0 {
			s.emptyRepeats = 0
			s.c.AddSamples(n)
			if s.pacer.Rate > 0 {
				// Pace to real time; Close or ctx cut the wait short (the samples
				// are still returned).
				pctx, cancel := context.WithCancel(ctx)
				stop := context.AfterFunc(s.closed, cancel)
				s.pacer.Wait(pctx, n)
				stop()
				cancel()
			}
			return n, nil
		}
		if err == io.EOF && s.repeat && s.emptyRepeats < 2 {
			s.emptyRepeats++
			if rerr := s.r.Rewind(); rerr != nil {
				return 0, rerr
			}
			continue
		}
		if err == nil {
			continue
		}
		return 0, err
	}
}

type sink struct {
	out        *OutFile
	info       hardware.Info
	rate, freq float64
	c          hardware.Counters
	mu         sync.Mutex
	closed     bool
}

func (s *sink) Info() hardware.Info { return s.info }

func (s *sink) Tune(ctx context.Context, hz float64) (float64, error) {
	s.freq = hz
	return hz, nil
}

func (s *sink) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	s.rate = sps
	return sps, nil
}

func (s *sink) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("file: gain: %w", hardware.ErrNotSupported)
}

func (s *sink) SetPPM(float64) error { return fmt.Errorf("file: ppm: %w", hardware.ErrNotSupported) }

func (s *sink) Stats() hardware.Stats { return s.c.Stats() }

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
	n, err := s.out.Write(src)
	s.c.AddSamples(n)
	return n, err
}

func (s *sink) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return hardware.ErrClosed
	}
	return s.out.Flush()
}

func (s *sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.out.Close()
}

var (
	_ hardware.Source = (*source)(nil)
	_ hardware.Sink   = (*sink)(nil)
)
