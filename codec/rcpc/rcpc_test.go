package rcpc

import (
	"math/rand/v2"
	"testing"
)

func randBits(rng *rand.Rand, n, tail int) []byte {
	b := make([]byte, n+tail)
	for i := 0; i < n; i++ {
		b[i] = byte(rng.IntN(2))
	}
	return b
}

func hardSoft(bits []byte) []int8 {
	s := make([]int8, len(bits))
	for i, b := range bits {
		s[i] = int8(127 - 254*int(b))
	}
	return s
}

// TestButterflyTable checks the hard-coded butterfly correlations of acs against
// the generators: the outputs of register j<<1 and the complement rules.
func TestButterflyTable(t *testing.T) {
	want := []uint8{0b0000, 0b1011, 0b0110, 0b1101, 0b0101, 0b1110, 0b0011, 0b1000}
	for j := uint8(0); j < 8; j++ {
		if got := mother(j << 1); got != want[j] {
			t.Errorf("c_%d = %04b, want %04b", j, got, want[j])
		}
		// Complement rules used by the butterfly.
		if mother(j<<1|1) != ^want[j]&15 || mother(j<<1|16) != ^want[j]&15 || mother(j<<1|17) != want[j] {
			t.Errorf("butterfly %d: complement rule fails", j)
		}
	}
}

// TestMotherGenerators encodes an impulse: the output is the generator taps.
func TestMotherGenerators(t *testing.T) {
	v := EncodeMother(make([]byte, 20), []byte{1, 0, 0, 0, 0})
	// Column i of the impulse response is the coefficient of D^i in G1…G4.
	want := [4]string{"11001", "10111", "11101", "11011"} // G1 = 1+D+D⁴ …
	for g := 0; g < 4; g++ {
		for i := 0; i < 5; i++ {
			if v[4*i+g] != want[g][i]-'0' {
				t.Fatalf("G%d coefficient D^%d = %d", g+1, i, v[4*i+g])
			}
		}
	}
}

// TestPuncturingIndex checks clause 8.2.3.1.2 index formulas on hand-computed values.
func TestPuncturingIndex(t *testing.T) {
	tests := []struct {
		p    Puncturing
		j, k int
	}{
		{Rate23, 1, 1}, {Rate23, 2, 2}, {Rate23, 3, 5}, {Rate23, 4, 9}, {Rate23, 6, 13},
		{Rate13, 1, 1}, {Rate13, 4, 5}, {Rate13, 6, 7}, {Rate13, 7, 9},
		{Rate292432, 65, 8*21 + 2}, {Rate292432, 66, 8*22 + 1}, // f(66) = 67: skips i = 66
		{Rate148432, 35, 8*5 + 6}, {Rate148432, 36, 8*6 + 1}, // f(36) = 37
		{Rate292432, 432, 1165}, {Rate148432, 432, 8*73 + 7},
	}
	for _, tc := range tests {
		if got := tc.p.Index(tc.j); got != tc.k {
			t.Errorf("%v Index(%d) = %d, want %d", tc.p, tc.j, got, tc.k)
		}
	}
	// Every scheme keeps distinct, increasing mother bits inside the block.
	for _, tc := range []struct {
		p  Puncturing
		n2 int
	}{{Rate23, 288}, {Rate13, 148}, {Rate292432, 292}, {Rate148432, 148}, {Rate14, 10}} {
		prev := 0
		for j := 1; j <= tc.p.OutLen(tc.n2); j++ {
			k := tc.p.Index(j)
			if k <= prev || k > 4*tc.n2 {
				t.Fatalf("%v j=%d: k=%d after %d (limit %d)", tc.p, j, k, prev, 4*tc.n2)
			}
			prev = k
		}
	}
}

// refDecode is the textbook Viterbi decoder: for every step and state, try both
// predecessors with the explicitly computed output. It is the reference loop
// of acs, with the same tie rule (the predecessor without u(k−4) wins ties).
func refDecode(soft []int8) ([]byte, int) {
	n := len(soft) / 4
	const ninf = -1 << 40
	m := make([]int, 16)
	for i := 1; i < 16; i++ {
		m[i] = ninf
	}
	prev := make([][16]uint8, n)
	for k := 0; k < n; k++ {
		var nm [16]int
		for s := 0; s < 16; s++ {
			best := ninf - 1
			for _, old := range []int{s >> 1, s>>1 | 8} {
				r := uint8(s&1) | uint8(old)<<1
				c := mother(r)
				bm := 0
				for i := 0; i < 4; i++ {
					if c>>(3-i)&1 == 1 {
						bm -= int(soft[4*k+i])
					} else {
						bm += int(soft[4*k+i])
					}
				}
				if v := m[old] + bm; v > best {
					best = v
					prev[k][s] = uint8(old)
				}
			}
			nm[s] = best
		}
		copy(m, nm[:])
	}
	out := make([]byte, n)
	s := 0
	for k := n - 1; k >= 0; k-- {
		out[k] = byte(s & 1)
		s = int(prev[k][s])
	}
	return out, m[0]
}

