// Package bs models tetrasim's infrastructure: base stations (one per cell) and
// the in-process core network (SwMI) that links them, so a talkgroup spans cells.
//
// # Overview
//
// A BS runs the main control channel (MCCH) on timeslot 1 and offers timeslots
// 2..4 as TCH/S traffic channels. It handles registration with group attach,
// group call set-up and clearing, push-to-talk floor control and SDS relay; the
// Core arbitrates the floor of each talkgroup across all cells, queues requests
// by priority and pre-empts a talker for a higher priority, and routes traffic
// and short data between cells.
//
// # Invariants
//
// The base station holds no keys and never imports e2ee, directly or indirectly
// (deps_test.go at the module root enforces it). It relays speech frames, Sync+Auth
// Frames and SDS payloads as opaque bits: what it cannot read, it forwards.
//
// Floor control, per talkgroup, in the Core:
//
//	          U-SETUP                 U-TX-CEASED, queue empty
//	idle ───────────────► talking ─────────────────────────► hang ──(hang time)──► idle (D-RELEASE)
//	                      │  ▲  │  U-TX-DEMAND higher prio:         │
//	                      │  │  └─ pre-empt, old talker told        │ U-TX-DEMAND
//	                      │  └──────────────────────────────────────┘
//	                      └─ U-TX-DEMAND same/lower prio: queued (D-TX-GRANTED queued)
//
// Nothing here is safe for concurrent use: the simulation steps every BS and the
// Core from one goroutine.
package bs

import (
	"slices"

	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
)

// Endpoint is a non-radio party on the core network (the KMF): it receives the
// SDS addressed to its SSI.
type Endpoint interface {
	DeliverSDS(now clock.Slot, p cmce.PDU)
}

// Event is one piece of metadata the infrastructure handled: what a compromised
// base station or core can log.
type Event struct {
	Slot   clock.Slot `json:"slot"`
	TimeS  float64    `json:"time_s"`
	Cell   string     `json:"cell"`
	What   string     `json:"what"`
	SSI    uint32     `json:"ssi,omitempty"`
	GSSI   uint32     `json:"gssi,omitempty"`
	Talker uint32     `json:"talker,omitempty"`
	Detail string     `json:"detail,omitempty"`
}

// Counters are the Core's plain metrics.
type Counters struct {
	Registrations  int `json:"registrations"`
	CallsSetUp     int `json:"calls_set_up"`
	CallsReleased  int `json:"calls_released"`
	FloorGrants    int `json:"floor_grants"`
	FloorQueued    int `json:"floor_queued"`
	Preemptions    int `json:"preemptions"`
	FloorRejected  int `json:"floor_rejected"`
	NoTrafficSlot  int `json:"no_traffic_slot"`
	SDSFragsRelay  int `json:"sds_fragments_relayed"`
	TrafficRelayed int `json:"traffic_blocks_relayed"`
}

type request struct {
	issi uint32
	prio uint8
	seq  int
}

// GroupCall is the state of one talkgroup's call across cells.
type GroupCall struct {
	ID         uint16
	GSSI       uint32
	Talker     uint32 // 0 in hang time
	TalkerPrio uint8
	Encrypted  bool
	Started    clock.Slot
	hangUntil  clock.Slot
	queue      []request
	tn         map[*BS]uint8 // traffic timeslot per cell
}

// Core is the switching and management infrastructure linking the cells.
type Core struct {
	// HangSlots is how long a call stays up after the last talker releases.
	HangSlots clock.Slot
	// RelayDelayFrames delays traffic between cells (backhaul) [TDMA traffic
	// frames], >= 0.
	RelayDelayFrames int64

	cells     []*BS
	loc       map[uint32]*BS             // ISSI -> serving cell
	members   map[uint32]map[uint32]bool // GSSI -> ISSIs attached
	calls     map[uint32]*GroupCall
	endpoints map[uint32]Endpoint
	nextCall  uint16
	seq       int
	now       clock.Slot
	C         Counters
	// Log, when non-nil, receives every metadata event (for the compromised-BS role).
	Log func(Event)
}

// NewCore returns a core network with a 2 s hang time.
func NewCore() *Core {
	return &Core{
		HangSlots: clock.SlotsFor(2e9),
		loc:       map[uint32]*BS{},
		members:   map[uint32]map[uint32]bool{},
		calls:     map[uint32]*GroupCall{},
		endpoints: map[uint32]Endpoint{},
	}
}

// AddEndpoint attaches a non-radio party (the KMF) under ssi.
func (c *Core) AddEndpoint(ssi uint32, e Endpoint) { c.endpoints[ssi] = e }

// Calls returns the active group calls (for reports and tests).
func (c *Core) Calls() map[uint32]*GroupCall { return c.calls }

