package mac

import (
	"fmt"
	"iter"

	"github.com/tetrasim/tetrasim/radio/lmac"
)

// Direction is the link direction of a MAC block.
type Direction uint8

// Link directions.
const (
	Downlink Direction = iota // BS to MS
	Uplink                    // MS to BS
)

func (d Direction) String() string {
	if d == Uplink {
		return "uplink"
	}
	return "downlink"
}

// PDU is any MAC PDU of this package. The concrete types are Sync,
// Sysinfo, AccessAssign (values) and *Resource, *Frag, *EndDL, *USignal,
// *Access, *EndHU, *Data, *EndUL (pointers).
type PDU interface {
	// Name returns the standard's name of the PDU, for example "MAC-RESOURCE".
	Name() string
	// AppendBits appends the PDU's type-1 bits to dst. Fields that do not fit
	// their width return ErrRange; dst is returned unchanged on error.
	AppendBits(dst []byte) ([]byte, error)
	String() string
}

// blockPDU is a PDU whose encoding depends on the space left in its MAC block.
type blockPDU interface {
	appendBits(dst []byte, room int) ([]byte, error)
}

var (
	_ PDU = Sync{}
	_ PDU = Sysinfo{}
	_ PDU = AccessAssign{}
	_ PDU = AccessDefine{}
	_ PDU = (*Resource)(nil)
	_ PDU = (*Frag)(nil)
	_ PDU = (*EndDL)(nil)
	_ PDU = (*USignal)(nil)
	_ PDU = (*Access)(nil)
	_ PDU = (*EndHU)(nil)
	_ PDU = (*Data)(nil)
	_ PDU = (*EndUL)(nil)
)

// Parse parses the MAC PDU at the start of block, a MAC block (type-1 bits)
// of logical channel ch in direction dir, following the PDU type tables of
// EN 300 392-2 clause 21.4.1. It returns the PDU and the number of bits it
// occupies. SDUs alias block. Reserved types, the supplementary MAC PDUs
// (MAC-D-BLCK, MAC-U-BLCK) and SYSINFO-DA return ErrUnsupported or
// ErrUnknownPDU; bits off the air never panic.
func Parse(dir Direction, ch lmac.Channel, block []byte) (PDU, int, error) {
	switch ch {
	case lmac.BSCH:
		p, err := ParseSync(block)
		return p, SyncBits, err
	case lmac.AACH:
		p, err := ParseAccessAssign(block)
		return p, AccessAssignBits, err
	case lmac.SCHHU:
		if len(block) < 1 {
			return nil, 0, ErrShort
		}
		if block[0]&1 == 0 {
			p, n, err := ParseAccess(block)
			return ptrOrNil(&p, err), n, err
		}
		p, n, err := ParseEndHU(block)
		return ptrOrNil(&p, err), n, err
	case lmac.BNCH, lmac.SCHF, lmac.SCHHD, lmac.STCH:
	default:
		return nil, 0, fmt.Errorf("%w: no MAC PDUs on %v", ErrUnknownPDU, ch)
	}
	if len(block) < 3 {
		return nil, 0, ErrShort
	}
	typ := (block[0]&1)<<1 | block[1]&1
	switch typ {
	case 0:
		if dir == Downlink {
			p, n, err := ParseResource(block)
			return ptrOrNil(&p, err), n, err
		}
		p, n, err := ParseData(block)
		return ptrOrNil(&p, err), n, err
	case 1:
		if block[2]&1 == 0 {
			p, n, err := ParseFrag(block)
			return ptrOrNil(&p, err), n, err
		}
		if dir == Downlink {
			p, n, err := ParseEndDL(block)
			return ptrOrNil(&p, err), n, err
		}
		p, n, err := ParseEndUL(block)
		return ptrOrNil(&p, err), n, err
	case 2:
		if dir == Uplink {
			return nil, 0, fmt.Errorf("%w: broadcast PDU on the uplink", ErrUnknownPDU)
		}
		if len(block) < 4 {
			return nil, 0, ErrShort
		}
		switch (block[2]&1)<<1 | block[3]&1 {
		case 0:
			p, err := ParseSysinfo(block)
			return p, SysinfoBits, err
		case 1:
			p, n, err := ParseAccessDefine(block)
			if err != nil {
				return nil, 0, err
			}
			return p, n, nil
		}
		return nil, 0, fmt.Errorf("%w: broadcast type %d (SYSINFO-DA or reserved)", ErrUnsupported, (block[2]&1)<<1|block[3]&1)
	default:
		if ch == lmac.STCH {
			p, n, err := ParseUSignal(block)
			return ptrOrNil(&p, err), n, err
		}
		return nil, 0, fmt.Errorf("%w: supplementary MAC PDU (MAC-D-BLCK/U-BLCK) on %v", ErrUnsupported, ch)
	}
}

