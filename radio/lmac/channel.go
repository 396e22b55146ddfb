package lmac

import (
	"fmt"

	"github.com/tetrasim/tetrasim/codec/rcpc"
)

// Channel is a logical channel of EN 300 392-2 V3.2.1 clause 9 with its own
// lower-MAC coding chain (clause 8.3).
type Channel uint8

// Logical channels. Their parameters are in [Channel.Params].
const (
	AACH       Channel = iota + 1 // AACH: access assignment, RM(30,14), BB of every downlink burst
	BSCH                          // BSCH: broadcast synchronisation (SYNC PDU), SB1, fixed scrambling
	BNCH                          // BNCH: broadcast network (SYSINFO), SB2 or a half-slot
	SCHHD                         // SCH/HD: half-slot downlink signalling, BKN1 or BKN2
	STCH                          // STCH: stealing channel, half-slot stolen from a TCH
	SCHF                          // SCH/F: full-slot signalling, BKN1 + BKN2
	SCHHU                         // SCH/HU: half-slot uplink signalling, control uplink burst
	TCHS                          // TCH/S: two 137-bit ACELP speech frames, BKN1 + BKN2
	TCHSStolen                    // TCH/S with the first half-slot stolen: frame B in BKN2
	TCH72                         // TCH/7.2: unprotected circuit data, 432 bits
	TCH48                         // TCH/4.8: protected circuit data, interleaving depth N = 1
	TCH24                         // TCH/2.4: high-protection circuit data, interleaving depth N = 1
	numChannels
)

// Coding is the channel code of a chain (type-2 to type-3).
type Coding uint8

const (
	NoCode Coding = iota // no channel coding (TCH/7.2)
	RM3014               // Reed–Muller (30,14), EN 300 392-2 clause 8.2.3.2
	RCPC                 // rate-1/4 mother code with puncturing, clause 8.2.3.1
	Speech               // TCH/S speech coding, EN 300 395-2 clause 5
)

// Params describes the coding chain of a logical channel: EN 300 392-2 clause
// 8.3 (one row per channel of air-interface.md §5). Sizes are in bits.
type Params struct {
	Name       string          // the standard's spelling
	Type1      int             // type-1 bits in: MAC block, or speech bits (TCH/S: 2 × 137)
	CRC        bool            // CRC-16 of clause 8.2.3.3 appended (16 bits)
	Tail       int             // zero tail bits appended before the convolutional code
	Type2      int             // type-2 bits: Type1 + 16·CRC + Tail (0 for RM and TCH/S)
	Code       Coding          // channel code
	Puncturing rcpc.Puncturing // RCPC puncturing scheme (Code == RCPC)
	Type5      int             // type-3 = type-4 = type-5 bits out
	Interleave int             // block interleaver a of clause 8.2.4.1 with K = Type5; 0 = none
	FixedBSCH  bool            // scrambled with the fixed BSCH code e = 0, whatever the cell
	Checked    bool            // Decode's ok flag means something (CRC, parity or RM radius)
	Verified   string          // how the chain was cross-checked (air-interface.md §5)
	Clause     string          // where the chain is defined
}

