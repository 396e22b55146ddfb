package air

import (
	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sdr"
)

// RxBlock is one decoded downlink block, handed to the receiver's callback.
// Bits (type-1) is valid only during the callback.
type RxBlock struct {
	Time     radio.Time      // TDMA time of the slot (from the latest SYNC)
	Slot     int64           // demodulator slot index
	Burst    radio.BurstType // NormalDL or SyncDL
	SlotFlag bool            // training sequence p
	Channel  lmac.Channel
	Half     uint8 // 0 whole slot (or the AACH), 1 first half (BKN1/SB1), 2 second half (BKN2/SB2)
	CRCOK    bool  // CRC-16, TCH/S parity, or RM decoding radius (lmac.Coder.Decode)
	Bits     []byte
	// Soft holds the block's received type-5 soft bits (scrambled), valid
	// only during the OnBlock call: for reliability checks by re-encoding.
	Soft   []int8
	EsN0dB float32 // demodulator's estimate for the slot
	CFOHz  float64 // demodulator's residual carrier offset estimate [Hz]
	// CarrierHz is the carrier the Receiver is tuned to, from the centre of
	// its input [Hz] (the search result or RxConfig.OffsetHz).
	CarrierHz float64
}

// DecoderStats counts what a SlotDecoder saw.
type DecoderStats struct {
	Slots      int64 // slots received
	Unsynced   int64 // slots dropped because no SYNC had given the cell yet
	Blocks     int64 // blocks decoded (emitted)
	CRCErrors  int64 // blocks with CRCOK false
	Syncs      int64 // SYNC PDUs with a good CRC
	TimeJumps  int64 // SYNCs that disagreed with the running time (re-anchored)
	NoTraining int64 // slots classified by the decoder (no training from the demodulator)
	NoSignal   int64 // slots without training and with a correlation below MinSyncScore: not decoded
}

// SlotDecoder decodes demodulated downlink slots: it classifies each slot by
// its training sequence, decodes the AACH, the BSCH and the other blocks
// through the lower-MAC chains, learns the cell (scrambling code) and the
// TDMA time from the first good SYNC, and then decodes every slot. Slots
// received before that SYNC are kept (up to two multiframes) and decoded as
// soon as it arrives. Not safe for concurrent use.
type SlotDecoder struct {
	onBlock   func(*RxBlock)
	carrierHz float64 // reported in RxBlock.CarrierHz
	coder     lmac.Coder
	code      scramble.Code
	cell      bool
	known     bool // cell fixed by configuration

	synced  bool
	refSlot int64
	refTime radio.Time

	usage [5]int // last downlink usage marker per TN (−1 unknown)

	backlog []sdr.Slot
	stats   DecoderStats

	blk  RxBlock
	t1   [lmac.MaxType1]byte
	soft [lmac.MaxType5]int8
	hard [radio.SlotBits]byte
}

const maxBacklog = 2 * radio.SlotsPerFrame * radio.FramesPerMultiframe

// NewSlotDecoder returns a decoder that calls onBlock for every decoded
// block. If cell is not nil the scrambling code is known from the start;
// otherwise it is learned from the first SYNC.
func NewSlotDecoder(cell *Cell, onBlock func(*RxBlock)) *SlotDecoder {
	d := &SlotDecoder{onBlock: onBlock}
	if cell != nil {
		d.code, d.cell, d.known = cell.Code(), true, true
	}
	for i := range d.usage {
		d.usage[i] = -1
	}
	return d
}

// Stats returns the counters.
func (d *SlotDecoder) Stats() DecoderStats { return d.stats }

// Synced reports whether a SYNC has given the TDMA time.
func (d *SlotDecoder) Synced() bool { return d.synced }

// Code returns the scrambling code in use and whether it is known.
func (d *SlotDecoder) Code() (scramble.Code, bool) { return d.code, d.cell }

// MinSyncScore is the correlation score below which a slot in which the
// demodulator found no training sequence is taken for "no signal" and not
// decoded (counted in DecoderStats.NoSignal).
const MinSyncScore = 0.5

// Decode processes one demodulated slot. s.Training indexes DLTraining
// (n, p, y); −1 makes the decoder classify the slot itself (HardSlot input
// has SyncScore 1 and is always decoded).
func (d *SlotDecoder) Decode(s *sdr.Slot) {
	d.stats.Slots++
	if s.Training < 0 && !(s.SyncScore >= MinSyncScore) {
		d.stats.NoSignal++
		return
	}
	if !d.synced {
		if d.trySync(s) {
			for i := range d.backlog {
				d.decode(&d.backlog[i])
			}
			d.backlog = d.backlog[:0]
			d.decode(s)
			return
		}
		if len(d.backlog) == maxBacklog {
			copy(d.backlog, d.backlog[1:])
			d.backlog = d.backlog[:maxBacklog-1]
			d.stats.Unsynced++
		}
		d.backlog = append(d.backlog, *s)
		return
	}
	d.decode(s)
}

