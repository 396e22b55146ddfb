package channel

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func power(x []complex64) float64 {
	var p float64
	for _, v := range x {
		p += float64(real(v)*real(v) + imag(v)*imag(v))
	}
	return p / float64(len(x))
}

func tone(n int, f float64) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex64(cmplx.Rect(1, 2*math.Pi*f*float64(i)))
	}
	return x
}

// TestAWGNCalibration measures the noise power added for a given Eb/N0 and C/N0 and
// compares it with the definitions.
func TestAWGNCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const fs, n = 72000.0, 200000
	for _, c := range []struct {
		name string
		want float64
	}{
		{"EbN0 0 dB", 2},           // P=1, fs/Rb = 2
		{"EbN0 10 dB", 0.2},        // 2/10
		{"CN0 50 dB-Hz", fs / 1e5}, // P·fs/C/N0
		{"CN0 60 dB-Hz", fs / 1e6},
	} {
		var np float64
		switch c.name {
		case "EbN0 0 dB":
			np = NoisePowerEbN0(0, 1, fs, BitRate)
		case "EbN0 10 dB":
			np = NoisePowerEbN0(10, 1, fs, BitRate)
		case "CN0 50 dB-Hz":
			np = NoisePowerCN0(50, 1, fs)
		case "CN0 60 dB-Hz":
			np = NoisePowerCN0(60, 1, fs)
		}
		if math.Abs(np/c.want-1) > 1e-12 {
			t.Errorf("%s: formula gives %g, want %g", c.name, np, c.want)
		}
		a, err := NewAWGN(rng, np)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]complex64, n)
		a.Process(x, x)
		got := power(x)
		// 200000 complex samples: relative standard error 1/√n ≈ 0.22 %
		if math.Abs(got/np-1) > 0.015 {
			t.Errorf("%s: measured noise power %g, want %g", c.name, got, np)
		}
		var ii, qq float64
		for _, v := range x {
			ii += float64(real(v) * real(v))
			qq += float64(imag(v) * imag(v))
		}
		if math.Abs(ii/qq-1) > 0.03 {
			t.Errorf("%s: I/Q power imbalance %g", c.name, ii/qq)
		}
	}
}

func TestOscillatorCFO(t *testing.T) {
	const fs = 72000.0
	o, _ := NewOscillator(nil, 1234.5, 0, fs)
	x := make([]complex64, 7200)
	for i := range x {
		x[i] = 1
	}
	o.Process(x, x)
	// frequency from the mean phase step
	var acc complex128
	for i := 1; i < len(x); i++ {
		acc += complex128(x[i] * complex(real(x[i-1]), -imag(x[i-1])))
	}
	f := cmplx.Phase(acc) / (2 * math.Pi) * fs
	if math.Abs(f-1234.5) > 0.01 {
		t.Errorf("CFO %g Hz, want 1234.5", f)
	}
}

func TestPhaseNoiseVariance(t *testing.T) {
	const fs, lw = 72000.0, 100.0
	rng := rand.New(rand.NewPCG(2, 2))
	o, _ := NewOscillator(rng, 0, lw, fs)
	x := make([]complex64, 100000)
	for i := range x {
		x[i] = 1
	}
	o.Process(x, x)
	// Wiener phase: Var[φ(n+L) - φ(n)] = 2π·lw·L/fs
	const L = 72
	var v float64
	cnt := 0
	for i := 0; i+L < len(x); i += L {
		d := cmplx.Phase(complex128(x[i+L] * complex(real(x[i]), -imag(x[i]))))
		v += d * d
		cnt++
	}
	v /= float64(cnt)
	want := 2 * math.Pi * lw * L / fs
	if math.Abs(v/want-1) > 0.15 {
		t.Errorf("phase increment variance %g, want %g", v, want)
	}
}

func TestClockOffset(t *testing.T) {
	const fs = 72000.0
	for _, ppm := range []float64{100, -100, 1000} {
		c, _ := NewClockOffset(ppm, 0, fs)
		f := 3000.0 / fs
		x := tone(100000, f)
		y := make([]complex64, c.OutLen(len(x)))
		n := c.Process(y, x)
		y = y[:n]
		wantN := float64(len(x)) * (1 + ppm*1e-6)
		if math.Abs(float64(n)-wantN) > 12 {
			t.Errorf("ppm %g: %d outputs, want about %.0f", ppm, n, wantN)
		}
		// output m must be the tone at input time m/(1+ε)
		var maxErr float64
		for m := 100; m < n-100; m += 37 {
			ref := cmplx.Rect(1, 2*math.Pi*f*float64(m)/(1+ppm*1e-6))
			maxErr = math.Max(maxErr, cmplx.Abs(complex128(y[m])-ref))
		}
		if maxErr > 2e-3 {
			t.Errorf("ppm %g: interpolation error %g", ppm, maxErr)
		}
	}
}

func TestClockDrift(t *testing.T) {
	const fs = 72000.0
	c, _ := NewClockOffset(0, 100, fs) // 0 -> 100 ppm over 1 s
	x := make([]complex64, 72000)
	y := make([]complex64, c.OutLen(len(x)))
	n := c.Process(y, x)
	// average ε = 50 ppm over the second: 72000·(1+50e-6) ≈ 72003.6
	if math.Abs(float64(n)-72003.6) > 10 {
		t.Errorf("%d outputs, want about 72003.6", n)
	}
}

