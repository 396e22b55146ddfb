// Package lmac implements the lower-MAC coding chains of the TETRA logical
// channels, ETSI EN 300 392-2 V3.2.1 (2007-09) clause 8, and of the TCH/S
// speech channel, ETSI EN 300 395-2 V1.3.1 clause 5:
//
//	type-1 ─CRC-16, tail─► type-2 ─RCPC/RM/speech code─► type-3
//	       ─interleave─► type-4 ─scramble─► type-5
//
// One table indexed by [Channel] holds every chain (see [Channel.Params]).
// [Coder.Encode] turns type-1 bits into the type-5 bits of a burst block;
// [Coder.Decode] turns soft type-5 bits back into type-1 bits and says whether
// the block checks (CRC-16, TCH/S parity, or the RM decoding radius).
// TCH/4.8 and TCH/2.4 with interleaving depth N = 4 or 8 keep history across
// blocks: use a [DataChain] for them (the table rows are N = 1).
//
// # Bits
//
// Bits are unpacked, one per byte (0/1), first transmitted bit first. Soft bits
// are int8, positive meaning 0, +127 a certain 0, −127 a certain 1, 0 an
// erasure. The burst block of each channel (air-interface.md §4): AACH → BB
// (30), BSCH → SB1 (120), BNCH → SB2 (216), SCH/HD and STCH → BKN1 or BKN2
// (216), SCH/F, TCH/S, TCH/x → BKN1 = bits 0…215 and BKN2 = bits 216…431 of
// one 432-bit type-5 block, SCH/HU → CB(1–84) and CB(85–168), TCH/S stolen →
// BKN2 (216).
//
// # Scrambling
//
// Every block is scrambled from the start of the sequence (clause 8.2.5) with
// the cell's [scramble.Code] (scramble.Cell(mcc, mnc, cc)). BSCH always uses
// the fixed code [scramble.BSCH] (e = 0) and ignores the code argument.
//
// # Concurrency
//
// A [Coder] holds scratch memory. Its zero value is ready to use; it is not
// safe for concurrent use (use one per goroutine, handset or base station).
// Encode and Decode do not allocate when dst has capacity.
package lmac

import (
	"github.com/tetrasim/tetrasim/codec/crc"
	"github.com/tetrasim/tetrasim/codec/interleave"
	"github.com/tetrasim/tetrasim/codec/rcpc"
	"github.com/tetrasim/tetrasim/codec/rm"
	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/codec/tchs"
)

// MaxType5 is the largest type-5 block: 432 bits (a full slot).
const MaxType5 = 432

// MaxType1 is the largest type-1 block: 432 bits (TCH/7.2).
const MaxType1 = 432

// Coder encodes and decodes the lower-MAC chains. The zero value is ready to
// use. A Coder is not safe for concurrent use.
type Coder struct {
	type2 [rcpc.MaxBits]byte
	type3 [MaxType5]byte
	soft  [MaxType5]int8
	soft3 [MaxType5]int8
	vit   rcpc.Decoder
	sp    tchs.Decoder
	scr   scramble.Scrambler // caches the sequence of the last cell code
	scrB  scramble.Scrambler // BSCH code, kept apart so sync bursts do not thrash scr
}

// scrambler returns the cached scrambler for a chain.
func (c *Coder) scrambler(p *Params) *scramble.Scrambler {
	if p.FixedBSCH {
		return &c.scrB
	}
	return &c.scr
}

