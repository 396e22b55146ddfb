package e2ee

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"
)

// Key-management messages travel as SDS payloads (e2ee-design.md §5.10). Each
// message is cut into fragments of at most MaxSDSPayload bytes (layout pinned here,
// e2ee-design.md §5.13):
//
//	fragment = 0x12 (1) || message id (2) || index (1) || count (1) || chunk (<= 249)
//
// with 1 <= count <= MaxFragments and index < count. The message body starts with a
// type byte:
//
//	1 KeyWrap          KMF -> one device    93 B
//	2 EpochAnnounce    KMF -> talkgroup    158 B
//	3 RosterUpdate     KMF -> talkgroup    12 + 38 n + 64 B (n <= 100)
//	4 DeviceKeyUpdate  device -> KMF       104 B
const (
	fragHeader    = 5
	fragChunk     = MaxSDSPayload - fragHeader
	MaxFragments  = 16
	maxMessage    = MaxFragments * fragChunk
	sdsTypeKMF    = 0x12
	msgKeyWrap    = 1
	msgAnnounce   = 2
	msgRoster     = 3
	msgDeviceKey  = 4
	maxRosterOps  = 100
	rosterOpBytes = 38
)

// fragment splits a message body into SDS payloads.
func fragment(id uint16, body []byte) ([][]byte, error) {
	n := (len(body) + fragChunk - 1) / fragChunk
	if n == 0 || n > MaxFragments {
		return nil, fmt.Errorf("e2ee: message of %d bytes does not fit %d fragments", len(body), MaxFragments)
	}
	out := make([][]byte, n)
	for i := 0; i < n; i++ {
		chunk := body[i*fragChunk : min((i+1)*fragChunk, len(body))]
		p := make([]byte, 0, fragHeader+len(chunk))
		p = append(p, sdsTypeKMF, byte(id>>8), byte(id), byte(i), byte(n))
		out[i] = append(p, chunk...)
	}
	return out, nil
}

// Fragment is one parsed key-management SDS fragment.
type Fragment struct {
	ID    uint16
	Index int
	Count int
	Chunk []byte
}

// ParseFragment parses one key-management SDS payload.
func ParseFragment(p []byte) (Fragment, error) {
	if len(p) < fragHeader+1 {
		return Fragment{}, ErrShort
	}
	if len(p) > MaxSDSPayload || p[0] != sdsTypeKMF {
		return Fragment{}, ErrMalformed
	}
	f := Fragment{ID: uint16(p[1])<<8 | uint16(p[2]), Index: int(p[3]), Count: int(p[4]), Chunk: p[fragHeader:]}
	if f.Count < 1 || f.Count > MaxFragments || f.Index >= f.Count {
		return Fragment{}, ErrMalformed
	}
	if f.Index < f.Count-1 && len(f.Chunk) != fragChunk {
		return Fragment{}, ErrMalformed
	}
	return f, nil
}

// reassembler collects fragments of up to reasmSlots messages at a time; the
// oldest incomplete message is dropped when a new one starts. Memory is bounded by
// reasmSlots * maxMessage.
type reassembler struct {
	slots [reasmSlots]reasmSlot
	tick  uint64
}

const reasmSlots = 8

type reasmSlot struct {
	used  bool
	id    uint16
	count int
	have  uint32
	parts [MaxFragments][]byte
	age   uint64
}

// add returns the complete message body once every fragment is in.
func (r *reassembler) add(f Fragment) []byte {
	if f.Count == 1 {
		return append([]byte(nil), f.Chunk...)
	}
	r.tick++
	var sl *reasmSlot
	for i := range r.slots {
		if r.slots[i].used && r.slots[i].id == f.ID && r.slots[i].count == f.Count {
			sl = &r.slots[i]
			break
		}
	}
	if sl == nil {
		oldest := 0
		for i := range r.slots {
			if !r.slots[i].used {
				oldest = i
				break
			}
			if r.slots[i].age < r.slots[oldest].age {
				oldest = i
			}
		}
		sl = &r.slots[oldest]
		*sl = reasmSlot{used: true, id: f.ID, count: f.Count}
	}
	sl.age = r.tick
	sl.parts[f.Index] = append([]byte(nil), f.Chunk...)
	sl.have |= 1 << f.Index
	if sl.have != 1<<f.Count-1 {
		return nil
	}
	var body []byte
	for i := 0; i < f.Count; i++ {
		body = append(body, sl.parts[i]...)
	}
	*sl = reasmSlot{}
	return body
}

// KeyWrap carries one member's epoch secret, HPKE-sealed to its X25519 key
// (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM):
//
//	type=1 (1) || G (3) || e (4) || s (2) || device (3) || enc (32) || ct (48)
//
// or, in post-quantum talkgroups (HPKE with ML-KEM-768+X25519), enc (1120) || ct
// (48): 1181 bytes, 5 SDS.
//
//	info = "tetrasim/e2ee/v1 wrap" || suite (1) || G (3) || e (4) || s (2) || device (3) || roster hash (32)
//
// The wrap itself is not signed: the signed EpochAnnounce carries a commitment to
// ES_e, which the member checks after unwrapping (see the package doc).
type KeyWrap struct {
	Group  uint32
	Epoch  uint32
	Sender uint16
	Device DeviceID
	Sealed []byte // enc || ct, 80 bytes
}

