package air

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
)

// e2eeGroup returns a sender (device 1001) and a receiver (device 1002) of
// talkgroup 4660, keyed by a KMF as over the air. Deterministic keys.
func e2eeGroup(t testing.TB, safSlots int) (*e2ee.Sender, func() *e2ee.Receiver) {
	t.Helper()
	rnd := rand.NewChaCha8([32]byte{1})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	kmf, err := e2ee.NewKMF(e2ee.KMFConfig{Now: clock, Rand: rnd})
	if err != nil {
		t.Fatal(err)
	}
	const g = 4660
	ids := []e2ee.DeviceID{1001, 1002}
	var members []*e2ee.Member
	for _, id := range ids {
		ident, err := e2ee.NewIdentity(id, rnd)
		if err != nil {
			t.Fatal(err)
		}
		if err := kmf.AddDevice(ident.Public()); err != nil {
			t.Fatal(err)
		}
		m, err := e2ee.NewMember(ident, kmf.PublicKey(), e2ee.MemberConfig{Now: clock, Rand: rnd})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	if err := kmf.AddTalkgroup(g, e2ee.SuiteAES, safSlots); err != nil {
		t.Fatal(err)
	}
	if err := kmf.AddMembers(g, ids...); err != nil {
		t.Fatal(err)
	}
	msgs, err := kmf.Rekey(g)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range members {
		for _, msg := range msgs {
			if msg.To != 0 && msg.To != ids[i] {
				continue
			}
			for _, p := range msg.Payloads {
				if _, err := m.Apply(p); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	s, err := members[0].Sender(g)
	if err != nil {
		t.Fatal(err)
	}
	return s, func() *e2ee.Receiver {
		r, err := members[1].Receiver(g)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// rxBlocks turns a scheduled downlink slot into the blocks a receiver
// delivers on a clean channel.
func rxBlocks(t radio.Time, s *DLSlot) []RxBlock {
	if s.Blocks[1].Channel == 0 {
		return []RxBlock{{Time: t, Channel: s.Blocks[0].Channel, CRCOK: true, Bits: bytes.Clone(s.Blocks[0].Bits)}}
	}
	return []RxBlock{
		{Time: t, Channel: s.Blocks[0].Channel, Half: 1, CRCOK: true, Bits: bytes.Clone(s.Blocks[0].Bits)},
		{Time: t, Channel: s.Blocks[1].Channel, Half: 2, CRCOK: true, Bits: bytes.Clone(s.Blocks[1].Bits)},
	}
}

// runE2EE schedules nslots downlink slots with an encrypted transmission and
// returns the plaintext frames in order, the traffic blocks, and the traffic.
func runE2EE(t testing.TB, s *e2ee.Sender, nslots int) ([][]byte, []RxBlock, *E2EETraffic) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var plain [][]byte
	speech := func(dst []byte) []byte {
		for range 137 {
			dst = append(dst, byte(rng.IntN(2)))
		}
		plain = append(plain, bytes.Clone(dst[len(dst)-137:]))
		return dst
	}
	start := radio.TimeAt(0)
	x, err := NewE2EETraffic(s, speech, TrafficSlots(start, nslots))
	if err != nil {
		t.Fatal(err)
	}
	sc := NewSchedule(Cell{MCC: 1, MNC: 1, CC: 1}, 1)
	sc.Traffic = x.Slot
	var blocks []RxBlock
	var slot DLSlot
	for i, tm := 0, start; i < nslots; i, tm = i+1, tm.Next() {
		if err := sc.Next(tm, &slot); err != nil {
			t.Fatal(err)
		}
		if tm.TN == 2 && tm.FN != radio.ControlFrame {
			blocks = append(blocks, rxBlocks(tm, &slot)...)
		}
	}
	return plain, blocks, x
}

// TestE2EETrafficRoundTrip: an encrypted transmission scheduled on the
// traffic slots (SAF every 16 slots, final SAF and EOT-SIG in hang time)
// decrypts to the speech frames sent, bit for bit, at every position not
// stolen; every tag window verifies and the EOT signature checks. Without
// keys the traffic is recognised as encrypted and the frames are ciphertext.
func TestE2EETrafficRoundTrip(t *testing.T) {
	s, newRx := e2eeGroup(t, 0)
	const nslots = 4 * 18 * 4 // 4 multiframes: 68 traffic slots
	plain, blocks, x := runE2EE(t, s, nslots)
	if x.SAFs != 1+4+1 || x.EOT != 5 || x.Frames != 2*(68-3)-5 {
		t.Fatalf("sent %d SAFs, %d EOT fragments, %d frames", x.SAFs, x.EOT, x.Frames)
	}
	stolen := map[int]bool{}
	for i := 0; i < 68; i++ {
		switch {
		case i >= 65:
			stolen[2*i], stolen[2*i+1] = true, true
		case i%16 == 0:
			stolen[2*i] = true
		}
	}
	for _, keys := range []bool{true, false} {
		l := &E2EEListener{}
		if keys {
			l.Rx = newRx()
		}
		var got [][]byte
		var bad []bool
		l.OnFrame = func(b []byte, isBad bool) {
			got = append(got, bytes.Clone(b))
			bad = append(bad, isBad)
		}
		for i := range blocks {
			l.Block(&blocks[i])
		}
		if len(got) != len(plain) || !l.Encrypted || l.SAFs != 6 {
			t.Fatalf("keys=%v: %d positions (want %d), encrypted %v, %d SAFs", keys, len(got), len(plain), l.Encrypted, l.SAFs)
		}
		same, differ := 0, 0
		for i := range got {
			if stolen[i] != bad[i] {
				t.Fatalf("keys=%v: position %d: bad %v, stolen %v", keys, i, bad[i], stolen[i])
			}
			if bad[i] {
				continue
			}
			if bytes.Equal(got[i], plain[i]) {
				same++
			} else {
				differ++
			}
		}
		if keys {
			st := l.Rx.Stats()
			t.Logf("with keys: %d frames equal, %d differ; %+v; FC %d-%d", same, differ, st, l.FirstFC, l.LastFC)
			if differ != 0 || same != x.Frames || st.WindowsFailed != 0 || st.WindowsUnverif != 0 || st.WindowsPassed != 4*6 ||
				st.SAFsAccepted != 6 || !l.EOTVerified || l.Decrypted != x.Frames || l.FirstFC != x.FirstFC || l.LastFC != x.LastFC {
				t.Fatalf("decryption: %d equal, %d differ, %+v", same, differ, st)
			}
		} else if same != 0 || differ != x.Frames {
			t.Fatalf("without keys %d frames came out in clear", same)
		}
	}
}

// TestE2EETrafficTamper: one flipped class-1 bit in a ciphertext frame fails
// its tag window; a flipped bit in a SAF makes it rejected.
func TestE2EETrafficTamper(t *testing.T) {
	s, newRx := e2eeGroup(t, 0)
	_, blocks, _ := runE2EE(t, s, 2*18*4)
	// The third traffic slot is a full TCH/S: flip bit 60 of frame A (class 1
	// or 2: the tags cover 86 of the 137 bits; flip several to be sure one is).
	var n int
	for i := range blocks {
		if blocks[i].Channel == lmac.TCHS {
			n++
			if n == 3 {
				for _, k := range []int{20, 40, 60, 80, 100, 120} {
					blocks[i].Bits[k] ^= 1
				}
			}
		}
	}
	l := &E2EEListener{Rx: newRx()}
	for i := range blocks {
		l.Block(&blocks[i])
	}
	st := l.Rx.Stats()
	t.Logf("%+v", st)
	if st.WindowsFailed != 1 {
		t.Fatalf("tampered frame: %d windows failed", st.WindowsFailed)
	}
	// A bit flipped in the second SAF's counter field.
	s2, newRx2 := e2eeGroup(t, 0)
	_, blocks, _ = runE2EE(t, s2, 2*18*4)
	n = 0
	for i := range blocks {
		if blocks[i].Channel == lmac.STCH {
			n++
			if n == 2 {
				blocks[i].Bits[3+30] ^= 1 // MAC-U-SIGNAL header 3 bits, then the SAF
			}
		}
	}
	l = &E2EEListener{Rx: newRx2()}
	for i := range blocks {
		l.Block(&blocks[i])
	}
	if st := l.Rx.Stats(); st.SAFsRejected != 1 {
		t.Fatalf("tampered SAF: %+v", st)
	}
}

// TestScheduleTrafficErrors: malformed traffic content is refused.
func TestScheduleTrafficErrors(t *testing.T) {
	sc := NewSchedule(Cell{MCC: 1, MNC: 1, CC: 1}, 1)
	var slot DLSlot
	tm := radio.Time{HN: 0, MN: 1, FN: 1, TN: 2}
	for _, ts := range []TrafficSlot{
		{Frames: [2][]byte{make([]byte, 137), make([]byte, 136)}},
		{STCH: [2][]byte{make([]byte, 120)}, Frames: [2][]byte{nil, make([]byte, 137)}},
		{STCH: [2][]byte{make([]byte, 121), make([]byte, 122)}},
	} {
		sc.Traffic = func(radio.Time, *TrafficSlot) error { return nil }
		sc.Traffic = func(_ radio.Time, dst *TrafficSlot) error { *dst = ts; return nil }
		if err := sc.Next(tm, &slot); err == nil {
			t.Errorf("%d/%d bits accepted", len(ts.STCH[0]), len(ts.Frames[1]))
		}
	}
	if got := TrafficSlots(radio.TimeAt(0), 18*4); got != 17 {
		t.Errorf("TrafficSlots over a multiframe: %d", got)
	}
}

// fuzzBlock turns fuzz input into a traffic block: byte 0 picks the channel
// (STCH, TCH/S, TCH/S stolen), the half and the CRC flag; the rest are bits.
func fuzzBlock(data []byte) RxBlock {
	if len(data) == 0 {
		return RxBlock{}
	}
	chans := []lmac.Channel{lmac.STCH, lmac.TCHS, lmac.TCHSStolen}
	b := RxBlock{Channel: chans[int(data[0]&3)%3], Half: data[0] >> 2 & 3, CRCOK: data[0]&16 != 0}
	b.Bits = make([]byte, len(data)-1)
	for i, v := range data[1:] {
		b.Bits[i] = v & 1
	}
	return b
}

func blockSeed(b *RxBlock) []byte {
	var h byte
	switch b.Channel {
	case lmac.TCHS:
		h = 1
	case lmac.TCHSStolen:
		h = 2
	}
	h |= b.Half << 2
	if b.CRCOK {
		h |= 16
	}
	return append([]byte{h}, b.Bits...)
}

// FuzzE2EEListener: traffic blocks off the air (any channel, length, bits)
// never panic the listener, with or without keys, and every frame it hands
// on is 137 bits or marked bad.
func FuzzE2EEListener(f *testing.F) {
	s, newRx := e2eeGroup(f, 0)
	_, blocks, _ := runE2EE(f, s, 18*4)
	for i := range blocks[:6] {
		f.Add(blockSeed(&blocks[i]), blockSeed(&blocks[i+1]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if len(a) > 600 || len(b) > 600 {
			return
		}
		for _, keys := range []bool{false, true} {
			l := &E2EEListener{}
			if keys {
				l.Rx = newRx()
			}
			l.OnFrame = func(bits []byte, bad bool) {
				if !bad && len(bits) != e2ee.FrameBits {
					t.Fatalf("frame of %d bits", len(bits))
				}
			}
			// A genuine start SAF first, so the keyed listener is synced.
			l.Block(&blocks[0])
			for _, d := range [][]byte{a, b} {
				blk := fuzzBlock(d)
				l.Block(&blk)
				if p := l.Plain(); len(p)%e2ee.FrameBits != 0 || len(p) > 2*e2ee.FrameBits {
					t.Fatalf("plain of %d bits", len(p))
				}
			}
		}
	})
}

// TestE2EEListenerAllocs: decrypting a speech block allocates nothing.
func TestE2EEListenerAllocs(t *testing.T) {
	s, newRx := e2eeGroup(t, 0)
	_, blocks, _ := runE2EE(t, s, 18*4)
	l := &E2EEListener{Rx: newRx(), OnFrame: func([]byte, bool) {}}
	l.Block(&blocks[0]) // start SAF
	var tch *RxBlock
	for i := range blocks {
		if blocks[i].Channel == lmac.TCHS {
			tch = &blocks[i]
			break
		}
	}
	l.Block(tch)
	if n := testing.AllocsPerRun(100, func() { l.Block(tch) }); n != 0 {
		t.Errorf("%v allocations per TCH/S block", n)
	}
	if l.Decrypted < 100 {
		t.Errorf("%d frames decrypted", l.Decrypted)
	}
}
