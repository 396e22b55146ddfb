package phy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/codec/tchs"
	"github.com/tetrasim/tetrasim/sim/link"
)

func randBits(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(2))
	}
	return b
}

// TestRoundTripClean: every block layout survives coding, the symbol channel
// and decoding bit-exactly on a clean link.
func TestRoundTripClean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	p := New(rng)
	l := NewLink("clean", 100, 0, 0, rng)
	stch := func(second bool) []byte {
		h := []byte{1, 1, 0}
		if second {
			h[2] = 1
		}
		return append(h, randBits(rng, link.SAFBits)...)
	}
	tests := []struct {
		name string
		b    link.Block
	}{
		{"SCH/F", link.Block{Kind: link.Control, Sig: randBits(rng, link.SCHFBits)}},
		{"TCH/S", link.Block{Kind: link.Traffic, Speech: [2][]byte{randBits(rng, 137), randBits(rng, 137)}}},
		{"STCH + TCH/S stolen", link.Block{Kind: link.Traffic, Stolen: true, STCH: stch(false), Speech: [2][]byte{nil, randBits(rng, 137)}}},
		{"STCH + STCH", link.Block{Kind: link.Traffic, Stolen: true, STCH: stch(true), STCH2: stch(false)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bits := p.Encode(nil, 5, &tc.b)
			if len(bits) != Type5Bits {
				t.Fatalf("%d type-5 bits", len(bits))
			}
			var out link.Block
			p.Receive(&out, 5, 1.0, []Tx{{Bits: bits, Link: l}}, &tc.b)
			if out.BitErrors != 0 {
				t.Errorf("%d channel bit errors", out.BitErrors)
			}
			switch {
			case tc.b.Kind == link.Control:
				if !out.CRCOK || string(out.Sig) != string(tc.b.Sig) {
					t.Error("SCH/F differs")
				}
			case !tc.b.Stolen:
				if out.BFI != [2]bool{} || string(out.Speech[0]) != string(tc.b.Speech[0]) || string(out.Speech[1]) != string(tc.b.Speech[1]) {
					t.Error("TCH/S differs")
				}
			case len(tc.b.STCH2) > 0:
				if !out.CRCOK || string(out.STCH) != string(tc.b.STCH) || string(out.STCH2) != string(tc.b.STCH2) {
					t.Error("STCH pair differs")
				}
			default:
				if !out.CRCOK || !out.BFI[0] || out.BFI[1] || string(out.STCH) != string(tc.b.STCH) || string(out.Speech[1]) != string(tc.b.Speech[1]) {
					t.Error("stolen slot differs")
				}
			}
			// The wrong cell's scrambling code does not decode.
			p.Receive(&out, 6, 1.0, []Tx{{Bits: bits, Link: l}}, &tc.b)
			if tc.b.Kind == link.Control && out.CRCOK {
				t.Error("SCH/F decoded with another cell's scrambling code")
			}
		})
	}
}

// dqpskBER is the bit error rate of pi/4-DQPSK with Gray coding and
// differential detection on AWGN (Proakis, Digital Communications, 4th ed.,
// eq. 5.2-69 with the DQPSK parameters of section 5.2.8):
//
//	Pb = Q1(a, b) - 1/2 I0(ab) exp(-(a^2+b^2)/2)
//	a = sqrt(2 gb (1 - 1/sqrt2)),  b = sqrt(2 gb (1 + 1/sqrt2)),  gb = Eb/N0
//
// Q1 and I0 are integrated numerically here.
func dqpskBER(ebn0dB float64) float64 {
	g := math.Pow(10, ebn0dB/10)
	a := math.Sqrt(2 * g * (1 - 1/math.Sqrt2))
	b := math.Sqrt(2 * g * (1 + 1/math.Sqrt2))
	// exp(-(x^2+y^2)/2) I0(xy) = 1/pi ∫_0^pi exp(-(x^2+y^2)/2 + x y cos t) dt
	eI0 := func(x, y float64) float64 {
		const n = 400
		s := 0.0
		for k := 0; k < n; k++ {
			t := (float64(k) + 0.5) * math.Pi / n
			s += math.Exp(-(x*x+y*y)/2 + x*y*math.Cos(t))
		}
		return s / n
	}
	// Q1(a, b) = ∫_b^∞ x exp(-(x^2+a^2)/2) I0(a x) dx
	q := 0.0
	const dx = 0.005
	for x := b + dx/2; x < b+40; x += dx {
		q += x * eI0(a, x) * dx
	}
	return q - 0.5*eI0(a, b)
}

