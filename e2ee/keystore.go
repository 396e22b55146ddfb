package e2ee

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/crypto/argon2"
)

// Key store on disk: one file per device (or KMF), encrypted at rest. The
// passphrase goes through Argon2id [RFC 9106] to a 256-bit key for AES-256-GCM. The
// header is bound as additional data, so changing the KDF parameters or the kind
// fails authentication like any other change:
//
//	magic "TSKEYS1\n" (8) || kind (1) || KDF id = 1 Argon2id (1) || time (4) || memory KiB (4)
//	|| threads (1) || salt (16) || nonce (12) || AES-256-GCM(state) incl. 16-byte tag
//
// Files are created with mode 0600 (written to a temporary file and renamed), and
// ReadKeyStore refuses a file whose mode grants anything to group or others.

// StoreKind says what a key store holds.
type StoreKind uint8

const (
	StoreDevice StoreKind = 1 // a Member (device) state
	StoreKMF    StoreKind = 2 // a KMF state
	StoreBundle StoreKind = 3 // a provisioning bundle (a device state for transport)
)

func (k StoreKind) String() string {
	switch k {
	case StoreDevice:
		return "device"
	case StoreKMF:
		return "kmf"
	case StoreBundle:
		return "bundle"
	}
	return fmt.Sprintf("StoreKind(%d)", uint8(k))
}

// KDFParams are the Argon2id cost parameters of a key store.
type KDFParams struct {
	Time      uint32 // passes, 1..16
	MemoryKiB uint32 // 8*Threads .. MaxKDFMemoryKiB
	Threads   uint8  // 1..16
}

// MaxKDFMemoryKiB bounds the Argon2id memory of a key store: 1 GiB. The
// parameters sit in the clear header and are authenticated only after the key
// is derived, so the bound is what keeps a corrupted header from making the
// reader allocate up to 4 GiB (a crash, not an error) before it can say the file
// is bad.
const MaxKDFMemoryKiB = 1 << 20

// DefaultKDFParams returns the parameters new key stores use: Argon2id with t=2,
// 64 MiB, 2 lanes (the RFC 9106 "second recommended" option with the memory
// reduced for handsets).
func DefaultKDFParams() KDFParams { return KDFParams{Time: 2, MemoryKiB: 64 << 10, Threads: 2} }

func (p KDFParams) valid() bool {
	return p.Time >= 1 && p.Time <= 16 && p.Threads >= 1 && p.Threads <= 16 &&
		p.MemoryKiB >= 8*uint32(p.Threads) && p.MemoryKiB <= MaxKDFMemoryKiB
}

const (
	ksMagic     = "TSKEYS1\n"
	ksHeaderLen = 8 + 1 + 1 + 4 + 4 + 1 + 16 + 12
	ksKDFArgon  = 1
	// maxKeyStore bounds a key store file (a 16,384-member roster is ~600 KB).
	maxKeyStore = 16 << 20
)

// ErrKeyStoreAuth is returned when a key store fails to authenticate: a wrong
// passphrase or a modified file (the two cannot be told apart).
var ErrKeyStoreAuth = errors.New("e2ee: key store does not authenticate (wrong passphrase or corrupted file)")

// KeyStoreHeader is the parsed clear header of a key store.
type KeyStoreHeader struct {
	Kind   StoreKind
	Params KDFParams
	Salt   [16]byte
	Nonce  [12]byte
}

// ParseKeyStoreHeader parses the clear header of a key store file.
func ParseKeyStoreHeader(data []byte) (KeyStoreHeader, error) {
	var h KeyStoreHeader
	if len(data) < ksHeaderLen+16 {
		return h, fmt.Errorf("%w: not a tetrasim key store", ErrShort)
	}
	if !bytes.Equal(data[:8], []byte(ksMagic)) {
		return h, fmt.Errorf("%w: not a tetrasim key store (bad magic)", ErrMalformed)
	}
	r := reader{b: data[8:ksHeaderLen]}
	h.Kind = StoreKind(r.u8())
	kdf := r.u8()
	h.Params = KDFParams{Time: r.u32(), MemoryKiB: r.u32(), Threads: r.u8()}
	copy(h.Salt[:], r.take(16))
	copy(h.Nonce[:], r.take(12))
	if err := r.end(); err != nil {
		return h, err
	}
	if kdf != ksKDFArgon || h.Kind < StoreDevice || h.Kind > StoreBundle || !h.Params.valid() {
		return h, fmt.Errorf("%w: unsupported key store header", ErrMalformed)
	}
	return h, nil
}

func ksKey(pass []byte, h *KeyStoreHeader) cipher.AEAD {
	key := argon2.IDKey(pass, h.Salt[:], h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, 32)
	b, err := aes.NewCipher(key)
	wipe(key)
	if err != nil {
		panic("e2ee: aes: " + err.Error())
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("e2ee: gcm: " + err.Error())
	}
	return g
}

