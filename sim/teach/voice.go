package teach

import (
	"time"

	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// weakCall is a tetra-e2ee-like transmission as the air carries it: one sync
// frame (marshalled, 128 bits) and the encrypted slots that follow it.
type weakCall struct {
	sync  [16]byte
	slots [][]byte
}

func weakTransmit(p *wteach.TETRAE2EELike, iv uint64, pt [][]byte) weakCall {
	return weakCall{sync: p.Sync(iv).Marshal(), slots: tetraE2EEEncrypt(p, pt, iv)}
}

// weakReceive is the tetra-e2ee-like receiver: accept the sync frame if its
// check passes, then decrypt the slots along the IV chain. It returns nil if the
// sync frame is refused.
func weakReceive(p *wteach.TETRAE2EELike, c weakCall) [][]byte {
	sf, err := wteach.ParseSyncFrame(c.sync)
	if err != nil || !p.Accept(sf) {
		return nil
	}
	return tetraE2EEEncrypt(p, c.slots, sf.IV) // XOR is its own inverse
}

// demoVoiceReplay is demo 7 (CVE-2025-52940): a recorded sync frame and its
// ciphertext play again, because nothing checks freshness.
func demoVoiceReplay(e *env) (*Result, error) {
	speech, err := encodeClip("hts1a", 0, 0)
	if err != nil {
		return nil, err
	}
	speech = speech[:len(speech)&^1]
	r := &Result{Lesson: "A receiver must refuse what it has already heard: tetrasim-v1 keeps a per-sender frame-counter high-water mark and checks the SAF's trusted time."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, uint32(e.rng.IntN(1<<20)), false)
	if err != nil {
		return nil, err
	}
	call := weakTransmit(p, e.rng.Uint64(), slots(speech))
	orig := weakReceive(p, call)
	w.say("The victim's call: one sync frame and %d slots (%.1f s). The listener plays %d frames; the attacker records everything.", len(call.slots), float64(len(speech))*0.03, 2*len(orig))
	var got [][]byte
	if rep := weakReceive(p, weakCall{call.sync, cloneSlots(call.slots)}); rep != nil {
		got = unslots(rep)
	}
	eq, tot := frameBitsEqual(speech, got)
	played := 0
	if got != nil {
		played = len(got)
	}
	w.say("An hour later the attacker transmits the recording. The sync frame's 26-bit check passes again; %d of %d frames play, %d of %d bits identical to the original speech.", played, len(speech), eq, tot)
	w.fig("replayed frames played", float64(played), "frames")
	w.fig("replayed frames rejected", float64(len(speech)-played), "frames")
	w.AttackSucceeded = played == len(speech) && eq == tot

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 4)
	if err != nil {
		return nil, err
	}
	tx, err := wd.members[1001].Sender(wd.group)
	if err != nil {
		return nil, err
	}
	items, _, err := transmit(tx, speech)
	if err != nil {
		return nil, err
	}
	rx, err := wd.members[1002].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h0 := play(rx, cloneItems(items))
	v.say("The same call under tetrasim-v1: %d SAFs accepted, %d frames played, EOT-SIG verified: %v. The attacker records it.", h0.safAccepted, h0.played, h0.eotVerified)
	h1 := play(rx, cloneItems(items))
	v.say("Replayed at once to the same listener: %d of %d SAFs rejected (%s); %d frames played, %d refused.", h1.safRejected, h1.safRejected+h1.safAccepted, firstErr(h1.safErrs), h1.played, h1.refused)
	wd.clk.Advance(time.Hour)
	rx3, err := wd.members[1003].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h2 := play(rx3, cloneItems(items))
	v.say("Replayed an hour later to a listener that never heard it: %d SAFs rejected (%s); %d frames played, %d refused.", h2.safRejected, firstErr(h2.safErrs), h2.played, h2.refused)
	// The limit, measured: a listener that missed the original call has no
	// high-water mark for the sender, so only the t_min check stands between it
	// and a prompt replay.
	wd.clk.Advance(-time.Hour + time.Minute)
	rx4, err := wd.members[1004].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h3 := play(rx4, cloneItems(items))
	v.say("The limit: replayed within a minute to a listener that missed the original, it plays (%d frames): the t_min tolerance (±%.0f min) bounds the window in which a replay can reach those who did not hear the call.", h3.played, rx4.TimeTolerance.Minutes())
	v.fig("replayed frames played", float64(h1.played+h2.played), "frames")
	v.fig("replayed frames rejected", float64(h1.refused+h2.refused), "frames")
	v.fig("replayed SAFs rejected", float64(h1.safRejected+h2.safRejected), "")
	v.fig("frames played by a listener that missed the call, replay after 1 min", float64(h3.played), "frames")
	v.AttackSucceeded = h1.played+h2.played > 0
	if !e.o.NoAudio {
		if err := r.addAudio("07-weak-replay-heard", "the replayed call as the tetra-e2ee-like listener hears it", got); err != nil {
			return nil, err
		}
		if err := r.addAudio("07-v1-replay-heard", "the replayed call as the tetrasim-v1 listener hears it (muted)", h1.frames); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func cloneSlots(s [][]byte) [][]byte {
	out := make([][]byte, len(s))
	for i := range s {
		out[i] = clone(s[i])
	}
	return out
}

func firstErr(errs []error) string {
	if len(errs) == 0 {
		return "no error"
	}
	return errs[0].Error()
}

// demoVoiceInject is demo 8 (CVE-2025-52940): known silence frames give the
// keystream at one IV; the attacker re-sends that sync frame with chosen speech.
func demoVoiceInject(e *env) (*Result, error) {
	const lead = 34 // 17 slots, about 1 s of silence before the victim speaks
	victim, err := encodeClip("hts1a", lead, 0)
	if err != nil {
		return nil, err
	}
	victim = victim[:len(victim)&^1]
	silence, err := encodeClip("hts1a", lead, 1) // the attacker's own codec
	if err != nil {
		return nil, err
	}
	silence = silence[:lead]
	chosen, err := encodeClip("hts2a", 0, lead) // the attacker's words
	if err != nil {
		return nil, err
	}
	r := &Result{Lesson: "Knowing keystream must not let anyone speak: tetrasim-v1 tags the ciphertext of every sub-window, so substituted frames raise TAMPER at the next SAF."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, uint32(e.rng.IntN(1<<20)), false)
	if err != nil {
		return nil, err
	}
	call := weakTransmit(p, e.rng.Uint64(), slots(victim))
	ss := slots(silence)
	var ks [][]byte
	for i := range ss {
		ks = append(ks, xorBytes(call.slots[i], ss[i]))
	}
	w.say("The victim keys up and is silent for %.2f s before speaking: the attacker XORs the %d recorded slots with ACELP silence from his own encoder and holds %d slots of keystream at the sync frame's IV.", float64(lead)*0.03, len(ss), len(ks))
	cs := slots(chosen)
	var forged [][]byte
	for i := range cs {
		forged = append(forged, xorBytes(cs[i], ks[i]))
	}
	got := weakReceive(p, weakCall{call.sync, forged})
	var gotFrames [][]byte
	if got != nil {
		gotFrames = unslots(got)
	}
	eq, tot := frameBitsEqual(chosen, gotFrames)
	w.say("He re-sends the old sync frame with his own %d ACELP frames XOR that keystream, without the key: the receiver accepts it and decodes %d of %d bits of the attacker's speech exactly.", len(chosen), eq, tot)
	w.fig("injected frames played", float64(len(gotFrames)), "frames")
	w.fig("injected bits exact", float64(eq), "bits")
	w.fig("injected bits total", float64(tot), "bits")
	w.AttackSucceeded = eq == tot

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
	items, _, err := transmit(tx, victim)
	if err != nil {
		return nil, err
	}
	// A man in the middle (fake base station) recovers the keystream of the
	// silent frames (CTR: ciphertext XOR known plaintext) and substitutes his
	// speech in those very positions, live, relaying the SAFs unchanged.
	vi := 0
	for _, it := range items {
		if it.ct == nil {
			continue
		}
		if vi < lead {
			k := xorBits(it.ct, silence[vi])
			copy(it.ct, xorBits(chosen[vi], k))
		}
		vi++
	}
	rx, err := wd.members[1002].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h := play(rx, items)
	before := 0
	for i := 0; i < lead && i < len(h.frames); i++ {
		if h.frames[i] != nil {
			before++
		}
	}
	v.say("The same keystream recovery works on any stream cipher, so a fake base station substitutes his %d frames live and relays the SAFs.", lead)
	v.say("The listener plays %d of them (%.2f s: tags arrive with the next SAF, at most 31 frames later); then %d sub-window tags fail, the indication turns %s and the rest of the call is muted (%d frames refused).", before, float64(before)*0.03, h.stats.WindowsFailed, indication(h), h.refused)
	v.fig("injected frames played before the alarm", float64(before), "frames")
	v.fig("tags failed", float64(h.stats.WindowsFailed), "")
	v.fig("frames muted", float64(h.refused), "frames")
	v.AttackSucceeded = !h.red
	if !e.o.NoAudio {
		if err := r.addAudio("08-weak-injected-heard", "the attacker's speech as the tetra-e2ee-like listener hears it", gotFrames); err != nil {
			return nil, err
		}
		if err := r.addAudio("08-v1-injected-heard", "the attempt on tetrasim-v1: up to one SAF interval, then TAMPER and mute", h.frames); err != nil {
			return nil, err
		}
	}
	return r, nil
}
