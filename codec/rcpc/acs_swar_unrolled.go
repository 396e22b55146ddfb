package rcpc

import "math/bits"

// acsSWARUnrolled is acsSWAR with the four phases written out, so that the
// per-step phase switch disappears; remaining steps (n mod 4) use acsSWAR's
// body. Same results as acsSWAR.
func acsSWARUnrolled(dec []uint64, soft []int8) int32 {
	w0 := uint64(swarInit) * swarOne &^ 0xFFFF
	w1 := uint64(swarInit) * swarOne
	w2, w3 := w1, w1
	var offset uint64
	soft = soft[:4*len(dec)]
	n4 := len(dec) &^ 3
	for kb := 0; kb < n4; kb += 4 {
		{
			s := soft[4*kb : 4*kb+4 : 4*kb+4]
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
			s := soft[4*(kb+1) : 4*(kb+1)+4 : 4*(kb+1)+4]
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
			s := soft[4*(kb+2) : 4*(kb+2)+4 : 4*(kb+2)+4]
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
			s := soft[4*(kb+3) : 4*(kb+3)+4 : 4*(kb+3)+4]
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
	for k := n4; k < len(dec); k++ {
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
	}
	cost := int64(w0&0xFFFF) + int64(offset)
	return int32(512*int64(len(dec)) - cost)
}
