package loopback

import (
	"context"
	"errors"
	"io"
	"math"
	"math/cmplx"
	"testing"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

func registry() *hardware.Registry { return hardware.NewRegistry(NewHub().Driver()) }

func tone(n int, cyclesPerSample float64) []complex64 {
	s := make([]complex64, n)
	for i := range s {
		s[i] = complex64(cmplx.Rect(0.5, 2*math.Pi*cyclesPerSample*float64(i)))
	}
	return s
}

func TestLoopbackCarriesSamples(t *testing.T) {
	ctx := context.Background()
	r := registry()
	snk, err := r.OpenSink(ctx, "loopback=a,buffer=4096", hardware.TXPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := r.OpenSource(ctx, "loopback=a")
	if err != nil {
		t.Fatal(err)
	}
	want := tone(100000, 0.01) // larger than the buffer: exercises back-pressure
	go func() {
		for off := 0; off < len(want); off += 777 {
			snk.WriteIQ(ctx, want[off:min(off+777, len(want))])
		}
		snk.Close()
	}()
	got := make([]complex64, 0, len(want))
	buf := make([]complex64, 1000)
	for {
		n, err := src.ReadIQ(ctx, buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %v != %v", i, got[i], want[i])
		}
	}
	if s := src.Stats(); s.Samples != uint64(len(want)) || s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
	src.Close()
	// Both ends closed: the name can be used again.
	if _, err := r.OpenSink(ctx, "loopback=a", hardware.TXPolicy{}); err != nil {
		t.Errorf("reuse: %v", err)
	}
}

func TestLoopbackCFOAndNoise(t *testing.T) {
	ctx := context.Background()
	r := registry()
	const rate = 1e6
	snk, _ := r.OpenSink(ctx, "loopback=c,rate=1e6,freq=433.92e6", hardware.TXPolicy{})
	// The receiver is tuned 1 kHz low and its crystal is 2 ppm high (-867.84 Hz):
	// the tone appears at +1000 - 867.84 Hz.
	src, _ := r.OpenSource(ctx, "loopback=c,freq=433.919e6,ppm=2,noise=-40,seed=7")
	in := make([]complex64, 50000)
	for i := range in {
		in[i] = 0.5
	}
	snk.WriteIQ(ctx, in)
	snk.Close()
	out := make([]complex64, len(in))
	if n, err := iq.ReadFull(src, out); n != len(in) {
		t.Fatalf("read %d, %v", n, err)
	}
	// Estimate the frequency from the mean phase step, and the noise from the amplitude spread.
	var acc complex128
	var pow float64
	for i := 1; i < len(out); i++ {
		acc += complex128(out[i] * complex(real(out[i-1]), -imag(out[i-1])))
	}
	for _, v := range out {
		d := cmplx.Abs(complex128(v)) - 0.5
		pow += d * d
	}
	f := cmplx.Phase(acc) / (2 * math.Pi) * rate
	want := 1000 - 2e-6*433.919e6
	if math.Abs(f-want) > 2 {
		t.Errorf("offset %.2f Hz, want %.2f", f, want)
	}
	// Radial noise power is half the complex noise power of -40 dBFS.
	if db := 10 * math.Log10(pow/float64(len(out))*2); db < -41 || db > -39 {
		t.Errorf("noise %.2f dBFS, want -40", db)
	}
}

func TestLoopbackDropsAndClose(t *testing.T) {
	ctx := context.Background()
	r := registry()
	snk, _ := r.OpenSink(ctx, "loopback=d", hardware.TXPolicy{})
	src, _ := r.OpenSource(ctx, "loopback=d,drop=0.5,seed=3")
	snk.WriteIQ(ctx, make([]complex64, 64*1024))
	snk.Close()
	buf := make([]complex64, 4096)
	total := 0
	for {
		n, err := src.ReadIQ(ctx, buf)
		total += n
		if err != nil {
			break
		}
	}
	s := src.Stats()
	if uint64(total)+s.Dropped != 64*1024 || s.Dropped == 0 || s.Dropped%1024 != 0 {
		t.Errorf("read %d, stats %+v", total, s)
	}
	// A second source on a busy name is refused; Close unblocks a reader.
	s2, _ := r.OpenSource(ctx, "loopback=e")
	if _, err := r.OpenSource(ctx, "loopback=e"); !errors.Is(err, hardware.ErrBusy) {
		t.Errorf("second source: %v", err)
	}
	done := make(chan error)
	go func() { _, err := s2.ReadIQ(ctx, buf); done <- err }()
	s2.Close()
	if err := <-done; !errors.Is(err, hardware.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	// Cancelling the context unblocks a reader.
	s3, _ := r.OpenSource(ctx, "loopback=f")
	cctx, cancel := context.WithCancel(ctx)
	go func() { _, err := s3.ReadIQ(cctx, buf); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
}

func TestLoopbackNoAllocs(t *testing.T) {
	ctx := context.Background()
	r := registry()
	snk, _ := r.OpenSink(ctx, "loopback=z,rate=1e6,cfo=100,noise=-40", hardware.TXPolicy{})
	src, _ := r.OpenSource(ctx, "loopback=z,ppm=1,freq=1e8")
	buf := make([]complex64, 4096)
	snk.WriteIQ(ctx, buf)
	src.ReadIQ(ctx, buf)
	if a := testing.AllocsPerRun(100, func() {
		snk.WriteIQ(ctx, buf)
		iq.ReadFull(src, buf)
	}); a != 0 {
		t.Errorf("WriteIQ+ReadIQ allocate %v per call", a)
	}
}
