package e2ee

import "errors"

// Sentinel errors. Parsers of bytes that came off the air return these (wrapped with
// detail where useful); callers test them with errors.Is.
var (
	// ErrShort: the input is shorter than its format requires.
	ErrShort = errors.New("e2ee: message too short")
	// ErrMalformed: the input is not a valid encoding (bad bit values, bad lengths,
	// non-zero reserved fields, unknown version).
	ErrMalformed = errors.New("e2ee: malformed message")
	// ErrAuth is the one opaque authentication failure: a bad AEAD tag, a bad
	// signature, a bad HPKE wrap or a bad epoch-secret commitment.
	ErrAuth = errors.New("e2ee: message authentication failed")
	// ErrReplay: the message's counter was already seen or is below the window.
	ErrReplay = errors.New("e2ee: replayed or stale message")
	// ErrUnknownEpoch: no key is installed for the message's group and epoch.
	ErrUnknownEpoch = errors.New("e2ee: unknown epoch")
	// ErrUnknownGroup: the device is not a member of the talkgroup.
	ErrUnknownGroup = errors.New("e2ee: unknown talkgroup")
	// ErrNoEpoch: no epoch is active for the talkgroup at the current time.
	ErrNoEpoch = errors.New("e2ee: no active epoch")
	// ErrEpochExpired: the active epoch is older than its maximum lifetime (rekey
	// messages may have been suppressed); the group fails closed.
	ErrEpochExpired = errors.New("e2ee: epoch past its maximum lifetime")
	// ErrCounterExhausted: the 24-bit voice frame counter or the 48-bit SDS counter
	// of this sender ran out in this epoch; a new epoch is needed.
	ErrCounterExhausted = errors.New("e2ee: counter exhausted, new epoch needed")
	// ErrSAFDue: the sender must emit a Sync+Auth Frame (Sender.NextSAF) before
	// more speech frames.
	ErrSAFDue = errors.New("e2ee: sync+auth frame due")
	// ErrNoSync: a receiver has no accepted SAF to decrypt from (late entry waits
	// for the next SAF).
	ErrNoSync = errors.New("e2ee: no sync, waiting for a sync+auth frame")
	// ErrMuted: the receiver muted this transmission after tag failures (TAMPER).
	ErrMuted = errors.New("e2ee: transmission muted after tamper alarm")
	// ErrTime: the SAF's t_min is too far from the receiver's trusted time.
	ErrTime = errors.New("e2ee: sync frame time outside tolerance")
	// ErrPersist: the frame or message counter reservation could not be persisted.
	ErrPersist = errors.New("e2ee: cannot persist counter reservation")
)

// Big-endian fixed-width helpers. All multi-byte integers of tetrasim E2EE v1 are
// big-endian with the width shown in the layout tables (e2ee-design.md §5.3).

func put24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v>>16), byte(v>>8), byte(v) }
func get24(b []byte) uint32    { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }
func put48(b []byte, v uint64) {
	for i := 0; i < 6; i++ {
		b[i] = byte(v >> (40 - 8*i))
	}
}
func get48(b []byte) uint64 {
	var v uint64
	for i := 0; i < 6; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// putBits writes the low n bits of v MSB first as unpacked bits (one per byte).
func putBits(dst []byte, v uint64, n int) {
	for i := 0; i < n; i++ {
		dst[i] = byte(v>>(n-1-i)) & 1
	}
}

// getBits reads n unpacked bits MSB first. ok is false if any byte is not 0 or 1.
func getBits(src []byte, n int) (v uint64, ok bool) {
	ok = true
	for i := 0; i < n; i++ {
		b := src[i]
		if b > 1 {
			ok = false
		}
		v = v<<1 | uint64(b&1)
	}
	return v, ok
}

// wipe zeroes b. Go cannot guarantee that no copy of a secret survives elsewhere
// (the garbage collector may have moved it, and library types such as
// ecdh.PrivateKey keep opaque copies), so this is best effort.
func wipe(b []byte) { clear(b) }

// writer is a tiny append-only encoder for the binary formats of this package.
type writer struct{ b []byte }

func (w *writer) u8(v byte)      { w.b = append(w.b, v) }
func (w *writer) u16(v uint16)   { w.b = append(w.b, byte(v>>8), byte(v)) }
func (w *writer) u24(v uint32)   { w.b = append(w.b, byte(v>>16), byte(v>>8), byte(v)) }
func (w *writer) u32(v uint32)   { w.b = append(w.b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)) }
func (w *writer) u48(v uint64)   { var t [6]byte; put48(t[:], v); w.b = append(w.b, t[:]...) }
func (w *writer) u64(v uint64)   { w.u32(uint32(v >> 32)); w.u32(uint32(v)) }
func (w *writer) raw(p []byte)   { w.b = append(w.b, p...) }
func (w *writer) bytes(p []byte) { w.u32(uint32(len(p))); w.raw(p) }

// reader is the matching decoder. After the first short read every getter returns
// zero and r.err is set, so callers check the error once at the end.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b) < n {
		if r.err == nil {
			r.err = ErrShort
		}
		r.b = nil
		return make([]byte, max(n, 0))
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}
func (r *reader) u8() byte    { return r.take(1)[0] }
func (r *reader) u16() uint16 { p := r.take(2); return uint16(p[0])<<8 | uint16(p[1]) }
func (r *reader) u24() uint32 { return get24(r.take(3)) }
func (r *reader) u32() uint32 {
	p := r.take(4)
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
}
func (r *reader) u48() uint64 { return get48(r.take(6)) }
func (r *reader) u64() uint64 { return uint64(r.u32())<<32 | uint64(r.u32()) }
func (r *reader) bytes(limit int) []byte {
	n := r.u32()
	if r.err == nil && int64(n) > int64(limit) {
		r.err = ErrMalformed
		r.b = nil
		return nil
	}
	return r.take(int(n))
}
func (r *reader) end() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return ErrMalformed
	}
	return nil
}
