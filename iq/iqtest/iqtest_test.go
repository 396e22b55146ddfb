package iqtest

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/iq"
)

func TestTone(t *testing.T) {
	tn := &Tone{FreqHz: 1000, RateHz: 48000, Amplitude: 0.5, Limit: 4800}
	s := make([]complex64, 5000)
	n, err := iq.ReadFull(&Chunked{R: tn, Max: 97, Rand: rand.New(rand.NewPCG(1, 1))}, s)
	if n != 4800 || err != io.ErrUnexpectedEOF {
		t.Fatalf("read %d, %v", n, err)
	}
	if f := FreqOf(s[:n]); math.Abs(f-1000.0/48000) > 1e-6 {
		t.Errorf("frequency %g", f)
	}
	if p := Power(s[:n]); math.Abs(p-0.25) > 1e-6 {
		t.Errorf("power %g", p)
	}
	if s[0] != complex(0.5, 0) {
		t.Errorf("first sample %v", s[0])
	}
}

func TestNoise(t *testing.T) {
	z := &Noise{Power: 0.01, Rand: rand.New(rand.NewPCG(1, 1)), Limit: 100000}
	s := make([]complex64, 100000)
	iq.ReadFull(z, s)
	if p := Power(s); math.Abs(10*math.Log10(p)+20) > 0.1 {
		t.Errorf("noise power %.2f dB, want -20", 10*math.Log10(p))
	}
	if _, err := z.Read(s); err != io.EOF {
		t.Errorf("after limit: %v", err)
	}
}

func TestFailures(t *testing.T) {
	f := &FailingReader{R: &Tone{}, After: 10}
	s := make([]complex64, 8)
	n1, _ := f.Read(s)
	n2, _ := f.Read(s)
	if _, err := f.Read(s); n1+n2 != 10 || !errors.Is(err, ErrInjected) {
		t.Errorf("%d %d %v", n1, n2, err)
	}
	k := &Sink{FailAfter: 5}
	if n, err := k.Write(make([]complex64, 8)); n != 5 || !errors.Is(err, ErrInjected) || len(k.S) != 5 {
		t.Errorf("short write %d %v", n, err)
	}
	k = &Sink{MaxWrite: 3}
	if n, err := k.Write(make([]complex64, 8)); n != 3 || err == nil {
		t.Errorf("capped write %d %v", n, err)
	}
}
