package teach

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// rewriteSelf is what a malicious member does to its own rooted handset: it
// edits its device state (Member.MarshalBinary, the layout documented in
// e2ee/state.go: ... activation (8) || grace s (4) || max life s (4) || SAF
// slots (1) || self (2) || FC reserved (4) ...) so that it sends with another
// member's sender index, from frame counter fc on. The field is located by its
// known neighbours and must be found exactly once.
func rewriteSelf(state []byte, gi e2ee.GroupInfo, newSelf uint16, fc uint32) ([]byte, error) {
	if len(gi.Epochs) != 1 {
		return nil, fmt.Errorf("insider: want one epoch, have %d", len(gi.Epochs))
	}
	act := binary.BigEndian.AppendUint64(nil, uint64(gi.Epochs[0].Activation.Unix()))
	var hit = -1
	for i := 0; ; {
		j := bytes.Index(state[i:], act)
		if j < 0 {
			break
		}
		at := i + j + 8 + 4 + 4 + 1
		if at+6 <= len(state) && binary.BigEndian.Uint16(state[at:]) == gi.Sender {
			if hit >= 0 {
				return nil, fmt.Errorf("insider: sender field found twice")
			}
			hit = at
		}
		i += j + 1
	}
	if hit < 0 {
		return nil, fmt.Errorf("insider: sender field not found in the device state")
	}
	out := clone(state)
	binary.BigEndian.PutUint16(out[hit:], newSelf)
	binary.BigEndian.PutUint32(out[hit+2:], fc)
	return out, nil
}

// demoInsider is demo 14 (group-MAC limits; Sender Keys signing): member A
// holds the group keys and forges a transmission "as" member B.
func demoInsider(e *env) (*Result, error) {
	speech, err := encodeClip("hts2a", 0, 0)
	if err != nil {
		return nil, err
	}
	speech = speech[:len(speech)&^1]
	r := &Result{Lesson: "A group MAC only proves \"someone in the group\": per-sender signatures (tetrasim-v1's EOT-SIG, Ed25519 over every tag of the transmission) prove who."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, uint32(e.rng.IntN(1<<20)), false)
	if err != nil {
		return nil, err
	}
	// Every member holds the TEK; the talker identity is signalling in the
	// clear, which the insider sets to B's.
	call := weakTransmit(p, e.rng.Uint64(), slots(speech))
	got := weakReceive(p, call)
	played := 0
	if got != nil {
		played = 2 * len(got)
	}
	w.say("Member A holds the group TEK, keys up and signals B's identity. The listener accepts the sync frame and plays %d of %d frames as \"B\": nothing in the profile binds speech to a sender.", played, len(speech))
	w.fig("forged frames played", float64(played), "frames")
	w.fig("forgeries detected", 0, "")
	w.AttackSucceeded = played == len(speech)

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 3)
	if err != nil {
		return nil, err
	}
	a, b, c := wd.members[1001], wd.members[1002], wd.members[1003]
	// B's genuine call first, for contrast.
	txB, err := b.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	itB, _, err := transmit(txB, speech)
	if err != nil {
		return nil, err
	}
	rx, err := c.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	hB := play(rx, itB)
	v.say("B's genuine call: %d frames played under %s, EOT-SIG verified for device 1002: %v.", hB.played, hB.last, hB.eotVerified)
	// A rewrites its own device state to send with B's sender index.
	var giA, giB e2ee.GroupInfo
	for _, g := range a.Groups() {
		if g.Group == wd.group {
			giA = g
		}
	}
	for _, g := range b.Groups() {
		if g.Group == wd.group {
			giB = g
		}
	}
	st, err := a.MarshalBinary()
	if err != nil {
		return nil, err
	}
	forgedState, err := rewriteSelf(st, giA, giB.Sender, 100000)
	if err != nil {
		return nil, err
	}
	evil, err := e2ee.UnmarshalMember(forgedState, e2ee.MemberConfig{Now: wd.clk.Now, Rand: e.rd})
	if err != nil {
		return nil, err
	}
	txA, err := evil.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	itA, _, err := transmit(txA, speech)
	if err != nil {
		return nil, err
	}
	hA := play(rx, itA)
	v.say("Insider A edits its own handset's state (sender index %d -> %d, B's) and talks: the group tags pass, %d frames play under %s (a group MAC cannot tell members apart).", giA.Sender, giB.Sender, hA.played, hA.last)
	v.say("At the end of the transmission the EOT-SIG, signed with A's identity key, fails against B's roster key: verified = %v (%s); the receiver flags the call as not from B.", hA.eotVerified, firstErr(hA.safErrs))
	v.fig("forged frames played", float64(hA.played), "frames")
	v.fig("forgeries detected", b2f(hA.eotFailed && !hA.eotVerified), "")
	v.fig("genuine EOT-SIG verified", b2f(hB.eotVerified), "")
	v.AttackSucceeded = hA.eotVerified || !hA.eotFailed
	return r, nil
}
