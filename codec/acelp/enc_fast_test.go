package acelp

import (
	"math/rand/v2"
	"testing"

	fp "github.com/tetrasim/tetrasim/codec/fixpoint"
)

// Differential tests of the encoder's fast paths (enc_fast.go and the fast
// inner search of D4i60_16) against naive transcriptions of the reference
// loops, on random inputs at scales chosen to take both the fast path and
// the saturating fallback. Seeded: rand.NewPCG(1, 1).

// encRandVec fills x with random samples of magnitude up to 2^bits - 1;
// bits >= 16 gives full-scale samples including -32768.
func encRandVec(r *rand.Rand, x []int16, bits int) {
	for i := range x {
		if bits >= 16 {
			x[i] = int16(r.Uint32())
		} else {
			x[i] = int16(r.IntN(1<<(bits+1)-1) - (1<<bits - 1))
		}
	}
}

func TestEncEnergyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]int16, lpcWindowLen)
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(len(x))
		encRandVec(r, x[:n], 1+r.IntN(16))
		c := int32(r.IntN(3))
		want, wantOv := c, false
		for _, v := range x[:n] {
			var o bool
			want, o = fp.LMac0O(want, v, v)
			wantOv = wantOv || o
		}
		got, gotOv := encEnergy(c, x[:n])
		if got != want || gotOv != wantOv {
			t.Fatalf("trial %d: encEnergy = %d, %v, want %d, %v", trial, got, gotOv, want, wantOv)
		}
	}
}

func TestEncConvolveMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var x, h, got, want [SubframeSamples]int16
	fast := 0
	for trial := 0; trial < 500; trial++ {
		encRandVec(r, x[:], 1+r.IntN(16))
		encRandVec(r, h[:], 1+r.IntN(16))
		if encDotFits(encEnergy64(x[:]), encEnergy64(h[:])) {
			fast++
		}
		encConvolve(x[:], h[:], got[:])
		for n := range want { // Convolve of sub_dsp.c
			var s int32
			for i := 0; i <= n; i++ {
				s = fp.LMac0(s, x[i], h[n-i])
			}
			want[n] = fp.StoreHi(s, 4)
		}
		if got != want {
			t.Fatalf("trial %d: encConvolve differs from Convolve", trial)
		}
	}
	if fast == 0 || fast == 500 {
		t.Errorf("%d of 500 trials took the fast path; want both paths exercised", fast)
	}
}

func TestEncBackFilMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var x, h, got, want [SubframeSamples]int16
	for trial := 0; trial < 500; trial++ {
		encRandVec(r, x[:], 1+r.IntN(16))
		encRandVec(r, h[:], 1+r.IntN(16))
		encBackFil(x[:], h[:], got[:])
		// Back_Fil of sub_dsp.c
		var y32 [SubframeSamples]int32
		var max int32
		for i := range y32 {
			var s int32
			for j := i; j < SubframeSamples; j++ {
				s = fp.LMac0(s, x[j], h[j-i])
			}
			y32[i] = s
			if s = fp.LAbs(s); fp.LSub(s, max) > 0 {
				max = s
			}
		}
		j := fp.NormL(max)
		if fp.Sub(j, 16) > 0 {
			j = 16
		}
		j = fp.Sub(18, j)
		for i := range want {
			want[i] = fp.ExtractL(fp.LShr(y32[i], j))
		}
		if got != want {
			t.Fatalf("trial %d: encBackFil differs from Back_Fil", trial)
		}
	}
}

func TestEncGainMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var x, y [SubframeSamples]int16
	for trial := 0; trial < 2000; trial++ {
		encRandVec(r, x[:], 1+r.IntN(16))
		encRandVec(r, y[:], 1+r.IntN(16))
		xy, exy, yy, eyy := encGain(x[:], y[:])
		// G_Pitch / G_Code of sub_sc_d.c up to the division
		overflow := false
		s := int32(1)
		for i := range x {
			var o bool
			s, o = fp.LMac0O(s, x[i], y[i])
			overflow = overflow || o
		}
		wexy := fp.NormL(s)
		wxy := fp.ExtractH(fp.LShl(s, wexy))
		s = 1
		for _, v := range y {
			var o bool
			s, o = fp.LMac0O(s, v, v)
			overflow = overflow || o
		}
		weyy := fp.NormL(s)
		wyy := fp.ExtractH(fp.LShl(s, weyy))
		if overflow {
			s = 1
			for i := range x {
				s = fp.LAdd(s, fp.LShr(fp.LMult0(x[i], y[i]), 6))
			}
			wexy = fp.NormL(s)
			wxy = fp.ExtractH(fp.LShl(s, wexy))
			s = 1
			for _, v := range y {
				s = fp.LAdd(s, fp.LShr(fp.LMult0(v, v), 6))
			}
			weyy = fp.NormL(s)
			wyy = fp.ExtractH(fp.LShl(s, weyy))
		}
		if xy != wxy || exy != wexy || yy != wyy || eyy != weyy {
			t.Fatalf("trial %d: encGain = %d,%d,%d,%d, want %d,%d,%d,%d", trial, xy, exy, yy, eyy, wxy, wexy, wyy, weyy)
		}
	}
}

