package mac

import "fmt"

// Special length indication values (6 bits), EN 300 392-2 clause 21.4.3.1:
// with them the PDU runs to the end of the MAC block.
const (
	LISecondHalfStolen = 0x3e // second half slot stolen (STCH)
	LIFragStart        = 0x3f // start of fragmentation
	maxLI6             = 0x3a // largest 6-bit length indication meaning octets (π/4-DQPSK: Y2 = Z2 = 1 octet)
)

// Resource is the downlink MAC-RESOURCE PDU, EN 300 392-2 clause 21.4.3.1
// (π/4-DQPSK form: no immediate napping permission flag, basic slot
// granting only). With Addr.Type == AddrNull it is the Null PDU: 16 bits,
// nothing after the address type.
//
// When encoding, AppendBits computes LengthInd and FillBits from the SDU,
// unless LengthInd is LISecondHalfStolen or LIFragStart, in which case the
// PDU runs to the end of the MAC block (see [AppendBlock]).
type Resource struct {
	FillBits        bool      `json:"fill_bits"`
	PositionOfGrant uint8     `json:"position_of_grant"` // 1 bit: 0 current channel, 1 allocated channel
	EncryptionMode  uint8     `json:"encryption_mode"`   // 2 bits
	RandomAccessAck bool      `json:"random_access_ack"` // random access flag
	LengthInd       uint8     `json:"length_ind"`        // 6 bits, octets
	Addr            Address   `json:"addr"`
	HasPowerControl bool      `json:"has_power_control,omitempty"`
	PowerControl    uint8     `json:"power_control,omitempty"` // 4 bits
	HasSlotGrant    bool      `json:"has_slot_grant,omitempty"`
	SlotGrant       SlotGrant `json:"slot_grant"`
	HasChanAlloc    bool      `json:"has_chan_alloc,omitempty"`
	ChanAlloc       ChanAlloc `json:"chan_alloc"`
	SDU             Bits      `json:"sdu"` // TM-SDU, type-1 bits
}

// NullPDU returns the downlink Null PDU (clause 21.4.3.1): a MAC-RESOURCE
// with address type "Null PDU" and length indication 2 octets.
func NullPDU() Resource { return Resource{LengthInd: 2} }

// IsNull reports whether r is the Null PDU.
func (r *Resource) IsNull() bool { return r.Addr.Type == AddrNull }

// Name returns "MAC-RESOURCE" or "NULL".
func (r *Resource) Name() string {
	if r.IsNull() {
		return "NULL"
	}
	return "MAC-RESOURCE"
}

