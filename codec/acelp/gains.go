package acelp

import fp "github.com/tetrasim/tetrasim/codec/fixpoint"

// The steps of the gain quantization that the encoder (Ener_Qua, encEnerQua)
// and the decoder (Dec_Ener, decEner) share: EN 300 395-2 V1.3.1 clause 4,
// quantization of the gains. Both sides must compute them identically, so
// they live here once.

// subframeEnergies returns the log2 energies (Q8) of the adaptive-codebook
// vector prdLt and of the filtered algebraic code (Q12), each weighted by the
// energy of the impulse response of 1/A(z) over 60 samples:
//
//	ener_plt = log2(Σ prdLt² · ener_lpc) + 6.68
//	ener_c   = log2(Σ code² · ener_lpc) − 17.32
//
// (the constants undo the scalings of the tables and of the code).
func subframeEnergies(a, prdLt, code []int16) (enerPlt, enerC int16) {
	prdLt = prdLt[:SubframeSamples]
	code = code[:SubframeSamples]

	// Energy of the impulse response of 1/A(z) over 60 samples.
	l := lpcGain(a)
	expLpc := fp.NormL(l)
	enerLpc := fp.ExtractH(fp.LShl(l, expLpc))

	// Energy of the adaptive codebook; the sum starts at 1 to avoid the
	// all-zero case.
	l, _ = encEnergy(1, prdLt)
	expPlt := fp.NormL(l)
	enerPlt = fp.ExtractH(fp.LShl(l, expPlt))
	l = fp.LMult0(enerPlt, enerLpc)
	expPlt = fp.Add(expPlt, expLpc)
	exp, frac := fp.Log2(l)
	l = fp.LoadSh16(exp)
	l = fp.AddSh(l, frac, 1)  // log2(ener_plt·ener_lpc) in Q16
	l = fp.SubSh16(l, expPlt) // minus the exponents
	l = fp.AddSh(l, 1710, 8)  // +6.68 in Q16 for the scalings
	l = fp.LShr(l, 8)         // Q16 -> Q8
	enerPlt = fp.ExtractL(l)

	// Energy of the code.
	l, _ = encEnergy(0, code)
	enerC = fp.ExtractH(l)
	l = fp.LMult0(enerC, enerLpc)
	exp, frac = fp.Log2(l)
	l = fp.LoadSh16(exp)
	l = fp.AddSh(l, frac, 1)
	l = fp.SubSh16(l, expLpc)
	l = fp.SubSh(l, 4434, 8) // -17.32 in Q16: code in Q12, table scaling
	l = fp.LShr(l, 8)
	enerC = fp.ExtractL(l)
	return enerPlt, enerC
}

// predictEnergies predicts this subframe's quantized pitch and code energies
// (log2, Q8) from the previous subframe's:
//
//	pred_pit = max(0, 0.5·last_ener_pit + 0.25·last_ener_cod − 3)
//	pred_cod = max(0, 0.5·last_ener_cod + 0.25·last_ener_pit − 3)
func predictEnergies(lastEnerPit, lastEnerCod int16) (predPit, predCod int16) {
	l := fp.LoadSh(lastEnerPit, 8)
	l = fp.AddSh(l, lastEnerCod, 7)
	l = fp.SubSh(l, 768, 9)
	if l < 0 {
		l = 0
	}
	predPit = fp.StoreHi(l, 7)

	l = fp.LoadSh(lastEnerCod, 8)
	l = fp.AddSh(l, lastEnerPit, 7)
	l = fp.SubSh(l, 768, 9)
	if l < 0 {
		l = 0
	}
	predCod = fp.StoreHi(l, 7)
	return predPit, predCod
}

// quantizedEnergies returns the quantized pitch and code energies (log2, Q8)
// of energy index index (0…63): the prediction plus the codebook entry,
// limited to 27 and 25 against transmission errors.
func quantizedEnergies(index, predPit, predCod int16) (enerPit, enerCod int16) {
	q := &energyCodebook[index]
	enerPit = fp.Add(q[0], predPit)
	enerCod = fp.Add(q[1], predCod)
	if fp.Sub(enerPit, 6912) > 0 { // 27 in Q8
		enerPit = 6912
	}
	if fp.Sub(enerCod, 6400) > 0 { // 25 in Q8
		enerCod = 6400
	}
	return enerPit, enerCod
}

// energyGains turns quantized energies into gains:
//
//	gain_pit = min(1.2, 2^(0.5·(ener_pit − ener_plt)))   Q12
//	gain_cod = 2^(0.5·(ener_cod − ener_c))               Q0
func energyGains(enerPit, enerCod, enerPlt, enerC int16) (gainPit, gainCod int16) {
	l := fp.LoadSh(enerPit, 6)
	l = fp.SubSh(l, enerPlt, 6)
	l = fp.AddSh(l, 12, 15) // gain in Q12
	exp, frac := fp.LExtract(l)
	l = fp.Pow2(exp, frac)
	if fp.LSub(l, 4915) > 0 { // 1.2 in Q12
		l = 4915
	}
	gainPit = fp.ExtractL(l)

	l = fp.LoadSh(enerCod, 6)
	l = fp.SubSh(l, enerC, 6)
	exp, frac = fp.LExtract(l)
	gainCod = fp.ExtractL(fp.Pow2(exp, frac))
	return gainPit, gainCod
}