func TestEncSearchI3FastMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var dn [SubframeSamples + 4]int16
	var rr [rrDim][rrDim]int16
	for trial := 0; trial < 20000; trial++ {
		b := 1 + r.IntN(16)
		encRandVec(r, dn[:], b)
		for i := range rr {
			encRandVec(r, rr[i][:], b)
		}
		idx := [3]int{r.IntN(30), 1 + 4*r.IntN(8), 2 + 4*r.IntN(8)}
		ps2 := int16(r.Uint32())
		shif := r.IntN(2)
		alp2 := int16(r.IntN(1<<15-1) - (1<<14 - 1)) // |alp2| < 2^14
		start := d4Best{ps: int16(r.Uint32()), psc: int16(r.IntN(1 << 15)), alpha: int16(r.Uint32())}
		if trial%4 == 0 {
			start = d4Best{ip: [4]int{0, 2, 4, 6}, alpha: 255}
		}
		want, got := start, start
		want.searchI3(dn[:], &rr, &idx, ps2, shif, alp2)
		got.searchI3Fast(dn[:], &rr, &idx, ps2, shif, alp2)
		if got != want {
			t.Fatalf("trial %d: searchI3Fast = %+v, want %+v", trial, got, want)
		}
	}
}

func TestEncNormCorrMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var exc [encExcCur + SubframeSamples]int16
	var xn, h [SubframeSamples]int16
	for trial := 0; trial < 300; trial++ {
		encRandVec(r, exc[:], 1+r.IntN(16))
		encRandVec(r, xn[:], 1+r.IntN(16))
		encRandVec(r, h[:], 1+r.IntN(14))
		tMin := int16(pitMin - pitchFracLen + r.IntN(pitMax-pitMin-9))
		tMax := tMin + 17
		pos := encExcCur
		var got, want [40]int16
		encNormCorr(exc[:], pos, xn[:], h[:], tMin, tMax, got[:])
		// Norm_Corr of sub_sc_d.c
		var excf [SubframeSamples]int16
		k := pos - int(tMin)
		convolve(exc[k:], h[:], excf[:], SubframeSamples)
		for i := tMin; i <= tMax; i++ {
			var s int32
			for j := range xn {
				s = fp.LMac0(s, xn[j], excf[j])
			}
			ch, cl := fp.LExtract(fp.LShr(s, 1))
			s = 0
			for _, v := range excf {
				s = fp.LMac0(s, v, v)
			}
			nh, nl := fp.LExtract(fp.InvSqrt(s))
			want[i-tMin] = fp.ExtractL(fp.Mpy32(ch, cl, nh, nl))
			if i != tMax {
				k--
				for j := SubframeSamples - 1; j > 0; j-- {
					s = fp.LMult0(exc[k], h[j])
					s = fp.AddSh(s, excf[j-1], 12)
					excf[j] = fp.StoreHi(s, 4)
				}
				excf[0] = exc[k]
			}
		}
		if got != want {
			t.Fatalf("trial %d: encNormCorr differs from Norm_Corr", trial)
		}
	}
}

func TestEncPitchOlMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var wsp [pitMax + FrameSamples]int16
	for trial := 0; trial < 200; trial++ {
		encRandVec(r, wsp[:], 1+r.IntN(16))
		got := encPitchOl(wsp[:], pitMax)
		if want := encPitchOlRef(wsp[:], pitMax); got != want {
			t.Fatalf("trial %d: encPitchOl = %d, want %d", trial, got, want)
		}
	}
}

