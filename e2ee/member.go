package e2ee

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// DeviceID is a device's 24-bit individual address (TETRA ISSI).
type DeviceID uint32

// MaxDeviceID is the largest 24-bit DeviceID.
const MaxDeviceID = 1<<24 - 1

// Identity is a device's long-term key material (e2ee-design.md §5.3, §5.10): an
// Ed25519 identity (signing) key and an X25519 key for HPKE (DHKEM(X25519,
// HKDF-SHA256)), rotated with RotateHPKE. The zero value is not usable; see
// NewIdentity.
type Identity struct {
	ID       DeviceID
	signSeed [ed25519.SeedSize]byte
	sign     ed25519.PrivateKey
	hpkeRaw  [32]byte
	hpke     hpke.PrivateKey
	pqSeed   [32]byte        // ML-KEM-768+X25519 seed, valid if pq != nil
	pq       hpke.PrivateKey // optional post-quantum HPKE key (AddPostQuantum)
}

// pqKEM is the optional post-quantum hybrid KEM for key wraps: ML-KEM-768 + X25519
// (e2ee-design.md §5.10, "post-quantum option"; crypto/hpke MLKEM768X25519).
func pqKEM() hpke.KEM { return hpke.MLKEM768X25519() }

// PQPublicKeySize is the size of a post-quantum HPKE public key (ML-KEM-768
// encapsulation key 1184 B + X25519 32 B).
const PQPublicKeySize = 1216

