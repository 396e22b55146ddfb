package e2ee

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// SDS (short data) protection, e2ee-design.md §5.9.
//
// Header (10 bytes; deviation from the design's 9: the sender index is 16-bit):
//
//	type/version (1) = 0x11 || e mod 256 (1) || s (2) || msgctr (6)
//
// Body: AEAD(K_sds[s], nonce = salt96_sds XOR (0^48 || msgctr), plaintext,
// AAD = header). The group G and full epoch are bound through the key derivation.
const (
	SDSHeaderSize = 10
	SDSOverhead   = SDSHeaderSize + 16
	// MaxSDSPayload is the largest SDS type 4 user payload we send: 2047 bits
	// round down to 255 bytes (e2ee-design.md §5.9 [S1]); we keep one byte spare.
	MaxSDSPayload = 254
	// MaxSDSPlaintext is the largest plaintext SealSDS accepts.
	MaxSDSPlaintext = MaxSDSPayload - SDSOverhead
	sdsTypeData     = 0x11
)

type sdsKey struct {
	aead cipher.AEAD
	key  [32]byte
	salt [12]byte
}

func (k *sdsKey) wipe() { wipe(k.key[:]); wipe(k.salt[:]); k.aead = nil }

// sdsKeyFor returns sender s's SDS key, or nil if a forward-secure epoch holds
// none for s.
func (ep *epochState) sdsKeyFor(s uint16) *sdsKey {
	k := ep.sds[s]
	if k != nil {
		return k
	}
	k = &sdsKey{}
	if ep.hardened {
		d := ep.dk[s]
		if d == nil {
			return nil
		}
		k.key, k.salt = d.key, d.salt
		wipe(d.key[:])
		wipe(d.salt[:])
		delete(ep.dk, s)
	} else {
		k.key, k.salt = dataKeys(&ep.prk, s)
	}
	var err error
	switch ep.suite {
	case SuiteAES:
		var b cipher.Block
		b, err = aes.NewCipher(k.key[:])
		if err == nil {
			k.aead, err = cipher.NewGCM(b)
		}
	default:
		k.aead, err = chacha20poly1305.New(k.key[:])
	}
	if err != nil {
		panic("e2ee: SDS AEAD: " + err.Error())
	}
	ep.sds[s] = k
	return k
}

func sdsNonce(k *sdsKey, ctr uint64) (n [12]byte) {
	n = k.salt
	var c [6]byte
	put48(c[:], ctr)
	for i := 0; i < 6; i++ {
		n[6+i] ^= c[i]
	}
	return n
}

// SealSDS encrypts an SDS for talkgroup g in the active epoch and appends header,
// ciphertext and tag to dst. The plaintext may be at most MaxSDSPlaintext bytes.
// dst must not overlap plaintext: the output starts with the 10-byte header, so
// sealing in place (dst = plaintext[:0]) is not supported.
func (m *Member) SealSDS(g uint32, dst, plaintext []byte) ([]byte, error) {
	if len(plaintext) > MaxSDSPlaintext {
		return dst, fmt.Errorf("e2ee: SDS plaintext of %d bytes exceeds %d", len(plaintext), MaxSDSPlaintext)
	}
	gs := m.groups[g]
	if gs == nil || !gs.selfOK {
		return dst, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	now := m.now()
	gs.expire(now)
	ep := gs.active(now)
	if ep == nil {
		return dst, ErrNoEpoch
	}
	if ep.maxLife > 0 && now.Sub(ep.activation) > ep.maxLife {
		return dst, ErrEpochExpired
	}
	ctr := ep.sdsCtr
	if ctr > MaxSDSCounter {
		return dst, ErrCounterExhausted
	}
	if err := m.reserveSDS(ep, ctr); err != nil {
		return dst, err
	}
	ep.sdsCtr = ctr + 1
	k := ep.sdsKeyFor(ep.self)
	if k == nil {
		return dst, ErrUnknownEpoch
	}
	var hdr [SDSHeaderSize]byte
	hdr[0] = sdsTypeData
	hdr[1] = byte(ep.e)
	hdr[2], hdr[3] = byte(ep.self>>8), byte(ep.self)
	put48(hdr[4:], ctr)
	nonce := sdsNonce(k, ctr)
	dst = append(dst, hdr[:]...)
	return k.aead.Seal(dst, nonce[:], plaintext, hdr[:]), nil
}

// SDSInfo describes an opened SDS.
type SDSInfo struct {
	Epoch   uint32
	Sender  uint16
	Device  DeviceID // if the roster knows the sender
	Counter uint64
}

// OpenSDS authenticates and decrypts an SDS of talkgroup g, appending the plaintext
// to dst. Any authentication failure returns ErrAuth with the appended bytes zeroed;
// a counter already seen (or older than the window) returns ErrReplay.
func (m *Member) OpenSDS(g uint32, dst, msg []byte) ([]byte, SDSInfo, error) {
	var info SDSInfo
	gs := m.groups[g]
	if gs == nil {
		return dst, info, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	if len(msg) < SDSOverhead {
		return dst, info, ErrShort
	}
	if msg[0] != sdsTypeData {
		return dst, info, ErrMalformed
	}
	s := uint16(msg[2])<<8 | uint16(msg[3])
	ctr := get48(msg[4:])
	info.Sender, info.Counter = s, ctr
	gs.expire(m.now())
	var ep *epochState
	for i := len(gs.epochs) - 1; i >= 0; i-- {
		if byte(gs.epochs[i].e) == msg[1] {
			ep = gs.epochs[i]
			break
		}
	}
	if ep == nil {
		return dst, info, ErrUnknownEpoch
	}
	if s >= MaxSenders {
		return dst, info, ErrMalformed
	}
	info.Epoch = ep.e
	// The window is created only once a message of s authenticates, so forged
	// sender indices leave no state behind.
	win := ep.sdsWin[s]
	if win != nil && !win.Check(ctr) {
		return dst, info, ErrReplay
	}
	k := ep.sdsKeyFor(s)
	if k == nil {
		return dst, info, ErrAuth
	}
	nonce := sdsNonce(k, ctr)
	n := len(dst)
	out, err := k.aead.Open(dst, nonce[:], msg[SDSHeaderSize:], msg[:SDSHeaderSize])
	if err != nil {
		if pl := len(msg) - SDSOverhead; cap(dst)-n >= pl {
			clear(dst[n : n+pl])
		}
		return dst, info, ErrAuth
	}
	if win == nil {
		win = &ReplayWindow{}
		ep.sdsWin[s] = win
	}
	win.Accept(ctr)
	if e, ok := gs.roster[s]; ok {
		info.Device = e.Device
	}
	return out, info, nil
}
