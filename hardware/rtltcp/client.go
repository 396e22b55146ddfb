package rtltcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// Options tune the client. The zero value gives the defaults.
type Options struct {
	HeaderTimeout time.Duration // wait for the header; default 5 s
	StallTimeout  time.Duration // no bytes for this long is an error; default 2 s
	WriteTimeout  time.Duration // per command; default 5 s
	BufferBytes   int           // read buffer; default 256 KiB
	// LagSlack is how far behind the sample rate the stream may fall before it
	// counts as lagging [s of samples]; default 0.5 s.
	LagSlack float64
}

func (o *Options) defaults() {
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 5 * time.Second
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 2 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.BufferBytes < 2 {
		o.BufferBytes = 256 << 10
	}
	o.BufferBytes &^= 1
	if o.LagSlack <= 0 {
		o.LagSlack = 0.5
	}
}

// Client is a connection to an rtl_tcp server. It is a hardware.Source. Commands
// may be sent while another goroutine reads; reads are serialised.
type Client struct {
	conn   net.Conn
	addr   string
	header Header
	opts   Options
	c      hardware.Counters

	rateBits atomic.Uint64 // math.Float64bits of the last rate set [S/s], 0 before
	lagReset atomic.Bool   // the rate changed: restart the lag measurement

	wmu  sync.Mutex // serialises commands; guards the settings below
	freq float64
	gain float64 // [dB], NaN = automatic
	ppm  int

	rmu      sync.Mutex // serialises reads; guards what follows
	buf      []byte
	have     int // undecoded bytes at the start of buf (0 or 1)
	err      error
	total    uint64    // samples received since the connection opened
	lagStart time.Time // when the rate was last set
	lagBase  uint64    // total at lagStart
	dropped  uint64    // shortfall counted so far
	lagging  atomic.Bool

	closed atomic.Bool
}

// Dial connects to the rtl_tcp server at addr ("host:port") and reads its header.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtltcp: %w (is rtl_tcp running? start it with: rtl_tcp -a %s)", err, hostOf(addr))
	}
	c, err := NewClient(ctx, conn, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil || h == "" {
		return "127.0.0.1"
	}
	return h
}

// NewClient reads the header from an open connection and returns a client that
// owns conn.
func NewClient(ctx context.Context, conn net.Conn, opts Options) (*Client, error) {
	opts.defaults()
	c := &Client{conn: conn, addr: conn.RemoteAddr().String(), opts: opts, gain: math.NaN()}
	deadline := time.Now().Add(opts.HeaderTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	var h [HeaderSize]byte
	n, err := io.ReadFull(conn, h[:])
	stop()
	conn.SetReadDeadline(time.Time{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rtltcp: %s: reading the header: %w", c.addr, ctx.Err())
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("rtltcp: %s sent %d of %d header bytes in %v: %w", c.addr, n, HeaderSize, opts.HeaderTimeout, hardware.ErrServerLagging)
		}
		return nil, fmt.Errorf("rtltcp: %s: header: got %d of %d bytes: %w", c.addr, n, HeaderSize, err)
	}
	hdr, err := ParseHeader(h[:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.addr, err)
	}
	c.header = hdr
	c.buf = make([]byte, opts.BufferBytes)
	return c, nil
}

// Header returns the server's header.
func (c *Client) Header() Header { return c.header }

// Info implements hardware.Device.
func (c *Client) Info() hardware.Info {
	info := hardware.Info{
		Driver: "rtltcp", Serial: c.addr,
		Label: fmt.Sprintf("rtl_tcp server at %s (tuner %s, %d gains)", c.addr, c.header.Tuner, c.header.GainCount),
		RX:    true,
		Freq:  hardware.Range{Min: 1, Max: math.MaxUint32, Step: 1},
		Rate:  hardware.Range{Min: 225001, Max: 3200000, Step: 1},
	}
	if g := c.header.Tuner.Gains(); len(g) > 0 {
		info.Gains = []hardware.GainStage{{Name: "TUNER", Range: hardware.Range{Min: float64(g[0]) / 10, Max: float64(g[len(g)-1]) / 10}}}
	}
	return info
}

// Send sends one raw command. Nothing is acknowledged by the server.
func (c *Client) Send(cmd Command, param uint32) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.send(cmd, param)
}

// send writes a command; c.wmu is held.
func (c *Client) send(cmd Command, param uint32) error {
	if c.closed.Load() {
		return hardware.ErrClosed
	}
	var b [CommandSize]byte
	AppendCommand(b[:0], cmd, param)
	c.conn.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	if _, err := c.conn.Write(b[:]); err != nil {
		return fmt.Errorf("rtltcp: %s: send %s %d: %w", c.addr, cmd, param, err)
	}
	return nil
}

