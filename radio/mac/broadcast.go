package mac

import (
	"fmt"

	"github.com/tetrasim/tetrasim/radio"
)

// Sizes of the fixed-size PDUs in type-1 bits.
const (
	SyncBits         = 60  // SYNC on the BSCH
	SysinfoBits      = 124 // SYSINFO on the BNCH
	AccessAssignBits = 14  // ACCESS-ASSIGN on the AACH
	NullPDUBits      = 16  // downlink Null PDU (MAC-RESOURCE with address type 0)
)

// Sync is the SYNC PDU on the BSCH, EN 300 392-2 clause 21.4.4.2: the 31-bit
// MAC part followed by the 29-bit D-MLE-SYNC (clause 18.4.2.1) as its TM-SDU.
// Field order as in air-interface.md §11, checked on two independent vectors.
type Sync struct {
	SystemCode       uint8  `json:"system_code"`        // 4 bits
	ColourCode       uint8  `json:"cc"`                 // 6 bits
	TN               uint8  `json:"tn"`                 // timeslot number 1…4 (sent as TN − 1 in 2 bits)
	FN               uint8  `json:"fn"`                 // frame number 1…18 (5 bits)
	MN               uint8  `json:"mn"`                 // multiframe number 1…60 (6 bits)
	SharingMode      uint8  `json:"sharing_mode"`       // 2 bits
	TSReservedFrames uint8  `json:"ts_reserved_frames"` // 3 bits
	UPlaneDTX        bool   `json:"u_plane_dtx"`        //
	Frame18Ext       bool   `json:"frame18_ext"`        // frame 18 extension
	MCC              uint16 `json:"mcc"`                // mobile country code, 10 bits
	MNC              uint16 `json:"mnc"`                // mobile network code, 14 bits
	NeighbourCell    uint8  `json:"neighbour_cell"`     // neighbour cell broadcast, 2 bits
	CellServiceLevel uint8  `json:"cell_service_level"` // 2 bits
	LateEntry        bool   `json:"late_entry"`         // late entry supported
}

// Name returns "SYNC".
func (Sync) Name() string { return "SYNC" }

// Time returns the TDMA time the PDU announces (HN is not in SYNC and is 0).
func (s Sync) Time() radio.Time {
	return radio.Time{TN: int(s.TN), FN: int(s.FN), MN: int(s.MN)}
}

// ParseSync parses a SYNC PDU from the 60 type-1 bits of a BSCH block.
func ParseSync(b []byte) (Sync, error) {
	if len(b) < SyncBits {
		return Sync{}, ErrShort
	}
	r := reader{b: b[:SyncBits]}
	var s Sync
	s.SystemCode = uint8(r.u(4))
	s.ColourCode = uint8(r.u(6))
	s.TN = uint8(r.u(2)) + 1
	s.FN = uint8(r.u(5))
	s.MN = uint8(r.u(6))
	s.SharingMode = uint8(r.u(2))
	s.TSReservedFrames = uint8(r.u(3))
	s.UPlaneDTX = r.flag()
	s.Frame18Ext = r.flag()
	r.u(1) // reserved
	s.MCC = uint16(r.u(10))
	s.MNC = uint16(r.u(14))
	s.NeighbourCell = uint8(r.u(2))
	s.CellServiceLevel = uint8(r.u(2))
	s.LateEntry = r.flag()
	return s, nil
}

