package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// This file holds the algebraic codebook search and the gain quantization of
// the encoder (sub_sc_d.c: Cal_Rr2, D4i60_16, Ener_Qua, Prm2bits_Tetra;
// sub_dsp.c: Back_Fil), EN 300 395-2 V1.3.1 clause 4 (algebraic codebook
// search, quantization of the gains, bit allocation). Each routine follows
// its reference operation by operation.

// rrDim is dim_rr, the dimension of the correlation matrix of Cal_Rr2.
// Rows and columns 30 and 31 stay zero: they stand for the unused pulse
// positions 60 and 62.
const rrDim = 32

// codePad is the number of zeros kept in front of the impulse responses F
// and h2 that D4i60_16 shifts by up to 63 samples.
const codePad = 64

// encCalRr2 is Cal_Rr2 (EN 300 395-2 clause 4, algebraic codebook search):
// the correlations of the impulse response h[0…59] at even positions,
//
//	rr[i][j] = Σ_n hs[n-2i]·hs[n-2j]   for i, j = 0…29,
//
// with hs = h scaled up for precision, accumulated pairwise in 32 bits and
// kept as the upper 16 bits. Only the 30×30 block is written.
func encCalRr2(h []int16, rr *[rrDim][rrDim]int16) {
	const l = SubframeSamples
	var hs [l]int16
	h = h[:l]
	s, overflow := encEnergy(0, h)
	k := fp.NormL(s)
	k = fp.Shr(fp.Sub(k, 1), 1)
	for i, v := range h {
		hs[i] = fp.Shl(v, k)
	}
	// If the energy did not overflow, the scaling leaves Σhs² < 2^30, so
	// |hs| < 2^15 (L_mult never saturates) and by Cauchy-Schwarz every
	// partial sum of 2·hs[n]·hs[n+dec] is below 2·Σhs² < 2^31: the
	// reference's L_mac loop is then a plain sum (see enc_fast.go).
	const last = l/2 - 1 // 29
	for d := 0; d < l/2; d++ {
		dec := 2 * d
		s = 0
		for m := 0; 2*m < l-dec; m++ {
			n := 2 * m
			if overflow {
				s = fp.LMac(s, hs[n], hs[dec+n])
				s = fp.LMac(s, hs[n+1], hs[dec+n+1])
			} else {
				s += 2 * (int32(hs[n])*int32(hs[dec+n]) + int32(hs[n+1])*int32(hs[dec+n+1]))
			}
			v := fp.ExtractH(s)
			rr[last-m][last-d-m] = v
			rr[last-d-m][last-m] = v
		}
	}
}

// encBackFil is Back_Fil (EN 300 395-2 clause 4, algebraic codebook
// search): the backward-filtered target y[i] = Σ_{j>=i} x[j]·h[j-i],
// i = 0…59, scaled so that its largest magnitude fits in 13 bits (but never
// scaled up by more than 2 bits).
func encBackFil(x, h, y []int16) {
	const l = SubframeSamples
	var y32 [l]int32
	x = x[:l]
	h = h[:l]
	// Cauchy-Schwarz bound: plain sums are exact if this holds (enc_fast.go).
	fast := encDotFits(encEnergy64(x), encEnergy64(h))
	var max int32
	for i := range y32 {
		var s int32
		if fast {
			hh := h[:l-i]
			for j, v := range x[i:] {
				s += int32(v) * int32(hh[j])
			}
		} else {
			s, _ = encDotSat(0, x[i:], h)
		}
		y32[i] = s
		s = fp.LAbs(s)
		if fp.LSub(s, max) > 0 {
			max = s
		}
	}
	j := fp.NormL(max)
	if fp.Sub(j, 16) > 0 {
		j = 16
	}
	j = fp.Sub(18, j)
	for i, v := range y32 {
		y[i] = fp.ExtractL(fp.LShr(v, j))
	}
}

