package acelp

import (
	"math/rand/v2"
	"testing"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// refInter32P13 is Inter32_1_3 as written in the reference: an L_mac0 chain
// over x[i-16…i+15], doubled and rounded.
func refInter32P13(x []int16, i int) int16 {
	var s int32
	for k := range 32 {
		s = fp.LMac0(s, x[i-16+k], inter32P13[k])
	}
	return fp.Round(fp.LAdd(s, s))
}

// refInter32M13 is Inter32_M1_3 as written in the reference.
func refInter32M13(x []int16, i int) int16 {
	var s int32
	for k := range 32 {
		s = fp.LMac0(s, x[i-15+k], inter32M13[k])
	}
	return fp.Round(fp.LAdd(s, s))
}

// refPredLt is Pred_Lt as written in the reference.
func refPredLt(exc []int16, pos int, t0, frac int16, l int) {
	d := int(t0)
	for i := pos; i < pos+l; i++ {
		switch frac {
		case 0:
			exc[i] = exc[i-d]
		case 1:
			exc[i] = refInter32P13(exc, i-d)
		case -1:
			exc[i] = refInter32M13(exc, i-d)
		}
	}
}

// randExc fills x with samples of random magnitude up to peak, sometimes
// alternating in sign at full scale, the worst case for saturation.
func randExc(r *rand.Rand, x []int16, peak int) {
	alt := r.IntN(3) == 0
	for i := range x {
		v := r.IntN(2*peak+1) - peak
		if alt {
			v = peak
			if i%2 == 1 {
				v = -peak - 1
			}
			if v > 32767 {
				v = 32767
			}
		}
		if v < -32768 {
			v = -32768
		}
		x[i] = int16(v)
	}
}

// TestPredLtMatchesReference checks the fast path of predLt against the
// reference loop, with excitations large enough to saturate the filter.
func TestPredLtMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	const pos = excPad + excHist
	var a, b [excPad + excHist + FrameSamples]int16
	for n := range 3000 {
		peak := []int{100, 5000, 28040, 28041, 32767, 32768}[n%6]
		randExc(r, a[:], peak)
		a[0] = 0
		b = a
		t0 := int16(19 + r.IntN(126)) // 19…144
		frac := int16(r.IntN(3) - 1)
		if t0 == 144 && frac == 1 {
			frac = -1
		}
		sf := r.IntN(nSubfr) * SubframeSamples
		predLt(a[:], pos+sf, t0, frac, SubframeSamples)
		refPredLt(b[:], pos+sf, t0, frac, SubframeSamples)
		if a != b {
			t.Fatalf("case %d (peak %d, t0 %d, frac %d): predLt differs from Pred_Lt", n, peak, t0, frac)
		}
	}
}

// TestInter32Filters checks the interpolation filters: each M1_3 filter is
// its 1_3 twin reversed, both have unit DC gain within the table's
// precision (Σ coef ≈ 32768), and a constant input comes out unchanged.
func TestInter32Filters(t *testing.T) {
	var sum int
	for k := range 32 {
		if inter32M13[k] != inter32P13[31-k] {
			t.Fatalf("inter32M13[%d] = %d, inter32P13[%d] = %d", k, inter32M13[k], 31-k, inter32P13[31-k])
		}
		sum += int(inter32P13[k])
	}
	if sum != 32727 {
		t.Fatalf("Σ inter32 coef = %d, want 32727", sum)
	}
	for k := range 8 {
		if inter8M13[k] != inter8P13[7-k] {
			t.Fatalf("inter8M13[%d] = %d, inter8P13[%d] = %d", k, inter8M13[k], 7-k, inter8P13[7-k])
		}
	}
	x := make([]int16, 64)
	for i := range x {
		x[i] = 1000
	}
	if got := refInter32P13(x, 32); got != 999 {
		t.Fatalf("Inter32_1_3 of a constant 1000 = %d, want 999", got)
	}
}
