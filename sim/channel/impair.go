package channel

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Oscillator models the receiver's local oscillator error: a carrier frequency
// offset plus Wiener phase noise of a given 3 dB (Lorentzian) linewidth:
//
//	y[n] = x[n]·exp(j·φ[n]),  φ[n+1] = φ[n] + 2π·CFO/fs + N(0, 2π·linewidth/fs)
type Oscillator struct {
	rng     *rand.Rand
	step    float64 // rad/sample
	sigma   float64 // phase-noise step standard deviation [rad]
	phase   float64
	phase0  float64
	rateHz  float64
	cfoHz   float64
	linewHz float64
}

// NewOscillator returns a frequency offset of cfoHz and phase noise of linewidthHz
// (>= 0; 0 means none) for samples at sampleRateHz. rng may be nil when linewidthHz
// is 0.
func NewOscillator(rng *rand.Rand, cfoHz, linewidthHz, sampleRateHz float64) (*Oscillator, error) {
	if !(sampleRateHz > 0) {
		return nil, errors.New("channel: oscillator sample rate must be > 0")
	}
	if !(linewidthHz >= 0) {
		return nil, errors.New("channel: phase-noise linewidth must be >= 0")
	}
	if linewidthHz > 0 && rng == nil {
		return nil, errors.New("channel: phase noise needs a random source")
	}
	return &Oscillator{
		rng: rng, rateHz: sampleRateHz, cfoHz: cfoHz, linewHz: linewidthHz,
		step:  2 * math.Pi * cfoHz / sampleRateHz,
		sigma: math.Sqrt(2 * math.Pi * linewidthHz / sampleRateHz),
	}, nil
}

// SetStartPhase sets the phase [rad] the oscillator restarts from on Reset and now.
func (o *Oscillator) SetStartPhase(rad float64) { o.phase0, o.phase = rad, rad }

// OutLen returns n.
func (o *Oscillator) OutLen(n int) int { return n }

// Reset restarts the phase.
func (o *Oscillator) Reset() { o.phase = o.phase0 }

// Process rotates src into dst (in place allowed).
func (o *Oscillator) Process(dst, src []complex64) int {
	if len(dst) < len(src) {
		panic("channel: Oscillator.Process: dst too short")
	}
	ph := o.phase
	for i, v := range src {
		s, c := math.Sincos(ph)
		dst[i] = v * complex(float32(c), float32(s))
		ph += o.step
		if o.sigma > 0 {
			ph += o.sigma * o.rng.NormFloat64()
		}
		if ph > math.Pi || ph < -math.Pi {
			ph = math.Remainder(ph, 2*math.Pi)
		}
	}
	o.phase = ph
	return len(src)
}

// interpTaps and interpPhases define the fractional-delay interpolator shared by
// ClockOffset and the multipath taps: a Kaiser-windowed sinc (β = 8) of 16 taps
// tabulated at 512 phases, linear interpolation between phases. For signals within
// 0.4 of the sample rate the error is below -60 dB.
const (
	interpTaps   = 16
	interpPhases = 512
)

// fracTable is the interpolator table, computed once at package initialisation and
// never written afterwards (read-only shared state).
var fracTable = interpTable()

// interpTable returns (interpPhases+1) × interpTaps taps; row p delays by p/interpPhases
// of a sample beyond interpTaps/2-1 samples: y = Σ_i row[i]·x[n-i] estimates
// x(n - (interpTaps/2 - 1) - p/interpPhases).
func interpTable() []float32 {
	t := make([]float32, (interpPhases+1)*interpTaps)
	const beta = 8.0
	i0 := besselI0(beta)
	c := float64(interpTaps/2 - 1)
	for p := 0; p <= interpPhases; p++ {
		d := c + float64(p)/interpPhases
		var sum float64
		row := make([]float64, interpTaps)
		for i := range row {
			x := float64(i) - d
			s := 1.0
			if x != 0 {
				s = math.Sin(math.Pi*x) / (math.Pi * x)
			}
			r := x / (float64(interpTaps) / 2)
			w := 0.0
			if r*r < 1 {
				w = besselI0(beta*math.Sqrt(1-r*r)) / i0
			}
			row[i] = s * w
			sum += row[i]
		}
		for i := range row {
			t[p*interpTaps+i] = float32(row[i] / sum)
		}
	}
	return t
}

