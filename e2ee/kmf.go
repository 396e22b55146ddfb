package e2ee

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// KMF is the key-management facility (e2ee-design.md §5.10): it knows the devices'
// public keys, the talkgroups and their members, and starts a new epoch on every
// membership change and on a timer. Each epoch's secret ES_e is HPKE-wrapped to
// every member (one SDS each) and announced in a signed EpochAnnounce.
//
// The KMF is the trust anchor: it holds every epoch secret it issued (the current
// one per group, to re-send wraps). Not safe for concurrent use.
type KMF struct {
	seed    [ed25519.SeedSize]byte
	sign    ed25519.PrivateKey
	now     func() time.Time
	rnd     io.Reader
	devices map[DeviceID]*kmfDevice
	groups  map[uint32]*kmfGroup
	msgID   uint16

	// RekeyInterval starts a new epoch when the current one is this old (Tick).
	// Default 1 h; 0 disables timer rekeys.
	RekeyInterval time.Duration
	// Grace is how long members keep the previous epoch after the next activates.
	// Default 10 min.
	Grace time.Duration
	// MaxLife is the epoch's maximum lifetime: members fail closed after it.
	// Default 4 h (0 = unlimited).
	MaxLife time.Duration
	// ActivationDelay is the time between a rekey and the new epoch's activation,
	// so members receive their wraps before they need them. Default 30 s.
	ActivationDelay time.Duration
}

type kmfDevice struct {
	pub DevicePublic
	seq uint32
	has bool // seq valid
}

type kmfGroup struct {
	g        uint32
	suite    Suite
	safSlots int
	members  map[DeviceID]uint16
	epoch    uint32
	es       [SecretSize]byte
	started  time.Time
	hasEpoch bool
	pq       bool       // wrap with ML-KEM-768+X25519
	dirty    []RosterOp // roster changes since the last epoch
}

// SetPostQuantum makes talkgroup g wrap epoch secrets with HPKE over ML-KEM-768 +
// X25519 from its next epoch on (e2ee-design.md §5.10: about 1.2 KB, 5 SDS per
// member). Every member needs a post-quantum key (Identity.AddPostQuantum).
func (k *KMF) SetPostQuantum(g uint32, on bool) error {
	gr, ok := k.groups[g]
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	if on {
		for d := range gr.members {
			if len(k.devices[d].pub.PQ) == 0 {
				return fmt.Errorf("e2ee: member %d of talkgroup %d has no post-quantum key", d, g)
			}
		}
	}
	gr.pq = on
	return nil
}

// KMFConfig configures NewKMF.
type KMFConfig struct {
	Now  func() time.Time // trusted clock; nil means time.Now
	Rand io.Reader        // nil means crypto/rand
}

// NewKMF creates a KMF with a fresh Ed25519 signing key.
func NewKMF(cfg KMFConfig) (*KMF, error) {
	k := newKMF(cfg)
	if _, err := io.ReadFull(k.rnd, k.seed[:]); err != nil {
		return nil, fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	k.sign = ed25519.NewKeyFromSeed(k.seed[:])
	return k, nil
}

func newKMF(cfg KMFConfig) *KMF {
	k := &KMF{now: cfg.Now, rnd: cfg.Rand, devices: map[DeviceID]*kmfDevice{}, groups: map[uint32]*kmfGroup{},
		RekeyInterval: time.Hour, Grace: 10 * time.Minute, MaxLife: 4 * time.Hour, ActivationDelay: 30 * time.Second}
	if k.now == nil {
		k.now = time.Now
	}
	if k.rnd == nil {
		k.rnd = rand.Reader
	}
	return k
}

// SetClock replaces the KMF's clock.
func (k *KMF) SetClock(now func() time.Time) { k.now = now }

// PublicKey returns the KMF's Ed25519 key, to be pinned in every device.
func (k *KMF) PublicKey() ed25519.PublicKey { return k.sign.Public().(ed25519.PublicKey) }

// Message is a key-management message ready for the air: one or more SDS payloads
// (fragments) to one device, or broadcast to a talkgroup when To is 0.
type Message struct {
	To       DeviceID // 0: broadcast to Group
	Group    uint32
	Kind     string // "key-wrap", "epoch-announce", "roster-update"
	Payloads [][]byte
}

// Bytes returns the total payload bytes of the messages (bytes on the air at the
// SDS layer).
func Bytes(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		for _, p := range m.Payloads {
			n += len(p)
		}
	}
	return n
}

