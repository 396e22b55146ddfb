package cmce

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/tetrasim/tetrasim/radio/mac"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    PDU
	}{
		{"null", PDU{Type: TypeNull}},
		{"register", PDU{Type: ULocationUpdateDemand, SSI: 1001, Groups: []uint32{9001, 9002, 3, 4, 5, 6, 7}}},
		{"accept", PDU{Type: DLocationUpdateAccept, SSI: 0xFFFFFF, Groups: []uint32{1}}},
		{"setup", PDU{Type: USetup, SSI: 1001, GSSI: 9001, Priority: 3, Encrypted: true}},
		{"d-setup", PDU{Type: DSetup, SSI: 9001, GSSI: 9001, CallID: 16383, TN: 2, Talker: 1001, Priority: 15, Grant: GrantedOther, Encrypted: true}},
		{"granted", PDU{Type: DTxGranted, SSI: 1002, GSSI: 9001, CallID: 7, TN: 3, Talker: 1002, Grant: Queued}},
		{"ceased", PDU{Type: UTxCeased, SSI: 1001, GSSI: 9001, CallID: 7}},
		{"release", PDU{Type: DRelease, SSI: 9001, GSSI: 9001, CallID: 7}},
		{"sds", PDU{Type: USDSData, SSI: 1001, Dest: 1002, PID: PIDE2EESDS, MsgRef: 513, Frag: 1, NFrags: 3, Data: bytes.Repeat([]byte{0xA5}, MaxFragment)}},
		{"sds group", PDU{Type: DSDSData, SSI: 1001, Dest: 9001, DestGroup: true, PID: PIDKMF, NFrags: 1, Data: []byte{}}},
		{"ack", PDU{Type: UAck, SSI: 1002, MsgRef: 9, Frag: 2}},
		{"d-ack", PDU{Type: DAck, SSI: 1002, MsgRef: 9, Frag: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.p.AppendBits(nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > MaxBits {
				t.Fatalf("len = %d > %d", len(b), MaxBits)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if tc.p.Data != nil && len(tc.p.Data) == 0 {
				tc.p.Data = got.Data // empty vs nil
			}
			if !reflect.DeepEqual(got, tc.p) {
				t.Errorf("got %+v\nwant %+v", got, tc.p)
			}
		})
	}
}

func TestFieldLimits(t *testing.T) {
	bad := []PDU{
		{Type: numTypes},
		{Type: USetup, SSI: 1 << 24},
		{Type: DSetup, TN: 5},
		{Type: DSetup, Priority: 16},
		{Type: USDSData, NFrags: 1, Data: make([]byte, MaxFragment+1)},
		{Type: ULocationUpdateDemand, Groups: make([]uint32, MaxGroups+1)},
	}
	for i, p := range bad {
		if _, err := p.AppendBits(nil); err == nil {
			t.Errorf("%d: %s accepted bad field", i, p.Type)
		}
	}
	if _, err := Parse([]byte{0, 0, 0}); !errors.Is(err, ErrShort) {
		t.Errorf("short: %v", err)
	}
	if _, err := Parse([]byte{1, 1, 1, 1, 1}); !errors.Is(err, ErrUnknownPDU) {
		t.Errorf("unknown: %v", err)
	}
}

func TestFragmentReassemble(t *testing.T) {
	payload := make([]byte, 70)
	for i := range payload {
		payload[i] = byte(i)
	}
	frags, err := Fragment(PDU{Type: USDSData, SSI: 5, Dest: 6, MsgRef: 1}, payload)
	if err != nil || len(frags) != 5 {
		t.Fatalf("%d frags, %v", len(frags), err)
	}
	var r Reassembler
	// Out of order, with a duplicate.
	for _, i := range []int{4, 0, 0, 2, 1} {
		if _, ok := r.Add(frags[i]); ok {
			t.Fatal("complete too early")
		}
	}
	got, ok := r.Add(frags[3])
	if !ok || !bytes.Equal(got, payload) {
		t.Fatalf("reassembly failed: ok=%v", ok)
	}
	if _, err := Fragment(PDU{}, make([]byte, MaxSDS+1)); err == nil {
		t.Error("oversize SDS accepted")
	}
}

// FuzzParse: bits off the air never panic, and whatever parses re-encodes to the
// same significant bits.
func FuzzParse(f *testing.F) {
	for _, p := range []PDU{{Type: DSetup, SSI: 1, GSSI: 2, CallID: 3, TN: 2, Talker: 4},
		{Type: USDSData, SSI: 1, Dest: 2, NFrags: 2, Frag: 1, Data: []byte("hello")},
		{Type: ULocationUpdateDemand, SSI: 9, Groups: []uint32{1, 2, 3}}} {
		b, _ := p.AppendBits(nil)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4*MaxBits {
			return
		}
		for i := range b {
			b[i] &= 1
		}
		p, err := Parse(b)
		if err != nil {
			return
		}
		enc, err := p.AppendBits(nil)
		if err != nil {
			t.Fatalf("parsed PDU does not re-encode: %v", err)
		}
		p2, err := Parse(enc)
		if err != nil || !reflect.DeepEqual(p, p2) {
			t.Fatalf("re-parse differs: %+v vs %+v (%v)", p, p2, err)
		}
	})
}

func TestMACRoundTrip(t *testing.T) {
	for _, dir := range []mac.Direction{mac.Downlink, mac.Uplink} {
		for _, p := range []PDU{
			{Type: DSetup, SSI: 9001, GSSI: 9001, CallID: 3, TN: 2, Talker: 1001, Encrypted: true},
			{Type: USDSData, SSI: 1001, Dest: 1002, PID: PIDE2EESDS, NFrags: 2, Frag: 1, Data: bytes.Repeat([]byte{7}, MaxFragment)},
			{Type: ULocationUpdateDemand, SSI: 1001, Groups: []uint32{1, 2, 3, 4, 5, 6, 7}},
		} {
			b, err := AppendMAC(nil, dir, &p)
			if err != nil {
				t.Fatalf("%v %s: %v", dir, p.Type, err)
			}
			if len(b) != SCHFBits {
				t.Fatalf("block of %d bits", len(b))
			}
			got, err := ParseMAC(dir, b)
			if err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("%v %s: got %+v, %v", dir, p.Type, got, err)
			}
		}
		null, err := AppendNull(nil, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseMAC(dir, null); !errors.Is(err, ErrNotForUs) {
			t.Errorf("%v null block: %v", dir, err)
		}
	}
}

// FuzzParseMAC: arbitrary SCH/F blocks never panic.
func FuzzParseMAC(f *testing.F) {
	p := PDU{Type: DSetup, SSI: 1, GSSI: 2, CallID: 3, TN: 2, Talker: 4}
	b, _ := AppendMAC(nil, mac.Downlink, &p)
	f.Add(b, true)
	f.Fuzz(func(t *testing.T, b []byte, down bool) {
		if len(b) > 2*SCHFBits {
			return
		}
		for i := range b {
			b[i] &= 1
		}
		dir := mac.Uplink
		if down {
			dir = mac.Downlink
		}
		_, _ = ParseMAC(dir, b)
	})
}
