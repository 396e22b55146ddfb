package radio

import (
	"errors"
	"fmt"
)

// BurstType names the burst structures of EN 300 392-2 clause 9.4.4.2 that
// π/4-DQPSK uses.
type BurstType uint8

// Burst types of clause 9.4.4.2. The linearization bursts are not built.
const (
	NormalDL     BurstType = iota + 1 // normal continuous downlink burst, NDB
	SyncDL                            // synchronization continuous downlink burst, SB
	NormalDiscDL                      // normal discontinuous downlink burst
	SyncDiscDL                        // synchronization discontinuous downlink burst
	NormalUL                          // normal uplink burst, NUB
	ControlUL                         // control uplink burst, CB, one sub-slot
)

var burstNames = [...]string{"", "NDB", "SB", "NDB-disc", "SB-disc", "NUB", "CB"}

func (t BurstType) String() string {
	if int(t) < len(burstNames) && t != 0 {
		return burstNames[t]
	}
	return fmt.Sprintf("BurstType(%d)", int(t))
}

// Bits returns the length of the burst in bits: SlotBits, or SubslotBits for ControlUL.
func (t BurstType) Bits() int {
	if t == ControlUL {
		return SubslotBits
	}
	return SlotBits
}

// Downlink reports whether t is a downlink burst.
func (t BurstType) Downlink() bool { return t >= NormalDL && t <= SyncDiscDL }

// Sync reports whether t is a synchronization burst (SB1 + BB + SB2 layout).
func (t BurstType) Sync() bool { return t == SyncDL || t == SyncDiscDL }

// Block sizes in type-5 bits, EN 300 392-2 clause 9.4.4.2.
const (
	BKNBits = 216 // BKN1, BKN2 (and SB2) of normal and sync bursts
	SB1Bits = 120 // SB1 of a sync burst (BSCH)
	BBBits  = 30  // broadcast block (AACH), downlink
	CBBits  = 168 // CB(1…168) of a control uplink burst (SCH/HU)
)

// Training and fixed sequences, EN 300 392-2 clause 9.4.4.3 (bits, first
// transmitted first; air-interface.md §4.2). They are read-only tables (Go has
// no constant arrays): never write to them.
var (
	// TrainingN is normal training sequence 1 (n), clause 9.4.4.3: one logical channel in the slot.
	TrainingN = [22]byte{1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0}
	// TrainingP is normal training sequence 2 (p), clause 9.4.4.3: two half-slot blocks (the slot flag).
	TrainingP = [22]byte{0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0}
	// TrainingQ is normal training sequence 3 (q), clause 9.4.4.3: the slot edges of continuous downlink.
	TrainingQ = [22]byte{1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1}
	// TrainingX is the extended training sequence (x), clause 9.4.4.3: control uplink bursts.
	TrainingX = [30]byte{1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1}
	// TrainingY is the synchronization training sequence (y), clause 9.4.4.3.
	TrainingY = [38]byte{1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1}
	// Tail is the tail sequence (t1…t4), clause 9.4.4.3.
	Tail = [4]byte{1, 1, 0, 0}
)

// FrequencyCorrection returns bit i (0-based) of the 80-bit frequency correction
// field f, clause 9.4.4.3: f1…f8 = 1, f9…f72 = 0, f73…f80 = 1.
func FrequencyCorrection(i int) byte {
	if i < 8 || i >= 72 {
		return 1
	}
	return 0
}

// fieldKind is what a burst field holds.
type fieldKind uint8

const (
	fGuard  fieldKind = iota // guard period / ramping: zeros
	fFixed                   // a fixed sequence (q, tail, f, y, x)
	fPhase                   // phase adjustment bits h (2 bits)
	fTrain                   // normal training n or p, chosen by the slot flag
	fBlock1                  // BKN1, SB1 or CB(1…84)
	fBlock2                  // BKN2, SB2 or CB(85…168)
	fBB                      // broadcast block (may be split in two parts)
)