// Flush counts the slots still waiting for a SYNC as unsynced and drops them.
func (d *SlotDecoder) Flush() {
	d.stats.Unsynced += int64(len(d.backlog))
	d.backlog = d.backlog[:0]
}

// classify returns the burst type and slot flag of a slot.
func (d *SlotDecoder) classify(s *sdr.Slot) (radio.BurstType, bool) {
	switch s.Training {
	case 0:
		return radio.NormalDL, false
	case 1:
		return radio.NormalDL, true
	case 2:
		return radio.SyncDL, false
	}
	d.stats.NoTraining++
	typ, flag, _ := radio.Classify(s.Soft[:])
	return typ, flag
}

// trySync decodes the BSCH of a sync slot and anchors time and cell on a good SYNC.
func (d *SlotDecoder) trySync(s *sdr.Slot) bool {
	typ, _ := d.classify(s)
	if s.Training < 0 {
		d.stats.NoTraining-- // counted again in decode
	}
	if typ != radio.SyncDL {
		return false
	}
	t1 := d.t1[:lmac.BSCH.Params().Type1]
	if !d.coder.Decode(t1, lmac.BSCH, s.Soft[radio.SBBlock1Start:radio.SBBlock1Start+radio.SB1Bits], scramble.BSCH) {
		return false
	}
	sy, err := mac.ParseSync(t1)
	if err != nil || !sy.Time().Valid() {
		return false
	}
	d.anchor(s.Index, sy)
	return true
}

func (d *SlotDecoder) anchor(slot int64, sy mac.Sync) {
	t := sy.Time()
	if d.synced {
		t.HN = d.timeAt(slot).HN
	}
	d.refSlot, d.refTime, d.synced = slot, t, true
	if !d.known {
		d.code, d.cell = scramble.Cell(sy.MCC, sy.MNC, sy.ColourCode), true
	}
}

func (d *SlotDecoder) timeAt(slot int64) radio.Time { return d.refTime.Add(slot - d.refSlot) }

func (d *SlotDecoder) emit(s *sdr.Slot, t radio.Time, typ radio.BurstType, flag bool, ch lmac.Channel, half uint8, soft []int8) []byte {
	n := ch.Params().Type1
	t1 := d.t1[:n]
	ok := d.coder.Decode(t1, ch, soft, d.code)
	b := &d.blk
	*b = RxBlock{Time: t, Slot: s.Index, Burst: typ, SlotFlag: flag, Channel: ch, Half: half, CRCOK: ok, Bits: t1, Soft: soft, EsN0dB: s.EsN0dB, CFOHz: s.CFOHz, CarrierHz: d.carrierHz}
	d.stats.Blocks++
	if !ok {
		d.stats.CRCErrors++
	}
	if d.onBlock != nil {
		d.onBlock(b)
	}
	if !ok {
		return nil
	}
	return t1
}

