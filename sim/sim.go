package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/sim/bs"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/link"
	"github.com/tetrasim/tetrasim/sim/ms"
	"github.com/tetrasim/tetrasim/sim/phy"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// LinkStats are the plain counters of one link (a direction of one handset).
type LinkStats struct {
	Blocks      int   `json:"blocks"`
	BlockErrors int   `json:"block_errors"` // CRC failures (control) or BFI slots (traffic)
	Bits        int64 `json:"bits"`
	BitErrors   int64 `json:"bit_errors"`
	// series of (time [s], raw BER, block bad) per traffic block, for plots.
	series []berPoint
}

type berPoint struct {
	t   float64
	ber float64
	bad bool
}

func (l *LinkStats) add(b *link.Block, t float64) {
	l.Blocks++
	l.Bits += int64(b.Bits)
	l.BitErrors += int64(b.BitErrors)
	bad := (b.Kind == link.Control || b.Stolen) && !b.CRCOK
	both := b.Stolen && link.SecondHalfStolen(b.STCH)
	if b.Kind == link.Traffic && !both && (b.BFI[1] || (!b.Stolen && b.BFI[0])) {
		bad = true
	}
	if bad {
		l.BlockErrors++
	}
	if b.Kind == link.Traffic && b.Bits > 0 && len(l.series) < maxSeries {
		l.series = append(l.series, berPoint{t: t, ber: float64(b.BitErrors) / float64(b.Bits), bad: bad})
	}
}

// maxSeries bounds the per-link plot series.
const maxSeries = 1 << 16

type handset struct {
	*ms.Handset
	cfg     scenario.Handset
	cell    *cell
	dl, ul  *phy.Link
	dlStats LinkStats
	ulStats LinkStats
	txBlk   link.Block
	rxBlk   link.Block
	txOn    bool
	iq      *iqRx
	iqUL    *iqULLink
}

type cell struct {
	cfg    scenario.Cell
	iq     *iqCell
	iqUL   *iqUplink
	iqSent map[clock.Slot]ulSent
	bs     *bs.BS
	hs     []*handset
	spy    *listener // eavesdropper in this cell
	dl     link.Block
	bits   []byte
}

// Sim is one simulation run.
type Sim struct {
	Scn         *scenario.Scenario
	rng         *rand.Rand
	core        *bs.Core
	cells       []*cell
	hs          []*handset
	byISSI      map[uint32]*handset
	phy         *phy.PHY
	clk         clock.Clock
	end         clock.Slot
	spy         *listener
	cbs         *listener
	meta        []bs.Event
	rxBlk       link.Block
	ulBits      [][]byte
	wall        time.Duration
	interrupted bool
	keys        *keyInfra
	rec         *recorder
	err         error
	recUL       []*link.Block
}