// ParseResource parses a MAC-RESOURCE PDU at the start of block (the rest
// of a MAC block) and returns it with the number of bits it occupies. The
// SDU aliases block.
func ParseResource(block []byte) (Resource, int, error) {
	r := reader{b: block}
	var p Resource
	if r.u(2) != 0 {
		return p, 0, fmt.Errorf("%w: not MAC-RESOURCE", ErrUnknownPDU)
	}
	p.FillBits = r.flag()
	p.PositionOfGrant = uint8(r.u(1))
	p.EncryptionMode = uint8(r.u(2))
	p.RandomAccessAck = r.flag()
	p.LengthInd = uint8(r.u(6))
	p.Addr.readDL(&r)
	if r.short {
		return Resource{}, 0, ErrShort
	}
	if p.Addr.Type == AddrNull {
		// Null PDU: 16 bits; the rest of the block carries nothing.
		return p, NullPDUBits, nil
	}
	if p.HasPowerControl = r.flag(); p.HasPowerControl {
		p.PowerControl = uint8(r.u(4))
	}
	if p.HasSlotGrant = r.flag(); p.HasSlotGrant {
		p.SlotGrant.read(&r)
	}
	if p.HasChanAlloc = r.flag(); p.HasChanAlloc {
		if err := p.ChanAlloc.read(&r); err != nil {
			return Resource{}, 0, err
		}
	}
	if r.short {
		return Resource{}, 0, ErrShort
	}
	li := int(p.LengthInd)
	switch {
	case li == LISecondHalfStolen || li == LIFragStart:
		li = 0 // to the end of the block
	case li == 0 || li > maxLI6:
		return Resource{}, 0, fmt.Errorf("%w: MAC-RESOURCE length indication %d", ErrLength, li)
	}
	sdu, n, err := region(block, r.pos, li, p.FillBits)
	if err != nil {
		return Resource{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU, with fill bits to an octet boundary, to dst.
func (p *Resource) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *Resource) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(0, 2, "")
	fillPos := len(w.b)
	w.flag(false)
	if p.IsNull() {
		w.u(0, 1, "")
		w.u(0, 2, "")
		w.flag(false)
		w.u(2, 6, "")
		w.u(0, 3, "")
		if w.err != nil {
			return dst, w.err
		}
		if room >= 0 && NullPDUBits > room {
			return dst, ErrTooLong
		}
		return w.b, nil
	}
	w.u(uint32(p.PositionOfGrant), 1, "position of grant")
	w.u(uint32(p.EncryptionMode), 2, "encryption mode")
	w.flag(p.RandomAccessAck)
	liPos := len(w.b)
	keep := p.LengthInd == LISecondHalfStolen || p.LengthInd == LIFragStart
	w.u(uint32(p.LengthInd)&0x3f, 6, "length indication")
	p.Addr.writeDL(&w)
	w.flag(p.HasPowerControl)
	if p.HasPowerControl {
		w.u(uint32(p.PowerControl), 4, "power control")
	}
	w.flag(p.HasSlotGrant)
	if p.HasSlotGrant {
		p.SlotGrant.write(&w)
	}
	w.flag(p.HasChanAlloc)
	if p.HasChanAlloc {
		p.ChanAlloc.write(&w)
	}
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, 6, keep, maxLI6, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *Resource) String() string {
	if p.IsNull() {
		return "NULL"
	}
	s := fmt.Sprintf("MAC-RESOURCE %v len %d enc %d", p.Addr, p.LengthInd, p.EncryptionMode)
	if p.HasSlotGrant {
		s += fmt.Sprintf(" grant %d/%d", p.SlotGrant.Capacity, p.SlotGrant.Delay)
	}
	if p.HasChanAlloc {
		s += fmt.Sprintf(" chan-alloc TS %04b carrier %d", p.ChanAlloc.Timeslots, p.ChanAlloc.Carrier)
	}
	return s + fmt.Sprintf(" sdu %d bits", len(p.SDU))
}

// Frag is the MAC-FRAG PDU, clauses 21.4.3.2 (downlink) and 21.4.2.4
// (uplink): a continuation of a fragmented TM-SDU that runs to the end of the
// MAC block.
type Frag struct {
	FillBits bool `json:"fill_bits"`
	SDU      Bits `json:"sdu"`
}

// Name returns "MAC-FRAG".
func (*Frag) Name() string { return "MAC-FRAG" }

// ParseFrag parses a MAC-FRAG PDU (type 01, subtype 0) filling the rest of block.
func ParseFrag(block []byte) (Frag, int, error) {
	r := reader{b: block}
	if r.u(2) != 1 || r.u(1) != 0 {
		return Frag{}, 0, fmt.Errorf("%w: not MAC-FRAG", ErrUnknownPDU)
	}
	var p Frag
	p.FillBits = r.flag()
	if r.short {
		return Frag{}, 0, ErrShort
	}
	sdu, n, err := region(block, r.pos, 0, p.FillBits)
	if err != nil {
		return Frag{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU. Without a known block size there are no fill bits.
func (p *Frag) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *Frag) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(1, 2, "")
	w.u(0, 1, "")
	fillPos := len(w.b)
	w.flag(false)
	w.bits(p.SDU)
	w.finish(start, fillPos, 0, 0, false, 0, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *Frag) String() string { return fmt.Sprintf("MAC-FRAG sdu %d bits", len(p.SDU)) }

// EndDL is the downlink MAC-END PDU, EN 300 392-2 clause 21.4.3.3
// (π/4-DQPSK form). AppendBits computes LengthInd and FillBits.
type EndDL struct {
	FillBits        bool      `json:"fill_bits"`
	PositionOfGrant uint8     `json:"position_of_grant"` // 1 bit
	LengthInd       uint8     `json:"length_ind"`        // 6 bits, octets
	HasSlotGrant    bool      `json:"has_slot_grant,omitempty"`
	SlotGrant       SlotGrant `json:"slot_grant"`
	HasChanAlloc    bool      `json:"has_chan_alloc,omitempty"`
	ChanAlloc       ChanAlloc `json:"chan_alloc"`
	SDU             Bits      `json:"sdu"`
}

// Name returns "MAC-END".
func (*EndDL) Name() string { return "MAC-END" }

// ParseEndDL parses a downlink MAC-END PDU (type 01, subtype 1).
func ParseEndDL(block []byte) (EndDL, int, error) {
	r := reader{b: block}
	if r.u(2) != 1 || r.u(1) != 1 {
		return EndDL{}, 0, fmt.Errorf("%w: not MAC-END", ErrUnknownPDU)
	}
	var p EndDL
	p.FillBits = r.flag()
	p.PositionOfGrant = uint8(r.u(1))
	p.LengthInd = uint8(r.u(6))
	if p.HasSlotGrant = r.flag(); p.HasSlotGrant {
		p.SlotGrant.read(&r)
	}
	if p.HasChanAlloc = r.flag(); p.HasChanAlloc {
		if err := p.ChanAlloc.read(&r); err != nil {
			return EndDL{}, 0, err
		}
	}
	if r.short {
		return EndDL{}, 0, ErrShort
	}
	if p.LengthInd == 0 || p.LengthInd > maxLI6 {
		return EndDL{}, 0, fmt.Errorf("%w: MAC-END length indication %d", ErrLength, p.LengthInd)
	}
	sdu, n, err := region(block, r.pos, int(p.LengthInd), p.FillBits)
	if err != nil {
		return EndDL{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU with fill bits to an octet boundary.
func (p *EndDL) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *EndDL) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(1, 2, "")
	w.u(1, 1, "")
	fillPos := len(w.b)
	w.flag(false)
	w.u(uint32(p.PositionOfGrant), 1, "position of grant")
	liPos := len(w.b)
	w.u(0, 6, "")
	w.flag(p.HasSlotGrant)
	if p.HasSlotGrant {
		p.SlotGrant.write(&w)
	}
	w.flag(p.HasChanAlloc)
	if p.HasChanAlloc {
		p.ChanAlloc.write(&w)
	}
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, 6, false, maxLI6, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *EndDL) String() string {
	return fmt.Sprintf("MAC-END len %d sdu %d bits", p.LengthInd, len(p.SDU))
}

// USignal is the MAC-U-SIGNAL PDU on the STCH (both directions), EN 300
// 392-2 clause 21.4.5: U-plane signalling that runs to the end of the
// half-slot block. It has no fill bit indication; AppendBlock pads a short
// SDU with zeros.
type USignal struct {
	SecondHalfStolen bool `json:"second_half_stolen"`
	SDU              Bits `json:"sdu"`
}

// Name returns "MAC-U-SIGNAL".
func (*USignal) Name() string { return "MAC-U-SIGNAL" }

// ParseUSignal parses a MAC-U-SIGNAL PDU (type 11 on the STCH).
func ParseUSignal(block []byte) (USignal, int, error) {
	r := reader{b: block}
	if r.u(2) != 3 {
		return USignal{}, 0, fmt.Errorf("%w: not MAC-U-SIGNAL", ErrUnknownPDU)
	}
	var p USignal
	p.SecondHalfStolen = r.flag()
	if r.short {
		return USignal{}, 0, ErrShort
	}
	p.SDU = block[r.pos:]
	return p, len(block), nil
}

// AppendBits appends the PDU.
func (p *USignal) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *USignal) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(3, 2, "")
	w.flag(p.SecondHalfStolen)
	w.bits(p.SDU)
	w.finish(start, -1, 0, 0, false, 0, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *USignal) String() string {
	return fmt.Sprintf("MAC-U-SIGNAL stolen2 %v sdu %d bits", p.SecondHalfStolen, len(p.SDU))
}