// Members returns the ISSIs attached to gssi.
func (c *Core) Members(gssi uint32) []uint32 {
	var out []uint32
	for m := range c.members[gssi] {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func (c *Core) log(b *BS, what string, ssi, gssi, talker uint32, detail string) {
	if c.Log == nil {
		return
	}
	name := ""
	if b != nil {
		name = b.Name
	}
	c.Log(Event{Slot: c.now, TimeS: c.now.Seconds(), Cell: name, What: what, SSI: ssi, GSSI: gssi, Talker: talker, Detail: detail})
}

// Tick advances the core's timers; the simulation calls it once per slot before
// the cells.
func (c *Core) Tick(now clock.Slot) {
	c.now = now
	for _, b := range c.cells {
		b.tickReplay(now)
	}
	for g, call := range c.calls {
		if call.Talker == 0 && call.hangUntil != 0 && now >= call.hangUntil {
			c.release(call)
			delete(c.calls, g)
		}
	}
}

func (c *Core) register(b *BS, issi uint32, groups []uint32) {
	if old := c.loc[issi]; old != nil && old != b {
		old.forget(issi)
		// It left its old cell: a floor it held or asked for is given up.
		for g, call := range c.calls {
			c.ceased(old, issi, g)
			call.queue = slices.DeleteFunc(call.queue, func(r request) bool { return r.issi == issi })
		}
	}
	c.loc[issi] = b
	for _, m := range c.members {
		delete(m, issi)
	}
	for _, g := range groups {
		if c.members[g] == nil {
			c.members[g] = map[uint32]bool{}
		}
		c.members[g][issi] = true
	}
	c.C.Registrations++
	c.log(b, "register", issi, 0, 0, "")
	// Late entry: tell the newcomer about calls running in its groups, on the
	// traffic slot of its cell (allocating one if the call did not reach this cell).
	for _, g := range groups {
		call := c.calls[g]
		if call == nil {
			continue
		}
		tn, ok := call.tn[b]
		if !ok {
			if tn = b.allocTN(call); tn == 0 {
				c.C.NoTrafficSlot++
				continue
			}
			call.tn[b] = tn
		}
		b.sendHigh(cmce.PDU{Type: cmce.DSetup, SSI: issi, GSSI: g, CallID: call.ID, TN: tn,
			Talker: call.Talker, Priority: call.TalkerPrio, Grant: cmce.GrantedOther, Encrypted: call.Encrypted})
	}
}

// cellsOf returns the cells serving members of gssi, in cell order.
func (c *Core) cellsOf(gssi uint32) []*BS {
	var out []*BS
	for _, b := range c.cells {
		for m := range c.members[gssi] {
			if c.loc[m] == b {
				out = append(out, b)
				break
			}
		}
	}
	return out
}

// demand handles U-SETUP and U-TX-DEMAND: floor request by issi for gssi.
func (c *Core) demand(b *BS, issi, gssi uint32, prio uint8, enc bool) {
	if !c.members[gssi][issi] {
		c.C.FloorRejected++
		b.sendHigh(cmce.PDU{Type: cmce.DTxGranted, SSI: issi, GSSI: gssi, Grant: cmce.Rejected})
		return
	}
	call := c.calls[gssi]
	if call == nil {
		c.nextCall = c.nextCall%16383 + 1
		call = &GroupCall{ID: c.nextCall, GSSI: gssi, Encrypted: enc, Started: c.now, tn: map[*BS]uint8{}}
		for _, cell := range c.cellsOf(gssi) {
			if tn := cell.allocTN(call); tn != 0 {
				call.tn[cell] = tn
			} else {
				c.C.NoTrafficSlot++
			}
		}
		if _, ok := call.tn[b]; !ok {
			c.C.FloorRejected++
			b.sendHigh(cmce.PDU{Type: cmce.DTxGranted, SSI: issi, GSSI: gssi, Grant: cmce.Rejected})
			for cell := range call.tn {
				cell.freeTN(call)
			}
			return
		}
		c.calls[gssi] = call
		c.C.CallsSetUp++
		c.log(b, "call set-up", issi, gssi, issi, "")
		c.grant(call, issi, prio)
		return
	}
	switch {
	case call.Talker == issi:
		c.grant(call, issi, prio) // repeated request: re-confirm
	case call.Talker == 0:
		c.grant(call, issi, prio)
	case prio > call.TalkerPrio:
		c.C.Preemptions++
		c.log(b, "pre-emption", issi, gssi, call.Talker, "")
		c.grant(call, issi, prio)
	default:
		for _, r := range call.queue {
			if r.issi == issi {
				b.sendHigh(cmce.PDU{Type: cmce.DTxGranted, SSI: issi, GSSI: gssi, CallID: call.ID, TN: call.tn[b], Talker: call.Talker, Grant: cmce.Queued, Encrypted: call.Encrypted})
				return
			}
		}
		c.seq++
		call.queue = append(call.queue, request{issi, prio, c.seq})
		slices.SortStableFunc(call.queue, func(a, b request) int {
			if a.prio != b.prio {
				return int(b.prio) - int(a.prio)
			}
			return a.seq - b.seq
		})
		c.C.FloorQueued++
		c.log(b, "floor queued", issi, gssi, call.Talker, "")
		b.sendHigh(cmce.PDU{Type: cmce.DTxGranted, SSI: issi, GSSI: gssi, CallID: call.ID, TN: call.tn[b], Talker: call.Talker, Grant: cmce.Queued, Encrypted: call.Encrypted})
	}
}

// grant gives the floor of call to issi and tells every cell.
func (c *Core) grant(call *GroupCall, issi uint32, prio uint8) {
	call.Talker, call.TalkerPrio, call.hangUntil = issi, prio, 0
	call.queue = slices.DeleteFunc(call.queue, func(r request) bool { return r.issi == issi })
	c.C.FloorGrants++
	c.log(c.loc[issi], "floor granted", issi, call.GSSI, issi, "")
	for cell, tn := range call.tn {
		if cell == c.loc[issi] {
			cell.sendHigh(cmce.PDU{Type: cmce.DConnect, SSI: issi, GSSI: call.GSSI, CallID: call.ID, TN: tn, Talker: issi, Priority: prio, Grant: cmce.Granted, Encrypted: call.Encrypted})
		}
		cell.sendHigh(cmce.PDU{Type: cmce.DSetup, SSI: call.GSSI, GSSI: call.GSSI, CallID: call.ID, TN: tn, Talker: issi, Priority: prio, Grant: cmce.GrantedOther, Encrypted: call.Encrypted})
	}
}

// ceased handles U-TX-CEASED.
func (c *Core) ceased(b *BS, issi, gssi uint32) {
	call := c.calls[gssi]
	if call == nil {
		return
	}
	call.queue = slices.DeleteFunc(call.queue, func(r request) bool { return r.issi == issi })
	if call.Talker != issi {
		return
	}
	c.log(b, "floor released", issi, gssi, issi, "")
	if len(call.queue) > 0 {
		next := call.queue[0]
		c.grant(call, next.issi, next.prio)
		return
	}
	call.Talker, call.hangUntil = 0, c.now+c.HangSlots
	for cell := range call.tn {
		cell.sendHigh(cmce.PDU{Type: cmce.DTxCeased, SSI: call.GSSI, GSSI: call.GSSI, CallID: call.ID})
	}
}

func (c *Core) release(call *GroupCall) {
	c.C.CallsReleased++
	c.log(nil, "call released", 0, call.GSSI, 0, "")
	for cell := range call.tn {
		cell.sendHigh(cmce.PDU{Type: cmce.DRelease, SSI: call.GSSI, GSSI: call.GSSI, CallID: call.ID})
		cell.freeTN(call)
	}
}

// relayTraffic forwards a traffic block received on the uplink of cell from to
// the downlink of every cell of the call (including from: TETRA repeats the
// uplink on the downlink of the talker's own cell).
func (c *Core) relayTraffic(from *BS, tn uint8, blk *link.Block, now clock.Slot) {
	for _, call := range c.calls {
		if call.tn[from] != tn {
			continue
		}
		c.C.TrafficRelayed++
		// Fixed relay timing: the block of uplink traffic frame j goes out in
		// downlink traffic frame j+1 (+ backhaul delay), or not at all, so a lost
		// uplink block leaves a gap and never shifts the frames after it.
		j := now.TrafficFrame()
		for cell, ctn := range call.tn {
			d := int64(1)
			if cell != from {
				d += c.RelayDelayFrames
			}
			cell.queueTraffic(ctn, blk, clock.TrafficSlot(j+d, int(ctn)))
		}
		return
	}
}

// routeSDS forwards one SDS fragment to its destination.
func (c *Core) routeSDS(from *BS, p cmce.PDU) {
	c.C.SDSFragsRelay++
	c.log(from, "sds", p.SSI, 0, 0, sdsDetail(p))
	p.Type = cmce.DSDSData
	if e := c.endpoints[p.Dest]; e != nil && !p.DestGroup {
		e.DeliverSDS(c.now, p)
		return
	}
	if p.DestGroup {
		for _, cell := range c.cellsOf(p.Dest) {
			cell.sendLow(p, false)
		}
		return
	}
	if cell := c.loc[p.Dest]; cell != nil {
		cell.sendLow(p, true)
	}
}

// SendSDS injects an SDS fragment from a core endpoint (the KMF) towards radio users.
func (c *Core) SendSDS(p cmce.PDU) { c.routeSDS(nil, p) }

func sdsDetail(p cmce.PDU) string {
	kind := "to ISSI"
	if p.DestGroup {
		kind = "to group"
	}
	return kind + " " + itoa(p.Dest) + " pid " + itoa(uint32(p.PID)) + " frag " + itoa(uint32(p.Frag)+1) + "/" + itoa(uint32(p.NFrags))
}

func itoa(v uint32) string {
	if v == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
