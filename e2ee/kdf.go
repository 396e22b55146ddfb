package e2ee

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
)

// Suite selects the voice keystream, voice MAC and SDS AEAD (e2ee-design.md §5.2).
// The suite is bound into every key through the HKDF salt, so one epoch secret never
// keys two algorithms (the fix for CVE-2025-52943).
type Suite uint8

const (
	// SuiteAES: AES-256-CTR voice keystream, HMAC-SHA256 tags, AES-256-GCM SDS.
	SuiteAES Suite = 0x01
	// SuiteChaCha: ChaCha20 voice keystream (RFC 8439), HMAC-SHA256 tags,
	// ChaCha20-Poly1305 SDS.
	SuiteChaCha Suite = 0x02
)

func (s Suite) String() string {
	switch s {
	case SuiteAES:
		return "AES-256-CTR+HMAC-SHA256+AES-256-GCM"
	case SuiteChaCha:
		return "ChaCha20+HMAC-SHA256+ChaCha20-Poly1305"
	}
	return fmt.Sprintf("Suite(%#02x)", uint8(s))
}

// Valid reports whether s is a defined suite.
func (s Suite) Valid() bool { return s == SuiteAES || s == SuiteChaCha }

// Sizes and limits of tetrasim E2EE v1.
const (
	// SecretSize is the size of an epoch secret ES_e and of every derived key.
	SecretSize = 32
	// MaxGroup is the largest talkgroup address G (24-bit GSSI).
	MaxGroup = 1<<24 - 1
	// MaxSenders is the number of sender indices the SAF addresses (14 bits).
	// Deviation from e2ee-design.md §5.5 (8 bits, 256 members): widened so that
	// talkgroups of 10,000 members work; see the package doc.
	MaxSenders = 1 << 14
	// MaxFC is the largest 24-bit voice frame counter (2^24 frames = 140 h).
	MaxFC = 1<<24 - 1
	// SegmentFrames is the ratchet segment length: the voice chain key steps every
	// 4096 frames (about 123 s of speech), e2ee-design.md §5.3.
	SegmentFrames = 4096
	segmentShift  = 12
	// MaxSDSCounter is the largest 48-bit SDS message counter.
	MaxSDSCounter = 1<<48 - 1
)

const kdfLabel = "tetrasim/e2ee/v1"

// epochSalt returns salt = "tetrasim/e2ee/v1" || suite(8b) || G(24b) || e(32b),
// e2ee-design.md §5.3.
func epochSalt(suite Suite, g, e uint32) []byte {
	b := make([]byte, 0, len(kdfLabel)+8)
	b = append(b, kdfLabel...)
	b = append(b, byte(suite), byte(g>>16), byte(g>>8), byte(g))
	return binary.BigEndian.AppendUint32(b, e)
}

// epochPRK returns PRK = HKDF-Extract(salt, ES_e), e2ee-design.md §5.3.
func epochPRK(suite Suite, g, e uint32, es *[SecretSize]byte) (prk [32]byte) {
	p, err := hkdf.Extract(sha256.New, es[:], epochSalt(suite, g, e))
	if err != nil {
		panic("e2ee: hkdf.Extract: " + err.Error()) // cannot happen with SHA-256
	}
	copy(prk[:], p)
	wipe(p)
	return prk
}

// expand is HKDF-Expand(prk, info, n) for n <= 32 into dst.
func expand(dst []byte, prk []byte, info string) {
	out, err := hkdf.Expand(sha256.New, prk, info, len(dst))
	if err != nil {
		panic("e2ee: hkdf.Expand: " + err.Error()) // cannot happen for n <= 32
	}
	copy(dst, out)
	wipe(out)
}

// senderInfo returns label || s(16b). Deviation from e2ee-design.md §5.3, which
// encodes s in 8 bits: tetrasim widens the sender index to 14 bits (MaxSenders) and
// encodes it in 16.
func senderInfo(label string, s uint16) string {
	return label + string([]byte{byte(s >> 8), byte(s)})
}

// voiceChain0 returns CK[s,0] = HKDF-Expand(PRK, "voice chain" || s(16b), 32).
func voiceChain0(prk *[32]byte, s uint16) (ck [32]byte) {
	expand(ck[:], prk[:], senderInfo("voice chain", s))
	return ck
}

// ratchet advances a chain key: CK[s,i+1] = HMAC-SHA256(CK[s,i], 0x02). The old key
// is overwritten, which is what makes the chain forward secure.
func ratchet(ck *[32]byte) {
	m := hmac.New(sha256.New, ck[:])
	m.Write([]byte{0x02})
	m.Sum(ck[:0])
}

// segmentKeys holds the keys of one 4096-frame segment of one sender's voice chain:
// SK[s,i] = HMAC-SHA256(CK[s,i], 0x01); K_enc, K_mac and salt96 expanded from it
// (e2ee-design.md §5.3).
type segmentKeys struct {
	index  uint32 // segment i = FC >> 12
	enc    [32]byte
	mac    [32]byte
	salt   [12]byte
	block  cipher.Block // AES-256 under enc (SuiteAES)
	chacha [8]uint32    // enc as ChaCha20 key words (SuiteChaCha)
	macH   hash.Hash    // HMAC-SHA256 under mac, created on first use
	ctr    [16]byte     // AES-CTR counter block scratch (kept here so it does not escape per call)
}

