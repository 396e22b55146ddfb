package teach

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tetrasim/tetrasim/e2ee"
	wteach "github.com/tetrasim/tetrasim/e2ee/teach"
)

// weakCipher is one unauthenticated weak profile applied to a short message: it
// writes len(dst) bytes of keystream for the message.
type weakCipher struct {
	profile string
	iv      string
	ks      func(dst []byte)
}

func weakCiphers(e *env) ([]weakCipher, error) {
	a, err := wteach.NewAIEToy(e.bytes(10), 32)
	if err != nil {
		return nil, err
	}
	t := wteach.TDMATime{TN: 3, FN: 9, MN: 40, HN: uint32(e.rng.IntN(1 << 15)), Dir: 1}
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, 0x12345, false)
	if err != nil {
		return nil, err
	}
	iv := e.rng.Uint64()
	q, err := wteach.NewP25Like(e.bytes(32))
	if err != nil {
		return nil, err
	}
	mi := e.rng.Uint64() | 1
	m, err := wteach.NewM17Like(e.bytes(32))
	if err != nil {
		return nil, err
	}
	var rnd [10]byte
	copy(rnd[:], e.bytes(10))
	ts := uint32(1_700_000_000 + e.rng.IntN(1e6))
	slot := make([]byte, wteach.SlotBytes)
	return []weakCipher{
		{"aie-toy", fmt.Sprintf("TDMA time HN=%d", t.HN), func(d []byte) { a.Keystream(slot, t); copy(d, slot) }},
		{"tetra-e2ee-like", fmt.Sprintf("IV %016x", iv), func(d []byte) { p.Keystream(slot, iv); copy(d, slot) }},
		{"p25-like", fmt.Sprintf("MI %016x", mi), func(d []byte) { q.Keystream(d, mi) }},
		{"m17-like", fmt.Sprintf("frame 0 of stream at %d", ts), func(d []byte) {
			var b [16]byte
			m.Keystream(b[:], ts, rnd, 0)
			copy(d, b[:])
		}},
	}, nil
}

// demoBitFlip is demo 6 (CVE-2022-24404, the M17 CTR warning): a stream cipher
// without a MAC lets an attacker flip plaintext bits by flipping ciphertext bits.
func demoBitFlip(e *env) (*Result, error) {
	msg := []byte("GO")
	delta := byte('G' ^ 'N')
	r := &Result{Lesson: "Encryption is not integrity: a stream cipher needs a MAC. tetrasim-v1 authenticates SDS with AES-256-GCM and voice with tags in every SAF."}
	w := &r.Weak
	w.Profile = "aie-toy, tetra-e2ee-like, p25-like, m17-like"
	ciphers, err := weakCiphers(e)
	if err != nil {
		return nil, err
	}
	fooled := 0
	for _, c := range ciphers {
		ks := make([]byte, len(msg))
		c.ks(ks)
		ct := xorBytes(msg, ks)
		ct[0] ^= delta // the attacker, without the key
		got := xorBytes(ct, ks)
		w.say("%-16s SDS %q, ciphertext %x; attacker XORs 0x%02x ('G' XOR 'N') into byte 0; receiver reads %q.", c.profile+":", msg, xorBytes(msg, ks), delta, got)
		if string(got) == "NO" {
			fooled++
		}
	}
	w.fig("profiles fooled", float64(fooled), "")
	w.fig("profiles tried", float64(len(ciphers)), "")
	w.AttackSucceeded = fooled == len(ciphers)

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 2)
	if err != nil {
		return nil, err
	}
	a, b := wd.members[1001], wd.members[1002]
	sds, err := a.SealSDS(wd.group, nil, msg)
	if err != nil {
		return nil, err
	}
	forged := clone(sds)
	forged[e2ee.SDSHeaderSize] ^= delta
	got, _, err := b.OpenSDS(wd.group, nil, forged)
	v.say("SDS %q sealed with AES-256-GCM (%d bytes on the air). The same flip of ciphertext byte 0: OpenSDS says %q and returns %q.", msg, len(sds), errText(err), got)
	accepted := 0
	if err == nil {
		accepted++
	}
	// Every single-bit flip of the whole message.
	flips := 0
	for i := range 8 * len(sds) {
		f := clone(sds)
		f[i/8] ^= 1 << (7 - i%8)
		flips++
		if _, _, err := b.OpenSDS(wd.group, nil, f); err == nil {
			accepted++
		}
	}
	v.say("All %d single-bit flips of header, ciphertext and tag: %d accepted.", flips, accepted)
	// Voice: flip the LSP bits (protected class 1) of 16 frames of a transmission,
	// across three sub-windows (the TAMPER threshold is 2 failed tags).
	frames, err := encodeClip("hts1a", 0, 62)
	if err != nil {
		return nil, err
	}
	tx, err := a.Sender(wd.group)
	if err != nil {
		return nil, err
	}
	items, _, err := transmit(tx, frames)
	if err != nil {
		return nil, err
	}
	flipped, vi := 0, 0
	for _, it := range items {
		if it.ct == nil {
			continue
		}
		if vi >= 4 && vi < 20 {
			for j := range 26 {
				it.ct[j] ^= 1
			}
			flipped++
		}
		vi++
	}
	rx, err := b.Receiver(wd.group)
	if err != nil {
		return nil, err
	}
	h := play(rx, items)
	v.say("Voice: the attacker flips the 26 LSP bits of %d speech frames in flight: %d sub-window tags fail, the receiver shows %s and mutes (%d frames played, %d muted).", flipped, h.stats.WindowsFailed, indication(h), h.played, h.refused)
	v.fig("forged SDS accepted", float64(accepted), "")
	v.fig("SDS bit flips tried", float64(flips+1), "")
	v.fig("voice tags failed", float64(h.stats.WindowsFailed), "")
	v.AttackSucceeded = accepted > 0 || !h.red
	return r, nil
}

