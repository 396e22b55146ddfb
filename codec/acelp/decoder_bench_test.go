package acelp

import (
	"testing"
	"time"
)

// frameDuration is the speech duration of one frame.
const frameDuration = 30 * time.Millisecond

// BenchmarkDecode measures the decoder, one goroutine: frames/s and the
// real-time factor (seconds of speech decoded per second). "speech" decodes
// the hts1a reference bitstream, "noisy" the channel-decoded vk5qi stream
// with its bad frames, and "allbad" conceals every frame.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name, file string
		allBad     bool
	}{
		{"speech", "hts1a.ser", false},
		{"noisy", "vk5qi_p0.03.cdec.ser", false},
		{"allbad", "hts1a.ser", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			frames := decReadSer(b, c.file)
			d := NewDecoder()
			var pcm [FrameSamples]int16
			b.ReportAllocs()
			b.SetBytes(FrameSamples * 2) // PCM bytes out
			k := 0
			for b.Loop() {
				f := &frames[k]
				d.Decode(pcm[:], f.bits[:], f.bfi || c.allBad)
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
