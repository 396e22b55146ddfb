package rtltcp

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseHeader: any bytes either parse, and then re-encode to the same 12
// bytes, or fail with ErrBadHeader. Never a panic.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte("RTL0\x00\x00\x00\x05\x00\x00\x00\x1d"))
	f.Add([]byte("RTL0\x00\x00\x00\x01\x00\x00\x00\x0e\xff\x80"))
	f.Add([]byte("SOAPYREMOTE!"))
	f.Add([]byte("RTL"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("error %v does not wrap ErrBadHeader", err)
			}
			return
		}
		out, _ := h.AppendBinary(nil)
		if !bytes.Equal(out, b[:HeaderSize]) {
			t.Fatalf("re-encoded % x, input % x", out, b[:HeaderSize])
		}
		_ = h.Tuner.String()
		_ = h.Tuner.Gains()
	})
}

// FuzzParseCommand: commands round-trip through AppendCommand.
func FuzzParseCommand(f *testing.F) {
	f.Add([]byte{0x01, 0x19, 0xdd, 0x0b, 0x00})
	f.Add([]byte{0x05, 0xff, 0xff, 0xff, 0xf4})
	f.Add([]byte{0x0e})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, p, err := ParseCommand(b)
		if err != nil {
			if len(b) >= CommandSize {
				t.Fatalf("rejected %d bytes: %v", len(b), err)
			}
			return
		}
		if out := AppendCommand(nil, c, p); !bytes.Equal(out, b[:CommandSize]) {
			t.Fatalf("re-encoded % x, input % x", out, b[:CommandSize])
		}
		_ = c.String()
	})
}
