package rcpc

import "math/bits"

// acsSWAR23 is acsSWARUnrolled specialised for the rate-2/3 puncturing of
// clause 8.2.3.1.2 (the signalling channels), reading the type-3 soft bits
// directly: each pair of steps receives G1 and G2 of the first bit and G1 of
// the second (3 soft bits), the punctured mother bits being erasures. With
// erasures the pattern costs collapse to
//
//	first step:  C = 512 ∓ (s0+s1) or 512 ∓ (s0−s1);  second step: C = 512 ∓ s2
//
// len(dec) must be a multiple of 4 and len(soft) = 3·len(dec)/2. Results are
// identical to depuncturing and running acsSWAR (TestSWAR23).
func acsSWAR23(dec []uint64, soft []int8) int32 {
	w0 := uint64(swarInit) * swarOne &^ 0xFFFF
	w1 := uint64(swarInit) * swarOne
	w2, w3 := w1, w1
	var offset uint64
	n := len(dec)
	soft = soft[:3*n/2]
	for kb := 0; kb+4 <= n; kb += 4 {
		g := soft[3*kb/2 : 3*kb/2+6 : 3*kb/2+6]
		{
			s := g[0:3:3]
			s0, s1 := int64(s[0]), int64(s[1])
			a, b := s0+s1, s0-s1
			c0, c1, c2, c3 := uint64(512-a), uint64(512+b), uint64(512-b), uint64(512+a)
			c4, c5, c6, c7 := c2, c3, c0, c1
			var x0, x1, x2, x3, y0, y1, y2, y3, t0, t1, t2, t3 uint64
			cA := c0 | c1<<16 | c2<<32 | c3<<48
			cB := c4 | c5<<16 | c6<<32 | c7<<48
			dA, dB := swarK-cA, swarK-cB
			x0, y0 = w0+cA, w2+dA
			x1, y1 = w1+cB, w3+dB
			x2, y2 = w2+cA, w0+dA
			x3, y3 = w3+cB, w1+dB
			t2, t3 = swarOne, swarOne

			// m: bit 15 set where Y ≥ X + t, i.e. keep X.
			m0 := ((y0 | swarH) - x0 - t0) & swarH
			m1 := ((y1 | swarH) - x1 - t1) & swarH
			m2 := ((y2 | swarH) - x2 - t2) & swarH
			m3 := ((y3 | swarH) - x3 - t3) & swarH
			w0 = y0 ^ (x0^y0)&((m0>>15)*0xFFFF)
			w1 = y1 ^ (x1^y1)&((m1>>15)*0xFFFF)
			w2 = y2 ^ (x2^y2)&((m2>>15)*0xFFFF)
			w3 = y3 ^ (x3^y3)&((m3>>15)*0xFFFF)
			dec[kb] = (^m0&swarH)>>15 | (^m1&swarH)>>14 | (^m2&swarH)>>13 | (^m3&swarH)>>12
		}
		{
			s := g[0:3:3]
			s2 := int64(s[2])
			c0, c1 := uint64(512-s2), uint64(512+s2)
			c2, c3, c4, c5, c6, c7 := c0, c1, c0, c1, c0, c1
			var x0, x1, x2, x3, y0, y1, y2, y3, t0, t1, t2, t3 uint64
			cE := c0 | c2<<16 | c4<<32 | c6<<48
			cO := c1 | c3<<16 | c5<<32 | c7<<48
			dE, dO := swarK-cE, swarK-cO
			x0, y0 = w0+cE, w1+dE
			x1, y1 = w1+cE, w0+dE
			x2, y2 = w2+cO, w3+dO
			x3, y3 = w3+cO, w2+dO
			t1, t3 = swarOne, swarOne

			// m: bit 15 set where Y ≥ X + t, i.e. keep X.
			m0 := ((y0 | swarH) - x0 - t0) & swarH
			m1 := ((y1 | swarH) - x1 - t1) & swarH
			m2 := ((y2 | swarH) - x2 - t2) & swarH
			m3 := ((y3 | swarH) - x3 - t3) & swarH
			w0 = y0 ^ (x0^y0)&((m0>>15)*0xFFFF)
			w1 = y1 ^ (x1^y1)&((m1>>15)*0xFFFF)
			w2 = y2 ^ (x2^y2)&((m2>>15)*0xFFFF)
			w3 = y3 ^ (x3^y3)&((m3>>15)*0xFFFF)
			dec[kb+1] = (^m0&swarH)>>15 | (^m1&swarH)>>14 | (^m2&swarH)>>13 | (^m3&swarH)>>12
		}
		{
			s := g[3:6:6]
			s0, s1 := int64(s[0]), int64(s[1])
			a, b := s0+s1, s0-s1
			c0, c1, c2, c3 := uint64(512-a), uint64(512+b), uint64(512-b), uint64(512+a)
			c4, c5, c6, c7 := c2, c3, c0, c1
			var x0, x1, x2, x3, y0, y1, y2, y3, t0, t1, t2, t3 uint64
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

			// m: bit 15 set where Y ≥ X + t, i.e. keep X.
			m0 := ((y0 | swarH) - x0 - t0) & swarH
			m1 := ((y1 | swarH) - x1 - t1) & swarH
			m2 := ((y2 | swarH) - x2 - t2) & swarH
			m3 := ((y3 | swarH) - x3 - t3) & swarH
			w0 = y0 ^ (x0^y0)&((m0>>15)*0xFFFF)
			w1 = y1 ^ (x1^y1)&((m1>>15)*0xFFFF)
			w2 = y2 ^ (x2^y2)&((m2>>15)*0xFFFF)
			w3 = y3 ^ (x3^y3)&((m3>>15)*0xFFFF)
			dec[kb+2] = (^m0&swarH)>>15 | (^m1&swarH)>>14 | (^m2&swarH)>>13 | (^m3&swarH)>>12
		}
		{
			s := g[3:6:6]
			s2 := int64(s[2])
			c0, c1 := uint64(512-s2), uint64(512+s2)
			c2, c3, c4, c5, c6, c7 := c0, c1, c0, c1, c0, c1
			var x0, x1, x2, x3, y0, y1, y2, y3, t0, t1, t2, t3 uint64
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

			// m: bit 15 set where Y ≥ X + t, i.e. keep X.
			m0 := ((y0 | swarH) - x0 - t0) & swarH
			m1 := ((y1 | swarH) - x1 - t1) & swarH
			m2 := ((y2 | swarH) - x2 - t2) & swarH
			m3 := ((y3 | swarH) - x3 - t3) & swarH
			w0 = y0 ^ (x0^y0)&((m0>>15)*0xFFFF)
			w1 = y1 ^ (x1^y1)&((m1>>15)*0xFFFF)
			w2 = y2 ^ (x2^y2)&((m2>>15)*0xFFFF)
			w3 = y3 ^ (x3^y3)&((m3>>15)*0xFFFF)
			dec[kb+3] = (^m0&swarH)>>15 | (^m1&swarH)>>14 | (^m2&swarH)>>13 | (^m3&swarH)>>12
		}
		if kb&4 != 0 {
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
	cost := int64(w0&0xFFFF) + int64(offset)
	return int32(512*int64(n) - cost)
}
