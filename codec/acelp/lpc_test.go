package acelp

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// refSynFilt is Syn_Filt as written in the reference.
func refSynFilt(a, x, y []int16, lg int, mem []int16, update bool) {
	var tmp [80]int16
	copy(tmp[:], mem[:lpcOrder])
	for i := 0; i < lg; i++ {
		s := fp.LoadSh(x[i], 12)
		for j := 1; j <= lpcOrder; j++ {
			s = fp.LMsu0(s, a[j], tmp[lpcOrder+i-j])
		}
		s = fp.AddSh(s, 1, 11)
		tmp[lpcOrder+i] = fp.ExtractH(fp.LShl(s, 4))
	}
	copy(y[:lg], tmp[lpcOrder:lpcOrder+lg])
	if update {
		copy(mem[:lpcOrder], y[lg-lpcOrder:lg])
	}
}

// refDD4i60 is D_D4i60 as written in the reference.
func refDD4i60(index, sign, shift int16, zf []int16, fOff int, code []int16) {
	pos0 := fp.Shl(index&31, 1)
	pos1 := fp.Add(fp.Shr(index&224, 2), 2)
	pos2 := fp.Add(fp.Shr(index&1792, 5), 4)
	pos3 := fp.Add(fp.Shr(index&14336, 8), 6)
	f := fOff - int(shift)
	for i := 0; i < SubframeSamples; i++ {
		s := fp.LMult0(zf[f-int(pos0)+i], q11GainI0)
		s = fp.SubSh(s, zf[f-int(pos1)+i], 11)
		s = fp.AddSh(s, zf[f-int(pos2)+i], 11)
		s = fp.SubSh(s, zf[f-int(pos3)+i], 11)
		if sign != 0 {
			s = fp.LNegate(s)
		}
		code[i] = fp.StoreHi(s, 5)
	}
}

// TestSynFiltMatchesReference checks synFilt (both its fast and its
// saturating path) against the reference loop on random filters and
// signals up to full scale.
func TestSynFiltMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var fast, slow int
	for n := range 4000 {
		var a [lpcLen]int16
		a[0] = 4096
		amax := []int{2000, 8000, 20000, 32767}[n%4]
		for j := 1; j <= lpcOrder; j++ {
			a[j] = int16(r.IntN(2*amax+1) - amax)
		}
		var x, y1, y2 [SubframeSamples]int16
		randExc(r, x[:], []int{300, 3000, 32767}[n%3])
		var m1, m2 [lpcOrder]int16
		randExc(r, m1[:], 32767)
		m2 = m1
		if synFiltNoSat(a[:], x[:]) {
			fast++
		} else {
			slow++
		}
		synFilt(a[:], x[:], y1[:], SubframeSamples, m1[:], true)
		refSynFilt(a[:], x[:], y2[:], SubframeSamples, m2[:], true)
		if y1 != y2 || m1 != m2 {
			t.Fatalf("case %d: synFilt differs from Syn_Filt", n)
		}
	}
	if fast == 0 || slow == 0 {
		t.Fatalf("paths not both covered: %d fast, %d saturating", fast, slow)
	}
	// In place, as the decoder filters F[].
	var a [lpcLen]int16
	a[0], a[1], a[2] = 4096, -6000, 3000
	var x, want [SubframeSamples]int16
	var mem [lpcOrder]int16
	x[0] = 4096
	refSynFilt(a[:], x[:], want[:], SubframeSamples, mem[:], false)
	synFilt(a[:], x[:], x[:], SubframeSamples, mem[:], false)
	if x != want {
		t.Fatal("synFilt in place differs")
	}
}

// TestDD4i60MatchesReference checks dD4i60 against the reference loop on
// every index bit pattern class with F up to full scale.
func TestDD4i60MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 3))
	var zf [64 + SubframeSamples]int16
	for n := range 2000 {
		randExc(r, zf[64:], []int{1000, 32767}[n%2])
		index := int16(r.IntN(1 << 14))
		sign, shift := int16(r.IntN(2)), int16(r.IntN(2))
		var c1, c2 [SubframeSamples]int16
		dD4i60(index, sign, shift, zf[:], 64, c1[:])
		refDD4i60(index, sign, shift, zf[:], 64, c2[:])
		if c1 != c2 {
			t.Fatalf("index %d sign %d shift %d: dD4i60 differs from D_D4i60", index, sign, shift)
		}
	}
}