func boolParam(on bool) uint32 {
	if on {
		return 1
	}
	return 0
}

// Tune sets the centre frequency (command 0x01); 1 Hz <= hz < 4.29 GHz. It
// returns hz rounded to whole Hz.
func (c *Client) Tune(ctx context.Context, hz float64) (float64, error) {
	if !(hz >= 1 && hz <= math.MaxUint32) {
		return 0, fmt.Errorf("rtltcp: tune %.0f Hz: outside 1 Hz-4.29 GHz (rtl_tcp sends a uint32)", hz)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	f := math.Round(hz)
	if err := c.send(CmdFreq, uint32(f)); err != nil {
		return 0, err
	}
	c.freq = f
	return f, nil
}

// SetSampleRate sets the sample rate (command 0x02): 225001-300000 or
// 900001-3200000 S/s. It returns sps rounded to whole samples per second.
// Lag detection starts from here.
func (c *Client) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	r := math.Round(sps)
	if !ValidSampleRate(r) {
		return 0, fmt.Errorf("rtltcp: sample rate %.0f S/s: librtlsdr accepts 225001-300000 and 900001-3200000", sps)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.send(CmdSampleRate, uint32(r)); err != nil {
		return 0, err
	}
	c.rateBits.Store(math.Float64bits(r))
	c.lagReset.Store(true)
	return r, nil
}

// SetGain sets the tuner gain in manual mode (commands 0x03 and 0x04). stage is
// "" or "TUNER". With a known tuner the nearest step of its gain list is used.
// It returns the gain applied [dB].
func (c *Client) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	if stage != "" && stage != "TUNER" {
		return 0, fmt.Errorf("rtltcp: gain stage %q: %w (only TUNER)", stage, hardware.ErrNotSupported)
	}
	if math.IsNaN(dB) {
		return math.NaN(), c.SetAutoGain(true)
	}
	tenths := int(math.Round(dB * 10))
	if g := c.header.Tuner.Gains(); len(g) > 0 {
		best := g[0]
		for _, v := range g {
			if abs(v-tenths) < abs(best-tenths) {
				best = v
			}
		}
		tenths = best
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.send(CmdGainMode, 1); err != nil {
		return 0, err
	}
	if err := c.send(CmdGain, uint32(int32(tenths))); err != nil {
		return 0, err
	}
	c.gain = float64(tenths) / 10
	return c.gain, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// SetAutoGain switches the tuner's automatic gain on or off (command 0x03).
func (c *Client) SetAutoGain(on bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.send(CmdGainMode, boolParam(!on)); err != nil {
		return err
	}
	if on {
		c.gain = math.NaN()
	}
	return nil
}

// SetPPM sets the frequency correction (command 0x05), rounded to whole ppm.
func (c *Client) SetPPM(ppm float64) error {
	if math.Abs(ppm) > 1000 || math.IsNaN(ppm) {
		return fmt.Errorf("rtltcp: ppm %g out of range", ppm)
	}
	p := int32(math.Round(ppm))
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.send(CmdFreqCorrection, uint32(p)); err != nil {
		return err
	}
	c.ppm = int(p)
	return nil
}

// SetIFGain sets an IF gain stage (command 0x06) in tenths of dB (E4000).
func (c *Client) SetIFGain(stage uint16, tenthsDB int16) error {
	return c.Send(CmdIFGain, uint32(stage)<<16|uint32(uint16(tenthsDB)))
}

// SetTestMode switches the RTL2832's counter test mode (command 0x07).
func (c *Client) SetTestMode(on bool) error { return c.Send(CmdTestMode, boolParam(on)) }

// SetAGC switches the RTL2832's digital AGC (command 0x08).
func (c *Client) SetAGC(on bool) error { return c.Send(CmdAGCMode, boolParam(on)) }

// SetDirectSampling selects direct sampling: 0 off, 1 I branch, 2 Q branch (command 0x09).
func (c *Client) SetDirectSampling(mode int) error {
	if mode < 0 || mode > 2 {
		return fmt.Errorf("rtltcp: direct sampling mode %d (want 0, 1 or 2)", mode)
	}
	return c.Send(CmdDirectSampling, uint32(mode))
}

// SetOffsetTuning switches offset tuning (command 0x0a, E4000 only).
func (c *Client) SetOffsetTuning(on bool) error { return c.Send(CmdOffsetTuning, boolParam(on)) }

// SetRTLXtal sets the RTL2832 crystal frequency [Hz] (command 0x0b).
func (c *Client) SetRTLXtal(hz uint32) error { return c.Send(CmdRTLXtal, hz) }

// SetTunerXtal sets the tuner crystal frequency [Hz] (command 0x0c).
func (c *Client) SetTunerXtal(hz uint32) error { return c.Send(CmdTunerXtal, hz) }

// SetGainByIndex selects a gain by its index in the tuner's list (command 0x0d).
func (c *Client) SetGainByIndex(i uint32) error { return c.Send(CmdGainByIndex, i) }

// SetBiasTee powers (or unpowers) the antenna port (command 0x0e). Never sent
// unless asked.
func (c *Client) SetBiasTee(on bool) error { return c.Send(CmdBiasTee, boolParam(on)) }

// Stats implements hardware.Device. Dropped is an estimate: the samples the
// stream fell short of the sample rate set, beyond Options.LagSlack (rtl_tcp
// drops whole buffers silently when its client falls behind, so the gap cannot be
// seen in the stream itself).
func (c *Client) Stats() hardware.Stats { return c.c.Stats() }

// Lagging reports whether the stream currently runs behind the sample rate set
// by more than Options.LagSlack.
func (c *Client) Lagging() bool { return c.lagging.Load() }

// Settings implements hardware.Settings: the last rate and frequency set.
func (c *Client) Settings() (float64, float64) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return math.Float64frombits(c.rateBits.Load()), c.freq
}

// Close closes the connection; it unblocks a pending read. Idempotent.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.conn.Close()
}

