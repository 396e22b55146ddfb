package lmac

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/codec/scramble"
)

// TestAWGNCodingGain sends SCH/F blocks over an ideal coherent BPSK/QPSK AWGN
// channel (Eb/N0 per type-1 bit, Es/N0 = Eb/N0 + 10·log10(268/432)), quantises
// the matched-filter output to int8 soft bits and decodes. It guards the soft
// metric end to end: the residual BER must show the coding gain of the rate-2/3
// K = 5 code (uncoded BPSK has BER 1.25e-2 at 4 dB and 2.4e-3 at 6 dB).
func TestAWGNCodingGain(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	code := scramble.Cell(262, 42, 5)
	var c Coder
	p := SCHF.Params()
	type1 := make([]byte, p.Type1)
	got := make([]byte, p.Type1)
	soft := make([]int8, p.Type5)
	for _, tc := range []struct {
		ebn0DB float64
		maxBER float64
		blocks int
	}{{2, 0.05, 200}, {4, 2e-3, 400}, {4.5, 1e-3, 2000}, {5, 2e-4, 2000}, {6, 1e-4, 400}} {
		esn0 := math.Pow(10, (tc.ebn0DB+10*math.Log10(float64(p.Type1)/float64(p.Type5)))/10)
		sigma := math.Sqrt(1 / (2 * esn0))
		const scale = 24.0 // soft units per unit amplitude
		errs, bad := 0, 0
		for blk := 0; blk < tc.blocks; blk++ {
			for i := range type1 {
				type1[i] = byte(rng.IntN(2))
			}
			type5 := c.Encode(nil, SCHF, type1, code)
			for i, b := range type5 {
				y := 1 - 2*float64(b) + sigma*rng.NormFloat64()
				soft[i] = int8(max(-127, min(127, math.Round(y*scale))))
			}
			if !c.Decode(got, SCHF, soft, code) {
				bad++
			}
			for i := range got {
				if got[i] != type1[i] {
					errs++
				}
			}
		}
		ber := float64(errs) / float64(tc.blocks*p.Type1)
		t.Logf("SCH/F Eb/N0 %.1f dB: BER %.2e, CRC failures %d of %d blocks", tc.ebn0DB, ber, bad, tc.blocks)
		if ber > tc.maxBER {
			t.Errorf("Eb/N0 %.1f dB: BER %.2e above %.0e", tc.ebn0DB, ber, tc.maxBER)
		}
	}
}
