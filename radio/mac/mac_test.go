package mac

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/tetrasim/tetrasim/radio/lmac"
)

type vectors struct {
	CRC struct {
		Type1 string `json:"type1_60"`
	} `json:"crc16_osmo_crc_test"`
	Sync struct {
		BSCH string `json:"bsch_type1"`
		SB2  string `json:"sb2_type1"`
		AACH string `json:"aach_type1"`
	} `json:"sync_cont_dl_burst_retsplines"`
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func bitString(s string) []byte {
	b := make([]byte, len(s))
	for i := range s {
		b[i] = s[i] - '0'
	}
	return b
}

func TestSyncVectors(t *testing.T) {
	v := loadVectors(t)
	tests := []struct {
		name string
		bits string
		want Sync
	}{
		// osmo-tetra crc_test SYNC PDU; fields as decoded in air-interface.md §11.
		{"osmo_crc_test", v.CRC.Type1, Sync{SystemCode: 1, ColourCode: 2, TN: 4, FN: 1, MN: 31, MCC: 262, MNC: 1001, NeighbourCell: 2, CellServiceLevel: 1, LateEntry: true}},
		// The independent sync burst: CC 0, TN 4, FN 18, MN 51, MCC 234, MNC 1.
		{"sync_burst", v.Sync.BSCH, Sync{TN: 4, FN: 18, MN: 51, MCC: 234, MNC: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bitString(tc.bits)
			got, err := ParseSync(in)
			if err != nil {
				t.Fatal(err)
			}
			// Fields not listed in the reference decode are compared as parsed.
			tc.want.SharingMode, tc.want.TSReservedFrames = got.SharingMode, got.TSReservedFrames
			tc.want.UPlaneDTX, tc.want.Frame18Ext = got.UPlaneDTX, got.Frame18Ext
			if tc.name == "sync_burst" {
				tc.want.SystemCode, tc.want.NeighbourCell, tc.want.CellServiceLevel, tc.want.LateEntry = got.SystemCode, got.NeighbourCell, got.CellServiceLevel, got.LateEntry
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			out, err := got.AppendBits(nil)
			if err != nil || string(Bits(out).String()) != tc.bits {
				t.Fatalf("re-encoded %s, %v", Bits(out), err)
			}
			if p, _, err := Parse(Downlink, lmac.BSCH, in); err != nil || p.(Sync) != got {
				t.Fatalf("Parse: %v %v", p, err)
			}
		})
	}
}

// TestNullPDUVector: SB2 of the independent sync burst is one Null PDU
// (MAC-RESOURCE, LI 2, address type 0) followed by zeros in a 124-bit SCH/HD block.
func TestNullPDUVector(t *testing.T) {
	v := loadVectors(t)
	want := bitString(v.Sync.SB2)
	var ps []PDU
	for p, err := range PDUs(Downlink, lmac.SCHHD, want) {
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if len(ps) != 1 || ps[0].Name() != "NULL" {
		t.Fatalf("PDUs: %v", ps)
	}
	for _, pdus := range [][]PDU{nil, {ptr(NullPDU())}} {
		got, err := AppendBlock(nil, 124, Downlink, pdus...)
		if err != nil || Bits(got).String() != v.Sync.SB2 {
			t.Fatalf("AppendBlock(%v) = %s, %v", pdus, Bits(got), err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAccessAssignVector(t *testing.T) {
	v := loadVectors(t)
	a, err := ParseAccessAssign(bitString(v.Sync.AACH))
	if err != nil || a != (AccessAssign{Header: 0, Field1: 1, Field2: 0}) {
		t.Fatalf("%+v %v", a, err)
	}
	out, _ := a.AppendBits(nil)
	if Bits(out).String() != v.Sync.AACH {
		t.Fatal("re-encode")
	}
	if um, ok := a.DownlinkUsage(false); !ok || um != UsageCommonCtrl {
		t.Errorf("usage %d %v", um, ok)
	}
}

// TestResourceChanAllocVector decodes the MAC-RESOURCE with a channel
// allocation from the unit tests of an independent public Rust TETRA
// base-station stack (carrier 1528, SSI + usage marker, header only).
func TestResourceChanAllocVector(t *testing.T) {
	const s = "00000000100111100000000000000000110011001111100010100101100010111111000011"
	in := bitString(s)
	p, n, err := ParseResource(in)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasChanAlloc || p.ChanAlloc.Carrier != 1528 || p.Addr.Type != AddrSSIUsage || n != len(in) || len(p.SDU) != 0 {
		t.Fatalf("%+v n=%d", p, n)
	}
	out, err := p.AppendBits(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Our encoder recomputes the length indication (bits 7–12) for the
	// actual 74-bit PDU and adds fill bits; every other header bit matches.
	for i := range in {
		if (i < 7 || i > 12) && i != 2 && out[i] != in[i] {
			t.Fatalf("bit %d differs: %s", i, Bits(out))
		}
	}
	if out[2] != 1 || len(out) != 80 || bitsToInt(out[7:13]) != 10 {
		t.Fatalf("fill/LI: %s", Bits(out))
	}
}

func bitsToInt(b []byte) int {
	v := 0
	for _, x := range b {
		v = v<<1 | int(x)
	}
	return v
}

func TestSysinfoRoundTrip(t *testing.T) {
	s := Sysinfo{MainCarrier: 3600, FreqBand: 3, Offset: 0, DuplexSpacing: 2, SecondaryCCH: 0, MSTxPwrMaxCell: 5,
		RxLevAccessMin: 3, AccessParameter: 7, RadioDLTimeout: 4, HNOrCCK: 1234, OptionFlag: 2, OptionValue: 0xABCDE,
		LocationArea: 1001, SubscriberClass: 0xFFFF, BSServiceDetails: 0x0E0}
	b, err := s.AppendBits(nil)
	if err != nil || len(b) != SysinfoBits {
		t.Fatal(len(b), err)
	}
	if b[0] != 1 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		t.Fatal("PDU type 10, broadcast type 00")
	}
	got, err := ParseSysinfo(b)
	if err != nil || got != s {
		t.Fatalf("%+v %v", got, err)
	}
	if hz := s.DownlinkHz(); hz != 390e6 {
		t.Errorf("DownlinkHz = %v", hz)
	}
	for _, hz := range []float64{390e6, 390.00625e6, 392.5125e6, 392.49375e6, 869.9875e6} {
		band, c, off, ok := CarrierNumber(hz)
		if !ok || CarrierHz(band, c, off) != hz {
			t.Errorf("CarrierNumber(%v) = %d %d %d %v", hz, band, c, off, ok)
		}
	}
	if _, _, _, ok := CarrierNumber(390.001e6); ok {
		t.Error("off-raster frequency accepted")
	}
	if _, err := (Sysinfo{MainCarrier: 4096}).AppendBits(nil); !errors.Is(err, ErrRange) {
		t.Errorf("range: %v", err)
	}
}

// randPDU returns a random PDU valid for (dir, ch) whose encoding fits in room bits.
func randPDU(rng *rand.Rand, dir Direction, ch lmac.Channel, room int) PDU {
	sdu := func(max int) Bits {
		if max <= 0 {
			return nil
		}
		b := make(Bits, rng.IntN(max+1))
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		if len(b) == 0 {
			return nil
		}
		return b
	}
	addrDL := func() Address {
		a := Address{Type: AddrType(1 + rng.IntN(7))}
		switch a.Type {
		case AddrSSI, AddrUSSI, AddrSMI:
			a.SSI = rng.Uint32N(1 << 24)
		case AddrEventLabel:
			a.EventLabel = uint16(rng.IntN(1024))
		case AddrSSIEvent, AddrSMIEvent:
			a.SSI, a.EventLabel = rng.Uint32N(1<<24), uint16(rng.IntN(1024))
		case AddrSSIUsage:
			a.SSI, a.UsageMarker = rng.Uint32N(1<<24), uint8(rng.IntN(64))
		}
		return a
	}
	addrUL := func() Address {
		a := Address{Type: ulAddr[rng.IntN(4)]}
		if a.Type == AddrEventLabel {
			a.EventLabel = uint16(rng.IntN(1024))
		} else {
			a.SSI = rng.Uint32N(1 << 24)
		}
		return a
	}
	chanAlloc := func() ChanAlloc {
		c := ChanAlloc{AllocType: uint8(rng.IntN(4)), Timeslots: uint8(rng.IntN(16)), UpDown: uint8(1 + rng.IntN(3)),
			CLCHPermission: rng.IntN(2) == 1, CellChange: rng.IntN(2) == 1, Carrier: uint16(rng.IntN(4096)), ExtCarrier: rng.IntN(2) == 1,
			Monitoring: uint8(rng.IntN(4))}
		if c.ExtCarrier {
			c.FreqBand, c.Offset, c.DuplexSpacing, c.ReverseOp = uint8(rng.IntN(16)), uint8(rng.IntN(4)), uint8(rng.IntN(8)), rng.IntN(2) == 1
		}
		if c.Monitoring == 0 {
			c.Frame18Monit = uint8(rng.IntN(4))
		}
		return c
	}
	if ch == lmac.SCHHU {
		if rng.IntN(2) == 0 {
			p := &Access{Encrypted: rng.IntN(2) == 1, Addr: addrUL(), HasOptional: rng.IntN(2) == 1}
			if p.HasOptional {
				if p.CapacityRequest = rng.IntN(2) == 1; p.CapacityRequest {
					p.Fragmented, p.ReservationReq = rng.IntN(2) == 1, uint8(rng.IntN(16))
				}
			}
			p.SDU = sdu(room - 40)
			return p
		}
		p := &EndHU{CapacityRequest: rng.IntN(2) == 1}
		if p.CapacityRequest {
			p.ReservationReq = uint8(rng.IntN(16))
		}
		p.SDU = sdu(room - 16)
		return p
	}
	k := rng.IntN(5)
	if ch == lmac.STCH && k == 4 {
		return &USignal{SecondHalfStolen: rng.IntN(2) == 1, SDU: sdu(room - 3)}
	}
	if dir == Downlink {
		switch k {
		case 0:
			return ptr(NullPDU())
		case 1:
			return &Frag{SDU: sdu(room - 8)}
		case 2:
			p := &EndDL{PositionOfGrant: uint8(rng.IntN(2)), HasSlotGrant: rng.IntN(2) == 1, HasChanAlloc: rng.IntN(3) == 0}
			if p.HasSlotGrant {
				p.SlotGrant = SlotGrant{uint8(rng.IntN(16)), uint8(rng.IntN(16))}
			}
			if p.HasChanAlloc {
				p.ChanAlloc = chanAlloc()
			}
			p.SDU = sdu(room - 80)
			return p
		default:
			p := &Resource{PositionOfGrant: uint8(rng.IntN(2)), EncryptionMode: uint8(rng.IntN(4)), RandomAccessAck: rng.IntN(2) == 1,
				Addr: addrDL(), HasPowerControl: rng.IntN(2) == 1, HasSlotGrant: rng.IntN(2) == 1, HasChanAlloc: rng.IntN(3) == 0}
			if p.HasPowerControl {
				p.PowerControl = uint8(rng.IntN(16))
			}
			if p.HasSlotGrant {
				p.SlotGrant = SlotGrant{uint8(rng.IntN(16)), uint8(rng.IntN(16))}
			}
			if p.HasChanAlloc {
				p.ChanAlloc = chanAlloc()
			}
			if rng.IntN(4) == 0 {
				p.LengthInd = LIFragStart
			}
			p.SDU = sdu(room - 120)
			return p
		}
	}
	switch k {
	case 0:
		return &Data{Addr: addrUL(), Null: true}
	case 1:
		return &Frag{SDU: sdu(room - 8)}
	case 2:
		p := &EndUL{}
		if rng.IntN(3) == 0 {
			p.LengthInd = EndULReservation | uint8(rng.IntN(16))
		}
		p.SDU = sdu(room - 16)
		return p
	default:
		p := &Data{Encrypted: rng.IntN(2) == 1, Addr: addrUL(), CapacityRequest: rng.IntN(2) == 1}
		if p.CapacityRequest {
			p.Fragmented, p.ReservationReq = rng.IntN(2) == 1, uint8(rng.IntN(16))
		}
		p.SDU = sdu(room - 50)
		return p
	}
}

// canon clears the fields an encoder recomputes (length indication, fill
// bit indication) so that a parsed PDU can be compared with what was sent.
func canon(p PDU) PDU {
	switch p := p.(type) {
	case *Resource:
		c := *p
		if c.LengthInd != LIFragStart && c.LengthInd != LISecondHalfStolen || c.IsNull() {
			c.LengthInd = 0
		}
		c.FillBits = false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		if c.IsNull() {
			c = Resource{}
		}
		return &c
	case *EndDL:
		c := *p
		c.LengthInd, c.FillBits = 0, false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *Frag:
		c := *p
		c.FillBits = false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *USignal:
		c := *p
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *Access:
		c := *p
		c.LengthInd, c.FillBits = 0, false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *EndHU:
		c := *p
		c.LengthInd, c.FillBits = 0, false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *Data:
		c := *p
		if !c.CapacityRequest && c.LengthInd != LIFragStart && c.LengthInd != LISecondHalfStolen {
			c.LengthInd = 0
		}
		c.FillBits = false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	case *EndUL:
		c := *p
		if c.LengthInd < EndULReservation {
			c.LengthInd = 0
		}
		c.FillBits = false
		if len(c.SDU) == 0 {
			c.SDU = nil
		}
		return &c
	}
	return p
}

// TestBlockRoundTrip packs random PDUs into MAC blocks of every signalling
// channel in both directions and parses them back.
func TestBlockRoundTrip(t *testing.T) {
	type chanSize struct {
		dir  Direction
		ch   lmac.Channel
		size int
	}
	cases := []chanSize{
		{Downlink, lmac.SCHF, 268}, {Downlink, lmac.SCHHD, 124}, {Downlink, lmac.STCH, 124},
		{Uplink, lmac.SCHF, 268}, {Uplink, lmac.STCH, 124}, {Uplink, lmac.SCHHU, 92},
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range cases {
		t.Run(c.dir.String()+"/"+c.ch.String(), func(t *testing.T) {
			for iter := 0; iter < 2000; iter++ {
				var sent []PDU
				var block []byte
				room := c.size
				for len(sent) < 3 {
					p := randPDU(rng, c.dir, c.ch, room)
					try, err := AppendBlock(nil, c.size, c.dir, append(append([]PDU{}, sent...), p)...)
					if err != nil {
						if errors.Is(err, ErrTooLong) {
							break
						}
						t.Fatalf("%v: %v", p, err)
					}
					sent, block = append(sent, p), try
					if runsToEnd(p) || isNull(p) || c.ch == lmac.SCHHU || c.dir == Uplink {
						break
					}
					room -= encodedLen(t, p)
				}
				if len(sent) == 0 {
					continue
				}
				if len(block) != c.size {
					t.Fatalf("block of %d bits", len(block))
				}
				var got []PDU
				for p, err := range PDUs(c.dir, c.ch, block) {
					if err != nil {
						t.Fatalf("iter %d: sent %v: parse: %v\n%s", iter, sent, err, Bits(block))
					}
					got = append(got, p)
				}
				// A trailing Null PDU appears when the downlink block had room.
				if len(got) == len(sent)+1 && isNull(got[len(got)-1]) {
					got = got[:len(got)-1]
				}
				if len(got) != len(sent) {
					t.Fatalf("iter %d: sent %d PDUs %v, got %d %v", iter, len(sent), sent, len(got), got)
				}
				for i := range sent {
					w, g := canon(sent[i]), canon(got[i])
					if us, ok := w.(*USignal); ok {
						// MAC-U-SIGNAL runs to the block end: zeros pad the SDU.
						gs := g.(*USignal)
						if len(gs.SDU) < len(us.SDU) || Bits(gs.SDU[:len(us.SDU)]).String() != us.SDU.String() {
							t.Fatalf("U-SIGNAL %v vs %v", us, gs)
						}
						continue
					}
					if !reflect.DeepEqual(w, g) {
						t.Fatalf("iter %d PDU %d:\nsent %+v\ngot  %+v\n%s", iter, i, w, g, Bits(block))
					}
				}
			}
		})
	}
}

func encodedLen(t *testing.T, p PDU) int {
	b, err := p.AppendBits(nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func TestErrors(t *testing.T) {
	if _, _, err := Parse(Downlink, lmac.SCHF, []byte{0, 0}); !errors.Is(err, ErrShort) {
		t.Errorf("short: %v", err)
	}
	if _, _, err := Parse(Uplink, lmac.SCHF, make([]byte, 268)); err != nil {
		// MAC-DATA with SSI 0 and LI 0: the uplink Null PDU.
		t.Errorf("uplink zeros: %v", err)
	}
	b := make([]byte, 124)
	b[0], b[1], b[2], b[3] = 1, 0, 1, 0 // broadcast, SYSINFO-DA (QAM only)
	if _, _, err := Parse(Downlink, lmac.BNCH, b); !errors.Is(err, ErrUnsupported) {
		t.Errorf("SYSINFO-DA: %v", err)
	}
	r := Resource{Addr: Address{Type: AddrSSI, SSI: 1 << 24}}
	if _, err := r.AppendBits(nil); !errors.Is(err, ErrRange) {
		t.Errorf("SSI range: %v", err)
	}
	big := Resource{Addr: Address{Type: AddrSSI}, SDU: make(Bits, 300)}
	if _, err := AppendBlock(nil, 268, Downlink, &big); !errors.Is(err, ErrTooLong) {
		t.Errorf("too long: %v", err)
	}
	fill := []byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1} // LI 3, fill set, SSI address
	fill = append(fill, make([]byte, 60)...)
	if _, _, err := ParseResource(fill); !errors.Is(err, ErrFill) {
		t.Errorf("missing fill: %v", err)
	}
}

func TestParseAllocs(t *testing.T) {
	v := loadVectors(t)
	in := bitString(v.CRC.Type1)
	blk, _ := AppendBlock(nil, 268, Downlink, &Resource{Addr: Address{Type: AddrSSI, SSI: 42}, SDU: make(Bits, 100)})
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseSync(in)
		_, _, _ = ParseResource(blk)
	})
	if allocs != 0 {
		t.Errorf("parsers allocate %.1f times", allocs)
	}
}

func BenchmarkParseBlock(b *testing.B) {
	blk, _ := AppendBlock(nil, 268, Downlink, &Resource{Addr: Address{Type: AddrSSI, SSI: 42}, SDU: make(Bits, 100)})
	b.ReportAllocs()
	for b.Loop() {
		for p, err := range PDUs(Downlink, lmac.SCHF, blk) {
			_, _ = p, err
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}

func TestAccessDefineRoundTrip(t *testing.T) {
	for _, a := range []AccessDefine{
		{AccessCode: 0, IMM: 3, WT: 5, Nu: 7, TimeslotPointer: 15, MinPriority: 2},
		{AssignedControl: true, AccessCode: 2, FrameLenFactor: true, OptionFlag: 1, Option: 0xA5A5},
		{AccessCode: 3, OptionFlag: 2, Option: 9001},
	} {
		b, err := a.AppendBits(nil)
		if err != nil || len(b) != a.Bits() {
			t.Fatalf("%v: %d bits, %v", a, len(b), err)
		}
		if b[0] != 1 || b[1] != 0 || b[2] != 0 || b[3] != 1 {
			t.Fatal("type 10, broadcast type 01")
		}
		p, n, err := Parse(Downlink, lmac.SCHF, append(b, make([]byte, 268-len(b))...))
		if err != nil || n != len(b) || p.(AccessDefine) != a {
			t.Fatalf("%+v %d %v", p, n, err)
		}
	}
}
