// Package clock is the virtual TDMA clock that drives a tetrasim simulation in
// timeslot steps, following the TDMA structure of ETSI EN 300 392-2 V3.2.1 (2007-09)
// clause 9.3 (air-interface.md §3): 4 timeslots per TDMA frame, 18 frames per
// multiframe, 60 multiframes per hyperframe.
//
// The clock holds no wall time: a simulation advances it one slot at a time, so the
// same seed gives the same run however fast the host is. A Clock is not safe for
// concurrent use; its zero value is a clock at slot 0 (HN 0, MN 1, FN 1, TN 1).
package clock

import (
	"fmt"
	"time"
)

// TDMA geometry, EN 300 392-2 clause 9.3.
const (
	SlotsPerFrame      = 4  // TN 1..4
	FramesPerMulti     = 18 // FN 1..18, frame 18 is the control frame
	MultisPerHyper     = 60 // MN 1..60
	SymbolsPerSlot     = 255
	SymbolRate         = 18000 // [symbol/s]
	SlotsPerMulti      = SlotsPerFrame * FramesPerMulti
	SlotsPerHyper      = SlotsPerMulti * MultisPerHyper
	ControlFrame       = 18
	UplinkOffsetSlots  = 2 // clause 9.3: the uplink frame is delayed two timeslots
	SpeechFramesPerTCH = 2 // a TCH/S slot carries two 30 ms speech frames
)

// SlotDuration is 255 symbols at 18 ksymbol/s = 14.1667 ms (rounded to the ns;
// use Seconds for exact times of large slot counts).
const SlotDuration = time.Duration(SymbolsPerSlot * int64(time.Second) / SymbolRate)

// Slot is an absolute slot count since the start of the simulation (slot 0 is
// HN 0, MN 1, FN 1, TN 1). It is the simulation's only notion of time.
type Slot int64

// Seconds returns the start time of slot s in seconds, exactly s·255/18000.
func (s Slot) Seconds() float64 { return float64(s) * SymbolsPerSlot / SymbolRate }

// Duration returns the start time of slot s as a time.Duration.
func (s Slot) Duration() time.Duration {
	return time.Duration(int64(s) * SymbolsPerSlot * int64(time.Second) / SymbolRate)
}

// SlotAt returns the slot in progress at time t [s] (t >= 0).
func SlotAt(t float64) Slot { return Slot(t * SymbolRate / SymbolsPerSlot) }

// SlotsFor returns how many whole slots cover d (rounded up).
func SlotsFor(d time.Duration) Slot {
	n := int64(d) * SymbolRate
	den := int64(SymbolsPerSlot) * int64(time.Second)
	return Slot((n + den - 1) / den)
}

// TDMA is a position in the TDMA structure, with the standard's 1-based counters.
type TDMA struct {
	HN int // hyperframe number, 0..65535 (wraps)
	MN int // multiframe number, 1..60
	FN int // TDMA frame number, 1..18
	TN int // timeslot number, 1..4
}

func (t TDMA) String() string { return fmt.Sprintf("HN%d MN%02d FN%02d TN%d", t.HN, t.MN, t.FN, t.TN) }

// TDMA returns the position of slot s (s >= 0).
func (s Slot) TDMA() TDMA {
	n := int64(s)
	return TDMA{
		TN: int(n%SlotsPerFrame) + 1,
		FN: int(n/SlotsPerFrame%FramesPerMulti) + 1,
		MN: int(n/SlotsPerMulti%MultisPerHyper) + 1,
		HN: int(n / SlotsPerHyper % 65536),
	}
}

// IsControlFrame reports whether slot s lies in frame 18, which carries no traffic.
func (s Slot) IsControlFrame() bool { return s.TDMA().FN == ControlFrame }

// Clock counts slots. The zero value starts at slot 0.
type Clock struct{ now Slot }

// Now returns the current slot.
func (c *Clock) Now() Slot { return c.now }

// Step advances the clock by one slot and returns the new slot.
func (c *Clock) Step() Slot { c.now++; return c.now }

// Seconds returns the current simulated time in seconds.
func (c *Clock) Seconds() float64 { return c.now.Seconds() }

// TrafficFrame returns the number of traffic frames (frames 1..17 of each
// multiframe) that started before the frame of slot s: a frame counter that
// skips the control frames, so TCH/S positions can be counted from it.
func (s Slot) TrafficFrame() int64 {
	f := int64(s) / SlotsPerFrame
	return f/FramesPerMulti*(FramesPerMulti-1) + min(f%FramesPerMulti, FramesPerMulti-1)
}

// TrafficSlot returns the slot of timeslot tn (1..4) in traffic frame j (the
// inverse of TrafficFrame for slots outside control frames).
func TrafficSlot(j int64, tn int) Slot {
	f := j/(FramesPerMulti-1)*FramesPerMulti + j%(FramesPerMulti-1)
	return Slot(f*SlotsPerFrame + int64(tn-1))
}
