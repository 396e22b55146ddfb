package e2ee

import (
	"fmt"
	"hash"
)

// STCHBits is the size of the TM-SDU of one stolen half-slot (STCH) on the uplink:
// 124 type-1 bits minus the 3-bit MAC-U-SIGNAL header (e2ee-design.md §1.2, after
// EN 300 392-2 V3.2.1). Every SAF and EOT-SIG fragment is one STCH.
const STCHBits = 121

// FrameBits is the size of one ACELP speech frame (EN 300 395-2 V1.3.1 clause 5.1,
// speech-codec.md §2). Voice frames are passed as 137 unpacked bits (one per byte,
// bit 1 of the frame first).
const FrameBits = 137

// STCHType is the 3-bit type/version field that opens every STCH of tetrasim E2EE v1
// (e2ee-design.md §5.5, values proposed there and pinned here).
type STCHType uint8

const (
	STCHSAF      STCHType = 0 // Sync+Auth Frame inside a transmission
	STCHEOT      STCHType = 1 // End-of-transmission signature fragment (§5.8)
	STCHRekey    STCHType = 2 // rekey hint (reserved: not generated in v1)
	STCHSAFStart STCHType = 3 // first SAF of a transmission: its tags authenticate the SAF itself
)

func (t STCHType) String() string {
	switch t {
	case STCHSAF:
		return "SAF"
	case STCHEOT:
		return "EOT-SIG"
	case STCHRekey:
		return "rekey-hint"
	case STCHSAFStart:
		return "SAF-start"
	}
	return fmt.Sprintf("STCHType(%d)", uint8(t))
}

// SAF is a parsed Sync+Auth Frame. Its 121-bit layout, MSB first (tetrasim E2EE v1;
// deviation from e2ee-design.md §5.5, which has an 8-bit epoch, an 8-bit sender and
// 2 reserved bits: the epoch tag shrinks to 4 bits and the reserved bits are used so
// that the sender index grows to 14 bits, 16,384 members):
//
//	field       bits  offset   meaning
//	type          3   0-2      STCHSAF or STCHSAFStart
//	epoch tag     4   3-6      e mod 16; a device holds at most {e-1, e, e+1}
//	sender s     14   7-20     sender (leaf) index in the talkgroup, < 16384
//	FC_next      24   21-44    frame counter of the next speech frame
//	t_min        12   45-56    minutes since the epoch's activation, mod 4096
//	tag1..tag4 4x16   57-120   truncated HMAC-SHA256 sub-window tags
type SAF struct {
	Type     STCHType
	EpochTag uint8  // e mod 16
	Sender   uint16 // 0 <= Sender < MaxSenders
	FCNext   uint32 // 0 <= FCNext <= MaxFC
	TMin     uint16 // 0 <= TMin < 4096
	Tags     [4]uint16
}

// AppendBits appends the 121 unpacked bits of f to dst. Out-of-range fields are
// truncated to their widths.
func (f *SAF) AppendBits(dst []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, STCHBits)...)
	b := dst[n:]
	putBits(b[0:], uint64(f.Type), 3)
	putBits(b[3:], uint64(f.EpochTag), 4)
	putBits(b[7:], uint64(f.Sender), 14)
	putBits(b[21:], uint64(f.FCNext), 24)
	putBits(b[45:], uint64(f.TMin), 12)
	for j := 0; j < 4; j++ {
		putBits(b[57+16*j:], uint64(f.Tags[j]), 16)
	}
	return dst
}

// ParseSTCHType returns the type of a 121-bit STCH TM-SDU.
func ParseSTCHType(bits []byte) (STCHType, error) {
	if len(bits) < STCHBits {
		return 0, ErrShort
	}
	if len(bits) > STCHBits {
		return 0, ErrMalformed
	}
	v, ok := getBits(bits, 3)
	if !ok {
		return 0, ErrMalformed
	}
	return STCHType(v), nil
}

// ParseSAF parses a 121-bit unpacked SAF. Any byte other than 0 or 1, or a type
// other than STCHSAF/STCHSAFStart, is ErrMalformed.
func ParseSAF(bits []byte) (SAF, error) {
	t, err := ParseSTCHType(bits)
	if err != nil {
		return SAF{}, err
	}
	if t != STCHSAF && t != STCHSAFStart {
		return SAF{}, fmt.Errorf("%w: STCH type %v is not a SAF", ErrMalformed, t)
	}
	if _, ok := getBits(bits, STCHBits); !ok {
		return SAF{}, ErrMalformed
	}
	var f SAF
	f.Type = t
	v, _ := getBits(bits[3:], 4)
	f.EpochTag = uint8(v)
	v, _ = getBits(bits[7:], 14)
	f.Sender = uint16(v)
	v, _ = getBits(bits[21:], 24)
	f.FCNext = uint32(v)
	v, _ = getBits(bits[45:], 12)
	f.TMin = uint16(v)
	for j := 0; j < 4; j++ {
		v, _ = getBits(bits[57+16*j:], 16)
		f.Tags[j] = uint16(v)
	}
	return f, nil
}

// class0 marks the 51 class-0 (unprotected) bit positions of the 137-bit frame,
// TAB0 of EN 300 395-2 V1.3.1 clause 5.5 (air-interface.md §12.1, 1-based).
// They are left out of the tags (e2ee-design.md §5.5).
var class0 = [...]uint8{35, 36, 37, 38, 39, 40, 41, 42, 43, 47, 48, 56, 61, 62, 63, 64, 65, 66, 67,
	68, 69, 70, 74, 75, 83, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 101, 102, 110, 115, 116, 117,
	118, 119, 120, 121, 122, 123, 124, 128, 129, 137}

