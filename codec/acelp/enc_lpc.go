package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// This file holds the LPC analysis of the encoder (sub_dsp.c: Autocorr,
// Lag_Window, Levin_32, Az_Lsp, Chebps; sub_sc_d.c: Clsp_334), EN 300 395-2
// V1.3.1 clause 4 (LPC analysis, LPC to LSP conversion, LSP quantization).
// Each routine follows its reference operation by operation.

// lpcWindowLen is L_window, the length of the LPC analysis window.
const lpcWindowLen = 256

// encAutocorr is Autocorr (EN 300 395-2 clause 4, LPC analysis): the
// autocorrelations r[0…10] of x[0…255] windowed by lpcWindow, normalised and
// in double precision (rh[k], rl[k]). While the energy overflows 32 bits
// (the reference's Overflow flag), the windowed signal is divided by 4.
func encAutocorr(x []int16, rh, rl *[lpcLen]int16) {
	var y [lpcWindowLen]int16
	x = x[:lpcWindowLen]
	for i := range y {
		y[i] = fp.MultR(x[i], lpcWindow[i])
	}
	var sum int32
	for {
		var overflow bool
		sum, overflow = encEnergy(1, y[:]) // from 1: avoids the case of all zeros
		if !overflow {
			break
		}
		for i := range y {
			y[i] = fp.Shr(y[i], 2)
		}
	}
	norm := fp.NormL(sum)
	sum = fp.LShl(sum, norm)
	sum = fp.LShr(sum, 1) // double-precision format
	rh[0], rl[0] = fp.LExtract(sum)
	for i := 1; i <= lpcOrder; i++ {
		// By Cauchy-Schwarz every partial sum is at most the energy, which
		// did not overflow: the reference's L_mac0 loop never saturates here
		// and the plain sum is exact (see enc_fast.go).
		sum = int32(encDot64(y[:lpcWindowLen-i], y[i:]))
		sum = fp.LShr(sum, 1)
		sum = fp.LShl(sum, norm)
		rh[i], rl[i] = fp.LExtract(sum)
	}
}

// encLagWindow is Lag_Window (EN 300 395-2 clause 4, LPC analysis): r[k] *=
// lag window w[k] for k = 1…10, in double precision.
func encLagWindow(rh, rl *[lpcLen]int16) {
	for i := 1; i <= lpcOrder; i++ {
		x := fp.Mpy32(rh[i], rl[i], lagWindowH[i-1], lagWindowL[i-1])
		rh[i], rl[i] = fp.LExtract(x)
	}
}

