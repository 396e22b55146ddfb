package fixpoint

import (
	"fmt"
	"testing"
)

func TestKAT16x16(t *testing.T) {
	for _, c := range kat16x16 {
		name := fmt.Sprintf("a=%d,b=%d", c.a, c.b)
		if g := Add(c.a, c.b); g != c.add {
			t.Errorf("%s: Add = %d, want %d", name, g, c.add)
		}
		if g := Sub(c.a, c.b); g != c.sub {
			t.Errorf("%s: Sub = %d, want %d", name, g, c.sub)
		}
		if g := Mult(c.a, c.b); g != c.mult {
			t.Errorf("%s: Mult = %d, want %d", name, g, c.mult)
		}
		if g := MultR(c.a, c.b); g != c.multR {
			t.Errorf("%s: MultR = %d, want %d", name, g, c.multR)
		}
		if g := LMult(c.a, c.b); g != c.lMult {
			t.Errorf("%s: LMult = %d, want %d", name, g, c.lMult)
		}
		if g, ov := LMultO(c.a, c.b); g != c.lMult || ov != c.ov {
			t.Errorf("%s: LMultO = %d, %v, want %d, %v", name, g, ov, c.lMult, c.ov)
		}
		if g := LMult0(c.a, c.b); g != c.lMult0 {
			t.Errorf("%s: LMult0 = %d, want %d", name, g, c.lMult0)
		}
		if c.divS >= 0 {
			if g := DivS(c.a, c.b); g != c.divS {
				t.Errorf("%s: DivS = %d, want %d", name, g, c.divS)
			}
		}
	}
}

func TestKAT16(t *testing.T) {
	for _, c := range kat16 {
		if g := Abs(c.a); g != c.abs {
			t.Errorf("Abs(%d) = %d, want %d", c.a, g, c.abs)
		}
		if g := Negate(c.a); g != c.negate {
			t.Errorf("Negate(%d) = %d, want %d", c.a, g, c.negate)
		}
		if g := NormS(c.a); g != c.normS {
			t.Errorf("NormS(%d) = %d, want %d", c.a, g, c.normS)
		}
		if g := LDepositH(c.a); g != c.depH {
			t.Errorf("LDepositH(%d) = %d, want %d", c.a, g, c.depH)
		}
		if g := LDepositL(c.a); g != c.depL {
			t.Errorf("LDepositL(%d) = %d, want %d", c.a, g, c.depL)
		}
	}
}

func TestKATShift16(t *testing.T) {
	for _, c := range katShift16 {
		if g := Shl(c.a, c.n); g != c.shl {
			t.Errorf("Shl(%d, %d) = %d, want %d", c.a, c.n, g, c.shl)
		}
		if g := Shr(c.a, c.n); g != c.shr {
			t.Errorf("Shr(%d, %d) = %d, want %d", c.a, c.n, g, c.shr)
		}
	}
}

func TestKATShift32(t *testing.T) {
	for _, c := range katShift32 {
		if g := LShl(c.x, c.n); g != c.lShl {
			t.Errorf("LShl(%d, %d) = %d, want %d", c.x, c.n, g, c.lShl)
		}
		if g, ov := LShlO(c.x, c.n); g != c.lShl || ov != c.ov {
			t.Errorf("LShlO(%d, %d) = %d, %v, want %d, %v", c.x, c.n, g, ov, c.lShl, c.ov)
		}
		if g := LShr(c.x, c.n); g != c.lShr {
			t.Errorf("LShr(%d, %d) = %d, want %d", c.x, c.n, g, c.lShr)
		}
		if g := LShrR(c.x, c.n); g != c.lShrR {
			t.Errorf("LShrR(%d, %d) = %d, want %d", c.x, c.n, g, c.lShrR)
		}
	}
}

func TestKAT32x32(t *testing.T) {
	for _, c := range kat32x32 {
		if g := LAdd(c.x, c.y); g != c.lAdd {
			t.Errorf("LAdd(%d, %d) = %d, want %d", c.x, c.y, g, c.lAdd)
		}
		if g, ov := LAddO(c.x, c.y); g != c.lAdd || ov != c.ov {
			t.Errorf("LAddO(%d, %d) = %d, %v, want %d, %v", c.x, c.y, g, ov, c.lAdd, c.ov)
		}
		if g := LSub(c.x, c.y); g != c.lSub {
			t.Errorf("LSub(%d, %d) = %d, want %d", c.x, c.y, g, c.lSub)
		}
	}
}