// field is one field of a burst layout. For fBlock1/fBlock2/fBB, off is the
// offset of this part inside the logical block (CB and BB are split in two).
type field struct {
	kind   fieldKind
	start  int    // first bit, 0-based within the burst
	n      int    // length in bits
	off    int    // offset within the block for split blocks
	fixed  []byte // contents for fFixed
	n1, n2 int    // phase range, 1-based symbols counted from base (fPhase)
	base   int    // first bit of symbol 1 for the phase range (0, or 10 after a guard)
}

var (
	qHead     = TrainingQ[10:22] // q11…q22
	qTail     = TrainingQ[0:10]  // q1…q10
	qHeadDisc = TrainingQ[20:22] // q21…q22
	qTailDisc = TrainingQ[0:2]   // q1…q2
	freqCorr  = func() []byte {
		f := make([]byte, 80)
		for i := range f {
			f[i] = FrequencyCorrection(i)
		}
		return f
	}()
)

// layouts gives each burst field by field in transmission order, EN 300 392-2
// clause 9.4.4.2; the phase-adjustment symbol ranges are those of clause
// 9.4.4.3 (ha 8–122, hb 123–249, hc 8–108, hd 109–249, hg 3–117, hh 118–244,
// hi 3–103, hj 104–244; discontinuous bursts count symbols from the first
// symbol after the 10-bit guard). This table is the single source of burst
// geometry; air-interface.md §4.1 lists the same offsets.
var layouts = [...][]field{
	NormalDL: {
		{kind: fFixed, start: 0, n: 12, fixed: qHead},
		{kind: fPhase, start: 12, n: 2, n1: 8, n2: 122},
		{kind: fBlock1, start: 14, n: 216},
		{kind: fBB, start: 230, n: 14, off: 0},
		{kind: fTrain, start: 244, n: 22},
		{kind: fBB, start: 266, n: 16, off: 14},
		{kind: fBlock2, start: 282, n: 216},
		{kind: fPhase, start: 498, n: 2, n1: 123, n2: 249},
		{kind: fFixed, start: 500, n: 10, fixed: qTail},
	},
	SyncDL: {
		{kind: fFixed, start: 0, n: 12, fixed: qHead},
		{kind: fPhase, start: 12, n: 2, n1: 8, n2: 108},
		{kind: fFixed, start: 14, n: 80, fixed: freqCorr},
		{kind: fBlock1, start: 94, n: 120},
		{kind: fFixed, start: 214, n: 38, fixed: TrainingY[:]},
		{kind: fBB, start: 252, n: 30},
		{kind: fBlock2, start: 282, n: 216},
		{kind: fPhase, start: 498, n: 2, n1: 109, n2: 249},
		{kind: fFixed, start: 500, n: 10, fixed: qTail},
	},
	NormalDiscDL: {
		{kind: fGuard, start: 0, n: 10},
		{kind: fFixed, start: 10, n: 2, fixed: qHeadDisc},
		{kind: fPhase, start: 12, n: 2, n1: 3, n2: 117, base: 10},
		{kind: fBlock1, start: 14, n: 216},
		{kind: fBB, start: 230, n: 14, off: 0},
		{kind: fTrain, start: 244, n: 22},
		{kind: fBB, start: 266, n: 16, off: 14},
		{kind: fBlock2, start: 282, n: 216},
		{kind: fPhase, start: 498, n: 2, n1: 118, n2: 244, base: 10},
		{kind: fFixed, start: 500, n: 2, fixed: qTailDisc},
		{kind: fGuard, start: 502, n: 8},
	},
	SyncDiscDL: {
		{kind: fGuard, start: 0, n: 10},
		{kind: fFixed, start: 10, n: 2, fixed: qHeadDisc},
		{kind: fPhase, start: 12, n: 2, n1: 3, n2: 103, base: 10},
		{kind: fFixed, start: 14, n: 80, fixed: freqCorr},
		{kind: fBlock1, start: 94, n: 120},
		{kind: fFixed, start: 214, n: 38, fixed: TrainingY[:]},
		{kind: fBB, start: 252, n: 30},
		{kind: fBlock2, start: 282, n: 216},
		{kind: fPhase, start: 498, n: 2, n1: 104, n2: 244, base: 10},
		{kind: fFixed, start: 500, n: 2, fixed: qTailDisc},
		{kind: fGuard, start: 502, n: 8},
	},
	NormalUL: {
		{kind: fGuard, start: 0, n: 34},
		{kind: fFixed, start: 34, n: 4, fixed: Tail[:]},
		{kind: fBlock1, start: 38, n: 216},
		{kind: fTrain, start: 254, n: 22},
		{kind: fBlock2, start: 276, n: 216},
		{kind: fFixed, start: 492, n: 4, fixed: Tail[:]},
		{kind: fGuard, start: 496, n: 14},
	},
	ControlUL: {
		{kind: fGuard, start: 0, n: 34},
		{kind: fFixed, start: 34, n: 4, fixed: Tail[:]},
		{kind: fBlock1, start: 38, n: 84, off: 0},
		{kind: fFixed, start: 122, n: 30, fixed: TrainingX[:]},
		{kind: fBlock1, start: 152, n: 84, off: 84},
		{kind: fFixed, start: 236, n: 4, fixed: Tail[:]},
		{kind: fGuard, start: 240, n: 15},
	},
}

