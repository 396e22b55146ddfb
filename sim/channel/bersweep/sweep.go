// Package bersweep measures the bit error rate of tetrasim's π/4-DQPSK modem end to
// end: the real modulator (package sdr), a simulated channel (package
// sim/channel) and the synchronising demodulator, with no genie: the receiver
// acquires frequency, timing and slot position itself from the training sequences
// of ETSI EN 300 392-2 V3.2.1 clause 9.4.4.3 (taken from package radio).
//
// Uncoded (Config.Coded == 0): the transmitted stream is a continuous downlink of
// normal bursts: every slot holds q11-q22, 232 + 256 random bits around training
// sequence n at bit 244, and q1-q10. BER is counted on the 466 random bits of each
// slot.
//
// Coded (Config.Coded a logical channel of radio/lmac): each slot carries blocks of
// that channel, encoded type-1 -> type-5 by lmac.Coder for the cell MCC 262, MNC 42,
// CC 5 and placed in the burst fields of EN 300 392-2 clause 9.4.4.2
// (air-interface.md §4.1): full-slot channels in BKN1+BKN2 with training n,
// half-slot channels twice per slot (BKN1, BKN2) with training p, TCH/S stolen in
// BKN2 with p, AACH in BB, BSCH in SB1 of a sync burst with training y. BER counts
// decoded type-1 bits, FER blocks whose decoding failed its check or has a bit
// error (TCH/S: the bad-frame indication, since class-0 bits are unprotected).
// Eb/N0 is per transmitted (channel) bit, the same axis as the uncoded sweep.
//
// Slots the receiver never emits (before its first lock, or lost) are counted in
// Point.LostSlots, not in the BER.
package bersweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel"
)

// Channel names accepted by Config.Channel.
var channelNames = []string{"awgn", "rayleigh", "tu50", "ht200"}

// Config describes a sweep.
type Config struct {
	EbN0dB []float64 // the points, in dB
	Bits   int64     // payload bits to compare per point, > 0
	// MinErrors, when > 0, extends a point beyond Bits until this many errors are
	// counted or MaxBits bits compared.
	MinErrors int64
	MaxBits   int64
	Channel   string       // "awgn", "rayleigh" (flat), "tu50" or "ht200"
	CFOHz     float64      // carrier frequency offset [Hz]
	ClockPPM  float64      // receiver sample-clock error [ppm]
	Detector  sdr.Detector // demodulator detection
	Seed      uint64
	// SamplesPerSymbol of the simulated link; 0 means 4 (72 kS/s).
	SamplesPerSymbol int
	CarrierHz        float64 // for the Doppler of fading channels; 0 means 400 MHz
	SpeedKmh         float64 // flat Rayleigh speed; 0 means 50 km/h
	// Coded selects a coded sweep over this logical channel; 0 is uncoded.
	Coded lmac.Channel
	// Uplink sends normal uplink bursts (EN 300 392-2 clause 9.4.4.2: 17 silent
	// guard symbols, tail, BKN1, n or p at bit 254, BKN2, tail, 7 silent symbols)
	// in every slot instead of a continuous downlink, and demodulates them in burst
	// mode: every burst is found and synchronised on its own.
	Uplink bool
	// Progress, if set, is called with the payload bits compared so far in the
	// current point and the point's index.
	Progress func(point int, bits int64)
}

