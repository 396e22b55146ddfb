package bersweep

import (
	"fmt"
	"testing"

	"github.com/tetrasim/tetrasim/sdr"
)

func TestDiagFading(t *testing.T) {
	cfg := Config{EbN0dB: []float64{60}, Bits: 1, Channel: "rayleigh", SpeedKmh: 50, Detector: sdr.Differential, Seed: 1}
	l, _ := newLink(&cfg, 0, 60)
	hard := make([]byte, sdr.SlotBits)
	var j0, idx0 int64 = -1, 0
	out := ""
	for it := 0; it < 40; it++ {
		for _, s := range l.next(0) {
			HardBits(hard, &s)
			if j0 < 0 {
				best, be := int64(-1), 1<<30
				for j := max(0, l.ntx-ring); j < l.ntx; j++ {
					if e := diff(hard, l.tx[j%ring][:]); e < be {
						best, be = j, e
					}
				}
				j0, idx0 = best, s.Index
			}
			j := j0 + s.Index - idx0
			e := diff(hard, l.tx[j%ring][:])
			// where are the errors
			pos := ""
			for i := range hard {
				if hard[i] != l.tx[j%ring][i] && payload(i) && len(pos) < 60 {
					pos += fmt.Sprint(i, " ")
				}
			}
			out += fmt.Sprintf("slot %d errs %d score %.2f EsN0 %.1f cfo %.1f ppm %.1f | %s\n", j, e, s.SyncScore, s.EsN0dB, s.CFOHz, s.ClockPPM, pos)
		}
	}
	t.Log("\n" + out)
}
