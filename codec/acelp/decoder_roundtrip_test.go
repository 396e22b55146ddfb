package acelp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDecoderMatchesEncoderSynthesis encodes signals that are not among
// the reference vectors (tones, a chirp, noise, clipped and quiet speech-
// like bursts) and checks that the decoder reproduces the encoder's local
// synthesis sample for sample: the decoder's parameter decoding must invert
// the encoder's parameter choice for any input, not only for the vectors.
// It also checks that the output follows the input: the tone comes out at
// a segmental SNR well above 0 dB, 40 samples late.
func TestDecoderMatchesEncoderSynthesis(t *testing.T) {
	const frames = 40
	r := rand.New(rand.NewPCG(7, 7))
	gen := []struct {
		name string
		g    func(n int) float64
	}{
		{"tone440", func(n int) float64 { return 6000 * math.Sin(2*math.Pi*440*float64(n)/8000) }},
		{"chirp", func(n int) float64 {
			f := 100 + 3300*float64(n)/float64(frames*FrameSamples)
			return 9000 * math.Sin(2*math.Pi*f*float64(n)/8000)
		}},
		{"noise", func(int) float64 { return 4000 * r.NormFloat64() }},
		{"clipped", func(n int) float64 {
			return 60000 * math.Sin(2*math.Pi*310*float64(n)/8000) * math.Sin(2*math.Pi*3*float64(n)/8000)
		}},
		{"quiet", func(n int) float64 { return 20 * math.Sin(2*math.Pi*1200*float64(n)/8000) }},
	}
	for _, c := range gen {
		name, g := c.name, c.g
		t.Run(name, func(t *testing.T) {
			pcm := make([]int16, frames*FrameSamples)
			for n := range pcm {
				pcm[n] = int16(max(-32768, min(32767, math.Round(g(n)))))
			}
			e, d := NewEncoder(), NewDecoder()
			var bits [FrameBits]byte
			var synth, out [FrameSamples]int16
			dec := make([]int16, 0, len(pcm))
			for k := range frames {
				e.EncodeSynth(bits[:], synth[:], pcm[k*FrameSamples:])
				d.Decode(out[:], bits[:], false)
				if out != synth {
					t.Fatalf("frame %d: decoder output differs from the encoder's synthesis", k)
				}
				dec = append(dec, out[:]...)
			}
			if name != "tone440" {
				return
			}
			// Skip the first 10 frames (start-up), align by the 40-sample delay.
			var sig, noise float64
			for n := 10 * FrameSamples; n < len(pcm); n++ {
				x, y := float64(pcm[n-40]), float64(dec[n])
				sig += x * x
				noise += (x - y) * (x - y)
			}
			if snr := 10 * math.Log10(sig/noise); snr < 5 {
				t.Fatalf("tone SNR %.1f dB, want >= 5", snr)
			} else {
				t.Logf("tone SNR %.1f dB", snr)
			}
		})
	}
}