// encLevinson is Levin_32 (EN 300 395-2 clause 4, LPC analysis): the
// Levinson-Durbin recursion in 32 bits from the autocorrelations (rh, rl),
// giving a[0…10] in Q12 (a[0] = 1.0). If a reflection coefficient reaches
// |k| > 32750/32768 the filter would be unstable, and the last stable filter
// oldA is returned instead; otherwise oldA receives the new filter.
func encLevinson(rh, rl *[lpcLen]int16, a []int16, oldA *[lpcLen]int16) {
	var ah, al, anh, anl [lpcLen]int16
	_ = a[lpcOrder]

	// K = A[1] = -R[1] / R[0]
	t1 := fp.LComp(rh[1], rl[1]) // R[1] in Q30
	t2 := fp.LAbs(t1)
	t0 := fp.Div32(t2, rh[0], rl[0]) // R[1]/R[0] in Q30
	if t1 > 0 {
		t0 = fp.LNegate(t0)
	}
	kh, kl := fp.LExtract(t0)
	t0 = fp.LShr(t0, 4) // A[1] in Q26
	ah[1], al[1] = fp.LExtract(t0)

	// Alpha = R[0]·(1 - K²)
	t0 = fp.Mpy32(kh, kl, kh, kl) // K² in Q30
	t0 = fp.LAbs(t0)
	t0 = fp.LSub(0x3fffffff, t0) // 1 - K² in Q30
	hi, lo := fp.LExtract(t0)
	t0 = fp.Mpy32(rh[0], rl[0], hi, lo) // Alpha in Q30
	t0, sh := fp.NormV(t0, 12)
	t0 = fp.LShr(t0, 1)
	alpH, alpL := fp.LExtract(t0)
	alpE := sh - 1

	for i := 2; i <= lpcOrder; i++ {
		// t0 = Σ_{j=1…i-1} R[j]·A[i-j] + R[i]
		t0 = 0
		for j := 1; j < i; j++ {
			t0 = fp.LAdd(t0, fp.Mpy32(rh[j], rl[j], ah[i-j], al[i-j]))
		}
		t0 = fp.LShl(t0, 4) // Q26 to Q30
		t1 = fp.LComp(rh[i], rl[i])
		t0 = fp.LAdd(t0, t1)

		// K = -t0 / Alpha
		t1 = fp.LAbs(t0)
		t2 = fp.Div32(t1, alpH, alpL)
		if t0 > 0 {
			t2 = fp.LNegate(t2)
		}
		t2 = fp.LShl(t2, alpE)
		kh, kl = fp.LExtract(t2)

		if fp.Abs(kh) > 32750 { // unstable filter: keep the old one
			copy(a[:lpcLen], oldA[:])
			return
		}

		// An[j] = A[j] + K·A[i-j] for j = 1…i-1, An[i] = K
		for j := 1; j < i; j++ {
			t0 = fp.Mpy32(kh, kl, ah[i-j], al[i-j])
			t0 = fp.AddSh(t0, ah[j], 15)
			t0 = fp.AddSh(t0, al[j], 0)
			anh[j], anl[j] = fp.LExtract(t0)
		}
		t2 = fp.LShr(t2, 4) // K in Q26
		anh[i], anl[i] = fp.LExtract(t2)

		// Alpha = Alpha·(1 - K²)
		t0 = fp.Mpy32(kh, kl, kh, kl)
		t0 = fp.LAbs(t0)
		t0 = fp.LSub(0x3fffffff, t0)
		hi, lo = fp.LExtract(t0)
		t0 = fp.Mpy32(alpH, alpL, hi, lo)
		t0, sh = fp.NormV(t0, 12)
		t0 = fp.LShr(t0, 1)
		alpH, alpL = fp.LExtract(t0)
		alpE += sh - 1

		for j := 1; j <= i; j++ {
			ah[j], al[j] = anh[j], anl[j]
		}
	}

	// A[i] from Q26 to Q12 with rounding
	a[0] = 4096
	for i := 1; i <= lpcOrder; i++ {
		t0 = fp.LComp(ah[i], al[i])
		t0 = fp.AddSh(t0, 1, 13)
		a[i] = fp.StoreHi(t0, 2)
		oldA[i] = a[i]
	}
}

// encChebps is Chebps (EN 300 395-2 clause 4, LPC to LSP conversion): the
// Chebyshev polynomial of order 5 with coefficients f[0…5] (Q11) evaluated
// at x (cosine domain, Q15), in Q14:
//
//	C(x) = T5(x) + f[1]·T4(x) + … + f[4]·T1(x) + f[5]/2
//
// computed in Q24 double precision by the Clenshaw recurrence.
func encChebps(x int16, f *[6]int16) int16 {
	const n = 5
	b2h, b2l := int16(512), int16(0) // b2 = 1.0 in Q24
	t0 := fp.LoadSh(x, 10)           // 2x in Q24
	t0 = fp.AddSh(t0, f[1], 13)      // + f[1]
	b1h, b1l := fp.LExtract(t0)
	for i := 2; i < n; i++ {
		t0 = fp.MpyMix(b1h, b1l, x) // x·b1
		t0 = fp.LShl(t0, 1)         // 2x·b1
		t0 = fp.SubSh(t0, b2l, 0)   // - b2
		t0 = fp.SubSh(t0, b2h, 15)
		t0 = fp.AddSh(t0, f[i], 13) // + f[i]
		b0h, b0l := fp.LExtract(t0)
		b2h, b2l = b1h, b1l
		b1h, b1l = b0h, b0l
	}
	t0 = fp.MpyMix(b1h, b1l, x) // x·b1
	t0 = fp.SubSh(t0, b2l, 0)   // - b2
	t0 = fp.SubSh(t0, b2h, 15)
	t0 = fp.AddSh(t0, f[n], 12) // + f[5]/2
	t0 = fp.LShl(t0, 6)         // Q24 to Q30 with saturation
	return fp.ExtractH(t0)      // Q14
}