func TestKAT32(t *testing.T) {
	for _, c := range kat32 {
		if g := LAbs(c.x); g != c.lAbs {
			t.Errorf("LAbs(%d) = %d, want %d", c.x, g, c.lAbs)
		}
		if g := LNegate(c.x); g != c.lNegate {
			t.Errorf("LNegate(%d) = %d, want %d", c.x, g, c.lNegate)
		}
		if g := NormL(c.x); g != c.normL {
			t.Errorf("NormL(%d) = %d, want %d", c.x, g, c.normL)
		}
		if g := Round(c.x); g != c.round {
			t.Errorf("Round(%d) = %d, want %d", c.x, g, c.round)
		}
		if g := ExtractH(c.x); g != c.extH {
			t.Errorf("ExtractH(%d) = %d, want %d", c.x, g, c.extH)
		}
		if g := ExtractL(c.x); g != c.extL {
			t.Errorf("ExtractL(%d) = %d, want %d", c.x, g, c.extL)
		}
		if g := InvSqrt(c.x); g != c.invSqrt {
			t.Errorf("InvSqrt(%d) = %d, want %d", c.x, g, c.invSqrt)
		}
		if e, f := Log2(c.x); e != c.logE || f != c.logF {
			t.Errorf("Log2(%d) = %d, %d, want %d, %d", c.x, e, f, c.logE, c.logF)
		}
		if hi, lo := LExtract(c.x); hi != c.hi || lo != c.lo {
			t.Errorf("LExtract(%d) = %d, %d, want %d, %d", c.x, hi, lo, c.hi, c.lo)
		}
	}
}

func TestKATPow2(t *testing.T) {
	for _, c := range katPow2 {
		if g := Pow2(c.e, c.f); g != c.p {
			t.Errorf("Pow2(%d, %d) = %d, want %d", c.e, c.f, g, c.p)
		}
	}
}

func TestMacOverflow(t *testing.T) {
	tests := []struct {
		name    string
		acc     int32
		a, b    int16
		want    int32
		wantOv  bool
		want0   int32
		want0Ov bool
	}{
		{"plain", 100, 3, 4, 124, false, 112, false},
		{"mult saturates", 0, Min16, Min16, Max32, true, 0x40000000, false},
		{"mult saturates then add", -1, Min16, Min16, Max32 - 1, true, 0x3fffffff, false},
		{"add saturates", Max32 - 5, 3, 3, Max32, true, Max32, true},
		{"negative saturates", Min32 + 1, 1, -1, Min32, true, Min32, false},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			if g, ov := LMacO(c.acc, c.a, c.b); g != c.want || ov != c.wantOv {
				t.Errorf("LMacO = %d, %v, want %d, %v", g, ov, c.want, c.wantOv)
			}
			if g := LMac(c.acc, c.a, c.b); g != c.want {
				t.Errorf("LMac = %d, want %d", g, c.want)
			}
			if g, ov := LMac0O(c.acc, c.a, c.b); g != c.want0 || ov != c.want0Ov {
				t.Errorf("LMac0O = %d, %v, want %d, %v", g, ov, c.want0, c.want0Ov)
			}
		})
	}
}

func TestBinInt(t *testing.T) {
	b := make([]int16, 9)
	for v := int16(0); v < 512; v++ {
		Int2Bin(v, 9, b)
		if g := Bin2Int(9, b); g != v {
			t.Fatalf("Bin2Int(Int2Bin(%d)) = %d", v, g)
		}
	}
	Int2Bin(5, 3, b)
	if b[0] != 1 || b[1] != 0 || b[2] != 1 {
		t.Errorf("Int2Bin(5, 3) = %v, want MSB first [1 0 1]", b[:3])
	}
}

func TestDivSPanicsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("DivS(2, 1) did not panic")
		}
	}()
	DivS(2, 1)
}

