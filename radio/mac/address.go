package mac

import "fmt"

// AddrType is the address type of a downlink MAC-RESOURCE PDU (3 bits),
// EN 300 392-2 clause 21.4.3.1. The uplink PDUs (MAC-ACCESS, MAC-DATA) use a
// 2-bit type with only SSI, event label, USSI and SMI (clause 21.4.2).
type AddrType uint8

// Address types, clause 21.4.3.1.
const (
	AddrNull       AddrType = 0 // Null PDU: no address, nothing follows
	AddrSSI        AddrType = 1 // SSI (24 bits)
	AddrEventLabel AddrType = 2 // event label (10 bits)
	AddrUSSI       AddrType = 3 // USSI, migrating MS (24 bits)
	AddrSMI        AddrType = 4 // SMI, management (24 bits)
	AddrSSIEvent   AddrType = 5 // SSI + event label (34 bits)
	AddrSSIUsage   AddrType = 6 // SSI + usage marker (30 bits)
	AddrSMIEvent   AddrType = 7 // SMI + event label (34 bits)
)

var addrNames = [...]string{"null", "SSI", "event", "USSI", "SMI", "SSI+event", "SSI+usage", "SMI+event"}

func (t AddrType) String() string {
	if int(t) < len(addrNames) {
		return addrNames[t]
	}
	return fmt.Sprintf("AddrType(%d)", int(t))
}

// Address is a MAC address element, clause 21.4.3.1 (downlink) and 21.4.2 (uplink).
type Address struct {
	Type        AddrType `json:"type"`
	SSI         uint32   `json:"ssi,omitempty"`          // SSI, USSI or SMI, 24 bits
	EventLabel  uint16   `json:"event_label,omitempty"`  // 10 bits
	UsageMarker uint8    `json:"usage_marker,omitempty"` // 6 bits
}

// String formats the address as "SSI(1234)", "SSI(1234)/U5" or "E12".
func (a Address) String() string {
	switch a.Type {
	case AddrNull:
		return "null"
	case AddrEventLabel:
		return fmt.Sprintf("E%d", a.EventLabel)
	case AddrSSIEvent, AddrSMIEvent:
		return fmt.Sprintf("%s(%d)/E%d", a.Type, a.SSI, a.EventLabel)
	case AddrSSIUsage:
		return fmt.Sprintf("SSI(%d)/U%d", a.SSI, a.UsageMarker)
	}
	return fmt.Sprintf("%s(%d)", a.Type, a.SSI)
}

func (a *Address) readDL(r *reader) {
	a.Type = AddrType(r.u(3))
	switch a.Type {
	case AddrSSI, AddrUSSI, AddrSMI:
		a.SSI = r.u(24)
	case AddrEventLabel:
		a.EventLabel = uint16(r.u(10))
	case AddrSSIEvent, AddrSMIEvent:
		a.SSI = r.u(24)
		a.EventLabel = uint16(r.u(10))
	case AddrSSIUsage:
		a.SSI = r.u(24)
		a.UsageMarker = uint8(r.u(6))
	}
}

func (a Address) writeDL(w *writer) {
	w.u(uint32(a.Type), 3, "address type")
	switch a.Type {
	case AddrSSI, AddrUSSI, AddrSMI:
		w.u(a.SSI, 24, "SSI")
	case AddrEventLabel:
		w.u(uint32(a.EventLabel), 10, "event label")
	case AddrSSIEvent, AddrSMIEvent:
		w.u(a.SSI, 24, "SSI")
		w.u(uint32(a.EventLabel), 10, "event label")
	case AddrSSIUsage:
		w.u(a.SSI, 24, "SSI")
		w.u(uint32(a.UsageMarker), 6, "usage marker")
	}
}

// ulAddr maps the 2-bit uplink address type to AddrType (clause 21.4.2.1).
var ulAddr = [4]AddrType{AddrSSI, AddrEventLabel, AddrUSSI, AddrSMI}

func (a *Address) readUL(r *reader) {
	a.Type = ulAddr[r.u(2)]
	if a.Type == AddrEventLabel {
		a.EventLabel = uint16(r.u(10))
	} else {
		a.SSI = r.u(24)
	}
}

func (a Address) writeUL(w *writer) {
	switch a.Type {
	case AddrSSI:
		w.u(0, 2, "")
	case AddrEventLabel:
		w.u(1, 2, "")
		w.u(uint32(a.EventLabel), 10, "event label")
		return
	case AddrUSSI:
		w.u(2, 2, "")
	case AddrSMI:
		w.u(3, 2, "")
	default:
		if w.err == nil {
			w.err = fmt.Errorf("%w: uplink address type %v", ErrRange, a.Type)
		}
		return
	}
	w.u(a.SSI, 24, "SSI")
}