// Gain of pulse i0, sqrt(2), in the three Q formats of D4i60_16.
const (
	q13GainI0 = 11585
	q14GainI0 = 23170
)

// Search control of D4i60_16: the thresholds (0.586 in Q15) on the
// partial correlations of pulses 0-1 and 0-2 below which a branch is not
// searched, and the budget (in the reference's complexity units) after
// which the search stops.
const (
	d4i60Threshold1 = 19200
	d4i60Threshold2 = 19200
	d4i60MaxTime    = 350
)

// encD4i60 is D4i60_16 (EN 300 395-2 clause 4, algebraic codebook search):
// the depth-first search of the 4-pulse algebraic code of signs
// (+√2, -1, +1, -1) at positions i0 ∈ {0,2,…,58}, i1 ∈ {2,10,…,58},
// i2 ∈ {4,12,…,60}, i3 ∈ {6,14,…,62} (the whole code shifted by one sample
// if shift), maximising (dn·c)² / (c·R·c) with the correlations rr.
//
// dn[0…59] is the backward-filtered target; dn[60…63] are set to 0 here.
// f and h are the impulse responses F and h2, f[fOff+n] and h[hOff+n] for
// n = 0…59, with codePad zeros in front. The code filtered by F goes to
// cod[0…59] (Q12) and by h2 to y[0…59]. It returns the 14-bit position
// index, the sign (1 if the code is negated) and the shift.
func encD4i60(dn []int16, f []int16, fOff int, h []int16, hOff int, rr *[rrDim][rrDim]int16,
	cod, y []int16) (index, sign, shift int16) {
	dn = dn[:SubframeSamples+4]
	dn[60], dn[61], dn[62], dn[63] = 0, 0, 0, 0

	// Minimum and maximum of dn for the positions of i0, i1 and i2.
	max0, min0 := encMinMax(dn, 0, 2)
	max0 = fp.StoreHi(fp.LMult0(max0, q11GainI0), 5) // times gain_i0
	min0 = fp.StoreHi(fp.LMult0(min0, q11GainI0), 5)
	max1, min1 := encMinMax(dn, 2, 8)
	max2, min2 := encMinMax(dn, 4, 8)

	// max1 = max(max0-min1, max1-min0)
	// max2 = max(max0-min1+max2, max1-min0-min2)
	max0 = fp.Sub(max0, min1)
	max2 = fp.Add(max0, max2)
	max1 = fp.Sub(max1, min0)
	j := fp.Sub(max1, min2)
	if fp.Sub(max0, max1) > 0 {
		max1 = max0
	}
	if fp.Sub(j, max2) > 0 {
		max2 = j
	}

	seuil1 := fp.Mult(max1, d4i60Threshold1)
	seuil2 := fp.Mult(max2, d4i60Threshold2)

	best := d4Best{ip: [4]int{0, 2, 4, 6}, alpha: 255}
	time := int16(d4i60MaxTime)

search:
	for ii0 := 0; ii0 < 30; ii0++ {
		ps0 := fp.StoreHi(fp.LMult0(q11GainI0, dn[2*ii0]), 5)
		ps0a := fp.StoreHi(fp.LMult0(q11GainI0, dn[2*ii0+1]), 5)
		alp0 := int32(rr[ii0][ii0]) << 14
		for ii1 := 1; ii1 < 30; ii1 += 4 {
			ps1 := fp.Sub(ps0, dn[2*ii1])
			ps1a := fp.Sub(ps0a, dn[2*ii1+1])

			// alp1 = alp0·2 + rr[ii1][ii1] - 2·gain_i0·rr[ii0][ii1], /8.
			// The reference's saturating sum (add_sh, L_msu0) cannot
			// saturate: |alp0| + |rr·2^13| + |23170·rr| < 1.57e9.
			alp1 := int16((alp0 + int32(rr[ii1][ii1])<<13 - q14GainI0*int32(rr[ii0][ii1])) >> 16)
			alp1L := int32(alp1) << 15

			// if |(ps1+ps1a)/2| > seuil1. The reference computes
			// L_abs((ps1+ps1a)·2^15) - seuil1·2^16 with saturation, which
			// keeps the sign of this exact comparison (seuil1·2^16 is
			// never 2^31, the one value where L_abs(-2^31) = 2^31-1
			// could matter).
			if encAbs32(int32(ps1)+int32(ps1a)) <= 2*int32(seuil1) {
				continue
			}
			for ii2 := 2; ii2 < 31; ii2 += 4 {
				ps2 := fp.Add(ps1, dn[2*ii2])
				ps2a := fp.Add(ps1a, dn[2*ii2+1])

				// alp2 = alp1 + rr[ii2][ii2]
				//        + 2·(gain_i0·rr[ii0][ii2] - rr[ii1][ii2]), /16;
				// no saturation: |alp1L| + 2^27 + 11585·2^15 + 2^28 < 1.86e9.
				alp2 := int16((alp1L + int32(rr[ii2][ii2])<<12 + q13GainI0*int32(rr[ii0][ii2]) -
					int32(rr[ii1][ii2])<<13) >> 16)

				// if |(ps2+ps2a)/2| > seuil2, as for seuil1.
				if encAbs32(int32(ps2)+int32(ps2a)) <= 2*int32(seuil2) {
					continue
				}
				shif := 0
				if fp.Sub(fp.Abs(ps2a), fp.Abs(ps2)) > 0 {
					ps2 = ps2a
					shif = 1
				}
				idx := [3]int{ii0, ii1, ii2}
				if -1<<14 < alp2 && alp2 < 1<<14 {
					best.searchI3Fast(dn, rr, &idx, ps2, shif, alp2)
				} else {
					best.searchI3(dn, rr, &idx, ps2, shif, alp2)
				}
				time = fp.Sub(time, 3)
				if time <= 0 {
					break search
				}
			}
			time = fp.Sub(time, 4)
			if time <= 0 {
				break search
			}
		}
	}
	ip0, ip1, ip2, ip3 := best.ip[0], best.ip[1], best.ip[2], best.ip[3]
	shift = best.shift

	// cod = the code filtered by F, y = the code filtered by h2:
	// p0[i]·gain_i0 - p1[i] + p2[i] - p3[i], negated if ps < 0.
	neg := best.ps < 0
	if neg {
		sign = 1
	}
	s := int(shift)
	encPulses(cod, f, fOff-s, ip0, ip1, ip2, ip3, neg)
	encPulses(y, h, hOff-s, ip0, ip1, ip2, ip3, neg)

	// index = i0/2 + (i1/8)<<5 + (i2/8)<<8 + (i3/8)<<11
	index = fp.Shr(int16(ip0), 1)
	index = fp.Add(index, fp.Shl(fp.Shr(int16(ip1), 3), 5))
	index = fp.Add(index, fp.Shl(fp.Shr(int16(ip2), 3), 8))
	index = fp.Add(index, fp.Shl(fp.Shr(int16(ip3), 3), 11))
	return index, sign, shift
}

