package hardware

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// TXPolicy is what a radiating sink may do (sdr-hardware.md §7). The zero value
// transmits nothing.
type TXPolicy struct {
	// Enabled must be true for any transmission (the CLI's --transmit).
	Enabled bool
	// Allowed lists the frequency ranges [Hz] the whole occupied band must fall in.
	// DefaultAllowed holds only ISM allocations.
	Allowed []Range
	// BandwidthHz is the occupied bandwidth of the signal [Hz]; f ± BandwidthHz/2
	// must lie inside one allowed range. 0 means DefaultBandwidthHz.
	BandwidthHz float64
	// MaxGainDB caps the sum of the TX gain stages [dB].
	MaxGainDB float64
	// MaxBurst is the watchdog: a burst (from its first write to Flush) that runs
	// longer is stopped by closing the device. Must be > 0.
	MaxBurst time.Duration
}

// DefaultBandwidthHz is one TETRA channel (25 kHz, EN 300 392-2 clause 5.3).
const DefaultBandwidthHz = 25e3

// DefaultMaxGainDB is the default TX gain cap: HackRF TX VGA at 20 dB of its 47 dB
// with the amplifier off, about -20 dBm at the port (sdr-hardware.md §6.1).
const DefaultMaxGainDB = 20

// DefaultAllowed are the ITU Radio Regulations (article 5, footnotes 5.138 and
// 5.150) ISM allocations above 1 MHz, where short-range test transmissions are
// commonly permitted. 433.05-434.79 MHz is ISM in Region 1 only and 902-928 MHz in
// Region 2 only: local rules still apply. None is a TETRA public-safety band.
func DefaultAllowed() []Range {
	return []Range{
		{Min: 6.765e6, Max: 6.795e6},
		{Min: 13.553e6, Max: 13.567e6},
		{Min: 26.957e6, Max: 27.283e6},
		{Min: 40.66e6, Max: 40.70e6},
		{Min: 433.05e6, Max: 434.79e6},
		{Min: 902e6, Max: 928e6},
		{Min: 2400e6, Max: 2500e6},
		{Min: 5725e6, Max: 5875e6},
	}
}

// Forbidden are bands no policy may allow: the European public-safety TETRA band
// 380-400 MHz (sdr-hardware.md §7: "never transmit in 380-400 MHz").
func Forbidden() []Range { return []Range{{Min: 380e6, Max: 400e6}} }

// Validate checks that p permits transmission at all and is sane.
func (p TXPolicy) Validate() error {
	if !p.Enabled {
		return fmt.Errorf("%w: pass --transmit (and read the legal note in --help) to put RF on air", ErrTXDisabled)
	}
	if len(p.Allowed) == 0 {
		return fmt.Errorf("%w: empty frequency allow-list", ErrPolicy)
	}
	for _, r := range p.Allowed {
		if !(r.Min < r.Max) || r.Min <= 0 {
			return fmt.Errorf("%w: allowed range %.0f-%.0f Hz is empty or negative", ErrPolicy, r.Min, r.Max)
		}
		for _, f := range Forbidden() {
			if r.Min <= f.Max && r.Max >= f.Min {
				return fmt.Errorf("%w: allowed range %.6g-%.6g MHz overlaps the public-safety band %.6g-%.6g MHz", ErrPolicy, r.Min/1e6, r.Max/1e6, f.Min/1e6, f.Max/1e6)
			}
		}
	}
	if p.MaxBurst <= 0 {
		return fmt.Errorf("%w: MaxBurst (watchdog) must be > 0", ErrPolicy)
	}
	if p.MaxGainDB < 0 || math.IsNaN(p.MaxGainDB) {
		return fmt.Errorf("%w: MaxGainDB must be >= 0", ErrPolicy)
	}
	return nil
}

// AllowsFreq reports whether a signal centred at hz fits inside one allowed range.
func (p TXPolicy) AllowsFreq(hz float64) bool {
	bw := p.BandwidthHz
	if bw <= 0 {
		bw = DefaultBandwidthHz
	}
	lo, hi := hz-bw/2, hz+bw/2
	for _, f := range Forbidden() {
		if lo <= f.Max && hi >= f.Min {
			return false
		}
	}
	for _, r := range p.Allowed {
		if lo >= r.Min && hi <= r.Max {
			return true
		}
	}
	return false
}

// Guard wraps a radiating sink in p. The guarded sink
//   - refuses to be created unless p.Validate passes;
//   - refuses WriteIQ until Tune succeeded at an allowed frequency (ErrNotTuned);
//   - refuses Tune outside p.Allowed (ErrFreqNotAllowed) and leaves the device as it was;
//   - clamps gains so that the sum over stages stays <= p.MaxGainDB, and returns
//     the clamped value (a request for stage "" is capped as a whole);
//   - starts a watchdog at the first write of a burst; if Flush has not returned
//     within p.MaxBurst the device is closed (which stops TX at once) and every
//     later call returns ErrWatchdog.
//
// It is safe for concurrent use to the extent the wrapped sink is; the watchdog
// runs on its own timer goroutine.
func Guard(s Sink, p TXPolicy) (Sink, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &guarded{s: s, p: p, gains: map[string]float64{}}, nil
}

