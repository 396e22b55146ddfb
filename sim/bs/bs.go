package bs

import (
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
)

// MCCH is the timeslot of the main control channel; traffic uses the others.
const MCCH = 1

// LateEntryRepeatFrames is how often [TDMA frames] a BS repeats D-SETUP for each
// running call on the MCCH, so handsets that missed the set-up join late
// (EN 300 392-2 clause 14.5.2.4 late entry).
const LateEntryRepeatFrames = 9

// sdsRetrySlots and sdsRetries bound the retransmission of individually
// addressed downlink SDS fragments that were not acknowledged.
const (
	sdsRetrySlots = 8 * clock.SlotsPerFrame
	sdsRetries    = 3
)

// Observer sees everything a base station handles (the compromised-BS role):
// signalling in clear and traffic as the ciphertext bits it relays.
type Observer interface {
	ObservePDU(now clock.Slot, uplink bool, p cmce.PDU)
	ObserveTraffic(now clock.Slot, tn uint8, blk *link.Block)
}

// BSCounters are a base station's plain metrics.
type BSCounters struct {
	UplinkControl int `json:"uplink_control_blocks"`
	UplinkCRCFail int `json:"uplink_control_crc_fail"`
	UplinkTraffic int `json:"uplink_traffic_blocks"`
	UplinkBFI     int `json:"uplink_traffic_bfi_frames"`
	// UplinkNotRelayed counts full traffic slots not relayed: parity failed,
	// or flagged unreliable in an encrypted call.
	UplinkNotRelayed int `json:"uplink_traffic_slots_not_relayed"`
	DownlinkControl  int `json:"downlink_control_blocks"`
	DownlinkTraffic  int `json:"downlink_traffic_blocks"`
	MCCHBacklogMax   int `json:"mcch_backlog_max"`
	SDSRetransmits   int `json:"sds_retransmits"`
	SDSDropped       int `json:"sds_dropped"`
	Downgraded       int `json:"pdus_downgraded"`
}

type queued struct {
	at  clock.Slot
	blk *link.Block
}

type pendingSDS struct {
	p     cmce.PDU
	due   clock.Slot
	tries int
}

// BS is one cell's base station.
type BS struct {
	Name string
	ID   int // colour code 1..63
	core *Core

	high, low []cmce.PDU    // MCCH downlink queues
	tch       [5]*GroupCall // traffic slot owner, index TN
	traffic   [5][]queued   // downlink traffic to send, per TN
	pending   map[uint64]*pendingSDS
	regs      map[uint32]bool
	now       clock.Slot
	lastLE    clock.Slot
	obs       Observer
	rp        *replay
	downgrade bool
	C         BSCounters
	scratch   []byte
}

// NewBS adds a base station for a cell to core.
func NewBS(core *Core, name string, id int) *BS {
	b := &BS{Name: name, ID: id, core: core, pending: map[uint64]*pendingSDS{}, regs: map[uint32]bool{}}
	core.cells = append(core.cells, b)
	return b
}

// SetDowngrade makes a compromised base station clear the encryption flag of
// every call it announces (e2ee-design.md §5.11: a downgrade through the
// encryption flag). Handsets then take the ciphertext for clear speech, unless
// the talkgroup is secure-only, where they refuse clear audio.
func (b *BS) SetDowngrade(on bool) { b.downgrade = on }

// SetObserver installs an observer (the compromised-BS role); nil removes it.
func (b *BS) SetObserver(o Observer) { b.obs = o }

// Registered reports whether issi is registered in this cell.
func (b *BS) Registered(issi uint32) bool { return b.regs[issi] }

func (b *BS) forget(issi uint32) { delete(b.regs, issi) }

func (b *BS) sendHigh(p cmce.PDU) { b.high = append(b.high, p) }

func (b *BS) sendLow(p cmce.PDU, acked bool) {
	b.low = append(b.low, p)
	if acked {
		b.pending[sdsKey(p.Dest, p.MsgRef, p.Frag)] = &pendingSDS{p: p, due: b.now + sdsRetrySlots + clock.Slot(len(b.low))*clock.SlotsPerFrame}
	}
}

