package rcpc

// Decoder is a soft-decision Viterbi decoder for the 16-state mother code of
// EN 300 392-2 clause 8.2.3.1, for blocks that start and end in state 0 (the
// 4 tail bits of the type-2 block): clause 8.2.3.1 decoding as described in
// air-interface.md §7.3. It maximises the correlation Σ (1 − 2c)·s between
// the code bits c and the soft bits s, which is maximum likelihood on an AWGN
// channel.
//
// The add-compare-select recursion runs on four 16-bit metrics per uint64
// (acs_swar.go, pure Go), with a kernel for rate 2/3 that reads the punctured
// bits directly (acs_swar23.go); both are tested decision for decision
// against the plain butterfly loop acs in viterbi.go.
//
// The zero value is ready to use. A Decoder is not safe for concurrent use.
// Decode and DecodeMother do not allocate.
type Decoder struct {
	mother [4 * MaxBits]int8
	dec    [MaxBits]uint64 // decision words of acsSWAR, one per step
}

// Decode depunctures the type-3 soft bits soft (scheme p; punctured positions
// become erasures) and decodes them into len(dst) type-2 bits (tail included),
// returning the path metric (the correlation, higher is better). It panics if
// len(dst) > MaxBits or len(soft) != p.OutLen(len(dst)).
func (d *Decoder) Decode(dst []byte, soft []int8, p Puncturing) int {
	n := len(dst)
	if n > MaxBits || n == 0 || p.OutLen(n) != len(soft) {
		panic("rcpc: Decoder.Decode: soft length does not match puncturing and block length")
	}
	if p == Rate23 && n%4 == 0 {
		dec := d.dec[:n]
		metric := acsSWAR23(dec, soft)
		tracebackSWAR(dst, dec)
		return int(metric)
	}
	m := d.mother[:4*n]
	if p == Rate14 {
		copy(m, soft)
	} else {
		clear(m)
		switch p {
		case Rate23:
			// Fast path: k = 8q + {1,2,5} for j = 3q + {1,2,3}.
			for q := 0; 3*q < len(soft); q++ {
				s := soft[3*q : 3*q+3]
				mm := m[8*q : 8*q+5]
				mm[0], mm[1], mm[4] = s[0], s[1], s[2]
			}
		default:
			depuncture(m, soft, p)
		}
	}
	return d.DecodeMother(dst, m)
}

// DecodeMother decodes len(dst) type-2 bits from 4·len(dst) soft mother-code
// bits (erasures as 0) and returns the path metric. It panics if the lengths do
// not match or len(dst) > MaxBits.
func (d *Decoder) DecodeMother(dst []byte, soft []int8) int {
	n := len(dst)
	if n > MaxBits || len(soft) != 4*n {
		panic("rcpc: Decoder.DecodeMother: need 4 soft bits per output bit")
	}
	dec := d.dec[:n]
	metric := acsSWARUnrolled(dec, soft)
	tracebackSWAR(dst, dec)
	return int(metric)
}

// acs is the reference add-compare-select loop (the decoder runs the SWAR
// kernels, tested against it): it fills one decision word per step, bit s'
// set when new state s' came from the predecessor with u(k−4) = 1. States are s = u(k−1) | u(k−2)<<1 | u(k−3)<<2 | u(k−4)<<3; on input u,
// s → (s<<1 | u) & 15. Because every generator taps D⁰ and D⁴, the branches of
// butterfly j (old states j, j+8; new states 2j, 2j+1) carry the outputs c_j
// and its complement, so with b_j the correlation of c_j:
//
//	new[2j]   = max(old[j] + b_j, old[j+8] − b_j)
//	new[2j+1] = max(old[j] − b_j, old[j+8] + b_j)
//
// c_j is the output of register j<<1 (u(k) = 0). Ties keep old[j].
// It returns the final metric of state 0.
func acs(dec []uint16, soft []int8) int32 {
	const ninf = -1 << 28
	m := [16]int32{0, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf}
	soft = soft[:4*len(dec)]
	for k := range dec {
		s := soft[4*k : 4*k+4 : 4*k+4]
		s0, s1, s2, s3 := int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
		// Correlations of the 8 butterfly outputs c_j = mother(j<<1),
		// bit 3 = G1 … bit 0 = G4; sign + for a 0 bit.
		// Generated from mother(): see TestButterflyTable.
		a, b := s0+s1, s0-s1
		c, e := s2+s3, s2-s3
		// c_j patterns (G1 G2 G3 G4) for j = 0…7, from mother(j<<1) and
		// checked by TestButterflyTable:
		// 0:0000 1:1011 2:0110 3:1101 4:0101 5:1110 6:0011 7:1000
		bm := [8]int32{a + c, -b - c, b - e, -a + e, b + e, -a - e, a - c, -b + c}
		var w uint16
		var n [16]int32
		for j := 0; j < 8; j++ {
			lo, hi := m[j], m[j+8]
			x0, y0 := lo+bm[j], hi-bm[j]
			if y0 > x0 {
				n[2*j] = y0
				w |= 1 << (2 * j)
			} else {
				n[2*j] = x0
			}
			x1, y1 := lo-bm[j], hi+bm[j]
			if y1 > x1 {
				n[2*j+1] = y1
				w |= 1 << (2*j + 1)
			} else {
				n[2*j+1] = x1
			}
		}
		m = n
		dec[k] = w
	}
	return m[0]
}

// depuncture scatters the type-3 soft bits into the mother-code positions
// p.Index(j) (clause 8.2.3.1.2), walking i = f(j) and (⌊(i−1)/t⌋, (i−1) mod t)
// with counters instead of divisions.
func depuncture(m, soft []int8, p Puncturing) {
	var P []int
	skip := 0 // f(j) = j + ⌊(j−1)/skip⌋
	switch p {
	case Rate23:
		P = p23[:]
	case Rate13:
		P = p13[:]
	case Rate292432:
		P, skip = p23[:], 65
	case Rate148432:
		P, skip = p13[:], 35
	default:
		copy(m, soft)
		return
	}
	t := len(P)
	q, r := 0, 0 // i − 1 = q·t + r
	run := 0     // j's since the last skip
	for _, s := range soft {
		m[8*q+P[r]-1] = s
		r++
		if r == t {
			r, q = 0, q+1
		}
		if run++; run == skip {
			run = 0
			r++
			if r == t {
				r, q = 0, q+1
			}
		}
	}
}