// encAbs32 is |x| for |x| < 2^31.
func encAbs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// d4Best is the best code found so far by the search of D4i60_16: the
// correlation ps, its square psc, the energy alpha (the criterion is
// psc/alpha), the pulse positions ip and the shift.
type d4Best struct {
	ps, psc, alpha int16
	ip             [4]int
	shift          int16
}

// searchI3 is the innermost loop of D4i60_16, over the 8 positions of
// pulse i3 for pulses i0, i1, i2 at positions 2·idx[0…2], as in the
// reference: ps2 is the correlation of the first three pulses (of the code
// shifted by shif), alp2 their energy / 16.
func (b *d4Best) searchI3(dn []int16, rr *[rrDim][rrDim]int16, idx *[3]int, ps2 int16, shif int, alp2 int16) {
	ii0, ii1, ii2 := idx[0], idx[1], idx[2]
	alp2L := fp.LoadSh16(alp2)
	ps2L := fp.LoadSh(ps2, 15)
	for ii3 := 3; ii3 < 32; ii3 += 4 {
		// ps3 = (ps2 - dn[2·ii3+shif]) / 2, in 32 bits
		t := fp.SubSh(ps2L, dn[2*ii3+shif], 15)
		ps3 := fp.ExtractH(t)

		// alp3 = alp2 + rr[ii3][ii3] + 2·(rr[ii1][ii3]
		//        - gain_i0·rr[ii0][ii3] - rr[ii2][ii3])
		t = fp.AddSh(alp2L, rr[ii3][ii3], 12)
		t = fp.AddSh(t, rr[ii1][ii3], 13)
		t = fp.LMsu0(t, q13GainI0, rr[ii0][ii3])
		t = fp.SubSh(t, rr[ii2][ii3], 13)
		alp3 := fp.ExtractH(t)

		// new maximum if ps3²·alpha - psc·alp3 > 0
		ps3c := fp.Mult(ps3, ps3)
		t = fp.LMult(ps3c, b.alpha)
		if fp.LMsu(t, b.psc, alp3) > 0 {
			b.ps, b.psc, b.alpha = ps3, ps3c, alp3
			b.ip = [4]int{2 * ii0, 2 * ii1, 2 * ii2, 2 * ii3}
			b.shift = int16(shif)
		}
	}
}