// New builds a simulation from a validated scenario. Every random choice (noise,
// fading, back-off, keys) is drawn from one PCG seeded with the scenario's seed.
func New(s *scenario.Scenario) (*Sim, error) {
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x7e7a5175))
	sm := &Sim{Scn: s, rng: rng, core: bs.NewCore(), phy: phy.New(rng), byISSI: map[uint32]*handset{}}
	var keys *keyInfra
	if s.Cipher != "clear" {
		var err error
		if keys, err = newKeyInfra(sm, s); err != nil {
			return nil, err
		}
		sm.keys = keys
	}
	sm.core.Log = func(e bs.Event) { sm.meta = append(sm.meta, e) }
	cellByName := map[string]*cell{}
	for _, c := range s.Cells {
		ce := &cell{cfg: c, bs: bs.NewBS(sm.core, c.Name, c.ID)}
		sm.cells = append(sm.cells, ce)
		cellByName[c.Name] = ce
	}
	gssi := map[string]uint32{}
	for _, g := range s.Talkgroups {
		gssi[g.Name] = g.GSSI
	}
	wavs := map[string][]int16{}
	loadWAV := func(p string) ([]int16, error) {
		if pcm, ok := wavs[p]; ok {
			return pcm, nil
		}
		var pcm []int16
		var err error
		if name, ok := strings.CutPrefix(p, "builtin"); ok {
			pcm, err = builtinClip(strings.TrimPrefix(name, ":"))
		} else {
			pcm, err = voice.ReadAudioFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("sim: %s: %w", p, err)
		}
		wavs[p] = pcm
		return pcm, nil
	}
	for i, hc := range s.Handsets {
		ce := cellByName[hc.Cell]
		if ce == nil {
			ce = nearest(sm.cells, hc.Position)
		}
		var groups, secure []uint32
		for _, g := range hc.Talkgroups {
			groups = append(groups, gssi[g])
			for _, tg := range s.Talkgroups {
				if tg.Name == g && tg.SecureOnly {
					secure = append(secure, tg.GSSI)
				}
			}
		}
		var crypto ms.Crypto
		if keys != nil {
			c, err := keys.device(hc.ISSI)
			if err != nil {
				return nil, err
			}
			crypto = c
		}
		m, err := ms.New(ms.Config{ISSI: hc.ISSI, Name: hc.Name, Groups: groups, Priority: uint8(hc.Priority),
			JoinAt: clock.SlotAt(hc.JoinAtS), Rand: rng, NewCodec: newACELP, Crypto: crypto, SecureOnly: secure})
		if err != nil {
			return nil, err
		}
		ch := ce.cfg.Channel
		if hc.Channel != nil {
			ch = hc.Channel
		}
		fd := dopplerHz(hc.SpeedKMH, ce.cfg.DownlinkMHz)
		h := &handset{Handset: m, cfg: hc, cell: ce,
			dl: newLink(ch, fd, rng), ul: newLink(ch, dopplerHz(hc.SpeedKMH, ce.cfg.DownlinkMHz-10), rng)}
		_ = i
		if len(sm.hs) < 4 {
			h.dl.CaptureMax, h.ul.CaptureMax = 4000, 4000
		}
		ce.hs = append(ce.hs, h)
		sm.hs = append(sm.hs, h)
		sm.byISSI[hc.ISSI] = h
	}
	if keys != nil {
		if err := keys.provision(s, gssi); err != nil {
			return nil, err
		}
	}
	for _, t := range s.Talks {
		h := sm.byName(t.Who)
		pcm, err := loadWAV(t.WAV)
		if err != nil {
			return nil, err
		}
		off := int(t.OffsetS * voice.SampleRate)
		if off >= len(pcm) {
			return nil, fmt.Errorf("sim: talk by %s: offset_s %v is beyond the end of %s", t.Who, t.OffsetS, t.WAV)
		}
		pcm = pcm[off:]
		prio := uint8(h.cfg.Priority)
		if t.Priority != nil {
			prio = uint8(*t.Priority)
		}
		h.AddTalk(ms.Talk{GSSI: gssi[t.Group], At: clock.SlotAt(t.AtS), Duration: clock.SlotsFor(time.Duration(t.DurationS * 1e9)), PCM: pcm, Priority: prio})
	}
	for _, m := range s.SDS {
		h := sm.byName(m.From)
		if m.Group != "" {
			h.AddSDS(clock.SlotAt(m.AtS), gssi[m.Group], true, m.Text)
		} else {
			h.AddSDS(clock.SlotAt(m.AtS), sm.byName(m.To).ISSI, false, m.Text)
		}
	}
	if s.Fidelity == "iq" {
		for _, c := range sm.cells {
			var err error
			if c.iq, err = newIQCell(c.cfg); err != nil {
				return nil, err
			}
			if c.iqUL, err = newIQUplink(rng); err != nil {
				return nil, err
			}
			c.iqSent = map[clock.Slot]ulSent{}
			for _, h := range c.hs {
				ch := c.cfg.Channel
				if h.cfg.Channel != nil {
					ch = h.cfg.Channel
				}
				if h.iq, err = newIQRx(ch, h.cfg.SpeedKMH, c.cfg.DownlinkMHz*1e6, c.iq.b.acell, rng); err != nil {
					return nil, err
				}
				if h.iqUL, err = newIQULLink(ch, h.cfg.SpeedKMH, (c.cfg.DownlinkMHz-10)*1e6, rng); err != nil {
					return nil, err
				}
			}
		}
	}
	if e := s.Eavesdropper; e != nil {
		ce := cellByName[e.Cell]
		ch := ce.cfg.Channel
		if e.Channel != nil {
			ch = e.Channel
		}
		sm.spy = newListener("eavesdropper", newLink(ch, 0, rng))
		ce.spy = sm.spy
		if ce.iq != nil {
			var err error
			if sm.spy.iq, err = newIQRx(ch, 0, ce.cfg.DownlinkMHz*1e6, ce.iq.b.acell, rng); err != nil {
				return nil, err
			}
		}
	}
	if s.CompromisedBS != "" {
		sm.cbs = newListener("compromised-bs "+s.CompromisedBS, nil)
		cellByName[s.CompromisedBS].bs.SetObserver(sm.cbs)
		if s.ReplayAtS > 0 {
			cellByName[s.CompromisedBS].bs.ScheduleReplay(clock.SlotAt(s.ReplayAtS))
		}
		cellByName[s.CompromisedBS].bs.SetDowngrade(s.Downgrade)
	}
	sm.end = clock.SlotAt(s.End(func(t scenario.Talk) float64 {
		pcm, err := loadWAV(t.WAV)
		if err != nil {
			return 0
		}
		return float64(len(pcm))/voice.SampleRate - t.OffsetS
	}) + 1.5)
	if s.Fidelity == "iq" && s.DurationS == 0 {
		// Handsets hear nothing before the first SYNC (frame 18): one more multiframe.
		sm.end += clock.SlotsPerMulti
	}
	return sm, nil
}