func ptrOrNil[T any, P interface {
	*T
	PDU
}](p P, err error) PDU {
	if err != nil {
		return nil
	}
	return p
}

// PDUs iterates over the MAC PDUs of one MAC block (PDU association, EN 300
// 392-2 clause 23.4.2.3): it parses PDUs one after the other and stops after
// a Null PDU, at the end of the block, when fewer bits than a Null PDU
// remain, after a PDU that runs to the end of the block, or after yielding
// an error.
func PDUs(dir Direction, ch lmac.Channel, block []byte) iter.Seq2[PDU, error] {
	return func(yield func(PDU, error) bool) {
		rest := block
		for len(rest) >= NullPDUBits || (ch == lmac.AACH && len(rest) >= AccessAssignBits) {
			p, n, err := Parse(dir, ch, rest)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(p, nil) {
				return
			}
			if isNull(p) || n <= 0 || n >= len(rest) || ch == lmac.BSCH || ch == lmac.AACH || ch == lmac.BNCH {
				return
			}
			rest = rest[n:]
		}
	}
}

func isNull(p PDU) bool {
	switch p := p.(type) {
	case *Resource:
		return p.IsNull()
	case *Data:
		return p.Null
	}
	return false
}

// AppendBlock appends a MAC block of exactly size bits to dst holding pdus in
// order (PDU association, clause 23.4.2.3). A PDU with a length indication
// ends at an octet boundary, with fill bits, so that the next PDU follows it;
// the last PDU on the uplink, a PDU that runs to the end of the block, and a
// PDU that would leave less than a Null PDU's 16 bits, fill the block to its
// end. On the downlink, if 16 bits or more remain after the last PDU, a Null
// PDU follows, and the bits after the Null PDU are fill bits (a 1, then 0s),
// as in the reference sync burst. It returns ErrTooLong if the PDUs do not fit.
func AppendBlock(dst []byte, size int, dir Direction, pdus ...PDU) ([]byte, error) {
	start := len(dst)
	ended := false // the last PDU was a Null PDU
	for i, p := range pdus {
		room := size - (len(dst) - start)
		if ended || i > 0 && room < NullPDUBits {
			return dst[:start], fmt.Errorf("%w: no room for %s", ErrTooLong, p.Name())
		}
		last := i == len(pdus)-1
		bp, ok := p.(blockPDU)
		if !ok {
			var err error
			if dst, err = p.AppendBits(dst); err != nil {
				return dst[:start], err
			}
			if len(dst)-start > size {
				return dst[:start], ErrTooLong
			}
			continue
		}
		out, err := bp.appendBits(dst, -1)
		if err != nil {
			return dst[:start], err
		}
		left := room - (len(out) - len(dst))
		if (left < 0 || runsToEnd(p) || last && dir == Uplink || left > 0 && left < NullPDUBits) && !isNull(p) {
			if out, err = bp.appendBits(dst, room); err != nil {
				return dst[:start], err
			}
		} else if left < 0 {
			return dst[:start], ErrTooLong
		}
		dst = out
		ended = isNull(p)
	}
	left := size - (len(dst) - start)
	if dir == Downlink && left > 0 {
		if left >= NullPDUBits && !ended {
			n := NullPDU()
			dst, _ = n.appendBits(dst, -1)
			left -= NullPDUBits
		}
		if left > 0 {
			dst = append(dst, 1)
		}
	}
	for len(dst)-start < size {
		dst = append(dst, 0)
	}
	return dst, nil
}

// runsToEnd reports whether p has no length of its own and so fills its block.
func runsToEnd(p PDU) bool {
	switch p := p.(type) {
	case *Frag, *USignal:
		return true
	case *Resource:
		return p.LengthInd == LISecondHalfStolen || p.LengthInd == LIFragStart
	case *Data:
		return !p.Null && (p.CapacityRequest || p.LengthInd == LISecondHalfStolen || p.LengthInd == LIFragStart)
	case *EndUL:
		return p.LengthInd >= EndULReservation
	case *Access:
		return !p.HasOptional || p.CapacityRequest
	case *EndHU:
		return p.CapacityRequest
	}
	return false
}