// SealKeyStore encrypts state under passphrase pass and returns the file contents.
func SealKeyStore(kind StoreKind, state, pass []byte, p KDFParams, rnd io.Reader) ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("e2ee: invalid KDF parameters %+v", p)
	}
	if len(pass) == 0 {
		return nil, errors.New("e2ee: empty passphrase")
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	h := KeyStoreHeader{Kind: kind, Params: p}
	if _, err := io.ReadFull(rnd, h.Salt[:]); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(rnd, h.Nonce[:]); err != nil {
		return nil, err
	}
	var w writer
	w.raw([]byte(ksMagic))
	w.u8(byte(kind))
	w.u8(ksKDFArgon)
	w.u32(p.Time)
	w.u32(p.MemoryKiB)
	w.u8(p.Threads)
	w.raw(h.Salt[:])
	w.raw(h.Nonce[:])
	hdr := w.b
	return ksKey(pass, &h).Seal(hdr, h.Nonce[:], state, hdr), nil
}

// OpenKeyStore authenticates and decrypts key store contents. The caller should
// wipe the returned state when done.
func OpenKeyStore(data, pass []byte) (StoreKind, []byte, error) {
	h, err := ParseKeyStoreHeader(data)
	if err != nil {
		return 0, nil, err
	}
	if len(data) > maxKeyStore {
		return 0, nil, fmt.Errorf("%w: key store larger than %d bytes", ErrMalformed, maxKeyStore)
	}
	state, err := ksKey(pass, &h).Open(nil, h.Nonce[:], data[ksHeaderLen:], data[:ksHeaderLen])
	if err != nil {
		return 0, nil, ErrKeyStoreAuth
	}
	return h.Kind, state, nil
}

// WriteKeyStore writes an encrypted key store to path with mode 0600, atomically
// and durably (temporary file in the same directory, fsync, rename, fsync of the
// directory).
func WriteKeyStore(path string, kind StoreKind, state, pass []byte, p KDFParams) error {
	data, err := SealKeyStore(kind, state, pass, p, nil)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".keystore-*")
	if err != nil {
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("e2ee: key store: %w", err)
	}
	// The rename itself must reach the disk too: a counter reservation
	// (Member.Persist) that a power cut rolls back would let FCs repeat.
	if runtime.GOOS != "windows" { // directories cannot be opened for Sync there
		d, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("e2ee: key store: %w", err)
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("e2ee: key store: syncing directory %s: %w", dir, err)
		}
	}
	return nil
}

// ReadKeyStore reads and decrypts the key store at path. It refuses a file that is
// not a regular file or whose permissions are looser than 0600, before reading it.
func ReadKeyStore(path string, pass []byte) (StoreKind, []byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, nil, fmt.Errorf("e2ee: key store: %w", err)
	}
	if !st.Mode().IsRegular() {
		return 0, nil, fmt.Errorf("e2ee: key store %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return 0, nil, fmt.Errorf("e2ee: key store %s has permissions %#o, looser than 0600: refusing it (chmod 600 %s)", path, perm, path)
	}
	if st.Size() > maxKeyStore {
		return 0, nil, fmt.Errorf("e2ee: key store %s is larger than %d bytes", path, maxKeyStore)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, fmt.Errorf("e2ee: key store: %w", err)
	}
	kind, state, err := OpenKeyStore(data, pass)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	return kind, state, nil
}

// SaveMember writes the member's state to an encrypted key store at path.
func SaveMember(path string, m *Member, pass []byte, p KDFParams) error {
	st, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	defer wipe(st)
	return WriteKeyStore(path, StoreDevice, st, pass, p)
}

// LoadMember reads a device key store (or a provisioning bundle) from path.
func LoadMember(path string, pass []byte, cfg MemberConfig) (*Member, error) {
	kind, st, err := ReadKeyStore(path, pass)
	if err != nil {
		return nil, err
	}
	defer wipe(st)
	if kind != StoreDevice && kind != StoreBundle {
		return nil, fmt.Errorf("e2ee: %s holds a %v key store, not a device", path, kind)
	}
	return UnmarshalMember(st, cfg)
}

// SaveKMF writes the KMF's state to an encrypted key store at path.
func SaveKMF(path string, k *KMF, pass []byte, p KDFParams) error {
	st, err := k.MarshalBinary()
	if err != nil {
		return err
	}
	defer wipe(st)
	return WriteKeyStore(path, StoreKMF, st, pass, p)
}

// LoadKMF reads a KMF key store from path.
func LoadKMF(path string, pass []byte, cfg KMFConfig) (*KMF, error) {
	kind, st, err := ReadKeyStore(path, pass)
	if err != nil {
		return nil, err
	}
	defer wipe(st)
	if kind != StoreKMF {
		return nil, fmt.Errorf("e2ee: %s holds a %v key store, not a KMF", path, kind)
	}
	return UnmarshalKMF(st, cfg)
}
