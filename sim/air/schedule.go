package air

import (
	"fmt"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/internal/bits"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
)

// Schedule generates the downlink of a demonstration cell, slot by slot:
//
//	frame 18, BSCH slot (clause 9.5.2)  sync burst: SYNC + SCH/HD Null PDU
//	frame 18, BNCH slot                 sync burst: SYNC + BNCH SYSINFO
//	frame 18, other slots               SCH/F Null PDU
//	frames 1–17, TN 1 (MCCH)            SCH/F: MAC-RESOURCE to GroupSSI, then a Null PDU
//	frames 1–17, TN 2 (traffic)         TCH/S speech; every 4th frame the first half
//	                                    is stolen: STCH MAC-U-SIGNAL + TCH/S frame B
//	frames 1–17, TN 3                   two SCH/HD: MAC-RESOURCE to IndividualSSI; Null PDU
//	frames 1–17, TN 4                   SCH/F Null PDU (an idle slot)
//
// Every slot has an AACH: header 0 (common control) in control slots, header
// 3 with traffic usage markers on TN 2. Sending a sync burst in the BNCH slot
// too (with its SB2 carrying the BNCH) is what osmo-tetra decodes as "BNCH
// follows"; it doubles the SYNC rate, which speeds up acquisition.
//
// The TM-SDUs are opaque test payloads (the TDMA time and a counter), not
// upper-layer PDUs. The speech frames come from Speech, or are seeded
// pseudo-random bits when it is nil. Each traffic slot consumes two 30 ms
// frames (A then B), so 17 slots carry one multiframe's 1.02 s of speech; in
// a slot whose first half is stolen, frame A is dropped (the receiver
// conceals it, EN 300 395-2 clause 5.6). Not safe for concurrent use.
type Schedule struct {
	Cell          Cell
	GroupSSI      uint32 // 24-bit address of the MCCH MAC-RESOURCE
	IndividualSSI uint32 // 24-bit address of the SCH/HD MAC-RESOURCE
	// Speech, if not nil, appends the next 137-bit ACELP speech frame to dst.
	Speech func(dst []byte) []byte
	// Traffic, if not nil, fills every traffic slot (TN 2 of frames 1–17)
	// instead of the built-in pattern (Speech, and the first half stolen every
	// 4th frame): for example E2EETraffic, which steals half-slots for its
	// sync frames. ts is cleared before the call.
	Traffic func(t radio.Time, ts *TrafficSlot) error

	rng   *rand.Rand
	count uint32
	buf   [2][lmac.MaxType1]byte
	sdu   []byte
}

// NewSchedule returns a demonstration schedule for cell; seed seeds the
// speech frames.
func NewSchedule(cell Cell, seed uint64) *Schedule {
	return &Schedule{Cell: cell, GroupSSI: 9001, IndividualSSI: 1234567, rng: rand.New(rand.NewPCG(seed, 1))}
}

// Next fills s with the content of the downlink slot at time t. The slices
// in s are valid until the next call.
func (sc *Schedule) Next(t radio.Time, s *DLSlot) error {
	*s = DLSlot{Burst: radio.NormalDL}
	b0, b1 := sc.buf[0][:0], sc.buf[1][:0]
	var err error
	nullF := func() ([]byte, error) { return mac.AppendBlock(b0, lmac.SCHF.Params().Type1, mac.Downlink) }
	switch {
	case t.FN == radio.ControlFrame && (t.HasBSCH() || t.HasBNCH()):
		s.Burst = radio.SyncDL
		if b0, err = sc.Cell.Sync(t).AppendBits(b0); err != nil {
			return err
		}
		if t.HasBNCH() {
			si := sc.Cell.Sysinfo
			si.HNOrCCK, si.CipherKeyFlag = uint16(t.HN), false
			if b1, err = si.AppendBits(b1); err != nil {
				return err
			}
			s.Blocks[1] = Block{lmac.BNCH, b1}
		} else {
			if b1, err = mac.AppendBlock(b1, lmac.SCHHD.Params().Type1, mac.Downlink); err != nil {
				return err
			}
			s.Blocks[1] = Block{lmac.SCHHD, b1}
		}
		s.Blocks[0] = Block{lmac.BSCH, b0}
	case t.FN == radio.ControlFrame || t.TN == 4:
		if b0, err = nullF(); err != nil {
			return err
		}
		s.Blocks[0] = Block{lmac.SCHF, b0}
	case t.TN == 1:
		sc.count++
		p := &mac.Resource{Addr: mac.Address{Type: mac.AddrSSI, SSI: sc.GroupSSI}, SDU: sc.payload(t, 64)}
		if b0, err = mac.AppendBlock(b0, lmac.SCHF.Params().Type1, mac.Downlink, p); err != nil {
			return err
		}
		s.Blocks[0] = Block{lmac.SCHF, b0}
	case t.TN == 2:
		s.AACH = mac.AccessAssign{Header: 3, Field1: mac.UsageFirstTraffic, Field2: mac.UsageFirstTraffic}
		if sc.Traffic != nil {
			return sc.traffic(t, s)
		}
		if t.FN%4 == 0 {
			p := &mac.USignal{SDU: sc.payload(t, 121)}
			if b0, err = mac.AppendBlock(b0, lmac.STCH.Params().Type1, mac.Downlink, p); err != nil {
				return err
			}
			b1 = sc.speech(b1)     // frame A, dropped
			b1 = sc.speech(b1[:0]) // frame B
			s.Blocks[0], s.Blocks[1] = Block{lmac.STCH, b0}, Block{lmac.TCHSStolen, b1}
		} else {
			b0 = sc.speech(sc.speech(b0))
			s.Blocks[0] = Block{lmac.TCHS, b0}
		}
	default: // TN 3
		sc.count++
		p := &mac.Resource{Addr: mac.Address{Type: mac.AddrSSI, SSI: sc.IndividualSSI}, HasSlotGrant: true, SDU: sc.payload(t, 40)}
		if b0, err = mac.AppendBlock(b0, lmac.SCHHD.Params().Type1, mac.Downlink, p); err != nil {
			return err
		}
		if b1, err = mac.AppendBlock(b1, lmac.SCHHD.Params().Type1, mac.Downlink); err != nil {
			return err
		}
		s.Blocks[0], s.Blocks[1] = Block{lmac.SCHHD, b0}, Block{lmac.SCHHD, b1}
	}
	return nil
}

