// Package crc implements the 16-bit frame check sequence of ETSI EN 300 392-2
// V3.2.1 (2007-09), clause 8.2.3.3, used by the TETRA signalling channels (BSCH,
// BNCH, SCH/HD, STCH, SCH/HU, SCH/F).
//
// The FCS is the ones complement of the remainder of
//
//	(X^16·M(X) + X^K·(X^15 + … + 1)) / G(X),   G(X) = X^16 + X^12 + X^5 + 1,
//
// which in bit-serial form is CRC-16/GENIBUS: polynomial 0x1021, initial value
// 0xFFFF, no reflection, final XOR 0xFFFF. The 16 FCS bits follow the K type-1
// bits, the x^15 coefficient first. A receiver that runs the register (initial
// 0xFFFF, no final XOR) over the type-1 bits and the FCS finds [Residue] when
// the block is intact.
//
// Bits are unpacked, one per byte, first transmitted bit first; only the low bit
// of each byte counts. All functions are pure and safe for concurrent use.
package crc

// Size is the number of FCS bits.
const Size = 16

// Residue is the register content (no final XOR) after a correct block and its
// FCS have been shifted in: EN 300 392-2 clause 8.2.3.3.
const Residue = 0x1D0F

const poly = 0x1021

// EN 300 392-2 clause 8.2.3.3: the register shifted over whole bytes, MSB first.
var table = func() (t [256]uint16) {
	for i := range t {
		r := uint16(i) << 8
		for range 8 {
			if r&0x8000 != 0 {
				r = r<<1 ^ poly
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// register runs the CRC register from reg over the unpacked bits b.
// Bits are gathered eight at a time and shifted through the byte table.
func register(reg uint16, b []byte) uint16 {
	for len(b) >= 8 {
		v := b[0]&1<<7 | b[1]&1<<6 | b[2]&1<<5 | b[3]&1<<4 | b[4]&1<<3 | b[5]&1<<2 | b[6]&1<<1 | b[7]&1
		reg = reg<<8 ^ table[byte(reg>>8)^v]
		b = b[8:]
	}
	for _, x := range b {
		if (reg>>15)^uint16(x&1) != 0 {
			reg = reg<<1 ^ poly
		} else {
			reg <<= 1
		}
	}
	return reg
}

// Checksum returns the FCS of the unpacked type-1 bits: EN 300 392-2 clause 8.2.3.3.
func Checksum(bits []byte) uint16 {
	return ^register(0xFFFF, bits)
}

// ChecksumBytes returns the same CRC over packed bytes, each byte MSB first
// (CRC-16/GENIBUS; the check value of "123456789" is 0xD64E).
func ChecksumBytes(p []byte) uint16 {
	reg := uint16(0xFFFF)
	for _, v := range p {
		reg = reg<<8 ^ table[byte(reg>>8)^v]
	}
	return ^reg
}

// Append appends the 16 FCS bits of bits to dst, x^15 coefficient first:
// EN 300 392-2 clause 8.2.3.3. Append(bits, bits) extends the block in place.
func Append(dst, bits []byte) []byte {
	fcs := Checksum(bits)
	for i := 15; i >= 0; i-- {
		dst = append(dst, byte(fcs>>i)&1)
	}
	return dst
}

// Check reports whether block, K type-1 bits followed by their 16 FCS bits, is
// intact, by comparing the receiver residue with [Residue]. Blocks shorter than
// 16 bits are never intact.
func Check(block []byte) bool {
	if len(block) < Size {
		return false
	}
	return register(0xFFFF, block) == Residue
}

// Remainder returns the receiver register (initial 0xFFFF, no final XOR) after
// block; it equals [Residue] for an intact block.
func Remainder(block []byte) uint16 {
	return register(0xFFFF, block)
}