func (sm *Sim) byName(n string) *handset {
	for _, h := range sm.hs {
		if h.cfg.Name == n {
			return h
		}
	}
	return nil
}

func nearest(cells []*cell, p []float64) *cell {
	best, bd := cells[0], math.Inf(1)
	for _, c := range cells {
		d := 0.0
		if len(p) == 2 && len(c.cfg.Position) == 2 {
			d = math.Hypot(p[0]-c.cfg.Position[0], p[1]-c.cfg.Position[1])
		}
		if d < bd {
			best, bd = c, d
		}
	}
	return best
}

// dopplerHz is v/lambda for speed [km/h] at carrier [MHz].
func dopplerHz(kmh, mhz float64) float64 { return kmh / 3.6 * mhz * 1e6 / 299792458 }

func newLink(c *scenario.Channel, fd float64, rng *rand.Rand) *phy.Link {
	eb := 100.0
	if c.EbN0DB != nil {
		eb = *c.EbN0DB
	}
	if c.Model == "tu50" && fd == 0 {
		fd = dopplerHz(50, 390)
	}
	if c.Model == "ht200" && fd == 0 {
		fd = dopplerHz(200, 390)
	}
	return phy.NewLink(c.Model, eb, fd, c.CFOHz, rng)
}

// EndSlot returns the slot at which the run stops.
func (sm *Sim) EndSlot() clock.Slot { return sm.end }

// Now returns the current slot.
func (sm *Sim) Now() clock.Slot { return sm.clk.Now() }

// Run steps the simulation to its end or until ctx is done, calling progress
// (if not nil) every simulated 0.1 s. An interrupted run is still a valid,
// shorter run: Report covers what was simulated.
func (sm *Sim) Run(ctx context.Context, progress func(now, end clock.Slot)) error {
	start := time.Now()
	defer func() { sm.wall += time.Since(start) }()
	for s := sm.clk.Now(); s < sm.end; s = sm.clk.Step() {
		if s%7 == 0 {
			if ctx.Err() != nil {
				sm.interrupted = true
				return ctx.Err()
			}
			if progress != nil {
				progress(s, sm.end)
			}
		}
		sm.step(s)
		if sm.err != nil {
			return sm.err
		}
	}
	if progress != nil {
		progress(sm.end, sm.end)
	}
	return nil
}