func sdsKey(ssi uint32, ref uint16, frag uint8) uint64 {
	return uint64(ssi)<<24 | uint64(ref)<<8 | uint64(frag)
}

func (b *BS) allocTN(call *GroupCall) uint8 {
	for tn := 2; tn <= 4; tn++ {
		if b.tch[tn] == nil {
			b.tch[tn] = call
			b.traffic[tn] = b.traffic[tn][:0]
			return uint8(tn)
		}
	}
	return 0
}

func (b *BS) freeTN(call *GroupCall) {
	for tn := 2; tn <= 4; tn++ {
		if b.tch[tn] == call {
			b.tch[tn] = nil
			b.traffic[tn] = b.traffic[tn][:0]
		}
	}
}

func (b *BS) queueTraffic(tn uint8, blk *link.Block, at clock.Slot) {
	b.traffic[tn] = append(b.traffic[tn], queued{at, blk.Clone()})
}

// TrafficTN returns the traffic timeslot this cell uses for gssi's call, or 0.
func (b *BS) TrafficTN(gssi uint32) uint8 {
	for tn := 2; tn <= 4; tn++ {
		if c := b.tch[tn]; c != nil && c.GSSI == gssi {
			return uint8(tn)
		}
	}
	return 0
}

// Downlink fills blk with what the BS transmits in downlink slot now (TN from
// the clock) and reports whether it transmits at all.
func (b *BS) Downlink(now clock.Slot, blk *link.Block) bool {
	b.now = now
	blk.Reset()
	blk.TxID = uint32(b.ID)
	t := now.TDMA()
	if t.TN == MCCH {
		return b.downlinkMCCH(now, blk)
	}
	q := b.traffic[t.TN]
	for len(q) > 0 && q[0].at < now {
		q = q[1:] // missed its slot (call moved): drop
	}
	b.traffic[t.TN] = q
	if t.FN == clock.ControlFrame || len(q) == 0 || q[0].at > now {
		return false
	}
	*blk = *q[0].blk
	blk.BFI, blk.Unreliable, blk.CRCOK, blk.BitErrors, blk.Bits = [2]bool{}, [2]bool{}, false, 0, 0
	b.traffic[t.TN] = q[1:]
	b.C.DownlinkTraffic++
	return true
}

func (b *BS) downlinkMCCH(now clock.Slot, blk *link.Block) bool {
	// Retransmit unacknowledged individual SDS fragments.
	for k, ps := range b.pending {
		if now >= ps.due {
			if ps.tries >= sdsRetries {
				delete(b.pending, k)
				b.C.SDSDropped++
				continue
			}
			ps.tries++
			ps.due = now + sdsRetrySlots + clock.Slot(len(b.low))*clock.SlotsPerFrame
			b.low = append(b.low, ps.p)
			b.C.SDSRetransmits++
		}
	}
	// Late-entry repeats of D-SETUP for running calls.
	if now-b.lastLE >= LateEntryRepeatFrames*clock.SlotsPerFrame && len(b.high) == 0 {
		b.lastLE = now
		for tn := 2; tn <= 4; tn++ {
			if c := b.tch[tn]; c != nil && c.Talker != 0 {
				b.high = append(b.high, cmce.PDU{Type: cmce.DSetup, SSI: c.GSSI, GSSI: c.GSSI, CallID: c.ID,
					TN: uint8(tn), Talker: c.Talker, Priority: c.TalkerPrio, Grant: cmce.GrantedOther, Encrypted: c.Encrypted})
			}
		}
	}
	b.C.MCCHBacklogMax = max(b.C.MCCHBacklogMax, len(b.high)+len(b.low))
	var p cmce.PDU
	switch {
	case len(b.high) > 0:
		p, b.high = b.high[0], b.high[1:]
	case len(b.low) > 0:
		p, b.low = b.low[0], b.low[1:]
	default:
		return false
	}
	if b.downgrade && (p.Type == cmce.DSetup || p.Type == cmce.DConnect || p.Type == cmce.DTxGranted) && p.Encrypted {
		p.Encrypted = false // attack: announce the encrypted call as clear
		b.C.Downgraded++
	}
	var err error
	b.scratch, err = cmce.AppendMAC(b.scratch[:0], mac.Downlink, &p)
	if err != nil {
		return false // our own PDU did not fit: never happens with the sizes above
	}
	if b.obs != nil {
		b.obs.ObservePDU(now, false, p)
	}
	blk.Kind = link.Control
	blk.Sig = append(blk.Sig[:0], b.scratch...)
	b.C.DownlinkControl++
	return true
}

