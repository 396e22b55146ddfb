package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// This file holds the pitch analysis of the encoder (sub_sc_d.c:
// Pitch_Ol_Dec, Lag_Max, Pitch_Fr, Norm_Corr, G_Pitch), EN 300 395-2 V1.3.1
// clause 4 (open-loop pitch analysis, closed-loop pitch search, adaptive
// codebook gain). Each routine follows its reference operation by operation.

// olPitMax is the largest lag of the open-loop pitch search. Pitch_Ol_Dec of
// the reference redefines pit_max locally as 142, one less than the range of
// the closed-loop search (pitMax = 143).
const olPitMax = 142

// olThreshold favours the shorter of two open-loop lags: 0.85 in Q15 (seuil
// of Pitch_Ol_Dec).
const olThreshold = 27856

// encPitchOl is Pitch_Ol_Dec (EN 300 395-2 clause 4, open-loop pitch
// analysis): the open-loop pitch lag (20…142) of the weighted speech of the
// frame, wsp[cur…cur+239], using the olPitMax samples before it. The search
// runs on every second sample, in three sections (142…80, 79…40, 39…20),
// each section's maximum of normalised correlation being preferred to a
// longer lag's unless that one is better by 1/0.85.
func encPitchOl(wsp []int16, cur int) int16 {
	const lFrame = FrameSamples
	var sigDec [lFrame / 2]int16

	// Risk of overflow: the reference's Overflow flag on the energy.
	// The energy only grows, so the saturating loop of the reference
	// overflows exactly when the plain sum exceeds 32 bits (enc_fast.go).
	var e64 int64
	for i := cur - olPitMax; i < cur+lFrame; i += 2 {
		e64 += int64(int32(wsp[i]) * int32(wsp[i]))
	}
	overflow := e64 > int64(fp.Max32)
	t0 := int32(min(e64, int64(fp.Max32)))

	// Decimation and scaling.
	switch {
	case overflow:
		for j := range sigDec {
			sigDec[j] = fp.Shr(wsp[cur+2*j], 6)
		}
	case fp.LSub(t0, fp.LShl(1, 22)) < 0:
		for j := range sigDec {
			sigDec[j] = fp.Shl(wsp[cur+2*j], 4)
		}
	default:
		for j := range sigDec {
			sigDec[j] = wsp[cur+2*j]
		}
	}

	// The correlations of the three sections are exact as plain sums if
	// the energies of sigDec and of all the signal they meet are small
	// enough (Cauchy-Schwarz, see enc_fast.go).
	fast := encDotFits(encEnergy64(sigDec[:]), encEnergy64(wsp[cur-olPitMax:cur+lFrame]))
	pMax1, max1 := encLagMax(wsp, cur, &sigDec, olPitMax, 80, fast)
	pMax2, max2 := encLagMax(wsp, cur, &sigDec, 79, 40, fast)
	pMax3, max3 := encLagMax(wsp, cur, &sigDec, 39, 20, fast)

	// Compare the three sections, favouring short lags.
	if fp.Sub(fp.Mult(max1, olThreshold), max2) < 0 {
		max1, pMax1 = max2, pMax2
	}
	if fp.Sub(fp.Mult(max1, olThreshold), max3) < 0 {
		pMax1 = pMax3
	}
	return pMax1
}

