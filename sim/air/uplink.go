package air

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
)

// ULSlot is the content of one uplink burst (EN 300 392-2 clause 9.4.4.2):
//
//   - Burst == radio.NormalUL with Blocks[1].Channel == 0: one full-slot block
//     (SCH/F, TCH/S, TCH/x), training sequence n;
//   - Burst == radio.NormalUL with two blocks: two half-slot blocks (STCH +
//     STCH, or STCH + TCH/S stolen), training sequence p;
//   - Burst == radio.ControlUL: Blocks[0] is the SCH/HU of one sub-slot
//     (MAC-ACCESS or MAC-END-HU, 92 type-1 bits).
//
// The uplink carries no AACH.
type ULSlot struct {
	Burst  radio.BurstType
	Blocks [2]Block
}

// AppendULBurst codes s through the lower-MAC chains and appends the uplink
// burst to dst: SlotBits bits for a normal uplink burst, SubslotBits for a
// control uplink burst (guard bits included, as zeros).
func (e *Encoder) AppendULBurst(dst []byte, s *ULSlot) ([]byte, error) {
	b := &e.burst
	*b = radio.Burst{Type: s.Burst}
	for i := range s.Blocks {
		blk := &s.Blocks[i]
		if blk.Channel == 0 {
			continue
		}
		if !blk.Channel.Valid() || len(blk.Bits) != blk.Channel.Params().Type1 {
			return dst, fmt.Errorf("%w: block %d: %v with %d bits", ErrSlot, i, blk.Channel, len(blk.Bits))
		}
		e.t5[i] = e.coder.Encode(e.t5[i][:0], blk.Channel, blk.Bits, e.code)
	}
	c0, c1 := s.Blocks[0].Channel, s.Blocks[1].Channel
	switch s.Burst {
	case radio.ControlUL:
		if c0 != lmac.SCHHU || c1 != 0 {
			return dst, fmt.Errorf("%w: control uplink burst with %v and %v", ErrSlot, c0, c1)
		}
		b.Block1 = e.t5[0]
	case radio.NormalUL:
		switch {
		case c0 == 0:
			return dst, fmt.Errorf("%w: empty normal uplink burst", ErrSlot)
		case c1 == 0:
			if len(e.t5[0]) != 2*radio.BKNBits {
				return dst, fmt.Errorf("%w: %v is not a full-slot channel", ErrSlot, c0)
			}
			b.Block1, b.Block2 = e.t5[0][:radio.BKNBits], e.t5[0][radio.BKNBits:]
		default:
			if len(e.t5[0]) != radio.BKNBits || len(e.t5[1]) != radio.BKNBits {
				return dst, fmt.Errorf("%w: %v + %v are not half-slot channels", ErrSlot, c0, c1)
			}
			b.SlotFlag = true
			b.Block1, b.Block2 = e.t5[0], e.t5[1]
		}
	default:
		return dst, fmt.Errorf("%w: uplink burst type %v", ErrSlot, s.Burst)
	}
	return b.AppendBits(dst)
}

// ULDecoder decodes uplink bursts of one cell from soft bits, the base
// station's side: the burst timing, the burst type (normal or control) and
// whether the slot is a traffic slot come from the base station's own
// schedule; the slot flag of a normal burst is read from its training
// sequence. Not safe for concurrent use; the zero value is not usable.
type ULDecoder struct {
	code  scramble.Code
	coder lmac.Coder
	t1    [lmac.MaxType1]byte
	soft  [lmac.MaxType5]int8
	blk   RxBlock
}

// NewULDecoder returns an uplink decoder for cell.
func NewULDecoder(cell Cell) (*ULDecoder, error) {
	if err := cell.Validate(); err != nil {
		return nil, err
	}
	return &ULDecoder{code: cell.Code()}, nil
}

// Decode decodes one uplink burst: soft holds typ.Bits() soft bits (positive
// = 0) aligned on the burst. traffic selects TCH/S for a normal burst with
// training n and STCH + TCH/S stolen for one with p (otherwise SCH/F, or
// STCH + STCH). onBlock is called for each block; the RxBlock is valid
// during the call. It returns the number of blocks decoded, 0 if soft has
// the wrong length.
func (d *ULDecoder) Decode(soft []int8, typ radio.BurstType, t radio.Time, traffic bool, onBlock func(*RxBlock)) int {
	if len(soft) != typ.Bits() {
		return 0
	}
	emit := func(ch lmac.Channel, half uint8, flag bool, s []int8) []byte {
		t1 := d.t1[:ch.Params().Type1]
		ok := d.coder.Decode(t1, ch, s, d.code)
		d.blk = RxBlock{Time: t, Burst: typ, SlotFlag: flag, Channel: ch, Half: half, CRCOK: ok, Bits: t1}
		if onBlock != nil {
			onBlock(&d.blk)
		}
		if !ok {
			return nil
		}
		return t1
	}
	switch typ {
	case radio.ControlUL:
		emit(lmac.SCHHU, 0, false, radio.CB(d.soft[:radio.CBBits], soft))
		return 1
	case radio.NormalUL:
		tr := soft[radio.NUBTrainStart : radio.NUBTrainStart+22]
		flag := softDistance(tr, radio.TrainingP[:]) < softDistance(tr, radio.TrainingN[:])
		bkn1 := soft[38 : 38+radio.BKNBits]
		bkn2 := soft[276 : 276+radio.BKNBits]
		if !flag {
			copy(d.soft[:radio.BKNBits], bkn1)
			copy(d.soft[radio.BKNBits:2*radio.BKNBits], bkn2)
			ch := lmac.SCHF
			if traffic {
				ch = lmac.TCHS
			}
			emit(ch, 0, flag, d.soft[:2*radio.BKNBits])
			return 1
		}
		b := emit(lmac.STCH, 1, flag, bkn1)
		ch := lmac.STCH
		if traffic && (b == nil || !secondHalfStolenUL(b)) {
			ch = lmac.TCHSStolen
		}
		emit(ch, 2, flag, bkn2)
		return 2
	}
	return 0
}

// secondHalfStolenUL reports whether an uplink STCH block steals the second
// half too: MAC-U-SIGNAL with its flag (clause 21.4.5), or MAC-DATA with the
// length indication "second half slot stolen" (clause 21.4.2.3).
func secondHalfStolenUL(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	if b[0] == 1 && b[1] == 1 {
		return b[2] == 1
	}
	// MAC-DATA: type 00, fill, encrypted, address type (2), address, then the
	// length indication flag and 6 bits.
	if b[0] != 0 || b[1] != 0 || len(b) < 6 {
		return false
	}
	pos := 6 + 24
	if b[4] == 0 && b[5] == 1 {
		pos = 6 + 10 // event label
	}
	if len(b) < pos+7 || b[pos] != 0 {
		return false
	}
	li := 0
	for _, v := range b[pos+1 : pos+7] {
		li = li<<1 | int(v)
	}
	return li == 0x3e
}

// softDistance counts the soft values whose hard decision differs from bits.
func softDistance(soft []int8, bits []byte) int {
	d := 0
	for i, b := range bits {
		if (soft[i] < 0) != (b == 1) {
			d++
		}
	}
	return d
}
