package e2ee

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestNonceUniqueness: across 1e7 voice frames from many senders, over many epochs
// (timer rekeys) and reboots (restored from the last persisted key store, or with
// the counter lost and a new epoch requested), no (key, nonce) pair is used twice.
// Each frame encrypts an all-zero frame, so its ciphertext is the keystream; the
// first 64 keystream bits fingerprint (K_enc, nonce). Distinct pairs collide with
// probability about n^2/2^65 = 3e-6 for n = 1e7.
func TestNonceUniqueness(t *testing.T) {
	const total = 10_000_000
	const nDev = 16
	w := newWorld(t, nDev, SuiteAES)
	w.kmf.RekeyInterval = time.Hour
	r := rand.New(rand.NewPCG(5, 7))
	snap := map[DeviceID][]byte{}
	arm := func(id DeviceID) {
		m := w.members[id]
		m.Persist = func() error {
			b, err := m.MarshalBinary()
			snap[id] = b
			return err
		}
	}
	for id := range w.members {
		arm(id)
	}
	ids := make([]DeviceID, 0, nDev)
	for id := range w.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	talkers := ids[:12]
	fp := make([]uint64, 0, total)
	zero := make([]byte, FrameBits)
	ct := make([]byte, FrameBits)
	reboots, lost, epochs := 0, 0, map[uint32]bool{}
	for len(fp) < total {
		id := talkers[r.IntN(len(talkers))]
		// Reboots: about one every 150 transmissions.
		if r.IntN(150) == 0 {
			if r.IntN(2) == 0 {
				m, err := UnmarshalMember(snap[id], MemberConfig{Now: w.clk.Now})
				if err != nil {
					t.Fatal(err)
				}
				w.members[id] = m
				arm(id)
				reboots++
			} else {
				// Counter lost: the device comes back with its identity only and
				// asks for a new epoch.
				m, err := NewMember(w.members[id].Identity(), w.kmf.PublicKey(), MemberConfig{Now: w.clk.Now})
				if err != nil {
					t.Fatal(err)
				}
				w.members[id] = m
				arm(id)
				msgs, err := w.kmf.Rekey(w.group)
				if err != nil {
					t.Fatal(err)
				}
				w.deliver(msgs)
				lost++
			}
		}
		tx, err := w.members[id].Sender(w.group)
		if errors.Is(err, ErrUnknownGroup) {
			w.clk.Advance(time.Minute)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.NextSAF(nil); errors.Is(err, ErrNoEpoch) {
			w.clk.Advance(time.Minute)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		epochs[tx.Epoch()] = true
		n := 10 + r.IntN(600)
		for i := 0; i < n && len(fp) < total; i++ {
			if tx.FramesUntilSAF() == 0 {
				if _, err := tx.NextSAF(nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tx.SealVoice(ct, zero); err != nil {
				t.Fatal(err)
			}
			var v uint64
			for k := 0; k < 64; k++ {
				v = v<<1 | uint64(ct[k])
			}
			fp = append(fp, v)
		}
		w.clk.Advance(time.Duration(n) * 30 * time.Millisecond)
		msgs, err := w.kmf.Tick()
		if err != nil {
			t.Fatal(err)
		}
		w.deliver(msgs)
	}
	slices.Sort(fp)
	dups := 0
	for i := 1; i < len(fp); i++ {
		if fp[i] == fp[i-1] {
			dups++
		}
	}
	t.Logf("%d frames, %d talkers, %d epochs, %d restored reboots, %d counter-lost reboots: %d repeated keystreams",
		len(fp), len(talkers), len(epochs), reboots, lost, dups)
	if dups != 0 {
		t.Fatalf("%d keystream repeats", dups)
	}
	if len(epochs) < 10 || reboots < 10 || lost < 10 {
		t.Fatalf("test did not exercise enough epochs (%d) or reboots (%d, %d)", len(epochs), reboots, lost)
	}
}

// txCapture is one recorded transmission: the STCHs and frames in air order.
type airItem struct {
	stch  []byte // a SAF or EOT fragment, or nil for a speech frame
	frame []byte
}

func recordTx(t testing.TB, tx *Sender, nFrames int, r *rand.Rand) []airItem {
	t.Helper()
	var out []airItem
	saf, err := tx.NextSAF(nil)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, airItem{stch: saf})
	for i := 0; i < nFrames; i++ {
		if tx.FramesUntilSAF() == 0 {
			saf, err := tx.NextSAF(nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, airItem{stch: saf})
		}
		ct := make([]byte, FrameBits)
		if _, err := tx.SealVoice(ct, randFrame(r)); err != nil {
			t.Fatal(err)
		}
		out = append(out, airItem{frame: ct})
	}
	end, err := tx.End()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range end {
		out = append(out, airItem{stch: b})
	}
	return out
}

type playResult struct {
	green, amber, red, rejected int
	errs                        []error
	eotVerified                 bool
	decrypted                   int
}

func play(rx *Receiver, items []airItem) playResult {
	var pr playResult
	pt := make([]byte, FrameBits)
	for _, it := range items {
		if it.stch == nil {
			if _, err := rx.OpenVoice(pt, it.frame); err == nil {
				pr.decrypted++
			}
			continue
		}
		res, err := rx.AcceptSTCH(it.stch)
		if err != nil {
			pr.rejected++
			pr.errs = append(pr.errs, err)
		}
		if res.EOTVerified {
			pr.eotVerified = true
		}
		if res.Type == STCHSAF || res.Type == STCHSAFStart {
			switch res.Indication {
			case Green:
				pr.green++
			case Amber:
				pr.amber++
			case Red:
				pr.red++
			}
		}
	}
	return pr
}

func cloneItems(items []airItem) []airItem {
	out := make([]airItem, len(items))
	for i, it := range items {
		out[i] = airItem{stch: slices.Clone(it.stch), frame: slices.Clone(it.frame)}
	}
	return out
}

// TestBitFlipDetection flips every single protected bit (class 1 and 2) of every
// frame of a SAF interval, every tag bit and every SAF field bit, one at a time, and
// counts how often the receiver notices (a tag failure or a rejected SAF). Protected
// bits and tags are caught with probability 1 - 2^-16 per flip (the design's tag
// odds); the measured miss count must stay within a generous bound of that rate.
// Class-0 flips are not caught, by design (e2ee-design.md §5.5).
func TestBitFlipDetection(t *testing.T) {
	w := newWorld(t, 2, SuiteAES)
	tx, _ := w.members[1001].Sender(w.group)
	r := rand.New(rand.NewPCG(3, 3))
	var prot, protMiss, tags, tagMiss, hdr, hdrMiss, c0, c0Caught int
	isProt := map[int]bool{}
	for _, i := range protectedIdx {
		isProt[int(i)] = true
	}
	for trial := 0; ; trial++ {
		items := recordTx(t, tx, 31, r) // start SAF, 31 frames, final SAF, 5 EOT
		// item 0 start SAF, items 1..31 frames, item 32 final SAF.
		var target, bit int
		kind := ""
		switch {
		case trial < 31*FrameBits:
			target, bit = 1+trial/FrameBits, trial%FrameBits
			if isProt[bit] {
				kind = "prot"
			} else {
				kind = "c0"
			}
		case trial < 31*FrameBits+64:
			target, bit, kind = 32, 57+trial-31*FrameBits, "tag"
		case trial < 31*FrameBits+64+57:
			target, bit, kind = 32, trial-31*FrameBits-64, "hdr"
		default:
			goto done
		}
		{
			rx, _ := w.members[1002].Receiver(w.group)
			it := &items[target]
			if it.stch != nil {
				it.stch[bit] ^= 1
			} else {
				it.frame[bit] ^= 1
			}
			pr := play(rx, items)
			caught := pr.rejected > 0 && !(pr.eotVerified && pr.rejected == 0)
			// A flip that turns the final SAF into another STCH type loses that
			// SAF, like a dropped half-slot: the EOT-SIG then cannot verify.
			if !caught && kind == "hdr" && !pr.eotVerified {
				caught = true
			}
			switch kind {
			case "prot":
				prot++
				if !caught {
					protMiss++
				}
			case "c0":
				c0++
				if caught {
					c0Caught++
				}
			case "tag":
				tags++
				if !caught {
					tagMiss++
				}
			case "hdr":
				hdr++
				if !caught {
					hdrMiss++
					t.Logf("header bit %d flip not detected", bit)
				}
			}
		}
	}
done:
	t.Logf("protected-bit flips: %d, missed %d (expect ~%.3f); tag-bit flips: %d, missed %d; SAF field flips: %d, missed %d; class-0 flips: %d, caught %d",
		prot, protMiss, float64(prot)/65536, tags, tagMiss, hdr, hdrMiss, c0, c0Caught)
	if prot != 31*ProtectedBits || c0 != 31*(FrameBits-ProtectedBits) {
		t.Fatalf("trial counts %d %d", prot, c0)
	}
	// Expected misses ~0.04; more than 3 would be odds of about 1e-6.
	if protMiss > 3 || tagMiss > 0 || hdrMiss > 0 {
		t.Fatal("too many undetected flips")
	}
	if c0Caught != 0 {
		t.Fatalf("class-0 flips are outside the tags but %d were caught: scope changed?", c0Caught)
	}
}

// TestSDSBitFlip: every single-bit flip of a sealed SDS is rejected, in both
// suites.
func TestSDSBitFlip(t *testing.T) {
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		w := newWorld(t, 2, suite)
		a, b := w.members[1001], w.members[1002]
		msg, err := a.SealSDS(w.group, nil, []byte("GO: rendezvous at 52.37N 4.89E"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := 0; i < len(msg)*8; i++ {
			m := slices.Clone(msg)
			m[i/8] ^= 1 << (i % 8)
			out, _, err := b.OpenSDS(w.group, nil, m)
			if err == nil {
				t.Fatalf("bit %d flip accepted: %q", i, out)
			}
			n++
		}
		if _, _, err := b.OpenSDS(w.group, nil, msg); err != nil {
			t.Fatalf("original rejected after flips: %v", err)
		}
		t.Logf("%v: %d of %d single-bit flips of a %d-byte SDS rejected", suite, n, len(msg)*8, len(msg))
	}
}

// TestSDSForgedSendersLeaveNoState: SDS that fail authentication, from any
// sender index, change nothing in the receiver's state (no replay window is
// kept for a sender until one of its messages authenticates).
func TestSDSForgedSendersLeaveNoState(t *testing.T) {
	w := newWorld(t, 2, SuiteAES)
	a, b := w.members[1001], w.members[1002]
	msg, err := a.SealSDS(w.group, nil, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := b.MarshalBinary()
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 200; i++ {
		m := slices.Clone(msg)
		m[2], m[3] = byte(r.IntN(MaxSenders>>8)), byte(r.IntN(256)) // sender index
		m[len(m)-1] ^= 1                                            // and a bad tag
		if _, _, err := b.OpenSDS(w.group, nil, m); !errors.Is(err, ErrAuth) {
			t.Fatalf("forged SDS %d: %v, want ErrAuth", i, err)
		}
	}
	if after, _ := b.MarshalBinary(); !bytes.Equal(before, after) {
		t.Fatal("forged SDS changed the receiver's state")
	}
	if _, _, err := b.OpenSDS(w.group, nil, msg); err != nil {
		t.Fatalf("genuine SDS after the forgeries: %v", err)
	}
	if _, _, err := b.OpenSDS(w.group, nil, msg); !errors.Is(err, ErrReplay) {
		t.Fatalf("replayed genuine SDS: %v, want ErrReplay", err)
	}
}

// TestReplayRejected: a whole recorded transmission replayed later (and a replay of
// its SAFs alone) is rejected; every replayed SDS is rejected.
func TestReplayRejected(t *testing.T) {
	w := newWorld(t, 2, SuiteAES)
	tx, _ := w.members[1001].Sender(w.group)
	rx, _ := w.members[1002].Receiver(w.group)
	r := rand.New(rand.NewPCG(9, 9))
	for k := 0; k < 5; k++ {
		items := recordTx(t, tx, 200, r)
		pr := play(rx, items)
		if pr.rejected != 0 || !pr.eotVerified {
			t.Fatalf("live transmission: %+v", pr)
		}
		// Replay the same transmission to the same receiver: every SAF must be
		// refused and no frame decrypted.
		again := play(rx, cloneItems(items))
		safs := 0
		for _, it := range items {
			if it.stch != nil {
				if typ, _ := ParseSTCHType(it.stch); typ == STCHSAF || typ == STCHSAFStart {
					safs++
				}
			}
		}
		replays := 0
		for _, e := range again.errs {
			if errors.Is(e, ErrReplay) {
				replays++
			}
		}
		if replays != safs || again.decrypted != 0 || again.eotVerified {
			t.Fatalf("replay: %d of %d SAFs refused as replays, %d frames decrypted, eot %v", replays, safs, again.decrypted, again.eotVerified)
		}
	}
	// SDS.
	a, b := w.members[1001], w.members[1002]
	var sent [][]byte
	for i := 0; i < 300; i++ {
		m, err := a.SealSDS(w.group, nil, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m)
	}
	// Deliver out of order within the window, then replay everything.
	perm := r.Perm(len(sent))
	for _, i := range perm {
		if _, _, err := b.OpenSDS(w.group, nil, sent[i]); err != nil {
			t.Fatalf("SDS %d: %v", i, err)
		}
	}
	for i, m := range sent {
		if _, _, err := b.OpenSDS(w.group, nil, m); !errors.Is(err, ErrReplay) {
			t.Fatalf("replayed SDS %d: %v", i, err)
		}
	}
}

// TestRemovedMemberLocked: after RemoveMember, the removed device gets no wrap for
// the next epoch: it cannot decrypt that epoch's voice or SDS, while the others can.
func TestRemovedMemberLocked(t *testing.T) {
	w := newWorld(t, 3, SuiteAES)
	msgs, err := w.kmf.RemoveMember(w.group, 1003)
	if err != nil {
		t.Fatal(err)
	}
	// The removed device hears everything broadcast and even the others' wraps.
	for _, msg := range msgs {
		for id, m := range w.members {
			for _, p := range msg.Payloads {
				ev, err := m.Apply(p)
				if id != 1003 && msg.To != 0 && msg.To != id {
					continue
				}
				if id != 1003 && err != nil {
					t.Fatal(err)
				}
				if id == 1003 && ev.Kind == EventEpochInstalled {
					t.Fatal("removed member installed the new epoch")
				}
			}
		}
	}
	w.clk.Advance(w.kmf.ActivationDelay + time.Second)
	tx, _ := w.members[1001].Sender(w.group)
	r := rand.New(rand.NewPCG(2, 2))
	items := recordTx(t, tx, 40, r)
	if tx.Epoch() != 2 && items != nil {
		// recordTx ended the transmission; epoch is reported while open only.
	}
	good := play(mustRx(t, w.members[1002], w.group), cloneItems(items))
	bad := play(mustRx(t, w.members[1003], w.group), cloneItems(items))
	if good.decrypted != 40 || !good.eotVerified {
		t.Fatalf("remaining member: %+v", good)
	}
	if bad.decrypted != 0 {
		t.Fatalf("removed member decrypted %d frames", bad.decrypted)
	}
	for _, e := range bad.errs {
		if !errors.Is(e, ErrUnknownEpoch) && !errors.Is(e, ErrAuth) {
			t.Fatalf("removed member: unexpected %v", e)
		}
	}
	sds, err := w.members[1001].SealSDS(w.group, nil, []byte("after removal"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.members[1003].OpenSDS(w.group, nil, sds); err == nil {
		t.Fatal("removed member opened an SDS of the new epoch")
	}
	if _, _, err := w.members[1002].OpenSDS(w.group, nil, sds); err != nil {
		t.Fatal(err)
	}
}

func mustRx(t testing.TB, m *Member, g uint32) *Receiver {
	t.Helper()
	rx, err := m.Receiver(g)
	if err != nil {
		t.Fatal(err)
	}
	return rx
}

// TestLateEntry: a receiver that joins at every possible position of a
// transmission decrypts from the first frame after the next SAF: never more than
// one SAF interval (31 speech frames) lost, and the frames it does decrypt are
// right.
func TestLateEntry(t *testing.T) {
	w := newWorld(t, 2, SuiteChaCha)
	tx, _ := w.members[1001].Sender(w.group)
	r := rand.New(rand.NewPCG(4, 4))
	var plain [][]byte
	var items []airItem
	saf, _ := tx.NextSAF(nil)
	items = append(items, airItem{stch: saf})
	for i := 0; i < 200; i++ {
		if tx.FramesUntilSAF() == 0 {
			saf, _ := tx.NextSAF(nil)
			items = append(items, airItem{stch: saf})
		}
		f := randFrame(r)
		ct := make([]byte, FrameBits)
		if _, err := tx.SealVoice(ct, f); err != nil {
			t.Fatal(err)
		}
		plain = append(plain, f)
		items = append(items, airItem{frame: ct})
	}
	worst := 0
	fresh, err := w.members[1002].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for join := 1; join < len(items); join++ {
		// Each join is a different device state that has not heard this
		// transmission (otherwise the FC high-water mark rejects it as a replay).
		m, err := UnmarshalMember(fresh, MemberConfig{Now: w.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		rx := mustRx(t, m, w.group)
		lost, fi := 0, 0
		for _, it := range items[:join] {
			if it.stch == nil {
				fi++
			}
		}
		started := false
		pt := make([]byte, FrameBits)
		for _, it := range items[join:] {
			if it.stch != nil {
				if _, err := rx.AcceptSTCH(it.stch); err != nil {
					t.Fatalf("join %d: %v", join, err)
				}
				continue
			}
			_, err := rx.OpenVoice(pt, it.frame)
			switch {
			case err == nil:
				started = true
				if !slices.Equal(pt, plain[fi]) {
					t.Fatalf("join %d: frame %d decrypted wrong", join, fi)
				}
			case errors.Is(err, ErrNoSync) && !started:
				lost++
			default:
				t.Fatalf("join %d frame %d: %v", join, fi, err)
			}
			fi++
		}
		worst = max(worst, lost)
	}
	t.Logf("late entry: worst case %d speech frames lost (%.0f ms)", worst, float64(worst)*30)
	if worst > 31 {
		t.Fatalf("late entry lost %d frames, more than one SAF interval", worst)
	}
}

// TestTagOdds measures the forgery odds of a 16-bit truncated tag: 2^18 random
// alterations of a sub-window's ciphertext (random bits of random frames) are
// checked against the genuine tag; the fraction that collide must be near 2^-16
// (expected 4 of 262,144; the bound allows for chance, p < 1e-4 either way).
func TestTagOdds(t *testing.T) {
	var es [32]byte
	prk := epochPRK(SuiteAES, 0x1234, 1, &es)
	c := newVoiceChain(SuiteAES, &prk, 3)
	h := c.segment(0).hmac()
	r := rand.New(rand.NewPCG(11, 11))
	var frames [8]packedFrame
	for i := range frames {
		for j := range frames[i] {
			frames[i][j] = byte(r.Uint32())
		}
		frames[i][10] &= 0xfc // 2 pad bits
	}
	in := tagInput{typ: STCHSAF, suite: SuiteAES, g: 0x1234, e: 1, s: 3, fcNext: 40, tmin: 2, first: 1, last: 8, frames: frames[:]}
	var sum [32]byte
	genuine := in.tag(h, &sum)
	const trials = 1 << 18
	hits := 0
	for i := 0; i < trials; i++ {
		alt := frames
		nflip := 1 + r.IntN(8)
		for k := 0; k < nflip; k++ {
			b := r.IntN(ProtectedBits)
			alt[r.IntN(8)][b>>3] ^= 0x80 >> (b & 7)
		}
		if alt == frames {
			continue
		}
		in.frames = alt[:]
		if in.tag(h, &sum) == genuine {
			hits++
		}
	}
	t.Logf("forged sub-windows accepted: %d of %d = %.2e (2^-16 = %.2e)", hits, trials, float64(hits)/trials, 1.0/65536)
	if hits > 15 {
		t.Fatalf("%d collisions: far above 2^-16", hits)
	}
}

// TestTamperMutes: two failed sub-window tags in one transmission raise TAMPER
// (red) and mute the sender until its next transmission.
func TestTamperMutes(t *testing.T) {
	w := newWorld(t, 2, SuiteAES)
	tx, _ := w.members[1001].Sender(w.group)
	r := rand.New(rand.NewPCG(13, 13))
	items := recordTx(t, tx, 100, r)
	// Corrupt protected bits in two sub-windows of the second SAF interval.
	items[33+1].frame[protectedIdx[0]] ^= 1  // window 0 of SAF #2's interval
	items[33+20].frame[protectedIdx[5]] ^= 1 // window 2
	rx := mustRx(t, w.members[1002], w.group)
	pt := make([]byte, FrameBits)
	var muted, red bool
	for _, it := range items {
		if it.stch != nil {
			res, _ := rx.AcceptSTCH(it.stch)
			red = red || res.Indication == Red
			continue
		}
		if _, err := rx.OpenVoice(pt, it.frame); errors.Is(err, ErrMuted) {
			muted = true
		}
	}
	if !red || !muted {
		t.Fatalf("red %v muted %v", red, muted)
	}
	// The next transmission starts clean.
	pr := play(rx, recordTx(t, tx, 40, r))
	if pr.rejected != 0 || pr.red != 0 || pr.decrypted != 40 {
		t.Fatalf("next transmission: %+v", pr)
	}
}

// TestOldRecordingRefusedByTime: a device that never heard a transmission still
// refuses a replay of it once its t_min is more than 2 minutes old (the FC
// high-water mark cannot help a device that has no state for that sender).
func TestOldRecordingRefusedByTime(t *testing.T) {
	w := newWorld(t, 2, SuiteAES)
	snap, _ := w.members[1002].MarshalBinary()
	tx, _ := w.members[1001].Sender(w.group)
	items := recordTx(t, tx, 60, rand.New(rand.NewPCG(14, 14)))
	w.clk.Advance(3 * time.Minute)
	m, _ := UnmarshalMember(snap, MemberConfig{Now: w.clk.Now})
	pr := play(mustRx(t, m, w.group), items)
	if pr.decrypted != 0 {
		t.Fatalf("stale recording decrypted %d frames", pr.decrypted)
	}
	for _, e := range pr.errs[:3] {
		if !errors.Is(e, ErrTime) {
			t.Fatalf("want ErrTime, got %v", e)
		}
	}
}