// table holds the chains, indexed by Channel. EN 300 392-2 V3.2.1 clause 8.3
// and EN 300 395-2 V1.3.1 clause 5; air-interface.md §5.
var table = [numChannels]Params{
	AACH: {Name: "AACH", Type1: 14, Code: RM3014, Type5: 30, Checked: true,
		Verified: "burst", Clause: "EN 300 392-2 clause 8.3 (AACH); RM(30,14) clause 8.2.3.2"},
	BSCH: {Name: "BSCH", Type1: 60, CRC: true, Tail: 4, Type2: 80, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 120, Interleave: 11, FixedBSCH: true, Checked: true,
		Verified: "burst, x-impl, CRC vector", Clause: "EN 300 392-2 clause 8.3 (BSCH); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	BNCH: {Name: "BNCH", Type1: 124, CRC: true, Tail: 4, Type2: 144, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 216, Interleave: 101, Checked: true,
		Verified: "burst, x-impl", Clause: "EN 300 392-2 clause 8.3 (BNCH, SCH/HD, STCH); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	SCHHD: {Name: "SCH/HD", Type1: 124, CRC: true, Tail: 4, Type2: 144, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 216, Interleave: 101, Checked: true,
		Verified: "burst, x-impl", Clause: "EN 300 392-2 clause 8.3 (BNCH, SCH/HD, STCH); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	STCH: {Name: "STCH", Type1: 124, CRC: true, Tail: 4, Type2: 144, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 216, Interleave: 101, Checked: true,
		Verified: "burst, x-impl", Clause: "EN 300 392-2 clause 8.3 (BNCH, SCH/HD, STCH); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	SCHF: {Name: "SCH/F", Type1: 268, CRC: true, Tail: 4, Type2: 288, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 432, Interleave: 103, Checked: true,
		Verified: "x-impl", Clause: "EN 300 392-2 clause 8.3 (SCH/F); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	SCHHU: {Name: "SCH/HU", Type1: 92, CRC: true, Tail: 4, Type2: 112, Code: RCPC, Puncturing: rcpc.Rate23, Type5: 168, Interleave: 13, Checked: true,
		Verified: "x-impl", Clause: "EN 300 392-2 clause 8.3 (SCH/HU); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	TCHS: {Name: "TCH/S", Type1: 274, Code: Speech, Type5: 432, Checked: true,
		Verified: "ETSI-ref", Clause: "EN 300 395-2 clause 5.5 (normal mode); scrambling EN 300 392-2 clause 8.2.5"},
	TCHSStolen: {Name: "TCH/S stolen", Type1: 137, Code: Speech, Type5: 216, Checked: true,
		Verified: "ETSI-ref", Clause: "EN 300 395-2 clause 5.5 (frame stealing); (216,101) EN 300 392-2 clause 8.2.4.1"},
	TCH72: {Name: "TCH/7.2", Type1: 432, Type2: 432, Code: NoCode, Type5: 432,
		Verified: "unverified", Clause: "EN 300 392-2 clause 8.3 (TCH/7.2); scrambling clause 8.2.5"},
	// Deviation note: the interleaving of TCH/4.8 and TCH/2.4 at depth N = 1 is
	// taken as the (432, 103) block interleaver; the pattern vectors check
	// coding, puncturing and scrambling only (air-interface.md §8.2).
	TCH48: {Name: "TCH/4.8", Type1: 288, Tail: 4, Type2: 292, Code: RCPC, Puncturing: rcpc.Rate292432, Type5: 432, Interleave: 103,
		Verified: "coding and puncturing x-impl; interleaving unverified", Clause: "EN 300 392-2 clause 8.3 (TCH/4.8, N = 1); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
	TCH24: {Name: "TCH/2.4", Type1: 144, Tail: 4, Type2: 148, Code: RCPC, Puncturing: rcpc.Rate148432, Type5: 432, Interleave: 103,
		Verified: "coding and puncturing x-impl; interleaving unverified", Clause: "EN 300 392-2 clause 8.3 (TCH/2.4, N = 1); clauses 8.2.3.1, 8.2.3.3, 8.2.4.1, 8.2.5"},
}

// Params returns the coding parameters of c. It panics for an unknown channel.
func (c Channel) Params() Params {
	if c == 0 || c >= numChannels {
		panic(fmt.Sprintf("lmac: unknown Channel(%d)", uint8(c)))
	}
	return table[c]
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c > 0 && c < numChannels }

func (c Channel) String() string {
	if !c.Valid() {
		return fmt.Sprintf("Channel(%d)", uint8(c))
	}
	return table[c].Name
}

// Channels returns every channel in enum order.
func Channels() []Channel {
	cs := make([]Channel, 0, numChannels-1)
	for c := AACH; c < numChannels; c++ {
		cs = append(cs, c)
	}
	return cs
}
