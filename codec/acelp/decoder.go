package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// excPad is the number of always-zero excitation samples kept in front of
// the reference's history of pitMax+lInter samples.
//
// Deviation from the reference code (sdec_tet.c): a lag of 143 + 1/3
// (subframes 2-4 only), or the lag 144 - 1/3 that the unused pitch index 31
// decodes to, makes Inter32_1_3 / Inter32_M1_3 read one sample before the
// start of old_exc[], outside the array. We read a zero there, so that
// arbitrary bits off the air cannot make the decoder read out of bounds.
const excPad = 1

// excHist is the length of the excitation history before the current frame
// (pit_max + L_inter of sdec_tet.c).
const excHist = pitMax + lInter

// Decoder is the speech decoder of EN 300 395-2 (Init_Decod_Tetra,
// Decod_Tetra and Post_Process of the reference). It turns frames of
// FrameBits bits into frames of FrameSamples PCM samples, concealing frames
// marked bad.
//
// A Decoder holds the state that links successive frames; decode the frames
// of one stream, in order, with one Decoder. Create it with [NewDecoder];
// the zero value is not ready for use. A Decoder is not safe for concurrent
// use; separate Decoders are independent.
type Decoder struct {
	// oldExc is the excitation: excPad zeros, excHist past samples, then
	// the FrameSamples of the current frame (old_exc[] of sdec_tet.c).
	oldExc [excPad + excHist + FrameSamples]int16

	fGamma3, fGamma4 [lpcOrder]int16 // Fac_Pond(γ3), Fac_Pond(γ4)

	lspOld [lpcOrder]int16 // LSPs of the previous frame, Q15
	lspNew [lpcOrder]int16 // LSPs of the current frame, Q15

	memSyn [lpcOrder]int16 // memory of the synthesis filter 1/A(z)

	oldParm [NumParams]int16 // parameters of the last good frame
	oldT0   int16            // pitch lag of the last subframe

	// Energies of the last subframe, Q8 log2 (last_ener_pit and
	// last_ener_cod, the state of the gain predictor).
	lastEnerPit, lastEnerCod int16
}

// NewDecoder returns a Decoder in the initial state of the reference
// decoder.
func NewDecoder() *Decoder {
	d := new(Decoder)
	d.Reset()
	return d
}

// Reset puts d into the initial state of the reference decoder
// (Init_Decod_Tetra, EN 300 395-2 clause 4, decoder initialisation).
//
// As in the reference, the LSPs that a bad frame repeats are not all reset:
// lspNew[0] keeps its value across a reset (it is 0 in a new Decoder). This
// matters only if the first frame after the reset is bad.
func (d *Decoder) Reset() {
	d.oldT0 = 60
	d.oldParm = [NumParams]int16{}
	d.lastEnerCod, d.lastEnerPit = 0, 0
	d.oldExc = [len(d.oldExc)]int16{}
	d.memSyn = [lpcOrder]int16{}
	d.lspOld = lspInit
	facPond(gamma3, &d.fGamma3)
	facPond(gamma4, &d.fGamma4)
}

// Decode decodes one frame: bits holds the FrameBits unpacked bits of the
// frame (a byte equal to 1 is a one bit, any other value a zero bit) and
// bfi is its bad-frame indicator; pcm[:FrameSamples] receives the decoded
// speech, 16-bit linear PCM at 8 kHz. With bfi set, bits is not read (it
// may be nil) and the frame is concealed from the decoder's state.
//
// Decode panics if pcm is shorter than FrameSamples, or if bfi is false and
// bits is shorter than FrameBits. Any bit values decode without panicking.
// Decode does not allocate.
func (d *Decoder) Decode(pcm []int16, bits []byte, bfi bool) {
	if len(pcm) < FrameSamples {
		panic("acelp: Decoder.Decode: pcm shorter than FrameSamples")
	}
	var prm [NumParams]int16
	if !bfi {
		if len(bits) < FrameBits {
			panic("acelp: Decoder.Decode: bits shorter than FrameBits")
		}
		bitsToParams(&prm, bits)
	}
	synth := pcm[:FrameSamples]
	d.decodeParams(synth, &prm, bfi)
	postProcess(synth)
}

