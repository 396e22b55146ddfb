package iqfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/tetrasim/tetrasim/iq"
)

// FuzzReader: any bytes in any format decode to exactly len/bps samples, a
// partial sample at the end is reported as ErrTruncated, the integer formats
// re-encode to the same bytes, and one-byte reads give the same samples.
func FuzzReader(f *testing.F) {
	f.Add([]byte{}, uint8(1))
	f.Add([]byte{0x80, 0x7f, 0x00}, uint8(1))
	f.Add([]byte{0, 255, 127, 128}, uint8(2))
	f.Add([]byte{0x00, 0x80, 0xff, 0x7f, 1}, uint8(3))
	f.Add([]byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0xff}, uint8(4)) // NaN, -Inf
	f.Fuzz(func(t *testing.T, b []byte, fsel uint8) {
		if len(b) > 1<<16 {
			return
		}
		fm := iq.Format(1 + int(fsel)%4)
		bps := fm.BytesPerSample()
		want := len(b) / bps
		read := func(r io.Reader) ([]complex64, error) {
			rd := NewReader(r, fm)
			var out []complex64
			buf := make([]complex64, 7)
			for {
				n, err := rd.Read(buf)
				out = append(out, buf[:n]...)
				if err != nil {
					return out, err
				}
			}
		}
		got, err := read(bytes.NewReader(b))
		if len(got) != want {
			t.Fatalf("%d samples from %d bytes of %v, want %d", len(got), len(b), fm, want)
		}
		if len(b)%bps != 0 {
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("partial sample: err = %v", err)
			}
		} else if err != io.EOF {
			t.Fatalf("err = %v, want io.EOF", err)
		}
		one, _ := read(iotest.OneByteReader(bytes.NewReader(b)))
		if len(one) != len(got) {
			t.Fatalf("one-byte reads: %d samples, want %d", len(one), len(got))
		}
		for i := range got {
			if one[i] != got[i] && !(got[i] != got[i] && one[i] != one[i]) { // NaN != NaN
				t.Fatalf("sample %d: %v vs %v", i, one[i], got[i])
			}
		}
		if fm != iq.CF32 {
			out := make([]byte, want*bps)
			iq.Encode(fm, out, got)
			if !bytes.Equal(out, b[:want*bps]) {
				t.Fatalf("re-encoding differs")
			}
		}
	})
}
