package sdr

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func randIQ(rng *rand.Rand, n int) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
	}
	return x
}

// naiveFIR is the reference loop of FIR.Process.
func naiveFIR(h []float32, x []complex64) []complex64 {
	y := make([]complex64, len(x))
	for n := range x {
		var acc complex64
		for i, t := range h {
			if n-i >= 0 {
				acc += complex(t, 0) * x[n-i]
			}
		}
		y[n] = acc
	}
	return y
}

func TestFIRMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, nt := range []int{1, 2, 3, 5, 33, 100} {
		h := make([]float32, nt)
		for i := range h {
			h[i] = float32(rng.NormFloat64())
		}
		x := randIQ(rng, 9000)
		want := naiveFIR(h, x)
		f, _ := NewFIR(h)
		got := make([]complex64, len(x))
		// random chunks, one of them in place
		for a := 0; a < len(x); {
			c := min(1+rng.IntN(5000), len(x)-a)
			f.Process(got[a:a+c], x[a:a+c])
			a += c
		}
		for i := range want {
			if cmplx.Abs(complex128(got[i]-want[i])) > 1e-4*math.Sqrt(float64(nt)) {
				t.Fatalf("%d taps: sample %d = %v, want %v", nt, i, got[i], want[i])
			}
		}
	}
	if _, err := NewFIR(nil); err == nil {
		t.Error("NewFIR(nil) succeeded")
	}
}

// TestRRCNyquist: two RRC filters in cascade make a raised-cosine Nyquist pulse:
// 1 at the centre, 0 at every other multiple of the symbol period.
func TestRRCNyquist(t *testing.T) {
	for _, sps := range []int{2, 4, 8} {
		h, _ := RRCTaps(sps, 16, Rolloff)
		n := len(h)
		c := make([]float64, 2*n-1)
		for i := range h {
			for j := range h {
				c[i+j] += h[i] * h[j]
			}
		}
		mid := n - 1
		if math.Abs(c[mid]-1) > 1e-9 {
			t.Errorf("sps %d: peak %g", sps, c[mid])
		}
		for k := 1; k*sps <= mid-2*sps; k++ {
			if math.Abs(c[mid+k*sps]) > 3e-3 {
				t.Errorf("sps %d: ISI %g at %d symbols", sps, c[mid+k*sps], k)
			}
		}
	}
}

// TestModulatorSpectrum is a spectral mask: the modulated signal's power beyond
// ±(1+α)·9 kHz = ±12.15 kHz, more than 25 kHz away (the adjacent channel centre
// ±12.5 kHz) stays 50 dB below the in-band density.
func TestModulatorSpectrum(t *testing.T) {
	const sps, nfft = 8, 1024
	rng := rand.New(rand.NewPCG(3, 4))
	bits := make([]byte, 40000)
	for i := range bits {
		bits[i] = byte(rng.IntN(2))
	}
	m, _ := NewModulator(ModulatorConfig{SamplesPerSymbol: sps, SpanSymbols: 16})
	x := make([]complex64, m.OutLen(len(bits)))
	m.Process(x, bits)
	psd := make([]float64, nfft)
	for s := 0; s+nfft <= len(x); s += nfft / 2 {
		seg := make([]complex128, nfft)
		for i := range seg {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/nfft)
			seg[i] = complex128(x[s+i]) * complex(w, 0)
		}
		fft(seg)
		for i, v := range seg {
			psd[i] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	fs := float64(sps * SymbolRate)
	var inband float64
	for i := range psd {
		f := float64(i) * fs / nfft
		if f >= fs/2 {
			f -= fs
		}
		if math.Abs(f) < 4000 {
			inband = math.Max(inband, psd[i])
		}
	}
	for i := range psd {
		f := float64(i) * fs / nfft
		if f >= fs/2 {
			f -= fs
		}
		if math.Abs(f) > 16000 {
			if r := 10 * math.Log10(psd[i]/inband); r > -50 {
				t.Errorf("%.0f Hz: %.1f dB relative to the in-band density", f, r)
			}
		}
	}
}

// fft is an in-place radix-2 FFT for the tests.
func fft(a []complex128) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for l := 2; l <= n; l <<= 1 {
		w := cmplx.Rect(1, -2*math.Pi/float64(l))
		for i := 0; i < n; i += l {
			wk := complex(1, 0)
			for k := 0; k < l/2; k++ {
				u, v := a[i+k], a[i+k+l/2]*wk
				a[i+k], a[i+k+l/2] = u+v, u-v
				wk *= w
			}
		}
	}
}

