package sim

import (
	"fmt"
	"sort"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// KMFISSI is the key-management facility's address on the core network.
const KMFISSI = 0xFFFFF0

// keyInfra is the key-management side of a run: the KMF on the core network
// and every handset's E2EE state. The base stations never see any of it.
type keyInfra struct {
	sm      *Sim
	kmf     *e2ee.KMF
	suite   e2ee.Suite
	members map[uint32]*e2ee.Member
	cryptos map[uint32]*handsetCrypto
	rekeys  []rekey
	msgRef  uint16
	// Figures for the report.
	RekeyBytes    int `json:"rekey_bytes_over_the_air"`
	RekeyMessages int `json:"rekey_messages"`
	Rekeys        int `json:"rekeys"`
}

type rekey struct {
	at   clock.Slot
	gssi uint32
}

// activationDelay is how long after a rekey the new epoch becomes active, so
// the key wraps and the announcement reach every member over the MCCH first.
const activationDelay = 3 * time.Second

func newKeyInfra(sm *Sim, s *scenario.Scenario) (*keyInfra, error) {
	k := &keyInfra{sm: sm, members: map[uint32]*e2ee.Member{}, cryptos: map[uint32]*handsetCrypto{}, suite: e2ee.SuiteAES}
	if s.Cipher == "e2ee-chacha" {
		k.suite = e2ee.SuiteChaCha
	}
	var err error
	k.kmf, err = e2ee.NewKMF(e2ee.KMFConfig{Now: sm.trustedNow, Rand: randReader{sm.rng}})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	k.kmf.ActivationDelay = 0 // provisioning at the desk: active at once
	sm.core.AddEndpoint(KMFISSI, k)
	return k, nil
}

func (sm *Sim) trustedNow() time.Time { return trustedEpoch.Add(sm.clk.Now().Duration()) }

// device creates the identity and Member of handset issi and registers it with the KMF.
func (k *keyInfra) device(issi uint32) (*handsetCrypto, error) {
	id, err := e2ee.NewIdentity(e2ee.DeviceID(issi), randReader{k.sm.rng})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := k.kmf.AddDevice(id.Public()); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	m, err := e2ee.NewMember(id, k.kmf.PublicKey(), e2ee.MemberConfig{Now: k.sm.trustedNow, Rand: randReader{k.sm.rng}})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	c := newHandsetCrypto(m)
	c.tamper = k.sm.Scn.TamperThreshold
	k.members[issi], k.cryptos[issi] = m, c
	return c, nil
}

// provision creates the talkgroups and their first epoch, delivered to every
// member at the desk (e2ee-design.md §5.10 provisioning), and schedules the
// scenario's over-the-air rekeys.
func (k *keyInfra) provision(s *scenario.Scenario, gssi map[string]uint32) error {
	groups := map[uint32][]e2ee.DeviceID{}
	for _, h := range s.Handsets {
		for _, g := range h.Talkgroups {
			groups[gssi[g]] = append(groups[gssi[g]], e2ee.DeviceID(h.ISSI))
		}
	}
	gs := make([]uint32, 0, len(groups))
	for g := range groups {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	for _, g := range gs {
		if err := k.kmf.AddTalkgroup(g, k.suite, s.SAFIntervalSlots); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		if err := k.kmf.AddMembers(g, groups[g]...); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		msgs, err := k.kmf.Rekey(g)
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		for _, m := range msgs {
			for issi, mem := range k.members {
				if m.To != 0 && uint32(m.To) != issi {
					continue
				}
				if m.To == 0 && !contains(groups[g], e2ee.DeviceID(issi)) {
					continue
				}
				for _, p := range m.Payloads {
					if _, err := mem.Apply(p); err != nil {
						return fmt.Errorf("sim: provisioning %d: %w", issi, err)
					}
				}
			}
		}
	}
	k.kmf.ActivationDelay = activationDelay
	for _, r := range s.Rekeys {
		k.rekeys = append(k.rekeys, rekey{at: clock.SlotAt(r.AtS), gssi: gssi[r.Group]})
	}
	sort.SliceStable(k.rekeys, func(i, j int) bool { return k.rekeys[i].at < k.rekeys[j].at })
	return nil
}

func contains(l []e2ee.DeviceID, d e2ee.DeviceID) bool {
	for _, x := range l {
		if x == d {
			return true
		}
	}
	return false
}

// tick starts due rekeys: the KMF's messages go over the air as SDS (PID KMF)
// through the core network to the members' cells.
func (k *keyInfra) tick(now clock.Slot) {
	for len(k.rekeys) > 0 && now >= k.rekeys[0].at {
		r := k.rekeys[0]
		k.rekeys = k.rekeys[1:]
		msgs, err := k.kmf.Rekey(r.gssi)
		if err != nil {
			continue
		}
		k.Rekeys++
		for _, m := range msgs {
			k.RekeyMessages++
			dest, grp := uint32(m.To), false
			if m.To == 0 {
				dest, grp = m.Group, true
			}
			for _, p := range m.Payloads {
				k.RekeyBytes += len(p)
				k.msgRef++
				frags, err := cmce.Fragment(cmce.PDU{Type: cmce.DSDSData, SSI: KMFISSI, Dest: dest, DestGroup: grp, PID: cmce.PIDKMF, MsgRef: k.msgRef}, p)
				if err != nil {
					continue
				}
				for _, f := range frags {
					k.sm.core.SendSDS(f)
				}
			}
		}
	}
}

// DeliverSDS implements bs.Endpoint: the KMF takes no uplink messages in this
// simulation (device key rotation is not simulated).
func (k *keyInfra) DeliverSDS(now clock.Slot, p cmce.PDU) {}
