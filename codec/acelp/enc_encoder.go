package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// Bandwidth-expansion factors of the perceptual weighting filter
// W(z) = A(z/γ1) / A(z/γ2) of the open-loop pitch analysis: γ1 = 0.95 and
// γ2 = 0.60 in Q15 (gamma1, gamma2 of scod_tet.c, EN 300 395-2 V1.3.1
// clause 4, perceptual weighting).
const (
	gamma1 int16 = 31130
	gamma2 int16 = 19661
)

// Layout of the encoder's speech buffer (old_speech of scod_tet.c): the 10
// samples before the current frame that the LP residual needs, the 240
// samples of the current frame, and the 40 samples of look-ahead. The LPC
// window covers the last 256 samples.
const (
	lookAhead   = 40                                     // L_next
	speechTotal = FrameSamples + lookAhead + lpcOrder    // L_total
	speechCur   = speechTotal - FrameSamples - lookAhead // speech
	speechNew   = speechTotal - FrameSamples             // new_speech
	speechWin   = speechTotal - lpcWindowLen             // p_window
)

// encExcCur is the index of the current frame's first excitation sample in
// Encoder.oldExc: one always-zero sample (excPad, as in the Decoder), then
// the pitMax+lInter past samples of the reference's old_exc. The encoder
// never reads the zero: in the first subframe lags above 84 have no
// fraction, so the interpolation reaches back at most 85+16 samples there,
// and the later subframes start 60 samples further on.
const encExcCur = excPad + excHist

// Encoder is the speech encoder of EN 300 395-2 V1.3.1 (Init_Pre_Process,
// Pre_Process, Init_Coder_Tetra, Coder_Tetra and Prm2bits_Tetra of the
// reference). It turns frames of FrameSamples 16-bit PCM samples at 8 kHz
// into frames of FrameBits bits, bit-exact with the reference encoder.
//
// An Encoder holds the state that links successive frames; encode the
// frames of one stream, in order, with one Encoder. Create it with
// [NewEncoder]; the zero value is not ready for use. An Encoder is not safe
// for concurrent use; separate Encoders are independent.
type Encoder struct {
	// Pre_Process: high-pass filter state.
	yHi, yLo, x0 int16

	oldSpeech [speechTotal]int16              // speech, see speechCur
	oldWsp    [pitMax + FrameSamples]int16    // weighted speech, current frame at pitMax
	oldExc    [encExcCur + FrameSamples]int16 // excitation, current frame at encExcCur

	fGamma1, fGamma2, fGamma3, fGamma4 [lpcOrder]int16 // Fac_Pond(γ1…γ4)

	lspOld, lspNew   [lpcOrder]int16 // unquantized LSPs, last and current frame
	lspOldQ, lspNewQ [lpcOrder]int16 // quantized LSPs, last and current frame
	lspLast          [lpcOrder]int16 // last ordered quantized LSPs (lsp_old of Clsp_334)
	oldA             [lpcLen]int16   // last stable LPC filter (old_A of Levin_32)

	memSyn, memW0, memW [lpcOrder]int16 // synthesis, target and weighting filter memories

	rr [rrDim][rrDim]int16 // correlations of h2 (Cal_Rr2)

	// Quantized pitch and code energies of the last subframe, Q8 log2
	// (last_ener_pit, last_ener_cod: the state of the gain predictor).
	lastEnerPit, lastEnerCod int16

	synth [FrameSamples]int16 // local synthesis of the last frame
}

// NewEncoder returns an Encoder in the initial state of the reference
// encoder.
func NewEncoder() *Encoder {
	e := new(Encoder)
	e.Reset()
	return e
}

// Reset puts e into the initial state of the reference encoder
// (Init_Pre_Process and Init_Coder_Tetra, EN 300 395-2 clause 4).
func (e *Encoder) Reset() {
	*e = Encoder{}
	e.lspOld = lspInit
	e.lspOldQ = lspInit
	e.lspLast = lspInit
	facPond(gamma1, &e.fGamma1)
	facPond(gamma2, &e.fGamma2)
	facPond(gamma3, &e.fGamma3)
	facPond(gamma4, &e.fGamma4)
	e.oldA[0] = 4096
}

// Encode encodes one frame: pcm[:FrameSamples] is 16-bit linear PCM at
// 8 kHz and bits[:FrameBits] receives the coded frame as unpacked bits (one
// per byte, 0 or 1), first transmitted bit first. pcm is not modified.
//
// Encode panics if pcm is shorter than FrameSamples or bits shorter than
// FrameBits. Any sample values encode without panicking. Encode does not
// allocate.
func (e *Encoder) Encode(bits []byte, pcm []int16) {
	e.EncodeSynth(bits, nil, pcm)
}

