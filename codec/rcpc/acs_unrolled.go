package rcpc

// acsUnrolled is acs (the reference loop in viterbi.go) with the 8 butterflies
// written out and the compare-select done without branches:
//
//	d := x − y;  new := y + (d &^ (d >> 31));  decision := uint32(d) >> 31
//
// so that noisy input causes no branch mispredictions. Ties keep x (old[j]).
func acsUnrolled(dec []uint16, soft []int8) int32 {
	const ninf = -1 << 28
	m0 := int32(0)
	m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 := int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf), int32(ninf)
	soft = soft[:4*len(dec)]
	for k := range dec {
		s := soft[4*k : 4*k+4 : 4*k+4]
		s0, s1, s2, s3 := int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
		a, b := s0+s1, s0-s1
		c, e := s2+s3, s2-s3
		b0, b1, b2, b3 := a+c, -b-c, b-e, -a+e
		b4, b5, b6, b7 := b+e, -a-e, a-c, -b+c
		var w uint32
		var n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12, n13, n14, n15 int32
		{
			x, y := m0+b0, m8-b0
			d := x - y
			n0 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 0
			x, y = m0-b0, m8+b0
			d = x - y
			n1 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 1
		}
		{
			x, y := m1+b1, m9-b1
			d := x - y
			n2 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 2
			x, y = m1-b1, m9+b1
			d = x - y
			n3 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 3
		}
		{
			x, y := m2+b2, m10-b2
			d := x - y
			n4 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 4
			x, y = m2-b2, m10+b2
			d = x - y
			n5 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 5
		}
		{
			x, y := m3+b3, m11-b3
			d := x - y
			n6 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 6
			x, y = m3-b3, m11+b3
			d = x - y
			n7 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 7
		}
		{
			x, y := m4+b4, m12-b4
			d := x - y
			n8 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 8
			x, y = m4-b4, m12+b4
			d = x - y
			n9 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 9
		}
		{
			x, y := m5+b5, m13-b5
			d := x - y
			n10 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 10
			x, y = m5-b5, m13+b5
			d = x - y
			n11 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 11
		}
		{
			x, y := m6+b6, m14-b6
			d := x - y
			n12 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 12
			x, y = m6-b6, m14+b6
			d = x - y
			n13 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 13
		}
		{
			x, y := m7+b7, m15-b7
			d := x - y
			n14 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 14
			x, y = m7-b7, m15+b7
			d = x - y
			n15 = y + (d &^ (d >> 31))
			w |= (uint32(d) >> 31) << 15
		}
		m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 = n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12, n13, n14, n15
		dec[k] = uint16(w)
	}
	return m0
}