// Field offsets (0-based bits) of the continuous downlink bursts, from the
// table above, for receivers that split slots themselves.
const (
	NDBBlock1Start = 14  // BKN1
	NDBTrainStart  = 244 // n or p
	NDBBlock2Start = 282 // BKN2
	SBBlock1Start  = 94  // SB1
	SBTrainStart   = 214 // y
	SBBBStart      = 252 // BB
	SBBlock2Start  = 282 // SB2
	NUBTrainStart  = 254 // n or p in a normal uplink burst
	CBTrainStart   = 122 // x in a control uplink burst (within its sub-slot)
)

// Burst is the content of one burst: its type and its type-5 blocks. Block
// slices alias the buffer they were parsed from.
type Burst struct {
	Type BurstType
	// SlotFlag selects normal training sequence p instead of n (normal bursts
	// only): the slot carries two half-slot blocks, or its first half is stolen
	// (clause 9.4.4.3).
	SlotFlag bool
	// Block1 is BKN1 (216 bits), SB1 (120 bits) or CB(1…168) (168 bits).
	Block1 []byte
	// Block2 is BKN2 or SB2 (216 bits); nil for a control uplink burst.
	Block2 []byte
	// BB is the broadcast block (30 bits, the AACH) of a downlink burst; nil on the uplink.
	BB []byte

	split [CBBits]byte // Parse's copy of a split BB or CB
}

// Block sizes for each burst type: Block1, Block2, BB.
func (t BurstType) blockSizes() (b1, b2, bb int) {
	switch t {
	case NormalDL, NormalDiscDL:
		return BKNBits, BKNBits, BBBits
	case SyncDL, SyncDiscDL:
		return SB1Bits, BKNBits, BBBits
	case NormalUL:
		return BKNBits, BKNBits, 0
	case ControlUL:
		return CBBits, 0, 0
	}
	return 0, 0, 0
}

// Errors of burst building and parsing.
var (
	ErrBurstType  = errors.New("radio: unknown burst type")
	ErrBurstSize  = errors.New("radio: wrong burst or block length")
	ErrTraining   = errors.New("radio: training sequence not found")
	ErrNotAllowed = errors.New("radio: field not used by this burst type")
)