func TestFadingStatistics(t *testing.T) {
	const fs = 72000.0
	for _, c := range []struct {
		name string
		p    Profile
		k    float64
	}{
		{"flat-rayleigh", ProfileFlat(100), 0},
		{"rician-k4", ProfileFlat(100), 4},
		{"TU50", ProfileTU50(), 0},
		{"HT200", ProfileHT200(), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			// average over independent realisations: power 1, and for Rayleigh
			// |g|² exponential (P(|g|² < 0.1) = 1 - e^-0.1 ≈ 0.095)
			var pw float64
			var below, total int
			for seed := uint64(0); seed < 40; seed++ {
				rng := rand.New(rand.NewPCG(seed, 7))
				f, err := NewFading(rng, FadingConfig{SampleRateHz: fs, Profile: c.p, RicianK: c.k})
				if err != nil {
					t.Fatal(err)
				}
				x := make([]complex64, 20000)
				for i := range x {
					x[i] = 1
				}
				f.Process(x, x)
				for _, v := range x[100:] {
					g := float64(real(v)*real(v) + imag(v)*imag(v))
					pw += g
					if g < 0.1 {
						below++
					}
					total++
				}
			}
			pw /= float64(total)
			if math.Abs(pw-1) > 0.12 {
				t.Errorf("average power %g, want 1", pw)
			}
			frac := float64(below) / float64(total)
			want := 1 - math.Exp(-0.1)
			if c.k > 0 {
				want = 0.005 // Rician K=4: deep fades are rare
				if frac > 0.02 {
					t.Errorf("P(|g|²<0.1) = %g, want small for K=4", frac)
				}
				return
			}
			if c.name == "flat-rayleigh" && math.Abs(frac-want) > 0.03 {
				t.Errorf("P(|g|²<0.1) = %g, want %g (Rayleigh)", frac, want)
			}
		})
	}
}

// TestMultipathDelay checks the second tap of HT200 sits 15 µs after the first with
// power -8.6 dB, from the impulse response of a frozen (0 km/h) channel.
func TestMultipathDelay(t *testing.T) {
	const fs = 2e6 // 15 µs = 30 samples
	p := ProfileHT200()
	p.SpeedKmh = 0
	var p0, p1 float64
	for seed := uint64(0); seed < 400; seed++ {
		f, _ := NewFading(rand.New(rand.NewPCG(seed, 9)), FadingConfig{SampleRateHz: fs, Profile: p})
		x := make([]complex64, 64)
		x[0] = 1
		f.Process(x, x)
		p0 += float64(real(x[7])*real(x[7]) + imag(x[7])*imag(x[7]))
		p1 += float64(real(x[37])*real(x[37]) + imag(x[37])*imag(x[37]))
	}
	ratio := 10 * math.Log10(p1/p0)
	if math.Abs(ratio+8.6) > 1.0 {
		t.Errorf("tap power ratio %.2f dB, want -8.6", ratio)
	}
}

func TestDoppler(t *testing.T) {
	if d := DopplerHz(50, 400e6); math.Abs(d-18.53) > 0.01 {
		t.Errorf("Doppler %g, want 18.53 Hz", d)
	}
	// autocorrelation of a flat Rayleigh tap at lag τ is J0(2π·fd·τ): zero near
	// 2π·fd·τ = 2.405
	const fs = 8000.0
	fd := DopplerHz(200, 400e6)
	lag := int(2.405 / (2 * math.Pi * fd) * fs)
	var acc, pw complex128
	for seed := uint64(0); seed < 50; seed++ {
		f, _ := NewFading(rand.New(rand.NewPCG(seed, 3)), FadingConfig{SampleRateHz: fs, Profile: ProfileFlat(200)})
		x := make([]complex64, 8000)
		for i := range x {
			x[i] = 1
		}
		f.Process(x, x)
		for i := 0; i+lag < len(x); i++ {
			acc += complex128(x[i+lag] * complex(real(x[i]), -imag(x[i])))
			pw += complex128(x[i] * complex(real(x[i]), -imag(x[i])))
		}
	}
	if r := cmplx.Abs(acc) / real(pw); r > 0.15 {
		t.Errorf("autocorrelation at the first J0 zero %g, want about 0", r)
	}
}

func TestChunkingAndAllocs(t *testing.T) {
	const fs = 72000.0
	mk := func() *Chain {
		// one random source per block: blocks sharing one would interleave their
		// draws differently when the chunking changes
		f, _ := NewFading(rand.New(rand.NewPCG(5, 5)), FadingConfig{SampleRateHz: fs, Profile: ProfileTU50()})
		o, _ := NewOscillator(rand.New(rand.NewPCG(5, 6)), 300, 10, fs)
		c, _ := NewClockOffset(80, 5, fs)
		a, _ := NewAWGN(rand.New(rand.NewPCG(5, 7)), 0.01)
		ch, _ := NewChain(f, o, c, a)
		return ch
	}
	x := tone(30000, 0.05)
	one := mk()
	y1 := make([]complex64, one.OutLen(len(x)))
	n1 := one.Process(y1, x)
	two := mk()
	rng := rand.New(rand.NewPCG(6, 6))
	var y2 []complex64
	buf := make([]complex64, 20000)
	for a := 0; a < len(x); {
		n := min(1+rng.IntN(9000), len(x)-a)
		m := two.Process(buf, x[a:a+n])
		y2 = append(y2, buf[:m]...)
		a += n
	}
	if len(y2) != n1 {
		t.Fatalf("chunked output %d samples, one call %d", len(y2), n1)
	}
	for i := range y2 {
		if y2[i] != y1[i] {
			t.Fatalf("sample %d differs", i)
		}
	}
	if a := testing.AllocsPerRun(20, func() { two.Process(buf, x[:4000]) }); a != 0 {
		t.Errorf("Chain.Process allocates %v times", a)
	}
}