// encLagMax is Lag_Max (EN 300 395-2 clause 4, open-loop pitch analysis):
// the lag in lagMin…lagMax (the last one on ties, searching downwards)
// maximising the correlation of sigDec with the signal sig[cur-lag+2j],
// j = 0…119, and that correlation normalised by the energy of the delayed
// signal, corMax (Q15 on 16 bits). fast tells that no correlation can
// saturate, so plain sums may replace the reference's L_mac0 loops.
func encLagMax(sig []int16, cur int, sigDec *[FrameSamples / 2]int16, lagMax, lagMin int, fast bool) (pMax, corMax int16) {
	max := fp.Min32
	for i := lagMax; i >= lagMin; i-- {
		p1 := sig[cur-i : cur-i+FrameSamples]
		var t0 int32
		if fast {
			for j, d := range sigDec {
				t0 += int32(d) * int32(p1[2*j])
			}
		} else {
			for j, d := range sigDec {
				t0 = fp.LMac0(t0, d, p1[2*j])
			}
		}
		if fp.LSub(t0, max) >= 0 {
			max, pMax = t0, int16(i)
		}
	}
	max = fp.LShr(max, 1) // double-precision format
	maxH, maxL := fp.LExtract(max)

	// Energy (it only grows: the clamped plain sum is the saturating one),
	// and 1/sqrt(energy) in Q30.
	var e64 int64
	p := sig[cur-int(pMax) : cur-int(pMax)+FrameSamples]
	for i := 0; i < FrameSamples; i += 2 {
		e64 += int64(int32(p[i]) * int32(p[i]))
	}
	t0 := fp.InvSqrt(int32(min(e64, int64(fp.Max32))))
	enerH, enerL := fp.LExtract(t0)

	// max / sqrt(energy): always on 16 bits.
	t0 = fp.Mpy32(maxH, maxL, enerH, enerL)
	return pMax, fp.ExtractL(t0)
}

// pitchFracLen is Lg_inter, half the length of the correlation
// interpolation filter of Pitch_Fr.
const pitchFracLen = 4

// encPitchFr is Pitch_Fr (EN 300 395-2 clause 4, closed-loop pitch
// search): the lag in t0Min…t0Max maximising the normalised correlation of
// the target xn with the past excitation exc[pos-lag…] filtered by h, then
// refined to a fraction frac ∈ {-1, 0, 1} (thirds of a sample) by
// interpolating that correlation. In the first subframe, lags above 84 get
// no fraction.
func encPitchFr(exc []int16, pos int, xn, h []int16, t0Min, t0Max int16, firstSubfr bool) (lag, frac int16) {
	var corr [40]int16 // normalised correlation of the lags tMin…tMax
	tMin := fp.Sub(t0Min, pitchFracLen)
	tMax := fp.Add(t0Max, pitchFracLen)
	encNormCorr(exc, pos, xn, h, tMin, tMax, corr[:])

	at := func(t int16) int { return int(t - tMin) }

	// Integer lag.
	max := corr[at(t0Min)]
	lag = t0Min
	for i := t0Min + 1; i <= t0Max; i++ {
		if fp.Sub(corr[at(i)], max) >= 0 {
			max, lag = corr[at(i)], i
		}
	}
	if firstSubfr && fp.Sub(lag, 84) > 0 {
		return lag, 0
	}

	// Fractions around lag.
	lMax := fp.LoadSh(max, 15)
	if c := inter8P13At(corr[:], at(lag)); fp.LSub(c, lMax) >= 0 { // +1/3
		lMax, frac = c, 1
	}
	if c := inter8M13At(corr[:], at(lag+1)); fp.LSub(c, lMax) >= 0 { // +2/3
		lMax, frac = c, 2
	}
	if c := inter8P13At(corr[:], at(lag-1)); fp.LSub(c, lMax) >= 0 { // -2/3
		lMax, frac = c, -2
	}
	if c := inter8M13At(corr[:], at(lag)); fp.LSub(c, lMax) >= 0 { // -1/3
		frac = -1
	}
	switch frac {
	case 2:
		frac, lag = -1, fp.Add(lag, 1)
	case -2:
		frac, lag = 1, fp.Sub(lag, 1)
	}
	return lag, frac
}

