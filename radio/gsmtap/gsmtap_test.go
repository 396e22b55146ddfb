package gsmtap

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
)

// TestHeaderLayout pins the GSMTAP v2 header byte by byte (libosmocore
// gsmtap.h: version, hdr_len in 32-bit words, type, timeslot, arfcn (BE),
// signal_dbm, snr_db, frame_number (BE), sub_type, antenna_nr, sub_slot, res).
func TestHeaderLayout(t *testing.T) {
	sync := []byte("000000000011100101100110000000000111010100000000000000110000") // SYNC of the reference sync burst
	bits := make([]byte, len(sync))
	for i, c := range sync {
		bits[i] = c - '0'
	}
	b := Block{Time: radio.Time{TN: 4, FN: 18, MN: 51, HN: 2}, Channel: lmac.BSCH, ARFCN: 3600, SignalDBm: -60, SNRdB: 20, Bits: bits}
	pkt, err := AppendPacket(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{2, 4, 0x05, 4, 0x0e, 0x10, 0xc4, 20}
	if !bytes.Equal(pkt[:8], want) {
		t.Errorf("header[0:8] = % x, want % x", pkt[:8], want)
	}
	if fn := binary.BigEndian.Uint32(pkt[8:]); fn != uint32((2*60+51)*18+18) {
		t.Errorf("frame number %d", fn)
	}
	if pkt[12] != SubBSCH || pkt[13] != 0 || pkt[14] != 0 || pkt[15] != 0 {
		t.Errorf("sub-type bytes % x", pkt[12:16])
	}
	// 60 bits pack MSB first into 8 bytes: 0x00 0x39 0x66 0x00 0x75 0x00 0x03 0x00.
	if got := pkt[16:]; !bytes.Equal(got, []byte{0x00, 0x39, 0x66, 0x00, 0x75, 0x00, 0x03, 0x00}) {
		t.Errorf("payload % x", got)
	}
	b.Uplink, b.Channel = true, lmac.SCHHU
	pkt, _ = AppendPacket(nil, b)
	if binary.BigEndian.Uint16(pkt[4:]) != 3600|0x4000 || pkt[12] != SubSCHHU {
		t.Error("uplink flag or SCH/HU sub-type")
	}
	if _, err := AppendPacket(nil, Block{Channel: lmac.Channel(200)}); err == nil {
		t.Error("unknown channel accepted")
	}
}

func TestPcapFile(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 123456000)
	if err := w.Write(ts, Block{Time: radio.Time{TN: 1, FN: 1, MN: 1}, Channel: lmac.AACH, Bits: make([]byte, 14)}); err != nil {
		t.Fatal(err)
	}
	f := buf.Bytes()
	if binary.LittleEndian.Uint32(f) != 0xa1b2c3d4 || binary.LittleEndian.Uint32(f[20:]) != LinkTypeRaw {
		t.Fatal("pcap global header")
	}
	rec := f[24:]
	if binary.LittleEndian.Uint32(rec) != 1700000000 || binary.LittleEndian.Uint32(rec[4:]) != 123456 {
		t.Error("timestamp")
	}
	n := binary.LittleEndian.Uint32(rec[8:])
	pkt := rec[16:]
	if int(n) != len(pkt) || n != 20+8+16+2 {
		t.Fatalf("packet length %d, have %d", n, len(pkt))
	}
	if pkt[0] != 0x45 || pkt[9] != 17 || ipChecksum(pkt[:20]) != 0 {
		t.Error("IPv4 header or checksum")
	}
	if binary.BigEndian.Uint16(pkt[22:]) != Port || pkt[28] != Version || pkt[30] != TypeTETRA || pkt[40] != SubAACH {
		t.Error("UDP port or GSMTAP header")
	}
}