// Point is one measured point. The JSON names are those of `tetrasim ber --json`.
type Point struct {
	EbN0dB    float64 `json:"ebn0_db"`
	BER       float64 `json:"ber"`
	Bits      int64   `json:"bits"`
	Errors    int64   `json:"errors"`
	TheoryBER float64 `json:"theory_ber"` // AWGN theory of the detector used
	// GapDB is how far the measurement lies from the AWGN theory: Eb/N0 minus the
	// Eb/N0 at which the theory gives the measured BER (> 0: worse than theory).
	// Uncoded AWGN sweeps with errors only.
	GapDB     float64 `json:"gap_db,omitempty"`
	Slots     int64   `json:"slots"`
	LostSlots int64   `json:"lost_slots"`
	// Coded sweeps only.
	Channel     string  `json:"channel,omitempty"`      // logical channel
	FER         float64 `json:"fer"`                    // block (frame) error rate
	Blocks      int64   `json:"blocks,omitempty"`       // blocks decoded
	BlockErrors int64   `json:"block_errors,omitempty"` // blocks in error
	ChannelBER  float64 `json:"channel_ber,omitempty"`  // raw BER of the type-5 bits
}

// MarshalJSON writes the point; uncoded points have no "fer".
func (p Point) MarshalJSON() ([]byte, error) {
	type plain Point
	if p.Channel != "" {
		return json.Marshal(plain(p))
	}
	return json.Marshal(struct {
		plain
		FER *float64 `json:"fer,omitempty"`
	}{plain: plain(p)})
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Bits <= 0 {
		return errors.New("bersweep: bit count must be > 0")
	}
	if len(c.EbN0dB) == 0 {
		return errors.New("bersweep: no Eb/N0 points")
	}
	ok := false
	for _, n := range channelNames {
		ok = ok || c.Channel == n
	}
	if !ok {
		return fmt.Errorf("bersweep: unknown channel %q (want awgn, rayleigh, tu50 or ht200)", c.Channel)
	}
	if c.SamplesPerSymbol != 0 && c.SamplesPerSymbol < 2 {
		return errors.New("bersweep: samples per symbol must be >= 2")
	}
	if math.Abs(c.ClockPPM) > 1000 {
		return errors.New("bersweep: |clock error| must be <= 1000 ppm")
	}
	if _, err := layoutFor(c.Coded, c.Uplink); err != nil {
		return err
	}
	return nil
}

