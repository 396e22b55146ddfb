package iq

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func TestByteRoundTripExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, f := range []Format{CS8, CU8, CS16, CF32} {
		t.Run(f.String(), func(t *testing.T) {
			src := make([]byte, 4096*f.BytesPerSample())
			for i := range src {
				src[i] = byte(rng.Uint32())
			}
			if f == CF32 { // keep finite, non-NaN floats so byte equality is meaningful
				buf := make([]complex64, 4096)
				for i := range buf {
					buf[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
				}
				Encode(CF32, src, buf)
			}
			s := make([]complex64, 4096)
			if n := Decode(f, s, src); n != 4096 {
				t.Fatalf("Decode = %d", n)
			}
			out := make([]byte, len(src))
			if n := Encode(f, out, s); n != len(src) {
				t.Fatalf("Encode = %d", n)
			}
			if !bytes.Equal(out, src) {
				t.Fatal("bytes -> samples -> bytes is not the identity")
			}
		})
	}
}

func TestScaling(t *testing.T) {
	// sdr-hardware.md §3 table.
	s := make([]complex64, 1)
	Decode(CS8, s, []byte{0x80, 0x40})
	if s[0] != complex(-1, 0.5) {
		t.Errorf("cs8: %v", s[0])
	}
	Decode(CU8, s, []byte{0, 255})
	if s[0] != complex(-1, 1) {
		t.Errorf("cu8: %v", s[0])
	}
	Decode(CS16, s, []byte{0x00, 0x80, 0x00, 0x40})
	if s[0] != complex(-1, 0.5) {
		t.Errorf("cs16: %v", s[0])
	}
	b := make([]byte, 2)
	Encode(CS8, b, []complex64{complex(5, -5)})
	if int8(b[0]) != 127 || int8(b[1]) != -128 {
		t.Errorf("cs8 saturation: %v", b)
	}
}

func TestFormatNames(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Format
	}{{"cs8", CS8}, {".cu8", CU8}, {"ci16_le", CS16}, {"cf32_le", CF32}, {"fc32", CF32}} {
		got, err := ParseFormat(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseFormat(%q) = %v, %v", c.in, got, err)
		}
	}
	if _, err := ParseFormat("wav"); err == nil {
		t.Error("ParseFormat(wav) accepted")
	}
	if _, err := FormatFromPath("capture"); err == nil {
		t.Error("FormatFromPath without extension accepted")
	}
	if f, err := FormatFromPath("x/y.cs16"); err != nil || f != CS16 {
		t.Errorf("FormatFromPath = %v, %v", f, err)
	}
}

func TestZeroAlloc(t *testing.T) {
	src := make([]byte, 8*1024)
	dst := make([]complex64, 1024)
	for _, f := range []Format{CS8, CU8, CS16, CF32} {
		if a := testing.AllocsPerRun(50, func() {
			n := Decode(f, dst, src[:1024*f.BytesPerSample()])
			Encode(f, src, dst[:n])
		}); a != 0 {
			t.Errorf("%v: %v allocs", f, a)
		}
	}
}

func TestReadFull(t *testing.T) {
	r := &SliceReader{S: make([]complex64, 10)}
	buf := make([]complex64, 4)
	for i := 0; i < 2; i++ {
		if n, err := ReadFull(r, buf); n != 4 || err != nil {
			t.Fatalf("ReadFull = %d, %v", n, err)
		}
	}
	if n, err := ReadFull(r, buf); n != 2 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadFull tail = %d, %v", n, err)
	}
	if n, err := ReadFull(r, buf); n != 0 || err != io.EOF {
		t.Fatalf("ReadFull end = %d, %v", n, err)
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, f := range []Format{CS8, CU8, CS16, CF32} {
		b.Run(f.String(), func(b *testing.B) {
			const n = 65536
			src := make([]byte, n*f.BytesPerSample())
			dst := make([]complex64, n)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				Decode(f, dst, src)
			}
			b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
