package lmac

import (
	"errors"

	"github.com/tetrasim/tetrasim/codec/interleave"
	"github.com/tetrasim/tetrasim/codec/rcpc"
	"github.com/tetrasim/tetrasim/codec/scramble"
)

// DataChain is the TCH/4.8 or TCH/2.4 chain with interleaving over N = 1, 4 or
// 8 blocks (EN 300 392-2 clause 8.2.4 (interleaving over N blocks)): coding and puncturing as in the
// [Channel.Params] row, then the N-block interleaver of [interleave.NBlock],
// then scrambling. With N = 1 it gives the same bits as [Coder.Encode].
//
// Unverified: the N-block step follows air-interface.md §8.2, which is not
// cross-checked against the standard or another implementation; the coding and
// puncturing are (pattern vectors).
//
// A DataChain keeps the interleaver history of one direction of one circuit:
// use Encode on the sending side and Decode on the receiving side, each on its
// own DataChain. Not safe for concurrent use; Encode and Decode do not
// allocate when dst has capacity.
type DataChain struct {
	p  Params
	tx *interleave.NBlock[byte]
	rx *interleave.NBlock[int8]
	c  Coder
	s4 [MaxType5]int8
	s3 [MaxType5]int8
	t2 [rcpc.MaxBits]byte
}

// NewDataChain returns the chain of ch (TCH48 or TCH24) with interleaving
// depth n (1, 4 or 8).
func NewDataChain(ch Channel, n int) (*DataChain, error) {
	if ch != TCH48 && ch != TCH24 {
		return nil, errors.New("lmac: N-block interleaving applies to TCH/4.8 and TCH/2.4 only")
	}
	tx, err := interleave.NewNBlock[byte](n)
	if err != nil {
		return nil, err
	}
	rx, _ := interleave.NewNBlock[int8](n)
	return &DataChain{p: ch.Params(), tx: tx, rx: rx}, nil
}

// Depth returns N.
func (d *DataChain) Depth() int { return d.tx.Depth() }

// Encode appends the 432 type-5 bits of the next block to dst, given the next
// block's type-1 bits (288 for TCH/4.8, 144 for TCH/2.4). Output block m
// carries parts of input blocks m−N+1…m; before N blocks have been sent, the
// missing earlier parts are zeros.
func (d *DataChain) Encode(dst []byte, type1 []byte, code scramble.Code) []byte {
	p := d.p
	if len(type1) != p.Type1 {
		panic("lmac: DataChain.Encode: wrong number of type-1 bits")
	}
	t2 := d.t2[:p.Type2]
	for i, b := range type1 {
		t2[i] = b & 1
	}
	clear(t2[p.Type1:])
	t3 := rcpc.Encode(d.c.type3[:p.Type5], t2, p.Puncturing)
	n := len(dst)
	dst = growBits(dst, p.Type5)
	d.tx.Interleave(dst[n:], t3)
	d.c.scr.Bits(dst[n:], code)
	return dst
}

// Decode takes the soft type-5 bits of the next received block and, once N
// blocks have arrived, writes the type-1 bits of the block sent N−1 blocks
// earlier into dst and returns true; before that it returns false and leaves
// dst alone. soft is not modified; any soft values are accepted.
func (d *DataChain) Decode(dst []byte, soft []int8, code scramble.Code) (ready bool) {
	p := d.p
	if len(soft) != p.Type5 || len(dst) != p.Type1 {
		panic("lmac: DataChain.Decode: wrong soft or type-1 length")
	}
	s := d.s4[:p.Type5]
	copy(s, soft)
	d.c.scr.Soft(s, code)
	if !d.rx.Deinterleave(d.s3[:p.Type5], s) {
		return false
	}
	t2 := d.t2[:p.Type2]
	d.c.vit.Decode(t2, d.s3[:p.Type5], p.Puncturing)
	copy(dst, t2[:p.Type1])
	return true
}
