package air

import (
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/sdr"
)

// BitSync cuts a stream of hard bits (one per byte, 0/1, as demodulators such
// as osmo-tetra's write them) into 510-bit slots for a SlotDecoder. The
// stream need not start on a slot boundary: BitSync finds the 38-bit
// synchronization training sequence y (EN 300 392-2 clause 9.4.4.3) of a
// sync burst, which sits at bit 214 of its slot, extends the slot grid back
// over the bits it has kept (so the slots before the first sync burst are
// decoded too), and then follows the training sequence of every slot (y at
// 214, or n or p at 244). A slot without one is not decoded; after LostSlots
// of them in a row BitSync searches again from the last good slot, so bits
// lost or inserted in the stream only cost the slots around the slip. Slot
// indices count 510-bit periods from the first slot, so the TDMA time stays
// right across a re-lock. Not safe for concurrent use.
type BitSync struct {
	dec     *SlotDecoder
	buf     []byte
	pos     int64 // stream position of buf[0]
	scanned int   // buffer index up to which y has been searched for
	locked  bool
	start   int64 // stream position of the next slot (when locked)
	origin  int64 // stream position of slot index 0
	have0   bool
	good    int64 // stream position after the last slot with training
	misses  int
	slot    sdr.Slot
	slots   int64 // slots decoded
	lost    int64 // re-synchronisations
	skipped int64 // slots without training, not decoded
}

// LostSlots is the number of consecutive slots without a training sequence
// after which BitSync drops its lock and searches for a sync burst again.
const LostSlots = 8

// maxTrainErrs is how many bit errors a slot's training sequence may have
// for the slot to count as in sync (y: 38 bits, n and p: 22 bits).
const maxTrainErrs = 3

// maxHistory bounds the bits kept while searching: two multiframes, as the
// SlotDecoder's backlog.
const maxHistory = maxBacklog * radio.SlotBits

// NewBitSync returns a BitSync feeding dec.
func NewBitSync(dec *SlotDecoder) *BitSync { return &BitSync{dec: dec} }

// Slots returns the number of slots passed to the decoder.
func (b *BitSync) Slots() int64 { return b.slots }

// Resyncs returns how often the lock was lost and searched for again.
func (b *BitSync) Resyncs() int64 { return b.lost }

// Skipped returns the number of slots without a training sequence (not decoded).
func (b *BitSync) Skipped() int64 { return b.skipped }

// Write processes more bits (only the low bit of each byte counts).
func (b *BitSync) Write(bits []byte) {
	for _, v := range bits {
		b.buf = append(b.buf, v&1)
	}
	for {
		if !b.locked && !b.search() {
			return
		}
		if !b.step() {
			return
		}
	}
}

func (b *BitSync) drop(n int) {
	copy(b.buf, b.buf[n:])
	b.buf = b.buf[:len(b.buf)-n]
	b.pos += int64(n)
	b.scanned = max(0, b.scanned-n)
}

// step handles the slot at b.start; it returns false when more bits are needed.
func (b *BitSync) step() bool {
	off := int(b.start - b.pos)
	if off+radio.SlotBits > len(b.buf) {
		return false
	}
	s := b.buf[off : off+radio.SlotBits]
	b.start += radio.SlotBits
	if trainingErrs(s) > maxTrainErrs {
		b.skipped++
		if b.misses++; b.misses >= LostSlots {
			// Search again from the end of the last good slot.
			b.locked = false
			b.lost++
			b.drop(int(max(b.good-b.pos, 0)))
			b.scanned = 0
		}
		return true
	}
	b.misses = 0
	idx := (b.start - radio.SlotBits - b.origin + radio.SlotBits/2) / radio.SlotBits
	HardSlot(&b.slot, s, idx)
	b.dec.Decode(&b.slot)
	b.slots++
	b.good = b.start
	b.drop(int(b.start - b.pos))
	return true
}

// search looks for y in the buffer; on a match it locks with the slot grid
// through it, starting at the earliest complete slot in the buffer.
func (b *BitSync) search() bool {
	y := radio.TrainingY[:]
	for i := max(b.scanned, radio.SBTrainStart); i+len(y) <= len(b.buf); i++ {
		if b.buf[i] != y[0] || !equalBits(b.buf[i:i+len(y)], y) {
			continue
		}
		st := b.pos + int64(i-radio.SBTrainStart)
		st -= (st - b.pos) / radio.SlotBits * radio.SlotBits
		b.locked, b.misses, b.start = true, 0, st
		if !b.have0 {
			b.origin, b.have0 = st, true
		}
		b.scanned = 0
		return true
	}
	b.scanned = max(len(b.buf)-len(y)+1, 0)
	if n := len(b.buf) - maxHistory; n > 0 {
		b.drop(n)
	}
	return false
}

// trainingErrs returns the fewest bit errors of the slot's training sequence
// against y (at 214) and n, p (at 244).
func trainingErrs(s []byte) int {
	e := diffBits(s[radio.SBTrainStart:radio.SBTrainStart+38], radio.TrainingY[:])
	e = min(e, diffBits(s[radio.NDBTrainStart:radio.NDBTrainStart+22], radio.TrainingN[:]))
	return min(e, diffBits(s[radio.NDBTrainStart:radio.NDBTrainStart+22], radio.TrainingP[:]))
}

func diffBits(a, b []byte) int {
	d := 0
	for i := range b {
		d += int(a[i] ^ b[i])
	}
	return d
}

func equalBits(a, b []byte) bool { return diffBits(a, b) == 0 }

// Close ends the stream and flushes the decoder.
func (b *BitSync) Close() { b.dec.Flush() }