func (sm *Sim) step(s clock.Slot) {
	if s%reselectSlots == 0 && s > 0 {
		sm.reselect(s)
	}
	sm.core.Tick(s)
	if sm.keys != nil {
		sm.keys.tick(s)
	}
	for _, h := range sm.hs {
		h.Tick(s)
	}
	t := s.Seconds()
	tn := s.TDMA().TN
	for _, c := range sm.cells {
		// Downlink slot s.
		sent := c.bs.Downlink(s, &c.dl)
		var dlb *link.Block
		if sent {
			dlb = &c.dl
		}
		if c.iq != nil {
			if err := sm.iqDownlink(c, s, dlb); err != nil && sm.err == nil {
				sm.err = err
			}
			if sm.rec != nil && sm.rec.cell == c {
				sm.rec.downlink(s, dlb, c.iq.buf)
			}
		} else if sm.rec != nil && sm.rec.cell == c {
			sm.rec.downlink(s, dlb, nil)
		}
		if sent && c.iq == nil {
			c.bits = sm.phy.Encode(c.bits[:0], c.cfg.ID, &c.dl)
			for _, h := range c.hs {
				if !h.ListensTo(tn) {
					continue
				}
				sm.phy.Receive(&h.rxBlk, c.cfg.ID, t, []phy.Tx{{Bits: c.bits, Link: h.dl}}, &c.dl)
				h.dlStats.add(&h.rxBlk, t)
				h.Downlink(s, tn, &h.rxBlk)
			}
			if c.spy != nil {
				sm.phy.Receive(&sm.rxBlk, c.cfg.ID, t, []phy.Tx{{Bits: c.bits, Link: c.spy.link}}, &c.dl)
				c.spy.air(s, false, uint8(tn), &sm.rxBlk)
			}
		}
		// Uplink slot s-2. At iq fidelity the handsets build and modulate the
		// burst of uplink slot s now, two slots ahead of the air time, and the
		// base station's demodulator delivers slot s-2 (its latency).
		us := s - clock.UplinkOffsetSlots
		if c.iqUL != nil {
			us = s
		}
		if us < 0 {
			continue
		}
		utn := us.TDMA().TN
		var txs []phy.Tx
		var first *handset
		for _, h := range c.hs {
			h.txOn = h.Uplink(us, utn, &h.txBlk)
			if !h.txOn {
				continue
			}
			for len(sm.ulBits) <= len(txs) {
				sm.ulBits = append(sm.ulBits, nil)
			}
			bits := sm.phy.Encode(sm.ulBits[len(txs)][:0], c.cfg.ID, &h.txBlk)
			sm.ulBits[len(txs)] = bits
			txs = append(txs, phy.Tx{Bits: bits, Link: h.ul})
			if first == nil {
				first = h
			}
		}
		if sm.rec != nil && sm.rec.cell == c {
			sm.recUL = sm.recUL[:0]
			for _, h := range c.hs {
				if h.txOn {
					sm.recUL = append(sm.recUL, &h.txBlk)
				}
			}
			sm.rec.uplink(us, sm.recUL, sm.ulBits[:len(txs)])
		}
		if c.iqUL != nil {
			if err := sm.iqUplink(c, us, txs); err != nil && sm.err == nil {
				sm.err = err
			}
			continue
		}
		if len(txs) == 0 {
			continue
		}
		sm.phy.Receive(&sm.rxBlk, c.cfg.ID, us.Seconds(), txs, &first.txBlk)
		first.ulStats.add(&sm.rxBlk, us.Seconds())
		c.bs.Uplink(us, utn, &sm.rxBlk)
	}
}