func TestRoundTripClean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var d Decoder
	for _, tc := range []struct {
		name string
		p    Puncturing
		n1   int
	}{{"BSCH 2/3", Rate23, 76}, {"SCH/F 2/3", Rate23, 284}, {"1/3", Rate13, 144}, {"TCH/4.8", Rate292432, 288}, {"TCH/2.4", Rate148432, 144}, {"1/4", Rate14, 100}} {
		t.Run(tc.name, func(t *testing.T) {
			for trial := 0; trial < 20; trial++ {
				u := randBits(rng, tc.n1, TailBits)
				c := Encode(make([]byte, tc.p.OutLen(len(u))), u, tc.p)
				got := make([]byte, len(u))
				d.Decode(got, hardSoft(c), tc.p)
				if string(got) != string(u) {
					t.Fatalf("trial %d: decode mismatch", trial)
				}
			}
		})
	}
}

// TestErrors probes the limit of the rate-2/3 code: a single hard error and
// a short burst are corrected, while a block of many errors is not (the path
// metric drops and the output differs).
func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var d Decoder
	u := randBits(rng, 284, TailBits)
	c := Encode(make([]byte, 432), u, Rate23)
	got := make([]byte, len(u))
	for pos := 0; pos < len(c); pos += 7 {
		s := hardSoft(c)
		s[pos] = -s[pos]
		d.Decode(got, s, Rate23)
		if string(got) != string(u) {
			t.Fatalf("single error at %d not corrected", pos)
		}
	}
	// Two errors far apart.
	s := hardSoft(c)
	s[50], s[300] = -s[50], -s[300]
	d.Decode(got, s, Rate23)
	if string(got) != string(u) {
		t.Fatal("two separated errors not corrected")
	}
	// 40 consecutive errors cannot be corrected.
	s = hardSoft(c)
	for i := 200; i < 240; i++ {
		s[i] = -s[i]
	}
	d.Decode(got, s, Rate23)
	if string(got) == string(u) {
		t.Fatal("40-bit error burst decoded correctly: the test is not probing the limit")
	}
	// Repeatability: same input, same output.
	again := make([]byte, len(u))
	d.Decode(again, s, Rate23)
	if string(again) != string(got) {
		t.Fatal("decoder is not repeatable")
	}
}

// TestAgainstReference compares the butterfly decoder with refDecode on random
// noisy soft input: output bits and metric must be identical.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var d Decoder
	for trial := 0; trial < 200; trial++ {
		n := 5 + rng.IntN(120)
		soft := make([]int8, 4*n)
		for i := range soft {
			soft[i] = int8(rng.IntN(255) - 127)
		}
		if trial%3 == 0 { // coarse values make ties likely
			for i := range soft {
				soft[i] = int8(rng.IntN(3)-1) * 127
			}
		}
		want, wm := refDecode(soft)
		got := make([]byte, n)
		gm := d.DecodeMother(got, soft)
		if string(got) != string(want) || gm != wm {
			t.Fatalf("trial %d (n=%d): metric %d vs %d, bits differ: %v", trial, n, gm, wm, string(got) != string(want))
		}
	}
}

func TestDecodeAllocs(t *testing.T) {
	var d Decoder
	soft := make([]int8, 432)
	dst := make([]byte, 288)
	if a := testing.AllocsPerRun(50, func() { d.Decode(dst, soft, Rate23) }); a != 0 {
		t.Fatalf("Decode allocates %.0f times", a)
	}
	src := make([]byte, 288)
	c := make([]byte, 432)
	if a := testing.AllocsPerRun(50, func() { Encode(c, src, Rate23) }); a != 0 {
		t.Fatalf("Encode allocates %.0f times", a)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6}, uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, sch uint8) {
		if len(raw) > 4*MaxBits {
			return
		}
		p := Puncturing(sch%5 + 1)
		n := len(raw) / 4
		if n == 0 {
			return
		}
		if p == Rate23 && n%2 == 1 {
			n--
		}
		if p == Rate292432 {
			n = 292
		}
		if p == Rate148432 {
			n = 148
		}
		n3 := p.OutLen(n)
		if n == 0 || n3 == 0 {
			return
		}
		soft := make([]int8, n3)
		for i := range soft {
			if len(raw) > 0 {
				soft[i] = int8(raw[i%len(raw)])
			}
		}
		var d Decoder
		dst := make([]byte, n)
		d.Decode(dst, soft, p)
		for _, b := range dst {
			if b > 1 {
				t.Fatal("output is not a bit")
			}
		}
		// Tail bits of a terminated decode are zero.
		for _, b := range dst[n-min(n, TailBits):] {
			if b != 0 {
				t.Fatal("tail bit not zero")
			}
		}
		// Differential check on the mother code.
		if p == Rate14 && n <= 64 {
			want, wm := refDecode(soft)
			if gm := d.DecodeMother(dst, soft); string(dst) != string(want) || gm != wm {
				t.Fatal("differs from reference decoder")
			}
		}
	})
}

