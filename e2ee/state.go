package e2ee

import (
	"crypto/ed25519"
	"fmt"
	"sort"
	"time"
)

// Binary state formats kept inside an encrypted key store (keystore.go). Both start
// with a version byte (1) and use the writer/reader encodings of wire.go.
//
// Member (device) state:
//
//	version (1) || device (3) || Ed25519 seed (32) || X25519 HPKE key (32)
//	|| has PQ (1) || [ML-KEM-768+X25519 seed (32)] || KMF key (32)
//	|| groups (4) || group*
//	group = G (3) || roster n (4) || n x (s (2) || device (3) || Ed25519 key (32))
//	        || epochs (1) || epoch*
//	epoch = e (4) || suite (1) || keys || activation (8) || grace s (4) || max life s (4)
//	        || SAF slots (1) || self (2) || FC reserved (4) || SDS reserved (6)
//	        || hwm n (4) || n x (s (2) || FC (3)) || sds n (4) || n x (s (2) || top (6))
//
//	keys  = 0 (1) || ES (32)
//	      | 1 (1) || span (2) || n (4) || n x (s (2) || segment (4) || chain key (32))
//	              || m (4) || m x (s (2) || K_sds (32) || salt96_sds (12))     (forward secure)
//
// A restored sender resumes at the reserved counters, never below them.

const stateVersion = 1

// Limits applied when parsing state, so a corrupt (but authentic) file cannot make
// the parser allocate without bound.
const (
	maxStateGroups = 4096
	maxStateRoster = MaxSenders
	maxStateEpochs = 8
)

// MarshalBinary serialises the member's state, secrets included. Store it only
// encrypted (SaveMember).
func (m *Member) MarshalBinary() ([]byte, error) {
	var w writer
	w.u8(stateVersion)
	w.u24(uint32(m.id.ID))
	w.raw(m.id.signSeed[:])
	w.raw(m.id.hpkeRaw[:])
	if m.id.pq != nil {
		w.u8(1)
		w.raw(m.id.pqSeed[:])
	} else {
		w.u8(0)
	}
	w.raw(m.kmf)
	gids := make([]uint32, 0, len(m.groups))
	for g := range m.groups {
		gids = append(gids, g)
	}
	sort.Slice(gids, func(i, j int) bool { return gids[i] < gids[j] })
	w.u32(uint32(len(gids)))
	for _, g := range gids {
		gs := m.groups[g]
		w.u24(g)
		ss := make([]uint16, 0, len(gs.roster))
		for s := range gs.roster {
			ss = append(ss, s)
		}
		sort.Slice(ss, func(i, j int) bool { return ss[i] < ss[j] })
		w.u32(uint32(len(ss)))
		for _, s := range ss {
			e := gs.roster[s]
			w.u16(s)
			w.u24(uint32(e.Device))
			w.raw(e.Sign[:])
		}
		w.u8(byte(len(gs.epochs)))
		for _, ep := range gs.epochs {
			w.u32(ep.e)
			w.u8(byte(ep.suite))
			if !ep.hardened {
				w.u8(0)
				w.raw(ep.es[:])
			} else {
				w.u8(1)
				w.u16(ep.span)
				type cs struct {
					s   uint16
					idx uint32
					ck  *[32]byte
				}
				var chains []cs
				for s, c := range ep.chains {
					chains = append(chains, cs{s, c.ckIdx, &c.ck})
				}
				for s, c := range ep.ck0 {
					chains = append(chains, cs{s, c.idx, &c.ck})
				}
				sort.Slice(chains, func(i, j int) bool { return chains[i].s < chains[j].s })
				w.u32(uint32(len(chains)))
				for _, c := range chains {
					w.u16(c.s)
					w.u32(c.idx)
					w.raw(c.ck[:])
				}
				type ds struct {
					s    uint16
					key  *[32]byte
					salt *[12]byte
				}
				var data []ds
				for s, k := range ep.sds {
					data = append(data, ds{s, &k.key, &k.salt})
				}
				for s, d := range ep.dk {
					data = append(data, ds{s, &d.key, &d.salt})
				}
				sort.Slice(data, func(i, j int) bool { return data[i].s < data[j].s })
				w.u32(uint32(len(data)))
				for _, d := range data {
					w.u16(d.s)
					w.raw(d.key[:])
					w.raw(d.salt[:])
				}
			}
			w.u64(uint64(ep.activation.Unix()))
			w.u32(uint32(ep.grace / time.Second))
			w.u32(uint32(ep.maxLife / time.Second))
			w.u8(byte(ep.safSlots))
			w.u16(ep.self)
			w.u32(ep.fcReserved)
			w.u48(ep.sdsRes)
			hs := sortedKeys(ep.hwm)
			w.u32(uint32(len(hs)))
			for _, s := range hs {
				w.u16(s)
				w.u24(ep.hwm[s])
			}
			ws := sortedKeys(ep.sdsWin)
			w.u32(uint32(len(ws)))
			for _, s := range ws {
				top, _ := ep.sdsWin[s].Highest()
				w.u16(s)
				w.u48(top)
			}
		}
	}
	return w.b, nil
}