// SlotGrant is the basic slot granting element (8 bits), clause 21.5.6.
type SlotGrant struct {
	Capacity uint8 `json:"capacity"` // capacity allocation, 4 bits (0 = first sub-slot, 15 = second sub-slot)
	Delay    uint8 `json:"delay"`    // granting delay, 4 bits
}

func (g *SlotGrant) read(r *reader) {
	g.Capacity = uint8(r.u(4))
	g.Delay = uint8(r.u(4))
}

func (g SlotGrant) write(w *writer) {
	w.u(uint32(g.Capacity), 4, "capacity allocation")
	w.u(uint32(g.Delay), 4, "granting delay")
}

// ChanAlloc is the channel allocation element, clause 21.5.2, for π/4-DQPSK
// channels. The augmented allocation (up/downlink assigned = 0, used for QAM)
// is not supported: parsing it returns ErrUnsupported.
type ChanAlloc struct {
	AllocType      uint8  `json:"alloc_type"`     // 2 bits: 0 replace, 1 additional, 2 quit and go, 3 replace + CSS channel
	Timeslots      uint8  `json:"timeslots"`      // 4-bit bitmap, MSB = TN 1
	UpDown         uint8  `json:"up_down"`        // 2 bits: 1 downlink only, 2 uplink only, 3 both
	CLCHPermission bool   `json:"clch"`           // CLCH permission
	CellChange     bool   `json:"cell_change"`    // cell change flag
	Carrier        uint16 `json:"carrier"`        // carrier number, 12 bits
	ExtCarrier     bool   `json:"ext_carrier"`    // extended carrier numbering present
	FreqBand       uint8  `json:"freq_band"`      // 4 bits (with ExtCarrier)
	Offset         uint8  `json:"offset"`         // 2 bits (with ExtCarrier)
	DuplexSpacing  uint8  `json:"duplex_spacing"` // 3 bits (with ExtCarrier)
	ReverseOp      bool   `json:"reverse_op"`     // (with ExtCarrier)
	Monitoring     uint8  `json:"monitoring"`     // monitoring pattern, 2 bits
	Frame18Monit   uint8  `json:"frame18_monit"`  // frame 18 monitoring pattern, 2 bits, when Monitoring == 0
}

func (c *ChanAlloc) read(r *reader) error {
	c.AllocType = uint8(r.u(2))
	c.Timeslots = uint8(r.u(4))
	c.UpDown = uint8(r.u(2))
	c.CLCHPermission = r.flag()
	c.CellChange = r.flag()
	c.Carrier = uint16(r.u(12))
	c.ExtCarrier = r.flag()
	if c.ExtCarrier {
		c.FreqBand = uint8(r.u(4))
		c.Offset = uint8(r.u(2))
		c.DuplexSpacing = uint8(r.u(3))
		c.ReverseOp = r.flag()
	}
	c.Monitoring = uint8(r.u(2))
	if c.Monitoring == 0 {
		c.Frame18Monit = uint8(r.u(2))
	}
	if c.UpDown == 0 && !r.short {
		return fmt.Errorf("%w: augmented channel allocation", ErrUnsupported)
	}
	return nil
}

func (c ChanAlloc) write(w *writer) {
	if c.UpDown == 0 && w.err == nil {
		w.err = fmt.Errorf("%w: augmented channel allocation", ErrUnsupported)
	}
	w.u(uint32(c.AllocType), 2, "allocation type")
	w.u(uint32(c.Timeslots), 4, "timeslots")
	w.u(uint32(c.UpDown), 2, "up/downlink assigned")
	w.flag(c.CLCHPermission)
	w.flag(c.CellChange)
	w.u(uint32(c.Carrier), 12, "carrier number")
	w.flag(c.ExtCarrier)
	if c.ExtCarrier {
		w.u(uint32(c.FreqBand), 4, "frequency band")
		w.u(uint32(c.Offset), 2, "offset")
		w.u(uint32(c.DuplexSpacing), 3, "duplex spacing")
		w.flag(c.ReverseOp)
	}
	w.u(uint32(c.Monitoring), 2, "monitoring pattern")
	if c.Monitoring == 0 {
		w.u(uint32(c.Frame18Monit), 2, "frame 18 monitoring pattern")
	}
}
