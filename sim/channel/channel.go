// Package channel simulates the radio channel between a tetrasim transmitter and
// receiver on complex-baseband sample streams: additive white Gaussian noise
// calibrated in Eb/N0 or C/N0, carrier frequency offset, phase noise, sample-clock
// offset and drift, flat Rayleigh/Rician fading with Doppler, and the two-tap
// multipath profiles TU50 and HT200 of ETSI EN 300 392-2 V3.2.1 (2007-09) clause 6.
//
// Every block follows the streaming shape of package sdr: Process(dst, src) int
// with caller-owned buffers, OutLen, Reset, no allocation once warm, and successive
// calls behaving as one call on the concatenated stream. Randomness comes only from
// the *rand.Rand given to the constructor, so a seed reproduces a run exactly. Give
// each block its own *rand.Rand: blocks sharing one interleave their draws by
// chunk, so the output would then depend on the chunking. A
// block is not safe for concurrent use; there is no package-level state.
//
// Chain strings blocks together; NewReader wraps an iq.Reader with a block.
package channel

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/iq"
)

// Block is a stream processor on complex64 samples.
type Block interface {
	// Process writes the output for src to dst and returns its length, at most
	// OutLen(len(src)); it panics if dst is shorter.
	Process(dst, src []complex64) int
	// OutLen bounds the output length for n inputs.
	OutLen(n int) int
	// Reset returns the block to its state after construction (its random source
	// is not rewound).
	Reset()
}

// BitRate is the gross bit rate of the TETRA air interface [bit/s] (18 ksym/s × 2).
const BitRate = 36000

// NoisePowerEbN0 returns the complex noise variance per sample that gives Eb/N0 =
// ebn0dB for a signal of average power signalPower per sample at sampleRateHz
// carrying bitRate bit/s:
//
//	Eb = P·fs/Rb (power × samples per bit),  N0 = σ²  (noise variance per sample over the full band fs)
//	σ² = P·(fs/Rb) / 10^(Eb/N0/10)
func NoisePowerEbN0(ebn0dB, signalPower, sampleRateHz, bitRate float64) float64 {
	return signalPower * (sampleRateHz / bitRate) / math.Pow(10, ebn0dB/10)
}

// NoisePowerCN0 returns the complex noise variance per sample that gives a
// carrier-to-noise-density ratio C/N0 = cn0dBHz [dB-Hz] for a signal of power
// signalPower at sampleRateHz: σ² = P·fs / 10^(C/N0/10).
func NoisePowerCN0(cn0dBHz, signalPower, sampleRateHz float64) float64 {
	return signalPower * sampleRateHz / math.Pow(10, cn0dBHz/10)
}

// AWGN adds complex white Gaussian noise of a given variance per sample (half in I,
// half in Q).
type AWGN struct {
	rng   *rand.Rand
	sigma float64 // per component
}

// NewAWGN returns an AWGN block adding noise of total variance noisePower (>= 0)
// per complex sample. Use NoisePowerEbN0 or NoisePowerCN0 to calibrate it.
func NewAWGN(rng *rand.Rand, noisePower float64) (*AWGN, error) {
	if rng == nil {
		return nil, errors.New("channel: AWGN needs a random source")
	}
	if !(noisePower >= 0) || math.IsInf(noisePower, 0) {
		return nil, errors.New("channel: AWGN noise power must be >= 0")
	}
	return &AWGN{rng: rng, sigma: math.Sqrt(noisePower / 2)}, nil
}

// SetNoisePower changes the noise variance per complex sample.
func (a *AWGN) SetNoisePower(p float64) { a.sigma = math.Sqrt(p / 2) }

// NoisePower returns the noise variance per complex sample.
func (a *AWGN) NoisePower() float64 { return 2 * a.sigma * a.sigma }

// OutLen returns n.
func (a *AWGN) OutLen(n int) int { return n }

// Reset does nothing: the block has no state besides its random source.
func (a *AWGN) Reset() {}

// Process adds noise to src and writes to dst (in place allowed).
func (a *AWGN) Process(dst, src []complex64) int {
	if len(dst) < len(src) {
		panic("channel: AWGN.Process: dst too short")
	}
	s := a.sigma
	for i, v := range src {
		dst[i] = v + complex(float32(s*a.rng.NormFloat64()), float32(s*a.rng.NormFloat64()))
	}
	return len(src)
}

// Chain runs blocks one after the other through internal buffers.
type Chain struct {
	blocks []Block
	bufs   [2][]complex64
}

const chunk = 4096

// NewChain returns the cascade of the blocks (at least one).
func NewChain(blocks ...Block) (*Chain, error) {
	if len(blocks) == 0 {
		return nil, errors.New("channel: empty chain")
	}
	n := chunk
	for _, b := range blocks {
		n = max(n, b.OutLen(n))
	}
	c := &Chain{blocks: blocks}
	c.bufs[0] = make([]complex64, n)
	c.bufs[1] = make([]complex64, n)
	return c, nil
}

// OutLen bounds the output for n inputs.
func (c *Chain) OutLen(n int) int {
	for _, b := range c.blocks {
		n = b.OutLen(n)
	}
	return n + 4 // rounding of variable-rate blocks across chunks
}

// Reset resets every block.
func (c *Chain) Reset() {
	for _, b := range c.blocks {
		b.Reset()
	}
}

// Process runs src through every block into dst and returns the count.
func (c *Chain) Process(dst, src []complex64) int {
	out := 0
	for len(src) > 0 {
		n := min(len(src), chunk)
		in := src[:n]
		src = src[n:]
		for i, b := range c.blocks {
			var o []complex64
			if i == len(c.blocks)-1 {
				o = dst[out:]
			} else {
				o = c.bufs[i%2]
			}
			n = b.Process(o, in)
			in = o[:n]
		}
		out += n
	}
	return out
}

// Reader applies a block to the samples of an iq.Reader.
type Reader struct {
	r   iq.Reader
	b   Block
	buf []complex64
	out []complex64
	o   int
	err error
}

// NewReader returns an iq.Reader that reads from r through b.
func NewReader(r iq.Reader, b Block) *Reader {
	return &Reader{r: r, b: b, buf: make([]complex64, chunk), out: make([]complex64, 0, b.OutLen(chunk)+4)}
}

// Read implements iq.Reader.
func (r *Reader) Read(dst []complex64) (int, error) {
	for r.o >= len(r.out) {
		if r.err != nil {
			return 0, r.err
		}
		n, err := r.r.Read(r.buf)
		r.out = r.out[:cap(r.out)]
		m := r.b.Process(r.out, r.buf[:n])
		r.out, r.o, r.err = r.out[:m], 0, err
	}
	n := copy(dst, r.out[r.o:])
	r.o += n
	return n, nil
}

var (
	_ iq.Reader = (*Reader)(nil)
	_ Block     = (*AWGN)(nil)
	_ Block     = (*Chain)(nil)
)
