package air

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/sdr"
)

// RxConfig configures a Receiver.
type RxConfig struct {
	// SampleRateHz is the input rate [S/s], >= 36 000.
	SampleRateHz float64
	// OffsetHz is the expected carrier offset from the centre [Hz].
	OffsetHz float64
	// SearchHz is the half-width of the carrier search around OffsetHz [Hz]:
	// the receiver finds the strongest 25 kHz channel there in the first
	// SearchSeconds of input. 0 means no search (the carrier is at OffsetHz,
	// within the demodulator's own frequency acquisition range); a negative
	// value searches the whole band the sample rate allows.
	SearchHz float64
	// SearchSeconds is the length of input the carrier search uses; 0 means 0.3 s.
	SearchSeconds float64
	// MaxCFOHz is the demodulator's frequency acquisition range ± [Hz] around
	// the carrier; 0 means 2 kHz after a carrier search, else the demodulator's
	// default (25 kHz, at most half the channel rate).
	MaxCFOHz float64
	// Detector selects coherent or differential detection.
	Detector sdr.Detector
	// Cell, if not nil, gives the scrambling code from the start; otherwise
	// the receiver learns it from the first SYNC.
	Cell *Cell
	// OnBlock is called for every decoded block (may be nil).
	OnBlock func(*RxBlock)
}

// Receiver is a monitoring receiver for a continuous TETRA downlink: it
// finds the carrier, mixes it to zero, filters and resamples the channel to
// 4 samples per symbol (72 kS/s), demodulates slots (sdr.Demodulator, locking
// on the training sequences of radio), and decodes them (SlotDecoder). It
// implements iq.Writer: write samples in any chunk sizes, then call Close.
// Not safe for concurrent use.
type Receiver struct {
	cfg   RxConfig
	dec   *SlotDecoder
	nco   *sdr.NCO
	chf   *sdr.Resampler
	demod *sdr.Demodulator
	sps   int

	searching bool
	search    []complex64
	carrierHz float64

	mix   []complex64
	filt  []complex64
	slots []sdr.Slot

	started  bool  // the lead-in has been fed
	demodIn  int64 // samples fed to the demodulator
	realIn   int64 // of which real input (not the flush padding)
	closed   bool
	dropped  int64 // slots beyond the end of the input, not decoded
	inputLen int64
}

var _ iq.Writer = (*Receiver)(nil)

const chunk = 8192

// NewReceiver returns a receiver for cfg.
func NewReceiver(cfg RxConfig) (*Receiver, error) {
	if cfg.SampleRateHz < 36000 {
		return nil, fmt.Errorf("air: input rate %.0f S/s below 36 kS/s", cfg.SampleRateHz)
	}
	if cfg.SearchSeconds == 0 {
		cfg.SearchSeconds = 0.3
	}
	if math.Abs(cfg.OffsetHz) >= cfg.SampleRateHz/2 {
		return nil, fmt.Errorf("air: offset %.0f Hz outside ±%.0f Hz", cfg.OffsetHz, cfg.SampleRateHz/2)
	}
	r := &Receiver{cfg: cfg, carrierHz: cfg.OffsetHz}
	r.dec = NewSlotDecoder(cfg.Cell, cfg.OnBlock)
	r.sps = 4
	if cfg.SampleRateHz == 36000 {
		r.sps = 2
	} else if cfg.SampleRateHz != 72000 {
		var err error
		if r.chf, err = sdr.NewChannelFilter(cfg.SampleRateHz, 72000); err != nil {
			return nil, err
		}
	}
	maxCFO := cfg.MaxCFOHz // 0: the demodulator's default
	if cfg.SearchHz != 0 {
		r.searching = true
		r.search = make([]complex64, 0, int(cfg.SearchSeconds*cfg.SampleRateHz))
		if maxCFO == 0 {
			maxCFO = 2000 // residual after the search
		}
	}
	var err error
	r.demod, err = sdr.NewDemodulator(sdr.DemodConfig{
		SamplesPerSymbol: r.sps, Mode: sdr.Continuous, Detector: cfg.Detector,
		Training: DLTraining(), Fixed: DLFixed(), MaxCFOHz: maxCFO,
	})
	if err != nil {
		return nil, err
	}
	if !r.searching {
		if err := r.tune(cfg.OffsetHz); err != nil {
			return nil, err
		}
	}
	r.mix = make([]complex64, chunk)
	nf := chunk
	if r.chf != nil {
		nf = int(math.Ceil(chunk*r.chf.Ratio())) + 16
	}
	r.filt = make([]complex64, nf)
	r.slots = make([]sdr.Slot, r.demod.OutLen(nf)+1)
	return r, nil
}