// encAzLsp is Az_Lsp (EN 300 395-2 clause 4, LPC to LSP conversion): the
// LSPs lsp[0…9] (cosine domain, Q15) of a[0…10] (Q12), the roots of
//
//	F1(z) = (A(z) + z^-11·A(1/z)) / (1 + z^-1)
//	F2(z) = (A(z) - z^-11·A(1/z)) / (1 - z^-1)
//
// found alternately on the 61-point grid lspGrid, refined by 4 bisections and
// a linear interpolation. If fewer than 10 roots are found, lsp is oldLsp.
func encAzLsp(a []int16, lsp, oldLsp *[lpcOrder]int16) {
	var f1, f2 [6]int16
	_ = a[lpcOrder]
	f1[0], f2[0] = 2048, 2048 // 1.0 in Q11
	for i := 0; i < 5; i++ {
		t0 := fp.LoadSh(a[i+1], 15)          // a[i+1] in Q27
		t0 = fp.AddSh(t0, a[lpcOrder-i], 15) // + a[10-i]
		t0 = fp.SubSh16(t0, f1[i])           // - f1[i]
		f1[i+1] = fp.ExtractH(t0)            // Q11
		t0 = fp.LoadSh(a[i+1], 15)           // a[i+1]
		t0 = fp.SubSh(t0, a[lpcOrder-i], 15) // - a[10-i]
		t0 = fp.AddSh16(t0, f2[i])           // + f2[i]
		f2[i+1] = fp.ExtractH(t0)
	}

	nf := 0
	coef := &f1
	ip := 0
	xlow := lspGrid[0]
	ylow := encChebps(xlow, coef)
	for j := 0; nf < lpcOrder && j < len(lspGrid)-1; {
		j++
		xhigh, yhigh := xlow, ylow
		xlow = lspGrid[j]
		ylow = encChebps(xlow, coef)
		if fp.LMult0(ylow, yhigh) > 0 {
			continue
		}
		// Divide the interval 4 times.
		for i := 0; i < 4; i++ {
			t0 := fp.LoadSh(xlow, 15) // xmid = (xlow + xhigh)/2
			t0 = fp.AddSh(t0, xhigh, 15)
			xmid := fp.ExtractH(t0)
			ymid := encChebps(xmid, coef)
			if fp.LMult0(ylow, ymid) <= 0 {
				yhigh, xhigh = ymid, xmid
			} else {
				ylow, xlow = ymid, xmid
			}
		}
		// Linear interpolation: xint = xlow - ylow·(xhigh-xlow)/(yhigh-ylow).
		x := fp.Sub(xhigh, xlow)
		y := fp.Sub(yhigh, ylow)
		var xint int16
		if y == 0 {
			xint = xlow
		} else {
			sign := y
			y = fp.Abs(y)
			exp := fp.NormS(y)
			y = fp.Shl(y, exp)
			y = fp.DivS(16383, y)
			t0 := fp.LMult0(x, y)
			t0 = fp.LShr(t0, fp.Sub(19, exp))
			y = fp.ExtractL(t0) // (xhigh-xlow)/(yhigh-ylow) in Q10
			if sign < 0 {
				y = fp.Negate(y)
			}
			t0 = fp.LoadSh(xlow, 10)
			t0 = fp.LMsu0(t0, ylow, y)
			xint = fp.StoreHi(t0, 6)
		}
		lsp[nf] = xint
		xlow = xint
		nf++
		if ip == 0 {
			ip, coef = 1, &f2
		} else {
			ip, coef = 0, &f1
		}
		ylow = encChebps(xlow, coef)
	}
	if nf < lpcOrder {
		*lsp = *oldLsp
	}
}

