package teach

import (
	"bytes"
	"math/rand/v2"
	"testing"

	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// TestControls: the weak-profile successes are not tautologies. Without the
// flaw each attack exploits (a rewound time, a repeated IV, a valid sync
// frame), the same computation gives chance.
func TestControls(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	frames := make([][]byte, 40)
	for i := range frames {
		frames[i] = make([]byte, frameBits)
		for j := range frames[i] {
			frames[i][j] = byte(r.Uint32() & 1)
		}
	}
	pt := slots(frames)
	if got := unslots(pt); len(got) != len(frames) || !bytes.Equal(got[7], frames[7]) || !bytes.Equal(got[39], frames[39]) {
		t.Fatal("packSlot/unpackSlot round trip")
	}

	// Time rewind: recovering with the keystream of a later, not rewound, time.
	a, _ := wteach.NewAIEToy(rnd(10), 32)
	when := tdmaRun(100, 1, len(pt))
	later := tdmaRun(101, 1, len(pt))
	rec := aieEncrypt(a, pt, when)
	known := pt // the attacker knows what the victim sends now
	ct2 := aieEncrypt(a, known, later)
	var out [][]byte
	for i := range rec {
		out = append(out, xorBytes(rec[i], xorBytes(ct2[i], known[i])))
	}
	if eq, tot := slotBitsEqual(pt, out); eq*10 > tot*6 {
		t.Errorf("no rewind: %d of %d bits recovered, want chance", eq, tot)
	}

	// Two-time pad: two IVs give unrelated keystreams.
	p, _ := wteach.NewTETRAE2EELike(rnd(32), 0x8A, 1, false)
	c1 := tetraE2EEEncrypt(p, pt, 1)
	c2 := tetraE2EEEncrypt(p, pt, 2)
	var x, zero [][]byte
	for i := range c1 {
		x = append(x, xorBytes(c1[i], c2[i]))
		zero = append(zero, make([]byte, len(c1[i])))
	}
	if eq, tot := slotBitsEqual(zero, x); eq*10 > tot*6 {
		t.Errorf("different IVs: ciphertext XOR matches plaintext XOR in %d of %d bits", eq, tot)
	}

	// Replay: a sync frame with a wrong check is refused, so the replay's success
	// rests on the check passing for a recorded frame.
	call := weakTransmit(p, 77, pt)
	call.sync[15] ^= 1
	if weakReceive(p, call) != nil {
		t.Error("tampered sync frame accepted")
	}

	// A muted position decodes to silence.
	pcm, err := decodeFrames([][]byte{nil})
	if err != nil || len(pcm) != 240 {
		t.Fatal(err, len(pcm))
	}
	for _, s := range pcm {
		if s != 0 {
			t.Fatal("muted frame not silent")
		}
	}
}