// decodeParams is Decod_Tetra (sdec_tet.c, EN 300 395-2 clause 4, speech
// decoder): the synthesis (before post-processing) of one frame from its
// parameters. With bfi set, prm is replaced by the parameters of the last
// good frame.
func (d *Decoder) decodeParams(synth []int16, prm *[NumParams]int16, bfi bool) {
	var (
		aT       [nSubfr * lpcLen]int16 // A(z) of the 4 subframes, Q12
		ap3, ap4 [lpcLen]int16          // A(z/γ3), A(z/γ4)
		zeroF    [64 + SubframeSamples]int16
		code     [SubframeSamples + 4]int16
		zeroMem  [lpcOrder]int16
	)
	const fOff = 64 // F[] = zeroF[fOff:], preceded by 64 zeros
	f := zeroF[fOff:]

	if !bfi {
		dLsp334(prm[0:3], &d.lspNew, &d.lspOld)
		d.oldParm = *prm
	} else {
		// Repeat the LSPs (the reference leaves lspnew[0] alone).
		copy(d.lspNew[1:], d.lspOld[1:])
		*prm = d.oldParm
	}
	p := prm[3:]

	intLpc4(&d.lspOld, &d.lspNew, &aT)
	d.lspOld = d.lspNew

	exc := d.oldExc[:]
	const excBase = excPad + excHist // exc[] of the reference
	var t0, t0Frac, t0Min int16
	for sf := 0; sf < nSubfr; sf++ {
		iSubfr := sf * SubframeSamples
		a := aT[sf*lpcLen : (sf+1)*lpcLen]

		// Pitch lag.
		index := p[0]
		if sf == 0 {
			switch {
			case bfi:
				t0, t0Frac = d.oldT0, 0
			case index < 197:
				// T0 = (index+2)/3 + 19; T0_frac = index - 3·T0 + 58
				i := fp.Mult(fp.Add(index, 2), 10923) // 10923 = 1/3 in Q15
				t0 = fp.Add(i, 19)
				i = fp.Add(t0, fp.Add(t0, t0))
				t0Frac = fp.Add(index, fp.Sub(58, i))
			default:
				t0, t0Frac = fp.Sub(index, 112), 0
			}
			// Search range of the other subframes.
			t0Min, _ = pitchRange(t0)
		} else if !bfi {
			// T0 = (index+2)/3 - 1 + T0_min; T0_frac = index - 2 - 3·i
			i := fp.Mult(fp.Add(index, 2), 10923)
			i = fp.Sub(i, 1)
			t0 = fp.Add(t0Min, i)
			i = fp.Add(i, fp.Add(i, i))
			t0Frac = fp.Sub(index, fp.Add(i, 2))
		}

		// Adaptive codebook.
		predLt(exc, excBase+iSubfr, t0, t0Frac, SubframeSamples)

		// Noise filter F(z) = A(z/γ3)/A(z/γ4) with pitch sharpening, and
		// the algebraic code filtered by it.
		pondAi(a, &d.fGamma3, ap3[:])
		pondAi(a, &d.fGamma4, ap4[:])
		copy(f[:lpcLen], ap3[:])
		clear(f[lpcLen:SubframeSamples])
		synFilt(ap4[:], f, f, SubframeSamples, zeroMem[:], false)
		for i := int(t0); i < SubframeSamples; i++ {
			f[i] = fp.Add(f[i], fp.Mult(f[i-int(t0)], 26216)) // 0.8 in Q15
		}
		dD4i60(p[1], p[2], p[3], zeroF[:], fOff, code[:SubframeSamples])

		// Gains.
		prdLt := exc[excBase+iSubfr : excBase+iSubfr+SubframeSamples]
		gainPit, gainCode := d.decEner(p[4], bfi, a, prdLt, code[:SubframeSamples])

		// Excitation exc = gain_pit·exc + gain_code·code (exc Q0, gain_pit
		// Q12, code Q12, gain_code Q0), then synthesis.
		for i, c := range code[:SubframeSamples] {
			s := fp.LMult0(prdLt[i], gainPit)
			s = fp.LMac0(s, c, gainCode)
			prdLt[i] = fp.ExtractL(fp.LShrR(s, 12))
		}
		synFilt(a, prdLt, synth[iSubfr:], SubframeSamples, d.memSyn[:], true)

		p = p[5:]
	}

	// Keep the last excHist samples of excitation for the next frame.
	copy(d.oldExc[excPad:excPad+excHist], d.oldExc[excPad+FrameSamples:])
	d.oldT0 = t0
}

// dLsp334 is D_Lsp334 (EN 300 395-2 clause 4, LSP quantization): the LSPs
// lsp[0…9] (cosine domain, Q15) of the three split-VQ indices, with a
// minimum distance forced between LSPs 3/4 and 6/7; if the result is not
// strictly decreasing, the previous LSPs lspOld are used instead.
func dLsp334(index []int16, lsp, lspOld *[lpcOrder]int16) {
	copy(lsp[0:3], lspCodebook1[index[0]][:])
	copy(lsp[3:6], lspCodebook2[index[1]][:])
	copy(lsp[6:10], lspCodebook3[index[2]][:])

	// Minimum distance between lsp[2] and lsp[3]: 917 = 0.028 in Q15
	// (50 Hz around 1000 Hz).
	temp := fp.Add(fp.Sub(917, lsp[2]), lsp[3])
	if temp > 0 {
		temp = fp.Shr(temp, 1)
		lsp[2] = fp.Add(lsp[2], temp)
		lsp[3] = fp.Sub(lsp[3], temp)
	}
	// Minimum distance between lsp[5] and lsp[6]: 1245 = 0.038 in Q15
	// (50 Hz around 1600 Hz).
	temp = fp.Add(fp.Sub(1245, lsp[5]), lsp[6])
	if temp > 0 {
		temp = fp.Shr(temp, 1)
		lsp[5] = fp.Add(lsp[5], temp)
		lsp[6] = fp.Sub(lsp[6], temp)
	}
	for i := 0; i < lpcOrder-1; i++ {
		if fp.Sub(lsp[i], lsp[i+1]) <= 0 {
			*lsp = *lspOld
			return
		}
	}
}