// AppendBits appends the burst, Type.Bits() bits (0 or 1 each), to dst: the
// blocks, training sequence, fixed sequences, tail and guard bits, and the
// phase-adjustment bits computed over the finished burst (clause 9.4.4.3).
// It returns an error if a block has the wrong length.
func (b *Burst) AppendBits(dst []byte) ([]byte, error) {
	if b.Type == 0 || int(b.Type) >= len(layouts) {
		return dst, ErrBurstType
	}
	n1, n2, nbb := b.Type.blockSizes()
	if len(b.Block1) != n1 || len(b.Block2) != n2 || len(b.BB) != nbb {
		return dst, fmt.Errorf("%w: %v wants blocks of %d, %d and %d bits, have %d, %d and %d",
			ErrBurstSize, b.Type, n1, n2, nbb, len(b.Block1), len(b.Block2), len(b.BB))
	}
	if b.SlotFlag && b.Type != NormalDL && b.Type != NormalDiscDL && b.Type != NormalUL {
		return dst, fmt.Errorf("%w: slot flag on %v", ErrNotAllowed, b.Type)
	}
	start := len(dst)
	total := b.Type.Bits()
	dst = grow(dst, total)
	out := dst[start : start+total]
	lay := layouts[b.Type]
	for _, f := range lay {
		o := out[f.start : f.start+f.n]
		switch f.kind {
		case fGuard, fPhase:
			clear(o)
		case fFixed:
			copy(o, f.fixed)
		case fTrain:
			if b.SlotFlag {
				copy(o, TrainingP[:])
			} else {
				copy(o, TrainingN[:])
			}
		case fBlock1:
			copyBits(o, b.Block1[f.off:f.off+f.n])
		case fBlock2:
			copyBits(o, b.Block2[f.off:f.off+f.n])
		case fBB:
			copyBits(o, b.BB[f.off:f.off+f.n])
		}
	}
	for _, f := range lay {
		if f.kind == fPhase {
			out[f.start], out[f.start+1] = PhaseAdjust(out[f.base:], f.n1, f.n2)
		}
	}
	return dst, nil
}

// grow extends dst by n elements, reusing capacity.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]byte, n)...)
}

// copyBits copies src to dst keeping only the low bit of each byte.
func copyBits(dst, src []byte) {
	for i, v := range src[:len(dst)] {
		dst[i] = v & 1
	}
}

// PhaseAdjust computes the two phase-adjustment bits for symbols n1…n2
// (1-based, counted from bits[0]), EN 300 392-2 clause 9.4.4.3: the phase
// changes of those symbols plus the h symbol itself add up to 0 (mod 2π).
// With the dibit mapping of clause 5 (air-interface.md §2.1: 00 → +π/4, 01 → +3π/4, 10 → −π/4,
// 11 → −3π/4), S is the sum in units of π/4, a = (−S) mod 8 (odd, since every
// range has an odd length), and a maps to bits 1 → 00, 3 → 01, 5 → 11, 7 → 10.
func PhaseAdjust(bits []byte, n1, n2 int) (h1, h2 byte) {
	s := 0
	for k := n1; k <= n2; k++ {
		s += dibitPhase[(bits[2*k-2]&1)<<1|bits[2*k-1]&1]
	}
	a := ((-s)%8 + 8) % 8
	switch a {
	case 1:
		return 0, 0
	case 3:
		return 0, 1
	case 5:
		return 1, 1
	case 7:
		return 1, 0
	}
	// An even a cannot happen for the odd-length ranges of the standard.
	return 0, 0
}

// dibitPhase is the phase change of a dibit in units of π/4, EN 300 392-2
// clause 5 (air-interface.md §2.1): 00 → +1, 01 → +3, 10 → −1, 11 → −3.
var dibitPhase = [4]int{1, 3, -1, -3}

