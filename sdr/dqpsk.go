package sdr

import (
	"errors"
	"math"
)

// Slot geometry of EN 300 392-2 clause 9.4.4: every timeslot is 255 symbols of two
// bits each.
const (
	SlotSymbols = 255 // symbols per timeslot
	SlotBits    = 510 // bits per timeslot
)

// PhaseChange returns the phase change Δφ of one π/4-DQPSK symbol in units of π/4
// (+1, +3, -1 or -3) for the dibit (b1, b2) = (B(2k-1), B(2k)), first transmitted
// bit first. EN 300 392-2 clause 5 (π/4-DQPSK, the dibit-to-phase-change table,
// reproduced in air-interface.md §2.1); the mapping is Gray:
//
//	B(2k-1) B(2k)   Δφ(k)
//	  0      0      +π/4
//	  0      1      +3π/4
//	  1      0      -π/4
//	  1      1      -3π/4
//
// Only the low bit of each argument counts.
func PhaseChange(b1, b2 byte) int {
	return phaseChange[(b1&1)<<1|b2&1]
}

// phaseChange is the table of EN 300 392-2 clause 5 indexed by b1<<1 | b2, in units of π/4.
var phaseChange = [4]int{+1, +3, -1, -3}

// constellation holds exp(j·a·π/4), a = 0..7: the eight points S(k) visits.
var constellation = func() (c [8]complex64) {
	for a := range c {
		s, co := math.Sincos(float64(a) * math.Pi / 4)
		c[a] = complex(float32(co), float32(s))
	}
	return c
}()

// ModulatorConfig configures a Modulator.
type ModulatorConfig struct {
	// SamplesPerSymbol is the output rate in samples per symbol, >= 2: 2 gives
	// 36 kS/s, 4 gives 72 kS/s, 8 gives 144 kS/s. Use a Resampler for other rates.
	SamplesPerSymbol int
	// SpanSymbols is the RRC pulse length in symbols, even, >= 2; 0 means 8.
	SpanSymbols int
	// Amplitude is the RMS amplitude of the output (average power Amplitude²), > 0;
	// 0 means 1. The peak-to-RMS ratio of π/4-DQPSK with the 0.35 RRC pulse is
	// about 1.6 (4 dB), so use <= 0.6 for 8-bit device formats that clip at 1.
	Amplitude float64
}

// Modulator maps unpacked bits to π/4-DQPSK symbols (EN 300 392-2 clause 5) and
// shapes them with the RRC pulse (roll-off 0.35) at SamplesPerSymbol samples per
// symbol:
//
//	S(k) = S(k-1)·exp(j·Δφ(k)),  S(0) = 1 after New or Reset
//	s[n] = A·√sps · Σ_k S(k)·g[n - k·sps],  g = RRCTaps(sps, span, 0.35)
//
// The pulse of symbol k (0-based, counted from New/Reset, including silent
// symbols) peaks at output sample k·sps + Delay(). The zero value is not usable.
// Not safe for concurrent use.
type Modulator struct {
	sps, span int
	poly      []float32   // sps phases × (span+1) taps: poly[p*(span+1)+j] = g[p + j·sps]
	hist      []complex64 // the last span+1 symbols, hist[0] the newest
	a         int         // phase index of S(k) in units of π/4, 0..7
}

// NewModulator returns a modulator.
func NewModulator(cfg ModulatorConfig) (*Modulator, error) {
	if cfg.SamplesPerSymbol < 2 {
		return nil, errors.New("sdr: modulator needs SamplesPerSymbol >= 2")
	}
	if cfg.SpanSymbols == 0 {
		cfg.SpanSymbols = 8
	}
	if cfg.Amplitude == 0 {
		cfg.Amplitude = 1
	}
	if !(cfg.Amplitude > 0) {
		return nil, errors.New("sdr: modulator Amplitude must be > 0")
	}
	g, err := RRCTaps(cfg.SamplesPerSymbol, cfg.SpanSymbols, Rolloff)
	if err != nil {
		return nil, err
	}
	sps, span := cfg.SamplesPerSymbol, cfg.SpanSymbols
	m := &Modulator{sps: sps, span: span, poly: make([]float32, sps*(span+1)), hist: make([]complex64, span+1)}
	gain := cfg.Amplitude * math.Sqrt(float64(sps))
	for p := 0; p < sps; p++ {
		for j := 0; j <= span; j++ {
			if i := p + j*sps; i < len(g) {
				m.poly[p*(span+1)+j] = float32(g[i] * gain)
			}
		}
	}
	return m, nil
}

// SamplesPerSymbol returns the configured oversampling.
func (m *Modulator) SamplesPerSymbol() int { return m.sps }

// Delay returns the delay in samples from a symbol's start to its pulse peak:
// SpanSymbols·SamplesPerSymbol/2.
func (m *Modulator) Delay() int { return m.span * m.sps / 2 }

// OutLen returns the number of samples Process writes for nbits bits: nbits/2·sps.
func (m *Modulator) OutLen(nbits int) int { return nbits / 2 * m.sps }

// Reset clears the pulse-shaping history and restarts the phase at S(0) = 1.
func (m *Modulator) Reset() {
	clear(m.hist)
	m.a = 0
}

// Process modulates the unpacked bits (0/1, first transmitted first; only the low
// bit counts) into dst and returns OutLen(len(bits)). len(bits) must be even and dst
// at least OutLen(len(bits)) long, otherwise it panics. Successive calls behave as
// one call on the concatenated bits.
func (m *Modulator) Process(dst []complex64, bits []byte) int {
	if len(bits)%2 != 0 {
		panic("sdr: Modulator.Process: odd number of bits")
	}
	n := m.OutLen(len(bits))
	if len(dst) < n {
		panic("sdr: Modulator.Process: dst too short")
	}
	for k := 0; k < len(bits); k += 2 {
		m.a = (m.a + PhaseChange(bits[k], bits[k+1])) & 7
		m.push(dst[k/2*m.sps:], constellation[m.a])
	}
	return n
}

// Silence feeds nsym symbols of zero amplitude (no carrier: the guard period of a
// discontinuous or uplink burst) and returns the nsym·sps samples written, the
// tails of the preceding pulses. The DQPSK phase S(k) is kept, so the next symbol's
// phase change is taken from the last transmitted symbol.
func (m *Modulator) Silence(dst []complex64, nsym int) int {
	n := nsym * m.sps
	if len(dst) < n {
		panic("sdr: Modulator.Silence: dst too short")
	}
	for k := 0; k < nsym; k++ {
		m.push(dst[k*m.sps:], 0)
	}
	return n
}

// Flush writes the remaining pulse tails (SpanSymbols·sps samples, as Silence of
// SpanSymbols symbols) so the last symbol is complete, and returns the count.
func (m *Modulator) Flush(dst []complex64) int { return m.Silence(dst, m.span) }

func (m *Modulator) push(dst []complex64, s complex64) {
	h := m.hist
	copy(h[1:], h[:len(h)-1])
	h[0] = s
	w := m.span + 1
	for p := 0; p < m.sps; p++ {
		taps := m.poly[p*w : p*w+w]
		var re, im float32
		for j, t := range taps {
			re += t * real(h[j])
			im += t * imag(h[j])
		}
		dst[p] = complex(re, im)
	}
}