// AddPostQuantum gives the device an ML-KEM-768+X25519 HPKE key, so the KMF can
// wrap epoch secrets to it in post-quantum talkgroups (KMF.SetPostQuantum). It
// replaces any earlier post-quantum key.
func (k *Identity) AddPostQuantum(rnd io.Reader) error {
	if rnd == nil {
		rnd = rand.Reader
	}
	var seed [32]byte
	if _, err := io.ReadFull(rnd, seed[:]); err != nil {
		return fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	return k.setPQ(&seed)
}

func (k *Identity) setPQ(seed *[32]byte) error {
	sk, err := pqKEM().NewPrivateKey(seed[:])
	if err != nil {
		return fmt.Errorf("e2ee: post-quantum HPKE key: %w", err)
	}
	k.pqSeed, k.pq = *seed, sk
	return nil
}

// hpkeKEM is the HPKE KEM used for key wraps: DHKEM(X25519, HKDF-SHA256), RFC 9180.
func hpkeKEM() hpke.KEM { return hpke.DHKEM(ecdh.X25519()) }

// NewIdentity generates the keys of device id from rnd (crypto/rand if nil).
func NewIdentity(id DeviceID, rnd io.Reader) (*Identity, error) {
	if id == 0 || id > MaxDeviceID {
		return nil, fmt.Errorf("e2ee: device id %d out of range 1..%d", id, MaxDeviceID)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	var seed, x [32]byte
	if _, err := io.ReadFull(rnd, seed[:]); err != nil {
		return nil, fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	if _, err := io.ReadFull(rnd, x[:]); err != nil {
		return nil, fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	return newIdentity(id, &seed, &x)
}

func newIdentity(id DeviceID, seed, x *[32]byte) (*Identity, error) {
	k := &Identity{ID: id, signSeed: *seed, hpkeRaw: *x}
	k.sign = ed25519.NewKeyFromSeed(seed[:])
	hk, err := hpkeKEM().NewPrivateKey(x[:])
	if err != nil {
		return nil, fmt.Errorf("e2ee: HPKE key: %w", err)
	}
	k.hpke = hk
	return k, nil
}

// RotateHPKE replaces the device's X25519 HPKE key (post-compromise security against
// a passive key thief, e2ee-design.md §5.10) and returns the signed DeviceKeyUpdate
// to send to the KMF as SDS payloads.
func (k *Identity) RotateHPKE(rnd io.Reader, seq uint32) ([][]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var x [32]byte
	if _, err := io.ReadFull(rnd, x[:]); err != nil {
		return nil, fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	hk, err := hpkeKEM().NewPrivateKey(x[:])
	if err != nil {
		return nil, fmt.Errorf("e2ee: HPKE key: %w", err)
	}
	wipe(k.hpkeRaw[:])
	k.hpkeRaw, k.hpke = x, hk
	wipe(x[:])
	u := DeviceKeyUpdate{Device: k.ID, Seq: seq, HPKE: k.Public().HPKE}
	u.sign(k.sign)
	return fragment(uint16(seq), u.marshal())
}

// Public returns the public half of the identity.
func (k *Identity) Public() DevicePublic {
	var p DevicePublic
	p.ID = k.ID
	copy(p.Sign[:], k.sign.Public().(ed25519.PublicKey))
	b := k.hpke.PublicKey().Bytes()
	copy(p.HPKE[:], b)
	if k.pq != nil {
		p.PQ = k.pq.PublicKey().Bytes()
	}
	return p
}

// Wipe zeroes the identity's secret keys (best effort: the HPKE key object inside
// crypto/hpke keeps its own copy that Go does not let us clear).
func (k *Identity) Wipe() {
	wipe(k.signSeed[:])
	wipe(k.sign)
	wipe(k.hpkeRaw[:])
	k.hpke = nil
	wipe(k.pqSeed[:])
	k.pq = nil
}

// DevicePublic is what the KMF knows about a device.
type DevicePublic struct {
	ID   DeviceID
	Sign [ed25519.PublicKeySize]byte // Ed25519 identity key
	HPKE [32]byte                    // X25519 public key for HPKE wraps
	PQ   []byte                      // optional ML-KEM-768+X25519 public key (PQPublicKeySize bytes)
}

// rosterEntry is one member of a talkgroup as members see it.
type rosterEntry struct {
	Sender uint16
	Device DeviceID
	Sign   [32]byte
}

// rosterHash pins the roster definition (e2ee-design.md §5.13):
//
//	SHA-256("tetrasim/e2ee/v1 roster" || G(24b) || n(32b) || entry*)
//	entry = s(16b) || device(24b) || Ed25519 public key(32 B), sorted by s
func rosterHash(g uint32, entries []rosterEntry) [32]byte {
	es := append([]rosterEntry(nil), entries...)
	sort.Slice(es, func(i, j int) bool { return es[i].Sender < es[j].Sender })
	h := sha256.New()
	var w writer
	w.raw([]byte(kdfLabel + " roster"))
	w.u24(g)
	w.u32(uint32(len(es)))
	h.Write(w.b)
	var b [37]byte
	for _, e := range es {
		b[0], b[1] = byte(e.Sender>>8), byte(e.Sender)
		put24(b[2:], uint32(e.Device))
		copy(b[5:], e.Sign[:])
		h.Write(b[:])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// epochState is one installed epoch of one talkgroup on one device.
type epochState struct {
	e          uint32
	suite      Suite
	es         [SecretSize]byte
	prk        [32]byte
	activation time.Time
	grace      time.Duration
	maxLife    time.Duration
	safSlots   int    // SAF interval in traffic slots
	self       uint16 // this device's sender index in this epoch
	selfOK     bool

	// own sending state (persisted)
	fc         uint32 // next frame counter of this device as sender
	fcReserved uint32 // FCs below this may have been used before a reboot
	sdsCtr     uint64
	sdsRes     uint64

	dead bool // wiped after its grace period

	// Forward-secure form (MemberConfig.ForwardSecure): ES and PRK are erased and
	// only each sender's chain key and data keys are kept, for s < span.
	hardened bool
	span     uint16
	ck0      map[uint16]*chainSeed // chain keys not yet taken by a voiceChain
	dk       map[uint16]*dataSeed

	// derived, not persisted
	chains map[uint16]*voiceChain
	hwm    map[uint16]uint32 // highest authenticated FC per sender: a verified SAF's FC_next or a verified EOT-SIG's FC_end
	sdsWin map[uint16]*ReplayWindow
	sds    map[uint16]*sdsKey
}

func newEpochState(suite Suite, g, e uint32, es *[SecretSize]byte) *epochState {
	ep := &epochState{e: e, suite: suite, es: *es, safSlots: DefaultSAFIntervalSlots}
	ep.prk = epochPRK(suite, g, e, es)
	ep.chains = map[uint16]*voiceChain{}
	ep.hwm = map[uint16]uint32{}
	ep.sdsWin = map[uint16]*ReplayWindow{}
	ep.sds = map[uint16]*sdsKey{}
	return ep
}

// chainSeed is a stored voice chain position: CK[s, idx].
type chainSeed struct {
	idx uint32
	ck  [32]byte
}

// dataSeed is a stored SDS key and nonce salt.
type dataSeed struct {
	key  [32]byte
	salt [12]byte
}

// chain returns sender s's voice chain, or nil if a forward-secure epoch holds no
// key for s.
func (ep *epochState) chain(s uint16) *voiceChain {
	c := ep.chains[s]
	if c != nil {
		return c
	}
	if ep.hardened {
		seed := ep.ck0[s]
		if seed == nil {
			return nil
		}
		c = &voiceChain{suite: ep.suite, ckIdx: seed.idx, ck: seed.ck}
		wipe(seed.ck[:])
		delete(ep.ck0, s)
	} else {
		c = newVoiceChain(ep.suite, &ep.prk, s)
	}
	ep.chains[s] = c
	return c
}

// harden derives every sender's chain key and data keys (s < span) and erases ES
// and PRK: from now on a stolen device state cannot recover earlier segments of
// this epoch (e2ee-design.md §5.3).
func (ep *epochState) harden(span uint16) {
	if ep.hardened {
		return
	}
	ep.span = span
	ep.ck0 = make(map[uint16]*chainSeed, span)
	ep.dk = make(map[uint16]*dataSeed, span)
	for s := uint16(0); s < span; s++ {
		if _, ok := ep.chains[s]; !ok {
			ep.ck0[s] = &chainSeed{ck: voiceChain0(&ep.prk, s)}
		}
		if _, ok := ep.sds[s]; !ok {
			d := &dataSeed{}
			d.key, d.salt = dataKeys(&ep.prk, s)
			ep.dk[s] = d
		}
	}
	wipe(ep.es[:])
	wipe(ep.prk[:])
	ep.hardened = true
}

// wipe erases the epoch's secrets. Senders and receivers still holding the epoch
// see dead and stop using it.
func (ep *epochState) wipe() {
	ep.dead = true
	wipe(ep.es[:])
	wipe(ep.prk[:])
	for _, c := range ep.chains {
		c.wipe()
	}
	for _, k := range ep.sds {
		k.wipe()
	}
	for _, c := range ep.ck0 {
		wipe(c.ck[:])
	}
	for _, d := range ep.dk {
		wipe(d.key[:])
		wipe(d.salt[:])
	}
	clear(ep.chains)
	clear(ep.sds)
	clear(ep.ck0)
	clear(ep.dk)
}

// tmin returns minutes since activation mod 4096 at time now.
func (ep *epochState) tmin(now time.Time) uint16 {
	d := now.Sub(ep.activation)
	m := int64(d / time.Minute)
	if d < 0 && d%time.Minute != 0 {
		m-- // floor
	}
	return uint16(m & 0xfff)
}

// DefaultSAFIntervalSlots is the default SAF interval: one SAF every 16 traffic
// slots, 31 speech frames between SAFs (e2ee-design.md §5.5).
const DefaultSAFIntervalSlots = 16

// groupState is a device's view of one talkgroup.
type groupState struct {
	g       uint32
	self    uint16
	selfOK  bool
	roster  map[uint16]rosterEntry
	epochs  []*epochState // sorted by e, at most a few
	pending map[uint32]*pendingEpoch
}

type pendingEpoch struct {
	wrap     *KeyWrap
	announce *EpochAnnounce
}

// epochByTag returns the installed epoch with e mod 16 == tag, preferring the
// newest.
func (gs *groupState) epochByTag(tag uint8) *epochState {
	for i := len(gs.epochs) - 1; i >= 0; i-- {
		if gs.epochs[i].e&15 == uint32(tag&15) {
			return gs.epochs[i]
		}
	}
	return nil
}

func (gs *groupState) epoch(e uint32) *epochState {
	for _, ep := range gs.epochs {
		if ep.e == e {
			return ep
		}
	}
	return nil
}

// active returns the newest epoch whose activation time has passed.
func (gs *groupState) active(now time.Time) *epochState {
	for i := len(gs.epochs) - 1; i >= 0; i-- {
		if !now.Before(gs.epochs[i].activation) {
			return gs.epochs[i]
		}
	}
	return nil
}

// expire drops epochs superseded for longer than their grace period, wiping them,
// and keeps at most 3 epochs (e-1, e, e+1).
func (gs *groupState) expire(now time.Time) {
	keep := gs.epochs[:0]
	for i, ep := range gs.epochs {
		drop := false
		if i+1 < len(gs.epochs) {
			next := gs.epochs[i+1]
			if !now.Before(next.activation.Add(ep.grace)) {
				drop = true
			}
		}
		if len(gs.epochs)-i > 3 {
			drop = true
		}
		if drop {
			ep.wipe()
			continue
		}
		keep = append(keep, ep)
	}
	clear(gs.epochs[len(keep):])
	gs.epochs = keep
}

// Member is one device's E2EE state: its identity, the pinned KMF key, and its
// talkgroups with their epochs. A handset in the simulator owns one Member and
// creates a Sender and a Receiver per talkgroup from it.
//
// A Member and everything created from it (Senders, Receivers) must be used from
// one goroutine at a time.
type Member struct {
	id      *Identity
	kmf     ed25519.PublicKey
	now     func() time.Time
	rnd     io.Reader
	groups  map[uint32]*groupState
	frags   reassembler
	fs      bool
	orphans []*KeyWrap // wraps for groups without state yet (bounded)

	// Persist, if set, is called whenever a frame or SDS counter reservation grows
	// (every 4096 frames or 256 messages per epoch), before the reserved counters
	// are used. It should write the key store (MarshalBinary). If it returns an
	// error, the sender stops with ErrPersist. This is how the nonce rule survives
	// reboots: after a restart, a sender resumes above the last reservation.
	Persist func() error
}

// MemberConfig configures NewMember.
type MemberConfig struct {
	// Now is the trusted clock (GNSS or the local RTC, never network time). It sets
	// t_min and epoch activation. nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// ForwardSecure makes the member erase each epoch's secret as soon as it is
	// installed, keeping only per-sender chain keys that the ratchet overwrites
	// (forward secrecy inside an epoch, e2ee-design.md §5.3). It costs about 84
	// bytes of keys per sender index of the group per epoch (about 1.5 MB with
	// map overhead for 10,000) and about 40 ms per rekey for 10,000 senders
	// (BenchmarkRekey10k/MemberForwardSecure: ns/op and retained-B).
	ForwardSecure bool
}

// NewMember returns the state of device id with kmf pinned as the KMF's Ed25519 key
// (provisioning, e2ee-design.md §5.10).
func NewMember(id *Identity, kmf ed25519.PublicKey, cfg MemberConfig) (*Member, error) {
	if id == nil || id.sign == nil {
		return nil, errors.New("e2ee: NewMember needs an identity")
	}
	if len(kmf) != ed25519.PublicKeySize {
		return nil, errors.New("e2ee: NewMember: bad KMF public key")
	}
	m := &Member{id: id, kmf: append(ed25519.PublicKey(nil), kmf...), now: cfg.Now, rnd: cfg.Rand,
		groups: map[uint32]*groupState{}, fs: cfg.ForwardSecure}
	if m.now == nil {
		m.now = time.Now
	}
	if m.rnd == nil {
		m.rnd = rand.Reader
	}
	return m, nil
}

// Identity returns the member's identity.
func (m *Member) Identity() *Identity { return m.id }

// SetClock replaces the trusted clock (for simulators with a virtual clock).
func (m *Member) SetClock(now func() time.Time) { m.now = now }

func (m *Member) group(g uint32) *groupState {
	gs := m.groups[g]
	if gs == nil {
		gs = &groupState{g: g, roster: map[uint16]rosterEntry{}, pending: map[uint32]*pendingEpoch{}}
		m.groups[g] = gs
	}
	return gs
}

// GroupInfo summarises a talkgroup as the member sees it. It holds no secrets.
type GroupInfo struct {
	Group       uint32
	Sender      uint16 // this device's sender index (valid if IsMember)
	IsMember    bool
	RosterSize  int
	Epochs      []EpochInfo
	ActiveEpoch uint32
	HasActive   bool
}

// EpochInfo describes an installed epoch without its secret.
type EpochInfo struct {
	Epoch      uint32
	Suite      Suite
	Activation time.Time
	FC         uint32 // next voice frame counter of this device
	SDSCounter uint64 // next SDS counter of this device
}

// Groups lists the member's talkgroups, sorted by G.
func (m *Member) Groups() []GroupInfo {
	var out []GroupInfo
	now := m.now()
	for _, gs := range m.groups {
		gi := GroupInfo{Group: gs.g, Sender: gs.self, IsMember: gs.selfOK, RosterSize: len(gs.roster)}
		for _, ep := range gs.epochs {
			gi.Epochs = append(gi.Epochs, EpochInfo{Epoch: ep.e, Suite: ep.suite, Activation: ep.activation, FC: ep.fc, SDSCounter: ep.sdsCtr})
		}
		if a := gs.active(now); a != nil {
			gi.ActiveEpoch, gi.HasActive = a.e, true
		}
		out = append(out, gi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// reserveFC makes sure FC fc may be used, growing and persisting the reservation.
func (m *Member) reserveFC(ep *epochState, fc uint32) error {
	if fc < ep.fcReserved {
		return nil
	}
	old := ep.fcReserved
	ep.fcReserved = min(fc+SegmentFrames, MaxFC+1)
	if m.Persist != nil {
		if err := m.Persist(); err != nil {
			ep.fcReserved = old
			return fmt.Errorf("%w: %v", ErrPersist, err)
		}
	}
	return nil
}

const sdsReserveStep = 256

func (m *Member) reserveSDS(ep *epochState, c uint64) error {
	if c < ep.sdsRes {
		return nil
	}
	old := ep.sdsRes
	ep.sdsRes = min(c+sdsReserveStep, MaxSDSCounter+1)
	if m.Persist != nil {
		if err := m.Persist(); err != nil {
			ep.sdsRes = old
			return fmt.Errorf("%w: %v", ErrPersist, err)
		}
	}
	return nil
}

// Wipe zeroes every secret the member holds (best effort, see Identity.Wipe).
func (m *Member) Wipe() {
	for _, gs := range m.groups {
		for _, ep := range gs.epochs {
			ep.wipe()
		}
		gs.epochs = nil
	}
	m.id.Wipe()
}
