package teach

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
)

func randSlot(r *rand.Rand) []byte {
	b := make([]byte, SlotBytes)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[SlotBytes-1] &= 0xC0
	return b
}

// Demo 4 (CVE-2022-24401): a fake base station rewinds network time; the victim
// re-encrypts under the old IV; known plaintext XOR ciphertext gives the keystream
// that decrypts the recorded slot.
func TestAIEToyTimeRewind(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	a, err := NewAIEToy([]byte("0123456789"), 32)
	if err != nil {
		t.Fatal(err)
	}
	when := TDMATime{TN: 2, FN: 7, MN: 33, HN: 1000}
	secret := randSlot(r)
	rec := append([]byte(nil), secret...)
	ks := make([]byte, SlotBytes)
	a.Keystream(ks, when)
	XOR(rec, ks) // recorded ciphertext
	// Later: time spoofed back to `when`; the victim sends a known message.
	known := randSlot(r)
	ct := append([]byte(nil), known...)
	a.Keystream(ks, when)
	XOR(ct, ks)
	XOR(ct, known) // = keystream at `when`
	XOR(rec, ct)
	if !bytes.Equal(rec, secret) {
		t.Fatal("rewind attack did not recover the recorded slot")
	}
}

// Demo 2 (CVE-2022-24402): the 80-bit key collapses to a small register that a
// known-keystream search recovers (16 bits here to keep the test fast).
func TestAIEToyBruteForce(t *testing.T) {
	a, _ := NewAIEToy([]byte("secretkey!"), 16)
	when := TDMATime{TN: 1, FN: 1, MN: 1, HN: 5}
	ks := make([]byte, SlotBytes)
	a.Keystream(ks, when)
	reg, tried, err := BruteForceAIE(ks, when, 16)
	if err != nil || reg != a.Register() {
		t.Fatalf("found %x after %d, want %x: %v", reg, tried, a.Register(), err)
	}
	t.Logf("16-bit register found after %d of 65536 candidates", tried)
	// Two different 80-bit keys with the same fold are the same cipher.
	k1 := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	k2 := []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 0} // bit 15 vs bit 79: 79 mod 16 = 15
	b1, _ := NewAIEToy(k1, 16)
	b2, _ := NewAIEToy(k2, 16)
	if b1.Register() != b2.Register() {
		t.Fatalf("fold: %x %x", b1.Register(), b2.Register())
	}
}

// Demos 7 and 8 (CVE-2025-52940): a recorded sync frame plus ciphertext replays
// perfectly, and known silence frames give the keystream to inject chosen speech.
func TestTETRAE2EELikeReplayAndInjection(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	key := make([]byte, 32)
	p, _ := NewTETRAE2EELike(key, 0x8A, 0x12345, false)
	iv := uint64(0x0123456789ABCDEF)
	sf := p.Sync(iv)
	wire := sf.Marshal()
	got, err := ParseSyncFrame(wire)
	if err != nil || got != sf {
		t.Fatalf("sync round trip %+v %v", got, err)
	}
	silence := make([]byte, SlotBytes) // predictable plaintext
	ks := make([]byte, SlotBytes)
	p.Keystream(ks, iv)
	ct := append([]byte(nil), silence...)
	XOR(ct, ks)
	// Replay: the receiver accepts the old sync frame again and decrypts the same.
	if !p.Accept(got) {
		t.Fatal("replayed sync frame refused (the toy should accept it)")
	}
	// Injection: keystream = known plaintext XOR ciphertext; XOR chosen speech in.
	stolen := append([]byte(nil), ct...)
	XOR(stolen, silence)
	chosen := randSlot(r)
	forged := append([]byte(nil), chosen...)
	XOR(forged, stolen)
	rx := make([]byte, SlotBytes)
	p.Keystream(rx, got.IV)
	XOR(forged, rx)
	if !bytes.Equal(forged, chosen) {
		t.Fatal("injected slot does not decrypt to the attacker's speech")
	}
}

// Demo 3 (CVE-2025-52941): with the 56-bit key processing, keys that differ only
// in bytes 0-8 are the same cipher: 56 bits of entropy, whatever the label says.
func TestTETRAE2EELike56(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	base := make([]byte, 16)
	for i := range base {
		base[i] = byte(r.Uint32())
	}
	ref, _ := NewTETRAE2EELike(base, 0x87, 1, true)
	want := make([]byte, SlotBytes)
	ref.Keystream(want, 42)
	for trial := 0; trial < 20; trial++ {
		k := append([]byte(nil), base...)
		for i := 0; i < 9; i++ {
			k[i] = byte(r.Uint32())
		}
		p, _ := NewTETRAE2EELike(k, 0x87, 1, true)
		ks := make([]byte, SlotBytes)
		p.Keystream(ks, 42)
		if !bytes.Equal(ks, want) {
			t.Fatal("bytes 0-8 changed the keystream")
		}
	}
	full, _ := NewTETRAE2EELike(base, 0x8A, 1, false)
	ks := make([]byte, SlotBytes)
	full.Keystream(ks, 42)
	if bytes.Equal(ks, want) {
		t.Fatal("unprocessed key gives the same keystream")
	}
}