// encClsp334 is Clsp_334 (EN 300 395-2 clause 4, LSP quantization): the
// split vector quantization of lsp[0…9] with the codebooks lspCodebook1 (LSPs
// 1-3), lspCodebook2 (4-6) and lspCodebook3 (7-10) by unweighted squared
// error, giving the three indices and the quantized LSPs lspQ. The pairs
// (3, 4) and (6, 7) are then pushed at least 917 and 1245 (Q15) apart; if
// the result is not in decreasing order, lspQ is the last good quantized
// vector lspLast, which otherwise receives lspQ.
func encClsp334(lsp, lspQ *[lpcOrder]int16, index []int16, lspLast *[lpcOrder]int16) {
	index[0] = encVQ3(lsp[0:3], lspCodebook1[:])
	copy(lspQ[0:3], lspCodebook1[index[0]][:])
	index[1] = encVQ3(lsp[3:6], lspCodebook2[:])
	copy(lspQ[3:6], lspCodebook2[index[1]][:])
	index[2] = encVQ4(lsp[6:10], lspCodebook3[:])
	copy(lspQ[6:10], lspCodebook3[index[2]][:])

	// Minimum distance between lspQ[2] and lspQ[3]: 917 = 0.028 in Q15.
	temp := fp.Sub(917, lspQ[2])
	temp = fp.Add(temp, lspQ[3])
	if temp > 0 {
		temp = fp.Shr(temp, 1)
		lspQ[2] = fp.Add(lspQ[2], temp)
		lspQ[3] = fp.Sub(lspQ[3], temp)
	}
	// Minimum distance between lspQ[5] and lspQ[6]: 1245 = 0.038 in Q15.
	temp = fp.Sub(1245, lspQ[5])
	temp = fp.Add(temp, lspQ[6])
	if temp > 0 {
		temp = fp.Shr(temp, 1)
		lspQ[5] = fp.Add(lspQ[5], temp)
		lspQ[6] = fp.Sub(lspQ[6], temp)
	}

	ordered := true
	for i := 0; i < lpcOrder-1; i++ {
		if fp.Sub(lspQ[i], lspQ[i+1]) <= 0 {
			ordered = false
		}
	}
	if ordered {
		*lspLast = *lspQ
	} else {
		*lspQ = *lspLast
	}
}

// encVQ3 returns the index of the entry of cb nearest to x[0…2] (first
// one on ties), as the search loops of Clsp_334.
func encVQ3(x []int16, cb [][3]int16) int16 {
	x0, x1, x2 := x[0], x[1], x[2]
	minDist := fp.Max32
	var ind int16
	for i := range cb {
		e := &cb[i]
		t := fp.Sub(x0, e[0])
		dist := fp.LMult0(t, t)
		t = fp.Sub(x1, e[1])
		dist = fp.LMac0(dist, t, t)
		t = fp.Sub(x2, e[2])
		dist = fp.LMac0(dist, t, t)
		if fp.LSub(dist, minDist) < 0 {
			minDist, ind = dist, int16(i)
		}
	}
	return ind
}

// encVQ4 is encVQ3 for vectors of 4.
func encVQ4(x []int16, cb [][4]int16) int16 {
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	minDist := fp.Max32
	var ind int16
	for i := range cb {
		e := &cb[i]
		t := fp.Sub(x0, e[0])
		dist := fp.LMult0(t, t)
		t = fp.Sub(x1, e[1])
		dist = fp.LMac0(dist, t, t)
		t = fp.Sub(x2, e[2])
		dist = fp.LMac0(dist, t, t)
		t = fp.Sub(x3, e[3])
		dist = fp.LMac0(dist, t, t)
		if fp.LSub(dist, minDist) < 0 {
			minDist, ind = dist, int16(i)
		}
	}
	return ind
}
