package clock

import (
	"testing"
	"time"
)

func TestTDMA(t *testing.T) {
	tests := []struct {
		name string
		s    Slot
		want TDMA
	}{
		{"origin", 0, TDMA{0, 1, 1, 1}},
		{"TN4", 3, TDMA{0, 1, 1, 4}},
		{"FN2", 4, TDMA{0, 1, 2, 1}},
		{"FN18 TN4", 71, TDMA{0, 1, 18, 4}},
		{"MN2", 72, TDMA{0, 2, 1, 1}},
		{"last of hyperframe", SlotsPerHyper - 1, TDMA{0, 60, 18, 4}},
		{"HN1", SlotsPerHyper, TDMA{1, 1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.TDMA(); got != tc.want {
				t.Errorf("Slot(%d).TDMA() = %v, want %v", tc.s, got, tc.want)
			}
		})
	}
}

func TestDurations(t *testing.T) {
	// EN 300 392-2 clause 9.3: a multiframe lasts 1.02 s, a hyperframe 61.2 s.
	if got := Slot(SlotsPerMulti).Seconds(); got < 1.0199999 || got > 1.0200001 {
		t.Errorf("multiframe = %v s, want 1.02", got)
	}
	if got := Slot(SlotsPerHyper).Duration(); got != 61200*time.Millisecond {
		t.Errorf("hyperframe = %v, want 61.2s", got)
	}
	if SlotDuration != 14166666*time.Nanosecond {
		t.Errorf("SlotDuration = %v", SlotDuration)
	}
	if got := SlotsFor(time.Second); got != 71 {
		t.Errorf("SlotsFor(1s) = %d, want 71", got)
	}
	if got := SlotAt(1.02); got != 72 && got != 71 {
		t.Errorf("SlotAt(1.02) = %d", got)
	}
	var c Clock
	for range 72 {
		c.Step()
	}
	if c.Now() != 72 || !Slot(70).IsControlFrame() || Slot(72).IsControlFrame() {
		t.Errorf("clock stepping or control frame wrong")
	}
}

func TestTrafficFrame(t *testing.T) {
	for s := Slot(0); s < 3*SlotsPerMulti; s++ {
		if s.IsControlFrame() {
			continue
		}
		tn := s.TDMA().TN
		if got := TrafficSlot(s.TrafficFrame(), tn); got != s {
			t.Fatalf("TrafficSlot(TrafficFrame(%d)) = %d", s, got)
		}
	}
	// Frame 18 does not count: the first slot of the next multiframe is traffic frame 17.
	if got := Slot(SlotsPerMulti).TrafficFrame(); got != 17 {
		t.Errorf("TrafficFrame at MN2 = %d, want 17", got)
	}
}
