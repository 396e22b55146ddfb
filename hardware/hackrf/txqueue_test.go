package hackrf

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// usb simulates libhackrf's transfer thread: it calls fill every period and
// records what it sent.
func usb(q *txQueue, block int, period time.Duration, stop chan struct{}, wg *sync.WaitGroup, sent *bytes.Buffer) {
	defer wg.Done()
	buf := make([]byte, block)
	for {
		select {
		case <-stop:
			return
		default:
		}
		q.fill(buf)
		sent.Write(buf)
		time.Sleep(period)
	}
}

func TestTXQueue(t *testing.T) {
	var c hardware.Counters
	done := make(chan struct{})
	q := newTXQueue(4, 64, &c, done)
	starts := 0
	start := func() error { starts++; return nil }
	ctx := context.Background()
	// 100 samples = 3 full blocks of 32 samples and a partial one of 4.
	src := make([]complex64, 100)
	for i := range src {
		src[i] = complex(float32(i%100)/128, -float32(i%100)/128)
	}
	if n, err := q.write(ctx, src, start); n != 100 || err != nil {
		t.Fatalf("write %d %v", n, err)
	}
	if q.pushed.Load() != 3 || starts != 3 {
		t.Fatalf("pushed %d, starts %d", q.pushed.Load(), starts)
	}
	var sent bytes.Buffer
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go usb(q, 64, time.Millisecond, stop, &wg, &sent)
	if err := q.flush(ctx, start); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	want := make([]byte, 200)
	iq.Encode(iq.CS8, want, src)
	got := sent.Bytes()
	if len(got) < 256 || !bytes.Equal(got[:200], want) {
		t.Fatalf("sent %d bytes; first 200 equal: %v", len(got), bytes.Equal(got[:min(200, len(got))], want))
	}
	for _, b := range got[200:] {
		if b != 0 {
			t.Fatal("padding or idle fill is not zero")
		}
	}
	if st := c.Stats(); st.Samples != 100 || st.Underruns != 0 {
		t.Errorf("stats %+v (the idle fill after flush is not an underrun)", st)
	}
}

// TestTXQueueUnderrun: a burst in progress whose writer falls behind is counted.
func TestTXQueueUnderrun(t *testing.T) {
	var c hardware.Counters
	q := newTXQueue(2, 64, &c, make(chan struct{}))
	q.write(context.Background(), make([]complex64, 32), func() error { return nil })
	buf := make([]byte, 64)
	q.fill(buf) // the block
	q.fill(buf) // nothing: underrun
	if st := c.Stats(); st.Underruns != 1 {
		t.Errorf("underruns %d, want 1", st.Underruns)
	}
}

// TestTXQueueBackPressureAndClose: a writer blocked on a full queue returns on
// context cancellation or close.
func TestTXQueueBackPressureAndClose(t *testing.T) {
	var c hardware.Counters
	done := make(chan struct{})
	q := newTXQueue(2, 64, &c, done)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n, err := q.write(ctx, make([]complex64, 1000), func() error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || n != 64 {
		t.Errorf("blocked write: %d %v", n, err)
	}
	go func() { time.Sleep(20 * time.Millisecond); close(done) }()
	if err := q.flush(context.Background(), func() error { return nil }); !errors.Is(err, hardware.ErrClosed) {
		t.Errorf("flush after close: %v", err)
	}
}

func TestTXQueueNoAllocs(t *testing.T) {
	var c hardware.Counters
	q := newTXQueue(4, 1024, &c, make(chan struct{}))
	src := make([]complex64, 512)
	buf := make([]byte, 1024)
	start := func() error { return nil }
	ctx := context.Background()
	if a := testing.AllocsPerRun(100, func() { q.write(ctx, src, start); q.fill(buf) }); a != 0 {
		t.Errorf("write+fill allocate %v", a)
	}
}