type guarded struct {
	s Sink
	p TXPolicy

	mu      sync.Mutex
	tuned   bool
	gains   map[string]float64
	timer   *time.Timer
	tripped bool
}

func (g *guarded) Info() Info { return g.s.Info() }

func (g *guarded) Stats() Stats { return g.s.Stats() }

func (g *guarded) SetPPM(ppm float64) error { return g.s.SetPPM(ppm) }

func (g *guarded) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if err := g.check(); err != nil {
		return 0, err
	}
	return g.s.SetSampleRate(ctx, sps)
}

func (g *guarded) check() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.tripped {
		return ErrWatchdog
	}
	return nil
}

func (g *guarded) Tune(ctx context.Context, hz float64) (float64, error) {
	if err := g.check(); err != nil {
		return 0, err
	}
	if !g.p.AllowsFreq(hz) {
		return 0, fmt.Errorf("%w: %.6f MHz (±%.1f kHz) is outside %s", ErrFreqNotAllowed, hz/1e6, bw(g.p)/2e3, fmtRanges(g.p.Allowed))
	}
	got, err := g.s.Tune(ctx, hz)
	if err != nil {
		return got, err
	}
	if !g.p.AllowsFreq(got) { // the device rounded us out of the band
		g.s.Close()
		return got, fmt.Errorf("%w: device tuned to %.6f MHz instead of %.6f MHz; closed", ErrFreqNotAllowed, got/1e6, hz/1e6)
	}
	g.mu.Lock()
	g.tuned = true
	g.mu.Unlock()
	return got, nil
}

func bw(p TXPolicy) float64 {
	if p.BandwidthHz > 0 {
		return p.BandwidthHz
	}
	return DefaultBandwidthHz
}

func fmtRanges(rs []Range) string {
	s := "the allow-list ["
	for i, r := range rs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.6g-%.6g MHz", r.Min/1e6, r.Max/1e6)
	}
	return s + "]"
}

func (g *guarded) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	if err := g.check(); err != nil {
		return 0, err
	}
	if math.IsNaN(dB) || math.IsInf(dB, 0) {
		return 0, fmt.Errorf("%w: TX gain %g dB", ErrPolicy, dB)
	}
	g.mu.Lock()
	others := 0.0
	for k, v := range g.gains {
		if k != stage && stage != "" {
			others += v
		}
	}
	capDB := g.p.MaxGainDB - others
	g.mu.Unlock()
	if capDB < 0 {
		capDB = 0
	}
	req := dB
	if req > capDB {
		req = capDB
	}
	got, err := g.s.SetGain(ctx, stage, req)
	if err != nil {
		return got, err
	}
	if got > capDB+1e-9 { // device rounded up past the cap: back off one step at a time
		for step := 1.0; step <= 16 && got > capDB+1e-9; step++ {
			if got, err = g.s.SetGain(ctx, stage, req-step); err != nil {
				return got, err
			}
		}
		if got > capDB+1e-9 {
			g.s.Close()
			return got, fmt.Errorf("hardware: gain %.1f dB exceeds the cap %.1f dB and could not be lowered; closed", got, capDB)
		}
	}
	g.mu.Lock()
	if stage == "" {
		clear(g.gains)
	}
	g.gains[stage] = got
	g.mu.Unlock()
	return got, nil
}

func (g *guarded) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	g.mu.Lock()
	switch {
	case g.tripped:
		g.mu.Unlock()
		return 0, ErrWatchdog
	case !g.tuned:
		g.mu.Unlock()
		return 0, ErrNotTuned
	}
	if g.timer == nil {
		g.timer = time.AfterFunc(g.p.MaxBurst, g.trip)
	}
	g.mu.Unlock()
	n, err := g.s.WriteIQ(ctx, src)
	if err != nil && g.check() != nil {
		return n, fmt.Errorf("%w (after %v)", ErrWatchdog, g.p.MaxBurst)
	}
	return n, err
}

func (g *guarded) trip() {
	g.mu.Lock()
	g.tripped = true
	g.mu.Unlock()
	g.s.Close()
}

func (g *guarded) Write(src []complex64) (int, error) { return g.WriteIQ(context.Background(), src) }

func (g *guarded) Flush(ctx context.Context) error {
	if err := g.check(); err != nil {
		return err
	}
	err := g.s.Flush(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.tripped {
		return ErrWatchdog
	}
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	return err
}

func (g *guarded) Close() error {
	g.mu.Lock()
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	g.mu.Unlock()
	return g.s.Close()
}