// EncodeSynth is [Encoder.Encode] that also writes the encoder's local
// synthesis to synth[:FrameSamples] unless synth is nil: the speech that a
// decoder reconstructs from bits, post-processed as the decoder's output
// (the reference encoder's synthesis file), 40 samples behind pcm.
func (e *Encoder) EncodeSynth(bits []byte, synth, pcm []int16) {
	if len(pcm) < FrameSamples {
		panic("acelp: Encoder.Encode: pcm shorter than FrameSamples")
	}
	if len(bits) < FrameBits {
		panic("acelp: Encoder.Encode: bits shorter than FrameBits")
	}
	if synth != nil && len(synth) < FrameSamples {
		panic("acelp: Encoder.EncodeSynth: synth shorter than FrameSamples")
	}
	copy(e.oldSpeech[speechNew:], pcm[:FrameSamples])
	e.preProcess(e.oldSpeech[speechNew:])
	var prm [NumParams]int16
	e.coder(&prm)
	paramsToBits(bits, &prm)
	if synth != nil {
		copy(synth, e.synth[:])
		postProcess(synth[:FrameSamples])
	}
}

// preProcess is Pre_Process (EN 300 395-2 clause 4, pre-processing): the
// high-pass filter with the signal halved, in place,
//
//	y[n] = x[n]/2 - x[n-1]/2 + (32735/32768)·y[n-1],
//
// with y kept in double precision.
func (e *Encoder) preProcess(signal []int16) {
	for i, x := range signal {
		x1 := e.x0
		e.x0 = x
		t := fp.LoadSh(x, 15)
		t = fp.SubSh(t, x1, 15)
		t = fp.LMac(t, e.yHi, 32735)
		t = fp.AddSh(t, fp.Mult(e.yLo, 32735), 1)
		signal[i] = fp.ExtractH(t)
		e.yHi = fp.ExtractH(t)
		e.yLo = fp.ExtractL(fp.SubSh(fp.LShr(t, 1), e.yHi, 15))
	}
}

// Pitch-sharpening gain of the innovation filter F(z): 0.8 in Q15.
const pitchSharp = 26216