func besselI0(x float64) float64 {
	s, t := 1.0, 1.0
	for k := 1; k < 200; k++ {
		t *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		s += t
		if t < s*1e-17 {
			break
		}
	}
	return s
}

// ClockOffset models a receiver sample clock that runs fast or slow: the output has
// (1 + ε) samples for every input sample, ε = PPM·1e-6 + DriftPPMPerS·1e-6·t, where
// t is the elapsed time in seconds. Output sample m is the input interpolated at
// time τ_m, with τ_{m+1} = τ_m + 1/(1+ε).
type ClockOffset struct {
	table     []float32
	ppm       float64
	drift     float64 // ppm per output sample
	hist      []complex64
	fill      int
	pos       float64 // input time of the next output, relative to hist[0] + delay
	elapsedPP float64 // ppm accumulated by drift
}

// NewClockOffset returns a clock error of ppm parts per million with drift
// driftPPMPerS [ppm/s] at sampleRateHz (> 0). Output sample 0 is input sample 0
// (no delay); the block holds back 8 input samples of look-ahead.
func NewClockOffset(ppm, driftPPMPerS, sampleRateHz float64) (*ClockOffset, error) {
	if !(sampleRateHz > 0) || math.Abs(ppm) > 1e5 {
		return nil, errors.New("channel: clock offset needs a rate > 0 and |ppm| <= 1e5")
	}
	c := &ClockOffset{table: fracTable, ppm: ppm, drift: driftPPMPerS / sampleRateHz, hist: make([]complex64, interpTaps+chunk)}
	c.Reset()
	return c, nil
}

// OutLen bounds the output count for n inputs.
func (c *ClockOffset) OutLen(n int) int {
	e := math.Abs(c.ppm+c.elapsedPP)*1e-6 + 1e-3
	return int(float64(n)*(1+e)) + 2
}

// Reset clears the history and the drift.
func (c *ClockOffset) Reset() {
	clear(c.hist)
	c.fill = interpTaps - 1
	c.pos = interpTaps/2 + 0 // output 0 is input sample 0: no delay
	c.elapsedPP = 0
}

// Process resamples src into dst and returns the count.
func (c *ClockOffset) Process(dst, src []complex64) int {
	out := 0
	for len(src) > 0 {
		n := min(len(src), len(c.hist)-c.fill)
		copy(c.hist[c.fill:], src[:n])
		src = src[n:]
		c.fill += n
		// output at input time pos needs hist[i-interpTaps+1 .. i] with i = floor(pos)+interpTaps-1
		for {
			ip := math.Floor(c.pos)
			i := int(ip) + interpTaps - 1
			if i >= c.fill {
				break
			}
			// row q of the table estimates x(i - 7 - q/P); i - 7 - (1-mu) = pos + 7
			f := (1 - (c.pos - ip)) * interpPhases
			p := int(f)
			w := float32(f - float64(p))
			if p >= interpPhases {
				p, w = interpPhases-1, 1
			}
			a := dotRev(c.table[p*interpTaps:(p+1)*interpTaps], c.hist[i-interpTaps+1:i+1])
			b := dotRev(c.table[(p+1)*interpTaps:(p+2)*interpTaps], c.hist[i-interpTaps+1:i+1])
			if out >= len(dst) {
				panic("channel: ClockOffset.Process: dst too short")
			}
			dst[out] = a + complex(w, 0)*(b-a)
			out++
			eps := (c.ppm + c.elapsedPP) * 1e-6
			c.pos += 1 / (1 + eps)
			c.elapsedPP += c.drift
		}
		drop := int(math.Floor(c.pos))
		if drop > c.fill-(interpTaps-1) {
			drop = c.fill - (interpTaps - 1)
		}
		if drop > 0 {
			copy(c.hist, c.hist[drop:c.fill])
			c.fill -= drop
			c.pos -= float64(drop)
		}
	}
	return out
}

// dotRev returns Σ_i h[i]·x[len(x)-1-i]: taps applied to the newest sample first.
func dotRev(h []float32, x []complex64) complex64 {
	var re, im float32
	n := len(x) - 1
	for i, t := range h {
		v := x[n-i]
		re += t * real(v)
		im += t * imag(v)
	}
	return complex(re, im)
}

var (
	_ Block = (*Oscillator)(nil)
	_ Block = (*ClockOffset)(nil)
)
