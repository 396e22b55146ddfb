package sim

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/air"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

type memIQ struct{ x []complex64 }

func (m *memIQ) Write(p []complex64) (int, error) { m.x = append(m.x, p...); return len(p), nil }

// TestRecordingDecodes: the downlink recording is a real TETRA downlink: the
// monitoring receiver of sim/air (an independent chain: carrier search,
// demodulator, slot decoder) locks on it, and the MAC-RESOURCE PDUs it decodes
// carry the simulation's signalling (D-SETUP for the call, among others).
func TestRecordingDecodes(t *testing.T) {
	s, err := scenario.Parse([]byte(scenario.DefaultYAML), ".")
	if err != nil {
		t.Fatal(err)
	}
	s.DurationS = 3
	sm, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	var dl, ul memIQ
	var pcap bytes.Buffer
	if err := sm.Record(Recording{Downlink: &dl, Uplink: &ul, GSMTAP: &pcap}); err != nil {
		t.Fatal(err)
	}
	if err := sm.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := sm.RecordErr(); err != nil {
		t.Fatal(err)
	}
	slots := int(sm.Now())
	if len(ul.x) != slots*510 || len(dl.x) < (slots-1)*510 {
		t.Fatalf("%d slots: %d DL and %d UL samples", slots, len(dl.x), len(ul.x))
	}
	types := map[cmce.Type]int{}
	good, bad := 0, 0
	rx, err := air.NewReceiver(air.RxConfig{SampleRateHz: RecordRateHz, OnBlock: func(b *air.RxBlock) {
		if b.Channel != lmac.SCHF {
			return
		}
		if !b.CRCOK {
			bad++
			return
		}
		good++
		if p, err := cmce.ParseMAC(mac.Downlink, b.Bits); err == nil {
			types[p.Type]++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rx.Write(dl.x); err != nil {
		t.Fatal(err)
	}
	rx.Close()
	t.Logf("SCH/F blocks: %d good, %d bad; signalling %v; decoder %+v; pcap %d bytes", good, bad, types, rx.Decoder().Stats(), pcap.Len())
	if good < 100 || bad > 0 || types[cmce.DSetup] == 0 || types[cmce.DLocationUpdateAccept] == 0 {
		t.Errorf("recording did not decode: %d good, %d bad SCH/F, %v", good, bad, types)
	}
	if pcap.Len() < 10000 {
		t.Errorf("pcap only %d bytes", pcap.Len())
	}
}
