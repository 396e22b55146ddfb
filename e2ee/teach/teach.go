package teach

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// SlotBytes is one TCH/S slot of keystream: 274 bits in 35 bytes, last 6 bits zero.
const (
	SlotBits  = 274
	SlotBytes = 35
)

func maskSlot(ks []byte) { ks[SlotBytes-1] &= 0xC0 }

// XOR applies a slot keystream to a packed 274-bit slot in place.
func XOR(slot, ks []byte) {
	for i := 0; i < SlotBytes; i++ {
		slot[i] ^= ks[i]
	}
	slot[SlotBytes-1] &= 0xC0
}

// Clear is the "clear" profile: no keystream. The UI must show "not encrypted".
type Clear struct{}

// Keystream returns an all-zero keystream.
func (Clear) Keystream(dst []byte) { clear(dst[:SlotBytes]) }

// ---------------------------------------------------------------------------

// TDMATime is the air-interface time that the AIE toy builds its IV from
// (e2ee-design.md §1.1): TN 1..4, FN 1..18, MN 1..60, HN 0..65535, dir 0 (down) or 1.
type TDMATime struct {
	TN, FN, MN uint32
	HN         uint32
	Dir        uint32
}

// IV is the 32-bit AIE-style IV of e2ee-design.md §1.1:
//
//	IV = (TN-1) | FN<<2 | MN<<7 | (HN & 0x7FFF)<<13 | dir<<28
func (t TDMATime) IV() uint32 {
	return (t.TN - 1) | t.FN<<2 | t.MN<<7 | (t.HN&0x7FFF)<<13 | t.Dir<<28
}

// AIEToy is the "aie-toy" profile: a stream cipher whose 80-bit key is folded into
// a register of RegisterBits bits (TEA1-style key reduction, CVE-2022-24402), with
// the IV taken from network time (CVE-2022-24401). The keystream generator is
// AES-128 in CTR mode under SHA-256("aie-toy" || register)[:16], which is NOT any
// TETRA algorithm: only the structure (reduced register, time-based IV) is modelled.
type AIEToy struct {
	RegisterBits int // 1..64, e.g. 32 (TEA1-like) or 20 for a quick classroom run
	reg          uint64
	block        cipher.Block
}

// NewAIEToy folds an 80-bit (10-byte) key into a register of width bits.
func NewAIEToy(key []byte, width int) (*AIEToy, error) {
	if len(key) != 10 {
		return nil, errors.New("teach: aie-toy key must be 10 bytes (80 bits)")
	}
	if width < 1 || width > 64 {
		return nil, errors.New("teach: aie-toy register width must be 1..64 bits")
	}
	// XOR-fold: key bit i (MSB of byte 0 first) lands on register bit i mod width.
	var reg uint64
	for i := 0; i < 80; i++ {
		bit := uint64(key[i/8]>>(7-i%8)) & 1
		reg ^= bit << (i % width)
	}
	return newAIEToyRegister(reg, width), nil
}

func mask64(w int) uint64 {
	if w == 64 {
		return ^uint64(0)
	}
	return 1<<w - 1
}

func newAIEToyRegister(reg uint64, width int) *AIEToy {
	var rb [8]byte
	binary.BigEndian.PutUint64(rb[:], reg)
	k := sha256.Sum256(append([]byte("aie-toy"), rb[:]...))
	b, _ := aes.NewCipher(k[:16])
	return &AIEToy{RegisterBits: width, reg: reg, block: b}
}

// Register returns the reduced key register (what a brute-force search finds).
func (a *AIEToy) Register() uint64 { return a.reg }

// Keystream writes the slot keystream for TDMA time t into dst (35 bytes).
func (a *AIEToy) Keystream(dst []byte, t TDMATime) {
	var ctr, out [16]byte
	binary.BigEndian.PutUint32(ctr[:4], t.IV())
	for i := 0; i < 3; i++ {
		ctr[15] = byte(i)
		a.block.Encrypt(out[:], ctr[:])
		copy(dst[16*i:min(16*i+16, SlotBytes)], out[:])
	}
	maskSlot(dst)
}

// BruteForceAIE searches all 2^width registers for one whose keystream at time t
// starts with known (the XOR of a known plaintext and its ciphertext, at least 8
// bytes). It returns the register and the number of candidates tried. This is
// demo 2: 20 bits take about a second, 32 bits about an hour on a laptop core,
// 56 bits thousands of years.
func BruteForceAIE(known []byte, t TDMATime, width int) (reg uint64, tried uint64, err error) {
	if len(known) < 8 {
		return 0, 0, errors.New("teach: need at least 8 bytes of known keystream")
	}
	if width > 40 {
		return 0, 0, fmt.Errorf("teach: refusing a %d-bit search (2^%d candidates)", width, width)
	}
	var ks [48]byte
	for r := uint64(0); r <= mask64(width); r++ {
		tried++
		newAIEToyRegister(r, width).Keystream(ks[:], t)
		if string(ks[:8]) == string(known[:8]) {
			return r, tried, nil
		}
	}
	return 0, tried, errors.New("teach: no register matches")
}

