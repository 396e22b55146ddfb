package mac

import "fmt"

const (
	maxLI5 = 12 // largest MAC-ACCESS length indication: 12 octets ≥ the 92-bit SCH/HU block
	maxLI4 = 12 // largest MAC-END-HU length indication
	// EndULReservation is the first MAC-END (uplink) length indication value
	// that is a reservation requirement instead of a length (clause 21.4.2.5).
	EndULReservation = 0x30
)

// Access is the MAC-ACCESS PDU sent by an MS on the SCH/HU (one sub-slot,
// 92 type-1 bits), EN 300 392-2 clause 21.4.2.1.
//
// Without the optional field, or with a capacity request, the TM-SDU runs
// to the end of the block; with a length indication (5 bits, octets)
// AppendBits computes LengthInd and FillBits.
type Access struct {
	FillBits        bool    `json:"fill_bits"`
	Encrypted       bool    `json:"encrypted"`
	Addr            Address `json:"addr"` // SSI, event label, USSI or SMI
	HasOptional     bool    `json:"has_optional"`
	CapacityRequest bool    `json:"capacity_request"` // optional field is a capacity request
	LengthInd       uint8   `json:"length_ind"`       // 5 bits, octets (no capacity request)
	Fragmented      bool    `json:"fragmented"`       // fragmentation flag (capacity request)
	ReservationReq  uint8   `json:"reservation_req"`  // 4 bits (capacity request)
	SDU             Bits    `json:"sdu"`
}

// Name returns "MAC-ACCESS".
func (*Access) Name() string { return "MAC-ACCESS" }

