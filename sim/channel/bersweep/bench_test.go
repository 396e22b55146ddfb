package bersweep

import (
	"context"
	"testing"

	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/sdr"
)

// BenchmarkSweepPoint runs one end-to-end point (modulator, AWGN channel with CFO and
// clock error, synchronising demodulator, and for SCH/F the lower-MAC decoder) and
// reports BER, FER and the speed relative to real time (72 kS/s).
func BenchmarkSweepPoint(b *testing.B) {
	for _, c := range []struct {
		name  string
		det   sdr.Detector
		coded lmac.Channel
		ebn0  float64
	}{
		{"coherent", sdr.Coherent, 0, 7},
		{"differential", sdr.Differential, 0, 8},
		{"schf", sdr.Coherent, lmac.SCHF, 4},
	} {
		b.Run(c.name, func(b *testing.B) {
			var p Point
			for b.Loop() {
				pts, err := Run(context.Background(), Config{EbN0dB: []float64{c.ebn0}, Bits: 200000, Channel: "awgn",
					Detector: c.det, Coded: c.coded, CFOHz: 2000, ClockPPM: 30, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				p = pts[0]
			}
			seconds := float64(p.Slots) * 255 / 18000 // air time of the slots
			b.ReportMetric(p.BER, "BER")
			if c.coded != 0 {
				b.ReportMetric(p.FER, "FER")
			}
			b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}