func indication(h heard) string {
	if h.red {
		return "TAMPER (red)"
	}
	return h.last.String()
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// toySDS is a tetra-e2ee-like short data service (e2ee-design.md §1.2): an OFB
// keystream under a per-message IV (PIV) and a 32-bit MAC over (PIV,
// ciphertext). It authenticates, but checks no counter or time.
type toySDS struct {
	p   *wteach.TETRAE2EELike
	mac []byte
}

const toySDSHeader = 8 + 4 // PIV, MAC1

func (s toySDS) mac1(piv, ct []byte) []byte {
	h := hmac.New(sha256.New, s.mac)
	h.Write(piv)
	h.Write(ct)
	return h.Sum(nil)[:4]
}

func (s toySDS) seal(piv uint64, msg []byte) []byte {
	ks := make([]byte, wteach.SlotBytes)
	s.p.Keystream(ks, piv)
	out := binary.BigEndian.AppendUint64(nil, piv)
	ct := xorBytes(msg, ks[:len(msg)])
	out = append(out, s.mac1(out[:8], ct)...)
	return append(out, ct...)
}

var errToyMAC = errors.New("teach: toy SDS: bad length or MAC1 mismatch")

func (s toySDS) open(b []byte) ([]byte, error) {
	if len(b) < toySDSHeader || len(b) > toySDSHeader+wteach.SlotBytes {
		return nil, errToyMAC
	}
	piv, tag, ct := b[:8], b[8:12], b[12:]
	if !hmac.Equal(tag, s.mac1(piv, ct)) {
		return nil, errToyMAC
	}
	ks := make([]byte, wteach.SlotBytes)
	s.p.Keystream(ks, binary.BigEndian.Uint64(piv))
	return xorBytes(ct, ks[:len(ct)]), nil
}

// demoSDSReplay is demo 9 (CVE-2025-52942): an authenticated SDS with no
// counter or time check is accepted every time it is replayed.
func demoSDSReplay(e *env) (*Result, error) {
	cmd := []byte("OPEN GATE 4")
	const replays = 3
	r := &Result{Lesson: "Authentication is not freshness: a receiver must reject old counters (tetrasim-v1 keeps an RFC 6479 window of 48-bit SDS counters per sender)."}
	w := &r.Weak
	w.Profile = "tetra-e2ee-like"
	p, err := wteach.NewTETRAE2EELike(e.bytes(32), 0x8A, 0x12345, false)
	if err != nil {
		return nil, err
	}
	s := toySDS{p: p, mac: e.bytes(32)}
	msg := s.seal(e.rng.Uint64(), cmd)
	executed := 0
	for i := range 1 + replays {
		got, err := s.open(clone(msg))
		if err == nil && string(got) == string(cmd) {
			executed++
		}
		if i == 0 {
			w.say("The dispatcher sends %q (%d bytes: PIV, 32-bit MAC1, ciphertext); the gate controller opens it and the attacker records it.", cmd, len(msg))
		}
	}
	w.say("The attacker replays the recording %d times: the MAC is still valid and no counter is checked, so the command runs %d times in all.", replays, executed)
	w.fig("commands executed", float64(executed), "")
	w.fig("messages sent by the dispatcher", 1, "")
	w.AttackSucceeded = executed > 1

	v := &r.V1
	v.Profile = "tetrasim-v1"
	wd, err := newWorld(e, 2)
	if err != nil {
		return nil, err
	}
	a, b := wd.members[1001], wd.members[1002]
	sds, err := a.SealSDS(wd.group, nil, cmd)
	if err != nil {
		return nil, err
	}
	executed, rejected := 0, 0
	var why error
	for range 1 + replays {
		got, info, err := b.OpenSDS(wd.group, nil, clone(sds))
		if err != nil {
			rejected++
			why = err
			continue
		}
		executed++
		if executed == 1 {
			v.say("The dispatcher sends %q (%d bytes, message counter %d); it opens and runs.", got, len(sds), info.Counter)
		}
	}
	v.say("The same %d replays: %d run, %d rejected (%s).", replays, executed-1, rejected, errText(why))
	v.fig("commands executed", float64(executed), "")
	v.fig("replays rejected", float64(rejected), "")
	v.fig("messages sent", 1, "")
	v.AttackSucceeded = executed > 1
	return r, nil
}
