package air

import (
	"fmt"
	"math"

	"github.com/tetrasim/tetrasim/iq"
)

// MultiConfig configures a MultiReceiver.
type MultiConfig struct {
	// Rx is the per-carrier configuration: SampleRateHz, Detector, Cell and
	// OnBlock apply to every carrier; OffsetHz and SearchHz give the band
	// searched for carriers (SearchHz <= 0: the whole band).
	Rx RxConfig
	// MaxCarriers is the most carriers decoded at once (>= 1).
	MaxCarriers int
	// MinSNRdB is how far above the band's median channel power a carrier
	// must be; 0 means 10 dB.
	MinSNRdB float64
}

// MultiReceiver monitors several TETRA carriers in one wideband stream (an
// RTL-SDR's 2.4 MHz holds up to 96 channels): it finds the strongest ones in
// the first SearchSeconds of input with FindCarriers and runs a Receiver on
// each. RxBlock.CarrierHz tells the carriers apart. It implements iq.Writer.
// Not safe for concurrent use.
type MultiReceiver struct {
	cfg      MultiConfig
	buf      []complex64
	rx       []*Receiver
	carriers []Carrier
	started  bool
	closed   bool
}

var _ iq.Writer = (*MultiReceiver)(nil)

// NewMultiReceiver returns a multi-carrier receiver.
func NewMultiReceiver(cfg MultiConfig) (*MultiReceiver, error) {
	if cfg.MaxCarriers < 1 {
		return nil, fmt.Errorf("air: MaxCarriers %d < 1", cfg.MaxCarriers)
	}
	if cfg.Rx.SampleRateHz < 36000 {
		return nil, fmt.Errorf("air: input rate %.0f S/s below 36 kS/s", cfg.Rx.SampleRateHz)
	}
	if cfg.MinSNRdB == 0 {
		cfg.MinSNRdB = 10
	}
	if cfg.Rx.SearchSeconds == 0 {
		cfg.Rx.SearchSeconds = 0.3
	}
	n := int(cfg.Rx.SearchSeconds * cfg.Rx.SampleRateHz)
	return &MultiReceiver{cfg: cfg, buf: make([]complex64, 0, n)}, nil
}

// Carriers returns the carriers found (empty before the search has run).
func (m *MultiReceiver) Carriers() []Carrier { return m.carriers }

// Receivers returns the per-carrier receivers, in the order of Carriers.
func (m *MultiReceiver) Receivers() []*Receiver { return m.rx }

// Write processes src; it always consumes all of it.
func (m *MultiReceiver) Write(src []complex64) (int, error) {
	if m.closed {
		return 0, fmt.Errorf("air: MultiReceiver.Write after Close")
	}
	n := len(src)
	if !m.started {
		k := min(cap(m.buf)-len(m.buf), len(src))
		m.buf = append(m.buf, src[:k]...)
		src = src[k:]
		if len(m.buf) < cap(m.buf) {
			return n, nil
		}
		if err := m.start(); err != nil {
			return n, err
		}
	}
	for _, r := range m.rx {
		if _, err := r.Write(src); err != nil {
			return n, err
		}
	}
	return n, nil
}

// start searches the buffered input for carriers and starts their receivers.
func (m *MultiReceiver) start() error {
	m.started = true
	c := m.cfg.Rx
	span := c.SearchHz
	if span <= 0 {
		span = c.SampleRateHz/2 - 12500
	}
	m.carriers = FindCarriers(m.buf, c.SampleRateHz, c.OffsetHz, span, m.cfg.MaxCarriers, m.cfg.MinSNRdB)
	for _, car := range m.carriers {
		rc := c
		rc.OffsetHz, rc.SearchHz = car.Hz, 0
		if rc.MaxCFOHz == 0 {
			rc.MaxCFOHz = 2000
		}
		if math.Abs(rc.OffsetHz) >= rc.SampleRateHz/2 {
			continue
		}
		r, err := NewReceiver(rc)
		if err != nil {
			return err
		}
		if _, err := r.Write(m.buf); err != nil {
			return err
		}
		m.rx = append(m.rx, r)
	}
	m.buf = nil
	return nil
}

// Close ends the stream (running the search on a short input) and closes
// every receiver.
func (m *MultiReceiver) Close() error {
	if m.closed {
		return nil
	}
	if !m.started {
		if err := m.start(); err != nil {
			return err
		}
	}
	m.closed = true
	for _, r := range m.rx {
		if err := r.Close(); err != nil {
			return err
		}
	}
	return nil
}