// Encode appends the type-5 bits of the type-1 bits type1 of channel ch to dst,
// scrambled with code (ignored for BSCH, which always uses scramble.BSCH).
// len(type1) must equal ch.Params().Type1: TCH/S takes frame A then frame B
// (2 × 137 bits), TCH/S stolen takes frame B alone. Only the low bit of each
// type-1 byte counts. It panics on an unknown channel or a wrong type1 length
// (caller bugs).
func (c *Coder) Encode(dst []byte, ch Channel, type1 []byte, code scramble.Code) []byte {
	p := ch.Params()
	if len(type1) != p.Type1 {
		panic("lmac: Coder.Encode: " + p.Name + ": wrong number of type-1 bits")
	}
	if p.FixedBSCH {
		code = scramble.BSCH
	}
	n := len(dst)
	dst = growBits(dst, p.Type5)
	out := dst[n:]
	switch p.Code {
	case RM3014:
		rm.EncodeBits(out, type1)
	case Speech:
		if ch == TCHS {
			tchs.Encode(out, type1[:tchs.FrameBits], type1[tchs.FrameBits:])
		} else {
			tchs.EncodeStolen(out, type1)
		}
	case NoCode:
		for i, b := range type1 {
			out[i] = b & 1
		}
	case RCPC:
		t2 := c.type2[:p.Type2]
		for i, b := range type1 {
			t2[i] = b & 1
		}
		k := p.Type1
		if p.CRC {
			fcs := crc.Checksum(t2[:k])
			for i := 0; i < crc.Size; i++ {
				t2[k+i] = byte(fcs>>(15-i)) & 1
			}
			k += crc.Size
		}
		clear(t2[k:])
		t3 := rcpc.Encode(c.type3[:p.Type5], t2, p.Puncturing)
		if p.Interleave != 0 {
			interleave.Block(out, t3, p.Interleave)
		} else {
			copy(out, t3)
		}
	}
	c.scrambler(&p).Bits(out, code)
	return dst
}

// growBits extends dst by n bytes, reusing capacity.
func growBits(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]byte, n)...)
}

// Decode decodes the soft type-5 bits soft of channel ch, scrambled with code
// (ignored for BSCH), into the type-1 bits dst (len(dst) must equal
// ch.Params().Type1) and reports ok:
//
//   - CRC channels (BSCH, BNCH, SCH/HD, STCH, SCH/HU, SCH/F): the CRC-16 holds;
//   - AACH: the received word lies within the RM(30,14) decoding radius
//     (at most 3 hard-decision differences), so the decoded word is unique;
//   - TCH/S: the parity c1…c8 holds, so neither frame is bad (BFI = !ok for
//     both frames A and B);
//   - TCH/S stolen: the parity f1…f4 holds, BFI of frame B = !ok (frame A of
//     such a slot is always bad);
//   - TCH/7.2, TCH/4.8, TCH/2.4: no check, ok is always true
//     (Params().Checked is false).
//
// The type-1 bits are written even when ok is false. soft is not modified.
// Bits off the air never cause a panic: any soft values are accepted. It
// panics only on an unknown channel or wrong slice lengths (caller bugs).
func (c *Coder) Decode(dst []byte, ch Channel, soft []int8, code scramble.Code) (ok bool) {
	p := ch.Params()
	if len(soft) != p.Type5 || len(dst) != p.Type1 {
		panic("lmac: Coder.Decode: " + p.Name + ": wrong soft or type-1 length")
	}
	if p.FixedBSCH {
		code = scramble.BSCH
	}
	s := c.soft[:p.Type5]
	copy(s, soft)
	c.scrambler(&p).Soft(s, code)
	switch p.Code {
	case RM3014:
		_, dist := rm.DecodeBits(dst, s)
		return dist < rm.MinDistance/2
	case Speech:
		if ch == TCHS {
			return !c.sp.Decode(dst[:tchs.FrameBits], dst[tchs.FrameBits:], s)
		}
		return !c.sp.DecodeStolen(dst, s)
	case NoCode:
		for i, v := range s {
			dst[i] = 0
			if v < 0 {
				dst[i] = 1
			}
		}
		return true
	}
	t3 := s
	if p.Interleave != 0 {
		t3 = c.soft3[:p.Type5]
		interleave.Deblock(t3, s, p.Interleave)
	}
	t2 := c.type2[:p.Type2]
	c.vit.Decode(t2, t3, p.Puncturing)
	copy(dst, t2[:p.Type1])
	if !p.CRC {
		return true
	}
	return crc.Check(t2[:p.Type1+crc.Size])
}
