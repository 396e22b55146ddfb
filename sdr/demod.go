package sdr

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Detector selects how the demodulator decides symbols.
type Detector int

const (
	// Coherent detection: the carrier phase is estimated from the slot's training
	// sequence and tracked through the slot by a decision-directed loop; each symbol
	// is detected against the decided previous symbol (coherent detection with
	// differential decoding). About 1.6 dB better than Differential on AWGN.
	Coherent Detector = iota
	// Differential detection: z(k) = r(k)·conj(r(k-1)), no carrier phase needed
	// (EN 300 392-2 clause 5 receiver of air-interface.md §2.1).
	Differential
)

// String returns "coherent" or "differential".
func (d Detector) String() string {
	switch d {
	case Coherent:
		return "coherent"
	case Differential:
		return "differential"
	}
	return fmt.Sprintf("Detector(%d)", int(d))
}

// ParseDetector accepts "coherent" or "differential".
func ParseDetector(s string) (Detector, error) {
	switch s {
	case "coherent":
		return Coherent, nil
	case "differential":
		return Differential, nil
	}
	return 0, fmt.Errorf("sdr: unknown detector %q (want coherent or differential)", s)
}

// Mode selects the burst structure the demodulator expects.
type Mode int

const (
	// Continuous downlink: slots of 255 symbols back to back with no gap (EN 300 392-2
	// clause 9.4.4.2, continuous downlink bursts). The demodulator acquires once,
	// then tracks slot after slot and emits every slot (a flywheel: a slot whose
	// training is not found is still emitted, with Training = -1).
	Continuous Mode = iota
	// Bursts: isolated bursts with silence between them (uplink, clause 9.4.4.2
	// normal and control uplink bursts). Every burst is acquired on its own from its
	// training sequence; frequency offset is estimated per burst within ±2 kHz.
	Bursts
)