// encPitchOlRef is Pitch_Ol_Dec and Lag_Max of sub_sc_d.c, transcribed
// with the saturating operators only.
func encPitchOlRef(sig []int16, cur int) int16 {
	var sigDec [FrameSamples / 2]int16
	overflow := false
	var t0 int32
	for i := cur - olPitMax; i < cur+FrameSamples; i += 2 {
		var o bool
		t0, o = fp.LMac0O(t0, sig[i], sig[i])
		overflow = overflow || o
	}
	for j := range sigDec {
		switch {
		case overflow:
			sigDec[j] = fp.Shr(sig[cur+2*j], 6)
		case fp.LSub(t0, fp.LShl(1, 22)) < 0:
			sigDec[j] = fp.Shl(sig[cur+2*j], 4)
		default:
			sigDec[j] = sig[cur+2*j]
		}
	}
	lagMax := func(hi, lo int) (int16, int16) {
		max := fp.Min32
		var pMax int16
		for i := hi; i >= lo; i-- {
			var t int32
			for j := range sigDec {
				t = fp.LMac0(t, sigDec[j], sig[cur-i+2*j])
			}
			if fp.LSub(t, max) >= 0 {
				max, pMax = t, int16(i)
			}
		}
		mh, ml := fp.LExtract(fp.LShr(max, 1))
		var t int32
		for j := 0; j < FrameSamples; j += 2 {
			v := sig[cur-int(pMax)+j]
			t = fp.LMac0(t, v, v)
		}
		eh, el := fp.LExtract(fp.InvSqrt(t))
		return pMax, fp.ExtractL(fp.Mpy32(mh, ml, eh, el))
	}
	p1, m1 := lagMax(olPitMax, 80)
	p2, m2 := lagMax(79, 40)
	p3, m3 := lagMax(39, 20)
	if fp.Sub(fp.Mult(m1, olThreshold), m2) < 0 {
		m1, p1 = m2, p2
	}
	if fp.Sub(fp.Mult(m1, olThreshold), m3) < 0 {
		p1 = p3
	}
	return p1
}

func TestEncAutocorrMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var x [lpcWindowLen]int16
	for trial := 0; trial < 300; trial++ {
		encRandVec(r, x[:], 1+r.IntN(16))
		var rh, rl, wh, wl [lpcLen]int16
		encAutocorr(x[:], &rh, &rl)
		// Autocorr of sub_dsp.c
		var y [lpcWindowLen]int16
		for i := range y {
			y[i] = fp.MultR(x[i], lpcWindow[i])
		}
		var sum int32
		for {
			overflow := false
			sum = 1
			for _, v := range y {
				var o bool
				sum, o = fp.LMac0O(sum, v, v)
				overflow = overflow || o
			}
			if !overflow {
				break
			}
			for i := range y {
				y[i] = fp.Shr(y[i], 2)
			}
		}
		norm := fp.NormL(sum)
		wh[0], wl[0] = fp.LExtract(fp.LShr(fp.LShl(sum, norm), 1))
		for i := 1; i <= lpcOrder; i++ {
			sum = 0
			for j := 0; j < lpcWindowLen-i; j++ {
				sum = fp.LMac0(sum, y[j], y[j+i])
			}
			wh[i], wl[i] = fp.LExtract(fp.LShl(fp.LShr(sum, 1), norm))
		}
		if rh != wh || rl != wl {
			t.Fatalf("trial %d: encAutocorr differs from Autocorr", trial)
		}
	}
}

func TestEncD4i60MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var dn, dnRef [SubframeSamples + 4]int16
	var f, h [codePad + SubframeSamples]int16
	var rr [rrDim][rrDim]int16
	var cod, y, codRef, yRef [SubframeSamples]int16
	for trial := 0; trial < 3000; trial++ {
		b := 1 + r.IntN(16)
		encRandVec(r, dn[:SubframeSamples], b)
		encRandVec(r, f[codePad:], 1+r.IntN(16))
		encRandVec(r, h[codePad:], 1+r.IntN(16))
		rr = [rrDim][rrDim]int16{}
		for i := 0; i < 30; i++ {
			encRandVec(r, rr[i][:30], 1+r.IntN(16))
		}
		if trial%3 == 0 { // a realistic matrix: correlations of h
			encCalRr2(h[codePad:], &rr)
		}
		dnRef = dn
		i1, s1, sh1 := encD4i60(dn[:], f[:], codePad, h[:], codePad, &rr, cod[:], y[:])
		i2, s2, sh2 := encD4i60Ref(dnRef[:], f[:], codePad, h[:], codePad, &rr, codRef[:], yRef[:])
		if i1 != i2 || s1 != s2 || sh1 != sh2 || cod != codRef || y != yRef {
			t.Fatalf("trial %d: encD4i60 = %d,%d,%d, reference %d,%d,%d (codes equal: %v)",
				trial, i1, s1, sh1, i2, s2, sh2, cod == codRef && y == yRef)
		}
	}
}

