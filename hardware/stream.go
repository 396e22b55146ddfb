package hardware

import (
	"context"
	"sync/atomic"
	"time"
)

// Counters are the atomic counters behind Stats, for drivers to embed. The zero
// value is ready; it is safe for concurrent use.
type Counters struct {
	samples, dropped, overflows, underruns atomic.Uint64
}

// AddSamples counts n samples delivered (RX) or accepted (TX).
func (c *Counters) AddSamples(n int) { c.samples.Add(uint64(n)) }

// AddDropped counts one overrun event that lost n samples.
func (c *Counters) AddDropped(n int) {
	c.dropped.Add(uint64(n))
	c.overflows.Add(1)
}

// ExtendDropped counts n more samples lost in the overrun event counted last.
func (c *Counters) ExtendDropped(n int) { c.dropped.Add(uint64(n)) }

// AddUnderrun counts one TX underrun.
func (c *Counters) AddUnderrun() { c.underruns.Add(1) }

// Stats returns a snapshot.
func (c *Counters) Stats() Stats {
	return Stats{Samples: c.samples.Load(), Dropped: c.dropped.Load(), Overflows: c.overflows.Load(), Underruns: c.underruns.Load()}
}

// Pacer paces a stream to real time at a sample rate: Wait(n) returns when n more
// samples are due. The zero value does not pace. Not safe for concurrent use.
type Pacer struct {
	Rate  float64 // [S/s]; <= 0 disables pacing
	start time.Time
	n     uint64
}

// Wait blocks until the samples counted so far plus n are due, or ctx is done.
func (p *Pacer) Wait(ctx context.Context, n int) error {
	if p.Rate <= 0 {
		return ctx.Err()
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now
	}
	p.n += uint64(n)
	due := p.start.Add(time.Duration(float64(p.n) / p.Rate * float64(time.Second)))
	d := due.Sub(now)
	if d <= 0 {
		if d < -time.Second { // far behind (paused): restart the clock rather than burst
			p.start, p.n = now, 0
		}
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Annotator is implemented by sinks that record (SigMF): it marks a span of the
// samples written so far. start and count are sample indices from the first
// sample written; fLo and fHi are frequency edges [Hz] (0, 0: not given).
type Annotator interface {
	Annotate(start, count uint64, label, comment string, fLo, fHi float64)
}
