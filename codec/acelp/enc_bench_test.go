package acelp

import "testing"

// BenchmarkEncode measures the encoder on the hts1a reference input (real
// speech), one core: frames/s and the real-time factor (speech time encoded
// per second of CPU time). "synth" also produces the local synthesis.
func BenchmarkEncode(b *testing.B) {
	pcm := encReadPCM(b, "hts1a.pcm")
	nFrames := len(pcm) / FrameSamples
	for _, c := range []struct {
		name  string
		synth bool
	}{{"bits", false}, {"synth", true}} {
		b.Run(c.name, func(b *testing.B) {
			e := NewEncoder()
			var bits [FrameBits]byte
			var syn [FrameSamples]int16
			var synth []int16
			if c.synth {
				synth = syn[:]
			}
			b.ReportAllocs()
			b.SetBytes(FrameSamples * 2) // PCM bytes in
			k := 0
			for b.Loop() {
				e.EncodeSynth(bits[:], synth, pcm[k*FrameSamples:(k+1)*FrameSamples])
				if k++; k == nFrames {
					k = 0
				}
			}
			fps := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(fps, "frames/s")
			b.ReportMetric(fps*FrameSamples/SampleRateHz, "x-realtime")
		})
	}
}
