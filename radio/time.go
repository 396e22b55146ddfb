package radio

import "fmt"

// TDMA geometry, EN 300 392-2 clause 9.3 (timeslots, frames, multiframes, hyperframes).
const (
	SlotBits    = 510 // modulation bits per timeslot
	SlotSymbols = 255 // π/4-DQPSK symbols per timeslot
	SubslotBits = 255 // bits per sub-slot (half a timeslot), control uplink bursts

	SlotsPerFrame            = 4  // TN 1…4
	FramesPerMultiframe      = 18 // FN 1…18
	MultiframesPerHyperframe = 60 // MN 1…60
	ControlFrame             = 18 // FN of the control frame (clause 9.3.4)

	// SlotsPerHyperframe is the number of timeslots in one hyperframe (61.2 s).
	SlotsPerHyperframe = SlotsPerFrame * FramesPerMultiframe * MultiframesPerHyperframe

	// HyperframeCount is the number of hyperframes before HN wraps (HN is a 16-bit counter).
	HyperframeCount = 1 << 16

	// UplinkDelaySlots is how far the uplink TDMA frame lags the downlink (clause 9.3.1):
	// uplink TN 1 starts two downlink timeslots after downlink TN 1.
	UplinkDelaySlots = 2

	// SymbolRate is the modulation rate in symbols per second (clause 5.2).
	SymbolRate = 18000
)

// Time is a TDMA time: timeslot, frame, multiframe and hyperframe numbers,
// EN 300 392-2 clause 9.3. All counters are 1-based except HN.
//
// The zero value is not a valid time; use [Time.Valid] or start from
// [Time{TN: 1, FN: 1, MN: 1}]. Time is a small value type, safe to copy.
type Time struct {
	TN int // timeslot number, 1…4
	FN int // TDMA frame number, 1…18 (18 is the control frame)
	MN int // multiframe number, 1…60
	HN int // hyperframe number, 0…65535
}

// Valid reports whether every counter is in range.
func (t Time) Valid() bool {
	return t.TN >= 1 && t.TN <= SlotsPerFrame &&
		t.FN >= 1 && t.FN <= FramesPerMultiframe &&
		t.MN >= 1 && t.MN <= MultiframesPerHyperframe &&
		t.HN >= 0 && t.HN < HyperframeCount
}

// Slot returns the number of timeslots since HN 0, MN 1, FN 1, TN 1
// (0 … SlotsPerHyperframe·HyperframeCount − 1). t must be valid.
func (t Time) Slot() int64 {
	return int64(t.HN)*SlotsPerHyperframe +
		int64(((t.MN-1)*FramesPerMultiframe+(t.FN-1))*SlotsPerFrame+(t.TN-1))
}

// TimeAt is the inverse of [Time.Slot]. n is taken modulo the full HN cycle,
// so negative values count back from the end.
func TimeAt(n int64) Time {
	const cycle = int64(SlotsPerHyperframe) * HyperframeCount
	n %= cycle
	if n < 0 {
		n += cycle
	}
	hn := n / SlotsPerHyperframe
	r := int(n % SlotsPerHyperframe)
	return Time{
		TN: r%SlotsPerFrame + 1,
		FN: (r/SlotsPerFrame)%FramesPerMultiframe + 1,
		MN: r/(SlotsPerFrame*FramesPerMultiframe) + 1,
		HN: int(hn),
	}
}

// Add returns t advanced by n timeslots (n may be negative).
func (t Time) Add(n int64) Time { return TimeAt(t.Slot() + n) }

// Next returns the following timeslot.
func (t Time) Next() Time {
	t.TN++
	if t.TN <= SlotsPerFrame {
		return t
	}
	t.TN = 1
	t.FN++
	if t.FN <= FramesPerMultiframe {
		return t
	}
	t.FN = 1
	t.MN++
	if t.MN <= MultiframesPerHyperframe {
		return t
	}
	t.MN = 1
	t.HN = (t.HN + 1) % HyperframeCount
	return t
}

// IsControlFrame reports whether t is in frame 18, the control frame (clause 9.3.4).
func (t Time) IsControlFrame() bool { return t.FN == ControlFrame }

// BSCHTimeslot returns the timeslot of frame 18 that carries the BSCH (the
// synchronization burst) in multiframe mn, EN 300 392-2 clause 9.5.2:
//
//	TN = 4 − ((MN + 1) mod 4)
func BSCHTimeslot(mn int) int { return 4 - (mn+1)%4 }

// BNCHTimeslot returns the timeslot of frame 18 that carries the BNCH in
// multiframe mn, EN 300 392-2 clause 9.5.2:
//
//	TN = 4 − ((MN + 3) mod 4)
func BNCHTimeslot(mn int) int { return 4 - (mn+3)%4 }

// HasBSCH reports whether the downlink slot t carries the BSCH (sync burst).
func (t Time) HasBSCH() bool { return t.FN == ControlFrame && t.TN == BSCHTimeslot(t.MN) }

// HasBNCH reports whether the downlink slot t is the BNCH timeslot of frame
// 18 (clause 9.5.2): the BNCH goes in the second half of that slot (SB2 of a
// sync burst, or BKN2 of a normal burst with training p).
func (t Time) HasBNCH() bool { return t.FN == ControlFrame && t.TN == BNCHTimeslot(t.MN) }

// String formats t as "HN/MN/FN/TN", for example "0/51/18/4".
func (t Time) String() string { return fmt.Sprintf("%d/%02d/%02d/%d", t.HN, t.MN, t.FN, t.TN) }
