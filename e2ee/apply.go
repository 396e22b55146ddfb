package e2ee

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/subtle"
	"fmt"
)

// EventKind says what Member.Apply did.
type EventKind uint8

const (
	EventNone           EventKind = iota // fragment stored, message incomplete
	EventPending                         // message stored until its partner arrives (wrap <-> announce)
	EventEpochInstalled                  // a new epoch is installed (active at its activation time)
	EventRosterUpdated
	EventNotForUs // a key wrap addressed to another device, or a group we are not in
)

func (k EventKind) String() string {
	return [...]string{"none", "pending", "epoch-installed", "roster-updated", "not-for-us"}[min(int(k), 4)]
}

// Event reports the result of Member.Apply.
type Event struct {
	Kind   EventKind
	Group  uint32
	Epoch  uint32
	Sender uint16 // our sender index in the new epoch
}

// Apply processes one key-management SDS payload from the KMF (fragments are
// reassembled internally). Signed messages are checked against the pinned KMF key;
// a bad signature, wrap or commitment returns ErrAuth, an announcement of an epoch
// that is not newer than the newest installed one ErrReplay.
func (m *Member) Apply(payload []byte) (Event, error) {
	f, err := ParseFragment(payload)
	if err != nil {
		return Event{}, err
	}
	body := m.frags.add(f)
	if body == nil {
		return Event{}, nil
	}
	msg, err := ParseMessage(body)
	if err != nil {
		return Event{}, err
	}
	switch v := msg.(type) {
	case *KeyWrap:
		if v.Device != m.id.ID {
			return Event{Kind: EventNotForUs, Group: v.Group, Epoch: v.Epoch}, nil
		}
		gs := m.groups[v.Group]
		if gs == nil {
			// Wraps are unsigned: do not create group state for them. Keep a
			// few until the signed announce of their group arrives.
			m.keepOrphan(v)
			return Event{Kind: EventPending, Group: v.Group, Epoch: v.Epoch}, nil
		}
		if err := m.checkNew(gs, v.Epoch); err != nil {
			return Event{}, err
		}
		p := gs.pendingFor(v.Epoch)
		p.wrap = v
		return m.tryInstall(gs, v.Epoch)
	case *EpochAnnounce:
		if !ed25519.Verify(m.kmf, kmfSigInput(v.signed()), v.Sig[:]) {
			return Event{}, ErrAuth
		}
		gs := m.group(v.Group)
		if err := m.checkNew(gs, v.Epoch); err != nil {
			return Event{}, err
		}
		p := gs.pendingFor(v.Epoch)
		p.announce = v
		if w := m.takeOrphan(v.Group, v.Epoch); w != nil {
			p.wrap = w
		}
		return m.tryInstall(gs, v.Epoch)
	case *RosterUpdate:
		if !ed25519.Verify(m.kmf, kmfSigInput(v.signed()), v.Sig[:]) {
			return Event{}, ErrAuth
		}
		gs := m.group(v.Group)
		if v.Replace {
			clear(gs.roster)
		}
		for _, op := range v.Ops {
			if op.Add {
				gs.roster[op.Sender] = rosterEntry{Sender: op.Sender, Device: op.Device, Sign: op.Sign}
			} else {
				delete(gs.roster, op.Sender)
			}
		}
		return Event{Kind: EventRosterUpdated, Group: v.Group, Epoch: v.Epoch}, nil
	case *DeviceKeyUpdate:
		return Event{Kind: EventNotForUs}, nil
	}
	return Event{}, ErrMalformed
}

// maxOrphans bounds the key wraps kept for groups the device has no state for yet.
const maxOrphans = 8

func (m *Member) keepOrphan(w *KeyWrap) {
	if len(m.orphans) >= maxOrphans {
		m.orphans = m.orphans[1:]
	}
	m.orphans = append(m.orphans, w)
}

func (m *Member) takeOrphan(g, e uint32) *KeyWrap {
	for i, w := range m.orphans {
		if w.Group == g && w.Epoch == e {
			m.orphans = append(m.orphans[:i], m.orphans[i+1:]...)
			return w
		}
	}
	return nil
}

func (m *Member) checkNew(gs *groupState, e uint32) error {
	if n := len(gs.epochs); n > 0 && e <= gs.epochs[n-1].e {
		return fmt.Errorf("%w: epoch %d of group %d is not newer than %d", ErrReplay, e, gs.g, gs.epochs[n-1].e)
	}
	return nil
}

func (gs *groupState) pendingFor(e uint32) *pendingEpoch {
	p := gs.pending[e]
	if p == nil {
		// Bound the pending set: drop the oldest when it grows past 4.
		if len(gs.pending) >= 4 {
			var oldest uint32 = ^uint32(0)
			for k := range gs.pending {
				oldest = min(oldest, k)
			}
			delete(gs.pending, oldest)
		}
		p = &pendingEpoch{}
		gs.pending[e] = p
	}
	return p
}

func (m *Member) tryInstall(gs *groupState, e uint32) (Event, error) {
	p := gs.pending[e]
	if p == nil || p.wrap == nil || p.announce == nil {
		return Event{Kind: EventPending, Group: gs.g, Epoch: e}, nil
	}
	a, w := p.announce, p.wrap
	info := wrapInfo(a.Suite, gs.g, e, w.Sender, w.Device, &a.RosterHash)
	sk := m.id.hpke
	if len(w.Sealed) == wrapSealedPQ {
		sk = m.id.pq
	}
	if sk == nil {
		p.wrap = nil
		return Event{}, ErrAuth
	}
	es, err := hpke.Open(sk, hpke.HKDFSHA256(), hpke.AES128GCM(), info, w.Sealed)
	if err != nil || len(es) != SecretSize {
		p.wrap = nil // a forged or stale wrap: wait for a good one
		return Event{}, ErrAuth
	}
	var sec [SecretSize]byte
	copy(sec[:], es)
	wipe(es)
	c := esCommit(gs.g, e, &sec)
	if subtle.ConstantTimeCompare(c[:], a.Commit[:]) != 1 {
		wipe(sec[:])
		p.wrap = nil
		return Event{}, ErrAuth
	}
	delete(gs.pending, e)
	for k := range gs.pending {
		if k < e {
			delete(gs.pending, k)
		}
	}
	m.install(gs, a, w.Sender, &sec)
	wipe(sec[:])
	return Event{Kind: EventEpochInstalled, Group: gs.g, Epoch: e, Sender: w.Sender}, nil
}

func (m *Member) install(gs *groupState, a *EpochAnnounce, self uint16, es *[SecretSize]byte) *epochState {
	ep := newEpochState(a.Suite, gs.g, a.Epoch, es)
	ep.activation, ep.grace, ep.maxLife, ep.safSlots = a.Activation, a.Grace, a.MaxLife, a.SAFSlots
	ep.self, ep.selfOK = self, true
	if m.fs {
		ep.harden(uint16(max(a.Span, int(self)+1)))
	}
	gs.epochs = append(gs.epochs, ep)
	gs.self, gs.selfOK = self, true
	gs.expire(m.now())
	return ep
}
