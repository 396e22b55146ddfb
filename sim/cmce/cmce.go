// Package cmce encodes and parses the layer-3 signalling PDUs that tetrasim's
// handsets and base stations exchange on the main control channel: a simplified
// form of the circuit-mode control entity (CMCE, ETSI EN 300 392-2 V3.2.1
// (2007-09) clause 14), mobility management (MM, clause 16) and SDS (clause 29).
//
// Deviation from EN 300 392-2 clauses 14, 16 and 29: the PDUs keep the standard's
// names and purpose but use a compact fixed layout of our own (a 5-bit PDU type,
// then fixed-width fields), because the standard's optional-field machinery (the
// O-bit/M-bit type-2/type-3 elements) and the LLC/MLE layers in between add
// nothing to the simulation. Every PDU is at most MaxBits long, so that it fits
// as the TM-SDU of one MAC-RESOURCE (downlink) or MAC-DATA (uplink) PDU in an
// SCH/F block (radio/mac, clause 21.4); SDS payloads longer than one block are
// segmented (MaxFragment bytes each) and reassembled by Reassembler.
//
// Parsing never panics on bits that came off the air: it returns ErrShort,
// ErrUnknownPDU or ErrBadField.
package cmce

import (
	"errors"
	"fmt"

	"github.com/tetrasim/tetrasim/internal/bits"
)

// MaxBits is the largest PDU: an SCH/F block (268 type-1 bits, EN 300 392-2
// clause 8.3.1) less a MAC-RESOURCE header with an SSI address (43 bits),
// rounded down to whole octets (the MAC length indication counts octets).
const MaxBits = 224

// Type is a PDU type (5 bits). Uplink types start with U, downlink with D.
type Type uint8

// PDU types. Names follow EN 300 392-2 clauses 14.7 (CMCE), 16.9 (MM) and 29 (SDS).
const (
	TypeNull              Type = iota // fill block, no content
	ULocationUpdateDemand             // clause 16.9.3.4: registration with group attach
	DLocationUpdateAccept             // clause 16.9.2.7
	USetup                            // clause 14.7.2.10: group call request
	DSetup                            // clause 14.7.1.12: call set-up / late-entry repeat
	DConnect                          // clause 14.7.1.4: the caller has the floor
	UTxDemand                         // clause 14.7.2.12: PTT pressed during a call
	DTxGranted                        // clause 14.7.1.15: floor granted/queued/pre-empted
	UTxCeased                         // clause 14.7.2.11: PTT released
	DTxCeased                         // clause 14.7.1.14: the floor is free (hang time)
	DRelease                          // clause 14.7.1.9: call cleared
	USDSData                          // clause 29.4.2: SDS type 4 fragment
	DSDSData                          // clause 29.4.1
	UAck                              // acknowledgement of a downlink SDS fragment
	DAck                              // acknowledgement of an uplink SDS fragment
	numTypes
)

