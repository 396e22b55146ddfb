package sim

import (
	"fmt"
	"image/color"
	"math"
	"math/cmplx"
	"path/filepath"

	"github.com/tetrasim/tetrasim/sim/phy"
	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// psdSize is the FFT length of the spectrum estimate (Welch, Hann window, no
// overlap) at RecordRateHz: 36000/512 = 70 Hz bins.
const psdSize = 512

// psd accumulates a Welch power spectral density estimate. The zero value is ready.
type psd struct {
	fft  *fourier.CmplxFFT
	win  []float64
	acc  []float64
	buf  []complex128
	fill int
	n    int
}

func (p *psd) add(x []complex64) {
	if p.fft == nil {
		p.fft = fourier.NewCmplxFFT(psdSize)
		p.win = make([]float64, psdSize)
		for i := range p.win {
			p.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/psdSize)
		}
		p.acc = make([]float64, psdSize)
		p.buf = make([]complex128, psdSize)
	}
	for _, v := range x {
		p.buf[p.fill] = complex(float64(real(v))*p.win[p.fill], float64(imag(v))*p.win[p.fill])
		p.fill++
		if p.fill == psdSize {
			out := p.fft.Coefficients(nil, p.buf)
			for i, c := range out {
				p.acc[i] += real(c)*real(c) + imag(c)*imag(c)
			}
			p.fill = 0
			p.n++
		}
	}
}

// points returns (frequency offset [kHz], power [dB]) with DC in the middle.
func (p *psd) points() plotter.XYs {
	if p.n == 0 {
		return nil
	}
	var xy plotter.XYs
	peak := 0.0
	for _, v := range p.acc {
		peak = max(peak, v)
	}
	for k := range psdSize {
		i := (k + psdSize/2) % psdSize // fftshift
		f := float64(k-psdSize/2) * RecordRateHz / psdSize / 1000
		xy = append(xy, plotter.XY{X: f, Y: 10 * math.Log10(p.acc[i]/peak+1e-12)})
	}
	return xy
}

var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 255}, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 255},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 255}, color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 255},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 255}, color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 255},
}

// WritePlots writes constellation.png (detected pi/4-DQPSK phase changes of a
// handset's downlink, over its fading channel), spectrum.png (Welch PSD of the
// recorded downlink and uplink, if recorded) and errors.png (raw channel BER
// per traffic slot on each handset's downlink over time, with the slots whose
// frames were lost marked) into dir, and returns the paths written.
func (sm *Sim) WritePlots(dir string) ([]string, error) {
	var files []string
	save := func(p *plot.Plot, name string, w, h vg.Length) error {
		path := filepath.Join(dir, name)
		if err := p.Save(w, h, path); err != nil {
			return fmt.Errorf("sim: plot %s: %w", name, err)
		}
		files = append(files, path)
		return nil
	}
	// Constellation.
	if h, dir, l := sm.plotLink(); h != nil {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s of %s: %s", dir, h.cfg.Name, linkName(l))
		p.X.Label.Text = "in-phase of r(k) r*(k-1)"
		p.Y.Label.Text = "quadrature"
		xy := make(plotter.XYs, len(l.Capture))
		for i, z := range l.Capture {
			c := complex128(z)
			if cmplx.Abs(c) > 3 {
				c = c / complex(cmplx.Abs(c)/3, 0)
			}
			xy[i] = plotter.XY{X: real(c), Y: imag(c)}
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return files, err
		}
		sc.GlyphStyle.Radius = vg.Points(1)
		p.Add(sc, plotter.NewGrid())
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -2.5, 2.5, -2.5, 2.5
		if err := save(p, "constellation.png", 5*vg.Inch, 5*vg.Inch); err != nil {
			return files, err
		}
	}
	// Spectrum.
	if sm.rec != nil && (sm.rec.dlPSD.n > 0 || sm.rec.ulPSD.n > 0) {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Spectrum of cell %s (Welch, %d-point Hann, %d S/s)", sm.rec.cell.cfg.Name, psdSize, RecordRateHz)
		p.X.Label.Text, p.Y.Label.Text = "frequency offset [kHz]", "power [dB rel. peak]"
		for i, s := range []struct {
			name string
			p    *psd
		}{{"downlink", &sm.rec.dlPSD}, {"uplink (bursts)", &sm.rec.ulPSD}} {
			if pts := s.p.points(); pts != nil {
				l, err := plotter.NewLine(pts)
				if err != nil {
					return files, err
				}
				l.Color = palette[i]
				p.Add(l)
				p.Legend.Add(s.name, l)
			}
		}
		p.Add(plotter.NewGrid())
		p.Y.Min = -80
		if err := save(p, "spectrum.png", 7*vg.Inch, 4*vg.Inch); err != nil {
			return files, err
		}
	}
	// Per-frame errors over time.
	p := plot.New()
	p.Title.Text = "Downlink traffic: raw channel BER per slot (x: speech frames lost)"
	p.X.Label.Text, p.Y.Label.Text = "time [s]", "raw BER"
	if sm.Scn.Fidelity == "iq" {
		// The iq fidelity counts errors in the decoded speech bits (iqphy.go).
		p.Title.Text = "Downlink traffic: residual BER of the decoded speech bits per slot (x: frames lost)"
		p.Y.Label.Text = "residual BER"
	}
	n, top := 0, 0.0
	for _, h := range sm.hs {
		if len(h.dlStats.series) == 0 {
			continue
		}
		var ber, bad plotter.XYs
		for _, pt := range h.dlStats.series {
			ber = append(ber, plotter.XY{X: pt.t, Y: pt.ber})
			top = max(top, pt.ber)
			if pt.bad {
				bad = append(bad, plotter.XY{X: pt.t, Y: pt.ber})
			}
		}
		l, err := plotter.NewLine(ber)
		if err != nil {
			return files, err
		}
		l.Color = palette[n%len(palette)]
		p.Add(l)
		p.Legend.Add(h.cfg.Name, l)
		if len(bad) > 0 {
			sc, err := plotter.NewScatter(bad)
			if err != nil {
				return files, err
			}
			sc.GlyphStyle.Color = palette[n%len(palette)]
			sc.GlyphStyle.Shape = draw.CrossGlyph{}
			sc.GlyphStyle.Radius = vg.Points(4)
			p.Add(sc)
		}
		n++
		if n == len(palette) {
			break
		}
	}
	if n > 0 {
		p.Add(plotter.NewGrid())
		// Headroom above the highest slot for the legend, so that it hides
		// no data.
		p.Y.Min, p.Y.Max = 0, max(top, 0.01)*(1+0.12*float64(n))
		p.Legend.Top = true
		if err := save(p, "errors.png", 8*vg.Inch, 4*vg.Inch); err != nil {
			return files, err
		}
	}
	return files, nil
}

func linkName(l interface{ String() string }) string { return l.String() }

// plotLink is the link whose detected symbols are plotted: the first
// handset's downlink that captured any, else the first uplink that did. Only
// the "bits" fidelity's links capture symbols: at "iq" fidelity there is no
// constellation plot.
func (sm *Sim) plotLink() (*handset, string, *phy.Link) {
	for _, h := range sm.hs {
		if len(h.dl.Capture) > 0 {
			return h, "Downlink", h.dl
		}
	}
	for _, h := range sm.hs {
		if len(h.ul.Capture) > 0 {
			return h, "Uplink", h.ul
		}
	}
	return nil, "", nil
}
