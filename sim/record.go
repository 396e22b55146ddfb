package sim

import (
	"fmt"
	"io"

	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/gsmtap"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/air"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
	"github.com/tetrasim/tetrasim/sim/phy"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// RecordRateHz is the sample rate of the air recordings: 2 samples per symbol.
const RecordRateHz = 36000

// Recording selects what the run records of one cell's air interface. Any
// field may be nil. The writers see every slot as it is simulated, so a run
// stopped early leaves a valid, shorter recording.
type Recording struct {
	// Cell names the recorded cell ("" = the eavesdropper's, else the first).
	Cell string
	// Downlink receives the cell's continuous downlink at RecordRateHz, as the
	// base station transmits it (sim/air Transmitter: every slot filled, frame
	// 18 with SYNC and SYSINFO, AACH in every slot).
	Downlink iq.Writer
	// Uplink receives the uplink at RecordRateHz: the sum of the handsets'
	// normal uplink bursts (NUB, clause 9.4.4.2.2) in each slot, silence between.
	Uplink iq.Writer
	// GSMTAP receives a pcap of every MAC block sent in the cell, both directions.
	GSMTAP io.Writer
}

type recorder struct {
	cell    *cell
	dl, ul  iq.Writer
	pcap    *gsmtap.Writer
	tx      *air.Transmitter
	b       dlBuilder
	mod     *sdr.Modulator
	arfcn   uint16
	dlBuf   []complex64
	ulBuf   []complex64
	ulMod   []complex64
	burst   []byte
	err     error
	ulSlots int64
	dlPSD   psd
	ulPSD   psd
}

// AirCell returns the cell recorded by default: the eavesdropper's, or the first.
func (sm *Sim) AirCell() scenario.Cell { return sm.airCell("").cfg }

func (sm *Sim) airCell(name string) *cell {
	for _, x := range sm.cells {
		if name != "" && x.cfg.Name == name || name == "" && x.spy != nil {
			return x
		}
	}
	if name != "" {
		return nil
	}
	return sm.cells[0]
}

// Record sets up the recordings; call it before Run.
func (sm *Sim) Record(r Recording) error {
	c := sm.airCell(r.Cell)
	if c == nil {
		return fmt.Errorf("sim: record: no cell %q", r.Cell)
	}
	rec := &recorder{cell: c, dl: r.Downlink, ul: r.Uplink}
	rec.b.acell, rec.arfcn = airCellOf(c.cfg)
	var err error
	if r.Downlink != nil && c.iq == nil {
		start := radio.TimeAt(int64(sm.clk.Now()))
		if rec.tx, err = air.NewTransmitter(air.TxConfig{Cell: rec.b.acell, SampleRateHz: RecordRateHz, Start: start}); err != nil {
			return fmt.Errorf("sim: record: %w", err)
		}
	}
	if r.Uplink != nil {
		if rec.mod, err = sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: 2, Amplitude: 0.5}); err != nil {
			return fmt.Errorf("sim: record: %w", err)
		}
		// The uplink is two slots behind the downlink (clause 9.3): both
		// recordings start at the same instant.
		if _, err := r.Uplink.Write(make([]complex64, clock.UplinkOffsetSlots*clock.SymbolsPerSlot*2)); err != nil {
			return fmt.Errorf("sim: record: %w", err)
		}
	}
	if r.GSMTAP != nil {
		if rec.pcap, err = gsmtap.NewWriter(r.GSMTAP); err != nil {
			return fmt.Errorf("sim: record: %w", err)
		}
	}
	sm.rec = rec
	return nil
}

func (r *recorder) tap(now clock.Slot, ch lmac.Channel, uplink bool, sub uint8, bits []byte) {
	if r.pcap == nil || r.err != nil {
		return
	}
	ts := trustedEpoch.Add(now.Duration())
	r.err = r.pcap.Write(ts, gsmtap.Block{Time: radio.TimeAt(int64(now)), Channel: ch, Uplink: uplink, SubSlot: sub, ARFCN: r.arfcn, Bits: bits})
}

// dlBuilder turns what a base station sends in a slot into the full downlink
// slot content of sim/air: AACH usage markers, SCH/F, TCH/S or STCH blocks, and
// fill (SYNC and SYSINFO in frame 18, Null PDUs) in idle slots.
type dlBuilder struct {
	acell air.Cell
	slot  air.DLSlot
	t1    [2][]byte
}