var typeNames = [...]string{"NULL", "U-LOCATION-UPDATE-DEMAND", "D-LOCATION-UPDATE-ACCEPT",
	"U-SETUP", "D-SETUP", "D-CONNECT", "U-TX-DEMAND", "D-TX-GRANTED", "U-TX-CEASED",
	"D-TX-CEASED", "D-RELEASE", "U-SDS-DATA", "D-SDS-DATA", "U-ACK", "D-ACK"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Uplink reports whether PDUs of type t are sent by handsets.
func (t Type) Uplink() bool {
	switch t {
	case ULocationUpdateDemand, USetup, UTxDemand, UTxCeased, USDSData, UAck:
		return true
	}
	return false
}

// Grant is the floor-control outcome in D-TX-GRANTED (clause 14.8.43 "transmission grant").
type Grant uint8

const (
	Granted      Grant = iota // you have the floor
	NotGranted                // someone else has the floor (sent to all: who talks)
	Queued                    // request queued
	Rejected                  // refused (no traffic channel, not a member)
	GrantedOther              // announce: another party has the floor
)

func (g Grant) String() string {
	return [...]string{"granted", "not-granted", "queued", "rejected", "granted-other"}[g&7%5]
}

// SDS protocol identifiers (clause 29.4.3.9 PID; values from the user-defined range).
const (
	PIDE2EESDS   = 0xC0 // payload is an e2ee-sealed SDS (e2ee-design.md §5.9)
	PIDKMF       = 0xC1 // payload is a KMF key-management message (e2ee-design.md §5.10)
	PIDPlainText = 0x82 // clause 29.5: simple text, clear
)

// MaxFragment is the largest SDS fragment payload [bytes] that fits one block
// (93 header bits + 16 x 8 = 221 <= MaxBits).
const MaxFragment = 16

// Errors returned by Parse.
var (
	ErrShort      = errors.New("cmce: short PDU")
	ErrUnknownPDU = errors.New("cmce: unknown PDU type")
	ErrBadField   = errors.New("cmce: field out of range")
)

// PDU is one signalling PDU. Which fields are meaningful depends on Type; the
// others are zero. Addresses are 24-bit SSIs (clause 7.2).
type PDU struct {
	Type Type
	// SSI is the addressed handset (downlink) or the sender (uplink).
	SSI uint32
	// GSSI is the talkgroup.
	GSSI uint32
	// CallID identifies a call within a cell, 1..16383 (clause 14.8.4, 14 bits).
	CallID uint16
	// TN is the traffic timeslot, 1..4.
	TN uint8
	// Talker is the ISSI that has the floor (0: nobody).
	Talker uint32
	// Priority 0..15 (clause 14.8.27 call priority; 15 pre-empts).
	Priority uint8
	// Grant is the floor outcome (D-TX-GRANTED).
	Grant Grant
	// Encrypted says the traffic is end-to-end encrypted (clause 14.8.17, E2EE flag).
	Encrypted bool
	// Groups lists up to MaxGroups GSSIs (location update).
	Groups []uint32
	// SDS fields: destination (Dest, DestGroup), protocol identifier, message
	// reference, fragment index and count, and the fragment's bytes.
	Dest      uint32
	DestGroup bool
	PID       uint8
	MsgRef    uint16
	Frag      uint8
	NFrags    uint8
	Data      []byte
}

// MaxGroups is the number of groups one location update can attach
// (33 + 7 x 24 = 201 <= MaxBits).
const MaxGroups = 7

// AppendBits appends the PDU as unpacked bits (at most MaxBits). It returns an
// error if a field does not fit.
func (p *PDU) AppendBits(dst []byte) ([]byte, error) {
	if p.Type >= numTypes {
		return dst, ErrUnknownPDU
	}
	if p.SSI >= 1<<24 || p.GSSI >= 1<<24 || p.Talker >= 1<<24 || p.Dest >= 1<<24 ||
		p.CallID >= 1<<14 || p.TN > 4 || p.Priority > 15 || len(p.Groups) > MaxGroups ||
		len(p.Data) > MaxFragment || p.NFrags > MaxFragments || p.Frag > MaxFragments || p.Grant > GrantedOther {
		return dst, fmt.Errorf("%w: %s", ErrBadField, p.Type)
	}
	start := len(dst)
	dst = bits.AppendUint(dst, uint64(p.Type), 5)
	switch p.Type {
	case TypeNull:
	case ULocationUpdateDemand, DLocationUpdateAccept:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(len(p.Groups)), 4)
		for _, g := range p.Groups {
			if g >= 1<<24 {
				return dst[:start], fmt.Errorf("%w: group", ErrBadField)
			}
			dst = bits.AppendUint(dst, uint64(g), 24)
		}
	case USetup, UTxDemand:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(p.GSSI), 24)
		dst = bits.AppendUint(dst, uint64(p.CallID), 14)
		dst = bits.AppendUint(dst, uint64(p.Priority), 4)
		dst = appendBool(dst, p.Encrypted)
	case DSetup, DConnect, DTxGranted:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(p.GSSI), 24)
		dst = bits.AppendUint(dst, uint64(p.CallID), 14)
		dst = bits.AppendUint(dst, uint64(p.TN), 3)
		dst = bits.AppendUint(dst, uint64(p.Talker), 24)
		dst = bits.AppendUint(dst, uint64(p.Priority), 4)
		dst = bits.AppendUint(dst, uint64(p.Grant), 3)
		dst = appendBool(dst, p.Encrypted)
	case UTxCeased, DTxCeased, DRelease:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(p.GSSI), 24)
		dst = bits.AppendUint(dst, uint64(p.CallID), 14)
	case USDSData, DSDSData:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(p.Dest), 24)
		dst = appendBool(dst, p.DestGroup)
		dst = bits.AppendUint(dst, uint64(p.PID), 8)
		dst = bits.AppendUint(dst, uint64(p.MsgRef), 16)
		dst = bits.AppendUint(dst, uint64(p.Frag), 5)
		dst = bits.AppendUint(dst, uint64(p.NFrags), 5)
		dst = bits.AppendUint(dst, uint64(len(p.Data)), 5)
		for _, b := range p.Data {
			dst = bits.AppendUint(dst, uint64(b), 8)
		}
	case UAck, DAck:
		dst = bits.AppendUint(dst, uint64(p.SSI), 24)
		dst = bits.AppendUint(dst, uint64(p.MsgRef), 16)
		dst = bits.AppendUint(dst, uint64(p.Frag), 5)
	}
	return dst, nil
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) u(n int) uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < n {
		r.err = ErrShort
		return 0
	}
	v := bits.Uint(r.b[:n])
	r.b = r.b[n:]
	return v
}