// decode decodes every block of a slot once the time and cell are known.
func (d *SlotDecoder) decode(s *sdr.Slot) {
	t := d.timeAt(s.Index)
	typ, flag := d.classify(s)
	soft := s.Soft[:]

	// AACH: BB, RM(30,14), cell scrambling (clause 9.5.1).
	bb := radio.BB(d.soft[:radio.BBBits], typ, soft)
	if a := d.emit(s, t, typ, flag, lmac.AACH, 0, bb); a != nil {
		if aa, err := mac.ParseAccessAssign(a); err == nil {
			if um, ok := aa.DownlinkUsage(t.IsControlFrame()); ok {
				d.usage[t.TN] = int(um)
			} else {
				d.usage[t.TN] = mac.UsageCommonCtrl
			}
		}
	}
	traffic := !t.IsControlFrame() && d.usage[t.TN] >= mac.UsageFirstTraffic

	switch {
	case typ == radio.SyncDL:
		sb1 := soft[radio.SBBlock1Start : radio.SBBlock1Start+radio.SB1Bits]
		if b := d.emit(s, t, typ, flag, lmac.BSCH, 1, sb1); b != nil {
			if sy, err := mac.ParseSync(b); err == nil && sy.Time().Valid() {
				d.stats.Syncs++
				if sy.Time().TN != t.TN || sy.Time().FN != t.FN || sy.Time().MN != t.MN {
					d.stats.TimeJumps++
					d.anchor(s.Index, sy)
					t = d.timeAt(s.Index)
				}
			}
		}
		ch := lmac.SCHHD
		if t.HasBNCH() {
			ch = lmac.BNCH
		}
		if b := d.emit(s, t, typ, flag, ch, 2, soft[radio.SBBlock2Start:radio.SBBlock2Start+radio.BKNBits]); b != nil {
			d.sysinfo(b, s.Index)
		}
	case !flag:
		copy(d.soft[:radio.BKNBits], soft[radio.NDBBlock1Start:])
		copy(d.soft[radio.BKNBits:2*radio.BKNBits], soft[radio.NDBBlock2Start:])
		ch := lmac.SCHF
		if traffic {
			ch = lmac.TCHS
		}
		d.emit(s, t, typ, flag, ch, 0, d.soft[:2*radio.BKNBits])
	default:
		bkn1 := soft[radio.NDBBlock1Start : radio.NDBBlock1Start+radio.BKNBits]
		bkn2 := soft[radio.NDBBlock2Start : radio.NDBBlock2Start+radio.BKNBits]
		if traffic {
			b := d.emit(s, t, typ, flag, lmac.STCH, 1, bkn1)
			ch := lmac.TCHSStolen
			if b != nil && secondHalfStolen(b) {
				ch = lmac.STCH
			}
			d.emit(s, t, typ, flag, ch, 2, bkn2)
			return
		}
		d.emit(s, t, typ, flag, lmac.SCHHD, 1, bkn1)
		ch := lmac.SCHHD
		if t.HasBNCH() {
			ch = lmac.BNCH
		}
		if b := d.emit(s, t, typ, flag, ch, 2, bkn2); b != nil {
			d.sysinfo(b, s.Index)
		}
	}
}

// sysinfo takes the hyperframe number from a SYSINFO (clause 21.4.4.1).
func (d *SlotDecoder) sysinfo(b []byte, slot int64) {
	if len(b) < 4 || b[0] != 1 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return
	}
	si, err := mac.ParseSysinfo(b)
	if err != nil || si.CipherKeyFlag {
		return
	}
	t := d.timeAt(slot)
	t.HN = int(si.HNOrCCK)
	d.refSlot, d.refTime = slot, t
}

// secondHalfStolen reports whether an STCH block says that the second half
// slot is stolen too: the first PDU is a MAC-U-SIGNAL with its flag set
// (clause 21.4.5) or a MAC-RESOURCE with length indication "second half slot
// stolen" (clause 21.4.3.1). It does not allocate.
func secondHalfStolen(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	switch b[0]<<1 | b[1] {
	case 3:
		return b[2] == 1
	case 0:
		r, _, err := mac.ParseResource(b)
		return err == nil && r.LengthInd == mac.LISecondHalfStolen
	}
	return false
}

// DLTraining returns the training sequences of the continuous downlink
// bursts, in the order SlotDecoder expects in sdr.Slot.Training: n and p at
// bit 244, y at bit 214 (EN 300 392-2 clause 9.4.4.3).
func DLTraining() []sdr.SyncPattern {
	return []sdr.SyncPattern{
		{Name: "n", Bits: radio.TrainingN[:], BitOffset: radio.NDBTrainStart},
		{Name: "p", Bits: radio.TrainingP[:], BitOffset: radio.NDBTrainStart},
		{Name: "y", Bits: radio.TrainingY[:], BitOffset: radio.SBTrainStart},
	}
}

// DLFixed returns the q bits that start and end every continuous downlink
// burst: q11…q22 at bit 0 and q1…q10 at bit 500.
func DLFixed() []sdr.SyncPattern {
	return []sdr.SyncPattern{
		{Name: "q11-22", Bits: radio.TrainingQ[10:], BitOffset: 0},
		{Name: "q1-10", Bits: radio.TrainingQ[:10], BitOffset: 500},
	}
}

// HardSlot fills s from 510 hard bits (0/1), as read from a one-bit-per-byte
// file: soft values ±127, training to be classified.
func HardSlot(s *sdr.Slot, hard []byte, index int64) {
	for i, v := range hard[:radio.SlotBits] {
		if v&1 == 1 {
			s.Soft[i] = -127
		} else {
			s.Soft[i] = 127
		}
	}
	s.Training, s.Index, s.SyncScore = -1, index, 1
}
