package iqfile

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetrasim/tetrasim/iq"
)

// loopReader serves the same bytes for ever, so the benchmark measures decoding
// and buffering rather than the disk.
type loopReader struct {
	b   []byte
	off int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.b[l.off:])
	l.off = (l.off + n) % len(l.b)
	return n, nil
}

// BenchmarkIngest measures Reader throughput per format in samples/s: bytes in
// memory through the Reader's buffer into complex64.
func BenchmarkIngest(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, f := range formats {
		b.Run(f.String(), func(b *testing.B) {
			data := fixedPointBytes(rng, f, 1<<18)
			r := NewReader(&loopReader{b: data}, f)
			dst := make([]complex64, 1<<16)
			b.ReportAllocs()
			b.SetBytes(int64(len(dst) * f.BytesPerSample()))
			for b.Loop() {
				if _, err := iq.ReadFull(r, dst); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(dst))/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkFileIngest reads a 64 MiB cs8 file (a HackRF capture of 4 s at 8 MS/s)
// from the page cache through File, end to end.
func BenchmarkFileIngest(b *testing.B) {
	p := filepath.Join(b.TempDir(), "big.cs8")
	data := fixedPointBytes(rand.New(rand.NewPCG(2, 2)), iq.CS8, 32<<20)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	dst := make([]complex64, 1<<16)
	b.SetBytes(int64(len(data)))
	total := 0
	for b.Loop() {
		f, err := Open(p, 0)
		if err != nil {
			b.Fatal(err)
		}
		for {
			n, err := f.Read(dst)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkWrite measures Writer throughput per format in samples/s.
func BenchmarkWrite(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, f := range formats {
		b.Run(f.String(), func(b *testing.B) {
			src := make([]complex64, 1<<16)
			for i := range src {
				src[i] = complex(float32(rng.NormFloat64())*0.3, float32(rng.NormFloat64())*0.3)
			}
			w := NewWriter(io.Discard, f)
			b.ReportAllocs()
			b.SetBytes(int64(len(src) * f.BytesPerSample()))
			for b.Loop() {
				w.Write(src)
			}
			b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

func TestReadWriteNoAllocs(t *testing.T) {
	data := fixedPointBytes(rand.New(rand.NewPCG(4, 4)), iq.CS16, 1<<14)
	r := NewReader(&loopReader{b: data}, iq.CS16)
	w := NewWriter(io.Discard, iq.CS16)
	dst := make([]complex64, 4096)
	r.Read(dst)
	if a := testing.AllocsPerRun(100, func() { r.Read(dst); w.Write(dst) }); a != 0 {
		t.Errorf("Read+Write allocate %v per call", a)
	}
}
