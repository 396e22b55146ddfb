package cmce

import (
	"errors"
	"fmt"

	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
)

// SCHFBits is the size of the SCH/F MAC block a PDU travels in (EN 300 392-2
// clause 8.3.1).
const SCHFBits = 268

// ErrNotForUs is returned by ParseMAC for a MAC block without a signalling PDU
// (a Null PDU).
var ErrNotForUs = errors.New("cmce: no signalling PDU in the MAC block")

// Addressee returns the SSI the MAC layer addresses p to: the destination of
// downlink short data, otherwise SSI.
func (p *PDU) Addressee() uint32 {
	if p.Type == DSDSData {
		return p.Dest
	}
	return p.SSI
}

// AppendMAC appends a full SCH/F MAC block (SCHFBits type-1 bits) carrying p as
// the TM-SDU of a MAC-RESOURCE (downlink, addressed to p.Addressee(); clause
// 21.4.3.1) or a MAC-DATA (uplink, from p.SSI; clause 21.4.2.3), with a length
// indication and fill bits.
//
// Deviation from EN 300 392-2 clause 23.5.1: random access goes in a full-slot
// MAC-DATA on the MCCH rather than a MAC-ACCESS on an SCH/HU sub-slot, since
// our PDUs carry 24-bit addresses and short data in one block.
func AppendMAC(dst []byte, dir mac.Direction, p *PDU) ([]byte, error) {
	sdu, err := p.AppendBits(nil)
	if err != nil {
		return dst, err
	}
	var m mac.PDU
	if dir == mac.Downlink {
		m = &mac.Resource{Addr: mac.Address{Type: mac.AddrSSI, SSI: p.Addressee()}, SDU: sdu}
	} else {
		m = &mac.Data{Addr: mac.Address{Type: mac.AddrSSI, SSI: p.SSI}, SDU: sdu}
	}
	out, err := mac.AppendBlock(dst, SCHFBits, dir, m)
	if err != nil {
		return dst, fmt.Errorf("cmce: %s: %w", p.Type, err)
	}
	return out, nil
}

// AppendNull appends an SCH/F block holding only a Null PDU (an idle MCCH slot).
func AppendNull(dst []byte, dir mac.Direction) ([]byte, error) {
	return mac.AppendBlock(dst, SCHFBits, dir)
}

// ParseMAC parses an SCH/F MAC block and the signalling PDU in its first
// MAC-RESOURCE or MAC-DATA. Bits off the air never panic.
func ParseMAC(dir mac.Direction, block []byte) (PDU, error) {
	m, _, err := mac.Parse(dir, lmac.SCHF, block)
	if err != nil {
		return PDU{}, fmt.Errorf("cmce: %w", err)
	}
	var sdu []byte
	switch v := m.(type) {
	case *mac.Resource:
		if v.IsNull() {
			return PDU{}, ErrNotForUs
		}
		sdu = v.SDU
	case *mac.Data:
		if v.Null {
			return PDU{}, ErrNotForUs
		}
		sdu = v.SDU
	default:
		return PDU{}, ErrNotForUs
	}
	return Parse(sdu)
}
