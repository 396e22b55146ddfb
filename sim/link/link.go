// Package link defines what one timeslot carries at the logical-channel level in a
// tetrasim simulation, between the protocol models (handsets in sim/ms, base
// stations in sim/bs) and the physical layer (sim/phy): a signalling block on the
// main control channel, or a TCH/S traffic block of two 30 ms speech frames, one
// of which may be stolen for an STCH block (EN 300 392-2 V3.2.1 (2007-09) clauses
// 9.4.4 and 19.2.3, EN 300 395-2 V1.3.1 clause 5.6; air-interface.md §12.6).
//
// It holds plain data only, so the base station can carry it without importing
// anything that holds keys.
package link

// Sizes in bits.
const (
	SCHFBits   = 268 // SCH/F type-1 block, EN 300 392-2 clause 8.3.1
	STCHBits   = 124 // STCH (SCH/HD) type-1 block, clause 8.3.1
	SpeechBits = 137 // one ACELP frame, EN 300 395-2 clause 5
	SAFBits    = 121 // E2EE Sync+Auth Frame TM-SDU, e2ee-design.md §5.5
)

// Kind says what a block carries.
type Kind uint8

const (
	None    Kind = iota // nothing transmitted
	Control             // SCH/F signalling on the MCCH (cmce PDU)
	Traffic             // TCH/S: two speech frames, or STCH + frame B when Stolen
)

func (k Kind) String() string {
	switch k {
	case Control:
		return "SCH/F"
	case Traffic:
		return "TCH/S"
	}
	return "none"
}

// IsUSignal reports whether an STCH block holds a MAC-U-SIGNAL PDU (EN 300
// 392-2 clause 21.4.5: PDU type 11), whose TM-SDU is bits 3..123.
func IsUSignal(stch []byte) bool {
	return len(stch) == STCHBits && stch[0] == 1 && stch[1] == 1
}

// SecondHalfStolen reports whether an STCH block's MAC-U-SIGNAL says the second
// half-slot is stolen too.
func SecondHalfStolen(stch []byte) bool { return IsUSignal(stch) && stch[2] == 1 }

// Block is one slot's logical content, as sent or as decoded. The zero value is
// an empty slot.
type Block struct {
	Kind Kind
	// Sig holds SCHFBits unpacked bits for Control blocks.
	Sig []byte
	// Speech holds two SpeechBits-bit frames (A, B) for Traffic blocks. When
	// Stolen, Speech[0] is unused.
	Speech [2][]byte
	// Stolen marks the first half-slot as stolen for STCH; STCH then holds
	// STCHBits bits.
	Stolen bool
	STCH   []byte
	// STCH2, when not empty, means the second half-slot is stolen too (both
	// speech frames lost) and holds its STCHBits bits.
	STCH2 []byte
	// Set on reception: BFI per speech frame (EN 300 395-2 clause 5.6: frame A of a
	// stolen slot is always bad), CRC result of the signalling block or STCH.
	BFI   [2]bool
	CRCOK bool
	// Set on reception: the channel decoder's soft bits suggest that a speech
	// frame whose BFI is false may still hold residual class-1 or class-2 errors
	// (many received bits disagree with the re-encoded decision; sim/phy). The
	// CRC of EN 300 395-2 clause 5.6 covers class 2 only, so such frames pass it.
	// Receivers decide what to do with the flag; it is not on the air.
	Unreliable [2]bool
	// Set on reception: raw channel-bit errors counted against the transmitted
	// type-5 bits, and how many bits were compared (for BER); -1 when unknown.
	BitErrors, Bits int
	// CaptureS is when each speech frame's first sample entered the talker's
	// microphone [s] (simulation metadata for latency, not on the air).
	CaptureS [2]float64
	// Pos is the talker's position index of frame A within its transmission
	// (metadata for the bit-exactness check, not on the air).
	Pos int
	// TxSeq is the talker's transmission number (metadata); -1 marks a block
	// replayed by a compromised base station.
	TxSeq int
	// TxID identifies the transmitter (ISSI of a handset, or cell ID for a base
	// station) for metrics; it is not on the air.
	TxID uint32
}

// Reset empties b, keeping the capacity of its slices.
func (b *Block) Reset() {
	sig, s0, s1, st, st2 := b.Sig[:0], b.Speech[0][:0], b.Speech[1][:0], b.STCH[:0], b.STCH2[:0]
	*b = Block{Sig: sig, Speech: [2][]byte{s0, s1}, STCH: st, STCH2: st2}
}

// Clone returns a deep copy of b.
func (b *Block) Clone() *Block {
	c := *b
	c.Sig = append([]byte(nil), b.Sig...)
	c.Speech[0] = append([]byte(nil), b.Speech[0]...)
	c.Speech[1] = append([]byte(nil), b.Speech[1]...)
	c.STCH = append([]byte(nil), b.STCH...)
	c.STCH2 = append([]byte(nil), b.STCH2...)
	return &c
}
