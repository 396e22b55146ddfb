package e2ee

// ReplayWindow is the anti-replay sliding window of [RFC 6479]: a bitmap of
// ReplayWindowSize counters below the highest counter seen, kept in a ring of
// 64-bit blocks so that sliding costs at most one block clear per 64 counters.
//
// Accept a counter if it is above the highest seen, or inside the window and not yet
// seen. The zero value is an empty window, ready to use. Not safe for concurrent
// use.
//
// [RFC 6479]: https://www.rfc-editor.org/rfc/rfc6479
type ReplayWindow struct {
	top    uint64 // highest counter accepted + 1 (0: none yet)
	bitmap [replayBlocks]uint64
}

const (
	replayBlocks = 32
	// ReplayWindowSize is the number of counters the window remembers below the
	// highest accepted one: (blocks - 1) * 64, RFC 6479 section 2.
	ReplayWindowSize = (replayBlocks - 1) * 64
)

// Check reports whether counter c would be accepted, without recording it. Use it
// before authenticating a message and Accept after.
func (w *ReplayWindow) Check(c uint64) bool {
	if c >= w.top {
		return true
	}
	if w.top-1-c >= ReplayWindowSize {
		return false // too old
	}
	blk := (c / 64) % replayBlocks
	return w.bitmap[blk]&(1<<(c%64)) == 0
}

// Accept records counter c and reports whether it was new (Check(c)).
func (w *ReplayWindow) Accept(c uint64) bool {
	if !w.Check(c) {
		return false
	}
	if c >= w.top {
		// Slide: clear the blocks between the old top block and c's block.
		var cur uint64
		if w.top > 0 {
			cur = (w.top - 1) / 64
		}
		idx := c / 64
		if w.top == 0 {
			w.bitmap = [replayBlocks]uint64{}
		} else if diff := idx - cur; diff > 0 {
			if diff > replayBlocks {
				diff = replayBlocks
			}
			for i := uint64(1); i <= diff; i++ {
				w.bitmap[(cur+i)%replayBlocks] = 0
			}
		}
		w.top = c + 1
	}
	w.bitmap[(c/64)%replayBlocks] |= 1 << (c % 64)
	return true
}

// Highest returns the highest accepted counter and whether any was accepted.
func (w *ReplayWindow) Highest() (uint64, bool) { return w.top - 1, w.top > 0 }