const (
	wrapSealed   = 32 + SecretSize + 16   // DHKEM(X25519): enc 32 || ct 48
	wrapSealedPQ = 1120 + SecretSize + 16 // ML-KEM-768+X25519: enc 1120 || ct 48
)

func (w *KeyWrap) marshal() []byte {
	var b writer
	b.u8(msgKeyWrap)
	b.u24(w.Group)
	b.u32(w.Epoch)
	b.u16(w.Sender)
	b.u24(uint32(w.Device))
	b.raw(w.Sealed)
	return b.b
}

func parseKeyWrap(body []byte) (*KeyWrap, error) {
	r := reader{b: body}
	if r.u8() != msgKeyWrap {
		return nil, ErrMalformed
	}
	w := &KeyWrap{Group: r.u24(), Epoch: r.u32(), Sender: r.u16(), Device: DeviceID(r.u24())}
	if len(r.b) != wrapSealed && len(r.b) != wrapSealedPQ {
		return nil, ErrMalformed
	}
	w.Sealed = append([]byte(nil), r.take(len(r.b))...)
	if err := r.end(); err != nil {
		return nil, err
	}
	if w.Sender >= MaxSenders {
		return nil, ErrMalformed
	}
	return w, nil
}

func wrapInfo(suite Suite, g, e uint32, s uint16, dev DeviceID, roster *[32]byte) []byte {
	var w writer
	w.raw([]byte(kdfLabel + " wrap"))
	w.u8(byte(suite))
	w.u24(g)
	w.u32(e)
	w.u16(s)
	w.u24(uint32(dev))
	w.raw(roster[:])
	return w.b
}

// esCommit = SHA-256("tetrasim/e2ee/v1 es" || G (3) || e (4) || ES_e).
func esCommit(g, e uint32, es *[SecretSize]byte) (c [32]byte) {
	var w writer
	w.raw([]byte(kdfLabel + " es"))
	w.u24(g)
	w.u32(e)
	w.raw(es[:])
	return sha256.Sum256(w.b)
}

// EpochAnnounce announces epoch e of talkgroup G, signed by the KMF:
//
//	type=2 (1) || G (3) || e (4) || suite (1) || activation (8, Unix seconds)
//	|| grace (4, s) || max lifetime (4, s; 0 = none) || SAF interval (1, slots)
//	|| members (2) || sender span (2) || roster hash (32) || ES commitment (32)
//	|| Ed25519 signature (64)
//
// Every sender index in use is below the span, so a member can derive every
// sender's chain key and then erase the epoch secret (MemberConfig.ForwardSecure).
//
// The signature covers "tetrasim/e2ee/v1 kmf" || every preceding byte.
type EpochAnnounce struct {
	Group      uint32
	Epoch      uint32
	Suite      Suite
	Activation time.Time
	Grace      time.Duration
	MaxLife    time.Duration
	SAFSlots   int
	Members    int
	Span       int // every sender index in use is < Span
	RosterHash [32]byte
	Commit     [32]byte
	Sig        [64]byte
}

func (a *EpochAnnounce) signed() []byte {
	var w writer
	w.u8(msgAnnounce)
	w.u24(a.Group)
	w.u32(a.Epoch)
	w.u8(byte(a.Suite))
	w.u64(uint64(a.Activation.Unix()))
	w.u32(uint32(a.Grace / time.Second))
	w.u32(uint32(a.MaxLife / time.Second))
	w.u8(byte(a.SAFSlots))
	w.u16(uint16(a.Members))
	w.u16(uint16(a.Span))
	w.raw(a.RosterHash[:])
	w.raw(a.Commit[:])
	return w.b
}

func kmfSigInput(body []byte) []byte { return append([]byte(kdfLabel+" kmf"), body...) }

func (a *EpochAnnounce) marshal() []byte { return append(a.signed(), a.Sig[:]...) }

func parseAnnounce(body []byte) (*EpochAnnounce, error) {
	r := reader{b: body}
	if r.u8() != msgAnnounce {
		return nil, ErrMalformed
	}
	a := &EpochAnnounce{Group: r.u24(), Epoch: r.u32(), Suite: Suite(r.u8())}
	a.Activation = time.Unix(int64(r.u64()), 0)
	a.Grace = time.Duration(r.u32()) * time.Second
	a.MaxLife = time.Duration(r.u32()) * time.Second
	a.SAFSlots = int(r.u8())
	a.Members = int(r.u16())
	a.Span = int(r.u16())
	copy(a.RosterHash[:], r.take(32))
	copy(a.Commit[:], r.take(32))
	copy(a.Sig[:], r.take(64))
	if err := r.end(); err != nil {
		return nil, err
	}
	if !a.Suite.Valid() || a.SAFSlots < 2 || a.SAFSlots > 32 || a.Span > MaxSenders || a.Members > a.Span {
		return nil, ErrMalformed
	}
	return a, nil
}

