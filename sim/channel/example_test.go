package channel_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/sim/channel"
)

// A TU50 link at 72 kS/s with a 500 Hz carrier offset, 20 ppm clock error and
// Eb/N0 = 10 dB, applied to a stream read through an iq.Reader.
func Example() {
	const fs = 72000.0
	fading, _ := channel.NewFading(rand.New(rand.NewPCG(1, 1)), channel.FadingConfig{
		SampleRateHz: fs, Profile: channel.ProfileTU50(), CarrierHz: 390e6,
	})
	clock, _ := channel.NewClockOffset(20, 0, fs)
	osc, _ := channel.NewOscillator(nil, 500, 0, fs)
	noise, _ := channel.NewAWGN(rand.New(rand.NewPCG(1, 2)), channel.NoisePowerEbN0(10, 1, fs, channel.BitRate))
	link, _ := channel.NewChain(fading, clock, osc, noise)

	tx := make([]complex64, 72000) // one second of a unit-power signal
	for i := range tx {
		tx[i] = 1
	}
	rx := channel.NewReader(&iq.SliceReader{S: tx}, link)
	buf := make([]complex64, 1000)
	total := 0
	for {
		n, err := rx.Read(buf)
		total += n
		if err != nil {
			break
		}
	}
	// 72000·(1+20e-6) = 72001.4 samples, less 8 the clock interpolator holds back.
	fmt.Printf("Doppler %.1f Hz, noise power %.2f, %d samples out\n", fading.DopplerHz(), noise.NoisePower(), total)
	// Output: Doppler 18.1 Hz, noise power 0.20, 71994 samples out
}