// iqDownlink modulates downlink slot s of cell c and runs it through every
// handset's channel and receiver (iq fidelity).
func (sm *Sim) iqDownlink(c *cell, s clock.Slot, blk *link.Block) error {
	ic := c.iq
	if err := ic.b.build(s, blk, nil); err != nil {
		return err
	}
	var err error
	if ic.buf, err = ic.tx.Slot(ic.buf[:0], &ic.b.slot); err != nil {
		return err
	}
	if blk != nil && blk.Kind == link.Traffic {
		ic.sent[s] = blk.Clone()
	}
	delete(ic.sent, s-4*clock.SlotsPerMulti)
	if c.spy != nil && c.spy.iq != nil {
		if err := c.spy.iq.feed(ic.buf, ic.sent, func(rs clock.Slot, b *link.Block) {
			c.spy.air(rs, false, uint8(rs.TDMA().TN), b)
		}); err != nil {
			return err
		}
	}
	for _, h := range c.hs {
		h := h
		if err := h.iq.feed(ic.buf, ic.sent, func(rs clock.Slot, b *link.Block) {
			h.dlStats.add(b, rs.Seconds())
			tn := rs.TDMA().TN
			if h.ListensTo(tn) {
				h.Downlink(rs, tn, b)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// iqUplink puts uplink slot us of cell c on the air at iq fidelity and hands
// the base station every burst the demodulator has decoded by now.
func (sm *Sim) iqUplink(c *cell, us clock.Slot, txs []phy.Tx) error {
	bits := make([][]byte, len(txs))
	for i := range txs {
		bits[i] = txs[i].Bits
	}
	// Who sent what in this slot, for the metadata and the link statistics.
	if len(txs) > 0 {
		for _, h := range c.hs {
			if h.txOn {
				c.iqSent[us] = ulSent{h: h, blk: h.txBlk.Clone(), bits: append([]byte(nil), txs[0].Bits...)}
				break
			}
		}
	}
	if _, ok := c.iqSent[us-16]; ok {
		c.iqUL.missed++ // sent, but the demodulator found no burst
		delete(c.iqSent, us-16)
	}
	if err := c.iqUL.slot(us, c.hs, bits); err != nil {
		return err
	}
	for slot, b := range c.iqUL.ready {
		delete(c.iqUL.ready, slot)
		tn := slot.TDMA().TN
		kind := link.Traffic
		if tn == bs.MCCH {
			kind = link.Control
		}
		sm.phy.DecodeSoft(&sm.rxBlk, c.cfg.ID, b.soft, kind, b.stolen)
		if sent, ok := c.iqSent[slot]; ok {
			tx := sent.blk
			sm.rxBlk.TxID, sm.rxBlk.CaptureS, sm.rxBlk.Pos, sm.rxBlk.TxSeq = tx.TxID, tx.CaptureS, tx.Pos, tx.TxSeq
			sm.rxBlk.Bits, sm.rxBlk.BitErrors = len(sent.bits), 0
			for i, bit := range sent.bits {
				if hard := b.soft[i] < 0; hard != (bit == 1) {
					sm.rxBlk.BitErrors++
				}
			}
			sent.h.ulStats.add(&sm.rxBlk, slot.Seconds())
		}
		delete(c.iqSent, slot)
		c.bs.Uplink(slot, tn, &sm.rxBlk)
	}
	return nil
}

// ulSent is what the (first) handset sent in an uplink slot at iq fidelity.
type ulSent struct {
	h    *handset
	blk  *link.Block
	bits []byte
}

// reselectSlots is how often moving handsets check for a nearer cell (0.51 s).
const reselectSlots = clock.SlotsPerMulti / 2

// hysteresisM is how much nearer [m] another cell must be before a handset moves.
const hysteresisM = 200

// position returns where handset h is at time t [s]: along Position and then
// its Path waypoints at its speed, staying at the last one.
func (h *handset) position(t float64) []float64 {
	if len(h.cfg.Position) != 2 {
		return nil
	}
	pts := append([][]float64{h.cfg.Position}, h.cfg.Path...)
	d := h.cfg.SpeedKMH / 3.6 * t // metres travelled
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		seg := math.Hypot(b[0]-a[0], b[1]-a[1])
		if d <= seg && seg > 0 {
			f := d / seg
			return []float64{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		}
		d -= seg
	}
	return pts[len(pts)-1]
}

func dist(p []float64, c *cell) float64 {
	if len(p) != 2 || len(c.cfg.Position) != 2 {
		return math.Inf(1)
	}
	return math.Hypot(p[0]-c.cfg.Position[0], p[1]-c.cfg.Position[1])
}

// reselect moves handsets that travelled closer to another cell (bits
// fidelity only: at iq fidelity each receiver is synchronised to its cell).
func (sm *Sim) reselect(s clock.Slot) {
	if len(sm.cells) < 2 || sm.Scn.Fidelity == "iq" {
		return
	}
	for _, h := range sm.hs {
		if len(h.cfg.Path) == 0 || h.cfg.Cell != "" || !h.On() {
			continue
		}
		p := h.position(s.Seconds())
		best := h.cell
		for _, c := range sm.cells {
			if dist(p, c) < dist(p, best)-hysteresisM {
				best = c
			}
		}
		if best == h.cell {
			continue
		}
		old := h.cell
		old.hs = slices.DeleteFunc(old.hs, func(x *handset) bool { return x == h })
		best.hs = append(best.hs, h)
		h.cell = best
		h.Reselect(s)
	}
}
