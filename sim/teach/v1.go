package teach

import (
	"errors"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
)

// clock is a virtual trusted clock (GNSS/RTC in a handset; never network time).
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// world is a tetrasim-v1 talkgroup: a KMF and some handsets, all on one
// virtual clock.
type world struct {
	e       *env
	clk     *clock
	kmf     *e2ee.KMF
	group   uint32
	members map[e2ee.DeviceID]*e2ee.Member
	ids     []e2ee.DeviceID
}

const demoGroup = 0x7E57

// newWorld makes a KMF and handsets 1001, 1002, ... (n of them), all members of
// one talkgroup with its first epoch active.
func newWorld(e *env, n int) (*world, error) {
	w := &world{e: e, clk: &clock{time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}, group: demoGroup,
		members: map[e2ee.DeviceID]*e2ee.Member{}}
	var err error
	if w.kmf, err = e2ee.NewKMF(e2ee.KMFConfig{Now: w.clk.Now, Rand: e.rd}); err != nil {
		return nil, err
	}
	if err := w.kmf.AddTalkgroup(w.group, e2ee.SuiteAES, 0); err != nil {
		return nil, err
	}
	for i := range n {
		id := e2ee.DeviceID(1001 + i)
		ident, err := e2ee.NewIdentity(id, e.rd)
		if err != nil {
			return nil, err
		}
		if err := w.kmf.AddDevice(ident.Public()); err != nil {
			return nil, err
		}
		m, err := e2ee.NewMember(ident, w.kmf.PublicKey(), e2ee.MemberConfig{Now: w.clk.Now, Rand: e.rd})
		if err != nil {
			return nil, err
		}
		w.members[id] = m
		w.ids = append(w.ids, id)
	}
	if err := w.kmf.AddMembers(w.group, w.ids...); err != nil {
		return nil, err
	}
	msgs, err := w.kmf.Rekey(w.group)
	if err != nil {
		return nil, err
	}
	return w, w.deliver(msgs, w.ids...)
}

// deliver hands the KMF's messages (relayed as SDS) to the listed handsets.
func (w *world) deliver(msgs []e2ee.Message, to ...e2ee.DeviceID) error {
	for _, msg := range msgs {
		for _, id := range to {
			if msg.To != 0 && msg.To != id {
				continue
			}
			for _, p := range msg.Payloads {
				if _, err := w.members[id].Apply(p); err != nil && !errors.Is(err, e2ee.ErrReplay) {
					return err
				}
			}
		}
	}
	return nil
}

// item is one position of a recorded transmission: a stolen half-slot (STCH:
// SAF or EOT-SIG fragment, 121 bits) or an encrypted speech frame (137 bits).
type item struct {
	stch []byte
	ct   []byte
}

func cloneItems(it []item) []item {
	out := make([]item, len(it))
	for i, x := range it {
		out[i] = item{clone(x.stch), clone(x.ct)}
	}
	return out
}

// transmit sends frames as one tetrasim-v1 transmission: start SAF, speech
// frames with a SAF every 16 slots, final SAF and EOT-SIG. It returns what the
// air carries and the FC of every speech frame.
func transmit(tx *e2ee.Sender, frames [][]byte) ([]item, []uint32, error) {
	var items []item
	var fcs []uint32
	saf, err := tx.NextSAF(nil)
	if err != nil {
		return nil, nil, err
	}
	items = append(items, item{stch: saf})
	for _, f := range frames {
		if tx.FramesUntilSAF() == 0 {
			saf, err := tx.NextSAF(nil)
			if err != nil {
				return nil, nil, err
			}
			items = append(items, item{stch: saf})
		}
		ct := make([]byte, frameBits)
		fc, err := tx.SealVoice(ct, f)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, item{ct: ct})
		fcs = append(fcs, fc)
	}
	end, err := tx.End()
	if err != nil {
		return nil, nil, err
	}
	for _, s := range end {
		items = append(items, item{stch: s})
	}
	return items, fcs, nil
}

// heard is what a tetrasim-v1 receiver made of a transmission.
type heard struct {
	frames      [][]byte // one per speech position; nil = muted or refused
	played      int      // speech frames decrypted and played
	refused     int      // speech frames refused (no sync, muted)
	safAccepted int
	safRejected int
	safErrs     []error
	last        e2ee.Indication
	red         bool // a TAMPER indication was shown
	eotVerified bool
	eotFailed   bool
	stats       e2ee.ReceiverStats
}

// play feeds a recorded transmission to a receiver, position by position.
func play(rx *e2ee.Receiver, items []item) heard {
	var h heard
	for _, it := range items {
		if it.stch != nil {
			res, err := rx.AcceptSTCH(it.stch)
			if err != nil {
				h.safRejected++
				h.safErrs = append(h.safErrs, err)
				if res.EOTComplete && !res.EOTVerified {
					h.eotFailed = true
				}
				continue
			}
			if res.Type == e2ee.STCHSAF || res.Type == e2ee.STCHSAFStart {
				h.safAccepted++
				h.last = res.Indication
				if res.Indication == e2ee.Red {
					h.red = true
				}
			}
			if res.EOTComplete {
				h.eotVerified = res.EOTVerified
				h.eotFailed = !res.EOTVerified
			}
			continue
		}
		pt := make([]byte, frameBits)
		if _, err := rx.OpenVoice(pt, it.ct); err != nil {
			h.frames = append(h.frames, nil)
			h.refused++
			continue
		}
		h.frames = append(h.frames, pt)
		h.played++
	}
	h.stats = rx.Stats()
	return h
}
