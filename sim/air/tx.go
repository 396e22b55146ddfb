package air

import (
	"errors"
	"fmt"
	"math"

	"github.com/tetrasim/tetrasim/codec/scramble"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sdr"
)

// Cell identifies a cell: the extended colour code that seeds its scrambling
// (EN 300 392-2 clause 8.2.5) and the SYSINFO it broadcasts on the BNCH.
type Cell struct {
	MCC     uint16      // mobile country code, 0…1023
	MNC     uint16      // mobile network code, 0…16383
	CC      uint8       // colour code, 1…63
	Sysinfo mac.Sysinfo // BNCH content (clause 21.4.4.1)
}

// Code returns the cell's scrambling code.
func (c Cell) Code() scramble.Code { return scramble.Cell(c.MCC, c.MNC, c.CC) }

// Validate checks the field ranges.
func (c Cell) Validate() error {
	if c.MCC > 1023 || c.MNC > 16383 || c.CC < 1 || c.CC > 63 {
		return fmt.Errorf("air: cell MCC %d MNC %d CC %d out of range (MCC 0…1023, MNC 0…16383, CC 1…63)", c.MCC, c.MNC, c.CC)
	}
	return nil
}

// Sync returns the SYNC PDU the cell sends at time t (clause 21.4.4.2):
// system code 0, late entry supported.
func (c Cell) Sync(t radio.Time) mac.Sync {
	return mac.Sync{TN: uint8(t.TN), FN: uint8(t.FN), MN: uint8(t.MN), ColourCode: c.CC, MCC: c.MCC, MNC: c.MNC, LateEntry: true}
}

// Block is one logical-channel block of a slot: its channel and type-1 bits
// (for TCH/S, frame A then frame B, 2 × 137 bits; for TCH/S stolen, frame B).
type Block struct {
	Channel lmac.Channel
	Bits    []byte
}

// DLSlot is the content of one downlink slot (clause 9.5): the ACCESS-ASSIGN
// of its AACH and one or two blocks.
//
//   - Burst == radio.SyncDL: Blocks[0] is the BSCH (SYNC, 60 bits) and
//     Blocks[1] the SB2 block (BNCH or SCH/HD, 124 bits).
//   - Burst == radio.NormalDL with Blocks[1].Channel == 0: one full-slot block
//     (SCH/F, TCH/S, TCH/x), training sequence n.
//   - Burst == radio.NormalDL with two blocks: two half-slot blocks (SCH/HD,
//     BNCH, STCH, or STCH + TCH/S stolen), training sequence p.
type DLSlot struct {
	AACH   mac.AccessAssign
	Burst  radio.BurstType
	Blocks [2]Block
}

// Errors of the transmitter.
var ErrSlot = errors.New("air: invalid slot content")

// Encoder turns downlink slot contents into 510-bit bursts for one cell. The
// zero value is not usable; use NewEncoder. Not safe for concurrent use.
type Encoder struct {
	cell  Cell
	code  scramble.Code
	coder lmac.Coder
	aach  [mac.AccessAssignBits]byte
	bb    []byte
	t5    [2][]byte
	burst radio.Burst
}

// NewEncoder returns an encoder for cell.
func NewEncoder(cell Cell) (*Encoder, error) {
	if err := cell.Validate(); err != nil {
		return nil, err
	}
	e := &Encoder{cell: cell, code: cell.Code()}
	e.bb = make([]byte, 0, radio.BBBits)
	e.t5[0] = make([]byte, 0, lmac.MaxType5)
	e.t5[1] = make([]byte, 0, lmac.MaxType5)
	return e, nil
}

// Cell returns the encoder's cell.
func (e *Encoder) Cell() Cell { return e.cell }

