package teach

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// demoM17Digest is demo 13: an end-of-stream signature over a linear digest
// (M17's XOR-and-rotate) survives the same change to frames i and i+16, which
// CTR malleability lets an attacker make without the key.
func demoM17Digest(e *env) (*Result, error) {
	const nFrames, i0 = 40, 3
	r := &Result{Lesson: "A signature is only as strong as the digest it signs: tetrasim-v1 tags every sub-window with HMAC-SHA256 and its EOT-SIG signs a SHA-256 hash."}
	w := &r.Weak
	w.Profile = "m17-like"
	m, err := wteach.NewM17Like(e.bytes(32))
	if err != nil {
		return nil, err
	}
	var rnd [10]byte
	copy(rnd[:], e.bytes(10))
	ts := uint32(1_700_000_000 + e.rng.IntN(1e6))
	pt := make([][16]byte, nFrames)
	ct := make([][16]byte, nFrames)
	for i := range pt {
		copy(pt[i][:], fmt.Sprintf("%02d RV AT GATE 4 ", i))
		var ks [16]byte
		m.Keystream(ks[:], ts, rnd, uint16(i))
		for j := range ks {
			ct[i][j] = pt[i][j] ^ ks[j]
		}
	}
	signer, err := ecdsa.GenerateKey(elliptic.P256(), e.rd)
	if err != nil {
		return nil, err
	}
	d0 := wteach.LinearDigest(ct)
	sig, err := ecdsa.SignASN1(e.rd, signer, d0[:])
	if err != nil {
		return nil, err
	}
	w.say("A %d-frame data stream (%q ...) goes out under AES-CTR with an ECDSA P-256 end-of-stream signature over the linear digest.", nFrames, string(pt[i0][:]))
	pos := strings.IndexByte(string(pt[i0][:]), '4')
	mod := append([][16]byte(nil), ct...)
	mod[i0][pos] ^= '4' ^ '7'
	mod[i0+16][pos] ^= '4' ^ '7'
	d1 := wteach.LinearDigest(mod)
	valid := ecdsa.VerifyASN1(&signer.PublicKey, d1[:], sig)
	changed := 0
	var got [2]string
	for k, i := range []int{i0, i0 + 16} {
		var ks [16]byte
		m.Keystream(ks[:], ts, rnd, uint16(i))
		var p [16]byte
		for j := range ks {
			p[j] = mod[i][j] ^ ks[j]
		}
		got[k] = string(p[:])
		if p != pt[i] {
			changed++
		}
	}
	w.say("Without the key the attacker XORs '4' XOR '7' into byte %d of frames %d and %d: they now read %q and %q.", pos, i0, i0+16, got[0], got[1])
	w.say("The digest is unchanged (rotating 8 bits 16 times is the identity), so the receiver's signature check says: valid = %v.", valid)
	w.fig("frames changed", float64(changed), "frames")
	w.fig("signature valid", b2f(valid), "")
	w.AttackSucceeded = valid && changed == 2

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 2)
	if err != nil {
		return nil, err
	}
	frames, err := encodeClip("hts1a", 0, 62)
	if err != nil {
		return nil, err
	}
	tx, err := wd.members[1001].Sender(wd.group)
	if err != nil {
		return nil, err
	}
	items, _, err := transmit(tx, frames)
	if err != nil {
		return nil, err
	}
	orig := voiceCT(cloneItems(items))
	vi := 0
	for _, it := range items {
		if it.ct == nil {
			continue
		}
		if vi == i0 || vi == i0+16 {
			for j := range 8 { // the same change, on protected LSP bits
				it.ct[j] ^= 1
			}
		}
		vi++
	}
	h0 := sha256.Sum256(flatten(orig))
	h1 := sha256.Sum256(flatten(voiceCT(items)))
	rx, err := wd.members[1002].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h := play(rx, items)
	v.say("The same change to speech frames %d and %d of a tetrasim-v1 call: %d sub-window tags fail and the receiver shows %s.", i0, i0+16, h.stats.WindowsFailed, indication(h))
	v.say("SHA-256 over the frames (the kind of digest the EOT-SIG signs) changes: %x... vs %x...; no linear shortcut to a collision.", h0[:6], h1[:6])
	v.fig("tags failed", float64(h.stats.WindowsFailed), "")
	v.fig("digest unchanged", b2f(h0 == h1), "")
	v.AttackSucceeded = !h.red || h0 == h1
	return r, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func flatten(frames [][]byte) []byte {
	var b []byte
	for _, f := range frames {
		b = append(b, f...)
	}
	return b
}

