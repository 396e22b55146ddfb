// Package iq defines complex-baseband sample streams and the conversions between
// tetrasim's sample type (complex64, full scale +/-1.0) and the byte formats SDR
// front ends and files use: cs8 (HackRF), cu8 (RTL-SDR, rtl_tcp), cs16 and cf32
// (GNU Radio). See shared design note sdr-hardware.md §3 for the scaling table.
//
// Everything here is safe for concurrent use: the package holds no mutable state.
package iq

import (
	"errors"
	"io"
)

// Reader reads complex-baseband samples into dst, with the contract of io.Reader:
// 0 <= n <= len(dst), and io.EOF ends a finite stream.
type Reader interface {
	Read(dst []complex64) (n int, err error)
}

// Writer writes complex-baseband samples, with the contract of io.Writer: it returns
// a non-nil error when n < len(src).
type Writer interface {
	Write(src []complex64) (n int, err error)
}

// ReadWriter groups Reader and Writer.
type ReadWriter interface {
	Reader
	Writer
}

// ErrShortBuffer is returned by ReadFull's callers' helpers when dst cannot hold a block.
var ErrShortBuffer = errors.New("iq: short buffer")

// ReadFull reads exactly len(dst) samples from r, like io.ReadFull: it returns
// io.EOF only when no sample was read, and io.ErrUnexpectedEOF when the stream
// ended part way.
func ReadFull(r Reader, dst []complex64) (int, error) {
	n := 0
	for n < len(dst) {
		m, err := r.Read(dst[n:])
		n += m
		if err != nil {
			if errors.Is(err, io.EOF) {
				if n == 0 {
					return 0, io.EOF
				}
				if n < len(dst) {
					return n, io.ErrUnexpectedEOF
				}
				return n, nil
			}
			return n, err
		}
		if m == 0 && n < len(dst) {
			// A Reader that returns 0, nil repeatedly would spin; io.ReadFull tolerates
			// it, and so do we, but one empty read is not an error.
			continue
		}
	}
	return n, nil
}

// SliceReader reads from an in-memory slice of samples. The zero value is an empty stream.
type SliceReader struct {
	S   []complex64
	off int
}

// Read implements Reader.
func (r *SliceReader) Read(dst []complex64) (int, error) {
	if r.off >= len(r.S) {
		return 0, io.EOF
	}
	n := copy(dst, r.S[r.off:])
	r.off += n
	return n, nil
}

// SliceWriter appends written samples to S. The zero value is ready to use.
type SliceWriter struct {
	S []complex64
}

// Write implements Writer.
func (w *SliceWriter) Write(src []complex64) (int, error) {
	w.S = append(w.S, src...)
	return len(src), nil
}

var (
	_ Reader = (*SliceReader)(nil)
	_ Writer = (*SliceWriter)(nil)
)