// TestDD4i60Pulses checks the pulse positions and signs with F = a unit
// impulse: the code is then the pulses themselves.
func TestDD4i60Pulses(t *testing.T) {
	var zf [64 + SubframeSamples]int16
	zf[64] = 4096 // 1.0 in Q12
	// i0 = 2·5 = 10, i1 = 8·3+2 = 26, i2 = 8·1+4 = 12, i3 = 8·6+6 = 54
	index := int16(5 | 3<<5 | 1<<8 | 6<<11)
	for _, c := range []struct{ sign, shift int16 }{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		var code [SubframeSamples]int16
		dD4i60(index, c.sign, c.shift, zf[:], 64, code[:])
		want := map[int]int16{10: 5792, 26: -4096, 12: 4096, 54: -4096} // sqrt(2)·4096 = 5792
		for i, v := range code {
			w := want[i-int(c.shift)]
			if c.sign != 0 {
				w = -w
			}
			if v != w {
				t.Fatalf("sign %d shift %d: code[%d] = %d, want %d", c.sign, c.shift, i, v, w)
			}
		}
	}
}

// TestResiduInvertsSynFilt checks Residu and Syn_Filt against each other:
// filtering by A(z) after 1/A(z) gives the input back within the rounding of
// the intermediate signal.
func TestResiduInvertsSynFilt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 4))
	lsp := lspInit
	var a [lpcLen]int16
	lspAz(lsp[:], a[:])
	var sa float64
	for _, v := range a {
		sa += math.Abs(float64(v)) / 4096
	}
	var x [SubframeSamples]int16
	var y [lpcOrder + SubframeSamples]int16
	var mem [lpcOrder]int16
	var e [SubframeSamples]int16
	randExc(r, x[:], 2000)
	synFilt(a[:], x[:], y[lpcOrder:], SubframeSamples, mem[:], false)
	residu(a[:], y[:], e[:], SubframeSamples)
	for i := range x {
		if d := math.Abs(float64(e[i] - x[i])); d > 1+sa/2 {
			t.Fatalf("sample %d: residu %d, input %d (tolerance %.1f)", i, e[i], x[i], 1+sa/2)
		}
	}
}

// TestConvolve checks Convolve against the exact convolution where no
// saturation occurs: y[n] = (Σ x[i]·h[n-i]) >> 12.
func TestConvolve(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 5))
	var x, h, y [SubframeSamples]int16
	randExc(r, x[:], 1000)
	randExc(r, h[:], 4096)
	convolve(x[:], h[:], y[:], SubframeSamples)
	for n := range y {
		var s int64
		for i := 0; i <= n; i++ {
			s += int64(x[i]) * int64(h[n-i])
		}
		if want := int16(s >> 12); y[n] != want {
			t.Fatalf("y[%d] = %d, want %d", n, y[n], want)
		}
	}
}

// TestLspAzInitial checks the LSP to LPC conversion on the initial LSPs
// against the same conversion in floating point: A(z) = (F1(z)(1+z^-1) +
// F2(z)(1-z^-1))/2 with F1, F2 the products over the even and odd LSPs.
func TestLspAzInitial(t *testing.T) {
	var a [lpcLen]int16
	lspAz(lspInit[:], a[:])
	f1 := []float64{1}
	f2 := []float64{1}
	mul := func(p []float64, q float64) []float64 { // p·(1 - 2q z^-1 + z^-2)
		r := make([]float64, len(p)+2)
		for i, v := range p {
			r[i] += v
			r[i+1] -= 2 * q * v
			r[i+2] += v
		}
		return r
	}
	for i := 0; i < lpcOrder; i += 2 {
		f1 = mul(f1, float64(lspInit[i])/32768)
		f2 = mul(f2, float64(lspInit[i+1])/32768)
	}
	for i := 1; i <= lpcOrder; i++ {
		want := ((f1[i] + f1[i-1]) + (f2[i] - f2[i-1])) / 2
		if d := math.Abs(float64(a[i])/4096 - want); d > 2e-3 {
			t.Fatalf("a[%d] = %.4f, want %.4f", i, float64(a[i])/4096, want)
		}
	}
	if a[0] != 4096 {
		t.Fatalf("a[0] = %d", a[0])
	}
}

// TestFacPond checks the weighting factors against powers of γ.
func TestFacPond(t *testing.T) {
	for _, g := range []int16{gamma3, gamma4} {
		var fac [lpcOrder]int16
		facPond(g, &fac)
		for i, v := range fac {
			want := math.Pow(float64(g)/32768, float64(i+1)) * 32768
			if math.Abs(float64(v)-want) > 3 {
				t.Fatalf("γ %d: fac[%d] = %d, want about %.1f", g, i, v, want)
			}
		}
	}
}

