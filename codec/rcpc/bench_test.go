package rcpc

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkDecode measures the soft Viterbi decoder on SCH/F-sized blocks
// (288 type-2 bits, rate 2/3) in decoded bits per second.
func BenchmarkDecode(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name string
		p    Puncturing
		n    int
	}{{"SCHF_2of3", Rate23, 288}, {"BSCH_2of3", Rate23, 80}, {"TCH48_292of432", Rate292432, 292}, {"mother_1of4", Rate14, 1024}} {
		b.Run(tc.name, func(b *testing.B) {
			u := randBits(rng, tc.n-TailBits, TailBits)
			c := Encode(make([]byte, tc.p.OutLen(tc.n)), u, tc.p)
			soft := hardSoft(c)
			for i := range soft {
				soft[i] = int8(max(-127, min(127, int(soft[i])/2+rng.IntN(101)-50)))
			}
			var d Decoder
			dst := make([]byte, tc.n)
			b.ReportAllocs()
			for b.Loop() {
				d.Decode(dst, soft, tc.p)
			}
			b.ReportMetric(float64(b.N*tc.n)/b.Elapsed().Seconds(), "bits/s")
		})
	}
}

// BenchmarkDecodeReference is the textbook decoder (refDecode) for comparison.
func BenchmarkDecodeReference(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	soft := make([]int8, 4*288)
	for i := range soft {
		soft[i] = int8(rng.IntN(255) - 127)
	}
	b.ReportAllocs()
	for b.Loop() {
		refDecode(soft)
	}
	b.ReportMetric(float64(b.N*288)/b.Elapsed().Seconds(), "bits/s")
}

func BenchmarkEncode(b *testing.B) {
	src := make([]byte, 288)
	dst := make([]byte, 432)
	b.ReportAllocs()
	for b.Loop() {
		Encode(dst, src, Rate23)
	}
	b.ReportMetric(float64(b.N*288)/b.Elapsed().Seconds(), "bits/s")
}

// BenchmarkACS compares the reference butterfly loop with the unrolled kernel.
func BenchmarkACS(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	soft := make([]int8, 4*288)
	for i := range soft {
		soft[i] = int8(rng.IntN(255) - 127)
	}
	dec := make([]uint16, 288)
	dec64 := make([]uint64, 288)
	for _, k := range []struct {
		name string
		f    func([]uint16, []int8) int32
	}{{"loop", acs}, {"swar", func(_ []uint16, s []int8) int32 { return acsSWAR(dec64, s) }}, {"swar_unrolled", func(_ []uint16, s []int8) int32 { return acsSWARUnrolled(dec64, s) }}} {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.f(dec, soft)
			}
			b.ReportMetric(float64(b.N*288)/b.Elapsed().Seconds(), "bits/s")
		})
	}
}
