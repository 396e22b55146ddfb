// Package gsmtap writes decoded TETRA MAC blocks as GSMTAP packets (version 2,
// type TETRA_I1) over UDP port 4729, wrapped in IPv4 in a libpcap file, so that
// Wireshark's GSMTAP and TETRA dissectors show them. The header layout and the
// TETRA sub-types are those of libosmocore's gsmtap.h as used by osmo-tetra
// and Wireshark's packet-gsmtap.c; the MAC block bits are those of
// ETSI EN 300 392-2 V3.2.1 (2007-09) clause 21, packed MSB first.
//
// A Writer holds no package state and is not safe for concurrent use.
package gsmtap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
)

// GSMTAP constants (libosmocore gsmtap.h).
const (
	Port       = 4729 // GSMTAP UDP port
	Version    = 2    // GSMTAP_VERSION
	HeaderLen  = 16   // bytes; hdr_len field = HeaderLen/4
	TypeTETRA  = 0x05 // GSMTAP_TYPE_TETRA_I1, TETRA air interface
	ARFCNUplnk = 0x4000

	// LinkTypeRaw is the pcap link type of raw IPv4 packets (LINKTYPE_RAW).
	LinkTypeRaw = 101
)

// TETRA sub-types of GSMTAP_TYPE_TETRA_I1 (libosmocore gsmtap.h).
const (
	SubBSCH  = 0x01
	SubAACH  = 0x02
	SubSCHHU = 0x03
	SubSCHHD = 0x04
	SubSCHF  = 0x05
	SubBNCH  = 0x06
	SubSTCH  = 0x07
	SubTCHF  = 0x08
)

// SubType returns the GSMTAP TETRA sub-type of a logical channel, and false
// for a channel GSMTAP has no sub-type for.
func SubType(ch lmac.Channel) (uint8, bool) {
	switch ch {
	case lmac.BSCH:
		return SubBSCH, true
	case lmac.AACH:
		return SubAACH, true
	case lmac.SCHHU:
		return SubSCHHU, true
	case lmac.SCHHD:
		return SubSCHHD, true
	case lmac.SCHF:
		return SubSCHF, true
	case lmac.BNCH:
		return SubBNCH, true
	case lmac.STCH:
		return SubSTCH, true
	case lmac.TCHS, lmac.TCHSStolen, lmac.TCH72, lmac.TCH48, lmac.TCH24:
		return SubTCHF, true
	}
	return 0, false
}

// Block is one decoded MAC block (type-1 bits) with its radio context.
type Block struct {
	Time      radio.Time   // TDMA time of the slot
	Channel   lmac.Channel // logical channel
	Uplink    bool         // sets the uplink flag in the ARFCN field
	SubSlot   uint8        // 0 full slot, 1 or 2 for the first or second half
	ARFCN     uint16       // carrier number (12 bits used)
	SignalDBm int8         // received level, dBm
	SNRdB     uint8        // signal-to-noise ratio, dB
	Bits      []byte       // type-1 bits, unpacked (0/1), first transmitted first
}

// ErrChannel is returned for a block on a channel without GSMTAP sub-type.
var ErrChannel = errors.New("gsmtap: no GSMTAP sub-type for this channel")

// FrameNumber returns the GSMTAP frame number of a TDMA time as osmo-tetra
// computes it: (HN·60 + MN)·18 + FN.
func FrameNumber(t radio.Time) uint32 {
	return uint32((t.HN*60+t.MN)*18 + t.FN)
}

// AppendPacket appends the GSMTAP header and the packed bits of b (the UDP
// payload) to dst.
func AppendPacket(dst []byte, b Block) ([]byte, error) {
	sub, ok := SubType(b.Channel)
	if !ok {
		return dst, fmt.Errorf("%w: %v", ErrChannel, b.Channel)
	}
	arfcn := b.ARFCN & 0x3fff
	if b.Uplink {
		arfcn |= ARFCNUplnk
	}
	var h [HeaderLen]byte
	h[0] = Version
	h[1] = HeaderLen / 4
	h[2] = TypeTETRA
	h[3] = uint8(b.Time.TN)
	binary.BigEndian.PutUint16(h[4:], arfcn)
	h[6] = byte(b.SignalDBm)
	h[7] = b.SNRdB
	binary.BigEndian.PutUint32(h[8:], FrameNumber(b.Time))
	h[12] = sub
	h[13] = 0 // antenna
	h[14] = b.SubSlot
	dst = append(dst, h[:]...)
	n := (len(b.Bits) + 7) / 8
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	for i, v := range b.Bits {
		dst[start+i/8] |= (v & 1) << (7 - i%8)
	}
	return dst, nil
}

// Writer writes GSMTAP packets into a libpcap file as IPv4/UDP datagrams from
// 127.0.0.1 to 127.0.0.1:4729.
type Writer struct {
	w   io.Writer
	buf []byte
	id  uint16
}

// NewWriter writes the pcap global header (microsecond timestamps,
// LINKTYPE_RAW) to w and returns a Writer.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], LinkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("gsmtap: %w", err)
	}
	return &Writer{w: w}, nil
}

// Write appends one block as a packet captured at ts.
func (w *Writer) Write(ts time.Time, b Block) error {
	payload, err := AppendPacket(w.buf[:0], b)
	if err != nil {
		return err
	}
	w.buf = payload
	pkt := AppendUDP(nil, w.id, payload)
	w.id++
	var rec [16]byte
	us := ts.UnixMicro()
	binary.LittleEndian.PutUint32(rec[0:], uint32(us/1e6))
	binary.LittleEndian.PutUint32(rec[4:], uint32(us%1e6))
	binary.LittleEndian.PutUint32(rec[8:], uint32(len(pkt)))
	binary.LittleEndian.PutUint32(rec[12:], uint32(len(pkt)))
	if _, err := w.w.Write(rec[:]); err != nil {
		return fmt.Errorf("gsmtap: %w", err)
	}
	if _, err := w.w.Write(pkt); err != nil {
		return fmt.Errorf("gsmtap: %w", err)
	}
	return nil
}

// AppendUDP appends an IPv4 header (127.0.0.1 → 127.0.0.1, with checksum)
// and a UDP header (port 4729 → 4729, checksum 0 as IPv4 allows) around
// payload to dst.
func AppendUDP(dst []byte, id uint16, payload []byte) []byte {
	total := 20 + 8 + len(payload)
	var ip [20]byte
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(total))
	binary.BigEndian.PutUint16(ip[4:], id)
	ip[8] = 64 // TTL
	ip[9] = 17 // UDP
	copy(ip[12:], []byte{127, 0, 0, 1})
	copy(ip[16:], []byte{127, 0, 0, 1})
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip[:]))
	var udp [8]byte
	binary.BigEndian.PutUint16(udp[0:], Port)
	binary.BigEndian.PutUint16(udp[2:], Port)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	dst = append(dst, ip[:]...)
	dst = append(dst, udp[:]...)
	return append(dst, payload...)
}

// ipChecksum is the Internet checksum (RFC 1071) of an IPv4 header whose
// checksum field is zero.
func ipChecksum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
