package sdr

import (
	"errors"
	"fmt"
	"math"
)

// Resampler changes the sample rate by a rational factor L/M with a polyphase FIR
// (exact rational mode), or by an arbitrary factor with a 256-phase bank and linear
// interpolation between neighbouring phases (arbitrary mode). Output m is taken at
// input time m·M/L (rational) or m·inRate/outRate (arbitrary):
//
//	y[m] = Σ_k h[p_m + k·L]·x[n_m - k],  n_m = ⌊m·M/L⌋, p_m = m·M mod L
//
// where h is the prototype low-pass at L times the input rate, scaled by L so the
// passband gain is 1. Not safe for concurrent use; the zero value is not usable.
type Resampler struct {
	l, m  int       // rational: interpolation and decimation; arbitrary: l = phases, m = 0
	k     int       // taps per phase
	bank  []float32 // (l+1) phases × k taps, each phase reversed for dotCR
	buf   []complex64
	fill  int   // valid samples in buf (history + pending input)
	nextN int64 // input index, relative to buf[0], of the next output's newest sample
	nextP int   // rational: phase of the next output (0..l-1)
	frac  uint64
	step  uint64      // arbitrary: input samples per output, 32.32 fixed point
	hist  int         // k-1
	sym   bool        // integer decimation with symmetric taps: use dotCRSym
	steps []phaseStep // rational: what follows an output at phase p
}

// phaseStep precomputes the rational resampler's phase sequence: after an output
// at phase p the next one uses phase next and a window adv input samples later
// (p + M = adv·L + next), so the hot loop needs no division. A phase whose taps,
// without the zeros at either end, are symmetric (with a symmetric prototype, one
// phase in every L when L is odd) is computed over just those taps, lo..hi, with
// dotCRSym.
type phaseStep struct {
	adv, next int
	lo, hi    int
	sym       bool
}

const arbPhases = 256

// NewRationalResampler returns a resampler that interpolates by l and decimates by m
// (l, m >= 1) with the prototype taps h designed at l times the input rate (DC gain
// 1; the resampler applies the gain l itself). NewRationalResampler(1, m, h) is a
// polyphase decimator; (l, 1, h) an interpolator.
func NewRationalResampler(l, m int, h []float64) (*Resampler, error) {
	if l < 1 || m < 1 {
		return nil, errors.New("sdr: resampler needs L, M >= 1")
	}
	if len(h) == 0 {
		return nil, errors.New("sdr: resampler needs taps")
	}
	r := &Resampler{l: l, m: m}
	r.build(h, l, float64(l))
	return r, nil
}

// NewDecimator returns a polyphase decimator by m with the given taps at the input
// rate (DC gain as given): y[j] = Σ h[i]·x[j·m - i].
func NewDecimator(m int, taps []float64) (*Resampler, error) {
	return NewRationalResampler(1, m, taps)
}

// NewResampler designs a resampler from inRateHz to outRateHz (both > 0). The ratio
// is used exactly when outRate/inRate reduces to L/M with L <= 4096 (the rates are
// rounded to integer hertz to find it); otherwise the arbitrary mode is used. The
// anti-aliasing/anti-imaging low-pass passes 0.4·min(in, out) and stops from
// 0.5·min(in, out) with 70 dB attenuation, so TETRA's 12.15 kHz half bandwidth passes
// unchanged at 36 kS/s and above.
func NewResampler(inRateHz, outRateHz float64) (*Resampler, error) {
	lo := math.Min(inRateHz, outRateHz)
	return NewResamplerBand(inRateHz, outRateHz, 0.4*lo, 0.5*lo, 70)
}

// NewChannelFilter returns the TETRA channel-select resampler from inRateHz to
// outRateHz (at least 36 kS/s): passband ±15 kHz (the 24.3 kHz-wide channel plus
// frequency error), stopband from outRate-15 kHz (so nothing aliases onto the
// passband) but no further than 60 kHz, designed for 65 dB (at least 60 dB
// measured). At 2.4 MS/s -> 72 kS/s that is L/M = 3/100.
func NewChannelFilter(inRateHz, outRateHz float64) (*Resampler, error) {
	if outRateHz < 36000 {
		return nil, errors.New("sdr: channel filter output rate must be >= 36 kS/s")
	}
	stop := math.Min(outRateHz-15000, 60000)
	return NewResamplerBand(inRateHz, outRateHz, 15000, stop, 65)
}

