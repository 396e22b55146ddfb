package scramble

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

type seqVec struct {
	InitReg  string `json:"init_reg"`
	First432 string `json:"first_432"`
}

func TestSequenceVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key          string
		mcc, mnc     uint16
		cc           uint8
		wantRegister Code
	}{
		{"scramb_seq_mcc0_mnc0_cc0", 0, 0, 0, BSCH},
		{"scramb_seq_mcc262_mnc42_cc5", 262, 42, 5, 0x41802A17},
		{"scramb_seq_mcc234_mnc30_cc17", 234, 30, 17, 0x3A801E47},
		{"scramb_seq_mcc1023_mnc16383_cc63", 1023, 16383, 63, 0xFFFFFFFF},
	}
	n := 0
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			var v seqVec
			if err := json.Unmarshal(all[tc.key], &v); err != nil {
				t.Fatal(err)
			}
			c := Cell(tc.mcc, tc.mnc, tc.cc)
			if c != tc.wantRegister {
				t.Fatalf("Cell = %#08x, want %#08x", uint32(c), uint32(tc.wantRegister))
			}
			reg, _ := strconv.ParseUint(v.InitReg, 0, 32)
			if Code(reg) != c {
				t.Fatalf("vector init_reg %s, Cell %#08x", v.InitReg, uint32(c))
			}
			seq := make([]byte, 432)
			Sequence(seq, c)
			for i := range seq {
				if seq[i] != v.First432[i]-'0' {
					t.Fatalf("bit %d differs", i)
				}
			}
			n++
			// Bits over zeros gives the sequence; applying twice is the identity.
			z := make([]byte, 432)
			Bits(z, c)
			if string(z) != string(seq) {
				t.Fatal("Bits(0) != Sequence")
			}
			Bits(z, c)
			for _, x := range z {
				if x != 0 {
					t.Fatal("Bits twice is not the identity")
				}
			}
			mcc, mnc, cc := c.ColourCode()
			if mcc != tc.mcc || mnc != tc.mnc || cc != tc.cc {
				t.Fatalf("ColourCode = %d %d %d", mcc, mnc, cc)
			}
		})
	}
	t.Logf("scrambling sequences bit-exact: %d of %d", n, len(tests))
}

// TestRegisterFormula checks the 32-bit register against the recurrence of
// clause 8.2.5 written with p(k) indices, and the first 32 BSCH bits of
// air-interface.md §9.
func TestRegisterFormula(t *testing.T) {
	const want = "10111111111101001111000110011010"
	seq := make([]byte, 32)
	Sequence(seq, BSCH)
	for i := range seq {
		if seq[i] != want[i]-'0' {
			t.Fatalf("BSCH bit %d", i)
		}
	}
	taps := []int{1, 2, 4, 5, 7, 8, 10, 11, 12, 16, 22, 23, 26, 32}
	c := Cell(262, 1001, 2)
	if c != 0x4183E90B {
		t.Fatalf("Cell(262,1001,2) = %#08x", uint32(c))
	}
	// p(k) for k = -31…0 from the initial state, then the recurrence.
	p := map[int]byte{-31: 1, -30: 1}
	e := uint32(c) >> 2
	for k := -29; k <= 0; k++ {
		p[k] = byte(e>>(30-(1-k))) & 1 // e(1-k), e(1) is the MSB of 30 bits
	}
	got := make([]byte, 200)
	Sequence(got, c)
	for k := 1; k <= 200; k++ {
		var b byte
		for _, i := range taps {
			b ^= p[k-i]
		}
		p[k] = b
		if got[k-1] != b {
			t.Fatalf("p(%d) = %d, recurrence %d", k, got[k-1], b)
		}
	}
}

func TestSoft(t *testing.T) {
	s := []int8{127, -127, 5, -128, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}
	seq := make([]byte, len(s))
	Sequence(seq, BSCH)
	orig := append([]int8(nil), s...)
	Soft(s, BSCH)
	for i := range s {
		w := max(orig[i], -127)
		if seq[i] == 1 {
			w = -w
		}
		if s[i] != w {
			t.Fatalf("soft %d: %d want %d", i, s[i], w)
		}
	}
}

func BenchmarkBits432(b *testing.B) {
	buf := make([]byte, 432)
	c := Cell(262, 42, 5)
	b.ReportAllocs()
	for b.Loop() {
		Bits(buf, c)
	}
	b.ReportMetric(float64(b.N*len(buf))/b.Elapsed().Seconds(), "bits/s")
}

func TestScramblerMatches(t *testing.T) {
	var sc Scrambler
	for _, c := range []Code{BSCH, Cell(262, 42, 5), Cell(1, 2, 3), BSCH} {
		for _, n := range []int{30, 120, 216, 432, 500} {
			a, b := make([]byte, n), make([]byte, n)
			for i := range a {
				a[i] = byte(i*7) & 1
				b[i] = a[i]
			}
			Bits(a, c)
			sc.Bits(b, c)
			if string(a) != string(b) {
				t.Fatalf("Bits differ: code %#x n %d", uint32(c), n)
			}
			x, y := make([]int8, n), make([]int8, n)
			for i := range x {
				x[i] = int8(i*37 - 128)
				y[i] = x[i]
			}
			Soft(x, c)
			sc.Soft(y, c)
			for i := range x {
				if x[i] != y[i] {
					t.Fatalf("Soft differs at %d: %d vs %d", i, x[i], y[i])
				}
			}
		}
	}
}

func TestScramblerAllocs(t *testing.T) {
	var sc Scrambler
	b := make([]byte, 432)
	s := make([]int8, 432)
	if n := testing.AllocsPerRun(20, func() { sc.Bits(b, 3); sc.Soft(s, 7) }); n != 0 {
		t.Fatalf("allocates %.0f", n)
	}
}

func BenchmarkScrambler432(b *testing.B) {
	var sc Scrambler
	buf := make([]int8, 432)
	c := Cell(262, 42, 5)
	b.ReportAllocs()
	for b.Loop() {
		sc.Soft(buf, c)
	}
	b.ReportMetric(float64(b.N*len(buf))/b.Elapsed().Seconds(), "bits/s")
}

// TestTablesMatchLoop checks the byte tables against the bit-serial loop.
func TestTablesMatchLoop(t *testing.T) {
	reg := uint32(0x41802A17)
	for i := 0; i < 1000; i++ {
		want := step8(reg)
		fb, got := next8(reg)
		if got != want || uint32(fb) != want>>24 {
			t.Fatalf("step %d: %#08x vs %#08x", i, got, want)
		}
		reg = got*2654435761 + uint32(i) // wander over registers
	}
}
