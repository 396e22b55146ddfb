package bs

import (
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
)

// MaxReplaySlots bounds what a compromised base station records for a replay:
// about 2 s of one transmission's traffic slots.
const MaxReplaySlots = 35

// replay is the state of a replay attack by a compromised base station.
type replay struct {
	at      clock.Slot
	gssi    uint32
	talker  uint32
	enc     bool
	blocks  []*link.Block
	call    *GroupCall
	started bool
	endAt   clock.Slot
	done    bool
}

// ScheduleReplay turns this base station into an attacker that records the
// first transmission it relays (up to MaxReplaySlots traffic slots of
// ciphertext, SAFs and all, exactly as received) and re-injects it on a
// downlink traffic channel at slot at, announced with a forged D-SETUP naming
// the original talker (e2ee-design.md §5.11: a compromised base station can
// replay recordings; receivers must reject them by frame counter and time).
// It holds no keys: it replays bits it cannot read.
func (b *BS) ScheduleReplay(at clock.Slot) { b.rp = &replay{at: at} }

// ReplayedBlocks returns how many traffic slots the replay attack injected.
func (b *BS) ReplayedBlocks() int {
	if b.rp == nil || !b.rp.started {
		return 0
	}
	return len(b.rp.blocks)
}

// recordForReplay keeps a copy of an uplink traffic block of the first call.
func (b *BS) recordForReplay(tn int, blk *link.Block) {
	rp := b.rp
	if rp == nil || rp.started || len(rp.blocks) >= MaxReplaySlots {
		return
	}
	c := b.tch[tn]
	if c == nil || c.Talker == 0 {
		return
	}
	if rp.gssi == 0 {
		rp.gssi, rp.talker, rp.enc = c.GSSI, c.Talker, c.Encrypted
	}
	if c.GSSI == rp.gssi && c.Talker == rp.talker {
		cp := blk.Clone()
		cp.TxSeq = -1 // simulation bookkeeping (not on the air): a replayed block
		rp.blocks = append(rp.blocks, cp)
	}
}

// tickReplay starts and ends the replay.
func (b *BS) tickReplay(now clock.Slot) {
	rp := b.rp
	if rp == nil || rp.done || len(rp.blocks) == 0 {
		return
	}
	if !rp.started && now >= rp.at {
		rp.call = &GroupCall{GSSI: rp.gssi, Talker: rp.talker, Encrypted: rp.enc, Started: now, ID: 16383}
		tn := b.allocTN(rp.call)
		if tn == 0 {
			return // busy: try again next slot
		}
		rp.started = true
		b.core.log(b, "replay attack", 0, rp.gssi, rp.talker, "forged D-SETUP and recorded traffic")
		b.sendHigh(cmce.PDU{Type: cmce.DSetup, SSI: rp.gssi, GSSI: rp.gssi, CallID: rp.call.ID, TN: tn,
			Talker: rp.talker, Grant: cmce.GrantedOther, Encrypted: rp.enc})
		j := now.TrafficFrame() + 3 // after the D-SETUP went out
		for i, blk := range rp.blocks {
			b.queueTraffic(tn, blk, clock.TrafficSlot(j+int64(i), int(tn)))
		}
		rp.endAt = clock.TrafficSlot(j+int64(len(rp.blocks))+1, int(tn))
		return
	}
	if rp.started && now >= rp.endAt {
		rp.done = true
		b.sendHigh(cmce.PDU{Type: cmce.DRelease, SSI: rp.gssi, GSSI: rp.gssi, CallID: rp.call.ID})
		b.freeTN(rp.call)
	}
}
