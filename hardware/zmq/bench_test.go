package zmq

import (
	"context"
	"testing"

	"github.com/tetrasim/tetrasim/iq"
)

// BenchmarkPushPull measures Go PUSH -> Go PULL of cf32 on loopback TCP in
// samples/s, 4096 samples (32 KiB) per message.
func BenchmarkPushPull(b *testing.B) {
	ctx := context.Background()
	snk, err := NewSink(ctx, "tcp://127.0.0.1:0", Options{Pattern: "push"})
	if err != nil {
		b.Fatal(err)
	}
	defer snk.Close()
	src, err := NewSource(ctx, snk.Endpoint(), Options{Pattern: "pull"})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	block := make([]complex64, 1<<16)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := snk.WriteIQ(ctx, block); err != nil {
				return
			}
		}
	}()
	buf := make([]complex64, len(block))
	b.SetBytes(int64(len(buf)) * 8)
	total := 0
	for b.Loop() {
		n, err := iq.ReadFull(src, buf)
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "samples/s")
}
