// Package iqfile reads and writes headerless IQ files (cs8, cu8, cs16 and cf32;
// shared design note sdr-hardware.md §3) as streams, so files of any size pass
// through a fixed buffer, and provides the "file" device driver.
//
// A Reader or Writer is not safe for concurrent use.
package iqfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tetrasim/tetrasim/iq"
)

// ErrTruncated reports a stream that ends in the middle of a sample.
var ErrTruncated = errors.New("iqfile: stream ends in the middle of a sample")

// BufferBytes is the size of the byte buffer of Reader and Writer.
const BufferBytes = 64 << 10

// Reader decodes a byte stream of format F into complex64 samples.
type Reader struct {
	r    io.Reader
	f    iq.Format
	bps  int
	buf  []byte
	have int // undecoded bytes at the start of buf
	err  error
	n    uint64 // samples returned
}

// NewReader returns a Reader of r in format f. It panics on an invalid format.
func NewReader(r io.Reader, f iq.Format) *Reader {
	bps := f.BytesPerSample()
	if bps == 0 {
		panic("iqfile: NewReader: bad format")
	}
	return &Reader{r: r, f: f, bps: bps, buf: make([]byte, BufferBytes)}
}

// Format returns the sample format.
func (r *Reader) Format() iq.Format { return r.f }

// Samples returns the number of samples read so far.
func (r *Reader) Samples() uint64 { return r.n }

// Read implements iq.Reader. At the end of the stream it returns io.EOF, or an
// error wrapping ErrTruncated if the stream ended part way through a sample (the
// whole samples before it have been returned).
func (r *Reader) Read(dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	for r.have < r.bps {
		if r.err != nil {
			if r.err == io.EOF && r.have > 0 {
				return 0, fmt.Errorf("%w: %d stray byte(s) after %d whole %s samples", ErrTruncated, r.have, r.n, r.f)
			}
			return 0, r.err
		}
		m, err := r.r.Read(r.buf[r.have:])
		r.have += m
		if err != nil {
			r.err = err
		}
	}
	// Top up the buffer without blocking on more than one read.
	if r.err == nil && r.have < len(r.buf) && r.have < len(dst)*r.bps {
		m, err := r.r.Read(r.buf[r.have:])
		r.have += m
		if err != nil {
			r.err = err
		}
	}
	ns := min(r.have/r.bps, len(dst))
	nb := ns * r.bps
	iq.Decode(r.f, dst, r.buf[:nb])
	r.have = copy(r.buf, r.buf[nb:r.have])
	r.n += uint64(ns)
	return ns, nil
}

// Writer encodes complex64 samples into a byte stream of format f. Call Flush
// (or Close on a File) at the end.
type Writer struct {
	w   *bufio.Writer
	f   iq.Format
	bps int
	buf []byte
	n   uint64
}

// NewWriter returns a buffered Writer to w in format f. It panics on an invalid format.
func NewWriter(w io.Writer, f iq.Format) *Writer {
	bps := f.BytesPerSample()
	if bps == 0 {
		panic("iqfile: NewWriter: bad format")
	}
	return &Writer{w: bufio.NewWriterSize(w, BufferBytes), f: f, bps: bps, buf: make([]byte, BufferBytes)}
}

// Format returns the sample format.
func (w *Writer) Format() iq.Format { return w.f }

// Samples returns the number of samples written so far.
func (w *Writer) Samples() uint64 { return w.n }

// Write implements iq.Writer. Values outside the format's range saturate.
func (w *Writer) Write(src []complex64) (int, error) {
	per := len(w.buf) / w.bps
	done := 0
	for done < len(src) {
		k := min(per, len(src)-done)
		nb := iq.Encode(w.f, w.buf, src[done:done+k])
		if _, err := w.w.Write(w.buf[:nb]); err != nil {
			return done, fmt.Errorf("iqfile: write: %w", err)
		}
		done += k
		w.n += uint64(k)
	}
	return done, nil
}

// Flush writes buffered bytes to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("iqfile: flush: %w", err)
	}
	return nil
}

// File is an IQ file opened for reading.
type File struct {
	*Reader
	f    *os.File
	size int64
}

// Open opens a raw IQ file for reading. When f is 0 the format comes from the
// file's extension. A file whose size is not a whole number of samples is
// rejected here, before any sample is read.
func Open(path string, f iq.Format) (*File, error) {
	if f == 0 {
		var err error
		if f, err = iq.FormatFromPath(path); err != nil {
			return nil, fmt.Errorf("iqfile: %w", err)
		}
	}
	if f.BytesPerSample() == 0 {
		return nil, fmt.Errorf("iqfile: %s: bad format %v", path, f)
	}
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("iqfile: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("iqfile: %w", err)
	}
	if st.IsDir() {
		fd.Close()
		return nil, fmt.Errorf("iqfile: %s is a directory", path)
	}
	if st.Mode().IsRegular() && st.Size()%int64(f.BytesPerSample()) != 0 {
		fd.Close()
		return nil, fmt.Errorf("%w: %s is %d bytes, not a multiple of %d (one %s sample): truncated or not %s",
			ErrTruncated, path, st.Size(), f.BytesPerSample(), f, f)
	}
	return &File{Reader: NewReader(fd, f), f: fd, size: st.Size()}, nil
}

// Len returns the number of samples in the file (0 for pipes).
func (f *File) Len() uint64 { return uint64(f.size) / uint64(f.Reader.bps) }

// Rewind seeks back to the first sample.
func (f *File) Rewind() error {
	if _, err := f.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("iqfile: rewind: %w", err)
	}
	f.Reader = NewReader(f.f, f.Reader.f)
	return nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// OutFile is an IQ file opened for writing.
type OutFile struct {
	*Writer
	f *os.File
}

// Create creates (or truncates) a raw IQ file. When f is 0 the format comes from
// the file's extension.
func Create(path string, f iq.Format) (*OutFile, error) {
	if f == 0 {
		var err error
		if f, err = iq.FormatFromPath(path); err != nil {
			return nil, fmt.Errorf("iqfile: %w", err)
		}
	}
	if f.BytesPerSample() == 0 {
		return nil, fmt.Errorf("iqfile: %s: bad format %v", path, f)
	}
	fd, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("iqfile: %w", err)
	}
	return &OutFile{Writer: NewWriter(fd, f), f: fd}, nil
}

// Close flushes and closes the file.
func (o *OutFile) Close() error {
	ferr := o.Flush()
	cerr := o.f.Close()
	if ferr != nil {
		return ferr
	}
	if cerr != nil {
		return fmt.Errorf("iqfile: close: %w", cerr)
	}
	return nil
}

var (
	_ iq.Reader = (*Reader)(nil)
	_ iq.Writer = (*Writer)(nil)
)