// AppendBurst codes s through the lower-MAC chains (radio/lmac) and appends
// the 510-bit burst to dst.
func (e *Encoder) AppendBurst(dst []byte, s *DLSlot) ([]byte, error) {
	a, err := s.AACH.AppendBits(e.aach[:0])
	if err != nil {
		return dst, err
	}
	e.bb = e.coder.Encode(e.bb[:0], lmac.AACH, a, e.code)
	b := &e.burst
	*b = radio.Burst{Type: s.Burst, BB: e.bb}
	for i := range s.Blocks {
		blk := &s.Blocks[i]
		if blk.Channel == 0 {
			continue
		}
		if !blk.Channel.Valid() || len(blk.Bits) != blk.Channel.Params().Type1 {
			return dst, fmt.Errorf("%w: block %d: %v with %d bits", ErrSlot, i, blk.Channel, len(blk.Bits))
		}
		e.t5[i] = e.coder.Encode(e.t5[i][:0], blk.Channel, blk.Bits, e.code)
	}
	c0, c1 := s.Blocks[0].Channel, s.Blocks[1].Channel
	switch s.Burst {
	case radio.SyncDL:
		if c0 != lmac.BSCH || c1 != lmac.BNCH && c1 != lmac.SCHHD {
			return dst, fmt.Errorf("%w: sync burst with %v and %v", ErrSlot, c0, c1)
		}
		b.Block1, b.Block2 = e.t5[0], e.t5[1]
	case radio.NormalDL:
		switch {
		case c0 == 0:
			return dst, fmt.Errorf("%w: empty normal burst", ErrSlot)
		case c1 == 0:
			if len(e.t5[0]) != 2*radio.BKNBits {
				return dst, fmt.Errorf("%w: %v is not a full-slot channel", ErrSlot, c0)
			}
			b.Block1, b.Block2 = e.t5[0][:radio.BKNBits], e.t5[0][radio.BKNBits:]
		default:
			if len(e.t5[0]) != radio.BKNBits || len(e.t5[1]) != radio.BKNBits {
				return dst, fmt.Errorf("%w: %v + %v are not half-slot channels", ErrSlot, c0, c1)
			}
			b.SlotFlag = true
			b.Block1, b.Block2 = e.t5[0], e.t5[1]
		}
	default:
		return dst, fmt.Errorf("%w: burst type %v", ErrSlot, s.Burst)
	}
	return b.AppendBits(dst)
}

// TxConfig configures a Transmitter.
type TxConfig struct {
	Cell Cell
	// SampleRateHz is the output rate [S/s], >= 36 000; 0 means 36 000.
	// Multiples of 18 000 up to 144 000 are modulated directly; other rates go
	// through a rational resampler from 72 kS/s.
	SampleRateHz float64
	// OffsetHz puts the carrier at this offset from the centre [Hz];
	// |OffsetHz| + 12.5 kHz must stay below SampleRateHz/2.
	OffsetHz float64
	// Amplitude is the RMS amplitude (0 means 0.5, safe for 8-bit formats).
	Amplitude float64
	// Start is the TDMA time of the first slot; the zero value means HN 0, MN 1, FN 1, TN 1.
	Start radio.Time
}

// Transmitter is a base station's continuous downlink (EN 300 392-2 clause
// 9.4.4.2 continuous bursts): it encodes slot contents into bursts and
// modulates them (π/4-DQPSK, RRC 0.35, clause 5) into complex baseband at the
// configured rate and carrier offset. Not safe for concurrent use.
type Transmitter struct {
	enc     *Encoder
	cfg     TxConfig
	t       radio.Time
	mod     *sdr.Modulator
	rs      *sdr.Resampler
	nco     *sdr.NCO
	modBuf  []complex64
	burst   []byte
	samples int64
	sps     int
	slots   int64
}