// searchI3Fast is [d4Best.searchI3] for |alp2| < 2^14, without
// saturation, and bit-exact with it: (ps2 - dn)·2^15 always fits in 32
// bits; with |alp2·2^16| < 2^30 the four terms added to it (at most
// 2^27 + 2^28 + 11585·2^15 + 2^28 < 1.06e9 in magnitude) cannot make a
// partial sum leave 32 bits; and the test of a new maximum compares
// 2·ps3c·alpha with 2·psc·alp3, each exact in 32 bits (ps3c, psc >= 0),
// whose saturating difference keeps the sign of the exact one.
func (b *d4Best) searchI3Fast(dn []int16, rr *[rrDim][rrDim]int16, idx *[3]int, ps2 int16, shif int, alp2 int16) {
	ii0, ii1, ii2 := idx[0], idx[1], idx[2]
	alp2L := int32(alp2) << 16
	r0, r1, r2 := &rr[ii0], &rr[ii1], &rr[ii2]
	for ii3 := 3; ii3 < 32; ii3 += 4 {
		ps3 := int16((int32(ps2) - int32(dn[2*ii3+shif])) >> 1)
		t := alp2L + int32(rr[ii3][ii3])<<12 + int32(r1[ii3])<<13 -
			q13GainI0*int32(r0[ii3]) - int32(r2[ii3])<<13
		alp3 := int16(t >> 16)
		ps3c := fp.Mult(ps3, ps3)
		if int32(ps3c)*int32(b.alpha) > int32(b.psc)*int32(alp3) {
			b.ps, b.psc, b.alpha = ps3, ps3c, alp3
			b.ip = [4]int{2 * ii0, 2 * ii1, 2 * ii2, 2 * ii3}
			b.shift = int16(shif)
		}
	}
}

// encMinMax returns half the largest and half the smallest (at least 0 and
// at most 0) of dn[i]+dn[i+1] for i = start, start+step, … < 60, as the
// first loops of D4i60_16.
func encMinMax(dn []int16, start, step int) (max, min int16) {
	for i := start; i < SubframeSamples; i += step {
		j := fp.Add(dn[i], dn[i+1])
		if fp.Sub(j, max) > 0 {
			max = j
		} else if fp.Sub(j, min) < 0 {
			min = j
		}
	}
	return fp.Shr(max, 1), fp.Shr(min, 1)
}