// RosterUpdate tells members which sender index belongs to which device identity
// (for EOT-SIG verification), signed by the KMF:
//
//	type=3 (1) || G (3) || e (4) || flags (1; bit 0: replace the roster) || n (2)
//	|| n x (op (1; 0 remove, 1 add) || s (2) || device (3) || Ed25519 key (32))
//	|| Ed25519 signature (64)
type RosterUpdate struct {
	Group   uint32
	Epoch   uint32
	Replace bool
	Ops     []RosterOp
	Sig     [64]byte
}

// RosterOp adds or removes one roster entry.
type RosterOp struct {
	Add    bool
	Sender uint16
	Device DeviceID
	Sign   [32]byte
}

func (u *RosterUpdate) signed() []byte {
	var w writer
	w.u8(msgRoster)
	w.u24(u.Group)
	w.u32(u.Epoch)
	var fl byte
	if u.Replace {
		fl = 1
	}
	w.u8(fl)
	w.u16(uint16(len(u.Ops)))
	for _, op := range u.Ops {
		var a byte
		if op.Add {
			a = 1
		}
		w.u8(a)
		w.u16(op.Sender)
		w.u24(uint32(op.Device))
		w.raw(op.Sign[:])
	}
	return w.b
}

func (u *RosterUpdate) marshal() []byte { return append(u.signed(), u.Sig[:]...) }

func parseRoster(body []byte) (*RosterUpdate, error) {
	r := reader{b: body}
	if r.u8() != msgRoster {
		return nil, ErrMalformed
	}
	u := &RosterUpdate{Group: r.u24(), Epoch: r.u32()}
	fl := r.u8()
	n := int(r.u16())
	if fl > 1 || n > maxRosterOps {
		return nil, ErrMalformed
	}
	u.Replace = fl == 1
	for i := 0; i < n && r.err == nil; i++ {
		a := r.u8()
		op := RosterOp{Add: a == 1, Sender: r.u16(), Device: DeviceID(r.u24())}
		copy(op.Sign[:], r.take(32))
		if a > 1 || op.Sender >= MaxSenders {
			return nil, ErrMalformed
		}
		u.Ops = append(u.Ops, op)
	}
	copy(u.Sig[:], r.take(64))
	if err := r.end(); err != nil {
		return nil, err
	}
	return u, nil
}

// DeviceKeyUpdate is a device's new X25519 HPKE key, signed with its Ed25519
// identity key (e2ee-design.md §5.10, "device key rotation", 104 B):
//
//	type=4 (1) || device (3) || seq (4) || X25519 key (32) || Ed25519 signature (64)
//
// The signature covers "tetrasim/e2ee/v1 devkey" || every preceding byte. seq must
// grow, so an old update cannot be replayed.
type DeviceKeyUpdate struct {
	Device DeviceID
	Seq    uint32
	HPKE   [32]byte
	Sig    [64]byte
}

func (u *DeviceKeyUpdate) signed() []byte {
	var w writer
	w.raw([]byte(kdfLabel + " devkey"))
	w.u8(msgDeviceKey)
	w.u24(uint32(u.Device))
	w.u32(u.Seq)
	w.raw(u.HPKE[:])
	return w.b
}

func (u *DeviceKeyUpdate) sign(k ed25519.PrivateKey) { copy(u.Sig[:], ed25519.Sign(k, u.signed())) }

func (u *DeviceKeyUpdate) marshal() []byte {
	return append(u.signed()[len(kdfLabel+" devkey"):], u.Sig[:]...)
}

func parseDeviceKey(body []byte) (*DeviceKeyUpdate, error) {
	r := reader{b: body}
	if r.u8() != msgDeviceKey {
		return nil, ErrMalformed
	}
	u := &DeviceKeyUpdate{Device: DeviceID(r.u24()), Seq: r.u32()}
	copy(u.HPKE[:], r.take(32))
	copy(u.Sig[:], r.take(64))
	if err := r.end(); err != nil {
		return nil, err
	}
	return u, nil
}

// ParseMessage parses a reassembled key-management message body into one of
// *KeyWrap, *EpochAnnounce, *RosterUpdate or *DeviceKeyUpdate. It checks syntax
// only; signatures are checked by Member.Apply and KMF.Apply.
func ParseMessage(body []byte) (any, error) {
	if len(body) == 0 {
		return nil, ErrShort
	}
	switch body[0] {
	case msgKeyWrap:
		return parseKeyWrap(body)
	case msgAnnounce:
		return parseAnnounce(body)
	case msgRoster:
		return parseRoster(body)
	case msgDeviceKey:
		return parseDeviceKey(body)
	}
	return nil, fmt.Errorf("%w: message type %d", ErrMalformed, body[0])
}
