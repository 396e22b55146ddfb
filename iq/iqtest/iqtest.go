// Package iqtest provides test doubles for iq.Reader and iq.Writer: a complex
// tone and white Gaussian noise generators, a reader that returns short and
// irregular reads (to test chunking invariance), readers and writers that fail
// on cue, and a sink that records what it is given.
//
// None of the types is safe for concurrent use.
package iqtest

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/iq"
)

// Tone generates A·exp(j(2π·f·n + φ0)), with f = FreqHz/RateHz cycles per
// sample. Limit > 0 ends the stream with io.EOF after Limit samples. The zero
// value is a stream of zeros without end. The phase is accumulated in float64, so
// long streams stay coherent.
type Tone struct {
	FreqHz, RateHz float64 // f = FreqHz/RateHz; RateHz 0 means FreqHz is in cycles per sample
	Amplitude      float64
	Phase          float64 // initial phase [rad]
	Limit          int

	n int
}

// Read implements iq.Reader.
func (t *Tone) Read(dst []complex64) (int, error) {
	if t.Limit > 0 && t.n >= t.Limit {
		return 0, io.EOF
	}
	if t.Limit > 0 {
		dst = dst[:min(len(dst), t.Limit-t.n)]
	}
	f := t.FreqHz
	if t.RateHz != 0 {
		f /= t.RateHz
	}
	for i := range dst {
		ph := 2*math.Pi*f*float64(t.n+i) + t.Phase
		s, c := math.Sincos(ph)
		dst[i] = complex(float32(t.Amplitude*c), float32(t.Amplitude*s))
	}
	t.n += len(dst)
	return len(dst), nil
}

// Noise generates complex white Gaussian noise of total power Power (each of I
// and Q has variance Power/2) from Rand. Limit > 0 ends the stream after Limit
// samples. Rand must be set (e.g. rand.New(rand.NewPCG(1, 1))).
type Noise struct {
	Power float64
	Rand  *rand.Rand
	Limit int

	n int
}

// Read implements iq.Reader.
func (z *Noise) Read(dst []complex64) (int, error) {
	if z.Limit > 0 && z.n >= z.Limit {
		return 0, io.EOF
	}
	if z.Limit > 0 {
		dst = dst[:min(len(dst), z.Limit-z.n)]
	}
	sd := math.Sqrt(z.Power / 2)
	for i := range dst {
		dst[i] = complex(float32(sd*z.Rand.NormFloat64()), float32(sd*z.Rand.NormFloat64()))
	}
	z.n += len(dst)
	return len(dst), nil
}

// Chunked wraps a Reader and hands out at most a random 1..Max samples per Read
// (Max 0 means 1), drawn from Rand (nil: always Max). It tests that consumers
// do not assume full reads.
type Chunked struct {
	R    iq.Reader
	Max  int
	Rand *rand.Rand
}

// Read implements iq.Reader.
func (c *Chunked) Read(dst []complex64) (int, error) {
	m := max(c.Max, 1)
	if c.Rand != nil {
		m = 1 + c.Rand.IntN(m)
	}
	return c.R.Read(dst[:min(len(dst), m)])
}

// ErrInjected is the error FailingReader and Sink return on cue.
var ErrInjected = errors.New("iqtest: injected failure")

// FailingReader passes through R until After samples have been read, then
// returns Err (ErrInjected when nil), like a device that is unplugged.
type FailingReader struct {
	R     iq.Reader
	After int
	Err   error

	n int
}

// Read implements iq.Reader.
func (f *FailingReader) Read(dst []complex64) (int, error) {
	if f.n >= f.After {
		if f.Err != nil {
			return 0, f.Err
		}
		return 0, ErrInjected
	}
	n, err := f.R.Read(dst[:min(len(dst), f.After-f.n)])
	f.n += n
	return n, err
}

// Sink records every sample written to it. FailAfter > 0 makes it accept only
// that many samples in total and then return ErrInjected (a short write).
// MaxWrite > 0 caps the samples accepted per call, also with ErrInjected.
type Sink struct {
	S         []complex64
	Writes    int // number of Write calls
	FailAfter int
	MaxWrite  int
}

// Write implements iq.Writer.
func (s *Sink) Write(src []complex64) (int, error) {
	s.Writes++
	n := len(src)
	if s.MaxWrite > 0 {
		n = min(n, s.MaxWrite)
	}
	if s.FailAfter > 0 {
		n = min(n, max(s.FailAfter-len(s.S), 0))
	}
	s.S = append(s.S, src[:n]...)
	if n < len(src) {
		return n, ErrInjected
	}
	return n, nil
}

// Power returns the mean power of s (0 for an empty slice).
func Power(s []complex64) float64 {
	if len(s) == 0 {
		return 0
	}
	var p float64
	for _, v := range s {
		p += float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))
	}
	return p / float64(len(s))
}

// FreqOf estimates the frequency of a tone in s [cycles per sample] from the
// mean phase step (valid for |f| < 0.5 and a clean enough tone).
func FreqOf(s []complex64) float64 {
	var acc complex128
	for i := 1; i < len(s); i++ {
		a, b := complex128(s[i]), complex128(s[i-1])
		acc += a * complex(real(b), -imag(b))
	}
	return math.Atan2(imag(acc), real(acc)) / (2 * math.Pi)
}

var (
	_ iq.Reader = (*Tone)(nil)
	_ iq.Reader = (*Noise)(nil)
	_ iq.Reader = (*Chunked)(nil)
	_ iq.Reader = (*FailingReader)(nil)
	_ iq.Writer = (*Sink)(nil)
)
