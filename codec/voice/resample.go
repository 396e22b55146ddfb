package voice

import "math"

// maxPhases bounds the polyphase table of Resample. Rate pairs with up > maxPhases
// (44101 Hz to 8 kHz gives up = 8000) round each output instant to the nearest
// 1/maxPhases of an input sample; the common rates (8, 11.025, 16, 22.05, 32,
// 44.1, 48, 96 kHz to 8 kHz: up <= 320) use exact phases.
const maxPhases = 1024

// Resample converts x from inRate to outRate [Hz], both > 0, with a windowed-sinc
// polyphase filter (Kaiser window, beta 8.6, 32 zero crossings each side of the
// lower rate's Nyquist frequency, cut-off at 0.95 of it). It is meant for files,
// not for the sample path: it allocates its output.
func Resample(x []float64, inRate, outRate int) []float64 {
	if inRate == outRate || len(x) == 0 {
		return append([]float64(nil), x...)
	}
	if inRate <= 0 || outRate <= 0 {
		panic("voice: Resample: rates must be positive")
	}
	g := gcd(inRate, outRate)
	up, down := outRate/g, inRate/g
	phases := min(up, maxPhases)
	// Cut-off relative to the input rate.
	fc := 0.95 * 0.5 * math.Min(1, float64(outRate)/float64(inRate))
	const zeros = 32
	half := int(math.Ceil(zeros / (2 * fc))) // taps each side, in input samples
	n := int(int64(len(x)) * int64(up) / int64(down))
	// Polyphase table: phase p (output time fraction p/phases of an input
	// sample) holds the 2*half taps for input offsets j-c = -half+1 ... half.
	taps := 2 * half
	table := make([]float64, phases*taps)
	i0 := besselI0(8.6)
	for p := 0; p < phases; p++ {
		frac := float64(p) / float64(phases)
		for t := 0; t < taps; t++ {
			d := float64(t-half+1) - frac // distance in input samples
			r := d / float64(half)
			if r <= -1 || r >= 1 {
				continue
			}
			w := besselI0(8.6*math.Sqrt(1-r*r)) / i0
			table[p*taps+t] = 2 * fc * sinc(2*fc*d) * w
		}
	}
	y := make([]float64, n)
	for k := range y {
		// Output sample k sits at input time t = k*down/up.
		num := int64(k) * int64(down)
		c := int(num / int64(up))
		p := int(num % int64(up))
		if phases != up { // nearest table phase
			p = int((int64(p)*int64(phases) + int64(up)/2) / int64(up))
			if p == phases {
				p, c = 0, c+1
			}
		}
		h := table[p*taps:][:taps]
		var acc float64
		for t, j := 0, c-half+1; t < taps; t, j = t+1, j+1 {
			if j >= 0 && j < len(x) {
				acc += x[j] * h[t]
			}
		}
		y[k] = acc
	}
	return y
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0 (series).
func besselI0(x float64) float64 {
	s, t := 1.0, 1.0
	for k := 1; k < 50; k++ {
		t *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		s += t
		if t < 1e-16*s {
			break
		}
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
