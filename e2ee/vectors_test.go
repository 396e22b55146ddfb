package e2ee

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20"
)

var update = flag.Bool("update", false, "rewrite testdata/kat.txt from the current code")

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 5869 appendix A.1 (test case 1, SHA-256): pins the HKDF we wrap.
func TestRFC5869(t *testing.T) {
	ikm := bytes.Repeat([]byte{0x0b}, 22)
	salt := unhex(t, "000102030405060708090a0b0c")
	info := string(unhex(t, "f0f1f2f3f4f5f6f7f8f9"))
	prk, _ := hkdf.Extract(sha256.New, ikm, salt)
	if want := unhex(t, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"); !bytes.Equal(prk, want) {
		t.Fatalf("PRK %x", prk)
	}
	okm := make([]byte, 42)
	// expand handles at most 32 bytes per call in this package; check both the
	// first 32 bytes through expand and the whole OKM through hkdf.Expand.
	expand(okm[:32], prk, info)
	want := unhex(t, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
	if !bytes.Equal(okm[:32], want[:32]) {
		t.Fatalf("OKM %x", okm[:32])
	}
	full, _ := hkdf.Expand(sha256.New, prk, info, 42)
	if !bytes.Equal(full, want) {
		t.Fatalf("OKM %x", full)
	}
}

// RFC 7748 section 6.1: X25519 through crypto/ecdh, the curve under our HPKE KEM.
func TestRFC7748(t *testing.T) {
	c := ecdh.X25519()
	a, err := c.NewPrivateKey(unhex(t, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.PublicKey().Bytes(), unhex(t, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")) {
		t.Fatal("Alice's public key")
	}
	b, err := c.NewPublicKey(unhex(t, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := a.ECDH(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k, unhex(t, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")) {
		t.Fatalf("shared secret %x", k)
	}
}

// RFC 8439 section 2.3.2: the ChaCha20 block function written out in chacha.go.
func TestRFC8439Block(t *testing.T) {
	var key [8]uint32
	kb := unhex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	for i := range key {
		key[i] = binary.LittleEndian.Uint32(kb[4*i:])
	}
	nb := unhex(t, "000000090000004a00000000")
	var n [3]uint32
	for i := range n {
		n[i] = binary.LittleEndian.Uint32(nb[4*i:])
	}
	var out [64]byte
	chachaBlock(&key, 1, &n, &out)
	want := unhex(t, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"+
		"d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e")
	if !bytes.Equal(out[:], want) {
		t.Fatalf("block %x", out)
	}
}

// RFC 9180 appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM,
// base mode), first encryption: pins the HPKE suite of our key wraps.
func TestRFC9180(t *testing.T) {
	sk, err := hpkeKEM().NewPrivateKey(unhex(t, "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sk.PublicKey().Bytes(), unhex(t, "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d")) {
		t.Fatal("pkRm")
	}
	enc := unhex(t, "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431")
	info := unhex(t, "4f6465206f6e2061204772656369616e2055726e")
	rc, err := hpke.NewRecipient(enc, sk, hpke.HKDFSHA256(), hpke.AES128GCM(), info)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := rc.Open(unhex(t, "436f756e742d30"),
		unhex(t, "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"))
	if err != nil {
		t.Fatal(err)
	}
	if string(pt) != "Beauty is truth, truth beauty" {
		t.Fatalf("pt %q", pt)
	}
}

// refExpand is HKDF-Expand written from RFC 5869 section 2.3 for one block
// (L <= 32): T(1) = HMAC-Hash(PRK, info || 0x01).
func refExpand(prk []byte, info string, l int) []byte {
	m := hmac.New(sha256.New, prk)
	m.Write([]byte(info))
	m.Write([]byte{1})
	return m.Sum(nil)[:l]
}

func refHMAC(key []byte, msg ...byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// TestKeyScheduleIndependent recomputes the key schedule of e2ee-design.md §5.3
// and the keystream of §5.4 from the formulas, with plain HMAC, cipher.NewCTR and
// x/crypto/chacha20, and compares with the package's implementation. This guards
// the known-answer file against a self-consistent mistake.
func TestKeyScheduleIndependent(t *testing.T) {
	var es [32]byte
	for i := range es {
		es[i] = byte(i)
	}
	const g, e, s = 0x123456, 7, 0x0102
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		salt := append([]byte("tetrasim/e2ee/v1"), byte(suite), 0x12, 0x34, 0x56, 0, 0, 0, 7)
		m := hmac.New(sha256.New, salt) // HKDF-Extract = HMAC(salt, IKM)
		m.Write(es[:])
		prk := m.Sum(nil)
		got := epochPRK(suite, g, e, &es)
		if !bytes.Equal(got[:], prk) {
			t.Fatal("PRK")
		}
		ck := refExpand(prk, "voice chain\x01\x02", 32)
		for seg := uint32(0); seg < 3; seg++ {
			sk := refHMAC(ck, 1)
			kenc := refExpand(sk, "enc", 32)
			kmac := refExpand(sk, "mac", 32)
			salt96 := refExpand(sk, "salt", 12)
			c := newVoiceChain(suite, &got, s)
			k := c.segment(seg)
			if !bytes.Equal(k.enc[:], kenc) || !bytes.Equal(k.mac[:], kmac) || !bytes.Equal(k.salt[:], salt96) {
				t.Fatalf("segment %d keys", seg)
			}
			fc := seg*SegmentFrames + 77
			nonce := append([]byte(nil), salt96...)
			binary.BigEndian.PutUint32(nonce[8:], binary.BigEndian.Uint32(nonce[8:])^fc)
			want := make([]byte, 32)
			if suite == SuiteAES {
				blk, _ := aes.NewCipher(kenc)
				iv := append(append([]byte(nil), nonce...), 0, 0, 0, 0)
				cipher.NewCTR(blk, iv).XORKeyStream(want, want)
			} else {
				cc, _ := chacha20.NewUnauthenticatedCipher(kenc, nonce)
				cc.XORKeyStream(want, want)
			}
			var ks [32]byte
			k.keystream(suite, fc, &ks)
			if !bytes.Equal(ks[:18], want[:18]) {
				t.Fatalf("%v segment %d keystream %x want %x", suite, seg, ks[:18], want[:18])
			}
			ck = refHMAC(ck, 2)
		}
		dk := refExpand(prk, "data chain\x01\x02", 32)
		key, salt12 := dataKeys(&got, s)
		if !bytes.Equal(key[:], refExpand(dk, "enc", 32)) || !bytes.Equal(salt12[:], refExpand(dk, "salt", 12)) {
			t.Fatal("data keys")
		}
	}
}

// katEntry is one line of testdata/kat.txt.
type kat map[string]string

func bitsString(b []byte) string {
	var sb strings.Builder
	for _, v := range b {
		sb.WriteByte('0' + v)
	}
	return sb.String()
}

// computeKAT evaluates every derivation and frame format on fixed inputs. The
// inputs are listed in testdata/kat.txt's header and in the README.
func computeKAT(t testing.TB) kat {
	k := kat{}
	var es [32]byte
	for i := range es {
		es[i] = byte(i)
	}
	const g, e = 0x123456, 7
	frame := make([]byte, FrameBits)
	for i := range frame {
		frame[i] = byte((i*7 + i/3) & 1) // a fixed pattern
	}
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		p := fmt.Sprintf("suite%02x.", uint8(suite))
		prk := epochPRK(suite, g, e, &es)
		k[p+"prk"] = hex.EncodeToString(prk[:])
		for _, s := range []uint16{0x0102, 9999} {
			ps := fmt.Sprintf("%ss%d.", p, s)
			ck0 := voiceChain0(&prk, s)
			k[ps+"ck0"] = hex.EncodeToString(ck0[:])
			ck1 := ck0
			ratchet(&ck1)
			k[ps+"ck1"] = hex.EncodeToString(ck1[:])
			c := newVoiceChain(suite, &prk, s)
			for _, fc := range []uint32{0, 0x012345, MaxFC} {
				seg := c.segment(fc >> segmentShift)
				pf := fmt.Sprintf("%sfc%06x.", ps, fc)
				k[pf+"k_enc"] = hex.EncodeToString(seg.enc[:])
				k[pf+"k_mac"] = hex.EncodeToString(seg.mac[:])
				k[pf+"salt96"] = hex.EncodeToString(seg.salt[:])
				var ks [32]byte
				seg.keystream(suite, fc, &ks)
				k[pf+"keystream144"] = hex.EncodeToString(ks[:18])
				ct := make([]byte, FrameBits)
				xorFrame(ct, frame, &ks)
				k[pf+"cipherframe"] = bitsString(ct)
			}
			key, salt := dataKeys(&prk, s)
			k[ps+"k_sds"] = hex.EncodeToString(key[:])
			k[ps+"salt96_sds"] = hex.EncodeToString(salt[:])
		}
		// A SAF with tags over 31 frames (first: FC 1..31; FC_next 33).
		c := newVoiceChain(suite, &prk, 0x0102)
		var frames [31]packedFrame
		for i := range frames {
			fr := make([]byte, FrameBits)
			for j := range fr {
				fr[j] = byte((i + j*j) % 3 & 1)
			}
			packProtected(&frames[i], fr)
		}
		f := SAF{Type: STCHSAF, EpochTag: e & 15, Sender: 0x0102, FCNext: 33, TMin: 17}
		in := tagInput{typ: f.Type, suite: suite, g: g, e: e, s: f.Sender, fcNext: f.FCNext, tmin: f.TMin}
		off, ln := windows(31)
		var sum [32]byte
		for j := 0; j < 4; j++ {
			in.windowJ = j
			in.first = 1 + uint32(off[j])
			in.last = in.first + uint32(ln[j]) - 1
			in.frames = frames[off[j] : off[j]+ln[j]]
			f.Tags[j] = in.tag(c.segment(0).hmac(), &sum)
		}
		k[p+"saf"] = bitsString(f.AppendBits(nil))
		k[p+"packed0"] = hex.EncodeToString(frames[0][:])
	}
	// Frame formats independent of keys.
	f := SAF{Type: STCHSAFStart, EpochTag: 0xA, Sender: 0x2ABC, FCNext: 0xABCDEF, TMin: 0x123, Tags: [4]uint16{0x1111, 0x2222, 0x8001, 0xFFFF}}
	k["saf.fields"] = bitsString(f.AppendBits(nil))
	rh := rosterHash(g, []rosterEntry{{Sender: 1, Device: 1002, Sign: [32]byte{2}}, {Sender: 0, Device: 1001, Sign: [32]byte{1}}})
	k["roster_hash"] = hex.EncodeToString(rh[:])
	cm := esCommit(g, e, &es)
	k["es_commit"] = hex.EncodeToString(cm[:])
	k["wrap_info"] = hex.EncodeToString(wrapInfo(SuiteAES, g, e, 3, 1001, &rh))
	h := sha256.New()
	eotPrefix(h, SuiteAES, g, e, 0x0102, 1)
	h.Write([]byte{0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44})
	h.Write([]byte{0, 0, 33})
	k["eot_digest"] = hex.EncodeToString(h.Sum(nil))
	// SDS: seal with a fixed epoch (ES above, G, e=7) at counter 5.
	for _, suite := range []Suite{SuiteAES, SuiteChaCha} {
		ep := newEpochState(suite, g, e, &es)
		sk := ep.sdsKeyFor(0x0102)
		var hdr [SDSHeaderSize]byte
		hdr[0], hdr[1], hdr[2], hdr[3] = sdsTypeData, e, 1, 2
		put48(hdr[4:], 5)
		n := sdsNonce(sk, 5)
		msg := sk.aead.Seal(append([]byte(nil), hdr[:]...), n[:], []byte("GO"), hdr[:])
		k[fmt.Sprintf("suite%02x.sds", uint8(suite))] = hex.EncodeToString(msg)
	}
	// Key store with fixed salt and nonce (deterministic source) and cheap KDF.
	ks, err := SealKeyStore(StoreDevice, []byte("state"), []byte("correct horse"), KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}, bytes.NewReader(make([]byte, 28)))
	if err != nil {
		t.Fatal(err)
	}
	k["keystore"] = hex.EncodeToString(ks)
	// Messages with fixed contents.
	a := EpochAnnounce{Group: g, Epoch: e, Suite: SuiteAES, Activation: time.Unix(1767268800, 0), Grace: 600 * time.Second,
		MaxLife: 14400 * time.Second, SAFSlots: 16, Members: 2, Span: 2, RosterHash: rh, Commit: cm}
	k["announce_signed"] = hex.EncodeToString(a.signed())
	w := KeyWrap{Group: g, Epoch: e, Sender: 3, Device: 1001, Sealed: make([]byte, wrapSealed)}
	frags, _ := fragment(0x0102, w.marshal())
	k["keywrap_sds"] = hex.EncodeToString(frags[0])
	return k
}

const katPath = "testdata/kat.txt"

// TestKAT compares every derivation and frame format with testdata/kat.txt.
func TestKAT(t *testing.T) {
	got := computeKAT(t)
	if *update {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b bytes.Buffer
		b.WriteString("# tetrasim E2EE v1 known-answer values; see README.md for the inputs.\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = %s\n", k, got[k])
		}
		if err := os.WriteFile(filepath.FromSlash(katPath), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.FromSlash(katPath))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := kat{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		want[k] = v
	}
	if len(want) != len(got) {
		t.Errorf("kat.txt has %d entries, code computes %d", len(want), len(got))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], v)
		}
	}
	// The known-answer key store must open with its passphrase.
	data, _ := hex.DecodeString(want["keystore"])
	kind, st, err := OpenKeyStore(data, []byte("correct horse"))
	if err != nil || kind != StoreDevice || string(st) != "state" {
		t.Fatalf("kat key store: %v %v %q", kind, err, st)
	}
}
