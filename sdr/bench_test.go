package sdr

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkModulator(b *testing.B) {
	for _, sps := range []int{4, 8} {
		b.Run(fmt.Sprintf("sps%d", sps), func(b *testing.B) {
			m, _ := NewModulator(ModulatorConfig{SamplesPerSymbol: sps})
			rng := rand.New(rand.NewPCG(1, 1))
			bits := make([]byte, 16*SlotBits)
			for i := range bits {
				bits[i] = byte(rng.IntN(2))
			}
			dst := make([]complex64, m.OutLen(len(bits)))
			b.ReportAllocs()
			b.SetBytes(int64(len(dst)) * 8)
			for b.Loop() {
				m.Process(dst, bits)
			}
			b.ReportMetric(float64(b.N*len(dst))/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(b.N*len(dst))/b.Elapsed().Seconds()/float64(sps*SymbolRate), "x-realtime")
		})
	}
}

func BenchmarkDemodulator(b *testing.B) {
	for _, det := range []Detector{Coherent, Differential} {
		b.Run(fmt.Sprintf("sps4/%v", det), func(b *testing.B) {
			const sps = 4
			rng := rand.New(rand.NewPCG(2, 2))
			x := impair(rng, modulate(dlSlots(rng, 64), sps), sps*SymbolRate, 2000, 20, 0.05)
			d, _ := NewDemodulator(dlConfig(sps, det))
			dst := make([]Slot, d.OutLen(len(x)))
			d.Process(dst, x[:len(x)/4]) // acquire
			src := x[len(x)/4:]
			// feed a looped stream: the signal is continuous across the loop only
			// at slot boundaries, so loop on whole slots
			src = src[:len(src)/(SlotSymbols*sps)*(SlotSymbols*sps)]
			b.ReportAllocs()
			b.SetBytes(int64(len(src)) * 8)
			for b.Loop() {
				d.Process(dst, src)
			}
			b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds()/(sps*SymbolRate), "x-realtime")
		})
	}
}

// BenchmarkChannelFilter is the 2.4 MS/s -> 72 kS/s channel-select filter
// (L/M = 3/100), in input samples per second.
func BenchmarkChannelFilter(b *testing.B) {
	r, _ := NewChannelFilter(2.4e6, 72000)
	src := randIQ(rand.New(rand.NewPCG(1, 1)), 1<<16)
	dst := make([]complex64, r.OutLen(len(src))+2)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)) * 8)
	for b.Loop() {
		r.Process(dst, src)
	}
	b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(r.k), "taps/phase")
}

// BenchmarkDecimate100x33 is GNU Radio's reference case: a 100-tap FIR decimating
// by 33, in input samples per second.
func BenchmarkDecimate100x33(b *testing.B) {
	h := make([]float64, 100)
	for i := range h {
		h[i] = 0.01
	}
	r, _ := NewDecimator(33, h)
	src := randIQ(rand.New(rand.NewPCG(1, 1)), 1<<16)
	dst := make([]complex64, r.OutLen(len(src))+2)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)) * 8)
	for b.Loop() {
		r.Process(dst, src)
	}
	b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkFIR(b *testing.B) {
	for _, nt := range []int{33, 64, 128} {
		for _, naive := range []bool{false, true} {
			name := fmt.Sprintf("taps%d", nt)
			if naive {
				name += "/naive"
			}
			b.Run(name, func(b *testing.B) {
				h := make([]float32, nt)
				for i := range h {
					h[i] = float32(i)
				}
				f, _ := NewFIR(h)
				src := randIQ(rand.New(rand.NewPCG(1, 1)), 4096)
				dst := make([]complex64, len(src))
				b.ReportAllocs()
				b.SetBytes(int64(len(src)) * 8)
				for b.Loop() {
					if naive {
						naiveFIRInto(dst, h, src)
					} else {
						f.Process(dst, src)
					}
				}
				b.ReportMetric(float64(b.N*len(src))/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}

// naiveFIRInto is the reference loop of dotCR over a block.
func naiveFIRInto(dst []complex64, h []float32, x []complex64) {
	for n := range x {
		var acc complex64
		for i, t := range h {
			if n-i >= 0 {
				acc += complex(t, 0) * x[n-i]
			}
		}
		dst[n] = acc
	}
}

func BenchmarkResampler72kTo2M(b *testing.B) {
	r, _ := NewResampler(72000, 2e6)
	src := randIQ(rand.New(rand.NewPCG(1, 1)), 4096)
	dst := make([]complex64, r.OutLen(len(src))+2)
	b.ReportAllocs()
	var out int
	for b.Loop() {
		out += r.Process(dst, src)
	}
	b.ReportMetric(float64(out)/b.Elapsed().Seconds(), "out-samples/s")
}

// BenchmarkDemodulatorSearching feeds noise only: the demodulator retries the
// acquisition once per slot of input, its most expensive state.
func BenchmarkDemodulatorSearching(b *testing.B) {
	const sps = 4
	x := randIQ(rand.New(rand.NewPCG(3, 3)), 64*SlotSymbols*sps)
	d, _ := NewDemodulator(dlConfig(sps, Coherent))
	dst := make([]Slot, d.OutLen(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		d.Process(dst, x)
	}
	b.ReportMetric(float64(b.N*len(x))/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(b.N*len(x))/b.Elapsed().Seconds()/(sps*SymbolRate), "x-realtime")
}
