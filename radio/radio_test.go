package radio

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
)

// vectors is the subset of testdata/vectors.json (shared cch/vectors.json) the tests use.
type vectors struct {
	Sync struct {
		Burst string `json:"burst_510"`
	} `json:"sync_cont_dl_burst_retsplines"`
	TCHS struct {
		Type5 string `json:"type5_432"`
		BB    string `json:"bb_type5_30"`
		Burst string `json:"normal_cont_dl_burst_510"`
	} `json:"tchs_hts1a_frames1_2"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func bitString(s string) []byte {
	b := make([]byte, len(s))
	for i := range s {
		b[i] = s[i] - '0'
	}
	return b
}

func TestTimeSlotRoundTrip(t *testing.T) {
	tm := Time{TN: 1, FN: 1, MN: 1}
	for n := int64(0); n < 3*SlotsPerHyperframe; n++ {
		if !tm.Valid() {
			t.Fatalf("slot %d: invalid %v", n, tm)
		}
		if tm.Slot() != n || TimeAt(n) != tm {
			t.Fatalf("slot %d: %v Slot()=%d TimeAt=%v", n, tm, tm.Slot(), TimeAt(n))
		}
		tm = tm.Next()
	}
	if got := (Time{TN: 4, FN: 18, MN: 60, HN: 65535}).Next(); got != (Time{TN: 1, FN: 1, MN: 1, HN: 0}) {
		t.Errorf("wrap: %v", got)
	}
	if got := (Time{TN: 1, FN: 1, MN: 1}).Add(-1); got != (Time{TN: 4, FN: 18, MN: 60, HN: 65535}) {
		t.Errorf("Add(-1): %v", got)
	}
	if (Time{}).Valid() {
		t.Error("zero Time is valid")
	}
}

// TestBroadcastSlots checks the BSCH/BNCH rule of clause 9.5.2 against the
// table of air-interface.md §3 and the reference sync burst (MN 51, TN 4).
func TestBroadcastSlots(t *testing.T) {
	want := [4][2]int{{3, 1}, {2, 4}, {1, 3}, {4, 2}} // MN mod 4 → BSCH TN, BNCH TN
	for mn := 1; mn <= 60; mn++ {
		w := want[mn%4]
		if BSCHTimeslot(mn) != w[0] || BNCHTimeslot(mn) != w[1] {
			t.Errorf("MN %d: BSCH %d BNCH %d, want %v", mn, BSCHTimeslot(mn), BNCHTimeslot(mn), w)
		}
	}
	if !(Time{TN: 4, FN: 18, MN: 51}).HasBSCH() {
		t.Error("reference sync burst slot MN 51 FN 18 TN 4 is not a BSCH slot")
	}
	if (Time{TN: 4, FN: 17, MN: 51}).HasBSCH() {
		t.Error("BSCH outside frame 18")
	}
}

// TestSyncBurstVector parses the independent 510-bit sync burst and rebuilds
// it bit-exactly, phase bits hc = 10 and hd = 01 included.
func TestSyncBurstVector(t *testing.T) {
	v := loadVectors(t)
	in := bitString(v.Sync.Burst)
	var b Burst
	if err := b.Parse(SyncDL, in); err != nil {
		t.Fatal(err)
	}
	if len(b.Block1) != 120 || len(b.Block2) != 216 || len(b.BB) != 30 {
		t.Fatalf("block sizes %d %d %d", len(b.Block1), len(b.Block2), len(b.BB))
	}
	if in[12] != 1 || in[13] != 0 || in[498] != 0 || in[499] != 1 {
		t.Fatalf("vector phase bits hc=%d%d hd=%d%d", in[12], in[13], in[498], in[499])
	}
	out, err := b.AppendBits(nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := distance(out, in); d != 0 {
		t.Fatalf("re-encoded sync burst differs in %d bits", d)
	}
	if typ, _, errs := Classify(toSoft(in)); typ != SyncDL || errs != 0 {
		t.Errorf("Classify: %v, %d errors", typ, errs)
	}
}

// TestNormalBurstVector builds the TCH/S normal burst of the worked example
// (air-interface.md §13) from its type-5 bits and AACH codeword.
func TestNormalBurstVector(t *testing.T) {
	v := loadVectors(t)
	t5 := bitString(v.TCHS.Type5)
	want := bitString(v.TCHS.Burst)
	b := Burst{Type: NormalDL, Block1: t5[:216], Block2: t5[216:], BB: bitString(v.TCHS.BB)}
	out, err := b.AppendBits(make([]byte, 0, SlotBits))
	if err != nil {
		t.Fatal(err)
	}
	if d := distance(out, want); d != 0 {
		t.Fatalf("normal burst differs in %d bits", d)
	}
	if out[12] != 1 || out[13] != 1 || out[498] != 0 || out[499] != 0 {
		t.Errorf("ha=%d%d hb=%d%d, want 11 and 00", out[12], out[13], out[498], out[499])
	}
	var p Burst
	if err := p.Parse(NormalDL, want); err != nil {
		t.Fatal(err)
	}
	if p.SlotFlag || distance(p.Block1, t5[:216]) != 0 || distance(p.Block2, t5[216:]) != 0 || distance(p.BB, bitString(v.TCHS.BB)) != 0 {
		t.Error("parsed blocks differ")
	}
	if typ, flag, errs := Classify(toSoft(want)); typ != NormalDL || flag || errs != 0 {
		t.Errorf("Classify: %v %v %d", typ, flag, errs)
	}
}

func toSoft(b []byte) []int8 {
	s := make([]int8, len(b))
	for i, v := range b {
		s[i] = 127
		if v&1 == 1 {
			s[i] = -127
		}
	}
	return s
}

// phaseSum returns the total phase change, in units of π/4 mod 8, of
// symbols n1…n2 (1-based from base) plus the h symbol at bit hpos.
func phaseSum(bits []byte, base, n1, n2, hpos int) int {
	s := 0
	for k := n1; k <= n2; k++ {
		s += dibitPhase[bits[base+2*k-2]<<1|bits[base+2*k-1]]
	}
	s += dibitPhase[bits[hpos]<<1|bits[hpos+1]]
	return ((s % 8) + 8) % 8
}

// TestBurstRoundTrip builds every burst type from random blocks, checks the
// fixed fields and the phase property, and parses it back.
func TestBurstRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	rnd := func(n int) []byte {
		if n == 0 {
			return nil
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		return b
	}
	for _, typ := range []BurstType{NormalDL, SyncDL, NormalDiscDL, SyncDiscDL, NormalUL, ControlUL} {
		for _, flag := range []bool{false, true} {
			if flag && (typ.Sync() || typ == ControlUL) {
				continue
			}
			t.Run(typ.String(), func(t *testing.T) {
				for iter := 0; iter < 50; iter++ {
					n1, n2, nbb := typ.blockSizes()
					in := Burst{Type: typ, SlotFlag: flag, Block1: rnd(n1), Block2: rnd(n2), BB: rnd(nbb)}
					bits, err := in.AppendBits(nil)
					if err != nil {
						t.Fatal(err)
					}
					if len(bits) != typ.Bits() {
						t.Fatalf("len %d", len(bits))
					}
					for _, f := range layouts[typ] {
						if f.kind == fPhase {
							if s := phaseSum(bits, f.base, f.n1, f.n2, f.start); s != 0 {
								t.Fatalf("phase range %d-%d sums to %d·π/4", f.n1, f.n2, s)
							}
						}
					}
					var out Burst
					if err := out.Parse(typ, bits); err != nil {
						t.Fatal(err)
					}
					if out.SlotFlag != flag || distance(out.Block1, in.Block1) != 0 || distance(out.Block2, in.Block2) != 0 || distance(out.BB, in.BB) != 0 ||
						len(out.Block1) != n1 || len(out.Block2) != n2 || len(out.BB) != nbb {
						t.Fatal("round trip differs")
					}
				}
			})
		}
	}
}

// TestBurstFixedFields pins the training sequences and fixed fields of
// air-interface.md §4 against the bit offsets there.
func TestBurstFixedFields(t *testing.T) {
	b := Burst{Type: NormalUL, Block1: make([]byte, 216), Block2: make([]byte, 216), SlotFlag: true}
	bits, _ := b.AppendBits(nil)
	if string(digits(bits[34:38])) != "1100" || string(digits(bits[492:496])) != "1100" {
		t.Error("NUB tails")
	}
	if string(digits(bits[254:276])) != "0111101001000011011110" {
		t.Error("NUB training p")
	}
	c := Burst{Type: ControlUL, Block1: make([]byte, 168)}
	bits, _ = c.AppendBits(nil)
	if len(bits) != 255 || string(digits(bits[122:152])) != "100111010000111010011101000011" {
		t.Error("CB x")
	}
	d := Burst{Type: SyncDiscDL, Block1: make([]byte, 120), Block2: make([]byte, 216), BB: make([]byte, 30)}
	bits, _ = d.AppendBits(nil)
	if string(digits(bits[10:12])) != "01" || string(digits(bits[500:502])) != "10" ||
		string(digits(bits[214:252])) != "11000001100111001110100111000001100111" {
		t.Error("sync discontinuous fixed fields")
	}
	if string(digits(bits[14:22])) != "11111111" || string(digits(bits[86:94])) != "11111111" || bits[22] != 0 || bits[85] != 0 {
		t.Error("frequency correction field")
	}
	n := Burst{Type: NormalDL, Block1: make([]byte, 216), Block2: make([]byte, 216), BB: make([]byte, 30)}
	bits, _ = n.AppendBits(nil)
	if string(digits(bits[0:12])) != "000110101101" || string(digits(bits[500:510])) != "1011011100" ||
		string(digits(bits[244:266])) != "1101000011101001110100" {
		t.Error("NDB q or n")
	}
}

func digits(b []byte) []byte {
	s := make([]byte, len(b))
	for i, v := range b {
		s[i] = '0' + v
	}
	return s
}

func TestBurstErrors(t *testing.T) {
	if _, err := (&Burst{Type: NormalDL, Block1: make([]byte, 215)}).AppendBits(nil); !errors.Is(err, ErrBurstSize) {
		t.Errorf("short block: %v", err)
	}
	if _, err := (&Burst{}).AppendBits(nil); !errors.Is(err, ErrBurstType) {
		t.Errorf("zero type: %v", err)
	}
	if _, err := ParseBurst(NormalDL, make([]byte, SlotBits)); !errors.Is(err, ErrTraining) {
		t.Errorf("no training: %v", err)
	}
	if _, err := ParseBurst(SyncDL, make([]byte, 509)); !errors.Is(err, ErrBurstSize) {
		t.Errorf("short burst: %v", err)
	}
}

func TestClassifyNoisy(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, typ := range []BurstType{NormalDL, SyncDL} {
		for _, flag := range []bool{false, true} {
			if flag && typ == SyncDL {
				continue
			}
			n1, n2, _ := typ.blockSizes()
			b := Burst{Type: typ, SlotFlag: flag, Block1: make([]byte, n1), Block2: make([]byte, n2), BB: make([]byte, 30)}
			for i := range b.Block1 {
				b.Block1[i] = byte(rng.IntN(2))
			}
			bits, _ := b.AppendBits(nil)
			soft := toSoft(bits)
			for i := 0; i < 3; i++ { // three random bit errors anywhere
				soft[rng.IntN(len(soft))] *= -1
			}
			if gt, gf, _ := Classify(soft); gt != typ || gf != flag {
				t.Errorf("%v/%v classified as %v/%v", typ, flag, gt, gf)
			}
		}
	}
}

func TestParseAllocs(t *testing.T) {
	v := loadVectors(t)
	in := bitString(v.Sync.Burst)
	var b Burst
	dst := make([]byte, 0, SlotBits)
	allocs := testing.AllocsPerRun(100, func() {
		_ = b.Parse(SyncDL, in)
		dst, _ = b.AppendBits(dst[:0])
	})
	if allocs != 0 {
		t.Errorf("Parse+AppendBits allocate %.1f times", allocs)
	}
}

func BenchmarkBurstBuild(b *testing.B) {
	v := loadVectors(b)
	t5 := bitString(v.TCHS.Type5)
	bu := Burst{Type: NormalDL, Block1: t5[:216], Block2: t5[216:], BB: bitString(v.TCHS.BB)}
	dst := make([]byte, 0, SlotBits)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = bu.AppendBits(dst[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bursts/s")
}

// FuzzBurst: the burst parser never panics; a parsed burst rebuilds into a
// burst that parses to the same blocks; Classify accepts any soft slot.
func FuzzBurst(f *testing.F) {
	v := loadVectors(f)
	f.Add(uint8(SyncDL), bitString(v.Sync.Burst))
	f.Add(uint8(NormalDL), bitString(v.TCHS.Burst))
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		if len(data) > 2*SlotBits {
			return
		}
		bt := BurstType(typ % 8)
		var b Burst
		if err := b.Parse(bt, data); err == nil {
			out, err := b.AppendBits(nil)
			if err != nil {
				t.Fatalf("%v: rebuild: %v", bt, err)
			}
			var c Burst
			if err := c.Parse(bt, out); err != nil {
				t.Fatalf("%v: reparse: %v", bt, err)
			}
			if c.SlotFlag != b.SlotFlag || distance(c.Block1, b.Block1) != 0 || distance(c.Block2, b.Block2) != 0 || distance(c.BB, b.BB) != 0 {
				t.Fatalf("%v: blocks differ after rebuild", bt)
			}
		}
		if len(data) >= SlotBits {
			soft := make([]int8, SlotBits)
			for i := range soft {
				soft[i] = int8(data[i])
			}
			Classify(soft)
		}
	})
}