// TestSWARMatchesLoop: the SWAR kernel makes the same decisions (up to the
// lane layout) and reaches the same metric as the reference loop, and its
// traceback gives the same bits.
func TestSWARMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for trial := 0; trial < 400; trial++ {
		n := 1 + rng.IntN(MaxBits)
		if trial < 40 {
			n = 1 + trial
		}
		soft := make([]int8, 4*n)
		for i := range soft {
			switch trial % 3 {
			case 0:
				soft[i] = int8(rng.IntN(256) - 128)
			case 1:
				soft[i] = int8(rng.IntN(3)-1) * 127
			default:
				soft[i] = int8(rng.IntN(3) - 1)
			}
		}
		d1, d2 := make([]uint16, n), make([]uint64, n)
		m1, m2 := acs(d1, soft), acsSWAR(d2, soft)
		if m1 != m2 {
			t.Fatalf("trial %d (n=%d): metric %d vs %d", trial, n, m1, m2)
		}
		b1, b2 := make([]byte, n), make([]byte, n)
		s := uint16(0)
		for k := n - 1; k >= 0; k-- {
			b1[k] = byte(s & 1)
			s = s>>1 | (d1[k]>>s&1)<<3
		}
		tracebackSWAR(b2, d2)
		if string(b1) != string(b2) {
			t.Fatalf("trial %d (n=%d): traceback differs", trial, n)
		}
		d3 := make([]uint64, n)
		if m3 := acsSWARUnrolled(d3, soft); m3 != m1 {
			t.Fatalf("trial %d (n=%d): unrolled SWAR metric %d vs %d", trial, n, m3, m1)
		}
		for k := range d2 {
			if d2[k] != d3[k] {
				t.Fatalf("trial %d (n=%d): unrolled SWAR decision %d differs", trial, n, k)
			}
		}
	}
}

// TestSWAR23: the rate-2/3 kernel on type-3 soft bits equals depuncturing and
// the reference loop.
func TestSWAR23(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 300; trial++ {
		n := 4 * (1 + rng.IntN(MaxBits/4))
		soft := make([]int8, Rate23.OutLen(n))
		for i := range soft {
			soft[i] = int8(rng.IntN(256) - 128)
			if trial%2 == 1 {
				soft[i] = int8(rng.IntN(3)-1) * 127
			}
		}
		mother := make([]int8, 4*n)
		for j, s := range soft {
			mother[Rate23.Index(j+1)-1] = s
		}
		d1, d2 := make([]uint16, n), make([]uint64, n)
		m1, m2 := acs(d1, mother), acsSWAR23(d2, soft)
		if m1 != m2 {
			t.Fatalf("trial %d (n=%d): metric %d vs %d", trial, n, m1, m2)
		}
		d3 := make([]uint64, n)
		acsSWAR(d3, mother)
		for k := range d2 {
			if d2[k] != d3[k] {
				t.Fatalf("trial %d: decision %d differs", trial, k)
			}
		}
	}
}

func TestDepuncture(t *testing.T) {
	for _, tc := range []struct {
		p  Puncturing
		n2 int
	}{{Rate23, 288}, {Rate13, 148}, {Rate292432, 292}, {Rate148432, 148}, {Rate14, 30}} {
		n3 := tc.p.OutLen(tc.n2)
		soft := make([]int8, n3)
		for i := range soft {
			soft[i] = int8(i%120 + 1)
		}
		got, want := make([]int8, 4*tc.n2), make([]int8, 4*tc.n2)
		depuncture(got, soft, tc.p)
		for j, s := range soft {
			want[tc.p.Index(j+1)-1] = s
		}
		if string(bytesOf(got)) != string(bytesOf(want)) {
			t.Fatalf("%v: depuncture differs from Index", tc.p)
		}
	}
}

func bytesOf(s []int8) []byte {
	b := make([]byte, len(s))
	for i, v := range s {
		b[i] = byte(v)
	}
	return b
}

func TestPunctureWalk(t *testing.T) {
	for _, tc := range []struct {
		p  Puncturing
		n2 int
	}{{Rate23, 288}, {Rate13, 148}, {Rate292432, 292}, {Rate148432, 148}, {Rate14, 30}} {
		v := make([]byte, 4*tc.n2)
		for i := range v {
			v[i] = byte(i)
		}
		got := make([]byte, tc.p.OutLen(tc.n2))
		puncture(got, v, tc.p)
		for j := range got {
			if got[j] != v[tc.p.Index(j+1)-1] {
				t.Fatalf("%v: j=%d", tc.p, j+1)
			}
		}
	}
}
