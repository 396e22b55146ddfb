package sim

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/ms"
)

// trustedEpoch is the simulated GNSS/RTC time at slot 0: the handsets' and the
// KMF's trusted clock runs on the virtual clock from here (never network time).
var trustedEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// randReader adapts the run's *rand.Rand to io.Reader for e2ee key generation.
// Deterministic key material is what a reproducible simulation needs; it is
// not secure, and tetrasim's real devices use crypto/rand.
type randReader struct{ r *rand.Rand }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

// handsetCrypto implements ms.Crypto with package e2ee: one Member per handset,
// a Sender per transmission and a Receiver per received transmission.
type handsetCrypto struct {
	m      *e2ee.Member
	tamper int // Receiver.TamperThreshold
	tx     map[uint32]*e2ee.Sender
	rx     map[uint32]*e2ee.Receiver
	done   e2ee.ReceiverStats // counters of closed receivers
	stats  ms.CryptoStats
}

var _ ms.Crypto = (*handsetCrypto)(nil)

func newHandsetCrypto(m *e2ee.Member) *handsetCrypto {
	return &handsetCrypto{m: m, tx: map[uint32]*e2ee.Sender{}, rx: map[uint32]*e2ee.Receiver{}}
}

func (c *handsetCrypto) sender(g uint32) (*e2ee.Sender, error) {
	if s := c.tx[g]; s != nil {
		return s, nil
	}
	s, err := c.m.Sender(g)
	if err != nil {
		return nil, err
	}
	c.tx[g] = s
	return s, nil
}

func (c *handsetCrypto) StartTx(now clock.Slot, g uint32) ([]byte, error) {
	s, err := c.sender(g)
	if err != nil {
		return nil, err
	}
	return s.NextSAF(nil)
}

func (c *handsetCrypto) EncryptFrame(g uint32, frame []byte, skip bool) error {
	s := c.tx[g]
	if s == nil {
		return e2ee.ErrSAFDue
	}
	if skip {
		var z [e2ee.FrameBits]byte
		_, err := s.SealVoice(z[:], z[:])
		return err
	}
	_, err := s.SealVoice(frame, frame)
	return err
}

func (c *handsetCrypto) SAFDue(g uint32) bool {
	s := c.tx[g]
	return s != nil && s.InTransmission() && s.FramesUntilSAF() == 0
}

func (c *handsetCrypto) NextSAF(now clock.Slot, g uint32) ([]byte, error) {
	s := c.tx[g]
	if s == nil {
		return nil, e2ee.ErrSAFDue
	}
	return s.NextSAF(nil)
}

func (c *handsetCrypto) EndTx(now clock.Slot, g uint32) ([][]byte, error) {
	s := c.tx[g]
	if s == nil || !s.InTransmission() {
		return nil, nil
	}
	return s.End()
}

func (c *handsetCrypto) receiver(g uint32) *e2ee.Receiver {
	if r := c.rx[g]; r != nil {
		return r
	}
	r, err := c.m.Receiver(g)
	if err != nil {
		return nil
	}
	if c.tamper > 0 {
		r.TamperThreshold = c.tamper
	}
	c.rx[g] = r
	return r
}

func (c *handsetCrypto) RxSTCH(now clock.Slot, g uint32, stch []byte) ms.RxEvent {
	r := c.receiver(g)
	if r == nil {
		return ms.RxEvent{Err: e2ee.ErrUnknownGroup}
	}
	res, err := r.AcceptSTCH(stch)
	ev := ms.RxEvent{Synced: r.Synced(), Err: err}
	for _, w := range res.Windows {
		switch w {
		case e2ee.WindowPass:
			ev.Verified++
		case e2ee.WindowFail:
			ev.Failed++
		}
	}
	if errors.Is(err, e2ee.ErrReplay) {
		ev.Replay = true
		c.stats.ReplayRejections++
	}
	return ev
}

func (c *handsetCrypto) RxFrame(now clock.Slot, g uint32, frame []byte, bad bool) bool {
	r := c.receiver(g)
	if r == nil {
		return false
	}
	if bad || frame == nil {
		r.MissedFrame()
		return false
	}
	_, err := r.OpenVoice(frame, frame)
	if errors.Is(err, e2ee.ErrMuted) {
		c.stats.FramesMuted++
	}
	return err == nil
}

func (c *handsetCrypto) RxEnd(g uint32) {
	if r := c.rx[g]; r != nil {
		addStats(&c.done, r.Stats())
		delete(c.rx, g)
	}
}

func addStats(a *e2ee.ReceiverStats, b e2ee.ReceiverStats) {
	a.FramesDecrypted += b.FramesDecrypted
	a.FramesMissed += b.FramesMissed
	a.SAFsAccepted += b.SAFsAccepted
	a.SAFsRejected += b.SAFsRejected
	a.WindowsPassed += b.WindowsPassed
	a.WindowsFailed += b.WindowsFailed
	a.WindowsUnverif += b.WindowsUnverif
	a.EOTVerified += b.EOTVerified
	a.EOTFailed += b.EOTFailed
}

func (c *handsetCrypto) SealSDS(g uint32, pt []byte) ([]byte, error) { return c.m.SealSDS(g, nil, pt) }

func (c *handsetCrypto) OpenSDS(now clock.Slot, g uint32, payload []byte) ([]byte, error) {
	groups := []uint32{g}
	if g == 0 {
		groups = groups[:0]
		for _, gi := range c.m.Groups() {
			groups = append(groups, gi.Group)
		}
	}
	var err error = e2ee.ErrUnknownGroup
	for _, gg := range groups {
		var pt []byte
		pt, _, err = c.m.OpenSDS(gg, nil, payload)
		if err == nil {
			c.stats.SDSOpened++
			return pt, nil
		}
		if errors.Is(err, e2ee.ErrReplay) {
			c.stats.ReplayRejections++
			break
		}
	}
	c.stats.SDSFailed++
	return nil, err
}

func (c *handsetCrypto) KMF(now clock.Slot, payload []byte) error {
	ev, err := c.m.Apply(payload)
	switch {
	case err != nil:
		c.stats.KMFRejected++
		if errors.Is(err, e2ee.ErrReplay) {
			c.stats.ReplayRejections++
		}
	case ev.Kind != 0:
		c.stats.KMFAccepted++
	}
	return err
}

func (c *handsetCrypto) Stats() ms.CryptoStats {
	st := c.stats
	t := c.done
	for _, r := range c.rx {
		addStats(&t, r.Stats())
	}
	st.SAFsAccepted, st.SAFsRejected = t.SAFsAccepted, t.SAFsRejected
	st.WindowsVerified, st.WindowsFailed, st.WindowsUnverified = t.WindowsPassed, t.WindowsFailed, t.WindowsUnverif
	st.EOTVerified, st.EOTFailed = t.EOTVerified, t.EOTFailed
	return st
}
