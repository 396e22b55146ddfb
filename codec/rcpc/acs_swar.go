package rcpc

import "math/bits"

// SWAR ("SIMD within a register") add-compare-select: the 16 path metrics are
// 16-bit lanes of four uint64 words, so one 64-bit operation updates four
// states. Pure Go, no assembly; acs in viterbi.go is its reference loop and
// TestSWARMatchesLoop compares the two on every decision and the final metric.
//
// Metrics are costs (lower is better): the cost of code pattern c_j at one step
// is 512 − b_j, and of its complement 512 + b_j, where b_j is the correlation
// of acs; so every cost is in [0, 1024] and the decoded path is the same as
// maximising the correlation.
//
// In-place butterflies. Old states j and j+8 produce new states 2j and 2j+1;
// writing new state 2j+u to the lane of old state j+8u keeps the computation in
// place but rotates the state-to-lane map: at step k (phase φ = k mod 4) lane
// position p (word p/4, lane p%4) holds state rotl4^φ(p), and its partner in
// the butterfly is p ^ (8>>φ). Each lane then computes
//
//	X = own + C_j,  Y = partner + (1024 − C_j),  new = min(X, Y)
//
// with C_j the cost of c_j for the lane's butterfly j. Ties keep the low
// (state j) predecessor, as acs does.
//
// No-carry invariant: all metrics stay below 0x8000, so lane additions never
// carry into the next lane, and (Y|H) − X − t sets bit 15 of a lane exactly when
// Y ≥ X + t. Metrics are renormalised (the minimum subtracted) every 8 steps:
// the spread between states is at most 4·1024 plus the initial 0x1400 of the
// unreachable states, and 8 steps add at most 8·1024, so every lane stays below
// 0x8000.
const (
	swarH    = 0x8000800080008000 // bit 15 of each lane
	swarOne  = 0x0001000100010001
	swarK    = 1024 * swarOne // complement constant
	swarInit = 0x1400         // > 4·1024: start cost of states other than 0
	lanePair = 0x0000FFFF0000FFFF
)

// acsSWAR runs the recursion over len(dec) steps, storing per step a decision
// word with bit 16·l + w set when the lane at position p = 4w + l took its
// partner's path. It returns the correlation metric of state 0 at the end
// (equal to acs's).
func acsSWAR(dec []uint64, soft []int8) int32 {
	w0 := uint64(swarInit) * swarOne &^ 0xFFFF // state 0 starts at cost 0
	w1 := uint64(swarInit) * swarOne
	w2, w3 := w1, w1
	var offset uint64
	soft = soft[:4*len(dec)]
	for k := range dec {
		s := soft[4*k : 4*k+4 : 4*k+4]
		s0, s1, s2, s3 := int64(s[0]), int64(s[1]), int64(s[2]), int64(s[3])
		a, b := s0+s1, s0-s1
		c, e := s2+s3, s2-s3
		// C_j = 512 − b_j with b_j from acs: 0:a+c 1:−b−c 2:b−e 3:−a+e
		// 4:b+e 5:−a−e 6:a−c 7:−b+c.
		c0 := uint64(512 - a - c)
		c1 := uint64(512 + b + c)
		c2 := uint64(512 - b + e)
		c3 := uint64(512 + a - e)
		c4 := uint64(512 - b - e)
		c5 := uint64(512 + a + e)
		c6 := uint64(512 - a + c)
		c7 := uint64(512 + b - c)
		var x0, x1, x2, x3, y0, y1, y2, y3, t0, t1, t2, t3 uint64
		switch k & 3 {
		case 0: // lanes hold states p; partner p^8 (word w ↔ w^2); high: words 2, 3
			cA := c0 | c1<<16 | c2<<32 | c3<<48
			cB := c4 | c5<<16 | c6<<32 | c7<<48
			dA, dB := swarK-cA, swarK-cB
			x0, y0 = w0+cA, w2+dA
			x1, y1 = w1+cB, w3+dB
			x2, y2 = w2+cA, w0+dA
			x3, y3 = w3+cB, w1+dB
			t2, t3 = swarOne, swarOne
		case 1: // states rotl1(p); partner p^4 (w ↔ w^1); high: words 1, 3
			cE := c0 | c2<<16 | c4<<32 | c6<<48
			cO := c1 | c3<<16 | c5<<32 | c7<<48
			dE, dO := swarK-cE, swarK-cO
			x0, y0 = w0+cE, w1+dE
			x1, y1 = w1+cE, w0+dE
			x2, y2 = w2+cO, w3+dO
			x3, y3 = w3+cO, w2+dO
			t1, t3 = swarOne, swarOne
		case 2: // states rotl2(p); partner p^2 (lanes 0↔2, 1↔3); high: lanes 2, 3
			const rep = 0x0000000100000001
			q0 := (c0 | c4<<16) * rep
			q1 := (c1 | c5<<16) * rep
			q2 := (c2 | c6<<16) * rep
			q3 := (c3 | c7<<16) * rep
			x0, y0 = w0+q0, bits.RotateLeft64(w0, 32)+swarK-q0
			x1, y1 = w1+q1, bits.RotateLeft64(w1, 32)+swarK-q1
			x2, y2 = w2+q2, bits.RotateLeft64(w2, 32)+swarK-q2
			x3, y3 = w3+q3, bits.RotateLeft64(w3, 32)+swarK-q3
			const t = 0x0001000100000000
			t0, t1, t2, t3 = t, t, t, t
		default: // states rotl3(p); partner p^1 (lanes 0↔1, 2↔3); high: lanes 1, 3
			const rep = 0x10001
			q0 := (c0 | c1<<32) * rep
			q1 := (c2 | c3<<32) * rep
			q2 := (c4 | c5<<32) * rep
			q3 := (c6 | c7<<32) * rep
			x0, y0 = w0+q0, (w0&lanePair)<<16|(w0>>16)&lanePair+swarK-q0
			x1, y1 = w1+q1, (w1&lanePair)<<16|(w1>>16)&lanePair+swarK-q1
			x2, y2 = w2+q2, (w2&lanePair)<<16|(w2>>16)&lanePair+swarK-q2
			x3, y3 = w3+q3, (w3&lanePair)<<16|(w3>>16)&lanePair+swarK-q3
			const t = 0x0001000000010000
			t0, t1, t2, t3 = t, t, t, t
		}
		// m: bit 15 set where Y ≥ X + t, i.e. keep X.
		m0 := ((y0 | swarH) - x0 - t0) & swarH
		m1 := ((y1 | swarH) - x1 - t1) & swarH
		m2 := ((y2 | swarH) - x2 - t2) & swarH
		m3 := ((y3 | swarH) - x3 - t3) & swarH
		w0 = y0 ^ (x0^y0)&((m0>>15)*0xFFFF)
		w1 = y1 ^ (x1^y1)&((m1>>15)*0xFFFF)
		w2 = y2 ^ (x2^y2)&((m2>>15)*0xFFFF)
		w3 = y3 ^ (x3^y3)&((m3>>15)*0xFFFF)
		dec[k] = (^m0&swarH)>>15 | (^m1&swarH)>>14 | (^m2&swarH)>>13 | (^m3&swarH)>>12
		if k&7 == 7 {
			mn := swarMin(swarMin(w0, w1), swarMin(w2, w3))
			mn = min(mn&0xFFFF, mn>>16&0xFFFF, mn>>32&0xFFFF, mn>>48)
			offset += mn
			mn *= swarOne
			w0 -= mn
			w1 -= mn
			w2 -= mn
			w3 -= mn
		}
	}
	// State 0 sits in lane 0 of word 0 in every phase.
	cost := int64(w0&0xFFFF) + int64(offset)
	return int32(512*int64(len(dec)) - cost)
}

