package sdr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// Training sequences of EN 300 392-2 clause 9.4.4.3 (air-interface.md §4.2), used
// here only as test configuration: sdr itself knows none of them.
const (
	seqN = "1101000011101001110100"
	seqP = "0111101001000011011110"
	seqQ = "1011011100000110101101"
	seqY = "11000001100111001110100111000001100111"
)

func bitsOf(s string) []byte {
	b := make([]byte, len(s))
	for i := range s {
		b[i] = s[i] - '0'
	}
	return b
}

// dlConfig is the continuous-downlink sync configuration: n or p at bit 244 (normal
// burst), y at bit 214 (sync burst), q at the slot edges.
func dlConfig(sps int, det Detector) DemodConfig {
	q := bitsOf(seqQ)
	return DemodConfig{
		SamplesPerSymbol: sps,
		Detector:         det,
		Training: []SyncPattern{
			{Name: "n", Bits: bitsOf(seqN), BitOffset: 244},
			{Name: "p", Bits: bitsOf(seqP), BitOffset: 244},
			{Name: "y", Bits: bitsOf(seqY), BitOffset: 214},
		},
		Fixed: []SyncPattern{
			{Name: "q11-q22", Bits: q[10:], BitOffset: 0},
			{Name: "q1-q10", Bits: q[:10], BitOffset: 500},
		},
	}
}

// dlSlots returns nslots random normal downlink slots (training n, or p every third
// slot) with q bits at the edges, concatenated.
func dlSlots(rng *rand.Rand, nslots int) []byte {
	q := bitsOf(seqQ)
	out := make([]byte, 0, nslots*SlotBits)
	for s := 0; s < nslots; s++ {
		b := make([]byte, SlotBits)
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		copy(b[0:], q[10:])
		copy(b[500:], q[:10])
		if s%3 == 2 {
			copy(b[244:], bitsOf(seqP))
		} else {
			copy(b[244:], bitsOf(seqN))
		}
		out = append(out, b...)
	}
	return out
}

// impair applies a carrier offset, a sample-clock error (by cubic interpolation) and
// complex white noise of total variance n0 to x at rate fs; it returns a new slice.
func impair(rng *rand.Rand, x []complex64, fs, cfoHz, ppm, n0 float64) []complex64 {
	ratio := 1 + ppm*1e-6 // output samples per input sample
	n := int(float64(len(x)-4) * ratio)
	out := make([]complex64, n)
	sd := math.Sqrt(n0 / 2)
	for i := range out {
		t := float64(i)/ratio + 1
		k := int(t)
		mu := t - float64(k)
		var v complex128
		if k+2 < len(x) {
			c := [4]float64{-mu * (mu - 1) * (mu - 2) / 6, (mu + 1) * (mu - 1) * (mu - 2) / 2, -(mu + 1) * mu * (mu - 2) / 2, (mu + 1) * mu * (mu - 1) / 6}
			for j := 0; j < 4; j++ {
				v += complex(c[j], 0) * complex128(x[k-1+j])
			}
		}
		ph := 2 * math.Pi * cfoHz * float64(i) / fs
		v *= complex(math.Cos(ph), math.Sin(ph))
		v += complex(sd*rng.NormFloat64(), sd*rng.NormFloat64())
		out[i] = complex64(v)
	}
	return out
}

func modulate(bits []byte, sps int) []complex64 {
	m, err := NewModulator(ModulatorConfig{SamplesPerSymbol: sps})
	if err != nil {
		panic(err)
	}
	out := make([]complex64, m.OutLen(len(bits))+m.Delay()*2)
	n := m.Process(out, bits)
	m.Flush(out[n:])
	return out
}

type burstVector struct {
	name   string
	ranges [][3]int // h symbol, first, last (1-based)
	bits   string
}

// burstVectors reads testdata/bursts.txt.
func burstVectors(t *testing.T) []burstVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/bursts.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []burstVector
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		v := burstVector{name: f[0], bits: f[2]}
		for _, r := range strings.Split(f[1], ",") {
			var h, a, b int
			if _, err := fmt.Sscanf(r, "%d:%d-%d", &h, &a, &b); err != nil {
				t.Fatal(err)
			}
			v.ranges = append(v.ranges, [3]int{h, a, b})
		}
		if len(v.bits) != SlotBits {
			t.Fatalf("%s: %d bits", v.name, len(v.bits))
		}
		out = append(out, v)
	}
	if len(out) != 2 {
		t.Fatalf("want 2 burst vectors, got %d", len(out))
	}
	return out
}
