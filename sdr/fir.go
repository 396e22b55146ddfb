package sdr

import "errors"

// firChunk is the block size FIR and Resampler work in; it bounds their buffers.
const firChunk = 4096

// FIR is a finite-impulse-response filter with real float32 taps on complex64
// samples:
//
//	y[n] = Σ_{i=0}^{N-1} h[i]·x[n-i]
//
// The zero value is not usable; create one with NewFIR. Not safe for concurrent use.
type FIR struct {
	rev []float32   // taps reversed, so y[n] = dot(rev, x[n-N+1 .. n])
	buf []complex64 // N-1 samples of history followed by up to firChunk new samples
}

// NewFIR returns a filter with the given taps (at least one). The taps are copied.
func NewFIR(taps []float32) (*FIR, error) {
	if len(taps) == 0 {
		return nil, errors.New("sdr: FIR needs at least one tap")
	}
	f := &FIR{rev: make([]float32, len(taps)), buf: make([]complex64, len(taps)-1+firChunk)}
	for i, v := range taps {
		f.rev[len(taps)-1-i] = v
	}
	return f, nil
}

// OutLen returns n: a FIR produces one output per input.
func (f *FIR) OutLen(n int) int { return n }

// Reset clears the filter history.
func (f *FIR) Reset() { clear(f.buf) }

// Process filters src into dst and returns len(src). It panics if dst is shorter
// than src. dst and src must overlap entirely or not at all. Successive calls behave
// as one call on the concatenated input: the filter keeps its history.
func (f *FIR) Process(dst, src []complex64) int {
	if len(dst) < len(src) {
		panic("sdr: FIR.Process: dst too short")
	}
	h := len(f.rev) - 1
	n := 0
	for n < len(src) {
		c := min(len(src)-n, firChunk)
		copy(f.buf[h:], src[n:n+c])
		out := dst[n : n+c]
		for i := range out {
			out[i] = dotCR(f.rev, f.buf[i:i+h+1])
		}
		copy(f.buf, f.buf[c:c+h])
		n += c
	}
	return len(src)
}

// dotCR returns Σ h[i]·x[i] for real h and complex x, len(x) >= len(h). It is the
// reference loop
//
//	for i := range h { acc += complex(h[i], 0) * x[i] }
//
// unrolled four ways with independent accumulators.
func dotCR(h []float32, x []complex64) complex64 {
	n := len(h)
	x = x[:n]
	var r0, i0, r1, i1, r2, i2, r3, i3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		// array pointers: one bounds check per four taps
		hh := (*[4]float32)(h[i:])
		xx := (*[4]complex64)(x[i:])
		r0 += hh[0] * real(xx[0])
		i0 += hh[0] * imag(xx[0])
		r1 += hh[1] * real(xx[1])
		i1 += hh[1] * imag(xx[1])
		r2 += hh[2] * real(xx[2])
		i2 += hh[2] * imag(xx[2])
		r3 += hh[3] * real(xx[3])
		i3 += hh[3] * imag(xx[3])
	}
	for ; i < n; i++ {
		r0 += h[i] * real(x[i])
		i0 += h[i] * imag(x[i])
	}
	return complex((r0+r1)+(r2+r3), (i0+i1)+(i2+i3))
}
