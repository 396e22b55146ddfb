package bs

import (
	"testing"

	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
)

// harness drives one cell with hand-made uplink PDUs and collects the
// downlink PDUs, one MCCH slot per TDMA frame.
type harness struct {
	t    *testing.T
	core *Core
	bs   *BS
	now  clock.Slot
	got  []cmce.PDU
}

func newHarness(t *testing.T) *harness {
	c := NewCore()
	c.HangSlots = 10 * clock.SlotsPerFrame
	return &harness{t: t, core: c, bs: NewBS(c, "A", 1)}
}

func (h *harness) up(p cmce.PDU) {
	h.t.Helper()
	b, err := cmce.AppendMAC(nil, mac.Uplink, &p)
	if err != nil {
		h.t.Fatal(err)
	}
	h.bs.Uplink(h.now, MCCH, &link.Block{Kind: link.Control, Sig: b, CRCOK: true})
}

// run steps n TDMA frames and returns the downlink PDUs sent.
func (h *harness) run(frames int) []cmce.PDU {
	h.t.Helper()
	var out []cmce.PDU
	var blk link.Block
	for range frames * clock.SlotsPerFrame {
		h.core.Tick(h.now)
		if h.now.TDMA().TN == MCCH && h.bs.Downlink(h.now, &blk) && blk.Kind == link.Control {
			p, err := cmce.ParseMAC(mac.Downlink, blk.Sig)
			if err != nil {
				h.t.Fatal(err)
			}
			out = append(out, p)
		}
		h.now++
	}
	return out
}

func find(ps []cmce.PDU, typ cmce.Type, ssi uint32) *cmce.PDU {
	for i := range ps {
		if ps[i].Type == typ && ps[i].SSI == ssi {
			return &ps[i]
		}
	}
	return nil
}

func TestFloorControlStateMachine(t *testing.T) {
	h := newHarness(t)
	const g = 9001
	for _, issi := range []uint32{1, 2, 3, 4} {
		h.up(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: issi, Groups: []uint32{g}})
	}
	out := h.run(6)
	for _, issi := range []uint32{1, 2, 3, 4} {
		if find(out, cmce.DLocationUpdateAccept, issi) == nil {
			t.Fatalf("no D-LOCATION-UPDATE-ACCEPT for %d: %v", issi, out)
		}
	}
	// 1 sets up the call and gets the floor.
	h.up(cmce.PDU{Type: cmce.USetup, SSI: 1, GSSI: g, Priority: 5})
	out = h.run(4)
	if p := find(out, cmce.DConnect, 1); p == nil || p.TN < 2 {
		t.Fatalf("no D-CONNECT: %v", out)
	}
	if p := find(out, cmce.DSetup, g); p == nil || p.Talker != 1 {
		t.Fatalf("no group D-SETUP naming talker 1: %v", out)
	}
	// 2 then 3 ask at lower priorities than the talker's: queued, by priority
	// then arrival; 4 is not a member of 9002.
	h.up(cmce.PDU{Type: cmce.UTxDemand, SSI: 2, GSSI: g, Priority: 1})
	h.up(cmce.PDU{Type: cmce.UTxDemand, SSI: 3, GSSI: g, Priority: 3})
	h.up(cmce.PDU{Type: cmce.UTxDemand, SSI: 4, GSSI: 9002})
	out = h.run(4)
	for _, issi := range []uint32{2, 3} {
		if p := find(out, cmce.DTxGranted, issi); p == nil || p.Grant != cmce.Queued {
			t.Errorf("%d not queued: %v", issi, out)
		}
	}
	if p := find(out, cmce.DTxGranted, 4); p == nil || p.Grant != cmce.Rejected {
		t.Errorf("non-member not rejected: %v", out)
	}
	// 1 releases: the higher-priority queued request (3) goes first, then 2.
	h.up(cmce.PDU{Type: cmce.UTxCeased, SSI: 1, GSSI: g})
	out = h.run(4)
	if p := find(out, cmce.DSetup, g); p == nil || p.Talker != 3 {
		t.Fatalf("floor not passed to 3: %v", out)
	}
	// 4 (priority 15) pre-empts 3.
	h.up(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: 4, Groups: []uint32{g}})
	h.run(2)
	h.up(cmce.PDU{Type: cmce.UTxDemand, SSI: 4, GSSI: g, Priority: 15})
	out = h.run(4)
	if p := find(out, cmce.DSetup, g); p == nil || p.Talker != 4 || h.core.C.Preemptions != 1 {
		t.Fatalf("no pre-emption by 4: %v %+v", out, h.core.C)
	}
	h.up(cmce.PDU{Type: cmce.UTxCeased, SSI: 4, GSSI: g})
	out = h.run(4)
	if p := find(out, cmce.DSetup, g); p == nil || p.Talker != 2 {
		t.Fatalf("floor not passed to 2 after 4: %v", out)
	}
	// 2 releases with an empty queue: D-TX-CEASED, then D-RELEASE after the hang time.
	h.up(cmce.PDU{Type: cmce.UTxCeased, SSI: 2, GSSI: g})
	out = h.run(4)
	if find(out, cmce.DTxCeased, g) == nil || find(out, cmce.DRelease, g) != nil {
		t.Fatalf("no D-TX-CEASED (or early release): %v", out)
	}
	out = h.run(10)
	if find(out, cmce.DRelease, g) == nil || len(h.core.Calls()) != 0 || h.bs.TrafficTN(g) != 0 {
		t.Fatalf("call not released after the hang time: %v", out)
	}
}