func (r *Receiver) tune(hz float64) error {
	r.carrierHz = hz
	r.dec.carrierHz = hz
	if hz == 0 {
		r.nco = nil
		return nil
	}
	var err error
	r.nco, err = sdr.NewNCO(-hz, r.cfg.SampleRateHz)
	return err
}

// CarrierHz returns the carrier offset in use: the search result, or OffsetHz.
func (r *Receiver) CarrierHz() float64 { return r.carrierHz }

// Decoder returns the slot decoder (for its statistics and state).
func (r *Receiver) Decoder() *SlotDecoder { return r.dec }

// Locked reports whether the demodulator tracks slots.
func (r *Receiver) Locked() bool { return r.demod.Locked() }

// Write processes src and calls OnBlock for the blocks it completes. It
// always consumes all of src.
func (r *Receiver) Write(src []complex64) (int, error) {
	if r.closed {
		return 0, fmt.Errorf("air: Receiver.Write after Close")
	}
	n := len(src)
	r.inputLen += int64(n)
	if r.searching {
		k := min(cap(r.search)-len(r.search), len(src))
		r.search = append(r.search, src[:k]...)
		src = src[k:]
		if len(r.search) < cap(r.search) {
			return n, nil
		}
		if err := r.endSearch(); err != nil {
			return n, err
		}
	}
	r.feed(src, true)
	return n, nil
}

// endSearch finds the carrier in the buffered samples and processes them.
func (r *Receiver) endSearch() error {
	r.searching = false
	span := r.cfg.SearchHz
	if span < 0 {
		span = r.cfg.SampleRateHz/2 - 12500
	}
	if f, ok := FindCarrier(r.search, r.cfg.SampleRateHz, r.cfg.OffsetHz, span); ok {
		if err := r.tune(f); err != nil {
			return err
		}
	} else if err := r.tune(r.cfg.OffsetHz); err != nil {
		return err
	}
	r.feed(r.search, true)
	r.search = nil
	return nil
}

// leadIn is the silence fed to the demodulator before the first sample, in
// symbols, so that a slot starting at the first input sample is complete.
const leadIn = 64

// feed mixes, filters and demodulates src in chunks.
func (r *Receiver) feed(src []complex64, real bool) {
	if !r.started {
		r.started = true
		z := make([]complex64, leadIn*r.sps)
		r.demodIn += int64(len(z))
		r.realIn = r.demodIn
		r.demodulate(z)
	}
	for len(src) > 0 {
		k := min(len(src), chunk)
		x := src[:k]
		src = src[k:]
		if r.nco != nil {
			r.nco.Process(r.mix[:k], x)
			x = r.mix[:k]
		}
		if r.chf != nil {
			m := r.chf.Process(r.filt, x)
			x = r.filt[:m]
		}
		r.demodIn += int64(len(x))
		if real {
			r.realIn = r.demodIn
		}
		r.demodulate(x)
	}
}

func (r *Receiver) demodulate(x []complex64) {
	{
		ns := r.demod.Process(r.slots, x)
		for i := range r.slots[:ns] {
			s := &r.slots[i]
			// A slot that ends after the real input was demodulated from the
			// flush padding: drop it.
			if s.Sample+int64(radio.SlotSymbols*r.sps)-int64(r.sps) > r.realIn {
				r.dropped++
				continue
			}
			r.dec.Decode(s)
		}
	}
}

// Close ends the stream: it runs a pending carrier search on what was
// received, pushes the last slot through the demodulator with padding, and
// drops the slots still waiting for a SYNC.
func (r *Receiver) Close() error {
	if r.closed {
		return nil
	}
	if r.searching && len(r.search) > 0 {
		if err := r.endSearch(); err != nil {
			return err
		}
	}
	r.closed = true
	pad := make([]complex64, int(2*r.cfg.SampleRateHz*radio.SlotSymbols/radio.SymbolRate))
	r.feed(pad, false)
	r.dec.Flush()
	return nil
}