// build fills b.slot for downlink slot now; blk is what the base station sent
// (nil: idle). tap, if not nil, sees every MAC block.
func (b *dlBuilder) build(now clock.Slot, blk *link.Block, tap func(ch lmac.Channel, sub uint8, bits []byte)) error {
	if tap == nil {
		tap = func(lmac.Channel, uint8, []byte) {}
	}
	s := &b.slot
	*s = air.DLSlot{Burst: radio.NormalDL}
	t := radio.TimeAt(int64(now))
	b0, b1 := b.t1[0][:0], b.t1[1][:0]
	var err error
	switch {
	case blk != nil && blk.Kind == link.Control:
		s.Blocks[0] = air.Block{Channel: lmac.SCHF, Bits: blk.Sig}
		tap(lmac.SCHF, 0, blk.Sig)
	case blk != nil && blk.Kind == link.Traffic:
		um := uint8(mac.UsageFirstTraffic + t.TN)
		s.AACH = mac.AccessAssign{Header: mac.AccessAssignUMField, Field1: um, Field2: um}
		switch {
		case !blk.Stolen:
			b0 = append(append(b0, blk.Speech[0]...), blk.Speech[1]...)
			s.Blocks[0] = air.Block{Channel: lmac.TCHS, Bits: b0}
			tap(lmac.TCHS, 0, b0)
		case len(blk.STCH2) > 0:
			s.Blocks[0], s.Blocks[1] = air.Block{Channel: lmac.STCH, Bits: blk.STCH}, air.Block{Channel: lmac.STCH, Bits: blk.STCH2}
			tap(lmac.STCH, 1, blk.STCH)
			tap(lmac.STCH, 2, blk.STCH2)
		default:
			s.Blocks[0], s.Blocks[1] = air.Block{Channel: lmac.STCH, Bits: blk.STCH}, air.Block{Channel: lmac.TCHSStolen, Bits: blk.Speech[1]}
			tap(lmac.STCH, 1, blk.STCH)
		}
	case t.FN == radio.ControlFrame && (t.HasBSCH() || t.HasBNCH()):
		s.Burst = radio.SyncDL
		if b0, err = b.acell.Sync(t).AppendBits(b0); err != nil {
			break
		}
		if t.HasBNCH() {
			si := b.acell.Sysinfo
			si.HNOrCCK = uint16(t.HN)
			b1, err = si.AppendBits(b1)
			s.Blocks[1] = air.Block{Channel: lmac.BNCH, Bits: b1}
		} else {
			b1, err = mac.AppendBlock(b1, lmac.SCHHD.Params().Type1, mac.Downlink)
			s.Blocks[1] = air.Block{Channel: lmac.SCHHD, Bits: b1}
		}
		s.Blocks[0] = air.Block{Channel: lmac.BSCH, Bits: b0}
		tap(lmac.BSCH, 0, b0)
		tap(s.Blocks[1].Channel, 2, b1)
	default:
		b0, err = cmce.AppendNull(b0, mac.Downlink)
		s.Blocks[0] = air.Block{Channel: lmac.SCHF, Bits: b0}
	}
	b.t1[0], b.t1[1] = b0, b1
	return err
}

// airCellOf returns the sim/air identity of a cell: our scrambling code and a
// SYSINFO for its carrier.
func airCellOf(c scenario.Cell) (air.Cell, uint16) {
	band, carrier, off, ok := mac.CarrierNumber(c.DownlinkMHz * 1e6)
	if !ok {
		band, carrier, off = 3, 3600, 0
	}
	return air.Cell{MCC: phy.MCC, MNC: phy.MNC, CC: uint8(c.ID), Sysinfo: mac.Sysinfo{
		MainCarrier: carrier, FreqBand: band, Offset: off, DuplexSpacing: 2, MSTxPwrMaxCell: 5, RxLevAccessMin: 3,
		AccessParameter: 7, RadioDLTimeout: 4, OptionFlag: 2, LocationArea: uint16(c.ID), SubscriberClass: 0xffff, BSServiceDetails: 0x0e0}}, carrier
}

// downlink records downlink slot now; blk is what the base station sent (nil
// for an idle slot). iq, when not nil, are the slot's samples already
// modulated (iq fidelity).
func (r *recorder) downlink(now clock.Slot, blk *link.Block, iq []complex64) {
	if r.err != nil {
		return
	}
	if err := r.b.build(now, blk, func(ch lmac.Channel, sub uint8, bits []byte) { r.tap(now, ch, false, sub, bits) }); err != nil {
		r.err = err
		return
	}
	if r.dl == nil {
		return
	}
	if iq == nil {
		var err error
		if r.dlBuf, err = r.tx.Slot(r.dlBuf[:0], &r.b.slot); err != nil {
			r.err = err
			return
		}
		iq = r.dlBuf
	}
	r.dlPSD.add(iq)
	_, r.err = r.dl.Write(iq)
}

// uplink records uplink slot us: the handsets' bursts (nil: silence).
func (r *recorder) uplink(us clock.Slot, txs []*link.Block, t5 [][]byte) {
	if r.err != nil {
		return
	}
	for _, b := range txs {
		switch {
		case b.Kind == link.Control:
			r.tap(us, lmac.SCHF, true, 0, b.Sig)
		case b.Kind == link.Traffic && b.Stolen:
			r.tap(us, lmac.STCH, true, 1, b.STCH)
			if len(b.STCH2) > 0 {
				r.tap(us, lmac.STCH, true, 2, b.STCH2)
			}
		case b.Kind == link.Traffic:
			r.tap(us, lmac.TCHS, true, 0, append(append([]byte(nil), b.Speech[0]...), b.Speech[1]...))
		}
	}
	if r.mod == nil {
		return
	}
	const n = clock.SymbolsPerSlot * 2
	if cap(r.ulBuf) < n {
		r.ulBuf = make([]complex64, n)
		r.ulMod = make([]complex64, n+64)
	}
	out := r.ulBuf[:n]
	clear(out)
	for i, b := range txs {
		bu := radio.Burst{Type: radio.NormalUL, Block1: t5[i][:radio.BKNBits], Block2: t5[i][radio.BKNBits : 2*radio.BKNBits], SlotFlag: b.Stolen}
		var err error
		if r.burst, err = bu.AppendBits(r.burst[:0]); err != nil {
			r.err = err
			return
		}
		r.mod.Reset()
		m := r.mod.Process(r.ulMod, r.burst)
		for k := 0; k < m && k < n; k++ {
			out[k] += r.ulMod[k]
		}
	}
	if len(txs) > 0 {
		r.ulPSD.add(out)
	}
	_, r.err = r.ul.Write(out)
}

// RecordErr returns the first error of the recording writers, if any.
func (sm *Sim) RecordErr() error {
	if sm.rec == nil {
		return nil
	}
	return sm.rec.err
}