// NewTransmitter returns a transmitter for cfg.
func NewTransmitter(cfg TxConfig) (*Transmitter, error) {
	enc, err := NewEncoder(cfg.Cell)
	if err != nil {
		return nil, err
	}
	if cfg.SampleRateHz == 0 {
		cfg.SampleRateHz = 36000
	}
	if cfg.Amplitude == 0 {
		cfg.Amplitude = 0.5
	}
	if cfg.Start == (radio.Time{}) {
		cfg.Start = radio.Time{TN: 1, FN: 1, MN: 1}
	}
	if !cfg.Start.Valid() {
		return nil, fmt.Errorf("air: invalid start time %v", cfg.Start)
	}
	if cfg.SampleRateHz < 36000 {
		return nil, fmt.Errorf("air: sample rate %.0f S/s below 36 kS/s", cfg.SampleRateHz)
	}
	if math.Abs(cfg.OffsetHz)+12500 >= cfg.SampleRateHz/2 {
		return nil, fmt.Errorf("air: carrier offset %.0f Hz does not fit in %.0f S/s", cfg.OffsetHz, cfg.SampleRateHz)
	}
	t := &Transmitter{enc: enc, cfg: cfg, t: cfg.Start}
	sps := 4
	if r := cfg.SampleRateHz / radio.SymbolRate; r == math.Trunc(r) && r >= 2 && r <= 8 {
		sps = int(r)
	}
	t.sps = sps
	t.mod, err = sdr.NewModulator(sdr.ModulatorConfig{SamplesPerSymbol: sps, Amplitude: cfg.Amplitude})
	if err != nil {
		return nil, err
	}
	if modRate := float64(sps * radio.SymbolRate); modRate != cfg.SampleRateHz {
		// The signal is 24.3 kHz wide; the images of the 72 kS/s modulator output
		// start at 72 − 12.15 kHz, so a 15 kHz passband and a stopband from 54 kHz
		// (70 dB) suffice, with far fewer taps than a generic anti-imaging filter.
		// Below 69 kS/s the stopband starts where it would alias into the channel.
		stop := math.Min(54000, cfg.SampleRateHz-15000)
		if t.rs, err = sdr.NewResamplerBand(modRate, cfg.SampleRateHz, 15000, stop, 70); err != nil {
			return nil, err
		}
	}
	if cfg.OffsetHz != 0 {
		if t.nco, err = sdr.NewNCO(cfg.OffsetHz, cfg.SampleRateHz); err != nil {
			return nil, err
		}
	}
	t.modBuf = make([]complex64, t.mod.OutLen(radio.SlotBits)+8*sps)
	t.burst = make([]byte, 0, radio.SlotBits)
	return t, nil
}

// Time returns the TDMA time of the next slot.
func (t *Transmitter) Time() radio.Time { return t.t }

// Cell returns the transmitter's cell.
func (t *Transmitter) Cell() Cell { return t.enc.cell }

// SampleRateHz returns the output rate.
func (t *Transmitter) SampleRateHz() float64 { return t.cfg.SampleRateHz }

// SamplesPerSlot returns the average number of output samples per slot.
func (t *Transmitter) SamplesPerSlot() float64 {
	return t.cfg.SampleRateHz * radio.SlotSymbols / radio.SymbolRate
}

// Samples returns the number of samples produced so far.
func (t *Transmitter) Samples() int64 { return t.samples }

// DelaySamples returns the delay from the start of a slot to its first
// symbol's pulse peak in the output, in samples (modulator pulse delay; the
// resampler adds its own group delay of a few samples on top).
func (t *Transmitter) DelaySamples() float64 {
	return float64(t.mod.Delay()) * t.cfg.SampleRateHz / float64(t.sps*radio.SymbolRate)
}

// Burst returns the 510 bits of the last slot sent; valid until the next call.
func (t *Transmitter) Burst() []byte { return t.burst }

// Slot encodes and modulates s as the slot at Time(), appends its samples to
// dst (SamplesPerSlot on average; ±1 with a fractional resampler) and
// advances the time by one slot.
func (t *Transmitter) Slot(dst []complex64, s *DLSlot) ([]complex64, error) {
	var err error
	t.burst, err = t.enc.AppendBurst(t.burst[:0], s)
	if err != nil {
		return dst, err
	}
	n := t.mod.Process(t.modBuf, t.burst)
	dst = t.output(dst, t.modBuf[:n])
	t.t = t.t.Next()
	t.slots++
	return dst, nil
}

// Flush appends the pulse tails of the last symbols (the end of the
// transmission) to dst.
func (t *Transmitter) Flush(dst []complex64) []complex64 {
	n := t.mod.Flush(t.modBuf)
	dst = t.output(dst, t.modBuf[:n])
	if t.rs != nil {
		// push the resampler's history out
		z := make([]complex64, 64)
		dst = t.output(dst, z)
	}
	return dst
}

func (t *Transmitter) output(dst, x []complex64) []complex64 {
	if t.rs != nil {
		m := t.rs.OutLen(len(x))
		dst = growC(dst, m)
		out := dst[len(dst)-m:]
		t.rs.Process(out, x)
		x = out
	} else {
		dst = append(dst, x...)
		x = dst[len(dst)-len(x):]
	}
	if t.nco != nil {
		t.nco.Process(x, x)
	}
	t.samples += int64(len(x))
	return dst
}

func growC(dst []complex64, n int) []complex64 {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]complex64, n)...)
}