// TrafficSlot is the content of one TCH/S traffic slot as a traffic source
// gives it (EN 300 392-2 clause 9.4.4.3.2, stealing clause 23.8.4): up to two
// half-slots stolen for U-plane signalling, each carrying a 121-bit TM-SDU in
// a MAC-U-SIGNAL on the STCH, and the 137-bit speech frames A and B of the
// halves not stolen.
//
//	STCH[0] == nil                    TCH/S: Frames[0] and Frames[1]
//	STCH[0] != nil, STCH[1] == nil    STCH + TCH/S stolen: Frames[1]
//	STCH[0] != nil, STCH[1] != nil    STCH + STCH (second half stolen flag set)
type TrafficSlot struct {
	STCH   [2][]byte // TM-SDUs of stolen halves, STCHSDUBits each
	Frames [2][]byte // speech frames A and B, 137 bits each
}

// STCHSDUBits is the TM-SDU of a MAC-U-SIGNAL that fills an STCH block: 124
// type-1 bits minus the 3-bit header (clause 21.4.5).
const STCHSDUBits = 121

// traffic builds a traffic slot from sc.Traffic.
func (sc *Schedule) traffic(t radio.Time, s *DLSlot) error {
	var ts TrafficSlot
	if err := sc.Traffic(t, &ts); err != nil {
		return err
	}
	b0, b1 := sc.buf[0][:0], sc.buf[1][:0]
	frame := func(dst, f []byte) ([]byte, error) {
		if len(f) != 137 {
			return dst, fmt.Errorf("%w: speech frame of %d bits at %v", ErrSlot, len(f), t)
		}
		return append(dst, f...), nil
	}
	stch := func(dst, sdu []byte, second bool) ([]byte, error) {
		if len(sdu) != STCHSDUBits {
			return dst, fmt.Errorf("%w: STCH TM-SDU of %d bits at %v", ErrSlot, len(sdu), t)
		}
		return mac.AppendBlock(dst, lmac.STCH.Params().Type1, mac.Downlink, &mac.USignal{SecondHalfStolen: second, SDU: sdu})
	}
	var err error
	switch {
	case ts.STCH[0] == nil:
		if b0, err = frame(b0, ts.Frames[0]); err != nil {
			return err
		}
		if b0, err = frame(b0, ts.Frames[1]); err != nil {
			return err
		}
		s.Blocks[0] = Block{lmac.TCHS, b0}
	case ts.STCH[1] == nil:
		if b0, err = stch(b0, ts.STCH[0], false); err != nil {
			return err
		}
		if b1, err = frame(b1, ts.Frames[1]); err != nil {
			return err
		}
		s.Blocks[0], s.Blocks[1] = Block{lmac.STCH, b0}, Block{lmac.TCHSStolen, b1}
	default:
		if b0, err = stch(b0, ts.STCH[0], true); err != nil {
			return err
		}
		if b1, err = stch(b1, ts.STCH[1], false); err != nil {
			return err
		}
		s.Blocks[0], s.Blocks[1] = Block{lmac.STCH, b0}, Block{lmac.STCH, b1}
	}
	return nil
}

// payload returns an n-bit opaque test TM-SDU: MN (6 bits), FN (5), TN (2),
// a 16-bit counter, then alternating bits.
func (sc *Schedule) payload(t radio.Time, n int) []byte {
	b := sc.sdu[:0]
	b = bits.AppendUint(b, uint64(t.MN), 6)
	b = bits.AppendUint(b, uint64(t.FN), 5)
	b = bits.AppendUint(b, uint64(t.TN-1), 2)
	b = bits.AppendUint(b, uint64(sc.count), 16)
	for len(b) < n {
		b = append(b, byte(len(b)&1))
	}
	sc.sdu = b
	return b[:n]
}

// speech appends one 137-bit speech frame.
func (sc *Schedule) speech(dst []byte) []byte {
	if sc.Speech != nil {
		return sc.Speech(dst)
	}
	for i := 0; i < 137; i++ {
		dst = append(dst, byte(sc.rng.IntN(2)))
	}
	return dst
}

// TrafficSlots returns how many of the n slots from start are traffic slots
// of Schedule (TN 2 in frames 1–17).
func TrafficSlots(start radio.Time, n int) int {
	k := 0
	for t, i := start, 0; i < n; t, i = t.Next(), i+1 {
		if t.TN == 2 && t.FN != radio.ControlFrame {
			k++
		}
	}
	return k
}