// AddDevice registers a device's public keys.
func (k *KMF) AddDevice(p DevicePublic) error {
	if p.ID == 0 || p.ID > MaxDeviceID {
		return fmt.Errorf("e2ee: device id %d out of range", p.ID)
	}
	if len(p.PQ) != 0 {
		if _, err := pqKEM().NewPublicKey(p.PQ); err != nil {
			return fmt.Errorf("e2ee: device %d post-quantum key: %w", p.ID, err)
		}
		p.PQ = append([]byte(nil), p.PQ...)
	}
	if _, ok := k.devices[p.ID]; ok {
		return fmt.Errorf("e2ee: device %d already registered", p.ID)
	}
	k.devices[p.ID] = &kmfDevice{pub: p}
	return nil
}

// Device returns a registered device's public keys.
func (k *KMF) Device(id DeviceID) (DevicePublic, bool) {
	d, ok := k.devices[id]
	if !ok {
		return DevicePublic{}, false
	}
	return d.pub, true
}

// Devices lists the registered device IDs in order.
func (k *KMF) Devices() []DeviceID {
	ids := make([]DeviceID, 0, len(k.devices))
	for id := range k.devices {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// RemoveDevice removes a device from every talkgroup (each gets a new epoch, whose
// messages are returned) and forgets it.
func (k *KMF) RemoveDevice(id DeviceID) ([]Message, error) {
	if _, ok := k.devices[id]; !ok {
		return nil, fmt.Errorf("e2ee: unknown device %d", id)
	}
	var out []Message
	for _, g := range k.Groups() {
		if _, ok := k.groups[g].members[id]; ok {
			msgs, err := k.RemoveMember(g, id)
			if err != nil {
				return nil, err
			}
			out = append(out, msgs...)
		}
	}
	delete(k.devices, id)
	return out, nil
}

// AddTalkgroup creates talkgroup g (24-bit GSSI) with the given suite and SAF
// interval in traffic slots (0 means DefaultSAFIntervalSlots; 2..32).
func (k *KMF) AddTalkgroup(g uint32, suite Suite, safSlots int) error {
	if g == 0 || g > MaxGroup {
		return fmt.Errorf("e2ee: talkgroup %d out of range 1..%d", g, MaxGroup)
	}
	if !suite.Valid() {
		return fmt.Errorf("e2ee: unknown suite %v", suite)
	}
	if safSlots == 0 {
		safSlots = DefaultSAFIntervalSlots
	}
	if safSlots < 2 || safSlots > 32 {
		return fmt.Errorf("e2ee: SAF interval %d slots out of range 2..32", safSlots)
	}
	if _, ok := k.groups[g]; ok {
		return fmt.Errorf("e2ee: talkgroup %d exists", g)
	}
	k.groups[g] = &kmfGroup{g: g, suite: suite, safSlots: safSlots, members: map[DeviceID]uint16{}}
	return nil
}

// RemoveTalkgroup deletes talkgroup g and wipes its epoch secret.
func (k *KMF) RemoveTalkgroup(g uint32) error {
	gr, ok := k.groups[g]
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	wipe(gr.es[:])
	delete(k.groups, g)
	return nil
}

// Groups lists the talkgroups in order.
func (k *KMF) Groups() []uint32 {
	gs := make([]uint32, 0, len(k.groups))
	for g := range k.groups {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	return gs
}

// TalkgroupInfo describes a talkgroup at the KMF (no secrets).
type TalkgroupInfo struct {
	Group    uint32
	Suite    Suite
	SAFSlots int
	Epoch    uint32
	HasEpoch bool
	Started  time.Time
	Members  map[DeviceID]uint16 // device -> sender index
}

// Talkgroup returns a copy of talkgroup g's public state.
func (k *KMF) Talkgroup(g uint32) (TalkgroupInfo, bool) {
	gr, ok := k.groups[g]
	if !ok {
		return TalkgroupInfo{}, false
	}
	ti := TalkgroupInfo{Group: g, Suite: gr.suite, SAFSlots: gr.safSlots, Epoch: gr.epoch, HasEpoch: gr.hasEpoch,
		Started: gr.started, Members: map[DeviceID]uint16{}}
	for d, s := range gr.members {
		ti.Members[d] = s
	}
	return ti, true
}

// AddMember adds device dev to talkgroup g, assigning the lowest free sender index,
// and starts a new epoch: the returned messages carry it.
func (k *KMF) AddMember(g uint32, dev DeviceID) ([]Message, error) {
	if err := k.AddMembers(g, dev); err != nil {
		return nil, err
	}
	return k.Rekey(g)
}

// AddMembers adds devices to talkgroup g without rekeying (for bulk set-up; call
// Rekey afterwards: membership changes must end in a new epoch before use).
func (k *KMF) AddMembers(g uint32, devs ...DeviceID) error {
	gr, ok := k.groups[g]
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	used := make(map[uint16]bool, len(gr.members))
	for _, s := range gr.members {
		used[s] = true
	}
	// Check everything first, so that a failure adds nobody.
	seen := map[DeviceID]bool{}
	for _, dev := range devs {
		d, ok := k.devices[dev]
		if !ok {
			return fmt.Errorf("e2ee: unknown device %d", dev)
		}
		if _, ok := gr.members[dev]; ok || seen[dev] {
			return fmt.Errorf("e2ee: device %d already in talkgroup %d", dev, g)
		}
		if gr.pq && len(d.pub.PQ) == 0 {
			return fmt.Errorf("e2ee: device %d has no post-quantum key for post-quantum talkgroup %d", dev, g)
		}
		seen[dev] = true
	}
	if len(gr.members)+len(devs) > MaxSenders {
		return fmt.Errorf("e2ee: talkgroup %d would exceed %d members", g, MaxSenders)
	}
	next := uint16(0)
	for _, dev := range devs {
		d := k.devices[dev]
		for next < MaxSenders && used[next] {
			next++
		}
		if next >= MaxSenders {
			return fmt.Errorf("e2ee: talkgroup %d is full (%d members)", g, MaxSenders)
		}
		used[next] = true
		gr.members[dev] = next
		gr.dirty = append(gr.dirty, RosterOp{Add: true, Sender: next, Device: dev, Sign: d.pub.Sign})
	}
	return nil
}

// RemoveMember removes device dev from talkgroup g and starts a new epoch that dev
// receives no wrap for.
func (k *KMF) RemoveMember(g uint32, dev DeviceID) ([]Message, error) {
	gr, ok := k.groups[g]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	s, ok := gr.members[dev]
	if !ok {
		return nil, fmt.Errorf("e2ee: device %d is not in talkgroup %d", dev, g)
	}
	delete(gr.members, dev)
	gr.dirty = append(gr.dirty, RosterOp{Add: false, Sender: s, Device: dev})
	return k.Rekey(g)
}

func (k *KMF) nextID() uint16 { k.msgID++; return k.msgID }

func (gr *kmfGroup) roster(k *KMF) []rosterEntry {
	es := make([]rosterEntry, 0, len(gr.members))
	for d, s := range gr.members {
		es = append(es, rosterEntry{Sender: s, Device: d, Sign: k.devices[d].pub.Sign})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Sender < es[j].Sender })
	return es
}

// Rekey starts epoch e+1 of talkgroup g: a fresh random ES, a roster update for any
// membership change, a signed EpochAnnounce, and one HPKE key wrap per member.
// Messages come in the order they should be sent: roster, announce, wraps.
func (k *KMF) Rekey(g uint32) ([]Message, error) {
	gr, ok := k.groups[g]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	var es [SecretSize]byte
	if _, err := io.ReadFull(k.rnd, es[:]); err != nil {
		return nil, fmt.Errorf("e2ee: reading randomness: %w", err)
	}
	e := gr.epoch + 1
	if !gr.hasEpoch {
		e = gr.epoch
		if e == 0 {
			e = 1
		}
	}
	now := k.now()
	roster := gr.roster(k)
	var out []Message

	// A device added to a group that already has an epoch missed the earlier
	// roster updates: send it the whole roster (unicast) so that it can check
	// every member's EOT-SIG. Above RosterSnapshotLimit members that is too much
	// for SDS; such devices are provisioned at the desk (keys export/import).
	var added []DeviceID
	if gr.hasEpoch && len(roster) <= RosterSnapshotLimit {
		for _, op := range gr.dirty {
			if _, still := gr.members[op.Device]; op.Add && still {
				added = append(added, op.Device)
			}
		}
	}
	for _, dev := range added {
		snap, err := k.RosterSnapshot(g)
		if err != nil {
			return nil, err
		}
		for _, m := range snap {
			m.To = dev
			out = append(out, m)
		}
	}

	// Roster changes, in signed chunks of at most maxRosterOps.
	for len(gr.dirty) > 0 {
		n := min(len(gr.dirty), maxRosterOps)
		u := RosterUpdate{Group: g, Epoch: e, Ops: gr.dirty[:n]}
		copy(u.Sig[:], ed25519.Sign(k.sign, kmfSigInput(u.signed())))
		p, err := fragment(k.nextID(), u.marshal())
		if err != nil {
			return nil, err
		}
		out = append(out, Message{Group: g, Kind: "roster-update", Payloads: p})
		gr.dirty = gr.dirty[n:]
	}
	gr.dirty = nil

	act := now.Add(k.ActivationDelay).Truncate(time.Second)
	if !gr.hasEpoch {
		act = now.Truncate(time.Second) // nothing to change over from
	}
	a := k.announce(gr, e, act, roster, &es)
	p, err := fragment(k.nextID(), a.marshal())
	if err != nil {
		return nil, err
	}
	out = append(out, Message{Group: g, Kind: "epoch-announce", Payloads: p})
	for _, ent := range roster {
		msg, err := k.wrap(gr, e, ent, &a.RosterHash, &es)
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	wipe(gr.es[:])
	gr.es, gr.epoch, gr.started, gr.hasEpoch = es, e, a.Activation, true
	wipe(es[:])
	return out, nil
}

// announce builds and signs the EpochAnnounce of epoch e.
func (k *KMF) announce(gr *kmfGroup, e uint32, act time.Time, roster []rosterEntry, es *[SecretSize]byte) EpochAnnounce {
	span := 0
	for _, ent := range roster {
		span = max(span, int(ent.Sender)+1)
	}
	a := EpochAnnounce{Group: gr.g, Epoch: e, Suite: gr.suite, Activation: act, Grace: k.Grace, MaxLife: k.MaxLife,
		SAFSlots: gr.safSlots, Members: len(roster), Span: span, RosterHash: rosterHash(gr.g, roster),
		Commit: esCommit(gr.g, e, es)}
	copy(a.Sig[:], ed25519.Sign(k.sign, kmfSigInput(a.signed())))
	return a
}

// wrap seals ES_e to one member.
func (k *KMF) wrap(gr *kmfGroup, e uint32, ent rosterEntry, rh *[32]byte, es *[SecretSize]byte) (Message, error) {
	d := k.devices[ent.Device]
	var pk hpke.PublicKey
	var err error
	if gr.pq {
		if len(d.pub.PQ) == 0 {
			return Message{}, fmt.Errorf("e2ee: device %d has no post-quantum key for post-quantum talkgroup %d", ent.Device, gr.g)
		}
		pk, err = pqKEM().NewPublicKey(d.pub.PQ)
	} else {
		pk, err = hpkeKEM().NewPublicKey(d.pub.HPKE[:])
	}
	if err != nil {
		return Message{}, fmt.Errorf("e2ee: device %d HPKE key: %w", ent.Device, err)
	}
	sealed, err := hpke.Seal(pk, hpke.HKDFSHA256(), hpke.AES128GCM(),
		wrapInfo(gr.suite, gr.g, e, ent.Sender, ent.Device, rh), es[:])
	if err != nil {
		return Message{}, fmt.Errorf("e2ee: HPKE seal: %w", err)
	}
	w := KeyWrap{Group: gr.g, Epoch: e, Sender: ent.Sender, Device: ent.Device, Sealed: sealed}
	p, err := fragment(k.nextID(), w.marshal())
	if err != nil {
		return Message{}, err
	}
	return Message{To: ent.Device, Group: gr.g, Kind: "key-wrap", Payloads: p}, nil
}

// Resend returns the current epoch's announce and a fresh key wrap for one member
// of talkgroup g, both addressed to it: for a device that missed its rekey SDS
// (there is no acknowledgement protocol in v1; the caller decides when to resend).
func (k *KMF) Resend(g uint32, dev DeviceID) ([]Message, error) {
	gr, ok := k.groups[g]
	if !ok || !gr.hasEpoch {
		return nil, fmt.Errorf("%w: %d (or no epoch yet)", ErrUnknownGroup, g)
	}
	s, ok := gr.members[dev]
	if !ok {
		return nil, fmt.Errorf("e2ee: device %d is not in talkgroup %d", dev, g)
	}
	roster := gr.roster(k)
	a := k.announce(gr, gr.epoch, gr.started, roster, &gr.es)
	p, err := fragment(k.nextID(), a.marshal())
	if err != nil {
		return nil, err
	}
	out := []Message{{To: dev, Group: g, Kind: "epoch-announce", Payloads: p}}
	msg, err := k.wrap(gr, gr.epoch, rosterEntry{Sender: s, Device: dev, Sign: k.devices[dev].pub.Sign}, &a.RosterHash, &gr.es)
	if err != nil {
		return nil, err
	}
	return append(out, msg), nil
}

// RosterSnapshot returns signed roster updates carrying the whole roster of g (for
// provisioning a new member at the desk; over the air this is about 38 bytes per
// member).
func (k *KMF) RosterSnapshot(g uint32) ([]Message, error) {
	gr, ok := k.groups[g]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	roster := gr.roster(k)
	var out []Message
	first := true
	for len(roster) > 0 || first {
		n := min(len(roster), maxRosterOps)
		u := RosterUpdate{Group: g, Epoch: gr.epoch, Replace: first}
		for _, e := range roster[:n] {
			u.Ops = append(u.Ops, RosterOp{Add: true, Sender: e.Sender, Device: e.Device, Sign: e.Sign})
		}
		copy(u.Sig[:], ed25519.Sign(k.sign, kmfSigInput(u.signed())))
		p, err := fragment(k.nextID(), u.marshal())
		if err != nil {
			return nil, err
		}
		out = append(out, Message{Group: g, Kind: "roster-update", Payloads: p})
		roster = roster[n:]
		first = false
	}
	return out, nil
}

// RosterSnapshotLimit is the largest talkgroup for which Rekey sends a newly added
// member the whole roster over the air (about 38 bytes per member).
const RosterSnapshotLimit = 1000

// Tick starts a new epoch in every talkgroup whose epoch is older than
// RekeyInterval, and returns the messages.
func (k *KMF) Tick() ([]Message, error) {
	if k.RekeyInterval <= 0 {
		return nil, nil
	}
	now := k.now()
	var out []Message
	for _, g := range k.Groups() {
		gr := k.groups[g]
		if gr.hasEpoch && now.Sub(gr.started) >= k.RekeyInterval && len(gr.members) > 0 {
			msgs, err := k.Rekey(g)
			if err != nil {
				return out, err
			}
			out = append(out, msgs...)
		}
	}
	return out, nil
}

// Apply processes an uplink key-management SDS payload from a device (a
// DeviceKeyUpdate): the signature must verify under the device's registered
// identity key and the sequence number must grow. Fragments are reassembled by
// the caller-owned reassembly state in k.
func (k *KMF) Apply(payload []byte, r *KMFInbox) error {
	f, err := ParseFragment(payload)
	if err != nil {
		return err
	}
	body := r.r.add(f)
	if body == nil {
		return nil
	}
	msg, err := ParseMessage(body)
	if err != nil {
		return err
	}
	u, ok := msg.(*DeviceKeyUpdate)
	if !ok {
		return fmt.Errorf("%w: not an uplink message", ErrMalformed)
	}
	d, ok := k.devices[u.Device]
	if !ok {
		return fmt.Errorf("e2ee: unknown device %d", u.Device)
	}
	if !ed25519.Verify(d.pub.Sign[:], u.signed(), u.Sig[:]) {
		return ErrAuth
	}
	if d.has && u.Seq <= d.seq {
		return ErrReplay
	}
	if _, err := hpkeKEM().NewPublicKey(u.HPKE[:]); err != nil {
		return errors.Join(ErrMalformed, err)
	}
	d.pub.HPKE, d.seq, d.has = u.HPKE, u.Seq, true
	return nil
}

// KMFInbox holds the reassembly state for one device's uplink messages. The zero
// value is ready to use.
type KMFInbox struct{ r reassembler }

// Wipe zeroes the KMF's secrets (best effort).
func (k *KMF) Wipe() {
	wipe(k.seed[:])
	wipe(k.sign)
	for _, g := range k.groups {
		wipe(g.es[:])
	}
}