// Parse decodes a PDU from unpacked bits (at least the PDU's length; trailing
// padding is ignored).
func Parse(b []byte) (PDU, error) {
	r := &reader{b: b}
	var p PDU
	p.Type = Type(r.u(5))
	if r.err != nil {
		return PDU{}, r.err
	}
	switch p.Type {
	case TypeNull:
	case ULocationUpdateDemand, DLocationUpdateAccept:
		p.SSI = uint32(r.u(24))
		n := int(r.u(4))
		if n > MaxGroups {
			return PDU{}, ErrBadField
		}
		for range n {
			p.Groups = append(p.Groups, uint32(r.u(24)))
		}
	case USetup, UTxDemand:
		p.SSI = uint32(r.u(24))
		p.GSSI = uint32(r.u(24))
		p.CallID = uint16(r.u(14))
		p.Priority = uint8(r.u(4))
		p.Encrypted = r.u(1) == 1
	case DSetup, DConnect, DTxGranted:
		p.SSI = uint32(r.u(24))
		p.GSSI = uint32(r.u(24))
		p.CallID = uint16(r.u(14))
		p.TN = uint8(r.u(3))
		p.Talker = uint32(r.u(24))
		p.Priority = uint8(r.u(4))
		p.Grant = Grant(r.u(3))
		p.Encrypted = r.u(1) == 1
		if r.err == nil && (p.TN > 4 || p.Grant > GrantedOther) {
			return PDU{}, ErrBadField
		}
	case UTxCeased, DTxCeased, DRelease:
		p.SSI = uint32(r.u(24))
		p.GSSI = uint32(r.u(24))
		p.CallID = uint16(r.u(14))
	case USDSData, DSDSData:
		p.SSI = uint32(r.u(24))
		p.Dest = uint32(r.u(24))
		p.DestGroup = r.u(1) == 1
		p.PID = uint8(r.u(8))
		p.MsgRef = uint16(r.u(16))
		p.Frag = uint8(r.u(5))
		p.NFrags = uint8(r.u(5))
		n := int(r.u(5))
		if n > MaxFragment {
			return PDU{}, ErrBadField
		}
		if r.err == nil {
			p.Data = make([]byte, n)
			for i := range p.Data {
				p.Data[i] = byte(r.u(8))
			}
		}
		if r.err == nil && (p.NFrags == 0 || p.Frag >= p.NFrags) {
			return PDU{}, ErrBadField
		}
	case UAck, DAck:
		p.SSI = uint32(r.u(24))
		p.MsgRef = uint16(r.u(16))
		p.Frag = uint8(r.u(5))
	default:
		return PDU{}, ErrUnknownPDU
	}
	if r.err != nil {
		return PDU{}, r.err
	}
	return p, nil
}

// MaxFragments is the most fragments one SDS message can have (5-bit counts).
const MaxFragments = 31

// MaxSDS is the longest SDS payload [bytes] Fragment accepts.
const MaxSDS = MaxFragments * MaxFragment

// Fragment splits an SDS payload into SDS-DATA PDUs of at most MaxFragment bytes.
// tmpl supplies Type, SSI, Dest, DestGroup, PID and MsgRef. It fails if the
// payload needs more than 15 fragments.
func Fragment(tmpl PDU, payload []byte) ([]PDU, error) {
	n := max(1, (len(payload)+MaxFragment-1)/MaxFragment)
	if n > MaxFragments {
		return nil, fmt.Errorf("%w: SDS of %d bytes needs %d fragments (max %d)", ErrBadField, len(payload), n, MaxFragments)
	}
	out := make([]PDU, n)
	for i := range n {
		p := tmpl
		p.Frag, p.NFrags = uint8(i), uint8(n)
		p.Data = payload[i*MaxFragment : min(len(payload), (i+1)*MaxFragment)]
		out[i] = p
	}
	return out, nil
}

// Reassembler collects SDS fragments per (sender, message reference). The zero
// value is ready; it is not safe for concurrent use.
type Reassembler struct {
	m map[uint64]*partial
}

type partial struct {
	got   uint32
	parts [][]byte
}

// Add stores a fragment and returns the whole payload once every fragment of
// its message arrived (ok = true). Duplicates are ignored.
func (r *Reassembler) Add(p PDU) (payload []byte, ok bool) {
	if p.NFrags == 0 || p.Frag >= p.NFrags {
		return nil, false
	}
	if r.m == nil {
		r.m = map[uint64]*partial{}
	}
	k := uint64(p.SSI)<<40 | uint64(p.Dest)<<16 | uint64(p.MsgRef)
	s := r.m[k]
	if s == nil || len(s.parts) != int(p.NFrags) {
		s = &partial{parts: make([][]byte, p.NFrags)}
		r.m[k] = s
	}
	if s.got&(1<<p.Frag) != 0 {
		return nil, false
	}
	s.got |= 1 << p.Frag
	s.parts[p.Frag] = append([]byte(nil), p.Data...)
	if int(bitsSet(s.got)) != len(s.parts) {
		return nil, false
	}
	delete(r.m, k)
	for _, part := range s.parts {
		payload = append(payload, part...)
	}
	return payload, true
}

func bitsSet(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