// ---------------------------------------------------------------------------

// TETRAE2EELike is the "tetra-e2ee-like" profile (e2ee-design.md §1.2, after the
// public reimplementation [R1]): AES-OFB under a TEK, the 64-bit IV written into
// both halves of one block, 3 blocks per slot, the next IV taken from bytes 8-15 of
// block 3. Its sync frame authenticates only (KeyID, AlgID, IV), so recordings
// replay and known keystream allows injection (CVE-2025-52940).
type TETRAE2EELike struct {
	AlgID uint16 // 10 bits, e.g. 0x8A "AES-256", 0x87 "AES56"
	KeyID uint32 // 20 bits
	block cipher.Block
}

// NewTETRAE2EELike creates the profile. With weaken56 the key goes through the
// 56-bit "key processing" of CVE-2025-52941: key bytes 0-8 are overwritten with
// bytes 14, 15, 9, 10, ..., 15, so only bytes 9-15 (56 bits) matter.
func NewTETRAE2EELike(key []byte, algID uint16, keyID uint32, weaken56 bool) (*TETRAE2EELike, error) {
	if len(key) != 16 && len(key) != 32 {
		return nil, errors.New("teach: tetra-e2ee-like key must be 16 or 32 bytes")
	}
	k := append([]byte(nil), key...)
	if weaken56 {
		k = k[:16]
		src := []byte{k[14], k[15], k[9], k[10], k[11], k[12], k[13], k[14], k[15]}
		copy(k[0:9], src)
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return &TETRAE2EELike{AlgID: algID & 0x3FF, KeyID: keyID & 0xFFFFF, block: b}, nil
}

// Keystream writes the slot keystream for iv into dst (35 bytes) and returns the
// next IV.
func (p *TETRAE2EELike) Keystream(dst []byte, iv uint64) (next uint64) {
	var blk [16]byte
	binary.BigEndian.PutUint64(blk[0:], iv)
	binary.BigEndian.PutUint64(blk[8:], iv)
	var all [48]byte
	for i := 0; i < 3; i++ {
		p.block.Encrypt(blk[:], blk[:]) // OFB: encrypt the previous output
		copy(all[16*i:], blk[:])
	}
	copy(dst[:SlotBytes], all[:SlotBytes])
	maskSlot(dst)
	return binary.BigEndian.Uint64(all[40:48])
}

// SyncFrame is the 128-bit sync frame of e2ee-design.md §1.2:
//
//	header 6 (000100) | AlgID 10 | IV 64 | 00 | KeyID 20 | CCSUM 26
type SyncFrame struct {
	AlgID uint16
	IV    uint64
	KeyID uint32
	CCSUM uint32
}

// ccsum = the top 26 bits of AES_TEK(KT || IV), KT = KeyID (20 bits) || AlgID (10
// bits) || 2 zero bits, as 4 bytes (the toy's own padding). It covers no voice bit,
// no time and no counter.
func (p *TETRAE2EELike) ccsum(iv uint64) uint32 {
	var in, out [16]byte
	binary.BigEndian.PutUint32(in[0:], p.KeyID<<12|uint32(p.AlgID)<<2)
	binary.BigEndian.PutUint64(in[4:], iv)
	p.block.Encrypt(out[:], in[:])
	return binary.BigEndian.Uint32(out[:]) >> 6
}

// Sync builds the sync frame for iv.
func (p *TETRAE2EELike) Sync(iv uint64) SyncFrame {
	return SyncFrame{AlgID: p.AlgID, IV: iv, KeyID: p.KeyID, CCSUM: p.ccsum(iv)}
}

// Marshal packs the sync frame into 16 bytes.
func (s SyncFrame) Marshal() [16]byte {
	hi := uint64(0b000100)<<58 | uint64(s.AlgID&0x3FF)<<48 | s.IV>>16
	lo := s.IV<<48 | uint64(0)<<46 | uint64(s.KeyID&0xFFFFF)<<26 | uint64(s.CCSUM&0x3FFFFFF)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return b
}

// ParseSyncFrame unpacks a 16-byte sync frame.
func ParseSyncFrame(b [16]byte) (SyncFrame, error) {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	if hi>>58 != 0b000100 || lo>>46&3 != 0 {
		return SyncFrame{}, errors.New("teach: not a sync frame")
	}
	return SyncFrame{AlgID: uint16(hi >> 48 & 0x3FF), IV: hi<<16 | lo>>48, KeyID: uint32(lo >> 26 & 0xFFFFF),
		CCSUM: uint32(lo & 0x3FFFFFF)}, nil
}

// Accept is the receiver's whole check: the right key and a matching CCSUM. A
// replayed sync frame passes, every time.
func (p *TETRAE2EELike) Accept(s SyncFrame) bool {
	return s.AlgID == p.AlgID && s.KeyID == p.KeyID && s.CCSUM == p.ccsum(s.IV)
}

// ---------------------------------------------------------------------------

// P25Like is the "p25-like" profile: AES-256-OFB over a superframe, the first 16
// bytes of keystream discarded, IV from a 64-bit LFSR message indicator (MI)
// (e2ee-design.md §3). A late entrant must wait for the next MI; nothing
// authenticates the voice.
type P25Like struct{ block cipher.Block }

// NewP25Like creates the profile with a 32-byte key.
func NewP25Like(key []byte) (*P25Like, error) {
	if len(key) != 32 {
		return nil, errors.New("teach: p25-like key must be 32 bytes")
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &P25Like{block: b}, nil
}

// lfsrStep advances the MI LFSR x^64 + x^62 + x^46 + x^38 + x^27 + x^15 + 1 by one
// bit (Fibonacci form, shifting left).
func lfsrStep(mi uint64) uint64 {
	fb := (mi>>63 ^ mi>>61 ^ mi>>45 ^ mi>>37 ^ mi>>26 ^ mi>>14) & 1
	return mi<<1 | fb
}

// NextMI returns the message indicator of the next superframe: the LFSR run 64
// steps.
func NextMI(mi uint64) uint64 {
	for i := 0; i < 64; i++ {
		mi = lfsrStep(mi)
	}
	return mi
}

// ExpandMI turns a 64-bit MI into the 128-bit IV: the MI followed by 64 more LFSR
// output bits.
func ExpandMI(mi uint64) [16]byte {
	var iv [16]byte
	binary.BigEndian.PutUint64(iv[:8], mi)
	binary.BigEndian.PutUint64(iv[8:], NextMI(mi))
	return iv
}

// Keystream writes n bytes of superframe keystream for message indicator mi into
// dst, after discarding the first 16 bytes.
func (p *P25Like) Keystream(dst []byte, mi uint64) {
	iv := ExpandMI(mi)
	ofb := cipher.NewOFB(p.block, iv[:])
	var skip [16]byte
	ofb.XORKeyStream(skip[:], skip[:])
	clear(dst)
	ofb.XORKeyStream(dst, dst)
}

// ---------------------------------------------------------------------------

// M17Like is the "m17-like" profile: AES-CTR with a 128-bit counter block of a
// 32-bit timestamp, 80 random bits and a 16-bit frame number, and an end-of-stream
// "signature" over a LINEAR digest (XOR-and-rotate of the frames), so that the
// same change applied to frames i and i+16 leaves the digest unchanged
// (e2ee-design.md §3, demo 13).
type M17Like struct{ block cipher.Block }

// NewM17Like creates the profile with a 16- or 32-byte key.
func NewM17Like(key []byte) (*M17Like, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &M17Like{block: b}, nil
}

// Keystream writes the 16-byte keystream block of frame fn into dst.
func (m *M17Like) Keystream(dst []byte, timestamp uint32, random [10]byte, fn uint16) {
	var ctr [16]byte
	binary.BigEndian.PutUint32(ctr[0:], timestamp)
	copy(ctr[4:14], random[:])
	binary.BigEndian.PutUint16(ctr[14:], fn)
	m.block.Encrypt(dst[:16], ctr[:])
}

// LinearDigest is the toy end-of-stream digest: d = rotl(d, 8) XOR frame, per
// 16-byte frame, over a 128-bit state. Rotating by 8 bits 16 times is the identity,
// so frames i and i+16 land on the same bits.
func LinearDigest(frames [][16]byte) [16]byte {
	var hi, lo uint64
	for _, f := range frames {
		// 128-bit rotate left by 8.
		hi, lo = hi<<8|lo>>56, lo<<8|hi>>56
		hi ^= binary.BigEndian.Uint64(f[:8])
		lo ^= binary.BigEndian.Uint64(f[8:])
	}
	var d [16]byte
	binary.BigEndian.PutUint64(d[:8], hi)
	binary.BigEndian.PutUint64(d[8:], lo)
	return d
}