// Read implements iq.Reader.
func (c *Client) Read(dst []complex64) (int, error) { return c.ReadIQ(context.Background(), dst) }

// ReadIQ reads at least one sample. When the server closes the connection the
// samples already received are returned first and the next call returns an error
// wrapping hardware.ErrStreamTruncated; no bytes for Options.StallTimeout give an
// error wrapping hardware.ErrServerLagging. Both end the stream.
func (c *Client) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.closed.Load() {
		return 0, hardware.ErrClosed
	}
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { c.conn.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	want := min(len(c.buf), 2*len(dst))
	for {
		start := time.Now()
		c.conn.SetReadDeadline(start.Add(c.opts.StallTimeout))
		m, err := c.conn.Read(c.buf[c.have:want])
		c.have += m
		ns := c.have / 2
		if ns > 0 {
			iq.Decode(iq.CU8, dst, c.buf[:2*ns])
			c.have = copy(c.buf, c.buf[2*ns:c.have])
			c.total += uint64(ns)
			c.c.AddSamples(ns)
			c.checkLag(time.Now())
		}
		if err != nil {
			if ctx.Err() != nil {
				if ns > 0 {
					return ns, nil
				}
				return 0, ctx.Err()
			}
			if c.closed.Load() {
				if ns > 0 {
					return ns, nil
				}
				return 0, hardware.ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if time.Since(start) < c.opts.StallTimeout/2 {
					// A deadline left over from an earlier cancelled context.
					if ns > 0 {
						return ns, nil
					}
					continue
				}
				c.err = fmt.Errorf("rtltcp: no samples from %s for %v after %d samples (server dead or stalled, or dongle unplugged): %w",
					c.addr, c.opts.StallTimeout, c.total, hardware.ErrServerLagging)
			} else {
				half := ""
				if c.have > 0 {
					half = " and half a sample"
				}
				cause := err
				if errors.Is(err, io.EOF) {
					cause = io.ErrUnexpectedEOF
				}
				c.err = fmt.Errorf("rtltcp: %s closed the stream after %d samples%s: %w (%w)", c.addr, c.total, half, hardware.ErrStreamTruncated, cause)
			}
			if ns > 0 {
				return ns, nil
			}
			return 0, c.err
		}
		if ns > 0 {
			return ns, nil
		}
	}
}

// checkLag updates the lag estimate; c.rmu is held.
func (c *Client) checkLag(now time.Time) {
	rate := math.Float64frombits(c.rateBits.Load())
	if rate <= 0 {
		return
	}
	if c.lagReset.Swap(false) || c.lagStart.IsZero() {
		c.lagStart, c.lagBase = now, c.total
		return
	}
	expected := now.Sub(c.lagStart).Seconds() * rate
	got := float64(c.total - c.lagBase)
	short := expected - got - c.opts.LagSlack*rate
	if short > 0 {
		was := c.lagging.Swap(true)
		if s := uint64(short); s > c.dropped {
			if was {
				c.c.ExtendDropped(int(s - c.dropped))
			} else {
				c.c.AddDropped(int(s - c.dropped)) // a new lagging episode: one overflow event
			}
			c.dropped = s
		}
	} else {
		c.lagging.Store(false)
	}
}

var _ hardware.Source = (*Client)(nil)
var _ hardware.BiasTee = (*Client)(nil)

func secondsToDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