// demoRemovedMember is demo 16: with a static key, removing a member from the
// roster changes nothing; tetrasim-v1 starts a new epoch the removed member
// gets no wrap for.
func demoRemovedMember(e *env) (*Result, error) {
	speech, err := encodeClip("hts1a", 0, 0)
	if err != nil {
		return nil, err
	}
	speech = speech[:len(speech)&^1]
	r := &Result{Lesson: "Membership change must change the key: tetrasim-v1's KMF starts a new epoch on every change, wrapped only to the remaining members."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, uint32(e.rng.IntN(1<<20)), false)
	if err != nil {
		return nil, err
	}
	// Handset C holds the static TEK. It is struck off the talkgroup, but the
	// TEK only changes at the next key-loader visit.
	call := weakTransmit(p, e.rng.Uint64(), slots(speech))
	heardC := weakReceive(p, call) // C still holds the TEK
	var cf [][]byte
	if heardC != nil {
		cf = unslots(heardC)
	}
	eq, tot := frameBitsEqual(speech, cf)
	w.say("Handset C is removed from the talkgroup. The static TEK stays in service until the next key-loader visit, so C decrypts the next call: %d of %d bits.", eq, tot)
	// The same static TEK opens old recordings in a stolen radio, and a copy of
	// it keeps working for a passive key thief.
	older := weakTransmit(p, e.rng.Uint64(), slots(speech))
	var old [][]byte
	if got := weakReceive(p, older); got != nil {
		old = unslots(got)
	}
	eqO, _ := frameBitsEqual(speech, old)
	w.say("A radio stolen a month later still holds the TEK: a call recorded before the theft decrypts, %d of %d bits; a passive thief with a copy of the TEK keeps listening until the next key-loader visit.", eqO, tot)
	w.fig("frames the removed member decrypts", float64(len(cf)), "frames")
	w.fig("bits exact", float64(eq), "bits")
	w.fig("recorded frames a stolen device decrypts", float64(len(old)), "frames")
	w.AttackSucceeded = eq == tot && eqO == tot

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 3)
	if err != nil {
		return nil, err
	}
	a, b, c := wd.members[1001], wd.members[1002], wd.members[1003]
	tx, err := a.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	t0 := wd.clk.t
	items, _, err := transmit(tx, speech)
	if err != nil {
		return nil, err
	}
	rxC, err := c.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	before := play(rxC, items)
	msgs, err := wd.kmf.RemoveMember(wd.group, 1003)
	if err != nil {
		return nil, err
	}
	if err := wd.deliver(msgs, 1001, 1002); err != nil {
		return nil, err
	}
	// C hears the broadcasts too (an insider keeps listening); they give it nothing.
	cHeard, cErrs, cWraps := 0, 0, 0
	for _, msg := range msgs {
		if msg.To == 1003 {
			cWraps++
		}
		if msg.To == 0 || msg.To == 1003 {
			for _, pl := range msg.Payloads {
				cHeard++
				if _, err := c.Apply(pl); err != nil {
					cErrs++
				}
			}
		}
	}
	wd.clk.Advance(wd.kmf.ActivationDelay)
	items2, _, err := transmit(tx, speech)
	if err != nil {
		return nil, err
	}
	first, err := e2ee.ParseSAF(items2[0].stch)
	if err != nil {
		return nil, err
	}
	rxB, err := b.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	afterB := play(rxB, cloneItems(items2))
	rxC2, err := c.Receiver(wd.group)
	var afterC heard
	if err == nil {
		afterC = play(rxC2, cloneItems(items2))
	} else {
		afterC = heard{refused: len(speech), safErrs: []error{err}}
	}
	v.say("Before the change C plays %d of %d frames of A's call.", before.played, len(speech))
	v.say("The KMF removes C: %d messages (%d bytes), a new epoch wrapped to A and B only. C hears the %d broadcast payloads (%d refused) but %d key wraps are addressed to it.", len(msgs), e2ee.Bytes(msgs), cHeard, cErrs, cWraps)
	v.say("A's next call runs in epoch tag %d: B plays %d frames; C plays %d (%s).", first.EpochTag, afterB.played, afterC.played, firstErr(afterC.safErrs))
	v.fig("frames C plays before", float64(before.played), "frames")
	v.fig("frames the removed member decrypts", float64(afterC.played), "frames")
	v.fig("frames B plays after", float64(afterB.played), "frames")
	v.fig("key wraps to the removed member", float64(cWraps), "")
	v.AttackSucceeded = afterC.played > 0 || cWraps > 0 || afterB.played != len(speech)

	// Forward secrecy: B's handset is stolen after the grace period; the call
	// recorded in the first epoch stays closed.
	wd.clk.Advance(wd.kmf.Grace + time.Minute)
	// B is in use after the grace period (it hears a short call), which erases
	// the superseded epoch; then it is stolen.
	short, _, err := transmit(tx, speech[:10])
	if err != nil {
		return nil, err
	}
	rxB2, err := b.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	play(rxB2, short)
	stolen, err := b.MarshalBinary()
	if err != nil {
		return nil, err
	}
	thiefClk := &clock{t0} // the thief sets its clock back to the recording's time
	thief, err := e2ee.UnmarshalMember(stolen, e2ee.MemberConfig{Now: thiefClk.Now, Rand: e.rd})
	if err != nil {
		return nil, err
	}
	rxT, err := thief.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	past := play(rxT, cloneItems(items))
	v.say("Forward secrecy: B's handset is stolen %d min later, after the old epoch's grace period (the device erased it). With its clock set back to the recording's time, the stolen keys decrypt %d frames of the first call (%s).", int((wd.clk.t.Sub(t0)+time.Minute/2)/time.Minute), past.played, firstErr(past.safErrs))
	thiefClk.t = wd.clk.t
	// Post-compromise security: the thief keeps a copy of B's state and listens
	// passively; B rotates its HPKE key, and the next epoch is wrapped to the new key.
	up, err := b.Identity().RotateHPKE(e.rd, 1)
	if err != nil {
		return nil, err
	}
	var inbox e2ee.KMFInbox
	for _, pl := range up {
		if err := wd.kmf.Apply(pl, &inbox); err != nil {
			return nil, err
		}
	}
	msgs, err = wd.kmf.Rekey(wd.group)
	if err != nil {
		return nil, err
	}
	if err := wd.deliver(msgs, 1001, 1002); err != nil {
		return nil, err
	}
	tErrs := 0
	for _, msg := range msgs {
		if msg.To == 0 || msg.To == 1002 {
			for _, pl := range msg.Payloads {
				if _, err := thief.Apply(pl); err != nil {
					tErrs++
				}
			}
		}
	}
	wd.clk.Advance(wd.kmf.ActivationDelay)
	thiefClk.t = wd.clk.t
	items3, _, err := transmit(tx, speech)
	if err != nil {
		return nil, err
	}
	rxB3, err := b.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	b3 := play(rxB3, cloneItems(items3))
	rxT3, err := thief.Receiver(wd.group)
	var t3 heard
	if err == nil {
		t3 = play(rxT3, cloneItems(items3))
	} else {
		t3 = heard{safErrs: []error{err}}
	}
	v.say("Post-compromise security: the thief's copy of B's keys listens on. B rotates its HPKE key (%d uplink SDS) and the KMF rekeys; the copy fails to open %d of the payloads meant for B. Next call: B plays %d frames, the thief %d (%s).", len(up), tErrs, b3.played, t3.played, firstErr(t3.safErrs))
	v.fig("recorded frames a stolen device decrypts", float64(past.played), "frames")
	v.fig("frames a key thief decrypts after rotation", float64(t3.played), "frames")
	v.fig("frames B plays after rotation", float64(b3.played), "frames")
	v.AttackSucceeded = v.AttackSucceeded || past.played > 0 || t3.played > 0 || b3.played != len(speech)
	if !e.o.NoAudio {
		if err := r.addAudio("16-weak-removed-member-hears", "the next call as removed handset C hears it (tetra-e2ee-like)", cf); err != nil {
			return nil, err
		}
		if err := r.addAudio("16-v1-removed-member-hears", "the next call as removed handset C hears it (tetrasim-v1)", afterC.frames); err != nil {
			return nil, err
		}
	}
	return r, nil
}