// TestRelayTiming: an uplink traffic block of traffic frame j goes out on the
// downlink of traffic frame j+1, same timeslot, and an uplink gap stays a gap.
func TestRelayTiming(t *testing.T) {
	h := newHarness(t)
	h.up(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: 1, Groups: []uint32{7}})
	h.run(2)
	h.up(cmce.PDU{Type: cmce.USetup, SSI: 1, GSSI: 7})
	h.run(3)
	tn := int(h.bs.TrafficTN(7))
	if tn == 0 {
		t.Fatal("no traffic slot")
	}
	sent := map[clock.Slot]int{}
	var blk link.Block
	for f := 0; f < 40; f++ {
		for k := 1; k <= 4; k++ {
			h.core.Tick(h.now)
			if h.bs.Downlink(h.now, &blk) && blk.Kind == link.Traffic {
				j := h.now.TrafficFrame()
				if want, ok := sent[clock.TrafficSlot(j-1, tn)]; !ok || blk.Pos != want {
					t.Fatalf("slot %d: relayed pos %d, want %d (ok %v)", h.now, blk.Pos, want, ok)
				}
			}
			if k == tn && !h.now.IsControlFrame() && f%5 != 3 {
				up := &link.Block{Kind: link.Traffic, Pos: 2 * f, Speech: [2][]byte{make([]byte, 137), make([]byte, 137)}}
				h.bs.Uplink(h.now, tn, up)
				sent[h.now] = 2 * f
			}
			h.now++
		}
	}
}

// TestRelayBadSlots: a full uplink traffic slot whose parity failed is not
// relayed, nor, in an encrypted call, one the channel decoder flagged
// unreliable; good slots, unreliable slots of a clear call and stolen slots
// (whose STCH may carry a SAF) are.
func TestRelayBadSlots(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		h := newHarness(t)
		h.up(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: 1, Groups: []uint32{7}})
		h.run(2)
		h.up(cmce.PDU{Type: cmce.USetup, SSI: 1, GSSI: 7, Encrypted: encrypted})
		h.run(3)
		tn := int(h.bs.TrafficTN(7))
		if tn == 0 {
			t.Fatal("no traffic slot")
		}
		speech := func() [2][]byte { return [2][]byte{make([]byte, 137), make([]byte, 137)} }
		ups := []*link.Block{
			{Pos: 0},                                  // good
			{Pos: 2, BFI: [2]bool{true, true}},        // parity failed
			{Pos: 4, Unreliable: [2]bool{true, true}}, // parity passed, soft bits doubtful
			{Pos: 6, Stolen: true, BFI: [2]bool{true, true}, STCH: make([]byte, link.STCHBits)},
			{Pos: 8},
		}
		want := map[int]bool{0: true, 4: !encrypted, 6: true, 8: true}
		got := map[int]bool{}
		var blk link.Block
		i := 0
		for f := 0; f < 12; f++ {
			for k := 1; k <= 4; k++ {
				h.core.Tick(h.now)
				if h.bs.Downlink(h.now, &blk) && blk.Kind == link.Traffic {
					got[blk.Pos] = true
				}
				if k == tn && !h.now.IsControlFrame() && i < len(ups) {
					u := ups[i]
					u.Kind, u.Speech, u.CRCOK = link.Traffic, speech(), true
					h.bs.Uplink(h.now, tn, u)
					i++
				}
				h.now++
			}
		}
		for _, u := range ups {
			if got[u.Pos] != want[u.Pos] {
				t.Errorf("encrypted=%v: slot at pos %d relayed %v, want %v", encrypted, u.Pos, got[u.Pos], want[u.Pos])
			}
		}
		n := 1 // the parity failure
		if encrypted {
			n = 2 // and the unreliable slot
		}
		if h.bs.C.UplinkNotRelayed != n {
			t.Errorf("encrypted=%v: %d slots counted not relayed, want %d", encrypted, h.bs.C.UplinkNotRelayed, n)
		}
	}
}