// Gain of pulse 0 of the algebraic code: sqrt(2) in Q11.
const q11GainI0 = 2896

// dD4i60 is D_D4i60 (EN 300 395-2 clause 4, algebraic codebook): the
// innovation vector code[0…59] (Q12) of the pulse-position index, the
// global sign and the one-sample shift, filtered by the noise filter F. F is
// zf[fOff…fOff+59], preceded by at least 64 zeros in zf. The four pulses
// have signs +, -, +, - (times -1 if sign != 0), the first with gain
// sqrt(2):
//
//	pos0 = 2·(index & 31)               0, 2, …, 62
//	pos1 = 8·((index >> 5) & 7) + 2     2, 10, …, 58
//	pos2 = 8·((index >> 8) & 7) + 4     4, 12, …, 60
//	pos3 = 8·((index >> 11) & 7) + 6    6, 14, …, 62
//	code[i] = ±(sqrt(2)·F[i-pos0-shift] - F[i-pos1-shift] + F[i-pos2-shift] - F[i-pos3-shift])
func dD4i60(index, sign, shift int16, zf []int16, fOff int, code []int16) {
	pos0 := fp.Shl(index&31, 1)
	pos1 := fp.Add(fp.Shr(index&224, 2), 2)
	pos2 := fp.Add(fp.Shr(index&1792, 5), 4)
	pos3 := fp.Add(fp.Shr(index&14336, 8), 6)

	base := fOff - int(shift)
	p0 := zf[base-int(pos0):]
	p1 := zf[base-int(pos1):]
	p2 := zf[base-int(pos2):]
	p3 := zf[base-int(pos3):]
	code = code[:SubframeSamples]
	p0, p1, p2, p3 = p0[:len(code)], p1[:len(code)], p2[:len(code)], p3[:len(code)]
	// No operation of the reference loop can saturate: |s| <= 2^15·(2896 +
	// 3·2^11) < 2^29. So plain int32 arithmetic equals
	//
	//	s = L_mult0(p0[i], 2896); s = sub_sh(s, p1[i], 11)
	//	s = add_sh(s, p2[i], 11); s = sub_sh(s, p3[i], 11)
	//	if sign != 0 { s = L_negate(s) }
	//	code[i] = store_hi(s, 5)
	for i := range code {
		s := int32(p0[i])*q11GainI0 - int32(p1[i])<<11 + int32(p2[i])<<11 - int32(p3[i])<<11
		if sign != 0 {
			s = -s
		}
		code[i] = int16(s >> 11) // store_hi(s, 5)
	}
}

// decEner is Dec_Ener (EN 300 395-2 clause 4, quantization of the gains):
// the pitch gain (Q12, at most 1.2) and the code gain (Q0) of a subframe
// from the energy index, the LPC filter a, the adaptive-codebook vector
// prdLt and the filtered code. The energies are predicted from those of the
// previous subframe; with bfi set the index is not used and the energies
// decay by 0.5 (log2) instead.
func (d *Decoder) decEner(index int16, bfi bool, a, prdLt, code []int16) (gainPit, gainCod int16) {
	enerPlt, enerC := subframeEnergies(a, prdLt, code)
	if bfi {
		d.lastEnerPit = fp.Sub(d.lastEnerPit, 128) // -0.5 in Q8
		if d.lastEnerPit < 0 {
			d.lastEnerPit = 0
		}
		d.lastEnerCod = fp.Sub(d.lastEnerCod, 128)
		if d.lastEnerCod < 0 {
			d.lastEnerCod = 0
		}
	} else {
		predPit, predCod := predictEnergies(d.lastEnerPit, d.lastEnerCod)
		d.lastEnerPit, d.lastEnerCod = quantizedEnergies(index&63, predPit, predCod)
	}
	return energyGains(d.lastEnerPit, d.lastEnerCod, enerPlt, enerC)
}

// postProcess is Post_Process (EN 300 395-2 clause 4, post-processing): the
// synthesis times 2 with saturation, undoing the halving of Pre_Process.
func postProcess(signal []int16) {
	for i, v := range signal {
		signal[i] = fp.Add(v, v)
	}
}