// encD4i60Ref is D4i60_16 of sub_sc_d.c transcribed with the saturating
// operators only: the reference for the optimised encD4i60.
func encD4i60Ref(dn []int16, f []int16, fOff int, h []int16, hOff int, rr *[rrDim][rrDim]int16,
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

	ip0, ip1, ip2, ip3 := 0, 2, 4, 6
	var ps, psc int16
	alpha := int16(255)
	time := int16(d4i60MaxTime)

search:
	for ii0 := 0; ii0 < 30; ii0++ {
		ps0 := fp.StoreHi(fp.LMult0(q11GainI0, dn[2*ii0]), 5)
		ps0a := fp.StoreHi(fp.LMult0(q11GainI0, dn[2*ii0+1]), 5)
		alp0 := fp.LoadSh(rr[ii0][ii0], 14)
		for ii1 := 1; ii1 < 30; ii1 += 4 {
			ps1 := fp.Sub(ps0, dn[2*ii1])
			ps1a := fp.Sub(ps0a, dn[2*ii1+1])

			// alp1 = alp0·2 + rr[ii1][ii1] - 2·gain_i0·rr[ii0][ii1], /8
			t := fp.AddSh(alp0, rr[ii1][ii1], 13)
			t = fp.LMsu0(t, q14GainI0, rr[ii0][ii1])
			alp1 := fp.ExtractH(t)
			alp1L := fp.LoadSh(alp1, 15)

			// if |(ps1+ps1a)/2| > seuil1
			t = fp.LoadSh(ps1, 15)
			t = fp.LAbs(fp.AddSh(t, ps1a, 15))
			t = fp.SubSh16(t, seuil1)
			if t <= 0 {
				continue
			}
			for ii2 := 2; ii2 < 31; ii2 += 4 {
				ps2 := fp.Add(ps1, dn[2*ii2])
				ps2a := fp.Add(ps1a, dn[2*ii2+1])

				// alp2 = alp1 + rr[ii2][ii2]
				//        + 2·(gain_i0·rr[ii0][ii2] - rr[ii1][ii2]), /16
				t = fp.AddSh(alp1L, rr[ii2][ii2], 12)
				t = fp.LMac0(t, q13GainI0, rr[ii0][ii2])
				t = fp.SubSh(t, rr[ii1][ii2], 13)
				alp2 := fp.ExtractH(t)
				alp2L := fp.LoadSh16(alp2)

				// if |(ps2+ps2a)/2| > seuil2
				t = fp.LoadSh(ps2, 15)
				t = fp.LAbs(fp.AddSh(t, ps2a, 15))
				t = fp.SubSh16(t, seuil2)
				if t <= 0 {
					continue
				}
				shif := 0
				if fp.Sub(fp.Abs(ps2a), fp.Abs(ps2)) > 0 {
					ps2 = ps2a
					shif = 1
				}
				ps2L := fp.LoadSh(ps2, 15)
				for ii3 := 3; ii3 < 32; ii3 += 4 {
					// ps3 = (ps2 - dn[2·ii3+shif]) / 2, in 32 bits
					t = fp.SubSh(ps2L, dn[2*ii3+shif], 15)
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
					t = fp.LMult(ps3c, alpha)
					if fp.LMsu(t, psc, alp3) > 0 {
						ps, psc, alpha = ps3, ps3c, alp3
						ip0, ip1, ip2, ip3 = 2*ii0, 2*ii1, 2*ii2, 2*ii3
						shift = int16(shif)
					}
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

	// cod = the code filtered by F, y = the code filtered by h2:
	// p0[i]·gain_i0 - p1[i] + p2[i] - p3[i], negated if ps < 0.
	neg := ps < 0
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

func TestEncCalRr2MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var h [SubframeSamples]int16
	for trial := 0; trial < 1000; trial++ {
		encRandVec(r, h[:], 1+r.IntN(16))
		var got, want [rrDim][rrDim]int16
		encCalRr2(h[:], &got)
		// Cal_Rr2 of sub_sc_d.c
		var s int32
		for _, v := range h {
			s = fp.LMac0(s, v, v)
		}
		k := fp.Shr(fp.Sub(fp.NormL(s), 1), 1)
		var hs [SubframeSamples]int16
		for i, v := range h {
			hs[i] = fp.Shl(v, k)
		}
		for d := 0; d < 30; d++ {
			s = 0
			for m := 0; 2*m < SubframeSamples-2*d; m++ {
				s = fp.LMac(s, hs[2*m], hs[2*d+2*m])
				s = fp.LMac(s, hs[2*m+1], hs[2*d+2*m+1])
				want[29-m][29-d-m] = fp.ExtractH(s)
				want[29-d-m][29-m] = fp.ExtractH(s)
			}
		}
		if got != want {
			t.Fatalf("trial %d: encCalRr2 differs from Cal_Rr2", trial)
		}
	}
}