// Uplink hands the BS what it decoded in uplink slot now (TN from the uplink
// timing, clause 9.3: two slots behind the downlink); blk is nil when nothing
// was received.
func (b *BS) Uplink(now clock.Slot, tn int, blk *link.Block) {
	b.now = now
	if blk == nil || blk.Kind == link.None {
		return
	}
	switch blk.Kind {
	case link.Control:
		if tn != MCCH {
			return
		}
		b.C.UplinkControl++
		if !blk.CRCOK {
			b.C.UplinkCRCFail++
			return
		}
		p, err := cmce.ParseMAC(mac.Uplink, blk.Sig)
		if err != nil || !p.Type.Uplink() {
			return
		}
		if b.obs != nil {
			b.obs.ObservePDU(now, true, p)
		}
		b.handle(p)
	case link.Traffic:
		if tn < 2 || tn > 4 || b.tch[tn] == nil || now.IsControlFrame() {
			return // no traffic in frame 18 (clause 9.3)
		}
		b.C.UplinkTraffic++
		for i, bad := range blk.BFI {
			if bad && (i == 1 || !blk.Stolen) {
				b.C.UplinkBFI++
			}
		}
		if blk.Stolen && !blk.CRCOK {
			// The STCH did not decode: relay a Null PDU in the stolen half-slot
			// rather than re-encode garbage under a fresh CRC.
			null, _ := mac.AppendBlock(nil, link.STCHBits, mac.Downlink)
			blk.STCH = append(blk.STCH[:0], null...)
			blk.STCH2 = blk.STCH2[:0]
		}
		if b.obs != nil {
			b.obs.ObserveTraffic(now, uint8(tn), blk)
		}
		b.recordForReplay(tn, blk)
		if !blk.Stolen && (blk.BFI[0] || blk.Unreliable[0] && b.tch[tn].Encrypted) {
			// Both frames of a full slot are bad (one parity covers them) or,
			// in an encrypted call, flagged unreliable by the channel decoder.
			// Re-encoded under a fresh parity they would reach the handsets
			// as good frames (garbage played, E2EE tags failed at every
			// receiver); not relayed, they leave a gap that the handsets
			// conceal with their frame counters in step. Deviation: EN 300
			// 392-2 has no downlink bad-frame signal; a stolen slot is relayed
			// as it is (its STCH may carry a SAF).
			b.C.UplinkNotRelayed++
			return
		}
		b.core.relayTraffic(b, uint8(tn), blk, now)
	}
}

func (b *BS) handle(p cmce.PDU) {
	c := b.core
	switch p.Type {
	case cmce.ULocationUpdateDemand:
		b.regs[p.SSI] = true
		b.sendHigh(cmce.PDU{Type: cmce.DLocationUpdateAccept, SSI: p.SSI, Groups: p.Groups})
		c.register(b, p.SSI, p.Groups)
	case cmce.USetup, cmce.UTxDemand:
		c.demand(b, p.SSI, p.GSSI, p.Priority, p.Encrypted)
	case cmce.UTxCeased:
		c.ceased(b, p.SSI, p.GSSI)
	case cmce.USDSData:
		b.sendHigh(cmce.PDU{Type: cmce.DAck, SSI: p.SSI, MsgRef: p.MsgRef, Frag: p.Frag})
		c.routeSDS(b, p)
	case cmce.UAck:
		delete(b.pending, sdsKey(p.SSI, p.MsgRef, p.Frag))
	}
}