// TestBERTheory: the symbol channel's raw BER on AWGN is within 15 % of the
// theoretical pi/4-DQPSK differential-detection BER.
func TestBERTheory(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	p := New(rng)
	blk := link.Block{Kind: link.Control}
	for _, eb := range []float64{4, 7, 9} {
		l := NewLink("awgn", eb, 0, 0, rng)
		var errs, n int
		var out link.Block
		for errs < 2000 && n < 4e6 {
			bits := randBits(rng, Type5Bits)
			p.Receive(&out, 1, 0, []Tx{{Bits: bits, Link: l}}, &blk)
			errs += out.BitErrors
			n += out.Bits
		}
		got, want := float64(errs)/float64(n), dqpskBER(eb)
		t.Logf("Eb/N0 %.0f dB: BER %.3e, theory %.3e (%d bits)", eb, got, want, n)
		if math.Abs(got-want) > 0.15*want {
			t.Errorf("Eb/N0 %.0f dB: BER %.3e, theory %.3e", eb, got, want)
		}
	}
}

// TestCollision: two handsets in one uplink slot at equal power destroy each
// other's SCH/F; one 20 dB stronger is captured.
func TestCollision(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	p := New(rng)
	a := link.Block{Kind: link.Control, Sig: randBits(rng, link.SCHFBits)}
	b := link.Block{Kind: link.Control, Sig: randBits(rng, link.SCHFBits)}
	ba, bb := p.Encode(nil, 1, &a), p.Encode(nil, 1, &b)
	var out link.Block
	p.Receive(&out, 1, 0, []Tx{{ba, NewLink("awgn", 30, 0, 0, rng)}, {bb, NewLink("awgn", 30, 0, 0, rng)}}, &a)
	if out.CRCOK {
		t.Error("equal-power collision decoded")
	}
	p.Receive(&out, 1, 0, []Tx{{ba, NewLink("awgn", 40, 0, 0, rng)}, {bb, NewLink("awgn", 20, 0, 0, rng)}}, &a)
	if !out.CRCOK || string(out.Sig) != string(a.Sig) {
		t.Error("the stronger signal was not captured")
	}
}

// TestNoAllocs: coding, the channel and decoding of a slot allocate nothing
// once the buffers are warm.
func TestNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	p := New(rng)
	l := NewLink("tu50", 15, 18, 0, rng)
	blk := link.Block{Kind: link.Traffic, Speech: [2][]byte{randBits(rng, 137), randBits(rng, 137)}}
	var out link.Block
	bits := make([]byte, 0, Type5Bits)
	f := func() {
		bits = p.Encode(bits[:0], 1, &blk)
		p.Receive(&out, 1, 0.5, []Tx{{Bits: bits, Link: l}}, &blk)
	}
	f()
	if n := testing.AllocsPerRun(50, f); n != 0 {
		t.Errorf("%v allocations per slot", n)
	}
}

func BenchmarkSlot(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	p := New(rng)
	l := NewLink("tu50", 15, 18, 0, rng)
	blk := link.Block{Kind: link.Traffic, Speech: [2][]byte{randBits(rng, 137), randBits(rng, 137)}}
	var out link.Block
	bits := make([]byte, 0, Type5Bits)
	txs := []Tx{{Link: l}}
	b.ReportAllocs()
	for b.Loop() {
		bits = p.Encode(bits[:0], 1, &blk)
		txs[0].Bits = bits
		p.Receive(&out, 1, 0.5, txs, &blk)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "slots/s")
	b.ReportMetric(float64(b.N)*0.0141667/b.Elapsed().Seconds(), "x-realtime")
}

