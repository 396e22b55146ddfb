package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/channel/bersweep"
)

func newBERCmd() *cobra.Command {
	var (
		ebn0Range, chanName, detName, jsonPath, plotPath, coded string
		bits, minErrors, maxBits                                int64
		cfo, ppm, speed, carrier                                float64
		seed                                                    uint64
		sps                                                     int
		quiet, uplink                                           bool
	)
	c := &cobra.Command{
		Use:   "ber",
		Short: "Measure the modem's bit error rate against Eb/N0 (real modulator, channel and synchronising demodulator)",
		Long: `Sweep Eb/N0 over a simulated channel and measure the bit error rate of the
pi/4-DQPSK modem end to end: the real modulator, the channel simulator and the
demodulator, which acquires frequency, symbol timing and slot position itself from
the training sequences (no genie). BER counts the 466 random bits of each normal
downlink slot. The theory column is the AWGN theory of the chosen detector.

Examples:
  tetrasim ber --ebn0 0:10:2 --bits 200000 --plot ber.png --json ber.jsonl
  tetrasim ber --ebn0 9 --bits 1000000 --detector differential --cfo 20000
  tetrasim ber --ebn0 10:30:5 --channel tu50
  tetrasim ber --ebn0 2:6:1 --coded schf --bits 500000 --min-errors 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pts, err := parseRange(ebn0Range)
			if err != nil {
				return usagef("--ebn0: %v", err)
			}
			if bits <= 0 {
				return usagef("--bits must be > 0 (got %d)", bits)
			}
			if minErrors < 0 || maxBits < 0 {
				return usagef("--min-errors and --max-bits must be >= 0")
			}
			det, err := sdr.ParseDetector(detName)
			if err != nil {
				return usagef("--detector: want coherent or differential, got %q", detName)
			}
			switch chanName {
			case "awgn", "rayleigh", "tu50", "ht200":
			default:
				return usagef("--channel: want awgn, rayleigh, tu50 or ht200, got %q", chanName)
			}
			if math.Abs(ppm) > 1000 {
				return usagef("--ppm: |ppm| must be <= 1000")
			}
			if sps < 2 {
				return usagef("--sps must be >= 2")
			}
			var codedCh lmac.Channel
			if coded != "" {
				if codedCh, err = parseCoded(coded); err != nil {
					return usagef("--coded: %v", err)
				}
			}
			cfg := bersweep.Config{
				Coded:  codedCh,
				EbN0dB: pts, Bits: bits, MinErrors: minErrors, MaxBits: maxBits,
				Channel: chanName, CFOHz: cfo, ClockPPM: ppm, Detector: det, Seed: seed,
				SamplesPerSymbol: sps, SpeedKmh: speed, CarrierHz: carrier, Uplink: uplink,
			}
			if err := cfg.Validate(); err != nil {
				return usagef("%v", err)
			}
			// A point extended by --min-errors holds the bar at its end.
			bar := newProgress(cmd, quiet, int64(len(pts))*bits, "ber")
			if bar != nil {
				cfg.Progress = func(point int, b int64) { progressSet(bar, int64(point)*bits+min(b, bits)) }
			}
			res, err := bersweep.Run(cmd.Context(), cfg)
			progressDone(bar)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			link := "continuous downlink"
			if uplink {
				link = "uplink bursts"
			}
			fmt.Fprintf(out, "# %s, channel %s, detector %s, CFO %g Hz, clock %g ppm, seed %d\n", link, chanName, det, cfo, ppm, seed)
			if codedCh != 0 {
				fmt.Fprintf(out, "# coded %v: BER of decoded type-1 bits, FER of blocks; Eb/N0 per channel bit; theory = uncoded AWGN\n", codedCh)
				fmt.Fprintf(out, "%8s %12s %12s %12s %10s %12s %8s %6s\n", "Eb/N0dB", "BER", "FER", "chan BER", "errors", "bits", "blocks", "lost")
				for _, p := range res {
					fmt.Fprintf(out, "%8.2f %12.4g %12.4g %12.4g %10d %12d %8d %6d\n", p.EbN0dB, p.BER, p.FER, p.ChannelBER, p.Errors, p.Bits, p.Blocks, p.LostSlots)
				}
			} else {
				fmt.Fprintf(out, "%8s %12s %12s %8s %10s %12s %6s\n", "Eb/N0dB", "BER", "theory", "gap dB", "errors", "bits", "lost")
				for _, p := range res {
					gap := "-"
					if p.GapDB != 0 {
						gap = fmt.Sprintf("%+.2f", p.GapDB)
					}
					fmt.Fprintf(out, "%8.2f %12.4g %12.4g %8s %10d %12d %6d\n", p.EbN0dB, p.BER, p.TheoryBER, gap, p.Errors, p.Bits, p.LostSlots)
				}
			}
			if jsonPath != "" {
				if err := writeBERJSON(jsonPath, res); err != nil {
					return err
				}
			}
			if plotPath != "" {
				title := fmt.Sprintf("pi/4-DQPSK, %s detection, %s", det, chanName)
				if codedCh != 0 {
					title += ", " + codedCh.String() + " decoded"
				}
				if err := plotBER(plotPath, title, det, res); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&ebn0Range, "ebn0", "0:10:2", "Eb/N0 points in dB: FROM:TO:STEP or a single value")
	f.Int64Var(&bits, "bits", 100000, "payload bits compared per point")
	f.Int64Var(&minErrors, "min-errors", 0, "extend a point beyond --bits until this many errors (0: off)")
	f.Int64Var(&maxBits, "max-bits", 0, "cap for --min-errors (0: no cap)")
	f.StringVar(&chanName, "channel", "awgn", "channel: awgn, rayleigh (flat, 50 km/h), tu50 or ht200")
	f.Float64Var(&cfo, "cfo", 0, "carrier frequency offset in Hz")
	f.Float64Var(&ppm, "ppm", 0, "receiver sample-clock error in ppm")
	f.Float64Var(&speed, "speed", 0, "mobile speed in km/h for --channel rayleigh (0: 50)")
	f.Float64Var(&carrier, "carrier", 0, "carrier frequency in Hz for the Doppler of fading channels (0: 400 MHz)")
	f.Uint64Var(&seed, "seed", 1, "random seed (same seed, same result)")
	f.StringVar(&detName, "detector", "coherent", "detector: coherent or differential")
	f.IntVar(&sps, "sps", 4, "samples per symbol of the simulated link")
	f.StringVar(&jsonPath, "json", "", "write one JSON object per point to this file")
	f.StringVar(&plotPath, "plot", "", "write a BER plot (PNG, SVG or PDF by extension)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	f.BoolVar(&uplink, "uplink", false, "normal uplink bursts in every slot, demodulated in burst mode (each burst acquired on its own)")
	f.StringVar(&coded, "coded", "", "coded sweep of a logical channel: "+strings.Join(codedNames(), ", ")+" (adds fer to the JSON)")
	return c
}

// codedKey normalises a channel name: "SCH/F" -> "schf", "TCH/4.8" -> "tch48".
func codedKey(s string) string {
	return strings.NewReplacer("/", "", " ", "", ".", "", "-", "", "_", "").Replace(strings.ToLower(s))
}

func codedNames() []string {
	var n []string
	for _, c := range bersweep.CodedChannels() {
		n = append(n, codedKey(c.String()))
	}
	return n
}

// parseCoded maps a --coded name to a logical channel.
func parseCoded(s string) (lmac.Channel, error) {
	for _, c := range bersweep.CodedChannels() {
		if codedKey(c.String()) == codedKey(s) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown or unsupported channel %q (want one of %s)", s, strings.Join(codedNames(), ", "))
}

// parseRange parses "FROM:TO:STEP" (inclusive, STEP > 0) or a single number.
func parseRange(s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	num := func(p string) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q is not a number (want FROM:TO:STEP, e.g. 0:10:2)", p)
		}
		return v, nil
	}
	switch len(parts) {
	case 1:
		v, err := num(parts[0])
		if err != nil {
			return nil, err
		}
		return []float64{v}, nil
	case 3:
	default:
		return nil, fmt.Errorf("malformed range %q (want FROM:TO:STEP, e.g. 0:10:2)", s)
	}
	var v [3]float64
	for i, p := range parts {
		x, err := num(p)
		if err != nil {
			return nil, err
		}
		v[i] = x
	}
	from, to, step := v[0], v[1], v[2]
	if step <= 0 {
		return nil, fmt.Errorf("step must be > 0 in %q", s)
	}
	if to < from {
		return nil, fmt.Errorf("TO < FROM in %q", s)
	}
	n := int(math.Floor((to-from)/step+1e-9)) + 1
	if n > 1000 {
		return nil, fmt.Errorf("%q has %d points (at most 1000)", s, n)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Round((from+float64(i)*step)*1e9) / 1e9
	}
	return out, nil
}

func writeBERJSON(path string, res []bersweep.Point) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, p := range res {
		if err := enc.Encode(p); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func plotBER(path, title string, det sdr.Detector, res []bersweep.Point) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "Eb/N0 [dB]"
	p.Y.Label.Text = "BER"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	var meas plotter.XYs
	for _, r := range res {
		if r.BER > 0 {
			meas = append(meas, plotter.XY{X: r.EbN0dB, Y: r.BER})
		}
	}
	lo, hi := res[0].EbN0dB, res[len(res)-1].EbN0dB
	var th plotter.XYs
	for i := 0; i <= 200; i++ {
		x := lo + (hi-lo)*float64(i)/200
		if y := bersweep.TheoryBER(det, x); y > 1e-9 {
			th = append(th, plotter.XY{X: x, Y: y})
		}
	}
	if len(th) > 1 {
		l, err := plotter.NewLine(th)
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("theory (AWGN)", l)
	}
	if len(meas) > 0 {
		l, s, err := plotter.NewLinePoints(meas)
		if err != nil {
			return err
		}
		s.Shape = draw.CircleGlyph{}
		s.Radius = vg.Points(2.5)
		p.Add(l, s)
		p.Legend.Add("measured", l)
	}
	p.Legend.Top = false
	p.Legend.Left = true
	return p.Save(6*vg.Inch, 4*vg.Inch, path)
}
