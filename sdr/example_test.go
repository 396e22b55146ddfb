package sdr_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/sdr"
)

// Training sequences n and q of EN 300 392-2 clause 9.4.4.3, as package radio
// provides them (sdr itself knows no sequence).
var (
	trainN = []byte{1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0}
	trainQ = []byte{1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1}
)

// Modulate a continuous downlink of normal bursts at 72 kS/s, shift it by 10 kHz,
// and demodulate it with full synchronisation: the demodulator finds the carrier,
// the symbol timing and the slot boundaries from the training sequences.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	const slots = 16
	bits := make([]byte, slots*sdr.SlotBits)
	for s := 0; s < slots; s++ {
		b := bits[s*sdr.SlotBits : (s+1)*sdr.SlotBits]
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		copy(b[0:], trainQ[10:])   // q11-q22
		copy(b[244:], trainN)      // n
		copy(b[500:], trainQ[:10]) // q1-q10
	}
	mod, _ := sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: 4})
	x := make([]complex64, mod.OutLen(len(bits)))
	mod.Process(x, bits)
	nco, _ := sdr.NewNCO(10000, 4*sdr.SymbolRate) // carrier 10 kHz off
	nco.Process(x, x)

	dem, _ := sdr.NewDemodulator(sdr.DemodConfig{
		SamplesPerSymbol: 4,
		Detector:         sdr.Coherent,
		Training:         []sdr.SyncPattern{{Name: "n", Bits: trainN, BitOffset: 244}},
		Fixed: []sdr.SyncPattern{
			{Name: "q11-q22", Bits: trainQ[10:], BitOffset: 0},
			{Name: "q1-q10", Bits: trainQ[:10], BitOffset: 500},
		},
	})
	out := make([]sdr.Slot, dem.OutLen(len(x)))
	n := dem.Process(out, x)
	hard := make([]byte, sdr.SlotBits)
	errs := 0
	for _, s := range out[:n] {
		j := int((s.Sample + 4*sdr.SlotSymbols/2) / (4 * sdr.SlotSymbols)) // transmitted slot
		sdr.HardBits(hard, s.Soft[:])
		for i := range hard {
			if hard[i] != bits[j*sdr.SlotBits+i] {
				errs++
			}
		}
	}
	fmt.Printf("%d slots, %d bit errors, CFO %.0f Hz\n", n, errs, out[n-1].CFOHz)
	// Output: 14 slots, 0 bit errors, CFO 10000 Hz
}
