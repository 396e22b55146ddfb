package hardware

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRing(t *testing.T) {
	r := NewRing(2, 4)
	if !r.Put([]byte{1, 2, 3, 4}) || !r.Put([]byte{5, 6}) {
		t.Fatal("Put into free blocks failed")
	}
	if r.Put([]byte{7}) {
		t.Fatal("Put into a full ring succeeded")
	}
	ctx := context.Background()
	b, _ := r.Next(ctx)
	if len(b) != 4 || b[0] != 1 {
		t.Fatalf("first block %v", b)
	}
	r.Consume(3)
	b, _ = r.Next(ctx)
	if len(b) != 1 || b[0] != 4 {
		t.Fatalf("rest of first block %v", b)
	}
	r.Consume(1)
	b, _ = r.Next(ctx) // recycles the first block
	if len(b) != 2 || b[1] != 6 {
		t.Fatalf("second block %v", b)
	}
	r.Consume(2)
	if !r.Put([]byte{8, 9, 10, 11, 12}) { // longer than a block: truncated to one block
		t.Fatal("Put after recycle failed")
	}
	b, _ = r.Next(ctx)
	if len(b) != 4 || b[3] != 11 {
		t.Fatalf("third block %v", b)
	}
	r.Consume(4)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := r.Next(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("empty ring: %v", err)
	}
	go func() { time.Sleep(10 * time.Millisecond); r.Close() }()
	if _, err := r.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("closed ring: %v", err)
	}
	if r.Put([]byte{1}) {
		t.Error("Put after Close succeeded")
	}
}

func TestRingNoAllocs(t *testing.T) {
	r := NewRing(4, 1024)
	blk := make([]byte, 1024)
	ctx := context.Background()
	a := testing.AllocsPerRun(100, func() {
		r.Put(blk)
		b, _ := r.Next(ctx)
		r.Consume(len(b))
	})
	if a != 0 {
		t.Errorf("Put/Next/Consume allocate %v", a)
	}
}