// TestResamplerRates sends a 3 kHz tone through every rate change the project
// needs and checks the output tone's frequency, amplitude and purity.
func TestResamplerRates(t *testing.T) {
	for _, c := range []struct{ in, out float64 }{
		{72000, 36000}, {36000, 72000}, {72000, 2.4e6}, {72000, 2e6}, {72000, 10e6},
		{2.4e6, 72000}, {2.048e6, 72000}, {36000, 2.4e6}, {72000, 44100}, {72000, 72000 * 1.0001},
	} {
		t.Run(fmt.Sprintf("%g->%g", c.in, c.out), func(t *testing.T) {
			r, err := NewResampler(c.in, c.out)
			if err != nil {
				t.Fatal(err)
			}
			const f0 = 3000.0
			nin := int(c.in * 0.02) // 20 ms
			x := make([]complex64, nin)
			for i := range x {
				x[i] = complex64(cmplx.Rect(1, 2*math.Pi*f0*float64(i)/c.in))
			}
			y := make([]complex64, r.OutLen(len(x)))
			n := r.Process(y, x)
			if n != len(y) {
				t.Fatalf("Process returned %d, OutLen %d", n, len(y))
			}
			want := float64(nin) * c.out / c.in
			if math.Abs(float64(n)-want) > 2 {
				t.Errorf("%d outputs, want %.1f", n, want)
			}
			// compare with the ideal tone after the filter delay: fit the phase on the
			// second half of the output and check the error.
			lo := n / 2
			var acc complex128
			for m := lo; m < n; m++ {
				acc += complex128(y[m]) * cmplx.Rect(1, -2*math.Pi*f0*float64(m)/c.out)
			}
			ref := acc / complex(float64(n-lo), 0)
			if math.Abs(cmplx.Abs(ref)-1) > 0.01 {
				t.Errorf("gain %.4f", cmplx.Abs(ref))
			}
			var e float64
			for m := lo; m < n; m++ {
				d := complex128(y[m]) - ref*cmplx.Rect(1, 2*math.Pi*f0*float64(m)/c.out)
				e += real(d)*real(d) + imag(d)*imag(d)
			}
			snr := -10 * math.Log10(e/float64(n-lo))
			if snr < 50 {
				t.Errorf("tone SNR %.1f dB, want >= 50", snr)
			}
		})
	}
}

func TestResamplerChunkingAndAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ in, out float64 }{{2.4e6, 72000}, {72000, 2e6}, {72000, 44100.5}} {
		x := randIQ(rng, 50000)
		r1, _ := NewResampler(c.in, c.out)
		y1 := make([]complex64, r1.OutLen(len(x)))
		r1.Process(y1, x)
		r2, _ := NewResampler(c.in, c.out)
		var y2 []complex64
		for a := 0; a < len(x); {
			n := min(1+rng.IntN(7000), len(x)-a)
			o := make([]complex64, r2.OutLen(n))
			r2.Process(o, x[a:a+n])
			y2 = append(y2, o...)
			a += n
		}
		if len(y1) != len(y2) {
			t.Fatalf("%g->%g: %d vs %d outputs", c.in, c.out, len(y1), len(y2))
		}
		for i := range y1 {
			if y1[i] != y2[i] {
				t.Fatalf("%g->%g: output %d differs", c.in, c.out, i)
			}
		}
		dst := make([]complex64, r2.OutLen(4096)+1)
		if a := testing.AllocsPerRun(20, func() { r2.Process(dst[:r2.OutLen(4096)], x[:4096]) }); a != 0 {
			t.Errorf("%g->%g: Resampler.Process allocates %v times", c.in, c.out, a)
		}
	}
}

// TestChannelFilterRejection: the 2.4 MS/s -> 72 kS/s channel filter passes ±15 kHz
// and rejects what would alias onto the channel by 60 dB.
func TestChannelFilterRejection(t *testing.T) {
	r, err := NewChannelFilter(2.4e6, 72000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    float64
		pass bool
	}{{0, true}, {10000, true}, {-14000, true}, {60000, false}, {-72000, false}, {130000, false}, {500000, false}} {
		r.Reset()
		x := make([]complex64, 240000)
		for i := range x {
			x[i] = complex64(cmplx.Rect(1, 2*math.Pi*c.f*float64(i)/2.4e6))
		}
		y := make([]complex64, r.OutLen(len(x)))
		n := r.Process(y, x)
		var p float64
		for _, v := range y[n/2 : n] {
			p += float64(real(v)*real(v) + imag(v)*imag(v))
		}
		db := 10 * math.Log10(p/float64(n-n/2))
		if c.pass && math.Abs(db) > 0.1 {
			t.Errorf("%g Hz: passband gain %.2f dB", c.f, db)
		}
		if !c.pass && db > -59 {
			t.Errorf("%g Hz: stopband gain %.1f dB, want <= -60", c.f, db)
		}
	}
}

func TestNCO(t *testing.T) {
	o, _ := NewNCO(1000, 72000)
	x := make([]complex64, 100000)
	for i := range x {
		x[i] = 1
	}
	o.Process(x, x)
	for _, i := range []int{0, 1, 71999, 99999} {
		want := cmplx.Rect(1, 2*math.Pi*1000*float64(i)/72000)
		if cmplx.Abs(complex128(x[i])-want) > 1e-5 {
			t.Errorf("sample %d = %v, want %v", i, x[i], want)
		}
	}
	if _, err := NewNCO(40000, 72000); err == nil {
		t.Error("NCO above Nyquist accepted")
	}
	if a := testing.AllocsPerRun(20, func() { o.Process(x[:4096], x[:4096]) }); a != 0 {
		t.Errorf("NCO.Process allocates %v times", a)
	}
}

func TestFIRZeroAlloc(t *testing.T) {
	f, _ := NewFIR(make([]float32, 64))
	x := make([]complex64, 5000)
	if a := testing.AllocsPerRun(20, func() { f.Process(x, x) }); a != 0 {
		t.Errorf("FIR.Process allocates %v times", a)
	}
}

func TestNCOChunking(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x := randIQ(rng, 20000)
	a, _ := NewNCO(-12345.6, 72000)
	one := make([]complex64, len(x))
	a.Process(one, x)
	b, _ := NewNCO(-12345.6, 72000)
	got := make([]complex64, len(x))
	for i := 0; i < len(x); {
		n := min(1+rng.IntN(3000), len(x)-i)
		b.Process(got[i:i+n], x[i:i+n])
		i += n
	}
	for i := range one {
		if one[i] != got[i] {
			t.Fatalf("sample %d differs", i)
		}
	}
}