// p25-like: the MI LFSR does not cycle quickly, each superframe has its own
// keystream, and nothing stops bit flipping (CVE-2022-24404 style malleability).
func TestP25Like(t *testing.T) {
	p, _ := NewP25Like(make([]byte, 32))
	seen := map[uint64]bool{}
	mi := uint64(0x1234)
	for i := 0; i < 10000; i++ {
		if seen[mi] {
			t.Fatalf("MI repeats after %d superframes", i)
		}
		seen[mi] = true
		mi = NextMI(mi)
	}
	a := make([]byte, 144)
	b := make([]byte, 144)
	p.Keystream(a, 1)
	p.Keystream(b, NextMI(1))
	if bytes.Equal(a, b) {
		t.Fatal("consecutive superframes share keystream")
	}
	msg := []byte("GO NORTH")
	ct := append([]byte(nil), msg...)
	for i := range ct {
		ct[i] ^= a[i]
	}
	ct[0] ^= 'G' ^ 'N' // attacker, without the key
	ct[1] ^= 'O' ^ 'O'
	for i := range ct {
		ct[i] ^= a[i]
	}
	if string(ct) != "NO NORTH" {
		t.Fatalf("malleability demo: %q", ct)
	}
}

// Demo 13: the M17-style linear digest collides when the same change is applied
// to frames i and i+16 (which CTR malleability lets an attacker do without the
// key); a hash such as SHA-256 (tetrasim-v1's EOT-SIG digest) does not.
func TestM17LikeDigestCollision(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	frames := make([][16]byte, 40)
	for i := range frames {
		for j := range frames[i] {
			frames[i][j] = byte(r.Uint32())
		}
	}
	d0 := LinearDigest(frames)
	h0 := sha256.Sum256(flat(frames))
	delta := [16]byte{0: 0x80, 5: 0x11}
	mod := append([][16]byte(nil), frames...)
	for j := range delta {
		mod[3][j] ^= delta[j]
		mod[19][j] ^= delta[j]
	}
	if LinearDigest(mod) != d0 {
		t.Fatal("linear digest changed: the demo needs a collision")
	}
	if sha256.Sum256(flat(mod)) == h0 {
		t.Fatal("SHA-256 collided")
	}
	m, _ := NewM17Like(make([]byte, 16))
	var ks [16]byte
	m.Keystream(ks[:], 1700000000, [10]byte{1, 2, 3}, 7)
	var ks2 [16]byte
	m.Keystream(ks2[:], 1700000000, [10]byte{1, 2, 3}, 8)
	if ks == ks2 {
		t.Fatal("frame number does not change the counter block")
	}
}

func flat(f [][16]byte) []byte {
	var b []byte
	for _, x := range f {
		b = append(b, x[:]...)
	}
	return b
}

// The sync frame layout of e2ee-design.md §1.2, written out with fmt.
func TestSyncFrameLayout(t *testing.T) {
	s := SyncFrame{AlgID: 0x28A, IV: 0xFEDCBA9876543210, KeyID: 0xABCDE, CCSUM: 0x2345678}
	b := s.Marshal()
	var got string
	for _, x := range b {
		got += fmt.Sprintf("%08b", x)
	}
	want := fmt.Sprintf("000100%010b%064b00%020b%026b", 0x28A, uint64(0xFEDCBA9876543210), 0xABCDE, 0x2345678)
	if got != want {
		t.Fatalf("layout\n got %s\nwant %s", got, want)
	}
}

// The 56-bit key processing equals using the key with bytes 0-8 replaced by bytes
// 14, 15, 9, 10, 11, 12, 13, 14, 15 (e2ee-design.md §1.2).
func TestKeyProcessing56(t *testing.T) {
	k := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	proc := []byte{14, 15, 9, 10, 11, 12, 13, 14, 15, 9, 10, 11, 12, 13, 14, 15}
	a, _ := NewTETRAE2EELike(k, 0x87, 1, true)
	b, _ := NewTETRAE2EELike(proc, 0x87, 1, false)
	ka, kb := make([]byte, SlotBytes), make([]byte, SlotBytes)
	if a.Keystream(ka, 7) != b.Keystream(kb, 7) || !bytes.Equal(ka, kb) {
		t.Fatal("processed key differs from the written-out processing")
	}
}

// FuzzSyncFrame: ParseSyncFrame accepts exactly the 16-byte strings with the
// 000100 header and zero spare bits, and a parsed frame re-marshals to its input.
func FuzzSyncFrame(f *testing.F) {
	good := SyncFrame{AlgID: 0x28A, IV: 0xFEDCBA9876543210, KeyID: 0xABCDE, CCSUM: 0x2345678}.Marshal()
	f.Add(good[:])
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != 16 {
			return
		}
		var a [16]byte
		copy(a[:], b)
		s, err := ParseSyncFrame(a)
		valid := a[0]>>2 == 0b000100 && a[10]>>6 == 0
		if (err == nil) != valid {
			t.Fatalf("ParseSyncFrame(%x): err %v, header valid %v", a, err, valid)
		}
		if err == nil && s.Marshal() != a {
			t.Fatalf("ParseSyncFrame(%x) re-marshals to %x", a, s.Marshal())
		}
	})
}
