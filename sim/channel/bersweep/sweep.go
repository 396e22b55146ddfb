// Package bersweep measures the bit error rate of tetrasim's π/4-DQPSK modem end to
// end: the real modulator (package sdr), a simulated channel (package
// sim/channel) and the synchronising demodulator, with no genie: the receiver
// acquires frequency, timing and slot position itself from the training sequences
// of ETSI EN 300 392-2 V3.2.1 clause 9.4.4.3 (taken from package radio).
//
// The transmitted stream is a continuous downlink of normal bursts: every slot holds
// q11-q22, 232 + 256 random bits around training sequence n at bit 244, and q1-q10.
// BER is counted on the 466 random bits of each slot. Slots the receiver never
// emits (before its first lock, or lost) are counted in Point.LostSlots, not in the
// BER.
package bersweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/radio"
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
	Slots     int64   `json:"slots"`
	LostSlots int64   `json:"lost_slots"`
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
	return nil
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

// payload reports whether slot bit i carries random data (not q or training n).
func payload(i int) bool {
	return i >= 12 && i < 500 && (i < 244 || i >= 266)
}

// PayloadBitsPerSlot is the number of BER-counted bits per slot.
const PayloadBitsPerSlot = 466

const ring = 64 // transmitted slots kept for comparison

type link struct {
	cfg   *Config
	sps   int
	rng   *rand.Rand
	mod   *sdr.Modulator
	ch    *channel.Chain
	dem   *sdr.Demodulator
	tx    [ring][sdr.SlotBits]byte
	ntx   int64 // slots generated
	bits  []byte
	mbuf  []complex64
	cbuf  []complex64
	slots []sdr.Slot
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
	if l.dem, err = sdr.NewDemodulator(DemodConfig(sps, cfg.Detector)); err != nil {
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
		copy(b[0:], radio.TrainingQ[10:])
		copy(b[244:], radio.TrainingN[:])
		copy(b[500:], radio.TrainingQ[:10])
		copy(l.tx[l.ntx%ring][:], b)
		l.ntx++
	}
	n := 0
	if lead > 0 {
		clear(l.mbuf[:lead])
		n = lead
	}
	n += l.mod.Process(l.mbuf[n:], l.bits)
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
					if e := diff(hard, l.tx[j%ring][:]); e < be {
						best, be = j, e
					}
				}
				if be > PayloadBitsPerSlot/3 {
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
			p.Errors += int64(diff(hard, l.tx[j%ring][:]))
			p.Bits += PayloadBitsPerSlot
			p.Slots++
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
	return p, nil
}

// HardBits writes the hard decisions of a slot to dst (510 bits).
func HardBits(dst []byte, s *sdr.Slot) { sdr.HardBits(dst, s.Soft[:]) }

// diff counts differing payload bits.
func diff(a, b []byte) int {
	n := 0
	for i := range a {
		if a[i] != b[i] && payload(i) {
			n++
		}
	}
	return n
}
