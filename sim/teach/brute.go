package teach

import (
	"bytes"
	"fmt"
	"math"
	"time"

	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// secondsPerYear is a Julian year.
const secondsPerYear = 365.25 * 24 * 3600

// yearsFor is the expected time in years to search half of 2^bits keys at rate
// keys per second.
func yearsFor(bits int, rate float64) float64 {
	return math.Ldexp(1, bits-1) / rate / secondsPerYear
}

func humanDuration(sec float64) string {
	switch {
	case sec < 120:
		return fmt.Sprintf("%.2f s", sec)
	case sec < 2*3600:
		return fmt.Sprintf("%.0f min", sec/60)
	case sec < 3*86400:
		return fmt.Sprintf("%.1f h", sec/3600)
	case sec < 2*secondsPerYear:
		return fmt.Sprintf("%.0f days", sec/86400)
	default:
		return fmt.Sprintf("%.3g years", sec/secondsPerYear)
	}
}

// keyForRegister returns an 80-bit key whose fold is reg (bits above the width
// zero): any key with the same fold is the same aie-toy cipher.
func keyForRegister(reg uint64, width int) []byte {
	k := make([]byte, 10)
	for i := range width {
		if reg>>i&1 == 1 {
			k[i/8] |= 1 << (7 - i%8)
		}
	}
	return k
}

// demoBruteForce is demo 2 (CVE-2022-24402): the 80-bit key is folded into a
// small register, which an exhaustive search over known keystream recovers.
func demoBruteForce(e *env) (*Result, error) {
	width := e.o.Width
	speech, err := encodeClip("hts1a", 2, 0)
	if err != nil {
		return nil, err
	}
	speech = speech[:len(speech)&^1]
	r := &Result{Lesson: "Key length is what the keystream generator really depends on, not what the key file holds: tetrasim-v1 uses 256-bit keys end to end."}
	w := &r.Weak
	w.Profile = "aie-toy"
	a, err := wteach.NewAIEToy(e.bytes(10), width)
	if err != nil {
		return nil, err
	}
	at := tdmaRun(uint32(e.rng.IntN(1<<15)), 1, len(speech)/2)
	pt := slots(speech)
	ct := aieEncrypt(a, pt, at)
	// The call opens with silence (the first slot), whose bits the attacker
	// computes: known plaintext XOR ciphertext is keystream at a known time.
	known := xorBytes(ct[0], pt[0])
	w.say("A call is encrypted with an 80-bit key that the cipher folds into a %d-bit register. Its first slot is silence: %d bits of known keystream at HN=%d MN=%d FN=%d.", width, wteach.SlotBits, at[0].HN, at[0].MN, at[0].FN)
	start := time.Now()
	reg, tried, err := wteach.BruteForceAIE(known, at[0], width)
	sec := time.Since(start).Seconds()
	if err != nil {
		return nil, err
	}
	rate := float64(tried) / max(sec, 1e-9)
	w.say("Exhaustive search: register %#x found after %d of %d candidates in %s (%.3g keys/s on one core).", reg, tried, uint64(1)<<width, humanDuration(sec), rate)
	found, err := wteach.NewAIEToy(keyForRegister(reg, width), width)
	if err != nil {
		return nil, err
	}
	if found.Register() != reg {
		return nil, fmt.Errorf("key for register %#x folds to %#x", reg, found.Register())
	}
	dec := aieEncrypt(found, ct, at)
	eq, tot := slotBitsEqual(pt, dec)
	w.say("With the register the attacker decrypts the whole %.1f s call: %d of %d bits.", float64(len(speech))*0.03, eq, tot)
	w.say("At this rate: 32 bits (TEA1's register) %s, 56 bits %s, 80 bits %s on average.",
		humanDuration(yearsFor(32, rate)*secondsPerYear), humanDuration(yearsFor(56, rate)*secondsPerYear), humanDuration(yearsFor(80, rate)*secondsPerYear))
	w.fig("register width", float64(width), "bits")
	w.fig("candidates tried", float64(tried), "")
	w.fig("search time", sec, "s")
	w.fig("rate", rate, "keys/s")
	w.fig("speech bits decrypted", float64(eq), "bits")
	w.fig("speech bits total", float64(tot), "bits")
	w.fig("expected hours, 32 bits", yearsFor(32, rate)*secondsPerYear/3600, "h")
	w.AttackSucceeded = reg == a.Register() && eq == tot

	v := &r.V1
	v.Profile = "tetrasim-v1"
	y := yearsFor(256, rate)
	v.say("tetrasim-v1 has no reduced-key mode: voice runs AES-256-CTR or ChaCha20 under 256-bit keys derived per sender and segment (suites 0x01, 0x02).")
	v.say("The same search at the same rate needs 2^255 candidates on average: %.3g years (the universe is 1.4e10 years old).", y)
	v.fig("key bits", 256, "bits")
	v.fig("expected years", y, "years")
	v.AttackSucceeded = y < 100
	if !e.o.NoAudio {
		if err := r.addAudio("02-weak-decrypted", "the call decrypted with the brute-forced register", unslots(dec)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// demoAES56 is demo 3 (CVE-2025-52941): "AES" with 56 bits of key entropy.
func demoAES56(e *env) (*Result, error) {
	const searchBits = 16
	r := &Result{Lesson: "\"AES\" on the label means nothing if key processing throws bits away: count the entropy that reaches the cipher. tetrasim-v1 has no processed-key modes."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like (AlgID 0x87, 56-bit key processing)"
	key := e.bytes(16)
	p, err := wteach.NewTETRAE2EELike(key, 0x87, 1, true)
	if err != nil {
		return nil, err
	}
	iv := e.rng.Uint64()
	want := make([]byte, wteach.SlotBytes)
	p.Keystream(want, iv)
	// 1. Bytes 0-8 do not matter.
	const trials = 256
	same := 0
	ks := make([]byte, wteach.SlotBytes)
	for range trials {
		k := clone(key)
		copy(k[:9], e.bytes(9))
		q, err := wteach.NewTETRAE2EELike(k, 0x87, 1, true)
		if err != nil {
			return nil, err
		}
		q.Keystream(ks, iv)
		if bytes.Equal(ks, want) {
			same++
		}
	}
	w.say("A 128-bit key goes through the AlgID 0x87 key processing. %d of %d keys with random bytes 0-8 give the identical keystream: only bytes 9-15 count, 2^56 keys.", same, trials)
	// 2. Search a 2^16 slice of the 56-bit space (bytes 14-15) to measure the rate.
	start := time.Now()
	tried, hit := 0, -1
	cand := make([]byte, 16)
	copy(cand[9:14], key[9:14])
	for c := range 1 << searchBits {
		cand[14], cand[15] = byte(c>>8), byte(c)
		q, err := wteach.NewTETRAE2EELike(cand, 0x87, 1, true)
		if err != nil {
			return nil, err
		}
		q.Keystream(ks, iv)
		tried++
		if bytes.Equal(ks, want) {
			hit = c
			break
		}
	}
	sec := time.Since(start).Seconds()
	rate := float64(tried) / max(sec, 1e-9)
	w.say("Searching key bytes 14-15 (bytes 9-13 given, a 2^%d slice) against known keystream finds the key after %d candidates in %s: %.3g keys/s on one core.", searchBits, tried, humanDuration(sec), rate)
	w.say("The whole 2^56 space at this rate: %s on one core, %s on 1000 cores; the same harness on a full 128-bit AES key: %.3g years.",
		humanDuration(yearsFor(56, rate)*secondsPerYear), humanDuration(yearsFor(56, rate)*secondsPerYear/1000), yearsFor(128, rate))
	w.fig("keys equivalent", float64(same), "")
	w.fig("keys tried", float64(trials), "")
	w.fig("effective key bits", 56, "bits")
	w.fig("search candidates", float64(tried), "")
	w.fig("rate", rate, "keys/s")
	w.fig("expected years, 56 bits, one core", yearsFor(56, rate), "years")
	w.AttackSucceeded = same == trials && hit == int(key[14])<<8|int(key[15])

	v := &r.V1
	v.Profile = "tetrasim-v1"
	y := yearsFor(256, rate)
	v.say("tetrasim-v1 only has 256-bit suites, and the suite is bound into the key derivation, so no label can stand for a weaker key: 2^255 candidates on average at this rate, %.3g years.", y)
	v.fig("key bits", 256, "bits")
	v.fig("expected years", y, "years")
	v.AttackSucceeded = y < 100
	return r, nil
}