func sortedKeys[V any](m map[uint16]V) []uint16 {
	ks := make([]uint16, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

// UnmarshalMember restores a member from MarshalBinary output. Its senders resume
// at the reserved counters.
func UnmarshalMember(b []byte, cfg MemberConfig) (*Member, error) {
	r := reader{b: b}
	if r.u8() != stateVersion {
		return nil, fmt.Errorf("%w: member state version", ErrMalformed)
	}
	id := DeviceID(r.u24())
	var seed, x [32]byte
	copy(seed[:], r.take(32))
	copy(x[:], r.take(32))
	var pqSeed [32]byte
	hasPQ := r.u8()
	if hasPQ == 1 {
		copy(pqSeed[:], r.take(32))
	} else if hasPQ != 0 {
		return nil, ErrMalformed
	}
	kmf := ed25519.PublicKey(append([]byte(nil), r.take(32)...))
	if r.err != nil {
		return nil, r.err
	}
	if id == 0 {
		return nil, ErrMalformed
	}
	ident, err := newIdentity(id, &seed, &x)
	wipe(seed[:])
	wipe(x[:])
	if err == nil && hasPQ == 1 {
		err = ident.setPQ(&pqSeed)
		wipe(pqSeed[:])
	}
	if err != nil {
		return nil, err
	}
	m, err := NewMember(ident, kmf, cfg)
	if err != nil {
		return nil, err
	}
	ng := r.u32()
	if ng > maxStateGroups {
		return nil, ErrMalformed
	}
	for i := uint32(0); i < ng && r.err == nil; i++ {
		g := r.u24()
		if _, dup := m.groups[g]; dup {
			return nil, ErrMalformed
		}
		gs := m.group(g)
		nr := r.u32()
		if nr > maxStateRoster {
			return nil, ErrMalformed
		}
		for j := uint32(0); j < nr && r.err == nil; j++ {
			e := rosterEntry{Sender: r.u16(), Device: DeviceID(r.u24())}
			copy(e.Sign[:], r.take(32))
			if e.Sender >= MaxSenders {
				return nil, ErrMalformed
			}
			gs.roster[e.Sender] = e
		}
		ne := int(r.u8())
		if ne > maxStateEpochs {
			return nil, ErrMalformed
		}
		for j := 0; j < ne && r.err == nil; j++ {
			e := r.u32()
			suite := Suite(r.u8())
			var es [SecretSize]byte
			var hard *epochState
			switch r.u8() {
			case 0:
				copy(es[:], r.take(32))
			case 1:
				hard = &epochState{e: e, suite: suite, hardened: true, chains: map[uint16]*voiceChain{},
					hwm: map[uint16]uint32{}, sdsWin: map[uint16]*ReplayWindow{}, sds: map[uint16]*sdsKey{},
					ck0: map[uint16]*chainSeed{}, dk: map[uint16]*dataSeed{}}
				hard.span = r.u16()
				nc := r.u32()
				if nc > MaxSenders || hard.span > MaxSenders {
					return nil, ErrMalformed
				}
				for k := uint32(0); k < nc && r.err == nil; k++ {
					s := r.u16()
					c := &chainSeed{idx: r.u32()}
					copy(c.ck[:], r.take(32))
					if s >= hard.span || c.idx > MaxFC>>segmentShift {
						return nil, ErrMalformed
					}
					hard.ck0[s] = c
				}
				nd := r.u32()
				if nd > MaxSenders {
					return nil, ErrMalformed
				}
				for k := uint32(0); k < nd && r.err == nil; k++ {
					s := r.u16()
					d := &dataSeed{}
					copy(d.key[:], r.take(32))
					copy(d.salt[:], r.take(12))
					if s >= hard.span {
						return nil, ErrMalformed
					}
					hard.dk[s] = d
				}
			default:
				return nil, ErrMalformed
			}
			act := time.Unix(int64(r.u64()), 0)
			grace := time.Duration(r.u32()) * time.Second
			life := time.Duration(r.u32()) * time.Second
			slots := int(r.u8())
			self := r.u16()
			fcRes := r.u32()
			sdsRes := r.u48()
			if r.err != nil {
				break
			}
			if !suite.Valid() || slots < 2 || slots > 32 || self >= MaxSenders || fcRes > MaxFC+1 ||
				(len(gs.epochs) > 0 && e <= gs.epochs[len(gs.epochs)-1].e) {
				return nil, ErrMalformed
			}
			ep := hard
			if ep == nil {
				ep = newEpochState(suite, g, e, &es)
				wipe(es[:])
			} else if self >= ep.span {
				return nil, ErrMalformed
			}
			ep.activation, ep.grace, ep.maxLife, ep.safSlots = act, grace, life, slots
			ep.self, ep.selfOK = self, true
			ep.fc, ep.fcReserved = fcRes, fcRes
			ep.sdsCtr, ep.sdsRes = sdsRes, sdsRes
			nh := r.u32()
			if nh > MaxSenders {
				return nil, ErrMalformed
			}
			for k := uint32(0); k < nh && r.err == nil; k++ {
				ep.hwm[r.u16()] = r.u24()
			}
			nw := r.u32()
			if nw > MaxSenders {
				return nil, ErrMalformed
			}
			for k := uint32(0); k < nw && r.err == nil; k++ {
				s := r.u16()
				top := r.u48()
				win := &ReplayWindow{}
				win.Accept(top)
				win.top = top + 1
				// Everything at or below top counts as seen after a restore: the
				// bitmap is not persisted, so be conservative.
				for b := range win.bitmap {
					win.bitmap[b] = ^uint64(0)
				}
				ep.sdsWin[s] = win
			}
			gs.epochs = append(gs.epochs, ep)
			gs.self, gs.selfOK = self, true
		}
	}
	if err := r.end(); err != nil {
		m.Wipe()
		return nil, err
	}
	return m, nil
}

// KMF state:
//
//	version (1) || Ed25519 seed (32) || message id (2) || rekey interval s (4) || grace s (4)
//	|| max life s (4) || activation delay s (4) || devices (4) || device* || groups (4) || group*
//	device = id (3) || Ed25519 key (32) || X25519 key (32) || PQ key length (4) || PQ key
//	         || seq (4) || has seq (1)
//	group  = G (3) || suite (1) || SAF slots (1) || e (4) || ES (32) || started (8) || has epoch (1)
//	         || post-quantum (1)
//	         || members (4) || n x (device (3) || s (2))
//	         || pending ops (4) || n x (op (1) || s (2) || device (3) || Ed25519 key (32))

// MarshalBinary serialises the KMF's state, secrets included. Store it only
// encrypted (SaveKMF).
func (k *KMF) MarshalBinary() ([]byte, error) {
	var w writer
	w.u8(stateVersion)
	w.raw(k.seed[:])
	w.u16(k.msgID)
	w.u32(uint32(k.RekeyInterval / time.Second))
	w.u32(uint32(k.Grace / time.Second))
	w.u32(uint32(k.MaxLife / time.Second))
	w.u32(uint32(k.ActivationDelay / time.Second))
	ids := k.Devices()
	w.u32(uint32(len(ids)))
	for _, id := range ids {
		d := k.devices[id]
		w.u24(uint32(id))
		w.raw(d.pub.Sign[:])
		w.raw(d.pub.HPKE[:])
		w.bytes(d.pub.PQ)
		w.u32(d.seq)
		if d.has {
			w.u8(1)
		} else {
			w.u8(0)
		}
	}
	gids := k.Groups()
	w.u32(uint32(len(gids)))
	for _, g := range gids {
		gr := k.groups[g]
		w.u24(g)
		w.u8(byte(gr.suite))
		w.u8(byte(gr.safSlots))
		w.u32(gr.epoch)
		w.raw(gr.es[:])
		w.u64(uint64(gr.started.Unix()))
		if gr.hasEpoch {
			w.u8(1)
		} else {
			w.u8(0)
		}
		if gr.pq {
			w.u8(1)
		} else {
			w.u8(0)
		}
		devs := make([]DeviceID, 0, len(gr.members))
		for d := range gr.members {
			devs = append(devs, d)
		}
		sort.Slice(devs, func(i, j int) bool { return devs[i] < devs[j] })
		w.u32(uint32(len(devs)))
		for _, d := range devs {
			w.u24(uint32(d))
			w.u16(gr.members[d])
		}
		w.u32(uint32(len(gr.dirty)))
		for _, op := range gr.dirty {
			if op.Add {
				w.u8(1)
			} else {
				w.u8(0)
			}
			w.u16(op.Sender)
			w.u24(uint32(op.Device))
			w.raw(op.Sign[:])
		}
	}
	return w.b, nil
}

// UnmarshalKMF restores a KMF from MarshalBinary output.
func UnmarshalKMF(b []byte, cfg KMFConfig) (*KMF, error) {
	r := reader{b: b}
	if r.u8() != stateVersion {
		return nil, fmt.Errorf("%w: KMF state version", ErrMalformed)
	}
	k := newKMF(cfg)
	copy(k.seed[:], r.take(32))
	k.sign = ed25519.NewKeyFromSeed(k.seed[:])
	k.msgID = r.u16()
	k.RekeyInterval = time.Duration(r.u32()) * time.Second
	k.Grace = time.Duration(r.u32()) * time.Second
	k.MaxLife = time.Duration(r.u32()) * time.Second
	k.ActivationDelay = time.Duration(r.u32()) * time.Second
	nd := r.u32()
	if nd > MaxDeviceID {
		return nil, ErrMalformed
	}
	for i := uint32(0); i < nd && r.err == nil; i++ {
		d := &kmfDevice{}
		d.pub.ID = DeviceID(r.u24())
		copy(d.pub.Sign[:], r.take(32))
		copy(d.pub.HPKE[:], r.take(32))
		if pq := r.bytes(PQPublicKeySize); len(pq) != 0 {
			if len(pq) != PQPublicKeySize {
				return nil, ErrMalformed
			}
			d.pub.PQ = append([]byte(nil), pq...)
		}
		d.seq = r.u32()
		h := r.u8()
		if h > 1 || d.pub.ID == 0 {
			return nil, ErrMalformed
		}
		d.has = h == 1
		if _, dup := k.devices[d.pub.ID]; dup {
			return nil, ErrMalformed
		}
		k.devices[d.pub.ID] = d
	}
	ng := r.u32()
	if ng > maxStateGroups {
		return nil, ErrMalformed
	}
	for i := uint32(0); i < ng && r.err == nil; i++ {
		gr := &kmfGroup{g: r.u24(), suite: Suite(r.u8()), safSlots: int(r.u8()), epoch: r.u32(), members: map[DeviceID]uint16{}}
		copy(gr.es[:], r.take(32))
		gr.started = time.Unix(int64(r.u64()), 0)
		h := r.u8()
		if r.err != nil {
			break
		}
		if h > 1 || !gr.suite.Valid() || gr.safSlots < 2 || gr.safSlots > 32 || gr.g == 0 {
			return nil, ErrMalformed
		}
		gr.hasEpoch = h == 1
		pq := r.u8()
		if pq > 1 {
			return nil, ErrMalformed
		}
		gr.pq = pq == 1
		nm := r.u32()
		if nm > MaxSenders {
			return nil, ErrMalformed
		}
		for j := uint32(0); j < nm && r.err == nil; j++ {
			d, s := DeviceID(r.u24()), r.u16()
			if _, ok := k.devices[d]; !ok && r.err == nil {
				return nil, ErrMalformed
			}
			if s >= MaxSenders {
				return nil, ErrMalformed
			}
			gr.members[d] = s
		}
		no := r.u32()
		if no > 2*MaxSenders {
			return nil, ErrMalformed
		}
		for j := uint32(0); j < no && r.err == nil; j++ {
			a := r.u8()
			op := RosterOp{Add: a == 1, Sender: r.u16(), Device: DeviceID(r.u24())}
			copy(op.Sign[:], r.take(32))
			if a > 1 {
				return nil, ErrMalformed
			}
			gr.dirty = append(gr.dirty, op)
		}
		if _, dup := k.groups[gr.g]; dup {
			return nil, ErrMalformed
		}
		k.groups[gr.g] = gr
	}
	if err := r.end(); err != nil {
		k.Wipe()
		return nil, err
	}
	return k, nil
}
