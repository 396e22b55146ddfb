// Package loopback is an in-process radio link: a Sink and a Source paired by
// name, so that a transmitter and a receiver in one process talk as if over the
// air, with optional impairments (shared design note sdr-hardware.md §1):
//
//   - a carrier frequency offset from mismatched tuning (sink centre minus
//     source centre), plus cfo=HZ and the receiver's crystal error ppm=P;
//   - additive white Gaussian noise of noise=DBFS (power relative to full scale 1.0);
//   - dropped blocks: drop=P drops each block of 1024 samples with probability P
//     (counted in the source's Stats().Dropped).
//
// Device strings: "loopback[=NAME][,rate=R][,freq=F][,cfo=HZ][,ppm=P][,noise=DBFS]
// [,drop=P][,seed=N][,buffer=SAMPLES][,throttle]". Impairments may be given on
// either end and apply in that end's direction. The sink blocks when the buffer
// (default 1 Mi samples) is full; the source returns io.EOF once the sink is
// closed and the buffer drained. A pair is forgotten when both ends are closed,
// so the name can be reused.
//
// The pairs live in a Hub, not in package state: one Hub per process (or test)
// gives its Driver to the Registry.
package loopback

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/tetrasim/tetrasim/hardware"
)

// DefaultBuffer is the default capacity of a pair [samples].
const DefaultBuffer = 1 << 20

// dropBlock is the granularity of drop= [samples].
const dropBlock = 1024

// Hub holds the named pairs. The zero value is not usable; call NewHub. Safe
// for concurrent use.
type Hub struct {
	mu    sync.Mutex
	pairs map[string]*pair
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{pairs: map[string]*pair{}} }

// Driver returns the "loopback" driver of this hub.
func (h *Hub) Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "loopback",
		Usage: "loopback[=NAME][,rate=R][,freq=F][,cfo=HZ][,ppm=P][,noise=DBFS][,drop=P][,seed=N][,buffer=SAMPLES][,throttle]",
		Keys:  []string{"rate", "freq", "cfo", "ppm", "noise", "drop", "seed", "buffer", "throttle"},
		Open:  h.open,
	}
}

// pair is the shared state of one link: a ring buffer of samples.
type pair struct {
	name string
	mu   sync.Mutex
	cond *sync.Cond
	buf  []complex64
	r, n int // read index and fill

	rate           float64 // [S/s], 0 unknown
	txFreq, rxFreq float64 // [Hz]
	hasTX, hasRX   bool
	txOpen, rxOpen bool
	txDone         bool // sink closed: EOF after drain
	rxGone         bool // source closed: writes fail
	txSeen, rxSeen bool
}

func (h *Hub) get(name string, size int) *pair {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.pairs[name]
	if !ok {
		p = &pair{name: name, buf: make([]complex64, size)}
		p.cond = sync.NewCond(&p.mu)
		h.pairs[name] = p
	}
	return p
}

// release forgets p once both ends have been opened and closed, or the one end
// that was opened is closed and nothing is left to hand over.
func (h *Hub) release(p *pair) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.txOpen || p.rxOpen {
		return
	}
	if p.rxSeen || (p.txSeen && p.n == 0) {
		if h.pairs[p.name] == p {
			delete(h.pairs, p.name)
		}
	}
}

type impair struct {
	cfoHz, ppm float64
	noiseStd   float32 // per component
	drop       float64
	rng        *rand.Rand
	phase      float64 // [rad]
	dropLeft   int     // samples left in the current block decision
	dropping   bool
	throttle   bool
}

func parseImpair(a hardware.Args) (*impair, error) {
	var im impair
	var err error
	if im.cfoHz, err = a.Float("cfo", 0); err != nil {
		return nil, err
	}
	if im.ppm, err = a.Float("ppm", 0); err != nil {
		return nil, err
	}
	if a.Has("noise") {
		db, err := a.Float("noise", 0)
		if err != nil {
			return nil, err
		}
		im.noiseStd = float32(math.Sqrt(math.Pow(10, db/10) / 2))
	}
	if im.drop, err = a.Float("drop", 0); err != nil {
		return nil, err
	}
	if im.drop < 0 || im.drop > 1 {
		return nil, fmt.Errorf("%w: loopback: drop=%g is not a probability", hardware.ErrBadSpec, im.drop)
	}
	seed, err := a.Float("seed", 1)
	if err != nil {
		return nil, err
	}
	im.rng = rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	if im.throttle, err = a.Bool("throttle", false); err != nil {
		return nil, err
	}
	return &im, nil
}

