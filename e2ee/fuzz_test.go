package e2ee

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSAFLayout checks the SAF bit layout against the field table written out
// independently with fmt's binary formatting.
func TestSAFLayout(t *testing.T) {
	f := SAF{Type: STCHSAFStart, EpochTag: 0xA, Sender: 0x2ABC, FCNext: 0xABCDEF, TMin: 0x123,
		Tags: [4]uint16{0x1111, 0x2222, 0x8001, 0xFFFF}}
	want := fmt.Sprintf("%03b%04b%014b%024b%012b%016b%016b%016b%016b", 3, 0xA, 0x2ABC, 0xABCDEF, 0x123,
		0x1111, 0x2222, 0x8001, 0xFFFF)
	got := bitsString(f.AppendBits(nil))
	if got != want || len(got) != STCHBits {
		t.Fatalf("layout\n got %s\nwant %s", got, want)
	}
	g, err := ParseSAF(f.AppendBits(nil))
	if err != nil || g != f {
		t.Fatalf("round trip %+v %v", g, err)
	}
}

func safSeeds() [][]byte {
	w := newWorld(nilTB{}, 2, SuiteAES)
	tx, _ := w.members[1001].Sender(w.group)
	items := recordTx(nilTB{}, tx, 40, rand.New(rand.NewPCG(1, 2)))
	var out [][]byte
	for _, it := range items {
		if it.stch != nil {
			out = append(out, it.stch)
		}
	}
	return out
}

// nilTB lets seed helpers run outside a test; failures panic.
type nilTB struct{ testing.TB }

func (nilTB) Helper()                   {}
func (nilTB) Fatal(a ...any)            { panic(fmt.Sprint(a...)) }
func (nilTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

// FuzzSAF: ParseSAF never panics, and a parsed SAF re-encodes to its input.
func FuzzSAF(f *testing.F) {
	for _, s := range safSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSAF(b)
		if err != nil {
			return
		}
		if !bytes.Equal(s.AppendBits(nil), b) {
			t.Fatalf("round trip differs")
		}
	})
}

// FuzzSTCH feeds arbitrary STCH TM-SDUs to a synced receiver: no panic, and no
// fuzzed SAF is ever accepted green (that would be a forged tag, 2^-64 per try).
func FuzzSTCH(f *testing.F) {
	for _, s := range safSeeds() {
		f.Add(s)
	}
	w := newWorld(nilTB{}, 2, SuiteAES)
	tx, _ := w.members[1001].Sender(w.group)
	items := recordTx(nilTB{}, tx, 10, rand.New(rand.NewPCG(1, 2)))
	snap, _ := w.members[1002].MarshalBinary()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4*STCHBits {
			return
		}
		m, err := UnmarshalMember(snap, MemberConfig{Now: w.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		rx, _ := m.Receiver(w.group)
		play(rx, items[:5]) // synced, mid-transmission
		for i := 0; i+STCHBits <= len(b) || i == 0; i += STCHBits {
			chunk := b[i:min(i+STCHBits, len(b))]
			res, err := rx.AcceptSTCH(chunk)
			if err == nil && res.Indication == Green && res.Type == STCHSAF && !isRecorded(items, chunk) {
				t.Fatalf("fuzzed SAF accepted as verified: %+v", res)
			}
			if len(b) < STCHBits {
				break
			}
		}
	})
}

func isRecorded(items []airItem, b []byte) bool {
	for _, it := range items {
		if bytes.Equal(it.stch, b) {
			return true
		}
	}
	return false
}

// FuzzSDS: OpenSDS never panics, never accepts a message that was not sealed by a
// member, and on failure leaves dst's appended region zero.
func FuzzSDS(f *testing.F) {
	w := newWorld(nilTB{}, 2, SuiteAES)
	var sealed [][]byte
	for i := 0; i < 4; i++ {
		m, _ := w.members[1001].SealSDS(w.group, nil, bytes.Repeat([]byte{byte(i)}, i*20))
		sealed = append(sealed, m)
		f.Add(m)
	}
	f.Add([]byte{0x11})
	snap, _ := w.members[1002].MarshalBinary()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalMember(snap, MemberConfig{Now: w.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]byte, 0, 512)
		out, _, err := m.OpenSDS(w.group, dst, b)
		if err != nil {
			if len(out) != 0 || slices.ContainsFunc(dst[:cap(dst)], func(c byte) bool { return c != 0 }) {
				t.Fatal("output not zeroed on failure")
			}
			return
		}
		for _, s := range sealed {
			if bytes.Equal(s, b) {
				return
			}
		}
		t.Fatalf("fuzzed SDS opened: %x", b)
	})
}

