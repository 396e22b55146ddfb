package hardware

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
)

// WithLOOffset returns a Source that keeps the wanted signal away from the
// receiver's DC spike and LO leakage (sdr-hardware.md §6.1): Tune(hz) tunes the
// device to hz − offsetHz, and the samples are shifted down by offsetHz with a
// numerically controlled oscillator, so that the signal at hz arrives at 0 Hz
// and the spike at −offsetHz. |offsetHz| must stay below half the sample rate
// less half the signal's bandwidth. The sample rate comes from SetSampleRate or,
// before that, from the device's Settings.
//
// The returned Source is safe for concurrent use to the extent src is, except
// that reads must not be concurrent.
func WithLOOffset(src Source, offsetHz float64) Source {
	return &loOffset{Source: src, off: offsetHz, ph: 1}
}

type loOffset struct {
	Source
	off  float64
	rate float64
	ph   complex128 // NCO phasor, |ph| = 1
	step complex128
	set  bool
}

func (l *loOffset) Tune(ctx context.Context, hz float64) (float64, error) {
	got, err := l.Source.Tune(ctx, hz-l.off)
	return got + l.off, err
}

func (l *loOffset) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	got, err := l.Source.SetSampleRate(ctx, sps)
	if err == nil {
		l.setRate(got)
	}
	return got, err
}

func (l *loOffset) setRate(r float64) {
	l.rate, l.set = r, r > 0
	l.step = cmplx.Rect(1, -2*math.Pi*l.off/r)
}

// Settings implements Settings with the centre as seen through the offset.
func (l *loOffset) Settings() (float64, float64) {
	s, ok := l.Source.(Settings)
	if !ok {
		return l.rate, 0
	}
	r, c := s.Settings()
	if c != 0 {
		c += l.off
	}
	return r, c
}

func (l *loOffset) Read(dst []complex64) (int, error) { return l.ReadIQ(context.Background(), dst) }

func (l *loOffset) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if !l.set {
		if s, ok := l.Source.(Settings); ok {
			if r, _ := s.Settings(); r > 0 {
				l.setRate(r)
			}
		}
		if !l.set {
			return 0, fmt.Errorf("hardware: LO offset: sample rate unknown (call SetSampleRate)")
		}
	}
	n, err := l.Source.ReadIQ(ctx, dst)
	ph, st := l.ph, l.step
	for i, v := range dst[:n] {
		dst[i] = v * complex64(ph)
		ph *= st
	}
	l.ph = ph / complex(cmplx.Abs(ph), 0) // keep |ph| = 1 against rounding drift
	return n, err
}

// Tee returns a Source that also writes every sample it returns to w (a
// sigmf.Writer, say: recording while receiving). A write error is returned with
// the samples of that read.
func Tee(src Source, w interface {
	Write([]complex64) (int, error)
}) Source {
	return &tee{Source: src, w: w}
}

type tee struct {
	Source
	w interface {
		Write([]complex64) (int, error)
	}
}

func (t *tee) Read(dst []complex64) (int, error) { return t.ReadIQ(context.Background(), dst) }

func (t *tee) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	n, err := t.Source.ReadIQ(ctx, dst)
	if n > 0 {
		if _, werr := t.w.Write(dst[:n]); werr != nil && err == nil {
			err = fmt.Errorf("hardware: tee: %w", werr)
		}
	}
	return n, err
}