// CodedChannels lists the logical channels a coded sweep supports.
func CodedChannels() []lmac.Channel {
	var out []lmac.Channel
	for _, c := range lmac.Channels() {
		if _, err := layoutFor(c, false); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// span is a run of slot bits.
type span struct{ at, n int }

// layout places a channel's blocks in a continuous downlink burst, EN 300 392-2
// clause 9.4.4.2 (air-interface.md §4.1, 0-based bit offsets).
type layout struct {
	uplink  bool   // normal uplink burst, guard symbols silent
	sync    bool   // sync burst: f at 14, y at 214
	train   []byte // n or p at 244 (normal burst)
	blocks  [][]span
	fixedAt [][2]int // known bit ranges [from, to)
}

var (
	bkn1 = span{14, 216}
	bkn2 = span{282, 216}
)

func layoutFor(ch lmac.Channel, uplink bool) (layout, error) {
	normal := func(train []byte, blocks ...[]span) layout {
		return layout{train: train, blocks: blocks, fixedAt: [][2]int{{0, 12}, {244, 266}, {500, 510}}}
	}
	if ch != 0 && !ch.Valid() {
		return layout{}, fmt.Errorf("bersweep: unknown logical channel %d", uint8(ch))
	}
	if uplink {
		// normal uplink burst: guard 0-33, tail 34-37, BKN1 38-253, training
		// 254-275, BKN2 276-491, tail 492-495, guard 496-509
		ul := func(train []byte, blocks ...[]span) layout {
			return layout{uplink: true, train: train, blocks: blocks, fixedAt: [][2]int{{0, 38}, {254, 276}, {492, 510}}}
		}
		u1, u2 := span{38, 216}, span{276, 216}
		switch ch {
		case 0:
			return ul(radio.TrainingN[:]), nil
		case lmac.SCHF, lmac.TCHS, lmac.TCH72, lmac.TCH48, lmac.TCH24:
			return ul(radio.TrainingN[:], []span{u1, u2}), nil
		case lmac.STCH:
			return ul(radio.TrainingP[:], []span{u1}, []span{u2}), nil
		case lmac.TCHSStolen:
			return ul(radio.TrainingP[:], []span{u2}), nil
		}
		return layout{}, fmt.Errorf("bersweep: %v is not carried by a normal uplink burst", ch)
	}
	switch ch {
	case 0:
		return normal(radio.TrainingN[:]), nil
	case lmac.SCHF, lmac.TCHS, lmac.TCH72, lmac.TCH48, lmac.TCH24:
		return normal(radio.TrainingN[:], []span{bkn1, bkn2}), nil
	case lmac.SCHHD, lmac.BNCH, lmac.STCH:
		return normal(radio.TrainingP[:], []span{bkn1}, []span{bkn2}), nil
	case lmac.TCHSStolen:
		return normal(radio.TrainingP[:], []span{bkn2}), nil
	case lmac.AACH:
		return normal(radio.TrainingN[:], []span{{230, 14}, {266, 16}}), nil
	case lmac.BSCH:
		return layout{sync: true, blocks: [][]span{{{94, 120}}}, fixedAt: [][2]int{{0, 12}, {14, 94}, {214, 252}, {500, 510}}}, nil
	}
	return layout{}, fmt.Errorf("bersweep: %v is not carried by a continuous downlink burst (coded sweeps support %v)", ch, []string{"AACH", "BSCH", "BNCH", "SCH/HD", "STCH", "SCH/F", "TCH/S", "TCH/S stolen", "TCH/7.2", "TCH/4.8", "TCH/2.4"})
}

func (l *layout) known(i int) bool {
	for _, r := range l.fixedAt {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// Run measures every point in order.
func Run(ctx context.Context, cfg Config) ([]Point, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := make([]Point, 0, len(cfg.EbN0dB))
	for i, e := range cfg.EbN0dB {
		p, err := runPoint(ctx, &cfg, i, e)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// DemodConfig returns the demodulator configuration for a continuous downlink of
// normal and sync bursts with the training sequences of package radio (clause
// 9.4.4.3): n or p at bit 244, y at bit 214, q at the slot edges.
func DemodConfig(sps int, det sdr.Detector) sdr.DemodConfig {
	return sdr.DemodConfig{
		SamplesPerSymbol: sps,
		Mode:             sdr.Continuous,
		Detector:         det,
		Training: []sdr.SyncPattern{
			{Name: "n", Bits: radio.TrainingN[:], BitOffset: 244},
			{Name: "p", Bits: radio.TrainingP[:], BitOffset: 244},
			{Name: "y", Bits: radio.TrainingY[:], BitOffset: 214},
		},
		Fixed: []sdr.SyncPattern{
			{Name: "q11-q22", Bits: radio.TrainingQ[10:], BitOffset: 0},
			{Name: "q1-q10", Bits: radio.TrainingQ[:10], BitOffset: 500},
		},
	}
}

// UplinkDemodConfig returns the burst-mode demodulator configuration for normal
// uplink bursts (clause 9.4.4.2): n or p at bit 254, the tails 1100 at bits 34 and
// 492.
func UplinkDemodConfig(sps int, det sdr.Detector) sdr.DemodConfig {
	tail := []byte{1, 1, 0, 0}
	return sdr.DemodConfig{
		SamplesPerSymbol: sps,
		Mode:             sdr.Bursts,
		Detector:         det,
		Training: []sdr.SyncPattern{
			{Name: "n", Bits: radio.TrainingN[:], BitOffset: 254},
			{Name: "p", Bits: radio.TrainingP[:], BitOffset: 254},
		},
		Fixed: []sdr.SyncPattern{
			{Name: "tail", Bits: tail, BitOffset: 34},
			{Name: "tail", Bits: tail, BitOffset: 492},
		},
	}
}

// payload reports whether slot bit i of an uncoded downlink sweep carries random
// data (not q or training n).
func payload(i int) bool {
	return i >= 12 && i < 500 && (i < 244 || i >= 266)
}

// PayloadBitsPerSlot is the number of BER-counted bits per slot of an uncoded sweep.
const PayloadBitsPerSlot = 466

// cell is the scrambling code of the coded sweeps: MCC 262, MNC 42, CC 5.
var cell = scramble.Cell(262, 42, 5)

const ring = 64 // transmitted slots kept for comparison

type link struct {
	lay         layout
	payloadBits int // bits of a slot not fixed by the layout
	coder       lmac.Coder
	type1       [ring][2][lmac.MaxType1]byte
	t5          []byte
	soft        []int8
	dec         []byte
	cfg         *Config
	sps         int
	rng         *rand.Rand
	mod         *sdr.Modulator
	ch          *channel.Chain
	dem         *sdr.Demodulator
	tx          [ring][sdr.SlotBits]byte
	ntx         int64 // slots generated
	bits        []byte
	mbuf        []complex64
	cbuf        []complex64
	slots       []sdr.Slot
}

func newLink(cfg *Config, point int, ebn0 float64) (*link, error) {
	sps := cfg.SamplesPerSymbol
	if sps == 0 {
		sps = 4
	}
	fs := float64(sps * sdr.SymbolRate)
	seed := func(k uint64) *rand.Rand { return rand.New(rand.NewPCG(cfg.Seed, uint64(point)<<8|k)) }
	l := &link{cfg: cfg, sps: sps, rng: seed(1)}
	var err error
	if l.lay, err = layoutFor(cfg.Coded, cfg.Uplink); err != nil {
		return nil, err
	}
	for i := 0; i < sdr.SlotBits; i++ {
		if !l.lay.known(i) {
			l.payloadBits++
		}
	}
	l.t5 = make([]byte, 0, lmac.MaxType5)
	l.soft = make([]int8, lmac.MaxType5)
	l.dec = make([]byte, lmac.MaxType1)
	if l.mod, err = sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: sps}); err != nil {
		return nil, err
	}
	var blocks []channel.Block
	carrier := cfg.CarrierHz
	if carrier == 0 {
		carrier = 400e6
	}
	var prof channel.Profile
	switch cfg.Channel {
	case "rayleigh":
		sp := cfg.SpeedKmh
		if sp == 0 {
			sp = 50
		}
		prof = channel.ProfileFlat(sp)
	case "tu50":
		prof = channel.ProfileTU50()
	case "ht200":
		prof = channel.ProfileHT200()
	}
	if cfg.Channel != "awgn" {
		f, err := channel.NewFading(seed(2), channel.FadingConfig{SampleRateHz: fs, Profile: prof, CarrierHz: carrier})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, f)
	}
	// The clock error is applied before the carrier offset: its interpolator then
	// works on the baseband signal, not on one shifted close to half the sample rate.
	if cfg.ClockPPM != 0 {
		c, err := channel.NewClockOffset(cfg.ClockPPM, 0, fs)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, c)
	}
	if cfg.CFOHz != 0 {
		o, err := channel.NewOscillator(nil, cfg.CFOHz, 0, fs)
		if err != nil {
			return nil, err
		}
		o.SetStartPhase(seed(3).Float64() * 2 * math.Pi)
		blocks = append(blocks, o)
	}
	// The modulator's output power is 1 and fading keeps the average power.
	a, err := channel.NewAWGN(seed(4), channel.NoisePowerEbN0(ebn0, 1, fs, channel.BitRate))
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, a)
	if l.ch, err = channel.NewChain(blocks...); err != nil {
		return nil, err
	}
	dc := DemodConfig(sps, cfg.Detector)
	if cfg.Uplink {
		dc = UplinkDemodConfig(sps, cfg.Detector)
	}
	if l.dem, err = sdr.NewDemodulator(dc); err != nil {
		return nil, err
	}
	const blockSlots = 4
	l.bits = make([]byte, blockSlots*sdr.SlotBits)
	l.mbuf = make([]complex64, l.mod.OutLen(len(l.bits))+sps*sdr.SlotSymbols)
	l.cbuf = make([]complex64, l.ch.OutLen(len(l.mbuf)))
	l.slots = make([]sdr.Slot, l.dem.OutLen(len(l.cbuf)))
	return l, nil
}

// next generates, modulates, impairs and demodulates blockSlots slots and returns the
// slots the receiver emitted.
func (l *link) next(lead int) []sdr.Slot {
	nsl := len(l.bits) / sdr.SlotBits
	for s := 0; s < nsl; s++ {
		b := l.bits[s*sdr.SlotBits : (s+1)*sdr.SlotBits]
		for i := range b {
			b[i] = byte(l.rng.Uint32() & 1)
		}
		switch {
		case l.lay.uplink:
			clear(b[:34])
			copy(b[34:], []byte{1, 1, 0, 0})
			copy(b[492:], []byte{1, 1, 0, 0})
			clear(b[496:])
		default:
			copy(b[0:], radio.TrainingQ[10:])
			copy(b[500:], radio.TrainingQ[:10])
		}
		if l.lay.uplink {
			copy(b[254:], l.lay.train)
		} else if l.lay.sync {
			for i := 0; i < 80; i++ {
				b[14+i] = radio.FrequencyCorrection(i)
			}
			copy(b[214:], radio.TrainingY[:])
		} else {
			copy(b[244:], l.lay.train)
		}
		if l.cfg.Coded != 0 {
			p := l.cfg.Coded.Params()
			for bi, blk := range l.lay.blocks {
				t1 := l.type1[l.ntx%ring][bi][:p.Type1]
				for i := range t1 {
					t1[i] = byte(l.rng.Uint32() & 1)
				}
				t5 := l.coder.Encode(l.t5[:0], l.cfg.Coded, t1, cell)
				for _, sp := range blk {
					copy(b[sp.at:sp.at+sp.n], t5[:sp.n])
					t5 = t5[sp.n:]
				}
			}
		}
		copy(l.tx[l.ntx%ring][:], b)
		l.ntx++
	}
	n := 0
	if lead > 0 {
		clear(l.mbuf[:lead])
		n = lead
	}
	if l.lay.uplink {
		for s := 0; s < nsl; s++ {
			b := l.bits[s*sdr.SlotBits : (s+1)*sdr.SlotBits]
			n += l.mod.Silence(l.mbuf[n:], 17)
			n += l.mod.Process(l.mbuf[n:], b[34:496])
			n += l.mod.Silence(l.mbuf[n:], 7)
		}
	} else {
		n += l.mod.Process(l.mbuf[n:], l.bits)
	}
	m := l.ch.Process(l.cbuf, l.mbuf[:n])
	k := l.dem.Process(l.slots, l.cbuf[:m])
	return l.slots[:k]
}

func runPoint(ctx context.Context, cfg *Config, point int, ebn0 float64) (Point, error) {
	l, err := newLink(cfg, point, ebn0)
	if err != nil {
		return Point{}, err
	}
	p := Point{EbN0dB: ebn0, TheoryBER: TheoryBER(cfg.Detector, ebn0)}
	hard := make([]byte, sdr.SlotBits)
	var chErr, chBits int64
	if cfg.Coded != 0 {
		p.Channel = cfg.Coded.String()
	}
	var j0, idx0 int64 = -1, 0
	var first, last int64 = -1, -1
	// Leading silence of random length, so slot timing starts unknown.
	lead := l.rng.IntN(sdr.SlotSymbols * l.sps)
	maxSlots := int64(1 << 40)
	target := cfg.Bits
	for {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		if l.ntx > maxSlots {
			break
		}
		slots := l.next(lead)
		lead = 0
		for si := range slots {
			s := &slots[si]
			HardBits(hard, s)
			if j0 < 0 {
				// Test-side alignment: find which transmitted slot this is.
				best, be := int64(-1), math.MaxInt
				for j := max(0, l.ntx-ring); j < l.ntx; j++ {
					if e := l.diff(hard, l.tx[j%ring][:]); e < be {
						best, be = j, e
					}
				}
				if be > l.payloadBits/3 {
					continue // not yet recognisable (acquisition on noise)
				}
				j0, idx0 = best, s.Index
			}
			j := j0 + (s.Index - idx0)
			if j < l.ntx-ring || j >= l.ntx {
				continue
			}
			if first < 0 {
				first = j
			}
			last = j
			p.Slots++
			if cfg.Coded == 0 {
				p.Errors += int64(l.diff(hard, l.tx[j%ring][:]))
				p.Bits += int64(l.payloadBits)
				continue
			}
			l.decodeSlot(&p, s, hard, j, &chErr, &chBits)
		}
		if cfg.Progress != nil {
			cfg.Progress(point, min(p.Bits, target))
		}
		if p.Bits >= target {
			if cfg.MinErrors <= 0 || p.Errors >= cfg.MinErrors || (cfg.MaxBits > 0 && p.Bits >= cfg.MaxBits) {
				break
			}
		}
		if p.Bits == 0 && l.ntx > 200 {
			return p, fmt.Errorf("bersweep: the receiver did not lock in 200 slots at %.1f dB", ebn0)
		}
	}
	if first >= 0 {
		p.LostSlots = (last - first + 1) - p.Slots
	}
	if p.Bits > 0 {
		p.BER = float64(p.Errors) / float64(p.Bits)
	}
	if cfg.Coded == 0 && cfg.Channel == "awgn" && p.BER > 0 && p.BER < 0.4 {
		p.GapDB = ebn0 - EbN0For(cfg.Detector, p.BER)
	}
	if p.Blocks > 0 {
		p.FER = float64(p.BlockErrors) / float64(p.Blocks)
	}
	if chBits > 0 {
		p.ChannelBER = float64(chErr) / float64(chBits)
	}
	return p, nil
}

// decodeSlot decodes the coded blocks of received slot s (transmitted slot j).
func (l *link) decodeSlot(p *Point, s *sdr.Slot, hard []byte, j int64, chErr, chBits *int64) {
	ch := l.cfg.Coded
	par := ch.Params()
	tx := l.tx[j%ring][:]
	for bi, blk := range l.lay.blocks {
		soft := l.soft[:0]
		for _, sp := range blk {
			soft = append(soft, s.Soft[sp.at:sp.at+sp.n]...)
			for i := sp.at; i < sp.at+sp.n; i++ {
				if hard[i] != tx[i] {
					*chErr++
				}
			}
			*chBits += int64(sp.n)
		}
		dec := l.dec[:par.Type1]
		ok := l.coder.Decode(dec, ch, soft, cell)
		want := l.type1[j%ring][bi][:par.Type1]
		e := 0
		for i := range dec {
			if dec[i] != want[i] {
				e++
			}
		}
		p.Errors += int64(e)
		p.Bits += int64(par.Type1)
		p.Blocks++
		bad := !ok || e > 0
		if ch == lmac.TCHS || ch == lmac.TCHSStolen {
			bad = !ok // BFI: class-0 bits are unprotected by design
		}
		if bad {
			p.BlockErrors++
		}
	}
}

// HardBits writes the hard decisions of a slot to dst (510 bits).
func HardBits(dst []byte, s *sdr.Slot) { sdr.HardBits(dst, s.Soft[:]) }

// diff counts differing bits outside the layout's fixed fields (the random bits of
// an uncoded slot; in coded sweeps random, coded or h bits, which serve for the
// alignment).
func (l *link) diff(a, b []byte) int {
	n := 0
	for i := range a {
		if a[i] != b[i] && !l.lay.known(i) {
			n++
		}
	}
	return n
}
