package air

import (
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