// swarMin returns the lane-wise minimum of a and b (lanes below 0x8000).
func swarMin(a, b uint64) uint64 {
	m := ((b | swarH) - a) & swarH // b ≥ a: take a
	mask := (m >> 15) * 0xFFFF
	return b ^ (a^b)&mask
}

// tracebackSWAR recovers the input bits from the decisions of acsSWAR, ending
// in state 0. It follows lane positions rather than states: the new state s' of
// step k sits at position p = rotr4^((k+1) mod 4)(s'), its input bit is
// u = s' & 1, and the predecessor's position at step k−1 is
//
//	p ^ (d << (3 − k mod 4)),  d = the decision bit of position p at step k
//
// (the predecessor is p's own old state, or its butterfly partner). To keep the
// serial dependency short it tracks q = 16·(p mod 4) + p/4, the bit index of
// position p in a decision word, instead of p: p's bits 0, 1, 2, 3 are q's bits
// 4, 5, 0, 1.
func tracebackSWAR(dst []byte, dec []uint64) {
	q := uint(0)
	k := len(dec) - 1
	dst = dst[:len(dec)]
	// Bit of q holding p's bit i, and the step's update bit, by k mod 4.
	uBit := [4]uint{1, 0, 5, 4} // u = p bit (4 − r) mod 4 with r = (k+1) mod 4
	dBit := [4]uint{1, 0, 5, 4} // p bit 3 − (k mod 4)
	for ; k >= 0 && k&3 != 3; k-- {
		dst[k] = byte(q>>uBit[k&3]) & 1
		q ^= (uint(dec[k]>>(q&63)) & 1) << dBit[k&3]
	}
	for ; k >= 3; k -= 4 {
		dd := dec[k-3 : k+1 : k+1]
		dst[k] = byte(q>>4) & 1 // k mod 4 = 3
		q ^= (uint(dd[3]>>(q&63)) & 1) << 4
		dst[k-1] = byte(q>>5) & 1 // k mod 4 = 2
		q ^= (uint(dd[2]>>(q&63)) & 1) << 5
		dst[k-2] = byte(q) & 1 // k mod 4 = 1
		q ^= uint(dd[1]>>(q&63)) & 1
		dst[k-3] = byte(q>>1) & 1 // k mod 4 = 0
		q ^= (uint(dd[0]>>(q&63)) & 1) << 1
	}
}