// encNormCorr is Norm_Corr (EN 300 395-2 clause 4, closed-loop pitch
// search): corr[t-tMin] for t = tMin…tMax is the correlation of xn with the
// excitation exc[pos-t…pos-t+59] filtered by h, divided by the square root
// of that filtered excitation's energy. The filtered excitation of each lag
// is updated recursively from the previous one, as the reference does.
func encNormCorr(exc []int16, pos int, xn, h []int16, tMin, tMax int16, corr []int16) {
	const l = SubframeSamples
	var excf [l]int16
	k := pos - int(tMin)
	encConvolve(exc[k:], h, excf[:])
	xn = xn[:l]
	h = h[:l]
	ex := encEnergy64(xn)
	for i := tMin; i <= tMax; i++ {
		ey := encEnergy64(excf[:])
		var s int32
		if encDotFits(ex, ey) {
			s = int32(encDot64(xn, excf[:]))
		} else {
			s, _ = encDotSat(0, xn, excf[:])
		}
		s = fp.LShr(s, 1) // double-precision format
		corrH, corrL := fp.LExtract(s)

		s = int32(min(ey, int64(fp.Max32))) // the saturating energy
		s = fp.InvSqrt(s)                   // Q30
		normH, normL := fp.LExtract(s)

		s = fp.Mpy32(corrH, corrL, normH, normL)
		corr[i-tMin] = fp.ExtractL(s) // on 16 bits

		if i != tMax {
			k--
			e := exc[k]
			for j := l - 1; j > 0; j-- {
				s = fp.LMult0(e, h[j])
				s = fp.AddSh(s, excf[j-1], 12)
				excf[j] = fp.StoreHi(s, 4)
			}
			excf[0] = e
		}
	}
}

// encGain is the shared body of G_Pitch and G_Code (EN 300 395-2 clause 4,
// adaptive and fixed codebook gains): the ratio <x,y>/<y,y> in Q12 as the
// pair (xy, yy) of normalised mantissas with their exponents. If either
// scalar product overflows 32 bits (the reference's Overflow flag), both
// are recomputed with each product divided by 64.
func encGain(x, y []int16) (xy, expXY, yy, expYY int16) {
	x = x[:SubframeSamples]
	y = y[:SubframeSamples]
	ey := encEnergy64(y)
	var s int32
	var overflow bool
	if encDotFits(encEnergy64(x), ey) {
		s = 1 + int32(encDot64(x, y)) // from 1: avoids the case of all zeros
	} else {
		s, overflow = encDotSat(1, x, y)
	}
	expXY = fp.NormL(s)
	xy = fp.ExtractH(fp.LShl(s, expXY))
	s, o := encEnergy(1, y)
	overflow = overflow || o
	expYY = fp.NormL(s)
	yy = fp.ExtractH(fp.LShl(s, expYY))
	if !overflow {
		return
	}
	s = 1
	for i, v := range x {
		s = fp.LAdd(s, fp.LShr(fp.LMult0(v, y[i]), 6))
	}
	expXY = fp.NormL(s)
	xy = fp.ExtractH(fp.LShl(s, expXY))
	s = 1
	for _, v := range y {
		s = fp.LAdd(s, fp.LShr(fp.LMult0(v, v), 6))
	}
	expYY = fp.NormL(s)
	yy = fp.ExtractH(fp.LShl(s, expYY))
	return
}

// encGPitch is G_Pitch (EN 300 395-2 clause 4, adaptive codebook gain):
// the pitch gain <xn,y1>/<y1,y1> in Q12, 0 if the correlation is too small
// and at most 1.2 (4915).
func encGPitch(xn, y1 []int16) int16 {
	xy, expXY, yy, expYY := encGain(xn, y1)
	if fp.Sub(xy, 4) < 0 {
		return 0
	}
	xy = fp.Shr(xy, 1) // xy < yy
	gain := fp.DivS(xy, yy)
	i := fp.Add(expXY, 2) // denormalisation
	i = fp.Sub(i, expYY)
	gain = fp.Shr(gain, i)
	if fp.Sub(gain, 4915) > 0 {
		gain = 4915
	}
	return gain
}

// encGCode is G_Code (EN 300 395-2 clause 4, fixed codebook gain): the
// code gain <xn2,y2>/<y2,y2> in Q0 (it multiplies the code, which is in
// Q12), 0 if the correlation is not positive.
func encGCode(xn2, y2 []int16) int16 {
	xy, expXY, yy, expYY := encGain(xn2, y2)
	if xy <= 0 {
		return 0
	}
	xy = fp.Shr(xy, 1) // xy < yy
	gain := fp.DivS(xy, yy)
	i := fp.Add(expXY, 2)
	i = fp.Sub(i, expYY)
	return fp.Shr(gain, i)
}