// hmac returns the segment's HMAC-SHA256 under K_mac, reset by the caller.
func (k *segmentKeys) hmac() hash.Hash {
	if k.macH == nil {
		k.macH = hmac.New(sha256.New, k.mac[:])
	}
	return k.macH
}

func (k *segmentKeys) derive(suite Suite, ck *[32]byte, index uint32) {
	var sk [32]byte
	m := hmac.New(sha256.New, ck[:])
	m.Write([]byte{0x01})
	m.Sum(sk[:0])
	k.index = index
	expand(k.enc[:], sk[:], "enc")
	expand(k.mac[:], sk[:], "mac")
	expand(k.salt[:], sk[:], "salt")
	wipe(sk[:])
	k.block = nil
	switch suite {
	case SuiteAES:
		b, err := aes.NewCipher(k.enc[:])
		if err != nil {
			panic("e2ee: aes: " + err.Error())
		}
		k.block = b
	case SuiteChaCha:
		for i := range k.chacha {
			k.chacha[i] = binary.LittleEndian.Uint32(k.enc[4*i:])
		}
	}
}

func (k *segmentKeys) wipe() {
	wipe(k.enc[:])
	wipe(k.mac[:])
	wipe(k.salt[:])
	clear(k.chacha[:])
	k.block = nil
	k.macH = nil
}

// keystream writes the first 18 bytes (144 bits, of which 137 are used) of the
// voice keystream for frame counter fc into ks (e2ee-design.md §5.4):
//
//	nonce96 = salt96 XOR (0^64 || FC(32b))
//	AES-256-CTR: counter blocks nonce96 || 0x00000000 and nonce96 || 0x00000001
//	ChaCha20:    RFC 8439 block function, nonce96, block counter 0
func (k *segmentKeys) keystream(suite Suite, fc uint32, ks *[32]byte) {
	var nonce [12]byte
	nonce = k.salt
	nonce[8] ^= byte(fc >> 24)
	nonce[9] ^= byte(fc >> 16)
	nonce[10] ^= byte(fc >> 8)
	nonce[11] ^= byte(fc)
	if suite == SuiteAES {
		ctr := &k.ctr
		copy(ctr[:12], nonce[:])
		ctr[12], ctr[13], ctr[14], ctr[15] = 0, 0, 0, 0
		k.block.Encrypt(ks[:16], ctr[:])
		ctr[15] = 1
		k.block.Encrypt(ks[16:], ctr[:])
		return
	}
	var n [3]uint32
	n[0] = binary.LittleEndian.Uint32(nonce[0:])
	n[1] = binary.LittleEndian.Uint32(nonce[4:])
	n[2] = binary.LittleEndian.Uint32(nonce[8:])
	var blk [64]byte
	chachaBlock(&k.chacha, 0, &n, &blk)
	copy(ks[:], blk[:32])
	clear(blk[:])
}

// dataKeys derives the SDS key and nonce salt of sender s (e2ee-design.md §5.3):
//
//	DK[s]      = HKDF-Expand(PRK, "data chain" || s(16b), 32)
//	K_sds      = HKDF-Expand(DK[s], "enc", 32)
//	salt96_sds = HKDF-Expand(DK[s], "salt", 12)
func dataKeys(prk *[32]byte, s uint16) (key [32]byte, salt [12]byte) {
	var dk [32]byte
	expand(dk[:], prk[:], senderInfo("data chain", s))
	expand(key[:], dk[:], "enc")
	expand(salt[:], dk[:], "salt")
	wipe(dk[:])
	return key, salt
}

// voiceChain is one sender's voice chain inside an epoch: the oldest chain key still
// held and the keys of the segment in use. The zero value is not usable; see
// newVoiceChain.
type voiceChain struct {
	suite Suite
	ckIdx uint32   // index of ck
	ck    [32]byte // CK[s, ckIdx]
	cur   segmentKeys
	prev  segmentKeys // the segment before cur, kept for sub-windows straddling a boundary
	have  bool
}

func newVoiceChain(suite Suite, prk *[32]byte, s uint16) *voiceChain {
	return &voiceChain{suite: suite, ck: voiceChain0(prk, s)}
}

// segment returns the keys of segment idx, ratcheting forward as needed. It returns
// nil if idx is older than the oldest key still held (forward secrecy: erased).
func (c *voiceChain) segment(idx uint32) *segmentKeys {
	if c.have && c.cur.index == idx {
		return &c.cur
	}
	if c.have && c.prev.index == idx && idx+1 == c.cur.index {
		return &c.prev
	}
	if idx < c.ckIdx {
		return nil
	}
	for c.ckIdx < idx {
		ratchet(&c.ck)
		c.ckIdx++
	}
	if c.have && c.cur.index+1 == idx {
		c.prev.wipe()
		c.prev = c.cur
	} else {
		c.prev.wipe()
		c.prev.index = ^uint32(0)
	}
	c.cur = segmentKeys{}
	c.cur.derive(c.suite, &c.ck, idx)
	c.have = true
	return &c.cur
}

func (c *voiceChain) wipe() {
	wipe(c.ck[:])
	c.cur.wipe()
	c.prev.wipe()
	c.have = false
}