// FuzzKMFMessage: every key-management parser is total; messages that parse
// re-encode to their input; Member.Apply never panics and never installs an epoch
// from a fuzzed message.
func FuzzKMFMessage(f *testing.F) {
	w := newWorld(nilTB{}, 2, SuiteAES)
	msgs, _ := w.kmf.Rekey(w.group)
	rs, _ := w.kmf.RosterSnapshot(w.group)
	msgs = append(msgs, rs...)
	id := w.members[1001].Identity()
	up, _ := id.RotateHPKE(newSeeded(9), 1)
	msgs = append(msgs, Message{Payloads: up})
	for _, m := range msgs {
		for _, p := range m.Payloads {
			f.Add(p)
		}
	}
	snap, _ := w.members[1002].MarshalBinary()
	f.Fuzz(func(t *testing.T, b []byte) {
		if fr, err := ParseFragment(b); err == nil && fr.Count == 1 {
			if msg, err := ParseMessage(fr.Chunk); err == nil {
				var enc []byte
				switch v := msg.(type) {
				case *KeyWrap:
					enc = v.marshal()
				case *EpochAnnounce:
					enc = v.marshal()
				case *RosterUpdate:
					enc = v.marshal()
				case *DeviceKeyUpdate:
					enc = v.marshal()
				}
				if !bytes.Equal(enc, fr.Chunk) {
					t.Fatalf("re-encoding differs:\n%x\n%x", enc, fr.Chunk)
				}
			}
		}
		m, err := UnmarshalMember(snap, MemberConfig{Now: w.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := m.Apply(b)
		if err == nil && ev.Kind == EventEpochInstalled {
			t.Fatal("fuzzed message installed an epoch")
		}
	})
}

// kmfStream returns the KMF messages a member sees for one new epoch of a
// 12-member talkgroup (its own key wrap, the announce, a multi-fragment roster
// snapshot) as one fuzz input: payloads with a one-byte length prefix each, the
// member's state from before them, and the epoch they install.
func kmfStream() (stream, snap []byte, group, epoch uint32) {
	w := newWorld(nilTB{}, 12, SuiteAES)
	snap, _ = w.members[1002].MarshalBinary()
	msgs, _ := w.kmf.Rekey(w.group)
	rs, _ := w.kmf.RosterSnapshot(w.group)
	for _, m := range append(rs, msgs...) {
		if m.To != 0 && m.To != 1002 {
			continue
		}
		for _, p := range m.Payloads {
			stream = append(append(stream, byte(len(p))), p...)
		}
	}
	m, _ := UnmarshalMember(snap, MemberConfig{Now: w.clk.Now})
	for _, p := range splitStream(stream) {
		if ev, err := m.Apply(p); err == nil && ev.Kind == EventEpochInstalled {
			epoch = ev.Epoch
		}
	}
	return stream, snap, w.group, epoch
}

// splitStream cuts a FuzzKMFStream input into payloads (at most 64).
func splitStream(b []byte) (out [][]byte) {
	for len(b) > 0 && len(out) < 64 {
		n := min(int(b[0]), len(b)-1)
		out = append(out, b[1:1+n])
		b = b[1+n:]
	}
	return out
}

// FuzzKMFStream feeds a sequence of key-management SDS payloads to one member,
// so that fragment reassembly and the pending-epoch logic see many messages in
// turn: Apply never panics, and the only epoch that can ever be installed is the
// one the KMF made (the seed installs it).
func FuzzKMFStream(f *testing.F) {
	stream, snap, group, epoch := kmfStream()
	if epoch == 0 {
		f.Fatal("the genuine stream installs no epoch")
	}
	f.Add(stream)
	clk := newClock()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalMember(snap, MemberConfig{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range splitStream(b) {
			ev, err := m.Apply(p)
			if err == nil && ev.Kind == EventEpochInstalled && (ev.Group != group || ev.Epoch != epoch) {
				t.Fatalf("installed epoch %d of group %d, which the KMF never made", ev.Epoch, ev.Group)
			}
		}
	})
}

// FuzzKeyStore: the key store header and the member and KMF state parsers are
// total and bounded; a state that parses re-marshals to an encoding that parses
// again and is stable (marshal ∘ unmarshal is idempotent).
func FuzzKeyStore(f *testing.F) {
	w := newWorld(nilTB{}, 3, SuiteAES)
	ms, _ := w.members[1001].MarshalBinary()
	ks, _ := w.kmf.MarshalBinary()
	file, _ := SealKeyStore(StoreDevice, ms, []byte("pw"), KDFParams{Time: 1, MemoryKiB: 8, Threads: 1}, nil)
	f.Add(ms)
	f.Add(ks)
	f.Add(file)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		if _, err := ParseKeyStoreHeader(b); err != nil && !errors.Is(err, ErrShort) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("header error %v", err)
		}
		if m, err := UnmarshalMember(b, MemberConfig{Now: w.clk.Now}); err == nil {
			again, _ := m.MarshalBinary()
			m2, err := UnmarshalMember(again, MemberConfig{Now: w.clk.Now})
			if err != nil {
				t.Fatalf("re-marshalled member does not parse: %v", err)
			}
			again2, _ := m2.MarshalBinary()
			if !bytes.Equal(again, again2) {
				t.Fatal("member state not stable")
			}
		}
		if k, err := UnmarshalKMF(b, KMFConfig{}); err == nil {
			again, _ := k.MarshalBinary()
			k2, err := UnmarshalKMF(again, KMFConfig{})
			if err != nil {
				t.Fatalf("re-marshalled KMF does not parse: %v", err)
			}
			again2, _ := k2.MarshalBinary()
			if !bytes.Equal(again, again2) {
				t.Fatal("KMF state not stable")
			}
		}
	})
}