// encPulses writes out[i] = ±(x[o-ip0+i]·√2 - x[o-ip1+i] + x[o-ip2+i] -
// x[o-ip3+i]) for i = 0…59, in Q11 arithmetic, as the filtering loops of
// D4i60_16.
func encPulses(out, x []int16, o, ip0, ip1, ip2, ip3 int, neg bool) {
	p0 := x[o-ip0 : o-ip0+SubframeSamples]
	p1 := x[o-ip1 : o-ip1+SubframeSamples]
	p2 := x[o-ip2 : o-ip2+SubframeSamples]
	p3 := x[o-ip3 : o-ip3+SubframeSamples]
	out = out[:SubframeSamples]
	for i := range out {
		t := fp.LMult0(p0[i], q11GainI0)
		t = fp.SubSh(t, p1[i], 11)
		t = fp.AddSh(t, p2[i], 11)
		t = fp.SubSh(t, p3[i], 11)
		if neg {
			t = fp.LNegate(t)
		}
		out[i] = fp.StoreHi(t, 5)
	}
}

// encEnerQua is Ener_Qua (EN 300 395-2 clause 4, quantization of the
// gains), encoder side: the joint vector quantization of the pitch and code
// energies (log2 domain, Q8) predicted from the last subframe's quantized
// energies. a is the quantized LPC filter of the subframe, prdLt the adaptive
// codebook vector and code the filtered algebraic code (Q12); gainPit (Q12)
// and gainCod are the optimal gains on entry and the quantized ones on
// return. It returns the 6-bit index into energyCodebook and updates
// e.lastEnerPit and e.lastEnerCod.
func (e *Encoder) encEnerQua(a, prdLt, code []int16, gainPit, gainCod *int16) int16 {
	enerPlt, enerC := subframeEnergies(a, prdLt, code)

	// ener_pit = Log2(gain_pit²) + ener_plt
	l := fp.LMac0(1, *gainPit, *gainPit)
	exp, frac := fp.Log2(l)
	l = fp.LoadSh16(exp)
	l = fp.AddSh(l, frac, 1)
	l = fp.SubSh16(l, 24) // gain_pit² is in Q24
	l = fp.LShr(l, 8)
	enerPit := fp.Add(fp.ExtractL(l), enerPlt)

	// ener_cod = Log2(gain_cod²) + ener_c
	l = fp.LMac0(1, *gainCod, *gainCod)
	exp, frac = fp.Log2(l)
	l = fp.LoadSh16(exp)
	l = fp.AddSh(l, frac, 1)
	l = fp.LShr(l, 8)
	enerCod := fp.Add(fp.ExtractL(l), enerC)

	predPit, predCod := predictEnergies(e.lastEnerPit, e.lastEnerCod)
	errPit := fp.Sub(enerPit, predPit)
	errCod := fp.Sub(enerCod, predCod)

	// Nearest codebook entry to (err_pit, err_cod).
	distMin := fp.Max32
	var index int16
	for i := range energyCodebook {
		c := &energyCodebook[i]
		t := fp.Sub(c[0], errPit)
		dist := fp.LMult0(t, t)
		t = fp.Sub(c[1], errCod)
		dist = fp.LMac0(dist, t, t)
		if fp.LSub(dist, distMin) < 0 {
			distMin, index = dist, int16(i)
		}
	}

	e.lastEnerPit, e.lastEnerCod = quantizedEnergies(index, predPit, predCod)
	*gainPit, *gainCod = energyGains(e.lastEnerPit, e.lastEnerCod, enerPlt, enerC)
	return index
}

// paramsToBits is Prm2bits_Tetra (EN 300 395-2 clause 4, bit allocation)
// without the BFI word: the FrameBits unpacked bits (0/1, MSB of each
// parameter first) of the NumParams parameters of a frame.
func paramsToBits(bits []byte, prm *[NumParams]int16) {
	bits = bits[:FrameBits]
	for i, n := range paramBits {
		v := prm[i]
		for k := int(n) - 1; k >= 0; k-- {
			bits[k] = byte(v & 1)
			v >>= 1
		}
		bits = bits[n:]
	}
}