// AppendBits appends the 60 bits of the PDU. TN must be 1…4.
func (s Sync) AppendBits(dst []byte) ([]byte, error) {
	if s.TN < 1 || s.TN > 4 {
		return dst, fmt.Errorf("%w: SYNC TN %d", ErrRange, s.TN)
	}
	w := writer{b: dst}
	w.u(uint32(s.SystemCode), 4, "system code")
	w.u(uint32(s.ColourCode), 6, "colour code")
	w.u(uint32(s.TN-1), 2, "TN")
	w.u(uint32(s.FN), 5, "FN")
	w.u(uint32(s.MN), 6, "MN")
	w.u(uint32(s.SharingMode), 2, "sharing mode")
	w.u(uint32(s.TSReservedFrames), 3, "TS reserved frames")
	w.flag(s.UPlaneDTX)
	w.flag(s.Frame18Ext)
	w.u(0, 1, "")
	w.u(uint32(s.MCC), 10, "MCC")
	w.u(uint32(s.MNC), 14, "MNC")
	w.u(uint32(s.NeighbourCell), 2, "neighbour cell broadcast")
	w.u(uint32(s.CellServiceLevel), 2, "cell service level")
	w.flag(s.LateEntry)
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (s Sync) String() string {
	return fmt.Sprintf("SYNC MCC %d MNC %d CC %d TN %d FN %d MN %d sys %d", s.MCC, s.MNC, s.ColourCode, s.TN, s.FN, s.MN, s.SystemCode)
}

// Sysinfo is the SYSINFO PDU on the BNCH, EN 300 392-2 clause 21.4.4.1, for
// π/4-DQPSK, with its TM-SDU, the 42-bit D-MLE-SYSINFO (clause 18.4.2.2):
// 124 bits in all.
type Sysinfo struct {
	MainCarrier     uint16 `json:"main_carrier"`      // 12 bits
	FreqBand        uint8  `json:"freq_band"`         // 4 bits
	Offset          uint8  `json:"offset"`            // 2 bits: 0, +6.25, −6.25, +12.5 kHz
	DuplexSpacing   uint8  `json:"duplex_spacing"`    // 3 bits
	ReverseOp       bool   `json:"reverse_op"`        // reverse operation
	SecondaryCCH    uint8  `json:"secondary_cch"`     // number of common secondary control channels, 2 bits
	MSTxPwrMaxCell  uint8  `json:"ms_txpwr_max_cell"` // 3 bits
	RxLevAccessMin  uint8  `json:"rxlev_access_min"`  // 4 bits
	AccessParameter uint8  `json:"access_parameter"`  // 4 bits
	RadioDLTimeout  uint8  `json:"radio_dl_timeout"`  // radio downlink timeout, 4 bits
	CipherKeyFlag   bool   `json:"cipher_key_flag"`   // false: HNOrCCK is the hyperframe number; true: a cipher key identifier
	HNOrCCK         uint16 `json:"hn_or_cck"`         // 16 bits
	OptionFlag      uint8  `json:"option_flag"`       // optional field flag, 2 bits (2 = default definition for access code A)
	OptionValue     uint32 `json:"option_value"`      // the 20-bit optional field
	// D-MLE-SYSINFO
	LocationArea     uint16 `json:"la"`                 // 14 bits
	SubscriberClass  uint16 `json:"subscriber_class"`   // 16 bits
	BSServiceDetails uint16 `json:"bs_service_details"` // 12 bits
}

// Name returns "SYSINFO".
func (Sysinfo) Name() string { return "SYSINFO" }

// ParseSysinfo parses a SYSINFO PDU (124 bits, starting with the MAC PDU
// type 10 and the broadcast type 00).
func ParseSysinfo(b []byte) (Sysinfo, error) {
	if len(b) < SysinfoBits {
		return Sysinfo{}, ErrShort
	}
	r := reader{b: b[:SysinfoBits]}
	if r.u(2) != 2 || r.u(2) != 0 {
		return Sysinfo{}, fmt.Errorf("%w: not SYSINFO", ErrUnknownPDU)
	}
	var s Sysinfo
	s.MainCarrier = uint16(r.u(12))
	s.FreqBand = uint8(r.u(4))
	s.Offset = uint8(r.u(2))
	s.DuplexSpacing = uint8(r.u(3))
	s.ReverseOp = r.flag()
	s.SecondaryCCH = uint8(r.u(2))
	s.MSTxPwrMaxCell = uint8(r.u(3))
	s.RxLevAccessMin = uint8(r.u(4))
	s.AccessParameter = uint8(r.u(4))
	s.RadioDLTimeout = uint8(r.u(4))
	s.CipherKeyFlag = r.flag()
	s.HNOrCCK = uint16(r.u(16))
	s.OptionFlag = uint8(r.u(2))
	s.OptionValue = r.u(20)
	s.LocationArea = uint16(r.u(14))
	s.SubscriberClass = uint16(r.u(16))
	s.BSServiceDetails = uint16(r.u(12))
	return s, nil
}

// AppendBits appends the 124 bits of the PDU.
func (s Sysinfo) AppendBits(dst []byte) ([]byte, error) {
	w := writer{b: dst}
	w.u(2, 2, "")
	w.u(0, 2, "")
	w.u(uint32(s.MainCarrier), 12, "main carrier")
	w.u(uint32(s.FreqBand), 4, "frequency band")
	w.u(uint32(s.Offset), 2, "offset")
	w.u(uint32(s.DuplexSpacing), 3, "duplex spacing")
	w.flag(s.ReverseOp)
	w.u(uint32(s.SecondaryCCH), 2, "secondary CCH")
	w.u(uint32(s.MSTxPwrMaxCell), 3, "MS_TXPWR_MAX_CELL")
	w.u(uint32(s.RxLevAccessMin), 4, "RXLEV_ACCESS_MIN")
	w.u(uint32(s.AccessParameter), 4, "ACCESS_PARAMETER")
	w.u(uint32(s.RadioDLTimeout), 4, "RADIO_DOWNLINK_TIMEOUT")
	w.flag(s.CipherKeyFlag)
	w.u(uint32(s.HNOrCCK), 16, "hyperframe number")
	w.u(uint32(s.OptionFlag), 2, "optional field flag")
	w.u(s.OptionValue, 20, "optional field")
	w.u(uint32(s.LocationArea), 14, "location area")
	w.u(uint32(s.SubscriberClass), 16, "subscriber class")
	w.u(uint32(s.BSServiceDetails), 12, "BS service details")
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

// DownlinkHz returns the downlink carrier frequency the PDU announces,
// clause 21.4.4.1: FreqBand × 100 MHz + MainCarrier × 25 kHz + offset
// (0, +6.25, −6.25 or +12.5 kHz).
func (s Sysinfo) DownlinkHz() float64 { return CarrierHz(s.FreqBand, s.MainCarrier, s.Offset) }

// CarrierHz computes a carrier frequency from a frequency band (4 bits,
// units of 100 MHz), a carrier number (12 bits, 25 kHz steps) and an offset
// code (2 bits), EN 300 392-2 clause 21.4.4.1.
func CarrierHz(band uint8, carrier uint16, offset uint8) float64 {
	off := [4]float64{0, 6250, -6250, 12500}
	return float64(band)*100e6 + float64(carrier)*25e3 + off[offset&3]
}

// CarrierNumber is the inverse of CarrierHz: the band, carrier number and
// offset code for hz, and false if hz is not on the 6.25 kHz raster of the
// standard or outside 0…1.6 GHz.
func CarrierNumber(hz float64) (band uint8, carrier uint16, offset uint8, ok bool) {
	if hz < 0 || hz >= 1600e6 {
		return 0, 0, 0, false
	}
	b := int(hz / 100e6)
	rest := hz - float64(b)*100e6
	n := int(rest/25e3 + 1e-9)
	switch r := rest - float64(n)*25e3; {
	case abs(r) < 1:
		offset = 0
	case abs(r-6250) < 1:
		offset = 1
	case abs(r-12500) < 1:
		offset = 3
	case abs(r-18750) < 1: // = next carrier − 6.25 kHz
		n++
		offset = 2
	default:
		return 0, 0, 0, false
	}
	if n > 4095 {
		return 0, 0, 0, false
	}
	return uint8(b), uint16(n), offset, true
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func (s Sysinfo) String() string {
	return fmt.Sprintf("SYSINFO carrier %d band %d (%.4f MHz) LA %d HN %d access %d",
		s.MainCarrier, s.FreqBand, s.DownlinkHz()/1e6, s.LocationArea, s.HNOrCCK, s.AccessParameter)
}

// AccessAssign is the ACCESS-ASSIGN PDU on the AACH, EN 300 392-2 clause
// 21.4.7.2: a 2-bit header and two 6-bit fields whose meaning depends on the
// header and on whether the slot is in frame 18.
type AccessAssign struct {
	Header uint8 `json:"header"` // 2 bits
	Field1 uint8 `json:"field1"` // 6 bits
	Field2 uint8 `json:"field2"` // 6 bits
}

// Usage marker values of the downlink, clause 21.4.7.2 (4…63 are traffic).
const (
	UsageUnallocated    = 0
	UsageAssignedCtrl   = 1
	UsageCommonCtrl     = 2
	UsageReserved       = 3
	UsageFirstTraffic   = 4
	AccessAssignCommon  = 0 // header: frames 1–17 DL common control, UL common only
	AccessAssignUMField = 3 // header: frames 1–17 Field1 = DL usage marker, Field2 = UL usage marker
)

// Name returns "ACCESS-ASSIGN".
func (AccessAssign) Name() string { return "ACCESS-ASSIGN" }

// ParseAccessAssign parses the 14 type-1 bits of an AACH block.
func ParseAccessAssign(b []byte) (AccessAssign, error) {
	if len(b) < AccessAssignBits {
		return AccessAssign{}, ErrShort
	}
	r := reader{b: b[:AccessAssignBits]}
	return AccessAssign{Header: uint8(r.u(2)), Field1: uint8(r.u(6)), Field2: uint8(r.u(6))}, nil
}

// AppendBits appends the 14 bits of the PDU.
func (a AccessAssign) AppendBits(dst []byte) ([]byte, error) {
	w := writer{b: dst}
	w.u(uint32(a.Header), 2, "header")
	w.u(uint32(a.Field1), 6, "field 1")
	w.u(uint32(a.Field2), 6, "field 2")
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

// DownlinkUsage returns the downlink usage marker the PDU gives for a slot
// in frames 1–17 (clause 21.4.7.2): header 0 means common control; headers
// 1–3 carry the marker in Field1. Frame 18 carries no downlink marker, so ok
// is false there.
func (a AccessAssign) DownlinkUsage(frame18 bool) (um uint8, ok bool) {
	if frame18 {
		return 0, false
	}
	if a.Header == 0 {
		return UsageCommonCtrl, true
	}
	return a.Field1, true
}

func (a AccessAssign) String() string {
	return fmt.Sprintf("ACCESS-ASSIGN hdr %d f1 %d f2 %d", a.Header, a.Field1, a.Field2)
}

// AccessDefine is the ACCESS-DEFINE PDU on the BNCH or SCH, EN 300 392-2
// clause 21.4.4.3: the random-access parameters of one access code (π/4-DQPSK
// form), with an optional subscriber class bitmap or GSSI, and 3 filler bits.
type AccessDefine struct {
	AssignedControl bool   `json:"assigned_control"` // common (false) or assigned control channel
	AccessCode      uint8  `json:"access_code"`      // 2 bits (A…D)
	IMM             uint8  `json:"imm"`              // immediate access, 4 bits
	WT              uint8  `json:"wt"`               // waiting time, 4 bits
	Nu              uint8  `json:"nu"`               // number of random access transmissions, 4 bits
	FrameLenFactor  bool   `json:"frame_len_factor"` // frame-length factor (×1 or ×4)
	TimeslotPointer uint8  `json:"timeslot_pointer"` // 4 bits
	MinPriority     uint8  `json:"min_priority"`     // minimum PDU priority, 3 bits
	OptionFlag      uint8  `json:"option_flag"`      // 0 none, 1 subscriber class bitmap (16), 2 GSSI (24)
	Option          uint32 `json:"option"`           // the bitmap or the GSSI
}

// Name returns "ACCESS-DEFINE".
func (AccessDefine) Name() string { return "ACCESS-DEFINE" }

// Bits returns the length of the PDU: 32 bits, plus 16 with a
// subscriber class bitmap or 24 with a GSSI.
func (a AccessDefine) Bits() int {
	switch a.OptionFlag {
	case 1:
		return 48
	case 2:
		return 56
	}
	return 32
}

// ParseAccessDefine parses an ACCESS-DEFINE PDU (type 10, broadcast type 01)
// and returns it with its length in bits.
func ParseAccessDefine(b []byte) (AccessDefine, int, error) {
	r := reader{b: b}
	if r.u(2) != 2 || r.u(2) != 1 {
		return AccessDefine{}, 0, fmt.Errorf("%w: not ACCESS-DEFINE", ErrUnknownPDU)
	}
	var a AccessDefine
	a.AssignedControl = r.flag()
	a.AccessCode = uint8(r.u(2))
	a.IMM = uint8(r.u(4))
	a.WT = uint8(r.u(4))
	a.Nu = uint8(r.u(4))
	a.FrameLenFactor = r.flag()
	a.TimeslotPointer = uint8(r.u(4))
	a.MinPriority = uint8(r.u(3))
	a.OptionFlag = uint8(r.u(2))
	switch a.OptionFlag {
	case 1:
		a.Option = r.u(16)
	case 2:
		a.Option = r.u(24)
	case 3:
		return AccessDefine{}, 0, fmt.Errorf("%w: ACCESS-DEFINE optional field flag 3 (reserved)", ErrUnknownPDU)
	}
	r.u(3) // filler bits
	if r.short {
		return AccessDefine{}, 0, ErrShort
	}
	return a, r.pos, nil
}

// AppendBits appends the PDU.
func (a AccessDefine) AppendBits(dst []byte) ([]byte, error) {
	w := writer{b: dst}
	w.u(2, 2, "")
	w.u(1, 2, "")
	w.flag(a.AssignedControl)
	w.u(uint32(a.AccessCode), 2, "access code")
	w.u(uint32(a.IMM), 4, "IMM")
	w.u(uint32(a.WT), 4, "WT")
	w.u(uint32(a.Nu), 4, "Nu")
	w.flag(a.FrameLenFactor)
	w.u(uint32(a.TimeslotPointer), 4, "timeslot pointer")
	w.u(uint32(a.MinPriority), 3, "minimum PDU priority")
	w.u(uint32(a.OptionFlag), 2, "optional field flag")
	switch a.OptionFlag {
	case 1:
		w.u(a.Option, 16, "subscriber class")
	case 2:
		w.u(a.Option, 24, "GSSI")
	case 3:
		if w.err == nil {
			w.err = fmt.Errorf("%w: ACCESS-DEFINE optional field flag 3 (reserved)", ErrRange)
		}
	}
	w.u(0, 3, "")
	if w.err != nil {
		return dst, w.err
	}
	return w.b, nil
}

func (a AccessDefine) String() string {
	return fmt.Sprintf("ACCESS-DEFINE code %d IMM %d WT %d Nu %d TS ptr %d", a.AccessCode, a.IMM, a.WT, a.Nu, a.TimeslotPointer)
}
