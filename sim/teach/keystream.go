package teach

import (
	"fmt"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// tdmaRun returns n consecutive traffic-slot times on timeslot 2 starting at
// multiframe mn of hyperframe hn: frames 1..17 carry traffic, frame 18 is the
// control frame (EN 300 392-2 V3.2.1 clause 9, TDMA structure), so it is skipped.
func tdmaRun(hn, mn uint32, n int) []wteach.TDMATime {
	t := wteach.TDMATime{TN: 2, FN: 1, MN: mn, HN: hn, Dir: 1}
	out := make([]wteach.TDMATime, 0, n)
	for range n {
		out = append(out, t)
		t.FN++
		if t.FN == 18 {
			t.FN = 1
			t.MN++
			if t.MN > 60 {
				t.MN = 1
				t.HN++
			}
		}
	}
	return out
}

// aieEncrypt encrypts slots under the aie-toy keystream at the given times.
func aieEncrypt(a *wteach.AIEToy, pt [][]byte, at []wteach.TDMATime) [][]byte {
	ks := make([]byte, wteach.SlotBytes)
	out := make([][]byte, len(pt))
	for i := range pt {
		a.Keystream(ks, at[i])
		out[i] = xorBytes(pt[i], ks)
	}
	return out
}

// demoTimeRewind is demo 4 (CVE-2022-24401): the IV comes from unauthenticated
// network time, so a fake base station that rewinds time makes the victim
// re-encrypt under an old IV.
func demoTimeRewind(e *env) (*Result, error) {
	secret, err := encodeClip("hts1a", 0, 0)
	if err != nil {
		return nil, err
	}
	n := len(secret) &^ 1
	secret = secret[:n]
	known, err := encodeClip("hts1a", n, 0) // the attacker's own codec: n frames of silence
	if err != nil {
		return nil, err
	}
	known = known[:n]
	r := &Result{Lesson: "Never derive a nonce from time the network controls: tetrasim-v1's nonce is (epoch, sender, frame counter), chosen by the sender."}

	// Weak: aie-toy, 32-bit register, IV from TDMA time.
	w := &r.Weak
	w.Profile = "aie-toy"
	a, err := wteach.NewAIEToy(e.bytes(10), 32)
	if err != nil {
		return nil, err
	}
	when := tdmaRun(1000+uint32(e.rng.IntN(20000)), 1, n/2)
	secretSlots := slots(secret)
	recorded := aieEncrypt(a, secretSlots, when)
	w.say("The victim talks for %.1f s (%d slots) at network time HN=%d MN=%d; the attacker records the ciphertext.", float64(n)*0.03, len(recorded), when[0].HN, when[0].MN)
	// Days later: the fake base station broadcasts the old hyperframe number.
	rewound := tdmaRun(when[0].HN, when[0].MN, n/2)
	knownSlots := slots(known)
	ct2 := aieEncrypt(a, knownSlots, rewound)
	w.say("Later a fake base station broadcasts HN=%d again; the victim's radio follows network time and transmits %d slots of silence, whose ACELP bits the attacker computes with the same codec.", rewound[0].HN, len(ct2))
	var recovered [][]byte
	for i := range recorded {
		ks := xorBytes(ct2[i], knownSlots[i])
		recovered = append(recovered, xorBytes(recorded[i], ks))
	}
	eq, tot := slotBitsEqual(secretSlots, recovered)
	w.say("Keystream = ciphertext XOR known silence; recorded call XOR keystream = %d of %d speech bits recovered (%.1f %%).", eq, tot, pct(eq, tot))
	w.fig("keystream slots reused", float64(len(ct2)), "slots")
	w.fig("speech bits recovered", float64(eq), "bits")
	w.fig("speech bits total", float64(tot), "bits")
	w.AttackSucceeded = eq == tot

	// tetrasim-v1: the same attack.
	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 2)
	if err != nil {
		return nil, err
	}
	tx, err := wd.members[1001].Sender(wd.group)
	if err != nil {
		return nil, err
	}
	rec1, fc1, err := transmit(tx, secret)
	if err != nil {
		return nil, err
	}
	v.say("The victim talks the same %.1f s under tetrasim-v1 (frame counters %d..%d); the attacker records it.", float64(n)*0.03, fc1[0], fc1[len(fc1)-1])
	wd.clk.Advance(20 * time.Minute)
	rec2, fc2, err := transmit(tx, known)
	if err != nil {
		return nil, err
	}
	v.say("The fake base station rewinds network time; tetrasim-v1 takes no network-time input, so the victim's silence goes out at frame counters %d..%d.", fc2[0], fc2[len(fc2)-1])
	reused := 0
	seen := map[uint32]bool{}
	for _, fc := range fc1 {
		seen[fc] = true
	}
	for _, fc := range fc2 {
		if seen[fc] {
			reused++
		}
	}
	ct1, ct2v := voiceCT(rec1), voiceCT(rec2)
	var rec [][]byte
	for i := range ct1 {
		ks := xorBits(ct2v[i], known[i])
		rec = append(rec, xorBits(ct1[i], ks))
	}
	eq1, tot1 := frameBitsEqual(secret, rec)
	v.say("Nonces (frame counters) reused: %d of %d. The same XOR gives %d of %d bits right (%.1f %%): chance, nothing recovered.", reused, len(fc2), eq1, tot1, pct(eq1, tot1))
	v.fig("nonces reused", float64(reused), "frames")
	v.fig("speech bits recovered", float64(eq1), "bits")
	v.fig("speech bits total", float64(tot1), "bits")
	v.AttackSucceeded = reused > 0 || eq1*100 > tot1*99

	if !e.o.NoAudio {
		if err := r.addAudio("04-weak-recovered", "the recorded call, decrypted by the attacker on aie-toy", unslots(recovered)); err != nil {
			return nil, err
		}
		if err := r.addAudio("04-v1-recovered", "the same attack on tetrasim-v1: noise", rec); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// addAudio decodes frames and appends them as a speech output.
func (r *Result) addAudio(name, desc string, frames [][]byte) error {
	pcm, err := decodeFrames(frames)
	if err != nil {
		return err
	}
	r.Audio = append(r.Audio, Audio{Name: name, Description: desc, PCM: pcm})
	return nil
}

// voiceCT returns the speech ciphertext frames of a recorded transmission.
func voiceCT(items []item) [][]byte {
	var out [][]byte
	for _, it := range items {
		if it.ct != nil {
			out = append(out, it.ct)
		}
	}
	return out
}

// xorBits returns a XOR b for unpacked bits.
func xorBits(a, b []byte) []byte { return xorBytes(a, b) }

// tetraE2EEEncrypt encrypts slots under the tetra-e2ee-like keystream chain that
// starts at iv, and returns the ciphertext.
func tetraE2EEEncrypt(p *wteach.TETRAE2EELike, pt [][]byte, iv uint64) [][]byte {
	ks := make([]byte, wteach.SlotBytes)
	out := make([][]byte, len(pt))
	for i := range pt {
		iv = p.Keystream(ks, iv)
		out[i] = xorBytes(pt[i], ks)
	}
	return out
}

// demoNonceReuse is demo 5: a sender that loses its counter in a reboot reuses
// keystream (a two-time pad); tetrasim-v1 persists a counter reservation.
func demoNonceReuse(e *env) (*Result, error) {
	call1, err := encodeClip("hts1a", 0, 0)
	if err != nil {
		return nil, err
	}
	const lead = 20
	call2, err := encodeClip("hts2a", lead, 0)
	if err != nil {
		return nil, err
	}
	n := min(len(call1), len(call2)) &^ 1
	call1, call2 = call1[:n], call2[:n]
	r := &Result{Lesson: "A (key, nonce) pair must never repeat: persist the counter (tetrasim-v1 reserves blocks of 4096 before use) or start a new epoch."}

	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, uint32(e.rng.IntN(1<<20)), false)
	if err != nil {
		return nil, err
	}
	iv0 := e.rng.Uint64()
	s1, s2 := slots(call1), slots(call2)
	c1 := tetraE2EEEncrypt(p, s1, iv0)
	c2 := tetraE2EEEncrypt(p, s2, iv0) // after the reboot: the IV chain restarts
	w.say("The radio keeps its IV chain in RAM. Call 1 (%d slots) starts at IV %016x; the radio reboots and call 2 starts at the same IV.", len(c1), iv0)
	var cx, px [][]byte
	for i := range c1 {
		cx = append(cx, xorBytes(c1[i], c2[i]))
		px = append(px, xorBytes(s1[i], s2[i]))
	}
	eq, tot := slotBitsEqual(px, cx)
	w.say("ciphertext1 XOR ciphertext2 equals plaintext1 XOR plaintext2 in %d of %d bits: the key cancels out.", eq, tot)
	// Call 2 opened with silence the attacker can compute: that part of call 1 falls outright.
	silence, err := encodeClip("hts2a", lead, 1)
	if err != nil {
		return nil, err
	}
	silence = slots(silence[:lead])
	var got [][]byte
	for i := range silence {
		got = append(got, xorBytes(xorBytes(c1[i], c2[i]), silence[i]))
	}
	e1, t1 := slotBitsEqual(s1[:len(silence)], got)
	w.say("Call 2 opened with %d frames of silence, so the first %d frames of call 1 decrypt outright: %d of %d bits.", lead, 2*len(silence), e1, t1)
	w.fig("xor-equal bits", float64(eq), "bits")
	w.fig("xor bits total", float64(tot), "bits")
	w.fig("call-1 frames recovered", float64(2*len(silence)), "frames")
	w.AttackSucceeded = eq == tot && e1 == t1

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 2)
	if err != nil {
		return nil, err
	}
	m := wd.members[1001]
	var saved []byte
	persists := 0
	m.Persist = func() error {
		persists++
		saved, err = m.MarshalBinary()
		return err
	}
	tx, err := m.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	it1, fc1, err := transmit(tx, call1)
	if err != nil {
		return nil, err
	}
	if saved == nil {
		return nil, fmt.Errorf("no counter reservation was persisted")
	}
	v.say("Call 1 goes out at frame counters %d..%d; before using them the handset persisted a reservation (%d write).", fc1[0], fc1[len(fc1)-1], persists)
	// Power loss: the handset restarts from its key store.
	m2, err := e2ee.UnmarshalMember(saved, e2ee.MemberConfig{Now: wd.clk.Now, Rand: e.rd})
	if err != nil {
		return nil, err
	}
	tx2, err := m2.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	it2, fc2, err := transmit(tx2, call2)
	if err != nil {
		return nil, err
	}
	v.say("The handset reboots from its key store and resumes above the reservation: call 2 goes out at frame counters %d..%d.", fc2[0], fc2[len(fc2)-1])
	reused := 0
	seen := map[uint32]bool{}
	for _, fc := range fc1 {
		seen[fc] = true
	}
	for _, fc := range fc2 {
		if seen[fc] {
			reused++
		}
	}
	v1a, v1b := voiceCT(it1), voiceCT(it2)
	eqv, totv := 0, 0
	for i := range v1a {
		x, y := xorBits(v1a[i], v1b[i]), xorBits(call1[i], call2[i])
		for j := range x {
			if x[j] == y[j] {
				eqv++
			}
		}
		totv += len(x)
	}
	rx, err := wd.members[1002].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h1, h2 := play(rx, it1), play(rx, it2)
	v.say("Nonces reused: %d. ciphertext1 XOR ciphertext2 matches plaintext1 XOR plaintext2 in %d of %d bits (%.1f %%): chance. The listener still played %d + %d frames.", reused, eqv, totv, pct(eqv, totv), h1.played, h2.played)
	v.fig("nonces reused", float64(reused), "frames")
	v.fig("xor-equal bits", float64(eqv), "bits")
	v.fig("xor bits total", float64(totv), "bits")
	v.fig("first FC after reboot", float64(fc2[0]), "")
	v.AttackSucceeded = reused > 0 || eqv*100 > totv*99
	if !e.o.NoAudio {
		if err := r.addAudio("05-weak-call1-from-silence", "the start of call 1 recovered through call 2's silence (tetra-e2ee-like)", unslots(got)); err != nil {
			return nil, err
		}
	}
	return r, nil
}