// lcg is the generator of the reference checksum run (numerical recipes
// constants), reproduced so the same 200000 random operand sets are drawn.
type lcg struct{ s uint32 }

func (g *lcg) next() uint32 { g.s = g.s*1664525 + 1013904223; return g.s }

func (g *lcg) r16() int16 {
	r := g.next()
	switch r >> 29 {
	case 0:
		return int16(r&0xff) - 128
	case 1:
		v := int16((r >> 8) & 0x7fff)
		if r&1 != 0 {
			v ^= -1
		}
		return v
	default:
		return int16(r >> 8)
	}
}

func (g *lcg) r32() int32 {
	r := g.next()
	s := g.next()
	if s>>30 == 0 {
		v := int32(r >> (s & 31))
		if (s>>5)&1 != 0 {
			v ^= -1
		}
		return v
	}
	return int32(r)
}

type fnv struct{ h uint64 }

func (f *fnv) mix(v int32) {
	u := uint32(v)
	for k := 0; k < 4; k++ {
		f.h ^= uint64((u >> (8 * k)) & 0xff)
		f.h *= 1099511628211
	}
}

func (f *fnv) mix16(v int16) { f.mix(int32(v)) }

// TestRandomChecksum runs every operator on 200000 pseudo-random operand
// sets and compares an FNV-1a hash of all results with the hash the ETSI
// reference operators gave on the same operands.
func TestRandomChecksum(t *testing.T) {
	g := lcg{1}
	h := fnv{1469598103934665603}
	for k := 0; k < 200000; k++ {
		a, b := g.r16(), g.r16()
		n := int16(int32(g.next()%80) - 40)
		x, y := g.r32(), g.r32()
		h.mix16(Add(a, b))
		h.mix16(Sub(a, b))
		h.mix16(Mult(a, b))
		h.mix16(MultR(a, b))
		h.mix(LMult(a, b))
		h.mix16(Abs(a))
		h.mix16(Negate(a))
		h.mix16(Shl(a, n))
		h.mix16(Shr(a, n))
		h.mix(LShl(x, n))
		h.mix(LShr(x, n))
		h.mix(LShrR(x, n))
		h.mix(LAdd(x, y))
		h.mix(LSub(x, y))
		h.mix(LMac(x, a, b))
		h.mix(LMsu(x, a, b))
		h.mix(LMac0(x, a, b))
		h.mix(LMsu0(x, a, b))
		h.mix16(NormS(a))
		h.mix16(NormL(x))
		h.mix16(Round(x))
		h.mix(LAbs(x))
		h.mix(LNegate(x))
		aa, bb := Abs(a), Abs(b)
		if bb == 0 {
			bb = 1
		}
		if aa > bb {
			aa, bb = bb, aa
		}
		h.mix16(DivS(aa, bb))
		sh := int16(g.next() & 15)
		h.mix(AddSh(x, a, sh))
		h.mix(SubSh(x, a, sh))
		h.mix(LoadSh(a, sh))
		h.mix(AddSh16(x, a))
		h.mix(SubSh16(x, a))
		h.mix(LoadSh16(a))
		h.mix16(StoreHi(x, int16(g.next()&7)))
		hi, lo := LExtract(x)
		h.mix16(hi)
		h.mix16(lo)
		h.mix(LComp(hi, lo))
		h.mix(MpyMix(hi, lo, b))
		h2, l2 := LExtract(y)
		h.mix(Mpy32(hi, lo, h2, l2))
		h.mix(InvSqrt(x))
		e, f := Log2(x)
		h.mix16(e)
		h.mix16(f)
		pe := int16(g.next() % 31)
		pf := int16(g.next() & 0x7fff)
		h.mix(Pow2(pe, pf))
		v, vs := NormV(x, int16(g.next()%32))
		h.mix(v)
		h.mix16(vs)
		den := int32((g.next() >> 1) | 0x40000000)
		num := int32(g.next() >> 1)
		if num > den {
			num = den
		}
		dh, dl := LExtract(den)
		h.mix(Div32(num, dh, dl))
	}
	if h.h != randomChecksum {
		t.Errorf("checksum over 200000 random operand sets = %#016x, want %#016x (ETSI reference)", h.h, randomChecksum)
	}
}