// ParseAccess parses a MAC-ACCESS PDU (first bit 0) at the start of an SCH/HU block.
func ParseAccess(block []byte) (Access, int, error) {
	r := reader{b: block}
	if r.u(1) != 0 {
		return Access{}, 0, fmt.Errorf("%w: not MAC-ACCESS", ErrUnknownPDU)
	}
	var p Access
	p.FillBits = r.flag()
	p.Encrypted = r.flag()
	p.Addr.readUL(&r)
	li := 0
	if p.HasOptional = r.flag(); p.HasOptional {
		if p.CapacityRequest = r.flag(); p.CapacityRequest {
			p.Fragmented = r.flag()
			p.ReservationReq = uint8(r.u(4))
		} else {
			p.LengthInd = uint8(r.u(5))
			li = int(p.LengthInd)
			if li == 0 || li > maxLI5 {
				return Access{}, 0, fmt.Errorf("%w: MAC-ACCESS length indication %d", ErrLength, li)
			}
		}
	}
	if r.short {
		return Access{}, 0, ErrShort
	}
	sdu, n, err := region(block, r.pos, li, p.FillBits)
	if err != nil {
		return Access{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU.
func (p *Access) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *Access) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(0, 1, "")
	fillPos := len(w.b)
	w.flag(false)
	w.flag(p.Encrypted)
	p.Addr.writeUL(&w)
	w.flag(p.HasOptional)
	liPos, liBits := 0, 0
	if p.HasOptional {
		w.flag(p.CapacityRequest)
		if p.CapacityRequest {
			w.flag(p.Fragmented)
			w.u(uint32(p.ReservationReq), 4, "reservation requirement")
		} else {
			liPos, liBits = len(w.b), 5
			w.u(0, 5, "")
		}
	}
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, liBits, false, maxLI5, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *Access) String() string {
	return fmt.Sprintf("MAC-ACCESS %v enc %v sdu %d bits", p.Addr, p.Encrypted, len(p.SDU))
}

// EndHU is the MAC-END-HU PDU on the SCH/HU, EN 300 392-2 clause 21.4.2.2:
// the last fragment of a TM-SDU sent in a reserved sub-slot.
type EndHU struct {
	FillBits        bool  `json:"fill_bits"`
	CapacityRequest bool  `json:"capacity_request"`
	LengthInd       uint8 `json:"length_ind"`      // 4 bits, octets (no capacity request)
	ReservationReq  uint8 `json:"reservation_req"` // 4 bits (capacity request)
	SDU             Bits  `json:"sdu"`
}

// Name returns "MAC-END-HU".
func (*EndHU) Name() string { return "MAC-END-HU" }

// ParseEndHU parses a MAC-END-HU PDU (first bit 1) at the start of an SCH/HU block.
func ParseEndHU(block []byte) (EndHU, int, error) {
	r := reader{b: block}
	if r.u(1) != 1 {
		return EndHU{}, 0, fmt.Errorf("%w: not MAC-END-HU", ErrUnknownPDU)
	}
	var p EndHU
	p.FillBits = r.flag()
	li := 0
	if p.CapacityRequest = r.flag(); p.CapacityRequest {
		p.ReservationReq = uint8(r.u(4))
	} else {
		p.LengthInd = uint8(r.u(4))
		li = int(p.LengthInd)
		if li == 0 || li > maxLI4 {
			return EndHU{}, 0, fmt.Errorf("%w: MAC-END-HU length indication %d", ErrLength, li)
		}
	}
	if r.short {
		return EndHU{}, 0, ErrShort
	}
	sdu, n, err := region(block, r.pos, li, p.FillBits)
	if err != nil {
		return EndHU{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU.
func (p *EndHU) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *EndHU) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(1, 1, "")
	fillPos := len(w.b)
	w.flag(false)
	w.flag(p.CapacityRequest)
	liPos, liBits := 0, 0
	if p.CapacityRequest {
		w.u(uint32(p.ReservationReq), 4, "reservation requirement")
	} else {
		liPos, liBits = len(w.b), 4
		w.u(0, 4, "")
	}
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, liBits, false, maxLI4, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *EndHU) String() string { return fmt.Sprintf("MAC-END-HU sdu %d bits", len(p.SDU)) }

// Data is the MAC-DATA PDU sent by an MS on the SCH/F or STCH, EN 300 392-2
// clause 21.4.2.3. With a length indication of 0 it is the uplink Null PDU.
// With a capacity request, or the length indication LISecondHalfStolen or
// LIFragStart, the TM-SDU runs to the end of the block; otherwise AppendBits
// computes LengthInd and FillBits.
type Data struct {
	FillBits        bool    `json:"fill_bits"`
	Encrypted       bool    `json:"encrypted"`
	Addr            Address `json:"addr"`
	CapacityRequest bool    `json:"capacity_request"`
	LengthInd       uint8   `json:"length_ind"`      // 6 bits, octets (no capacity request)
	Fragmented      bool    `json:"fragmented"`      // fragmentation flag (capacity request)
	ReservationReq  uint8   `json:"reservation_req"` // 4 bits (capacity request)
	Null            bool    `json:"null"`            // uplink Null PDU (length indication 0)
	SDU             Bits    `json:"sdu"`
}

// Name returns "MAC-DATA" or "NULL".
func (p *Data) Name() string {
	if p.Null {
		return "NULL"
	}
	return "MAC-DATA"
}

// ParseData parses a MAC-DATA PDU (type 00 on the uplink).
func ParseData(block []byte) (Data, int, error) {
	r := reader{b: block}
	if r.u(2) != 0 {
		return Data{}, 0, fmt.Errorf("%w: not MAC-DATA", ErrUnknownPDU)
	}
	var p Data
	p.FillBits = r.flag()
	p.Encrypted = r.flag()
	p.Addr.readUL(&r)
	li := 0
	if p.CapacityRequest = r.flag(); p.CapacityRequest {
		p.Fragmented = r.flag()
		p.ReservationReq = uint8(r.u(4))
		r.u(1) // reserved
	} else {
		p.LengthInd = uint8(r.u(6))
		li = int(p.LengthInd)
	}
	if r.short {
		return Data{}, 0, ErrShort
	}
	switch {
	case p.CapacityRequest, li == LISecondHalfStolen, li == LIFragStart:
		li = 0
	case li == 0:
		// Null PDU: nothing follows (clause 21.4.2.3).
		p.Null = true
		return p, r.pos, nil
	case li > maxLI6:
		return Data{}, 0, fmt.Errorf("%w: MAC-DATA length indication %d", ErrLength, li)
	}
	sdu, n, err := region(block, r.pos, li, p.FillBits)
	if err != nil {
		return Data{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU.
func (p *Data) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *Data) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(0, 2, "")
	fillPos := len(w.b)
	w.flag(false)
	w.flag(p.Encrypted)
	p.Addr.writeUL(&w)
	w.flag(p.CapacityRequest)
	liPos, liBits, keep := 0, 0, false
	if p.CapacityRequest {
		w.flag(p.Fragmented)
		w.u(uint32(p.ReservationReq), 4, "reservation requirement")
		w.u(0, 1, "")
	} else {
		liPos, liBits = len(w.b), 6
		keep = p.LengthInd == LISecondHalfStolen || p.LengthInd == LIFragStart
		if p.Null {
			w.u(0, 6, "")
			if w.err != nil {
				return dst, w.err
			}
			if room >= 0 && len(w.b)-start > room {
				return dst, ErrTooLong
			}
			return w.b, nil
		}
		w.u(uint32(p.LengthInd)&0x3f, 6, "")
	}
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, liBits, keep, maxLI6, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *Data) String() string {
	if p.Null {
		return fmt.Sprintf("NULL (uplink) %v", p.Addr)
	}
	return fmt.Sprintf("MAC-DATA %v enc %v sdu %d bits", p.Addr, p.Encrypted, len(p.SDU))
}

// EndUL is the uplink MAC-END PDU on the SCH/F or STCH, EN 300 392-2 clause
// 21.4.2.5. Its 6-bit field is a length indication (octets) below
// EndULReservation and a reservation requirement from there on; in that
// case the TM-SDU runs to the end of the block.
type EndUL struct {
	FillBits  bool  `json:"fill_bits"`
	LengthInd uint8 `json:"length_ind"` // 6 bits: length (octets) or 0x30 | reservation requirement
	SDU       Bits  `json:"sdu"`
}

// Name returns "MAC-END".
func (*EndUL) Name() string { return "MAC-END" }

// Reservation returns the reservation requirement and true when the PDU
// carries one instead of a length.
func (p *EndUL) Reservation() (uint8, bool) {
	if p.LengthInd >= EndULReservation {
		return p.LengthInd & 0x0f, true
	}
	return 0, false
}

// ParseEndUL parses an uplink MAC-END PDU (type 01, subtype 1).
func ParseEndUL(block []byte) (EndUL, int, error) {
	r := reader{b: block}
	if r.u(2) != 1 || r.u(1) != 1 {
		return EndUL{}, 0, fmt.Errorf("%w: not MAC-END", ErrUnknownPDU)
	}
	var p EndUL
	p.FillBits = r.flag()
	p.LengthInd = uint8(r.u(6))
	if r.short {
		return EndUL{}, 0, ErrShort
	}
	li := int(p.LengthInd)
	if li >= EndULReservation {
		li = 0
	} else if li == 0 || li > maxLI6 {
		return EndUL{}, 0, fmt.Errorf("%w: MAC-END length indication %d", ErrLength, li)
	}
	sdu, n, err := region(block, r.pos, li, p.FillBits)
	if err != nil {
		return EndUL{}, 0, err
	}
	p.SDU = sdu
	return p, n, nil
}

// AppendBits appends the PDU.
func (p *EndUL) AppendBits(dst []byte) ([]byte, error) { return p.appendBits(dst, -1) }

func (p *EndUL) appendBits(dst []byte, room int) ([]byte, error) {
	start := len(dst)
	w := writer{b: dst}
	w.u(1, 2, "")
	w.u(1, 1, "")
	fillPos := len(w.b)
	w.flag(false)
	liPos := len(w.b)
	keep := p.LengthInd >= EndULReservation
	w.u(uint32(p.LengthInd)&0x3f, 6, "")
	w.bits(p.SDU)
	w.finish(start, fillPos, liPos, 6, keep, EndULReservation-1, room)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (p *EndUL) String() string { return fmt.Sprintf("MAC-END (uplink) sdu %d bits", len(p.SDU)) }