// FindCarrier finds the centre of the strongest TETRA channel (about 24.3 kHz
// wide) within ±spanHz of centerHz in x, sampled at rateHz: it averages
// (up to 16) Hann-windowed periodograms with bins of at most 200 Hz and slides
// a 24 kHz box over them. It returns false if x is too short for one FFT.
func FindCarrier(x []complex64, rateHz, centerHz, spanHz float64) (float64, bool) {
	c := FindCarriers(x, rateHz, centerHz, spanHz, 1, math.Inf(-1))
	if len(c) == 0 {
		return 0, false
	}
	return c[0].Hz, true
}

// Carrier is a channel found by FindCarriers.
type Carrier struct {
	Hz    float64 // centre offset from the middle of the band [Hz]
	SNRdB float64 // channel power over the median channel power of the band [dB]
}

// FindCarriers finds up to maxCarriers TETRA channels within ±spanHz of centerHz in
// x, strongest first, at least 25 kHz apart, each at least minSNRdB above the
// median power of a 24 kHz channel in the searched band, or above a floor
// 60 dB below the strongest channel if that is higher (use 10 dB for a
// wideband capture; −Inf accepts the strongest whatever its level). A
// candidate must be the local maximum over ±12.5 kHz, so the skirts of a
// strong channel do not count.
func FindCarriers(x []complex64, rateHz, centerHz, spanHz float64, maxCarriers int, minSNRdB float64) []Carrier {
	n := 1
	for float64(n) < rateHz/200 {
		n <<= 1
	}
	n = max(n, 256)
	if len(x) < n || maxCarriers < 1 {
		return nil
	}
	fft := fourier.NewCmplxFFT(n)
	in := make([]complex128, n)
	out := make([]complex128, n)
	win := make([]float64, n)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	psd := make([]float64, n) // index 0 = −rate/2 after shifting
	count := 0
	for a := 0; a+n <= len(x) && count < 16; a += n {
		for i := range in {
			in[i] = complex128(x[a+i]) * complex(win[i], 0)
		}
		fft.Coefficients(out, in)
		for i, v := range out {
			k := (i + n/2) % n
			psd[k] += real(v)*real(v) + imag(v)*imag(v)
		}
		count++
	}
	bin := rateHz / float64(n)
	half := int(math.Round(12000 / bin))
	cum := make([]float64, n+1)
	for i, v := range psd {
		cum[i+1] = cum[i] + v
	}
	lo := max(int(math.Ceil((centerHz-spanHz)/bin))+n/2, half)
	hi := min(int(math.Floor((centerHz+spanHz)/bin))+n/2, n-1-half)
	if lo > hi {
		return nil
	}
	box := make([]float64, hi-lo+1)
	for k := lo; k <= hi; k++ {
		box[k-lo] = cum[k+half+1] - cum[k-half]
	}
	sorted := append([]float64(nil), box...)
	sort.Float64s(sorted)
	// The floor is the median channel power, but at most 60 dB below the
	// strongest channel: a clean synthetic capture has no noise, and its
	// filter images 70 dB down must not count as carriers.
	floor := math.Max(sorted[len(sorted)/2], sorted[len(sorted)-1]*1e-6)
	used := make([]bool, len(box))
	excl := int(math.Round(37500 / bin)) // a channel and its neighbours' skirts
	peak := int(math.Round(12500 / bin)) // a channel is a local maximum over ±12.5 kHz
	var found []Carrier
	for len(found) < maxCarriers {
		best, bestK := -1.0, -1
		for i, v := range box {
			if !used[i] && v > best {
				best, bestK = v, i+lo
			}
		}
		if bestK < 0 {
			break
		}
		snr := 10 * math.Log10(best/math.Max(floor, 1e-300))
		if snr < minSNRdB {
			break
		}
		i0 := bestK - lo
		isPeak := true
		for i := max(i0-peak, 0); i <= min(i0+peak, len(box)-1); i++ {
			if box[i] > best {
				isPeak = false // the skirt of a stronger channel
			}
		}
		if !isPeak {
			used[i0] = true
			continue
		}
		for i := max(bestK-lo-excl, 0); i <= min(bestK-lo+excl, len(box)-1); i++ {
			used[i] = true
		}
		// Refine: power-weighted mean frequency within the box.
		var sw, s float64
		for k := bestK - half; k <= bestK+half; k++ {
			sw += psd[k] * float64(k)
			s += psd[k]
		}
		c := float64(bestK)
		if s > 0 {
			c = sw / s
		}
		found = append(found, Carrier{Hz: (c - float64(n/2)) * bin, SNRdB: snr})
	}
	return found
}