// protectedMask marks the class-1 and class-2 bits of a speech frame: the
// bits whose change alters more than one coded bit of a TCH/S block (a class-0
// bit is sent uncoded, EN 300 395-2 clause 5.5).
func protectedMask(t *testing.T) (m [link.SpeechBits]bool) {
	zero := make([]byte, link.SpeechBits)
	ref := tchs.Encode(make([]byte, tchs.BlockBits), zero, zero)
	n := 0
	for i := range m {
		a := make([]byte, link.SpeechBits)
		a[i] = 1
		c := tchs.Encode(make([]byte, tchs.BlockBits), a, zero)
		d := 0
		for k := range c {
			if c[k] != ref[k] {
				d++
			}
		}
		m[i] = d > 1
		if m[i] {
			n++
		}
	}
	if n != tchs.N1+tchs.N2 {
		t.Fatalf("%d protected bits, want %d", n, tchs.N1+tchs.N2)
	}
	return m
}

// TestUnreliableDetector measures link.Block.Unreliable on TU50 flat fading at
// 20 dB Eb/N0 (the default scenario's channel), handset speeds 15-70 km/h:
// among speech frames whose parity passed, it must flag at least 90% of those
// with residual class-1/class-2 errors (which the parity misses, and which
// fail E2EE tags) and at most 1.5% (full slot) or 3% (stolen slot) of the
// error-free ones. On a clean channel it flags nothing.
func TestUnreliableDetector(t *testing.T) {
	prot := protectedMask(t)
	for _, stolen := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(20, 1))
		p := New(rng)
		var resid, caught, clean, flagged, bfi int
		for link_ := 0; link_ < 20; link_++ {
			l := NewLink("tu50", 20, 11+40*rng.Float64(), 0, rng)
			for s := 0; s < 250; s++ {
				blk := link.Block{Kind: link.Traffic, Stolen: stolen,
					Speech: [2][]byte{randBits(rng, link.SpeechBits), randBits(rng, link.SpeechBits)}}
				if stolen {
					blk.STCH = append([]byte{1, 1, 0}, randBits(rng, link.SAFBits)...)
				}
				var out link.Block
				p.Receive(&out, 1, float64(s)*4*255/SymbolRate, []Tx{{Bits: p.Encode(nil, 1, &blk), Link: l}}, &blk)
				for k := 0; k < 2; k++ {
					if stolen && k == 0 {
						continue
					}
					if out.BFI[k] {
						bfi++
						if out.Unreliable[k] {
							t.Fatal("a BFI frame is also flagged unreliable")
						}
						continue
					}
					wrong := false
					for i, b := range out.Speech[k] {
						wrong = wrong || (prot[i] && b != blk.Speech[k][i])
					}
					if wrong {
						resid++
						if out.Unreliable[k] {
							caught++
						}
					} else {
						clean++
						if out.Unreliable[k] {
							flagged++
						}
					}
				}
			}
		}
		maxFlagged := 0.015
		if stolen {
			maxFlagged = 0.03
		}
		t.Logf("stolen=%v: %d BFI; residual errors behind a good parity in %d frames, %d flagged; %d of %d error-free frames flagged",
			stolen, bfi, resid, caught, flagged, clean)
		if resid < 10 {
			t.Fatalf("only %d frames with residual errors: the test channel is too good to measure anything", resid)
		}
		if float64(caught) < 0.9*float64(resid) {
			t.Errorf("stolen=%v: flagged %d of %d frames with residual errors, want at least 90%%", stolen, caught, resid)
		}
		if float64(flagged) > maxFlagged*float64(clean) {
			t.Errorf("stolen=%v: flagged %d of %d error-free frames, want at most %.1f%%", stolen, flagged, clean, 100*maxFlagged)
		}
	}
	// Clean channel: nothing is flagged.
	rng := rand.New(rand.NewPCG(21, 1))
	p := New(rng)
	l := NewLink("clean", 100, 0, 0, rng)
	for s := 0; s < 20; s++ {
		blk := link.Block{Kind: link.Traffic, Speech: [2][]byte{randBits(rng, link.SpeechBits), randBits(rng, link.SpeechBits)}}
		var out link.Block
		p.Receive(&out, 1, 0, []Tx{{Bits: p.Encode(nil, 1, &blk), Link: l}}, &blk)
		if out.Unreliable != [2]bool{} || out.BFI != [2]bool{} {
			t.Fatalf("clean slot: BFI %v, unreliable %v", out.BFI, out.Unreliable)
		}
	}
}