// Parse splits a burst of known type into b. bits must hold typ.Bits()
// values (only the low bit of each counts). For normal bursts the training
// sequence must be exactly n or p, and it sets SlotFlag; a sync burst needs
// an exact y and a control uplink burst an exact x. The other fixed fields
// (q, f, tail, phase bits) are not checked. Block1 and Block2 alias bits,
// except the split CB of a control uplink burst, which Parse copies into b;
// BB is always copied into b (it is split around the training sequence in
// the normal bursts). Parse does not allocate.
func (b *Burst) Parse(typ BurstType, bits []byte) error {
	*b = Burst{}
	if typ == 0 || int(typ) >= len(layouts) {
		return ErrBurstType
	}
	if len(bits) != typ.Bits() {
		return fmt.Errorf("%w: %v is %d bits, have %d", ErrBurstSize, typ, typ.Bits(), len(bits))
	}
	b.Type = typ
	for _, f := range layouts[typ] {
		o := bits[f.start : f.start+f.n]
		switch f.kind {
		case fTrain:
			switch {
			case distance(o, TrainingN[:]) == 0:
			case distance(o, TrainingP[:]) == 0:
				b.SlotFlag = true
			default:
				*b = Burst{}
				return fmt.Errorf("%w: %v at bit %d", ErrTraining, typ, f.start)
			}
		case fFixed:
			if f.n >= 30 && distance(o, f.fixed) != 0 { // y or x
				*b = Burst{}
				return fmt.Errorf("%w: %v at bit %d", ErrTraining, typ, f.start)
			}
		}
	}
	for _, f := range layouts[typ] {
		switch f.kind {
		case fBlock1:
			if typ == ControlUL {
				copyBits(b.split[f.off:f.off+f.n], bits[f.start:f.start+f.n])
				b.Block1 = b.split[:CBBits]
			} else {
				b.Block1 = bits[f.start : f.start+f.n]
			}
		case fBlock2:
			b.Block2 = bits[f.start : f.start+f.n]
		case fBB:
			copyBits(b.split[f.off:f.off+f.n], bits[f.start:f.start+f.n])
			b.BB = b.split[:BBBits]
		}
	}
	return nil
}

// ParseBurst is [Burst.Parse] into a new Burst.
func ParseBurst(typ BurstType, bits []byte) (*Burst, error) {
	b := new(Burst)
	if err := b.Parse(typ, bits); err != nil {
		return nil, err
	}
	return b, nil
}

// BB copies the 30-bit broadcast block of a downlink burst into dst[:30]
// and returns it. It works on hard bits or soft bits. It panics if dst is
// shorter than 30 or burst shorter than SlotBits; typ must be a downlink type.
func BB[T byte | int8](dst []T, typ BurstType, burst []T) []T {
	_ = burst[SlotBits-1]
	dst = dst[:BBBits]
	switch typ {
	case NormalDL, NormalDiscDL:
		copy(dst[:14], burst[230:244])
		copy(dst[14:], burst[266:282])
	case SyncDL, SyncDiscDL:
		copy(dst, burst[252:282])
	default:
		panic("radio: BB: not a downlink burst type")
	}
	return dst
}

// CB copies the 168 bits CB(1…168) of a control uplink burst (one sub-slot,
// SubslotBits long) into dst[:168] and returns it. It panics if a slice is short.
func CB[T byte | int8](dst []T, sub []T) []T {
	_ = sub[SubslotBits-1]
	dst = dst[:CBBits]
	copy(dst[:84], sub[38:122])
	copy(dst[84:], sub[152:236])
	return dst
}

// distance counts the positions where a and b differ (low bit of a).
func distance(a, b []byte) int {
	d := 0
	for i := range b {
		d += int((a[i] ^ b[i]) & 1)
	}
	return d
}

// softDistance counts the soft values whose hard decision differs from the
// bits b (positive soft means 0; an erasure counts as an error).
func softDistance(soft []int8, b []byte) int {
	d := 0
	for i := range b {
		if (soft[i] <= 0) != (b[i] == 1) || soft[i] == 0 {
			d++
		}
	}
	return d
}

// Classify finds which continuous downlink burst a slot holds by comparing
// the hard decisions of soft (SlotBits soft bits, positive = 0) with the
// training sequences at their fixed places: y at bit 214 (sync burst), n or p
// at bit 244 (normal burst). It returns the burst type, the slot flag, and the
// number of training bits in error, normalised so that callers can compare
// the candidates: errs is the count of mismatches in the winning sequence.
// Discontinuous bursts have the same training positions and classify as the
// continuous types. It panics if len(soft) < SlotBits.
func Classify(soft []int8) (typ BurstType, slotFlag bool, errs int) {
	_ = soft[SlotBits-1]
	ey := softDistance(soft[214:252], TrainingY[:])
	en := softDistance(soft[244:266], TrainingN[:])
	ep := softDistance(soft[244:266], TrainingP[:])
	// Compare error rates: y is 38 bits, n and p 22 bits.
	if ey*22 <= min(en, ep)*38 {
		return SyncDL, false, ey
	}
	if ep < en {
		return NormalDL, true, ep
	}
	return NormalDL, false, en
}
