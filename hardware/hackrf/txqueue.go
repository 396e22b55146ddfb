package hackrf

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// txQueue carries transmit samples from WriteIQ (which may block) to the USB
// callback (which must not): WriteIQ encodes cs8 into preallocated blocks of
// one transfer each and queues them; fill hands the next block to libhackrf or,
// when none is ready mid-burst, zeros (an underrun). It is pure Go so that it is
// tested without a device.
type txQueue struct {
	full, free chan []byte
	cur        []byte // block being filled by write
	pushed     atomic.Uint64
	taken      atomic.Uint64
	active     atomic.Bool // a burst is in progress: an empty queue is an underrun
	flushing   atomic.Bool
	done       chan struct{}
	c          *hardware.Counters
}

func newTXQueue(blocks, size int, c *hardware.Counters, done chan struct{}) *txQueue {
	q := &txQueue{full: make(chan []byte, blocks), free: make(chan []byte, blocks), done: done, c: c}
	for range blocks {
		q.free <- make([]byte, size)
	}
	return q
}

// write encodes src into blocks and queues each full one; start is called after
// every push (it starts the transmitter the first time). Not concurrent with
// itself or flush.
func (q *txQueue) write(ctx context.Context, src []complex64, start func() error) (int, error) {
	done := 0
	for done < len(src) {
		if q.cur == nil {
			select {
			case b := <-q.free:
				q.cur = b[:0]
			case <-ctx.Done():
				return done, ctx.Err()
			case <-q.done:
				return done, hardware.ErrClosed
			}
		}
		k := min((cap(q.cur)-len(q.cur))/2, len(src)-done)
		l := len(q.cur)
		q.cur = q.cur[:l+2*k]
		iq.Encode(iq.CS8, q.cur[l:], src[done:done+k])
		done += k
		q.c.AddSamples(k)
		if len(q.cur) == cap(q.cur) {
			if err := q.push(start); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

func (q *txQueue) push(start func() error) error {
	q.active.Store(true)
	q.full <- q.cur // never blocks: as many slots as blocks
	q.cur = nil
	q.pushed.Add(1)
	return start()
}

// fill is the USB callback's side: it copies the next block into buf (zero
// padded) or zeros buf. It never blocks.
func (q *txQueue) fill(buf []byte) {
	select {
	case blk := <-q.full:
		n := copy(buf, blk)
		clear(buf[n:])
		q.free <- blk[:cap(blk)]
		q.taken.Add(1)
	default:
		clear(buf)
		if q.active.Load() && !q.flushing.Load() {
			q.c.AddUnderrun()
		}
	}
}

// flush queues the partial block (zero padded) and waits until the callback has
// taken every block.
func (q *txQueue) flush(ctx context.Context, start func() error) error {
	q.flushing.Store(true)
	defer q.flushing.Store(false)
	if len(q.cur) > 0 {
		l := len(q.cur)
		q.cur = q.cur[:cap(q.cur)]
		clear(q.cur[l:])
		if err := q.push(start); err != nil {
			return err
		}
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for q.taken.Load() < q.pushed.Load() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		case <-q.done:
			return hardware.ErrClosed
		}
	}
	q.active.Store(false)
	return nil
}
