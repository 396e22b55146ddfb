package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// The iq fidelity's uplink: every handset's normal uplink burst (NUB, clause
// 9.4.4.2.2: training n, or p when the first half-slot is stolen) is
// modulated, passed through the handset's own fading channel (TU50/HT200
// taps, Doppler from its speed, CFO), scaled to its Eb/N0 at the base station,
// summed with the other handsets' bursts in the slot (collisions happen on the
// air) plus the base station's receiver noise, and demodulated by sdr's
// burst-mode demodulator (per-burst training acquisition, CFO estimation,
// timing) into soft bits for the lower-MAC decoders.

// ulNoisePower is the base station's receiver noise variance per sample; each
// handset's signal power is set against it from its link's Eb/N0.
const ulNoisePower = 1e-3

type iqUplink struct {
	demod *sdr.Demodulator
	noise *channel.AWGN
	mod   *sdr.Modulator
	sum   []complex64
	one   []complex64
	fade  []complex64
	burst []byte
	slots []sdr.Slot
	soft  []int8
	base  int64 // sample index of uplink slot 0 in the demodulator input
	// decoded bursts waiting for the simulator: uplink slot → soft bits, stolen
	ready    map[clock.Slot]ulBurst
	rejected int // detections rejected as sidelobes
	missed   int // bursts sent that were not detected
}

type ulBurst struct {
	soft   []int8
	stolen bool
}

type iqULLink struct {
	chain *channel.Chain
	amp   float32
}

func newIQUplink(rng *rand.Rand) (*iqUplink, error) {
	u := &iqUplink{ready: map[clock.Slot]ulBurst{}}
	var err error
	u.demod, err = sdr.NewDemodulator(sdr.DemodConfig{SamplesPerSymbol: 2, Mode: sdr.Bursts, Detector: sdr.Differential, BurstThreshold: minULScore,
		Training: []sdr.SyncPattern{
			{Name: "n", Bits: radio.TrainingN[:], BitOffset: radio.NUBTrainStart},
			{Name: "p", Bits: radio.TrainingP[:], BitOffset: radio.NUBTrainStart},
		}})
	if err != nil {
		return nil, fmt.Errorf("sim: iq uplink: %w", err)
	}
	if u.noise, err = channel.NewAWGN(rng, ulNoisePower); err != nil {
		return nil, fmt.Errorf("sim: iq uplink: %w", err)
	}
	if u.mod, err = sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: 2, Amplitude: 1}); err != nil {
		return nil, fmt.Errorf("sim: iq uplink: %w", err)
	}
	n := clock.SymbolsPerSlot * 2
	u.sum, u.one = make([]complex64, n), make([]complex64, n+64)
	u.slots = make([]sdr.Slot, u.demod.OutLen(n)+2)
	return u, nil
}

func newIQULLink(ch *scenario.Channel, speedKmh, carrierHz float64, rng *rand.Rand) (*iqULLink, error) {
	l := &iqULLink{}
	blocks, err := pathBlocks(ch, speedKmh, carrierHz, rng)
	if err != nil {
		return nil, fmt.Errorf("sim: iq uplink: %w", err)
	}
	if len(blocks) > 0 {
		if l.chain, err = channel.NewChain(blocks...); err != nil {
			return nil, fmt.Errorf("sim: iq uplink: %w", err)
		}
	}
	eb := 60.0 // "clean": far above any noise effect
	if ch.Model != "clean" && ch.EbN0DB != nil {
		eb = *ch.EbN0DB
	}
	// σ² = P·(fs/Rb)/10^(Eb/N0/10) (channel.NoisePowerEbN0) solved for P; the
	// modulator's output has unit power.
	p := ulNoisePower * math.Pow(10, eb/10) * (2 * radio.SymbolRate) / IQRateHz
	l.amp = float32(math.Sqrt(p))
	return l, nil
}

// slot puts uplink slot us on the air: each handset's burst (or silence)
// through its channel, summed with noise, into the demodulator. Decoded
// bursts become available in u.ready under their uplink slot.
func (u *iqUplink) slot(us clock.Slot, hs []*handset, t5 [][]byte) error {
	n := len(u.sum)
	clear(u.sum)
	i := 0
	for _, h := range hs {
		x := u.one[:n]
		clear(x)
		if h.txOn {
			b := &h.txBlk
			bu := radio.Burst{Type: radio.NormalUL, Block1: t5[i][:radio.BKNBits], Block2: t5[i][radio.BKNBits : 2*radio.BKNBits], SlotFlag: b.Stolen}
			i++
			var err error
			if u.burst, err = bu.AppendBits(u.burst[:0]); err != nil {
				return err
			}
			u.mod.Reset()
			m := u.mod.Process(u.one, u.burst)
			_ = m
			x = u.one[:n]
			for k := range x {
				x[k] *= complex(h.iqUL.amp, 0)
			}
		}
		if h.iqUL.chain != nil {
			m := h.iqUL.chain.OutLen(n)
			if cap(u.fade) < m {
				u.fade = make([]complex64, m)
			}
			k := h.iqUL.chain.Process(u.fade[:m], x)
			x = u.fade[:min(k, n)]
		}
		for k, v := range x {
			u.sum[k] += v
		}
	}
	u.noise.Process(u.sum, u.sum)
	k := u.demod.Process(u.slots, u.sum)
	for _, s := range u.slots[:k] {
		if s.Training < 0 {
			continue
		}
		// The pulse of a burst's first symbol peaks a few samples after the
		// start of its slot (modulator and fading delays); a detection far from
		// a slot start is a sidelobe of a neighbouring burst, not a burst.
		off := s.Sample - u.base
		slot := clock.Slot(off / int64(n))
		if d := off % int64(n); d > maxULDelay || s.SyncScore < minULScore {
			u.rejected++
			continue
		}
		soft := make([]int8, 2*radio.BKNBits)
		copy(soft, s.Soft[38:38+radio.BKNBits])
		copy(soft[radio.BKNBits:], s.Soft[276:276+radio.BKNBits])
		u.ready[slot] = ulBurst{soft: soft, stolen: s.Training == 1}
	}
	return nil
}

// Burst acceptance: the detection must lie within maxULDelay samples after a
// slot start and correlate at least minULScore with its training sequence.
const (
	maxULDelay = 40
	minULScore = 0.85
)
