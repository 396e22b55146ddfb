package hardware

import (
	"context"
	"sync"
)

// Ring hands byte blocks from a producer that must never block (a USB callback
// on a C thread) to a consumer that may (ReadIQ). Blocks are allocated once; Put
// copies into a free block or, when none is free, counts the bytes as dropped.
// Safe for one producer and one consumer at a time.
type Ring struct {
	free chan []byte
	full chan []byte
	done chan struct{}
	once sync.Once

	cur    []byte // block being consumed
	curOff int
	curBuf []byte // the whole block, to return to free
}

// NewRing allocates n blocks of size bytes.
func NewRing(n, size int) *Ring {
	r := &Ring{free: make(chan []byte, n), full: make(chan []byte, n), done: make(chan struct{})}
	for range n {
		r.free <- make([]byte, size)
	}
	return r
}

// Put copies b (at most one block) into the ring without blocking. It returns
// false, dropping b, when no block is free or the ring is closed.
func (r *Ring) Put(b []byte) bool {
	select {
	case <-r.done:
		return false
	default:
	}
	select {
	case blk := <-r.free:
		n := copy(blk[:cap(blk)], b)
		r.full <- blk[:n] // never blocks: full has room for every block
		return true
	default:
		return false
	}
}

// Next returns the unread bytes of the current block, waiting for one if
// needed; Consume(n) marks n of them read. It returns ErrClosed after Close, or
// ctx's error.
func (r *Ring) Next(ctx context.Context) ([]byte, error) {
	if r.curOff < len(r.cur) {
		return r.cur[r.curOff:], nil
	}
	if r.curBuf != nil {
		r.free <- r.curBuf[:cap(r.curBuf)]
		r.cur, r.curBuf, r.curOff = nil, nil, 0
	}
	select {
	case blk := <-r.full:
		r.cur, r.curBuf, r.curOff = blk, blk, 0
		return blk, nil
	default:
	}
	select {
	case blk := <-r.full:
		r.cur, r.curBuf, r.curOff = blk, blk, 0
		return blk, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.done:
		return nil, ErrClosed
	}
}

// Consume marks n bytes of the block returned by Next as read.
func (r *Ring) Consume(n int) { r.curOff += n }

// Close wakes a waiting consumer and makes Put drop. Idempotent.
func (r *Ring) Close() { r.once.Do(func() { close(r.done) }) }