// TestTables pins the tables of the standard: a few entries checked by
// hand against the .tab files of EN 300 395-2 V1.3.1, a sha256 of each whole
// table (little-endian int16) computed from the .tab file itself (not from
// this Go code) when it was converted, and
// properties that follow from how the tables were designed.
func TestTables(t *testing.T) {
	sum := func(v any) string {
		h := sha256.New()
		if err := binary.Write(h, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", h.Sum(nil))[:16]
	}
	for _, c := range []struct {
		name      string
		got, want string
	}{
		{"lspCodebook1", sum(lspCodebook1), "83f2ccad04ab0cfe"},
		{"lspCodebook2", sum(lspCodebook2), "d046201ff797543a"},
		{"lspCodebook3", sum(lspCodebook3), "85b1af9aa09728bb"},
		{"energyCodebook", sum(energyCodebook), "738064cea25f07d1"},
		{"lspGrid", sum(lspGrid), "13bf13126cbfd74a"},
		{"lagWindowH", sum(lagWindowH), "bb2ef71ea37bdf84"},
		{"lagWindowL", sum(lagWindowL), "83627d58526895b4"},
		{"lpcWindow", sum(lpcWindow), "ed6a5ce527cd1e34"},
	} {
		if c.got != c.want {
			t.Errorf("%s: sha256 prefix %s, want %s", c.name, c.got, c.want)
		}
	}
	// Entries read off the .tab files.
	if lspCodebook1[0] != [3]int16{16231 * 2, 16091 * 2, 15682 * 2} ||
		lspCodebook1[255] != [3]int16{16310 * 2, 16203 * 2, 15451 * 2} ||
		lspCodebook2[511] != [3]int16{13790 * 2, 10971 * 2, -1294 * 2} ||
		lspCodebook3[511] != [4]int16{-7054 * 2, -11706 * 2, -13153 * 2, -14339 * 2} {
		t.Error("LSP codebook end entries differ from clsp_334.tab")
	}
	if energyCodebook[0] != [2]int16{12, 48} || energyCodebook[63] != [2]int16{74, 1526} {
		t.Error("energy codebook end entries differ from ener_qua.tab")
	}
	// grid[i] = cos(πi/60), within the table's rounding, ends inside ±1.
	for i, v := range lspGrid {
		if d := math.Abs(float64(v) - 32768*math.Cos(math.Pi*float64(i)/60)); d > 8 {
			t.Errorf("lspGrid[%d] = %d, cos gives %.1f", i, v, 32768*math.Cos(math.Pi*float64(i)/60))
		}
	}
	// Lag window: exp(-(2π·60·i/8000)²/2)·1.00005 (noise floor), hi + lo/2^15.
	for i := range lagWindowH {
		got := (float64(lagWindowH[i]) + float64(lagWindowL[i])/32768) / 32768
		x := 2 * math.Pi * 60 * float64(i+1) / 8000
		want := math.Exp(-x*x/2) / 1.00005 // r[i]/(r[0]·1.00005), r[0] stays
		if math.Abs(got-want) > 1e-4 {
			t.Errorf("lag window %d = %.6f, want %.6f", i+1, got, want)
		}
	}
	// Every LSP codebook vector is decreasing in the cosine domain.
	for k, v := range lspCodebook1 {
		if !(v[0] > v[1] && v[1] > v[2]) {
			t.Errorf("lspCodebook1[%d] not decreasing: %v", k, v)
		}
	}
	// The window rises to 32767 and falls back to its start value.
	if lpcWindow[0] != 2621 || lpcWindow[255] != 2621 || lpcWindow[215] != 32767 {
		t.Errorf("lpcWindow ends %d %d, peak %d", lpcWindow[0], lpcWindow[255], lpcWindow[215])
	}
}

// TestDecodeOutOfRangeLag decodes frames whose pitch indices give the lags
// that read before the reference's excitation buffer (143+1/3 and the unused
// index 31 = 144-1/3): the decoder must not panic, must not write outside
// the frame (sentinels after it in the same array), and must be repeatable.
func TestDecodeOutOfRangeLag(t *testing.T) {
	var prm [NumParams]int16
	prm[3] = 255 // subframe 1: T0 = 143
	const sentinel = 0x5a5a
	run := func() (out [6][FrameSamples]int16) {
		d := NewDecoder()
		for i, idx := range []int16{30, 30, 30, 31, 31, 31} {
			for sf := 1; sf < nSubfr; sf++ {
				prm[3+5*sf] = idx
			}
			prm[7], prm[12], prm[17], prm[22] = 40, 40, 40, 40
			var buf [FrameSamples + 4]int16
			for k := FrameSamples; k < len(buf); k++ {
				buf[k] = sentinel
			}
			p := prm
			d.decodeParams(buf[:FrameSamples], &p, false)
			for k := FrameSamples; k < len(buf); k++ {
				if buf[k] != sentinel {
					t.Fatalf("lag index %d: sample %d written past the frame", idx, k)
				}
			}
			copy(out[i][:], buf[:FrameSamples])
		}
		return out
	}
	if run() != run() {
		t.Fatal("decoding the out-of-range lags is not repeatable")
	}
}
