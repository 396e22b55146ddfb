package teach

import (
	"fmt"

	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// demoEavesdrop is demo 1 (AIE versus E2EE): an RF listener and a compromised
// base station, under clear, air-interface encryption only, and E2EE inside AIE.
// AIE ends at the base station, so the base station hears everything; E2EE ends
// in the terminals.
func demoEavesdrop(e *env) (*Result, error) {
	speech, err := encodeClip("hts1a", 0, 0)
	if err != nil {
		return nil, err
	}
	speech = speech[:len(speech)&^1]
	pt := slots(speech)
	r := &Result{Lesson: "Air-interface encryption protects one hop; whoever runs (or compromises) the base station hears everything. End-to-end encryption leaves it only metadata."}
	w := &r.Weak
	w.Profile = "clear, aie-toy (air-interface encryption only)"
	// Clear: the RF listener decodes everything.
	eqC, tot := slotBitsEqual(pt, pt)
	w.say("Clear call: an RF listener decodes %d of %d speech bits; the radio shows \"not encrypted\".", eqC, tot)
	a, err := wteach.NewAIEToy(e.bytes(10), 64)
	if err != nil {
		return nil, err
	}
	at := tdmaRun(uint32(e.rng.IntN(1<<15)), 1, len(pt))
	air := aieEncrypt(a, pt, at)
	eqRF, _ := slotBitsEqual(pt, air)
	// The base station holds the cell key: it is the other end of AIE.
	bs := aieEncrypt(a, air, at)
	eqBS, _ := slotBitsEqual(pt, bs)
	w.say("AIE only (aie-toy, 64-bit register): the RF listener's bits match the speech %.1f %% of the time (chance); the base station, which holds the cell key, decrypts %d of %d bits.", pct(eqRF, tot), eqBS, tot)
	w.fig("RF listener bits, clear", float64(eqC), "bits")
	w.fig("RF listener bits, AIE", float64(eqRF), "bits")
	w.fig("base station bits, AIE", float64(eqBS), "bits")
	w.fig("speech bits total", float64(tot), "bits")
	w.AttackSucceeded = eqBS == tot

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
	items, fcs, err := transmit(tx, speech)
	if err != nil {
		return nil, err
	}
	// The E2EE frames go out inside AIE; the base station strips AIE (it holds
	// the cell key) and sees the E2EE layer.
	onAir := aieEncrypt(a, slots(voiceCT(items)), at)
	ct := unslots(aieEncrypt(a, onAir, at))
	eqV, totV := frameBitsEqual(speech, ct)
	var meta []string
	safs := 0
	for _, it := range items {
		if it.stch == nil {
			continue
		}
		if s, err := e2ee.ParseSAF(it.stch); err == nil {
			safs++
			if len(meta) == 0 {
				meta = append(meta, fmt.Sprintf("sender index %d, epoch tag %d, FC_next %d, t_min %d", s.Sender, s.EpochTag, s.FCNext, s.TMin))
			}
		}
	}
	rx, err := wd.members[1002].Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h := play(rx, items)
	eqM, _ := frameBitsEqual(speech, h.frames)
	v.say("E2EE inside AIE: the base station removes AIE and gets tetrasim-v1 ciphertext: %d of %d bits match the speech (%.1f %%, chance).", eqV, totV, pct(eqV, totV))
	v.say("What it does see is metadata: %d SAFs in the clear (first: %s), %d frame counters %d..%d, who talks and when.", safs, meta[0], len(fcs), fcs[0], fcs[len(fcs)-1])
	v.say("The group member decrypts %d of %d bits.", eqM, totV)
	v.fig("base station bits, E2EE", float64(eqV), "bits")
	v.fig("speech bits total", float64(totV), "bits")
	v.fig("member bits", float64(eqM), "bits")
	v.fig("SAFs seen in the clear", float64(safs), "")
	v.AttackSucceeded = eqV*100 > totV*99
	if !e.o.NoAudio {
		if err := r.addAudio("01-bs-hears-aie", "what the base station hears of an AIE-only call", unslots(bs)); err != nil {
			return nil, err
		}
		if err := r.addAudio("01-bs-hears-e2ee", "what the base station hears of a tetrasim-v1 call (ciphertext decoded as speech)", ct); err != nil {
			return nil, err
		}
	}
	return r, nil
}