// NewResamplerBand is NewResampler with an explicit low-pass: passband edge passHz,
// stopband edge stopHz (passHz < stopHz <= max(in, out)·L/2), attenuation attenDB.
func NewResamplerBand(inRateHz, outRateHz, passHz, stopHz, attenDB float64) (*Resampler, error) {
	if !(inRateHz > 0 && outRateHz > 0) || math.IsInf(inRateHz, 0) || math.IsInf(outRateHz, 0) {
		return nil, errors.New("sdr: resampler rates must be > 0")
	}
	ir, or := math.Round(inRateHz), math.Round(outRateHz)
	if ir == inRateHz && or == outRateHz && ir < 1<<40 && or < 1<<40 {
		g := gcd(int64(ir), int64(or))
		l, m := int64(or)/g, int64(ir)/g
		if l <= 4096 && m <= 1<<20 {
			h, err := KaiserLowpass(passHz, stopHz, inRateHz*float64(l), attenDB)
			if err != nil {
				return nil, fmt.Errorf("sdr: resampler %g -> %g: %w", inRateHz, outRateHz, err)
			}
			return NewRationalResampler(int(l), int(m), h)
		}
	}
	h, err := KaiserLowpass(passHz, stopHz, inRateHz*arbPhases, attenDB)
	if err != nil {
		return nil, fmt.Errorf("sdr: resampler %g -> %g: %w", inRateHz, outRateHz, err)
	}
	r := &Resampler{l: arbPhases, step: uint64(math.Round(inRateHz / outRateHz * (1 << 32)))}
	if r.step == 0 {
		return nil, errors.New("sdr: resampler ratio out of range")
	}
	r.build(h, arbPhases, arbPhases)
	return r, nil
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// build lays out the polyphase bank: phase p holds h[p + k·l] reversed. One extra
// phase (p = l, the next sample's phase 0) serves the arbitrary mode's interpolation.
func (r *Resampler) build(h []float64, l int, gain float64) {
	k := (len(h) + l - 1) / l
	r.k = k
	r.hist = k - 1
	r.bank = make([]float32, (l+1)*k)
	for p := 0; p <= l; p++ {
		for j := 0; j < k; j++ {
			// Phase l (time n+1) is h[l + j·l]·x[n-j]: it lacks only the h[0]·x[n+1]
			// term, the first tap of the window, which is negligible.
			v := 0.0
			if idx := p + j*l; idx < len(h) {
				v = h[idx] * gain
			}
			r.bank[p*k+(k-1-j)] = float32(v)
		}
	}
	r.sym = l == 1 && isSymmetric(r.bank[:k])
	if r.m > 0 {
		r.steps = make([]phaseStep, l)
		for p := range r.steps {
			st := phaseStep{adv: (p + r.m) / l, next: (p + r.m) % l}
			ph := r.bank[p*k : p*k+k]
			lo, hi := 0, k
			for lo < hi && ph[lo] == 0 {
				lo++
			}
			for hi > lo && ph[hi-1] == 0 {
				hi--
			}
			if hi-lo >= 16 && isSymmetric(ph[lo:hi]) {
				st.lo, st.hi, st.sym = lo, hi, true
			}
			r.steps[p] = st
		}
	}
	r.buf = make([]complex64, r.hist+firChunk)
	r.Reset()
}

// Reset clears the history and restarts the output phase.
func (r *Resampler) Reset() {
	clear(r.buf)
	r.fill = r.hist
	r.nextN = int64(r.hist)
	r.nextP = 0
	r.frac = 0
}

// Ratio returns the output/input rate ratio.
func (r *Resampler) Ratio() float64 {
	if r.m > 0 {
		return float64(r.l) / float64(r.m)
	}
	return float64(1<<32) / float64(r.step)
}

// OutLen returns the exact number of outputs the next Process call produces for n
// inputs (it depends on the phase the previous calls left).
func (r *Resampler) OutLen(n int) int {
	avail := int64(r.fill + n) // buffer indices 0..avail-1 will be valid
	if r.nextN >= avail {
		return 0
	}
	if r.m > 0 {
		// outputs j >= 0 at times nextN·L + nextP + j·M (units of 1/L); need time/L < avail.
		num := (avail-r.nextN)*int64(r.l) - int64(r.nextP)
		return int((num + int64(r.m) - 1) / int64(r.m))
	}
	// arbitrary: position nextN + frac/2^32 + j·step/2^32 < avail
	rem := (uint64(avail-r.nextN) << 32) - r.frac
	return int((rem + r.step - 1) / r.step)
}

// Process resamples src into dst and returns r.OutLen(len(src)) as it was before the
// call. It panics if dst is shorter. dst and src must overlap entirely or not at
// all (in place works only when the ratio is <= 1). Successive calls behave as one
// call on the concatenated input.
func (r *Resampler) Process(dst, src []complex64) int {
	if len(dst) < r.OutLen(len(src)) {
		panic("sdr: Resampler.Process: dst too short")
	}
	if h := r.hist; r.fill == h && len(src) >= h && len(r.buf) >= 2*h &&
		(len(dst) == 0 || len(src) == 0 || &dst[0] != &src[0]) {
		// Direct path (not in place): the outputs whose window starts in the
		// history come from the buffer, history followed by the first h inputs;
		// every later window lies in src and is read there, without copying src.
		copy(r.buf[h:2*h], src[:h])
		out := r.run(dst, r.buf[:2*h])
		r.nextN -= int64(h) // now an index into src
		out += r.run(dst[out:], src)
		copy(r.buf[:h], src[len(src)-h:])
		r.nextN -= int64(len(src) - h) // back to an index into buf
		return out
	}
	out := 0
	for len(src) > 0 {
		c := min(len(src), len(r.buf)-r.fill)
		copy(r.buf[r.fill:], src[:c])
		src = src[c:]
		r.fill += c
		out += r.run(dst[out:], r.buf[:r.fill])
		// keep the history the next output needs
		keep := int64(r.fill) - (r.nextN - int64(r.hist))
		if keep < int64(r.hist) {
			keep = int64(r.hist)
		}
		drop := int64(r.fill) - keep
		if drop > 0 {
			copy(r.buf, r.buf[drop:r.fill])
			r.fill -= int(drop)
			r.nextN -= drop
		}
	}
	return out
}

// run produces every output whose input window lies in buf, which is r.buf[:r.fill]
// or, on the direct path, the caller's input (r.nextN then indexes it).
func (r *Resampler) run(dst, buf []complex64) int {
	k, fill := r.k, int64(len(buf))
	n := 0
	if r.m > 0 {
		l, m := r.l, r.m
		if l == 1 {
			// Integer decimation: one phase; locals keep the loop state in registers.
			h, hist := r.bank[:k], r.hist
			nextN := int(r.nextN)
			if r.sym {
				for ; nextN < int(fill); nextN += m {
					s := nextN - hist
					dst[n] = dotCRSym(h, buf[s:s+k])
					n++
				}
			} else {
				for ; nextN < int(fill); nextN += m {
					s := nextN - hist
					dst[n] = dotCR(h, buf[s:s+k])
					n++
				}
			}
			r.nextN = int64(nextN)
			return n
		}
		// Rational: the phase sequence comes from r.steps; locals keep the loop
		// state in registers.
		bank, steps, hist := r.bank, r.steps, r.hist
		nextN, p := int(r.nextN), r.nextP
		for nextN < int(fill) {
			s := nextN - hist
			o := p * k
			st := steps[p]
			if st.sym {
				dst[n] = dotCRSym(bank[o+st.lo:o+st.hi], buf[s+st.lo:s+st.hi])
			} else {
				dst[n] = dotCR(bank[o:o+k], buf[s:s+k])
			}
			n++
			nextN += st.adv
			p = st.next
		}
		r.nextN, r.nextP = int64(nextN), p
		return n
	}
	for r.nextN < fill {
		s := int(r.nextN) - r.hist
		// phase position in [0, arbPhases): 24 bits of the 32-bit fraction
		pos := r.frac >> 24
		mu := float32(r.frac&(1<<24-1)) / (1 << 24)
		a := dotCR(r.bank[int(pos)*k:int(pos)*k+k], buf[s:s+k])
		b := dotCR(r.bank[int(pos+1)*k:int(pos+1)*k+k], buf[s:s+k])
		dst[n] = a + complex(mu, 0)*(b-a)
		n++
		f := r.frac + r.step
		r.nextN += int64(f >> 32)
		r.frac = f & (1<<32 - 1)
	}
	return n
}