func (h *Hub) open(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	im, err := parseImpair(a)
	if err != nil {
		return nil, err
	}
	size, err := a.Float("buffer", DefaultBuffer)
	if err != nil {
		return nil, err
	}
	if size < dropBlock || size > 1<<28 {
		return nil, fmt.Errorf("%w: loopback: buffer=%g samples (want %d..%d)", hardware.ErrBadSpec, size, dropBlock, 1<<28)
	}
	rate, err := a.Float("rate", 0)
	if err != nil {
		return nil, err
	}
	freq, err := a.Float("freq", 0)
	if err != nil {
		return nil, err
	}
	p := h.get(a.Value, int(size))
	p.mu.Lock()
	defer p.mu.Unlock()
	if rate > 0 {
		if p.rate > 0 && p.rate != rate {
			return nil, fmt.Errorf("%w: loopback %q: rate=%g but the other end is at %g", hardware.ErrBadSpec, a.Value, rate, p.rate)
		}
		p.rate = rate
	}
	e := &end{h: h, p: p, im: im, dir: dir}
	switch dir {
	case hardware.TX:
		if p.txOpen || p.txSeen {
			return nil, fmt.Errorf("%w: loopback %q already has a sink", hardware.ErrBusy, a.Value)
		}
		p.txOpen, p.txSeen = true, true
		if a.Has("freq") {
			p.txFreq = freq
		}
		return &sink{e}, nil
	case hardware.RX:
		if p.rxOpen || p.rxSeen {
			return nil, fmt.Errorf("%w: loopback %q already has a source", hardware.ErrBusy, a.Value)
		}
		p.rxOpen, p.rxSeen = true, true
		if a.Has("freq") {
			p.rxFreq = freq
		}
		return &source{e}, nil
	}
	return nil, hardware.ErrDirection
}

// end is one side of a pair.
type end struct {
	h      *Hub
	p      *pair
	im     *impair
	dir    hardware.Direction
	c      hardware.Counters
	pacer  hardware.Pacer
	closed bool // guarded by p.mu
}

func (e *end) Info() hardware.Info {
	return hardware.Info{
		Driver: "loopback", Serial: e.p.name, Label: "in-process loopback " + fmt.Sprintf("%q", e.p.name),
		RX: e.dir == hardware.RX, TX: e.dir == hardware.TX, FullDuplex: true,
		Freq: hardware.Range{Min: 0, Max: 10e9}, Rate: hardware.Range{Min: 1, Max: 1e9},
	}
}

func (e *end) Tune(ctx context.Context, hz float64) (float64, error) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	if e.dir == hardware.TX {
		e.p.txFreq = hz
	} else {
		e.p.rxFreq = hz
	}
	return hz, nil
}

func (e *end) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if !(sps > 0) {
		return 0, fmt.Errorf("loopback: sample rate %g must be > 0", sps)
	}
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.p.rate = sps // the last setter wins: both ends share one clock
	return sps, nil
}

func (e *end) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, nil // a wire has unity gain
}

func (e *end) SetPPM(ppm float64) error {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	e.im.ppm = ppm
	return nil
}

func (e *end) Stats() hardware.Stats { return e.c.Stats() }

// Settings implements hardware.Settings.
func (e *end) Settings() (float64, float64) {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	if e.dir == hardware.TX {
		return e.p.rate, e.p.txFreq
	}
	return e.p.rate, e.p.rxFreq
}

