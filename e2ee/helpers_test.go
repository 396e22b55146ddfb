package e2ee

import (
	"math/rand/v2"
	"testing"
	"time"
)

// clock is a virtual clock for tests.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)} }

// seeded is a deterministic byte source for keys in tests (never for production).
type seeded struct{ r *rand.ChaCha8 }

func newSeeded(seed byte) *seeded {
	var s [32]byte
	s[0] = seed
	return &seeded{rand.NewChaCha8(s)}
}
func (s *seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

// world is a KMF with n member devices in one talkgroup, all messages delivered.
type world struct {
	fs      bool // members use MemberConfig.ForwardSecure
	t       testing.TB
	clk     *clock
	kmf     *KMF
	members map[DeviceID]*Member
	group   uint32
}

func newWorld(t testing.TB, n int, suite Suite) *world {
	return newWorldOpt(t, n, suite, false)
}

func newWorldOpt(t testing.TB, n int, suite Suite, fs bool) *world {
	t.Helper()
	w := &world{t: t, clk: newClock(), members: map[DeviceID]*Member{}, group: 0x1234, fs: fs}
	rnd := newSeeded(1)
	k, err := NewKMF(KMFConfig{Now: w.clk.Now, Rand: rnd})
	if err != nil {
		t.Fatal(err)
	}
	w.kmf = k
	if err := k.AddTalkgroup(w.group, suite, 0); err != nil {
		t.Fatal(err)
	}
	var ids []DeviceID
	for i := 1; i <= n; i++ {
		id := DeviceID(1000 + i)
		w.addDevice(id, rnd)
		ids = append(ids, id)
	}
	if err := k.AddMembers(w.group, ids...); err != nil {
		t.Fatal(err)
	}
	msgs, err := k.Rekey(w.group)
	if err != nil {
		t.Fatal(err)
	}
	w.deliver(msgs)
	return w
}

func (w *world) addDevice(id DeviceID, rnd *seeded) *Member {
	w.t.Helper()
	ident, err := NewIdentity(id, rnd)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.kmf.AddDevice(ident.Public()); err != nil {
		w.t.Fatal(err)
	}
	m, err := NewMember(ident, w.kmf.PublicKey(), MemberConfig{Now: w.clk.Now, ForwardSecure: w.fs})
	if err != nil {
		w.t.Fatal(err)
	}
	w.members[id] = m
	return m
}

// deliver hands every message to its addressee (unicast) or to every device
// (broadcast), failing the test on any error.
func (w *world) deliver(msgs []Message) {
	w.t.Helper()
	for _, msg := range msgs {
		for id, m := range w.members {
			if msg.To != 0 && msg.To != id {
				continue
			}
			for _, p := range msg.Payloads {
				if _, err := m.Apply(p); err != nil {
					w.t.Fatalf("device %d: Apply %s: %v", id, msg.Kind, err)
				}
			}
		}
	}
}

func randFrame(r *rand.Rand) []byte {
	f := make([]byte, FrameBits)
	for i := range f {
		f[i] = byte(r.IntN(2))
	}
	return f
}
