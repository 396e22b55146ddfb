package iqfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

var formats = []iq.Format{iq.CS8, iq.CU8, iq.CS16, iq.CF32}

func fixedPointBytes(rng *rand.Rand, f iq.Format, n int) []byte {
	b := make([]byte, n*f.BytesPerSample())
	if f == iq.CF32 {
		s := make([]complex64, n)
		for i := range s {
			s[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		}
		iq.Encode(f, b, s)
		return b
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestFileRoundTripBitExact: bytes -> Reader -> samples -> Writer -> bytes for
// every format, through files, with random read and write chunk sizes.
func TestFileRoundTripBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, f := range formats {
		t.Run(f.String(), func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in."+f.String())
			want := fixedPointBytes(rng, f, 200001)
			if err := os.WriteFile(in, want, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Open(in, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Len() != 200001 {
				t.Fatalf("Len = %d", r.Len())
			}
			out := filepath.Join(dir, "out."+f.String())
			w, err := Create(out, 0)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]complex64, 70000)
			for {
				n, err := r.Read(buf[:1+rng.IntN(len(buf)-1)])
				if _, werr := w.Write(buf[:n]); werr != nil {
					t.Fatal(werr)
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(out)
			if !bytes.Equal(got, want) {
				t.Fatal("round trip is not bit-exact")
			}
		})
	}
}

// TestReaderOneByteReads: a reader that returns one byte at a time still yields
// every sample (partial samples are carried between reads).
func TestReaderOneByteReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	b := fixedPointBytes(rng, iq.CS16, 1000)
	want := make([]complex64, 1000)
	iq.Decode(iq.CS16, want, b)
	r := NewReader(iotest.OneByteReader(bytes.NewReader(b)), iq.CS16)
	got := make([]complex64, 1000)
	if n, err := iq.ReadFull(r, got); n != 1000 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d", i)
		}
	}
}

func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.cs16")
	os.WriteFile(p, []byte{1, 2, 3, 4, 5, 6}, 0o644)
	if _, err := Open(p, 0); !errors.Is(err, ErrTruncated) {
		t.Errorf("Open: %v", err)
	}
	// A stream (size unknown in advance) reports the stray bytes at the end,
	// after returning the whole samples.
	r := NewReader(bytes.NewReader([]byte{1, 2, 3, 4, 5, 6}), iq.CS16)
	buf := make([]complex64, 4)
	n, err := r.Read(buf)
	if n != 1 || err != nil {
		t.Fatalf("first read %d %v", n, err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrTruncated) {
		t.Errorf("second read: %v", err)
	}
}

func TestBadNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"noext", "x.wav"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, make([]byte, 8), 0o644)
		if _, err := Open(p, 0); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.cu8"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDriver(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg := hardware.NewRegistry(Driver())
	p := filepath.Join(dir, "d.raw")
	snk, err := reg.OpenSink(ctx, "file="+p+",format=cs8", hardware.TXPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	snk.WriteIQ(ctx, []complex64{0.5, -0.5i, 0.25})
	snk.Close()
	if b, _ := os.ReadFile(p); !bytes.Equal(b, []byte{64, 0, 0, 0xc0, 32, 0}) {
		t.Errorf("file = %v", b)
	}
	src, err := reg.OpenSource(ctx, "file="+p+",format=cs8,repeat")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]complex64, 7)
	n, err := iq.ReadFull(src, buf)
	if n != 7 || err != nil || buf[6] != 0.5 {
		t.Errorf("repeat: %d %v %v", n, err, buf)
	}
	if s := src.Stats(); s.Samples != 7 {
		t.Errorf("stats %+v", s)
	}
	src.Close()
	if _, err := src.ReadIQ(ctx, buf); !errors.Is(err, hardware.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	for _, spec := range []string{"file=", "file=" + p + ",format=wav", "file=" + p + ",throttle", "file=" + p + ",rate=fast"} {
		if _, err := reg.OpenSource(ctx, spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
	// An empty file with repeat ends instead of spinning.
	e := filepath.Join(dir, "e.cu8")
	os.WriteFile(e, nil, 0o644)
	src, _ = reg.OpenSource(ctx, "file="+e+",repeat")
	if _, err := src.ReadIQ(ctx, buf); err != io.EOF {
		t.Errorf("empty repeat: %v", err)
	}
}

// TestLargeFileStreams reads a 256 MiB file (sparse, so it costs no disk) and
// checks that memory use stays at the Reader's fixed buffer: files are never
// loaded whole.
func TestLargeFileStreams(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.cs8")
	fd, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 256 << 20
	if err := fd.Truncate(size); err != nil {
		t.Skip("no sparse files here:", err)
	}
	fd.Close()
	r, err := Open(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	buf := make([]complex64, 1<<16)
	var n uint64
	for {
		m, err := r.Read(buf)
		n += uint64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if n != size/2 {
		t.Fatalf("read %d samples, want %d", n, size/2)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 2<<20 {
		t.Errorf("reading %d MiB allocated %d bytes", size>>20, grew)
	}
}