func (e *end) Close() error {
	p := e.p
	p.mu.Lock()
	if e.closed {
		p.mu.Unlock()
		return nil
	}
	e.closed = true
	if e.dir == hardware.TX {
		p.txOpen, p.txDone = false, true
	} else {
		p.rxOpen, p.rxGone = false, true
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	e.h.release(p)
	return nil
}

// apply runs the impairments of e over s in place and returns how many samples
// of s survive (dropped blocks are removed). offsetHz is the total frequency offset.
func (e *end) apply(s []complex64, offsetHz, rate float64) int {
	im := e.im
	if offsetHz != 0 && rate > 0 {
		dphi := 2 * math.Pi * offsetHz / rate
		ph := im.phase
		for i, v := range s {
			sn, cs := math.Sincos(ph)
			s[i] = v * complex(float32(cs), float32(sn))
			ph += dphi
		}
		im.phase = math.Remainder(ph, 2*math.Pi)
	}
	if im.noiseStd > 0 {
		for i := range s {
			s[i] += complex(im.noiseStd*float32(im.rng.NormFloat64()), im.noiseStd*float32(im.rng.NormFloat64()))
		}
	}
	if im.drop <= 0 {
		return len(s)
	}
	out := 0
	for i := 0; i < len(s); {
		fresh := im.dropLeft == 0
		if fresh {
			im.dropLeft = dropBlock
			im.dropping = im.rng.Float64() < im.drop
		}
		k := min(im.dropLeft, len(s)-i)
		switch {
		case im.dropping && fresh:
			e.c.AddDropped(k) // one overflow event per dropped block
		case im.dropping:
			e.c.ExtendDropped(k)
		default:
			copy(s[out:], s[i:i+k])
			out += k
		}
		im.dropLeft -= k
		i += k
	}
	return out
}

type sink struct{ *end }

func (s *sink) Write(src []complex64) (int, error) { return s.WriteIQ(context.Background(), src) }

// WriteIQ copies src into the pair, blocking while the buffer is full.
func (s *sink) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	p := s.p
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
		defer stop()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	done := 0
	for done < len(src) {
		if s.closed {
			return done, hardware.ErrClosed
		}
		if p.rxGone {
			return done, fmt.Errorf("loopback %q: receiver closed: %w", p.name, io.ErrClosedPipe)
		}
		if err := ctx.Err(); err != nil {
			return done, err
		}
		free := len(p.buf) - p.n
		if free == 0 {
			p.cond.Wait()
			continue
		}
		k := min(free, len(src)-done)
		w := (p.r + p.n) % len(p.buf)
		chunk := src[done : done+k]
		// Copy into the ring (two parts at the wrap), then impair in place.
		c1 := copy(p.buf[w:], chunk)
		copy(p.buf, chunk[c1:])
		offset := s.im.cfoHz + s.im.ppm*1e-6*p.txFreq
		kept := s.applyRing(w, k, offset, p.rate)
		p.n += kept
		done += k
		s.c.AddSamples(k)
		p.cond.Broadcast()
		if s.im.throttle && p.rate > 0 {
			s.pacer.Rate = p.rate
			p.mu.Unlock()
			err := s.pacer.Wait(ctx, k)
			p.mu.Lock()
			if err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// applyRing impairs k samples of the ring starting at w (contiguous when
// possible) and returns how many remain; dropped samples are squeezed out.
func (e *end) applyRing(w, k int, offset, rate float64) int {
	p := e.p
	if w+k <= len(p.buf) {
		return e.apply(p.buf[w:w+k], offset, rate)
	}
	first := len(p.buf) - w
	n1 := e.apply(p.buf[w:], offset, rate)
	n2 := e.apply(p.buf[:k-first], offset, rate)
	// Squeeze the second part up behind the first.
	for i := 0; i < n2; i++ {
		p.buf[(w+n1+i)%len(p.buf)] = p.buf[i]
	}
	return n1 + n2
}

func (s *sink) Flush(ctx context.Context) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.closed {
		return hardware.ErrClosed
	}
	return nil // samples in the ring are "on air"
}

type source struct{ *end }

func (s *source) Read(dst []complex64) (int, error) { return s.ReadIQ(context.Background(), dst) }

// ReadIQ blocks until samples arrive, the sink closes (io.EOF after the buffer
// drains), Close is called or ctx is done.
func (s *source) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	p := s.p
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
		defer stop()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for {
			if s.closed {
				return 0, hardware.ErrClosed
			}
			if p.n > 0 {
				break
			}
			if p.txDone {
				return 0, io.EOF
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			p.cond.Wait()
		}
		got := 0
		for got < len(dst) && p.n > 0 {
			k := min(len(dst)-got, p.n, len(p.buf)-p.r)
			copy(dst[got:], p.buf[p.r:p.r+k])
			p.r = (p.r + k) % len(p.buf)
			p.n -= k
			got += k
		}
		p.cond.Broadcast()
		// Receiver-side impairments: tuning mismatch and the receiver's own crystal.
		offset := s.im.cfoHz - s.im.ppm*1e-6*p.rxFreq
		if p.rxFreq != 0 && p.txFreq != 0 {
			offset += p.txFreq - p.rxFreq
		}
		rate := p.rate
		if offset != 0 && rate <= 0 {
			return 0, fmt.Errorf("loopback %q: a frequency offset of %g Hz needs a sample rate (rate= or SetSampleRate)", p.name, offset)
		}
		n := s.apply(dst[:got], offset, rate)
		if s.im.throttle && rate > 0 {
			s.pacer.Rate = rate
			p.mu.Unlock()
			s.pacer.Wait(ctx, got)
			p.mu.Lock()
		}
		if n == 0 {
			continue // the whole read was dropped
		}
		s.c.AddSamples(n)
		return n, nil
	}
}

var (
	_ hardware.Source = (*source)(nil)
	_ hardware.Sink   = (*sink)(nil)
)