// String returns "continuous" or "bursts".
func (m Mode) String() string {
	switch m {
	case Continuous:
		return "continuous"
	case Bursts:
		return "bursts"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// SyncPattern is a known bit sequence at a fixed place in the 510-bit slot: a
// training sequence of EN 300 392-2 clause 9.4.4.3 (n, p, q, x, y, the tails).
// sdr knows no sequence itself; the caller (sim/air) supplies them from radio.
type SyncPattern struct {
	Name      string // for diagnostics, e.g. "n"
	Bits      []byte // unpacked 0/1, first transmitted first; even length >= 2
	BitOffset int    // 0-based position of Bits[0] in the slot; even, Bits must fit in 510
}

// DemodConfig configures a Demodulator.
type DemodConfig struct {
	// SamplesPerSymbol is the input rate in samples per symbol (>= 2), so the input
	// is at SamplesPerSymbol × 18 000 S/s. Below 4 the matched filter interpolates to
	// 4 or 6 internally. For other rates use a Resampler or NewChannelFilter first.
	SamplesPerSymbol int
	Mode             Mode
	Detector         Detector
	// Training lists alternative training sequences: every slot carries exactly one
	// of them (for the continuous downlink: n at bit 244, p at bit 244, y at bit 214;
	// for the normal uplink burst: n or p at bit 254). At least one is required. The
	// index of the one found is reported in Slot.Training, and coherent detection
	// takes its phase reference from it.
	Training []SyncPattern
	// Fixed lists sequences present in every slot in addition (for the continuous
	// downlink the q bits: q11-q22 at bit 0 and q1-q10 at bit 500). Optional; they
	// strengthen slot synchronisation.
	Fixed []SyncPattern
	// MaxCFOHz is the coarse carrier-frequency search range ± [Hz] of the continuous
	// mode; 0 means 25 000. It is limited to half the input rate. In burst mode the
	// frequency offset of each burst is estimated within ±2 kHz.
	MaxCFOHz float64
	// OffsetHz (burst mode) is a known carrier offset [Hz], |OffsetHz| < half the
	// input rate, removed before the matched filter, e.g. the crystal error of the
	// receiving SDR measured on the downlink. The remaining offset of each burst
	// (within ±2 kHz) is estimated and corrected after the filter: 1.5 kHz left
	// costs about 0.3 dB. Continuous mode finds the offset itself and ignores this.
	OffsetHz float64
	//
	// BurstThreshold (burst mode) is the normalised training correlation, in (0, 1),
	// above which a burst is accepted; 0 means 0.6. The training of a burst must
	// also stand about 4-5 dB above the noise floor, which the demodulator tracks
	// in guard periods and empty slots (so Es/N0 must be above about 4 dB).
	BurstThreshold float64
}

// Slot is one demodulated timeslot.
type Slot struct {
	// Soft holds the 510 soft bits of the slot in transmission order (bit 0 is the
	// first bit of symbol 1): positive means 0, ±127 certain, 0 no information. The
	// value is about 4 × the log-likelihood ratio ln(P(0)/P(1)), clamped to ±127, from
	// the slot's own amplitude and noise estimates. Training bits are demodulated
	// like the others (not copied from the pattern), so they can be checked.
	Soft [SlotBits]int8
	// Training is the index in DemodConfig.Training of the sequence found, or -1 if
	// none correlated (the slot is then a flywheel guess).
	Training int
	// SyncScore is the normalised correlation with the training (and fixed)
	// sequences: about 1 for a clean signal, about 0 for noise.
	SyncScore float32
	// Index counts slot periods from the first slot emitted after New or Reset:
	// consecutive slots differ by 1; a re-acquisition after a loss of lock keeps
	// counting from the elapsed time, so lost slots show as a jump.
	Index int64
	// Sample is the input sample index (counted from New or Reset) at which the pulse
	// of the slot's first symbol peaks.
	Sample int64
	// CFOHz is the carrier frequency offset estimate [Hz] (received minus nominal).
	CFOHz float64
	// ClockPPM is the estimated sample-clock error [ppm]: positive when the input has
	// more samples per symbol than nominal.
	ClockPPM float64
	// EsN0dB is the estimated symbol-energy-to-noise ratio of the slot [dB].
	EsN0dB float32
}

// HardBits writes the hard decisions of soft bits (1 where soft < 0) to dst and
// returns len(soft). It panics if dst is shorter.
func HardBits(dst []byte, soft []int8) int {
	_ = dst[:len(soft)]
	for i, s := range soft {
		dst[i] = 0
		if s < 0 {
			dst[i] = 1
		}
	}
	return len(soft)
}

// softPerNat is the soft-bit scale: soft ≈ softPerNat × LLR.
const softPerNat = 4

// Demodulator turns π/4-DQPSK samples into slots of soft bits with real
// synchronisation. Continuous mode: coarse frequency acquisition by correlating
// the averaged power spectrum with the raised-cosine shape (±25 kHz), fine
// frequency by the fourth power of the differential products, Oerder–Meyr symbol
// timing with the clock error fitted over the acquisition block and then tracked
// slot by slot by a second-order loop (±1000 ppm), slot synchronisation by
// correlating the differential symbols with the training sequences over 8 slots,
// and per slot: coherent detection (phase referenced to the training, tracked by
// a decision-directed loop, then re-estimated in a ±24-symbol window with the
// local channel gain; soft output the exact a-posteriori LLRs of the
// differentially encoded dibits) or differential detection.
//
//	         +------- not found: slide one slot ------+
//	         v                                        |
//	[acquire: collect 8 slots, CFO search, timing, slot search] --found--> [track]
//	         ^                                                               |
//	         +------ moving average of the training score below 0.3 ---------+
//
// The zero value is not usable. Not safe for concurrent use.
type Demodulator struct {
	cfg      DemodConfig
	sps, spw int // input and working samples per symbol
	u        int // interpolation input -> working rate
	nco      *NCO
	mf       *Resampler
	mfDelay  float64 // matched-filter delay in working samples
	mfTaps   int
	pats     []cpat
	fixed    []cpat

	// acquisition
	raw     []complex64
	rawLen  int
	rawOff  int64 // input index of raw[0]
	inCount int64 // input samples consumed since New/Reset
	acqLen  int
	fft     *fourier.CmplxFFT
	nfft    int
	fbuf    []complex128
	psd     []float64
	tmpl    []float64 // raised-cosine power template, FFT order
	win     []float64
	asym    []complex64

	// tracking
	locked   bool
	y        []complex64 // matched-filter output at spw
	yLen     int
	yOff     int64 // absolute working index of y[0]
	yInBase  int64 // input index of working index 0 (before the filter delay)
	tStart   float64
	ts       float64
	omega    float64 // residual carrier rotation [rad/symbol]
	scoreAvg float64 // moving average of the slot training score

	// burst mode
	tSearch  float64 // working index where the next burst search window starts
	floor    float64 // noise floor: power per symbol between bursts
	firstSmp int64   // Sample of the first burst, -1 before it
	slipDir  int
	slipN    int
	index    int64
	lastIdx  int64
	lastSmp  int64
	emitted  bool
	chunk    []complex64
	clean    []complex64
	hist     []complex64 // ring of the last len(hist) input samples
	omTab    []complex64

	// per-slot scratch, symbols k = -extra .. SlotSymbols-1+extra
	r     []complex64
	d     []complex64
	psum  []complex128
	gh    []complex128 // local channel gain per symbol
	pwr   []float64
	cand  []float64
	gamma [][4]float64
	theta []float64
	adec  []int8
}

const (
	extra      = 3 // symbols extracted on each side of a slot
	acqSlots   = 8 // slots collected for acquisition
	rxSpan     = 8 // matched-filter span [symbols]
	inChunk    = 1024
	acqThresh  = 0.45 // mean training score over the acquisition block to lock
	acqWorst   = 0.2  // and the least score of any slot in it
	lossThresh = 0.3  // lock is lost when the score's moving average falls below
	noTraining = 0.2  // a slot scoring below has Training = -1
	smoothW    = 24   // half window of the coherent phase smoother [symbols]
	maxPPM     = 2000 // largest sample-clock error tracked [ppm]
)

// cpat is a compiled sync pattern.
type cpat struct {
	sym int         // slot symbol index (0-based) of the first dibit
	ref []complex64 // exp(j·Δφ_i·π/4) of each dibit
	cum []int       // cumulative phase, cum[0] = 0 for symbol sym-1, cum[i+1] after dibit i
}

func compile(p SyncPattern) (cpat, error) {
	if len(p.Bits) < 2 || len(p.Bits)%2 != 0 || p.BitOffset < 0 || p.BitOffset%2 != 0 || p.BitOffset+len(p.Bits) > SlotBits {
		return cpat{}, fmt.Errorf("sdr: sync pattern %q: need an even number of bits at an even offset within the %d-bit slot", p.Name, SlotBits)
	}
	c := cpat{sym: p.BitOffset / 2, cum: make([]int, len(p.Bits)/2+1)}
	for i := 0; i < len(p.Bits); i += 2 {
		if p.Bits[i] > 1 || p.Bits[i+1] > 1 {
			return cpat{}, fmt.Errorf("sdr: sync pattern %q: bits must be 0 or 1", p.Name)
		}
		dp := PhaseChange(p.Bits[i], p.Bits[i+1])
		c.ref = append(c.ref, constellation[dp&7])
		c.cum[i/2+1] = c.cum[i/2] + dp
	}
	return c, nil
}

// NewDemodulator returns a demodulator for cfg.
func NewDemodulator(cfg DemodConfig) (*Demodulator, error) {
	if cfg.SamplesPerSymbol < 2 {
		return nil, errors.New("sdr: demodulator needs SamplesPerSymbol >= 2")
	}
	if cfg.Detector != Coherent && cfg.Detector != Differential {
		return nil, errors.New("sdr: demodulator: unknown detector")
	}
	if cfg.Mode != Continuous && cfg.Mode != Bursts {
		return nil, errors.New("sdr: demodulator: unknown mode")
	}
	if math.IsNaN(cfg.OffsetHz) || math.Abs(cfg.OffsetHz) >= float64(cfg.SamplesPerSymbol*SymbolRate)/2 {
		return nil, errors.New("sdr: demodulator OffsetHz must be within half the input rate")
	}
	if cfg.BurstThreshold == 0 {
		cfg.BurstThreshold = 0.6
	}
	if !(cfg.BurstThreshold > 0 && cfg.BurstThreshold < 1) {
		return nil, errors.New("sdr: demodulator BurstThreshold must be in (0, 1)")
	}
	if len(cfg.Training) == 0 {
		return nil, errors.New("sdr: demodulator needs at least one training sequence")
	}
	if cfg.MaxCFOHz == 0 {
		cfg.MaxCFOHz = 25000
	}
	if !(cfg.MaxCFOHz > 0) {
		return nil, errors.New("sdr: demodulator MaxCFOHz must be >= 0")
	}
	d := &Demodulator{cfg: cfg, sps: cfg.SamplesPerSymbol}
	for _, p := range cfg.Training {
		c, err := compile(p)
		if err != nil {
			return nil, err
		}
		d.pats = append(d.pats, c)
	}
	for _, p := range cfg.Fixed {
		c, err := compile(p)
		if err != nil {
			return nil, err
		}
		d.fixed = append(d.fixed, c)
	}
	d.u = 1
	if d.sps < 4 {
		d.u = 2
	}
	d.spw = d.sps * d.u
	inRate := float64(d.sps * SymbolRate)
	var err error
	if d.nco, err = NewNCO(0, inRate); err != nil {
		return nil, err
	}
	h, err := RRCTaps(d.spw, rxSpan, Rolloff)
	if err != nil {
		return nil, err
	}
	if d.mf, err = NewRationalResampler(d.u, 1, h); err != nil {
		return nil, err
	}
	d.mfTaps = len(h)
	d.mfDelay = float64(len(h)-1) / 2

	d.acqLen = acqSlots * SlotSymbols * d.sps
	// Input history and raw buffer: acquisition block, one chunk, and what the
	// working buffer can hold beyond a slot start (see unlock).
	histLen := d.acqLen + 2*inChunk + 5*SlotSymbols*d.sps
	d.raw = make([]complex64, histLen)
	d.hist = make([]complex64, histLen)
	d.nfft = 64
	for float64(d.nfft) < inRate/300 {
		d.nfft *= 2
	}
	d.fft = fourier.NewCmplxFFT(d.nfft)
	d.fbuf = make([]complex128, d.nfft)
	d.psd = make([]float64, d.nfft)
	d.tmpl = make([]float64, d.nfft)
	d.win = make([]float64, d.nfft)
	for i := range d.win {
		d.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(d.nfft))
	}
	for i := range d.tmpl {
		f := d.fft.Freq(i) * inRate // FFT order, [-rate/2, rate/2)
		if f >= inRate/2 {
			f -= inRate
		}
		d.tmpl[i] = raisedCosine(math.Abs(f) / SymbolRate)
	}
	d.asym = make([]complex64, (d.acqLen*d.u)/d.spw+8)
	slotW := SlotSymbols * d.spw
	d.y = make([]complex64, d.acqLen*d.u+inChunk*d.u+3*slotW)
	d.chunk = make([]complex64, inChunk*d.u)
	d.clean = make([]complex64, inChunk)
	d.omTab = make([]complex64, d.spw)
	for i := range d.omTab {
		s, c := math.Sincos(-2 * math.Pi * float64(i) / float64(d.spw))
		d.omTab[i] = complex(float32(c), float32(s))
	}
	n := SlotSymbols + 2*extra
	d.r = make([]complex64, n)
	d.d = make([]complex64, n)
	d.psum = make([]complex128, n+1)
	d.gh = make([]complex128, n)
	d.pwr = make([]float64, 3*SlotSymbols+2*extra+2)
	d.cand = make([]float64, 2*SlotSymbols)
	d.gamma = make([][4]float64, n)
	d.theta = make([]float64, n)
	d.adec = make([]int8, n)
	d.Reset()
	return d, nil
}

// raisedCosine is the raised-cosine spectrum (|RRC|²) at frequency x = f/SymbolRate.
func raisedCosine(x float64) float64 {
	lo, hi := (1-Rolloff)/2, (1+Rolloff)/2
	switch {
	case x <= lo:
		return 1
	case x >= hi:
		return 0
	}
	return 0.5 * (1 + math.Cos(math.Pi/Rolloff*(x-lo)))
}

// Reset returns to acquisition and forgets all input.
func (d *Demodulator) Reset() {
	d.rawLen, d.rawOff, d.inCount = 0, 0, 0
	d.locked = false
	d.yLen, d.yOff = 0, 0
	d.slipDir, d.slipN, d.scoreAvg = 0, 0, 0
	d.index, d.lastIdx, d.lastSmp, d.emitted = 0, 0, 0, false
	d.nco.Reset()
	d.mf.Reset()
	if d.cfg.Mode == Bursts {
		if err := d.nco.SetFrequencyHz(-d.cfg.OffsetHz); err != nil {
			panic(err) // checked in NewDemodulator
		}
		d.locked = true // the working buffer is fed directly
		d.tSearch = float64(d.mfTaps + extra*d.spw)
		d.tStart = d.tSearch
		d.yInBase = 0
		d.floor = math.Inf(1)
		d.firstSmp = -1
	}
}

// Locked reports whether the demodulator is tracking slots (always true in burst
// mode, which acquires every burst on its own).
func (d *Demodulator) Locked() bool { return d.locked }

// OutLen returns the most slots Process can emit for n input samples, whatever the
// state: slots are at least 200 symbols apart (255, or 239 for bursts), counted
// over n plus everything the internal buffers can hold (after a loss of lock the
// input history is demodulated again).
func (d *Demodulator) OutLen(n int) int {
	return (n+len(d.hist)+len(d.y)/d.u)/(200*d.sps) + 4
}

// Process demodulates src and writes the completed slots to dst, returning their
// count, at most OutLen(len(src)); it panics if dst is shorter than that. Slots come
// out with a latency of about one slot (eight during acquisition). Successive calls
// behave as one call on the concatenated input. Samples that are NaN or infinite
// are taken as 0.
func (d *Demodulator) Process(dst []Slot, src []complex64) int {
	if len(dst) < d.OutLen(len(src)) {
		panic("sdr: Demodulator.Process: dst too short")
	}
	n := 0
	for len(src) > 0 {
		c := min(len(src), inChunk)
		in := src[:c]
		src = src[c:]
		if !finite(in) {
			for i, v := range in {
				if real(v)-real(v) != 0 || imag(v)-imag(v) != 0 {
					v = 0
				}
				d.clean[i] = v
			}
			in = d.clean[:c]
		}
		n = d.push(dst, n, in)
	}
	return n
}

// push takes one chunk of clean input (at most inChunk samples).
func (d *Demodulator) push(dst []Slot, n int, in []complex64) int {
	if d.cfg.Mode == Bursts {
		d.inCount += int64(len(in))
		d.feed(in)
		return d.burstSearch(dst, n)
	}
	d.record(in)
	if d.locked {
		d.feed(in)
		n = d.emit(dst, n)
	} else {
		copy(d.raw[d.rawLen:], in)
		d.rawLen += len(in)
	}
	// Acquisition, and after a lock the rest of the raw buffer; a loss of lock
	// refills the raw buffer from the history, so the loop goes on.
	for !d.locked && d.rawLen >= d.acqLen {
		if !d.acquire() {
			continue
		}
		end := d.rawLen
		for a := d.acqLen; a < end && d.locked; a += inChunk {
			d.feed(d.raw[a:min(a+inChunk, end)])
			n = d.emit(dst, n)
		}
		if d.locked {
			d.rawLen = 0
		}
	}
	return n
}

// emit demodulates every slot the working buffer holds.
func (d *Demodulator) emit(dst []Slot, n int) int {
	for d.locked && d.slotReady() {
		d.slot(&dst[n])
		n++
	}
	return n
}

// record keeps the input history needed to restart acquisition after a loss of lock.
func (d *Demodulator) record(in []complex64) {
	h := len(d.hist)
	p := int(d.inCount % int64(h))
	for len(in) > 0 {
		c := copy(d.hist[p:], in)
		in = in[c:]
		d.inCount += int64(c)
		p = 0
	}
}

// finite reports whether every sample is finite (no NaN or ±Inf part).
func finite(x []complex64) bool {
	var acc float32
	for _, v := range x {
		acc += (real(v) - real(v)) + (imag(v) - imag(v))
	}
	return acc == 0
}

// feed mixes and filters input samples into the working buffer.
func (d *Demodulator) feed(in []complex64) {
	need := len(in) * d.u
	if d.yLen+need > len(d.y) {
		keep := int64(math.Floor(d.tStart)) - int64(extra+4)*int64(d.spw) - d.yOff
		if keep > 0 {
			copy(d.y, d.y[keep:d.yLen])
			d.yLen -= int(keep)
			d.yOff += keep
		}
		if d.yLen+need > len(d.y) {
			panic("sdr: Demodulator: internal buffer overflow")
		}
	}
	tmp := d.chunk[:len(in)]
	d.nco.Process(tmp, in)
	d.yLen += d.mf.Process(d.y[d.yLen:], tmp)
}

func (d *Demodulator) slotReady() bool {
	end := d.tStart + float64(SlotSymbols+extra)*d.ts + 3
	return end < float64(d.yOff+int64(d.yLen))
}

// interp returns the working-rate signal at absolute time t by cubic Lagrange
// interpolation.
func (d *Demodulator) interp(t float64) complex64 {
	fi := math.Floor(t)
	i := int(int64(fi) - d.yOff)
	mu := float32(t - fi)
	y := d.y[i-1 : i+3 : i+3]
	cm1 := -mu * (mu - 1) * (mu - 2) / 6
	c0 := (mu + 1) * (mu - 1) * (mu - 2) / 2
	c1 := -(mu + 1) * mu * (mu - 2) / 2
	c2 := (mu + 1) * mu * (mu - 1) / 6
	return complex(cm1*real(y[0])+c0*real(y[1])+c1*real(y[2])+c2*real(y[3]),
		cm1*imag(y[0])+c0*imag(y[1])+c1*imag(y[2])+c2*imag(y[3]))
}

// omTiming returns the Oerder–Meyr timing phase [working samples, in [0, spw)] of
// y[a:b] (indices relative to y), with its magnitude.
func (d *Demodulator) omTiming(a, b int, base int64) (float64, float64) {
	var z complex64
	spw := d.spw
	q := int((base + int64(a)) % int64(spw))
	for _, v := range d.y[a:b] {
		p := real(v)*real(v) + imag(v)*imag(v)
		z += complex(p, 0) * d.omTab[q]
		q++
		if q == spw {
			q = 0
		}
	}
	ph := -cmplx.Phase(complex128(z)) / (2 * math.Pi) * float64(spw)
	if ph < 0 {
		ph += float64(spw)
	}
	return ph, cmplx.Abs(complex128(z))
}

// fourthPower returns the residual carrier rotation [rad/symbol] from differential
// products: arg Σ (d·e^{-jπ/4})⁴/|d|² / 4, unambiguous within ±π/4 (±2.25 kHz).
func fourthPower(ds []complex64) float64 {
	var acc complex128
	rot := complex128(constellation[7]) // e^{-jπ/4}
	for _, v := range ds {
		x := complex128(v) * rot
		x2 := x * x
		m := real(x)*real(x) + imag(x)*imag(x)
		if m > 0 {
			acc += x2 * x2 / complex(m, 0)
		}
	}
	return cmplx.Phase(acc) / 4
}

// patScore returns the real correlation of differential products ds (index i is
// slot symbol i - off) with pattern c shifted by delta symbols, and the sum of
// magnitudes over the same symbols.
func patScore(ds []complex64, off int, c *cpat, delta int) (float64, float64) {
	var acc complex64
	var mag float32
	for i, ref := range c.ref {
		v := ds[c.sym+i+delta+off]
		acc += v * complex(real(ref), -imag(ref))
		mag += float32(math.Sqrt(float64(real(v)*real(v) + imag(v)*imag(v))))
	}
	return float64(real(acc)), float64(mag)
}

// score returns the best training index and the normalised score at shift delta
// for the differential products ds (index i = slot symbol i - off).
func (d *Demodulator) score(ds []complex64, off, delta int) (int, float64) {
	var fa, fm float64
	for i := range d.fixed {
		a, m := patScore(ds, off, &d.fixed[i], delta)
		fa += a
		fm += m
	}
	best, bs := -1, math.Inf(-1)
	for i := range d.pats {
		a, m := patScore(ds, off, &d.pats[i], delta)
		s := (a + fa) / (m + fm + 1e-30)
		if s > bs {
			best, bs = i, s
		}
	}
	return best, bs
}

// acquire tries to find the signal in raw[:rawLen]. On success it locks and fills
// the working buffer; otherwise it drops the oldest slot of input.
func (d *Demodulator) acquire() bool {
	inRate := float64(d.sps * SymbolRate)
	cfo := d.coarseCFO(inRate)
	if math.IsNaN(cfo) || math.IsInf(cfo, 0) {
		cfo = 0
	}
	var tau, ts float64
	var k int
	for pass := 0; pass < 2; pass++ {
		d.restartFront(cfo)
		tau, ts, k = d.acqSymbols()
		if k < SlotSymbols+2*extra {
			break
		}
		for i := k - 1; i >= 1; i-- {
			d.asym[i] = d.asym[i] * conj(d.asym[i-1])
		}
		if w := fourthPower(d.asym[1:k]); !math.IsNaN(w) {
			cfo += w / (2 * math.Pi) * SymbolRate
		}
	}
	// symbols of the final pass, differentials in asym[1:k]
	bestO, bestS := -1, 0.0
	for o := 0; o < SlotSymbols; o++ {
		var sum float64
		cnt := 0
		worst := math.Inf(1)
		for j := -1; ; j++ {
			s0 := o + j*SlotSymbols
			if s0 >= k {
				break
			}
			if s0+d.minSym() < 1 || s0+d.maxSym() >= k {
				continue
			}
			_, s := d.score(d.asym[:k], s0, 0)
			sum += s
			worst = math.Min(worst, s)
			cnt++
		}
		// Every slot of the block must show the training, not only the average:
		// noise can give one large value at some offset.
		if cnt >= 2 && worst >= acqWorst && sum/float64(cnt) > bestS {
			bestO, bestS = o, sum/float64(cnt)
		}
	}
	if bestO < 0 || bestS < acqThresh {
		drop := SlotSymbols * d.sps
		copy(d.raw, d.raw[drop:d.rawLen])
		d.rawLen -= drop
		d.rawOff += int64(drop)
		return false
	}
	// lock: the working buffer holds the whole acquisition block
	t := tau + float64(bestO)*ts
	for t-float64(extra+1)*ts < float64(d.mfTaps) {
		t += float64(SlotSymbols) * ts
	}
	d.tStart = t
	d.ts = ts
	d.omega = 0
	d.locked = true
	d.slipDir, d.slipN = 0, 0
	d.scoreAvg = bestS
	return true
}

func (d *Demodulator) minSym() int {
	m := SlotSymbols
	for _, ps := range [2][]cpat{d.pats, d.fixed} {
		for _, c := range ps {
			m = min(m, c.sym-1)
		}
	}
	return m
}

func (d *Demodulator) maxSym() int {
	m := 0
	for _, ps := range [2][]cpat{d.pats, d.fixed} {
		for _, c := range ps {
			m = max(m, c.sym+len(c.ref)+1)
		}
	}
	return m
}

// restartFront mixes raw[:rawLen] by -cfo and matched-filters it into y from scratch.
func (d *Demodulator) restartFront(cfo float64) {
	d.nco.Reset()
	if err := d.nco.SetFrequencyHz(-wrapHz(cfo, float64(d.sps*SymbolRate))); err != nil {
		panic(err)
	}
	d.mf.Reset()
	d.yLen, d.yOff = 0, 0
	d.yInBase = d.rawOff
	for a := 0; a < d.acqLen; a += inChunk {
		d.feed(d.raw[a:min(a+inChunk, d.acqLen)])
	}
}

func wrapHz(f, rate float64) float64 {
	f = math.Mod(f, rate)
	if f >= rate/2 {
		f -= rate
	} else if f < -rate/2 {
		f += rate
	}
	if f >= rate/2 {
		f = -rate / 2
	}
	return f
}

// acqSymbols estimates timing on the whole working buffer and extracts symbols into
// asym; it returns the timing of asym[0] (absolute working index) and the count.
func (d *Demodulator) acqSymbols() (float64, float64, int) {
	// Oerder–Meyr phase per slot-long block, unwrapped, and a least-squares line
	// through them: its slope is the sample-clock error ε, so symbols are
	// spw·(1+ε) apart.
	spw := float64(d.spw)
	blk := SlotSymbols * d.spw
	var sx, sy, sxx, sxy float64
	nb := 0
	prev := 0.0
	for a := d.mfTaps; a+blk <= d.yLen; a += blk {
		ph, _ := d.omTiming(a, a+blk, d.yOff)
		if nb > 0 {
			ph = prev + math.Remainder(ph-prev, spw)
		}
		prev = ph
		x := float64(a) + float64(blk)/2
		sx += x
		sy += ph
		sxx += x * x
		sxy += x * ph
		nb++
	}
	eps := 0.0
	ph0 := prev
	if nb >= 3 {
		nf := float64(nb)
		eps = (nf*sxy - sx*sy) / (nf*sxx - sx*sx)
		if math.IsNaN(eps) || math.Abs(eps) > maxPPM*1e-6 {
			eps = 0
		}
		ph0 = (sy - eps*sx) / nf // phase line at sample 0
	}
	if math.IsNaN(ph0) {
		ph0 = 0
	}
	a := float64(d.mfTaps)
	// first symbol at or after a+spw whose phase lies on the line
	t := a + spw + math.Mod(ph0+eps*(a+spw)-math.Mod(a+spw, spw)+2*spw, spw)
	ts := spw * (1 + eps)
	k := 0
	for ; k < len(d.asym) && t+float64(k)*ts+3 < float64(d.yLen); k++ {
		d.asym[k] = d.interp(t + float64(k)*ts)
	}
	return t, ts, k
}

// coarseCFO estimates the carrier offset from the averaged power spectrum of raw by
// circular correlation with the raised-cosine template, within ±MaxCFOHz.
func (d *Demodulator) coarseCFO(inRate float64) float64 {
	n := d.nfft
	clear(d.psd)
	for s := 0; s+n <= d.acqLen; s += n / 2 {
		for i := 0; i < n; i++ {
			d.fbuf[i] = complex128(d.raw[s+i]) * complex(d.win[i], 0)
		}
		d.fft.Coefficients(d.fbuf, d.fbuf)
		for i, v := range d.fbuf {
			d.psd[i] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	bin := inRate / float64(n)
	maxB := int(math.Min(d.cfg.MaxCFOHz, inRate/2) / bin)
	if maxB >= n/2 {
		maxB = n/2 - 1
	}
	corr := func(sh int) float64 {
		var c float64
		for i, t := range d.tmpl {
			if t != 0 {
				c += t * d.psd[((i+sh)%n+n)%n]
			}
		}
		return c
	}
	best, bv := 0, math.Inf(-1)
	for sh := -maxB; sh <= maxB; sh++ {
		if c := corr(sh); c > bv {
			best, bv = sh, c
		}
	}
	cm, cp := corr(best-1), corr(best+1)
	frac := 0.0
	if den := cm - 2*bv + cp; den < 0 {
		frac = 0.5 * (cm - cp) / den
	}
	return (float64(best) + frac) * bin
}

func conj(v complex64) complex64 { return complex(real(v), -imag(v)) }

// slot demodulates the slot starting at tStart into s and advances.
func (d *Demodulator) slot(s *Slot) {
	spw := float64(d.spw)
	// Timing: Oerder–Meyr over the slot, second-order loop.
	a := int(int64(math.Floor(d.tStart)) - d.yOff)
	b := int(int64(math.Floor(d.tStart+float64(SlotSymbols)*d.ts)) - d.yOff)
	ph, _ := d.omTiming(a, b, d.yOff)
	mid := d.tStart + float64(SlotSymbols/2)*d.ts
	e := math.Mod(ph-math.Mod(mid, spw)+1.5*spw, spw) - spw/2
	if math.IsNaN(e) {
		e = 0 // no signal energy at all
	}
	d.tStart += 0.4 * e
	d.ts += 0.08 * e / SlotSymbols
	d.ts = math.Min(math.Max(d.ts, spw*(1-maxPPM*1e-6)), spw*(1+maxPPM*1e-6))

	d.extract()
	// Differential detection: residual frequency from the fourth power of the whole
	// slot, smoothed across slots (coherent detection uses its phase slope).
	if d.cfg.Detector == Differential {
		d.addOmega(0.25 * fourthPower(d.d[extra:extra+SlotSymbols]))
	}

	// Slot synchronisation check and slip detection.
	tr, sc := d.score(d.d, extra, 0)
	bestD, bestDS := 0, sc
	for _, dl := range [2]int{-1, 1} {
		if _, s2 := d.score(d.d, extra, dl); s2 > bestDS+0.15 {
			bestD, bestDS = dl, s2
		}
	}
	s.SyncScore = float32(sc)
	s.Training = tr
	if sc < noTraining {
		s.Training = -1
	}

	if d.cfg.Detector == Coherent {
		d.coherent(s, &d.pats[tr])
	} else {
		d.differential(s)
	}

	// Bookkeeping.
	inRate := float64(d.sps * SymbolRate)
	smp := d.yInBase + int64(math.Round((d.tStart-d.mfDelay)/float64(d.u)))
	if !d.emitted {
		d.index = 0
		d.emitted = true
	} else {
		per := float64(SlotSymbols*d.sps) * d.ts / spw
		d.index = d.lastIdx + int64(math.Round(float64(smp-d.lastSmp)/per))
	}
	d.lastIdx, d.lastSmp = d.index, smp
	s.Index = d.index
	s.Sample = smp
	s.CFOHz = -d.nco.FrequencyHz() + d.omega/(2*math.Pi)*SymbolRate
	if s.CFOHz > inRate/2 {
		s.CFOHz -= inRate
	}
	s.ClockPPM = (d.ts/spw - 1) * 1e6

	if bestD != 0 && bestD == d.slipDir {
		d.slipN++
	} else {
		d.slipDir, d.slipN = bestD, 0
		if bestD != 0 {
			d.slipN = 1
		}
	}
	if d.slipN >= 2 {
		d.tStart += float64(d.slipDir) * d.ts
		d.slipDir, d.slipN = 0, 0
	}
	d.scoreAvg = 0.85*d.scoreAvg + 0.15*sc
	d.tStart += float64(SlotSymbols) * d.ts
	if d.scoreAvg < lossThresh {
		d.unlock()
	}
}

// extract interpolates the symbols k = -extra .. 254+extra of the slot at tStart
// (spacing ts) into r, derotated by the residual carrier omega, and their
// differential products into d.
func (d *Demodulator) extract() {
	n := len(d.r)
	rot := cmplx.Rect(1, -d.omega)
	ph0 := cmplx.Rect(1, d.omega*extra)
	for i := 0; i < n; i++ {
		d.r[i] = d.interp(d.tStart+float64(i-extra)*d.ts) * complex64(ph0)
		ph0 *= rot
	}
	d.d[0] = 0
	for i := 1; i < n; i++ {
		d.d[i] = d.r[i] * conj(d.r[i-1])
	}
}

// addOmega corrects the residual carrier rotation, keeping it within ±π/4 per
// symbol (the range of the fourth-power estimator).
func (d *Demodulator) addOmega(x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return
	}
	d.omega = math.Max(-math.Pi/4, math.Min(math.Pi/4, d.omega+x))
}

// unlock returns to acquisition, restarting from the input sample where the next
// slot would have begun (so the result does not depend on how the input was chunked).
func (d *Demodulator) unlock() {
	d.locked = false
	h := int64(len(d.hist))
	start := d.yInBase + int64(math.Floor((d.tStart-d.mfDelay)/float64(d.u)))
	start = max(start, d.inCount-h, d.inCount-int64(len(d.raw)), 0)
	start = min(start, d.inCount)
	d.rawLen = int(d.inCount - start)
	d.rawOff = start
	for i := 0; i < d.rawLen; i++ {
		d.raw[i] = d.hist[(start+int64(i))%h]
	}
}

// softBits writes the soft bits of symbol k from the decision variable v ≈ m·e^{jΔφ}
// with per-slot scale: LLR = 2√2·m·c/N, c = Im v (first bit) or Re v (second bit).
func softBits(dst []int8, v complex64, scale float32) {
	dst[0] = clamp8(imag(v) * scale)
	dst[1] = clamp8(real(v) * scale)
}

// clamp8 rounds a soft value to int8 within ±127, keeping the sign of any nonzero
// value (±1 at least): 0 stays reserved for "no information".
func clamp8(x float32) int8 {
	switch {
	case x >= 127:
		return 127
	case x <= -127:
		return -127
	case x > 0 && x < 1:
		return 1
	case x < 0 && x > -1:
		return -1
	}
	return int8(math.Round(float64(x)))
}

// coherent detects the slot against a carrier phase referenced to training c and
// tracked forward and backward from it by a decision-directed loop.
func (d *Demodulator) coherent(s *Slot, c *cpat) {
	const alpha, beta = 0.1, 0.003
	r, th, ad := d.r, d.theta, d.adec
	i0 := c.sym - 1 + extra // reference symbol index in r
	var acc complex128
	for i, cu := range c.cum {
		acc += complex128(r[i0+i]) * complex128(conj(constellation[cu&7]))
	}
	psi := cmplx.Phase(acc)
	n := len(r)
	known := func(i int) (int, bool) {
		if j := i - i0; j >= 0 && j < len(c.cum) {
			return c.cum[j] & 7, true
		}
		return 0, false
	}
	// decide picks the nearest allowed phase a for symbol i derotated by rot =
	// e^{-jθ}, or the known one in the training, and returns it with the phase error
	// sin(arg(r·rot) - aπ/4). Symbols alternate between the even and odd phases.
	decide := func(i int, rot complex128) (int, float64) {
		v := complex128(r[i]) * rot
		par := ((i-i0)%2 + 2) % 2
		a, ok := known(i)
		if !ok {
			w := v * complex128(conj(constellation[par])) // near 1, j, -1 or -j
			var m int
			if math.Abs(real(w)) >= math.Abs(imag(w)) {
				if real(w) < 0 {
					m = 2
				}
			} else if imag(w) >= 0 {
				m = 1
			} else {
				m = 3
			}
			a = (par + 2*m) & 7
		}
		u := v * complex128(conj(constellation[a]))
		mag := math.Hypot(real(u), imag(u))
		if mag == 0 {
			return a, 0
		}
		return a, imag(u) / mag
	}
	// forward
	theta, w := psi, 0.0
	for i := i0; i < n; i++ {
		th[i] = theta
		a, e := decide(i, cmplx.Rect(1, -theta))
		ad[i] = int8(a)
		w += beta * e
		theta += w + alpha*e
	}
	// backward
	theta, w = psi, 0
	for i := i0; i >= 0; i-- {
		if i < i0 {
			th[i] = theta
			a, e := decide(i, cmplx.Rect(1, -theta))
			ad[i] = int8(a)
			w += beta * e
			theta += w + alpha*e
		} else {
			_, e := decide(i, cmplx.Rect(1, -theta))
			w += beta * e
			theta += w + alpha*e
		}
	}
	// Second pass: the carrier phase of symbol k is re-estimated from the decisions
	// of the first pass in a symmetric window of ±smoothW symbols, which is unbiased
	// under a small residual frequency error, and the symbols are decided again.
	// A cycle slip of the first pass only relabels the symbols after it, which the
	// differential decoding turns into a single dibit error.
	ps := d.psum
	ps[0] = 0
	for i := 0; i < n; i++ {
		ps[i+1] = ps[i] + complex128(r[i])*complex128(conj(constellation[ad[i]]))
	}
	for i := 0; i < n; i++ {
		z := ps[min(n, i+smoothW+1)] - ps[max(0, i-smoothW)]
		th[i] = cmplx.Phase(z)
		rot := complex(1, 0)
		if m := math.Hypot(real(z), imag(z)); m > 0 {
			rot = cmplx.Conj(z) / complex(m, 0)
		}
		a, _ := decide(i, rot)
		ad[i] = int8(a)
	}
	// Residual frequency from the phase slope over the slot (data-aided).
	var sx, sy, sxx, sxy float64
	prev, un := th[0], th[0]
	for i := 0; i < n; i++ {
		un += math.Remainder(th[i]-prev, 2*math.Pi)
		prev = th[i]
		x := float64(i)
		sx += x
		sy += un
		sxx += x * x
		sxy += x * un
	}
	nf := float64(n)
	sg := 0.5 // continuous: smoothed across slots
	if d.cfg.Mode == Bursts {
		sg = 1 // one burst: take its own estimate
	}
	d.addOmega(sg * (nf*sxy - sx*sy) / (nf*sxx - sx*sx))
	// Local complex channel gain ĝ(k) (amplitude and phase, from the same window)
	// and the noise: under fading the gain changes within the slot, and using it
	// per symbol keeps deep-fade symbols from looking like noise.
	n0, es := d.localChannel(ad)
	s.EsN0dB = float32(10 * math.Log10(es/n0))
	// Soft output. The absolute phases a(k) of differentially encoded i.i.d. dibits
	// are themselves i.i.d. over their four points, so the a-posteriori LLR of the
	// dibit of symbol k needs only symbols k-1 and k:
	//
	//	L(b) = ln Σ_{a',a: b=0} e^{γ(k-1,a') + γ(k,a)} - ln Σ_{a',a: b=1} e^{…},
	//	γ(k,a) = 2·Re(r(k)·conj(ĝ(k))·e^{-jaπ/4})/N0
	//
	// with ĝ(k) the local channel gain and N0 the slot's noise estimate. Known
	// training symbols have their phase fixed. Hard decisions from L are those of
	// coherent detection with differential decoding, or better.
	g := 2 / n0
	gm := d.gamma
	for i := range gm {
		par := ((i-i0)%2 + 2) % 2
		u := complex128(r[i]) * cmplx.Conj(d.gh[i])
		ka, isK := known(i)
		for st := 0; st < 4; st++ {
			a := par + 2*st
			c := constellation[a]
			v := g * (real(u)*float64(real(c)) + imag(u)*float64(imag(c)))
			if isK && a != ka {
				v = math.Inf(-1)
			}
			gm[i][st] = v
		}
	}
	for k := 0; k < SlotSymbols; k++ {
		i := k + extra
		l1, l2 := dibitLLR(&gm[i-1], &gm[i], ((i-1-i0)%2+2)%2)
		s.Soft[2*k] = clamp8(float32(softPerNat * l1))
		s.Soft[2*k+1] = clamp8(float32(softPerNat * l2))
	}
}

// dibitLLR returns the LLRs (ln P(0)/P(1)) of the two bits of the phase change
// from a symbol with state metrics prev (phases par+2m) to one with metrics cur
// (phases (par+1 mod 2)+2m), exactly:
//
//	P(Δ) ∝ Σ_m' e^{prev[m']}·e^{cur[m(m', Δ)]}
//
// with the metrics shifted by their maxima so that the exponentials lie in [0, 1].
func dibitLLR(prev, cur *[4]float64, par int) (float64, float64) {
	var ep, ec [4]float64
	mp := math.Max(math.Max(prev[0], prev[1]), math.Max(prev[2], prev[3]))
	mc := math.Max(math.Max(cur[0], cur[1]), math.Max(cur[2], cur[3]))
	if math.IsInf(mp, -1) || math.IsInf(mc, -1) {
		return 0, 0
	}
	for i := range ep {
		ep[i] = math.Exp(prev[i] - mp)
		ec[i] = math.Exp(cur[i] - mc)
	}
	var pd [4]float64 // by dibit b1<<1|b2
	pc := (par + 1) & 1
	for sp, a := range ep {
		for sc, b := range ec {
			delta := (pc + 2*sc - (par + 2*sp)) & 7 // 1, 3, 5 (-3) or 7 (-1)
			pd[dibitOf[delta]] += a * b
		}
	}
	l1 := math.Log((pd[0] + pd[1]) / (pd[2] + pd[3]))
	l2 := math.Log((pd[0] + pd[2]) / (pd[1] + pd[3]))
	if math.IsNaN(l1) {
		l1 = 0
	}
	if math.IsNaN(l2) {
		l2 = 0
	}
	return l1, l2
}

// dibitOf maps a phase change in units of π/4 (mod 8) to its dibit b1<<1|b2,
// the inverse of the table of EN 300 392-2 clause 5.
var dibitOf = [8]int{1: 0, 3: 1, 7: 2, 5: 3}

// differential detects z(k) = r(k)·conj(r(k-1)).
func (d *Demodulator) differential(s *Slot) {
	// Absolute phase labels from the differential decisions, for the noise
	// estimate through the local channel gain (robust to fading).
	ad := d.adec
	ad[0] = 0
	for i := 1; i < len(ad); i++ {
		v := d.d[i]
		dp := 1
		switch {
		case imag(v) >= 0 && real(v) < 0:
			dp = 3
		case imag(v) < 0 && real(v) >= 0:
			dp = 7
		case imag(v) < 0:
			dp = 5
		}
		ad[i] = int8((int(ad[i-1]) + dp) & 7)
	}
	n0, es := d.localChannel(ad)
	s.EsN0dB = float32(10 * math.Log10(es/n0))
	// z = A²·e^{jΔφ} + noise of variance ≈ 2A²·N0: LLR = √2·c/N0 for c = Im z or
	// Re z, whatever the (fading) amplitude A.
	scale := float32(softPerNat * math.Sqrt2 / n0)
	for k, v := range d.d[extra : extra+SlotSymbols] {
		softBits(s.Soft[2*k:], v, scale)
	}
}

// localChannel estimates the complex channel gain ĝ(i) of every symbol as the mean
// of r·e^{-jaπ/4} over ±smoothW symbols (labels a), into gh, and returns the noise
// variance N0 = mean |r - ĝ·e^{jaπ/4}|² and the mean |ĝ|² over the slot.
func (d *Demodulator) localChannel(ad []int8) (n0, es float64) {
	r, n := d.r, len(d.r)
	ps := d.psum
	ps[0] = 0
	for i := 0; i < n; i++ {
		ps[i+1] = ps[i] + complex128(r[i])*complex128(conj(constellation[ad[i]]))
	}
	for i := 0; i < n; i++ {
		lo, hi := max(0, i-smoothW), min(n, i+smoothW+1)
		d.gh[i] = (ps[hi] - ps[lo]) / complex(float64(hi-lo), 0)
	}
	for i := extra; i < extra+SlotSymbols; i++ {
		e := complex128(r[i]) - d.gh[i]*complex128(constellation[ad[i]])
		n0 += real(e)*real(e) + imag(e)*imag(e)
		es += real(d.gh[i])*real(d.gh[i]) + imag(d.gh[i])*imag(d.gh[i])
	}
	// the window includes the symbol itself: scale the residual up by W/(W-1)
	w := float64(2*smoothW + 1)
	n0 = n0/SlotSymbols*w/(w-1) + 1e-30
	return n0, es / SlotSymbols
}

// burstSearch looks for bursts in windows of the working buffer: every slot start in
// the next 1.5 slots is a candidate; the best candidate above the threshold is
// demodulated into dst (two if they are a slot apart) and the search goes on 16
// symbols before the end of the last.
func (d *Demodulator) burstSearch(dst []Slot, n int) int {
	spw := float64(d.spw)
	// candidates o in [0, span): a burst that starts late in the span competes with
	// random-data alignments of the bursts before it, and the best wins
	const span = SlotSymbols + SlotSymbols/2
	const win = span + SlotSymbols + 2*extra + 2
	for {
		if d.tSearch+float64(win+2)*spw+4 >= float64(d.yOff+int64(d.yLen)) {
			return n
		}
		d.tStart = d.tSearch // keeps the search window in the buffer (see feed)
		a := int(int64(math.Floor(d.tSearch)) - d.yOff)
		ph, _ := d.omTiming(a, a+(win-2*extra)*d.spw, d.yOff)
		t0 := d.tSearch + math.Mod(ph-math.Mod(d.tSearch, spw)+2*spw, spw)
		// symbols j = 0..win-1 at t0 + (j - extra)·spw
		sy := d.asym[:win]
		for j := range sy {
			sy[j] = d.interp(t0 + float64(j-extra)*spw)
		}
		// Noise floor: the quietest block of 8 symbols (guard periods and empty
		// slots), tracked as a slowly rising minimum. For noise alone it sits at
		// about 0.45 of the noise power (the minimum of 64 χ²₁₆/16 values), so the
		// training of a burst must be burstSNR times above it.
		q := math.Inf(1)
		for b := 0; b+8 <= win; b += 8 {
			var p float64
			for _, v := range sy[b : b+8] {
				p += float64(real(v)*real(v) + imag(v)*imag(v))
			}
			q = math.Min(q, p/8)
		}
		d.floor = math.Min(d.floor*1.05, q)
		// differential products (in place, from the end), derotated by the window's
		// fourth-power frequency estimate
		pw := d.psumBuf(win)
		for j := range sy {
			pw[j] = float64(real(sy[j])*real(sy[j]) + imag(sy[j])*imag(sy[j]))
		}
		for j := win - 1; j >= 1; j-- {
			sy[j] *= conj(sy[j-1])
		}
		sy[0] = 0
		w := fourthPower(sy[1:])
		if math.IsNaN(w) {
			w = 0
		}
		rot := complex64(cmplx.Rect(1, -w))
		for j := range sy {
			sy[j] *= rot
		}
		// Candidates above the threshold and the noise floor; the best one wins, and
		// the best at least 239 symbols away from it too (non-maximum suppression),
		// since the span may hold two bursts.
		sc := d.cand[:span]
		for o := range sc {
			sc[o] = math.Inf(-1)
			v := d.burstScore(sy, pw, o+extra)
			if v < d.cfg.BurstThreshold {
				continue
			}
			// energy over the training and fixed symbols against the noise floor
			var e float64
			cnt := 0
			for _, ps := range [2][]cpat{d.pats, d.fixed} {
				for _, c := range ps {
					for i := range c.ref {
						e += pw[o+extra+c.sym+i]
						cnt++
					}
				}
			}
			if e/float64(max(cnt, 1)) >= burstSNR*d.floor {
				sc[o] = v
			}
		}
		o1 := argmax(sc)
		if math.IsInf(sc[o1], -1) {
			d.tSearch += float64(span) * spw
			continue
		}
		o2 := -1
		for o, v := range sc {
			if (o <= o1-burstMin || o >= o1+burstMin) && !math.IsInf(v, -1) && (o2 < 0 || v > sc[o2]) {
				o2 = o
			}
		}
		first, last := o1, o1
		if o2 >= 0 {
			first, last = min(o1, o2), max(o1, o2)
		}
		d.burst(&dst[n], t0+float64(first)*spw)
		n++
		if last != first {
			d.burst(&dst[n], t0+float64(last)*spw)
			n++
		}
		d.tSearch = t0 + float64(last+burstMin)*spw
	}
}

// burstMin is the least spacing of two bursts [symbols]: a slot less the 16 guard
// symbols of an uplink burst.
const burstMin = SlotSymbols - 16

func argmax(x []float64) int {
	b := 0
	for i, v := range x {
		if v > x[b] {
			b = i
		}
	}
	return b
}

// burstScore is the training correlation of burst detection at slot offset off:
// like score, but normalised by √(N·Σ|d|²) (Cauchy–Schwarz), so that a few strong
// symbols of a neighbouring burst overlapping the pattern cannot score high; the
// best training alternative counts.
func (d *Demodulator) burstScore(ds []complex64, pw []float64, off int) float64 {
	var fa, fe float64
	fn := 0
	for _, c := range d.fixed {
		a, _ := patScore(ds, off, &c, 0)
		fa += a
		for i := range c.ref {
			fe += pw[off+c.sym+i] * pw[off+c.sym+i-1]
		}
		fn += len(c.ref)
	}
	best := math.Inf(-1)
	for _, c := range d.pats {
		a, _ := patScore(ds, off, &c, 0)
		e := fe
		for i := range c.ref {
			e += pw[off+c.sym+i] * pw[off+c.sym+i-1]
		}
		best = math.Max(best, (a+fa)/math.Sqrt(float64(fn+len(c.ref))*e+1e-300))
	}
	return best
}

// burstSNR is the power ratio over the tracked noise floor (the quietest block) a
// burst's training needs: 5, so about 2.3-3.5 times the mean noise power.
const burstSNR = 10

// psumBuf returns a float64 scratch of n values (reusing psum's storage).
func (d *Demodulator) psumBuf(n int) []float64 {
	if cap(d.pwr) < n {
		panic("sdr: Demodulator: scratch too small")
	}
	return d.pwr[:n]
}

// burst demodulates one burst whose slot starts (symbol 0 peak) near working
// time start: timing and frequency are estimated on the burst alone.
func (d *Demodulator) burst(s *Slot, start float64) {
	spw := float64(d.spw)
	a := int(int64(math.Floor(start)) - d.yOff)
	ph, _ := d.omTiming(a, a+SlotSymbols*d.spw, d.yOff)
	e := math.Mod(ph-math.Mod(start, spw)+1.5*spw, spw) - spw/2
	if !math.IsNaN(e) {
		start += e
	}
	d.tStart, d.ts, d.omega = start, spw, 0
	d.extract()
	d.addOmega(fourthPower(d.d[extra : extra+SlotSymbols]))
	d.extract()
	tr, sc := d.score(d.d, extra, 0)
	s.SyncScore = float32(sc)
	s.Training = tr
	if sc < noTraining {
		s.Training = -1
	}
	if d.cfg.Detector == Coherent {
		d.coherent(s, &d.pats[tr])
		om := d.omega
		d.extract()
		d.coherent(s, &d.pats[tr])
		d.omega = om
	} else {
		d.differential(s)
	}
	smp := d.yInBase + int64(math.Round((start-d.mfDelay)/float64(d.u)))
	if d.firstSmp < 0 {
		d.firstSmp = smp
	}
	s.Sample = smp
	s.Index = int64(math.Round(float64(smp-d.firstSmp) / float64(SlotSymbols*d.sps)))
	s.CFOHz = d.cfg.OffsetHz + d.omega/(2*math.Pi)*SymbolRate
	s.ClockPPM = 0
}
