package acelp

import (
	"testing"
	"time"
)

// frameDuration is the speech duration of one frame.
const frameDuration = 30 * time.Millisecond

// BenchmarkDecode measures the decoder on the hts1a reference bitstream
// (real speech), one core: frames/s and the real-time factor (speech time
// decoded per second of CPU time). The "bfi" case conceals every frame.
func BenchmarkDecode(b *testing.B) {
	frames := decReadSer(b, "hts1a.ser")
	for _, c := range []struct {
		name string
		bfi  bool
	}{{"good", false}, {"bfi", true}} {
		b.Run(c.name, func(b *testing.B) {
			d := NewDecoder()
			var pcm [FrameSamples]int16
			b.ReportAllocs()
			b.SetBytes(FrameSamples * 2) // PCM bytes out
			k := 0
			for b.Loop() {
				d.Decode(pcm[:], frames[k].bits[:], c.bfi)
				if k++; k == len(frames) {
					k = 0
				}
			}
			fps := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(fps, "frames/s")
			b.ReportMetric(fps*frameDuration.Seconds(), "x-realtime")
		})
	}
}