// UnprotectedBits returns the 1-based frame bit numbers the SAF tags leave out: the
// class-0 bits of EN 300 395-2 clause 5.5 (TAB0). e2ee may not import the channel
// coder, so it keeps its own copy; a root-level test compares it with codec/tchs.
func UnprotectedBits() [len(class0)]uint8 { return class0 }

// ProtectedBits is the number of class-1 and class-2 bits per frame that the SAF tags
// cover (56 + 30).
const ProtectedBits = FrameBits - len(class0)

// protectedIdx lists the 0-based frame indices of the class-1 and class-2 bits in
// frame-bit order. It is computed once; it is a constant table, not mutable state.
var protectedIdx = func() (p [ProtectedBits]uint8) {
	var is0 [FrameBits + 1]bool
	for _, v := range class0 {
		is0[v] = true
	}
	n := 0
	for pos := 1; pos <= FrameBits; pos++ {
		if !is0[pos] {
			p[n] = uint8(pos - 1)
			n++
		}
	}
	return p
}()

// packedFrame holds the 86 protected ciphertext bits of one frame, packed MSB
// first into 11 bytes with 2 zero pad bits (e2ee-design.md §5.5).
type packedFrame [11]byte

func packProtected(dst *packedFrame, frame []byte) {
	*dst = packedFrame{}
	for i, idx := range protectedIdx {
		dst[i>>3] |= (frame[idx] & 1) << (7 - i&7)
	}
}

// tagInput describes one tag computation (e2ee-design.md §5.5, encoding pinned here):
//
//	tag_j = Trunc16(HMAC-SHA256(K_mac, hdr || j || FC_next || t_min || FC_first_j || FC_last_j || C_j))
//	hdr   = 0x10|type (1) || suite (1) || G (3) || e (4) || s (2)
//
// with j in 0..3 (1 byte), FC values 24-bit, t_min 16-bit, and C_j the packed
// protected bits of the frames FC_first_j..FC_last_j (11 bytes each). An empty
// sub-window (the start SAF, or fewer than 6 frames since the last SAF, see windows) has
// FC_first_j = FC_last_j = FC_next and no C_j: its tag authenticates the SAF fields
// alone. Deviation from e2ee-design.md §5.5: the SAF's own FC_next and t_min and
// the window index are bound into every tag, so an outsider cannot move a SAF's
// counter without failing every verifiable window.
type tagInput struct {
	typ     STCHType
	suite   Suite
	g, e    uint32
	s       uint16
	fcNext  uint32
	tmin    uint16
	first   uint32
	last    uint32
	frames  []packedFrame
	windowJ int
}

func (t *tagInput) tag(m hash.Hash, sum *[32]byte) uint16 {
	var h [23]byte
	h[0] = 0x10 | byte(t.typ)
	h[1] = byte(t.suite)
	put24(h[2:], t.g)
	h[5], h[6], h[7], h[8] = byte(t.e>>24), byte(t.e>>16), byte(t.e>>8), byte(t.e)
	h[9], h[10] = byte(t.s>>8), byte(t.s)
	h[11] = byte(t.windowJ)
	put24(h[12:], t.fcNext)
	h[15], h[16] = byte(t.tmin>>8), byte(t.tmin)
	put24(h[17:], t.first)
	put24(h[20:], t.last)
	m.Reset()
	m.Write(h[:])
	for i := range t.frames {
		m.Write(t.frames[i][:])
	}
	m.Sum(sum[:0])
	return uint16(sum[0])<<8 | uint16(sum[1])
}

// windows splits the n speech frames that follow a SAF into 4 contiguous,
// slot-aligned sub-windows and returns the start offset and length of each.
//
// A SAF always takes the first half of a traffic slot, so frame 0 after it is the
// lone frame in the second half of that slot, and frames 2k-1 and 2k (k >= 1)
// share the k-th full TCH/S slot: one channel-coding block and one parity (EN 300
// 395-2 V1.3.1 clause 5), so a bad slot usually damages both. The frames are
// therefore grouped into slot units (the lone frame, then one unit per slot; the
// last unit holds one frame if n is even), the units are split into 4 groups as
// evenly as possible (the first groups longer), and every sub-window boundary
// falls between two slots. One bad slot makes at most one sub-window unverifiable
// or failed. 31 frames (16 slot units) give 7/8/8/8: the lone frame and 3 slots,
// then 4 slots each.
//
// Deviation from e2ee-design.md §5.5, which splits 8/8/8/7: there the boundaries
// after frames 8, 16 and 24 (counted from 1) fall inside a slot, so a single slot
// lost to a fade spoils two sub-windows and, with the default tamper threshold of
// 2, a single channel event could mute the sender.
func windows(n int) (off, ln [4]int) {
	if n <= 0 {
		return off, ln
	}
	units := 1 + n/2
	// start returns the frame offset of slot unit u (u == units gives n).
	start := func(u int) int {
		if u == 0 {
			return 0
		}
		return min(2*u-1, n)
	}
	q, r := units/4, units%4
	u := 0
	for j := 0; j < 4; j++ {
		k := q
		if j < r {
			k++
		}
		off[j] = start(u)
		ln[j] = start(u+k) - off[j]
		u += k
	}
	return off, ln
}
