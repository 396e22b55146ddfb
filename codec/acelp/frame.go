package acelp

// paramBits is the width in bits of each of the NumParams coded parameters,
// in transmission order, each sent MSB first (bitno of Bits2prm_Tetra and
// Prm2bits_Tetra, EN 300 395-2 V1.3.1 clause 4, bit allocation):
//
//	index  parameter                              bits  frame bits (1-based)
//	0      LSP split-VQ index 1 (LSP 1-3)         8     1-8
//	1      LSP split-VQ index 2 (LSP 4-6)         9     9-17
//	2      LSP split-VQ index 3 (LSP 7-10)        9     18-26
//	3+5k   pitch lag of subframe k+1              8/5   27-34 (k=0), 57-61, 84-88, 111-115
//	4+5k   pulse positions of the algebraic code  14
//	5+5k   global sign of the code                1
//	6+5k   shift of the code by one sample        1
//	7+5k   joint pitch/code energy VQ index       6
//
// Subframe 1 takes 30 bits, subframes 2-4 take 27 bits each, 137 in all.
var paramBits = [NumParams]uint8{
	8, 9, 9, // split VQ of the LSPs
	8, 14, 1, 1, 6, // subframe 1
	5, 14, 1, 1, 6, // subframe 2
	5, 14, 1, 1, 6, // subframe 3
	5, 14, 1, 1, 6, // subframe 4
}

// bitsToParams is Bits2prm_Tetra (EN 300 395-2 clause 4, bit allocation)
// without the BFI word: the NumParams parameters of a frame from its
// FrameBits unpacked bits. As bin2int of the reference, a byte equal to 1 is
// a one bit and any other value is a zero bit, so any input gives parameters
// inside their ranges.
func bitsToParams(prm *[NumParams]int16, bits []byte) {
	bits = bits[:FrameBits]
	for i, n := range paramBits {
		var v int16
		for _, b := range bits[:n] {
			v <<= 1
			if b == 1 {
				v++
			}
		}
		prm[i] = v
		bits = bits[n:]
	}
}
