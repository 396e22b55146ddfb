package hardware

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeTX is a radiating sink that records what it was told.
type fakeTX struct {
	mu      sync.Mutex
	freq    float64
	gain    map[string]float64
	written int
	closed  bool
	block   chan struct{} // WriteIQ blocks on it when non-nil, until Close
}

func newFakeTX() *fakeTX { return &fakeTX{gain: map[string]float64{}} }

func (f *fakeTX) Info() Info { return Info{Driver: "fake", TX: true} }
func (f *fakeTX) Tune(ctx context.Context, hz float64) (float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.freq = hz
	return hz, nil
}
func (f *fakeTX) SetSampleRate(ctx context.Context, sps float64) (float64, error) { return sps, nil }
func (f *fakeTX) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := Range{Min: 0, Max: 47, Step: 1}.Clamp(dB)
	f.gain[stage] = v
	return v, nil
}
func (f *fakeTX) SetPPM(float64) error { return nil }
func (f *fakeTX) Stats() Stats         { return Stats{} }
func (f *fakeTX) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed && f.block != nil {
		close(f.block)
	}
	f.closed = true
	return nil
}
func (f *fakeTX) Write(s []complex64) (int, error) { return f.WriteIQ(context.Background(), s) }
func (f *fakeTX) WriteIQ(ctx context.Context, s []complex64) (int, error) {
	f.mu.Lock()
	b := f.block
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	if b != nil {
		<-b
		return 0, ErrClosed
	}
	f.mu.Lock()
	f.written += len(s)
	f.mu.Unlock()
	return len(s), nil
}
func (f *fakeTX) Flush(ctx context.Context) error { return nil }

func policy() TXPolicy {
	return TXPolicy{Enabled: true, Allowed: DefaultAllowed(), MaxGainDB: 20, MaxBurst: 200 * time.Millisecond}
}

func TestGuardFrequencyAndTuning(t *testing.T) {
	ctx := context.Background()
	f := newFakeTX()
	g, err := Guard(f, policy())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.WriteIQ(ctx, make([]complex64, 10)); !errors.Is(err, ErrNotTuned) {
		t.Errorf("write before tune: %v", err)
	}
	if _, err := g.Tune(ctx, 390e6); !errors.Is(err, ErrFreqNotAllowed) {
		t.Errorf("tune 390 MHz: %v", err)
	}
	if f.freq != 0 {
		t.Errorf("device was tuned to %g despite the refusal", f.freq)
	}
	if _, err := g.Tune(ctx, 433.92e6); err != nil {
		t.Fatal(err)
	}
	if n, err := g.WriteIQ(ctx, make([]complex64, 10)); n != 10 || err != nil {
		t.Errorf("write: %d %v", n, err)
	}
	if _, err := Guard(f, TXPolicy{}); !errors.Is(err, ErrTXDisabled) {
		t.Errorf("disabled policy: %v", err)
	}
}

func TestGuardGainCap(t *testing.T) {
	ctx := context.Background()
	f := newFakeTX()
	g, _ := Guard(f, policy())
	if got, _ := g.SetGain(ctx, "AMP", 14); got != 14 {
		t.Errorf("AMP 14 = %g", got)
	}
	if got, _ := g.SetGain(ctx, "VGA", 40); got != 6 {
		t.Errorf("VGA 40 with AMP 14 under a 20 dB cap = %g, want 6", got)
	}
	if got, _ := g.SetGain(ctx, "", 47); got != 20 {
		t.Errorf("total 47 = %g, want 20", got)
	}
}

func TestGuardWatchdog(t *testing.T) {
	ctx := context.Background()
	f := newFakeTX()
	g, _ := Guard(f, policy())
	g.Tune(ctx, 433.92e6)
	// A burst that ends in time resets the watchdog.
	g.WriteIQ(ctx, make([]complex64, 8))
	if err := g.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if _, err := g.WriteIQ(ctx, make([]complex64, 8)); err != nil {
		t.Fatalf("second burst refused: %v", err)
	}
	g.Flush(ctx)
	// A burst that overruns is cut: a blocked write returns once the device is closed.
	f.mu.Lock()
	f.block = make(chan struct{})
	f.mu.Unlock()
	start := time.Now()
	_, err := g.WriteIQ(ctx, make([]complex64, 8))
	if !errors.Is(err, ErrWatchdog) {
		t.Fatalf("overrun: err = %v", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 5*time.Second {
		t.Errorf("watchdog fired after %v, want about 200 ms", d)
	}
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if !closed {
		t.Error("device not closed by the watchdog")
	}
	if _, err := g.WriteIQ(ctx, make([]complex64, 8)); !errors.Is(err, ErrWatchdog) {
		t.Errorf("write after trip: %v", err)
	}
}

// TestOpenSinkRadiating: a radiating driver's freq= and gain= go through the
// guard, and nothing is opened without a valid policy.
func TestOpenSinkRadiating(t *testing.T) {
	ctx := context.Background()
	var opened []*fakeTX
	reg := NewRegistry(Driver{Name: "fake", Keys: []string{"freq", "gain", "txvga"}, Radiates: true, TXRefusedKeys: []string{"txvga"},
		Open: func(ctx context.Context, a Args, dir Direction) (Device, error) {
			if a.Has("freq") || a.Has("gain") {
				t.Errorf("driver saw %v: freq and gain must bypass it", a.Params)
			}
			f := newFakeTX()
			opened = append(opened, f)
			return f, nil
		}})
	if _, err := reg.OpenSink(ctx, "fake,freq=433.92M", TXPolicy{}); !errors.Is(err, ErrTXDisabled) || len(opened) != 0 {
		t.Fatalf("no policy: %v, %d opened", err, len(opened))
	}
	p := policy()
	if _, err := reg.OpenSink(ctx, "fake,freq=390.0125M", p); !errors.Is(err, ErrFreqNotAllowed) {
		t.Fatalf("390 MHz: %v", err)
	}
	if f := opened[len(opened)-1]; f.freq != 0 || !f.closed {
		t.Errorf("refused sink: freq %g, closed %v", f.freq, f.closed)
	}
	s, err := reg.OpenSink(ctx, "fake,freq=433.92M,gain=40", p)
	if err != nil {
		t.Fatal(err)
	}
	f := opened[len(opened)-1]
	if f.freq != 433.92e6 || f.gain[""] != 20 {
		t.Errorf("device tuned to %g with gain %v", f.freq, f.gain)
	}
	if n, err := s.WriteIQ(ctx, make([]complex64, 4)); n != 4 || err != nil {
		t.Errorf("write: %d %v", n, err)
	}
	s.Close()
	if _, err := reg.OpenSink(ctx, "fake,txvga=47", p); !errors.Is(err, ErrBadSpec) {
		t.Errorf("txvga: %v", err)
	}
}