// coder is Coder_Tetra (scod_tet.c, EN 300 395-2 clause 4, speech
// encoder): the NumParams parameters of the pre-processed frame in
// e.oldSpeech, and the local synthesis (before post-processing) in e.synth.
func (e *Encoder) coder(prm *[NumParams]int16) {
	var (
		rh, rl             [lpcLen]int16
		aT, aqT            [nSubfr * lpcLen]int16 // A(z) of the 4 subframes, unquantized and quantized
		ap1, ap2, ap3, ap4 [lpcLen]int16          // A(z/γ1…γ4)
		imp                [SubframeSamples]int16 // impulse input of the impulse responses
		zeroMem            [lpcOrder]int16
		h1                 [SubframeSamples]int16
		h2, f              [codePad + SubframeSamples]int16 // h2 and F with zeros in front
		res, xn, xn2       [SubframeSamples]int16
		dn, code           [SubframeSamples + 4]int16
		y1, y2             [SubframeSamples]int16
	)

	// LPC analysis, LSP quantization and interpolation.
	encAutocorr(e.oldSpeech[speechWin:], &rh, &rl)
	encLagWindow(&rh, &rl)
	encLevinson(&rh, &rl, aT[:lpcLen], &e.oldA)
	encAzLsp(aT[:lpcLen], &e.lspNew, &e.lspOld)
	encClsp334(&e.lspNew, &e.lspNewQ, prm[0:3], &e.lspLast)
	intLpc4(&e.lspOld, &e.lspNew, &aT)
	intLpc4(&e.lspOldQ, &e.lspNewQ, &aqT)
	e.lspOld = e.lspNew
	e.lspOldQ = e.lspNewQ

	// Weighted speech of the frame and open-loop pitch.
	for k := 0; k < nSubfr; k++ {
		a := aT[k*lpcLen : (k+1)*lpcLen]
		pondAi(a, &e.fGamma1, ap1[:])
		pondAi(a, &e.fGamma2, ap2[:])
		i := k * SubframeSamples
		wsp := e.oldWsp[pitMax+i : pitMax+i+SubframeSamples]
		residu(ap1[:], e.oldSpeech[speechCur+i-lpcOrder:], wsp, SubframeSamples)
		synFilt(ap2[:], wsp, wsp, SubframeSamples, e.memW[:], true)
	}
	t0 := encPitchOl(e.oldWsp[:], pitMax)

	// Range of the closed-loop search in the first subframe.
	t0Min := fp.Sub(t0, 2)
	if t0Min < pitMin {
		t0Min = pitMin
	}
	t0Max := fp.Add(t0Min, 4)
	if t0Max > pitMax {
		t0Max = pitMax
		t0Min = fp.Sub(t0Max, 4)
	}

	for k := 0; k < nSubfr; k++ {
		iSubfr := k * SubframeSamples
		aq := aqT[k*lpcLen : (k+1)*lpcLen]
		ana := prm[3+5*k : 3+5*k+5]
		excPos := encExcCur + iSubfr

		pondAi(aq, &e.fGamma3, ap3[:])
		pondAi(aq, &e.fGamma4, ap4[:])

		// Impulse response h1 of the weighted synthesis filter 1/A(z/γ4).
		imp = [SubframeSamples]int16{0: 4096} // 1.0 in Q12
		synFilt(ap4[:], imp[:], h1[:], SubframeSamples, zeroMem[:], false)

		// LP residual, copied to the excitation.
		residu(aq, e.oldSpeech[speechCur+iSubfr-lpcOrder:], res[:], SubframeSamples)
		copy(e.oldExc[excPos:excPos+SubframeSamples], res[:])

		// Target of the pitch search.
		synFilt(ap4[:], res[:], xn[:], SubframeSamples, e.memW0[:], false)

		// Closed-loop fractional pitch and its index.
		var frac int16
		t0, frac = encPitchFr(e.oldExc[:], excPos, xn[:], h1[:], t0Min, t0Max, k == 0)
		var index int16
		if k == 0 {
			if t0 <= 85 { // index = 3·T0 - 58 + frac
				index = fp.Add(t0, fp.Add(t0, t0))
				index = fp.Sub(index, 58)
				index = fp.Add(index, frac)
			} else {
				index = fp.Add(t0, 112)
			}
			// Range of the other subframes.
			t0Min, t0Max = pitchRange(t0)
		} else { // index = 3·(T0 - T0min) + 2 + frac
			i := fp.Sub(t0, t0Min)
			index = fp.Add(i, fp.Add(i, i))
			index = fp.Add(index, 2)
			index = fp.Add(index, frac)
		}
		ana[0] = index

		// Adaptive codebook vector, filtered, and its gain.
		predLt(e.oldExc[:], excPos, t0, frac, SubframeSamples)
		excSub := e.oldExc[excPos : excPos+SubframeSamples]
		synFilt(ap4[:], excSub, y1[:], SubframeSamples, zeroMem[:], false)
		gainPit := encGPitch(xn[:], y1[:])

		// Target of the codebook search: xn2 = xn - y1·gain_pit.
		for i := range xn2 {
			t := fp.LMult(y1[i], gainPit)
			t = fp.LShl(t, 3) // gain_pit in Q12
			t = fp.LSub(fp.LoadSh16(xn[i]), t)
			xn2[i] = fp.ExtractH(t)
		}

		// Impulse response F of Ap3/Ap4 with pitch sharpening, and h2 of
		// F/Ap4.
		imp = [SubframeSamples]int16{}
		copy(imp[:], ap3[:])
		fs := f[codePad:]
		synFilt(ap4[:], imp[:], fs, SubframeSamples, zeroMem[:], false)
		for i := int(t0); i < SubframeSamples; i++ {
			fs[i] = fp.Add(fs[i], fp.Mult(fs[i-int(t0)], pitchSharp))
		}
		h2s := h2[codePad:]
		synFilt(ap4[:], fs, h2s, SubframeSamples, zeroMem[:], false)
		encCalRr2(h2s, &e.rr)

		// Algebraic codebook search.
		encBackFil(xn2[:], h2s, dn[:])
		ana[1], ana[2], ana[3] = encD4i60(dn[:], f[:], codePad, h2[:], codePad, &e.rr, code[:], y2[:])
		gainCode := encGCode(xn2[:], y2[:])

		// Gain quantization.
		ana[4] = e.encEnerQua(aq, excSub, code[:], &gainPit, &gainCode)

		// Total excitation: exc = gain_pit·exc + gain_code·code.
		for i, v := range excSub {
			t := fp.LMult0(v, gainPit)
			t = fp.LMac0(t, code[i], gainCode)
			excSub[i] = fp.ExtractL(fp.LShrR(t, 12))
		}

		// Memory of the target filter: the error res - exc through 1/Ap4.
		for i := range res {
			res[i] = fp.Sub(res[i], excSub[i])
		}
		synFilt(ap4[:], res[:], code[:], SubframeSamples, e.memW0[:], true)

		// Local synthesis.
		synFilt(aq, excSub, e.synth[iSubfr:], SubframeSamples, e.memSyn[:], true)
	}

	// Shift the buffers by one frame.
	copy(e.oldSpeech[:], e.oldSpeech[FrameSamples:])
	copy(e.oldWsp[:], e.oldWsp[FrameSamples:])
	copy(e.oldExc[excPad:], e.oldExc[excPad+FrameSamples:])
}
