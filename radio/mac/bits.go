package mac

import (
	"errors"
	"fmt"
)

// Errors returned by the parsers. Bits that came off the air never panic.
var (
	ErrShort       = errors.New("mac: PDU shorter than its header")
	ErrLength      = errors.New("mac: bad length indication")
	ErrFill        = errors.New("mac: fill bits indicated but absent")
	ErrUnknownPDU  = errors.New("mac: unknown or reserved PDU type")
	ErrUnsupported = errors.New("mac: PDU or element not supported by tetrasim")
	ErrRange       = errors.New("mac: field value out of range")
	ErrTooLong     = errors.New("mac: PDU does not fit the MAC block")
)

// Bits is a string of unpacked bits (one per byte, 0 or 1, first transmitted
// first), such as a TM-SDU. It marshals to text as a string of '0' and '1'.
type Bits []byte

// MarshalText implements encoding.TextMarshaler.
func (b Bits) MarshalText() ([]byte, error) {
	s := make([]byte, len(b))
	for i, v := range b {
		s[i] = '0' + v&1
	}
	return s, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *Bits) UnmarshalText(s []byte) error {
	out := make(Bits, len(s))
	for i, c := range s {
		if c != '0' && c != '1' {
			return fmt.Errorf("mac: bit string has %q", c)
		}
		out[i] = c - '0'
	}
	*b = out
	return nil
}

// String returns the bits as '0' and '1'.
func (b Bits) String() string {
	t, _ := b.MarshalText()
	return string(t)
}

// reader reads fields MSB first from unpacked bits. A read past the end sets
// short and returns zeros, so parsers check once at the end.
type reader struct {
	b     []byte
	pos   int
	short bool
}

func (r *reader) u(n int) uint32 {
	if r.pos+n > len(r.b) {
		r.short = true
		r.pos = len(r.b)
		return 0
	}
	var v uint32
	for _, x := range r.b[r.pos : r.pos+n] {
		v = v<<1 | uint32(x&1)
	}
	r.pos += n
	return v
}

func (r *reader) flag() bool { return r.u(1) == 1 }

// writer appends fields MSB first and records the first value that does not fit.
type writer struct {
	b   []byte
	err error
}

func (w *writer) u(v uint32, n int, name string) {
	if v >= 1<<n && w.err == nil {
		w.err = fmt.Errorf("%w: %s = %d does not fit in %d bits", ErrRange, name, v, n)
	}
	for i := n - 1; i >= 0; i-- {
		w.b = append(w.b, byte(v>>i)&1)
	}
}

func (w *writer) flag(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *writer) bits(s []byte) {
	for _, v := range s {
		w.b = append(w.b, v&1)
	}
}

// stripFill removes fill bits (clause 21.4: a 1 followed by zeros) from the end
// of b and returns what precedes them.
func stripFill(b []byte) ([]byte, error) {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i]&1 == 1 {
			return b[:i], nil
		}
	}
	return nil, ErrFill
}

// finish completes a PDU written into w starting at start: it appends fill
// bits and sets the fill bit indication at fillPos (fillPos < 0: the PDU has
// none, pad with zeros) and, for a PDU with a length indication (liBits > 0,
// at liPos, unless keepLI), the length in octets.
//
// room is the number of bits the PDU must occupy, up to the end of its MAC
// block, or -1 to end the PDU at the next octet boundary (PDUs with a length
// indication) or right after the SDU (PDUs that run to the end of the
// block). maxLI is the largest length indication value meaning octets.
func (w *writer) finish(start, fillPos, liPos, liBits int, keepLI bool, maxLI int, room int) {
	if w.err != nil {
		return
	}
	total := len(w.b) - start
	if room >= 0 && total > room {
		w.err = fmt.Errorf("%w: %d bits, %d left", ErrTooLong, total, room)
		return
	}
	target := total
	switch {
	case room >= 0:
		target = room
	case liBits > 0 && !keepLI:
		target = (total + 7) / 8 * 8
	}
	if target > total {
		if fillPos >= 0 {
			w.b[fillPos] = 1
			w.b = append(w.b, 1)
		}
		for len(w.b)-start < target {
			w.b = append(w.b, 0)
		}
	}
	if liBits > 0 && !keepLI {
		li := (target + 7) / 8
		if li > maxLI {
			w.err = fmt.Errorf("%w: %d octets > %d", ErrTooLong, li, maxLI)
			return
		}
		for i := 0; i < liBits; i++ {
			w.b[liPos+i] = byte(li>>(liBits-1-i)) & 1
		}
	}
}

// region returns the extent of a PDU that starts at block[0] and whose
// header ends at hdr: up to li octets when li > 0, else the whole block;
// with fill bits stripped when fill is set. It returns the SDU and the number
// of bits the PDU occupies.
func region(block []byte, hdr int, li int, fill bool) (sdu []byte, n int, err error) {
	end := len(block)
	if li > 0 {
		if li*8 < hdr {
			return nil, 0, fmt.Errorf("%w: %d octets for a %d-bit header", ErrLength, li, hdr)
		}
		end = min(li*8, len(block))
	}
	if hdr > end {
		return nil, 0, ErrShort
	}
	body := block[hdr:end]
	if fill {
		body, err = stripFill(body)
		if err != nil {
			return nil, 0, err
		}
	}
	return body, end, nil
}
