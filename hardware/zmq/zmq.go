// Package zmq streams IQ samples over ZeroMQ to and from GNU Radio flowgraphs
// (shared design note sdr-hardware.md §4), in pure Go with
// github.com/go-zeromq/zmq4: PUB/SUB and PUSH/PULL, each message the raw bytes of
// whole samples (cf32 by default, GNU Radio's gr_complex), an optional key frame
// first, and no tag header (GNU Radio's pass_tags must be off).
//
// As in GNU Radio, sinks bind and sources connect by default: a GNU Radio
// pub_sink or push_sink binds, and our SUB or PULL source dials it; our PUB or
// PUSH sink binds and GNU Radio's sub_source or pull_source connects. A PUSH sink
// blocks until a peer is connected (so nothing is lost before GNU Radio starts); a
// PUB sink drops while nobody subscribes (the usual slow-joiner caveat), and a
// SUB source drops messages it cannot queue, counted in Stats().Dropped.
package zmq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// ErrMessage reports a message that is not a whole number of samples.
var ErrMessage = errors.New("zmq: bad message")

// DefaultMessageSamples is the number of samples per message a sink sends (32 KiB of cf32).
const DefaultMessageSamples = 4096

// Options configure a source or sink.
type Options struct {
	Pattern string    // "sub", "pull" (sources), "pub", "push" (sinks)
	Bind    *bool     // nil: sinks bind, sources dial
	Format  iq.Format // 0: cf32
	Key     string    // key (topic) frame sent before each message; SUB subscribes to it
	// MessageSamples is the number of samples per message of a sink (default 4096).
	MessageSamples int
	// Queue is the number of received messages a source buffers (default 64).
	Queue int
	// Wait is how long a PUSH sink's first write waits for a peer (default 60 s).
	Wait time.Duration
}

func (o *Options) defaults(dir hardware.Direction) error {
	o.Pattern = strings.ToLower(o.Pattern)
	if o.Pattern == "" {
		if dir == hardware.RX {
			o.Pattern = "sub"
		} else {
			o.Pattern = "push"
		}
	}
	switch {
	case dir == hardware.RX && (o.Pattern == "sub" || o.Pattern == "pull"):
	case dir == hardware.TX && (o.Pattern == "pub" || o.Pattern == "push"):
	default:
		return fmt.Errorf("%w: zmq: pattern %q cannot %s (sources: sub, pull; sinks: pub, push)", hardware.ErrDirection, o.Pattern, map[hardware.Direction]string{hardware.RX: "receive", hardware.TX: "transmit"}[dir])
	}
	if o.Format == 0 {
		o.Format = iq.CF32
	}
	if o.MessageSamples <= 0 {
		o.MessageSamples = DefaultMessageSamples
	}
	if o.Queue <= 0 {
		o.Queue = 64
	}
	if o.Wait <= 0 {
		o.Wait = time.Minute
	}
	return nil
}

func quiet() zmq4.Option { return zmq4.WithLogger(log.New(io.Discard, "", 0)) }

// dialRetry and dialRetries bound how long a connecting socket waits for its
// peer: 40 × 250 ms = 10 s (or until the context given to NewSource or NewSink ends).
const (
	dialRetry   = 250 * time.Millisecond
	dialRetries = 40
)

func dialOpts() []zmq4.Option {
	return []zmq4.Option{quiet(), zmq4.WithDialerRetry(dialRetry), zmq4.WithDialerMaxRetries(dialRetries)}
}

// connect binds or dials; ctx ends a dial that waits for its peer (by
// cancelling the socket, via cancel).
func connect(ctx context.Context, cancel context.CancelFunc, sock zmq4.Socket, endpoint string, bind bool) error {
	if bind {
		if err := sock.Listen(endpoint); err != nil {
			return fmt.Errorf("zmq: bind %s: %w", endpoint, err)
		}
		return nil
	}
	stop := context.AfterFunc(ctx, cancel)
	err := sock.Dial(endpoint)
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("zmq: connect %s: %w", endpoint, ctx.Err())
		}
		return fmt.Errorf("zmq: connect %s: no peer within %v: %w (is the GNU Radio flowgraph running, with its sink bound there?)", endpoint, dialRetry*dialRetries, err)
	}
	return nil
}

// Source receives samples from a SUB or PULL socket. It is a hardware.Source.
type Source struct {
	sock     zmq4.Socket
	cancel   context.CancelFunc
	endpoint string
	o        Options
	bps      int
	c        hardware.Counters
	msgs     chan []byte
	done     chan struct{} // closed by Close
	once     sync.Once
	rerr     atomic.Pointer[error] // terminal error of the receive loop
	wg       sync.WaitGroup

	mu  sync.Mutex // serialises reads
	cur []byte

	meta       sync.Mutex
	rate, freq float64 // metadata given by the user
}

// NewSource opens a source on endpoint ("tcp://127.0.0.1:5555", "ipc:///tmp/x").
func NewSource(ctx context.Context, endpoint string, o Options) (*Source, error) {
	if err := o.defaults(hardware.RX); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	var sock zmq4.Socket
	if o.Pattern == "sub" {
		sock = zmq4.NewSub(sctx, dialOpts()...)
	} else {
		sock = zmq4.NewPull(sctx, dialOpts()...)
	}
	bind := o.Bind != nil && *o.Bind
	if err := connect(ctx, cancel, sock, endpoint, bind); err != nil {
		cancel()
		sock.Close()
		return nil, err
	}
	if o.Pattern == "sub" {
		if err := sock.SetOption(zmq4.OptionSubscribe, o.Key); err != nil {
			cancel()
			sock.Close()
			return nil, fmt.Errorf("zmq: subscribe: %w", err)
		}
	}
	s := &Source{sock: sock, cancel: cancel, endpoint: endpoint, o: o, bps: o.Format.BytesPerSample(),
		msgs: make(chan []byte, o.Queue), done: make(chan struct{})}
	if a := sock.Addr(); a != nil {
		s.endpoint = "tcp://" + a.String()
	}
	s.wg.Add(1)
	go s.receive()
	return s, nil
}

func (s *Source) fail(err error) { s.rerr.Store(&err) }

// receive runs until the socket is closed or a bad message arrives.
func (s *Source) receive() {
	defer s.wg.Done()
	defer close(s.msgs)
	for {
		m, err := s.sock.Recv()
		if err != nil {
			select {
			case <-s.done:
			default:
				s.fail(fmt.Errorf("zmq: receive from %s: %w", s.endpoint, err))
			}
			return
		}
		frames := m.Frames
		if s.o.Key != "" && len(frames) > 1 {
			frames = frames[1:]
		}
		data := frames[0]
		if len(frames) > 1 {
			data = nil
			for _, f := range frames {
				data = append(data, f...)
			}
		}
		if len(data)%s.bps != 0 {
			hint := ""
			if len(data) >= 2 && data[0] == 0xf0 && data[1] == 0x5f {
				hint = "; it starts with GNU Radio's tag header 0x5FF0: turn pass_tags off"
			}
			s.fail(fmt.Errorf("%w: %d bytes from %s is not a whole number of %s samples (check the block's item type and vlen%s)",
				ErrMessage, len(data), s.endpoint, s.o.Format, hint))
			return
		}
		if s.o.Pattern == "sub" {
			select {
			case s.msgs <- data:
			default:
				s.c.AddDropped(len(data) / s.bps) // reader too slow: drop, as PUB/SUB does
			}
			continue
		}
		select {
		case s.msgs <- data: // PULL: back-pressure
		case <-s.done:
			return
		}
	}
}

// Info implements hardware.Device.
func (s *Source) Info() hardware.Info {
	return hardware.Info{Driver: "zmq", Serial: s.endpoint, Label: fmt.Sprintf("ZeroMQ %s %s (%s)", strings.ToUpper(s.o.Pattern), s.endpoint, s.o.Format), RX: true}
}

// Endpoint returns the endpoint, with the port resolved when bound to port 0.
func (s *Source) Endpoint() string { return s.endpoint }

// Tune records hz as the stream's centre frequency (metadata for recordings):
// the flowgraph owns the radio, so tune it there.
func (s *Source) Tune(ctx context.Context, hz float64) (float64, error) {
	s.meta.Lock()
	defer s.meta.Unlock()
	s.freq = hz
	return hz, nil
}

// SetSampleRate records sps as the stream's sample rate (metadata): the
// flowgraph sets the real rate, and it must match.
func (s *Source) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if !(sps > 0) {
		return 0, fmt.Errorf("zmq: sample rate %g must be > 0", sps)
	}
	s.meta.Lock()
	defer s.meta.Unlock()
	s.rate = sps
	return sps, nil
}

// Settings implements hardware.Settings with the values given to
// SetSampleRate and Tune.
func (s *Source) Settings() (float64, float64) {
	s.meta.Lock()
	defer s.meta.Unlock()
	return s.rate, s.freq
}

// SetGain is not supported.
func (s *Source) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("zmq: gain: %w", hardware.ErrNotSupported)
}

// SetPPM is not supported.
func (s *Source) SetPPM(float64) error { return fmt.Errorf("zmq: ppm: %w", hardware.ErrNotSupported) }

// Stats implements hardware.Device.
func (s *Source) Stats() hardware.Stats { return s.c.Stats() }

// Close closes the socket and unblocks a pending read. Idempotent.
func (s *Source) Close() error {
	s.once.Do(func() {
		close(s.done)
		s.cancel()
		s.sock.Close()
	})
	s.wg.Wait()
	return nil
}

// Read implements iq.Reader.
func (s *Source) Read(dst []complex64) (int, error) { return s.ReadIQ(context.Background(), dst) }

// ReadIQ returns the samples of the next message (or what is left of it).
func (s *Source) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cur) == 0 {
		select {
		case <-s.done:
			return 0, hardware.ErrClosed
		default:
		}
		select {
		case d, ok := <-s.msgs:
			if !ok {
				if e := s.rerr.Load(); e != nil {
					return 0, *e
				}
				return 0, hardware.ErrClosed
			}
			s.cur = d
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.done:
			return 0, hardware.ErrClosed
		}
	}
	n := min(len(dst), len(s.cur)/s.bps)
	iq.Decode(s.o.Format, dst, s.cur[:n*s.bps])
	s.cur = s.cur[n*s.bps:]
	s.c.AddSamples(n)
	return n, nil
}

// Sink sends samples on a PUB or PUSH socket. It is a hardware.Sink.
type Sink struct {
	sock     zmq4.Socket
	cancel   context.CancelFunc
	endpoint string
	o        Options
	bps      int
	c        hardware.Counters
	mu       sync.Mutex
	closed   bool
}

// NewSink opens a sink on endpoint.
func NewSink(ctx context.Context, endpoint string, o Options) (*Sink, error) {
	if err := o.defaults(hardware.TX); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	var sock zmq4.Socket
	if o.Pattern == "pub" {
		sock = zmq4.NewPub(sctx, quiet())
	} else {
		sock = zmq4.NewPush(sctx, append(dialOpts(), zmq4.WithTimeout(o.Wait))...)
	}
	bind := o.Bind == nil || *o.Bind
	if err := connect(ctx, cancel, sock, endpoint, bind); err != nil {
		cancel()
		sock.Close()
		return nil, err
	}
	if o.Pattern == "pub" {
		sock.SetOption(zmq4.OptionHWM, 1000) // bound the send queue [messages]
	}
	s := &Sink{sock: sock, cancel: cancel, endpoint: endpoint, o: o, bps: o.Format.BytesPerSample()}
	if a := sock.Addr(); a != nil {
		s.endpoint = "tcp://" + a.String()
	}
	return s, nil
}

// Info implements hardware.Device.
func (s *Sink) Info() hardware.Info {
	return hardware.Info{Driver: "zmq", Serial: s.endpoint, Label: fmt.Sprintf("ZeroMQ %s %s (%s)", strings.ToUpper(s.o.Pattern), s.endpoint, s.o.Format), TX: true}
}

// Endpoint returns the endpoint, with the port resolved when bound to port 0.
func (s *Sink) Endpoint() string { return s.endpoint }

// Tune records nothing: the flowgraph owns the radio. It returns hz so that a
// transmitter can run unchanged into a flowgraph.
func (s *Sink) Tune(ctx context.Context, hz float64) (float64, error) { return hz, nil }

// SetSampleRate returns sps: the flowgraph must run at the same rate.
func (s *Sink) SetSampleRate(ctx context.Context, sps float64) (float64, error) { return sps, nil }

// SetGain is not supported.
func (s *Sink) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("zmq: gain: %w", hardware.ErrNotSupported)
}

// SetPPM is not supported.
func (s *Sink) SetPPM(float64) error { return fmt.Errorf("zmq: ppm: %w", hardware.ErrNotSupported) }

// Stats implements hardware.Device.
func (s *Sink) Stats() hardware.Stats { return s.c.Stats() }

// Write implements iq.Writer.
func (s *Sink) Write(src []complex64) (int, error) { return s.WriteIQ(context.Background(), src) }

// WriteIQ sends src in messages of Options.MessageSamples. A PUSH sink blocks
// until a peer has connected (at most Options.Wait); Close unblocks it. Once
// the peer has left, messages are discarded by the socket without notice.
func (s *Sink) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := 0
	for done < len(src) {
		if s.closed {
			return done, hardware.ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return done, err
		}
		k := min(s.o.MessageSamples, len(src)-done)
		buf := make([]byte, k*s.bps) // the socket may queue the message: a fresh buffer each
		iq.Encode(s.o.Format, buf, src[done:done+k])
		var err error
		t0 := time.Now()
		if s.o.Key != "" {
			err = s.sock.SendMulti(zmq4.NewMsgFrom([]byte(s.o.Key), buf))
		} else {
			err = s.sock.Send(zmq4.NewMsg(buf))
		}
		if err != nil {
			if s.closed {
				return done, hardware.ErrClosed
			}
			return done, fmt.Errorf("zmq: send to %s: %w", s.endpoint, err)
		}
		if s.o.Pattern == "push" && time.Since(t0) >= s.o.Wait {
			// zmq4 gives up waiting for a peer silently: the message went nowhere.
			return done, fmt.Errorf("zmq: send to %s: no peer connected within %v (start the GNU Radio flowgraph, or give wait=SECONDS)", s.endpoint, s.o.Wait)
		}
		done += k
		s.c.AddSamples(k)
	}
	return done, nil
}

// Flush returns at once: PUSH messages are written when WriteIQ returns, and PUB
// messages leave from the socket's queue.
func (s *Sink) Flush(ctx context.Context) error { return nil }

// Close closes the socket. Idempotent.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	return s.sock.Close()
}

// Driver returns the ZeroMQ driver:
// "zmq=ENDPOINT[,pattern=sub|pull|pub|push][,bind=0|1][,format=cf32|cs16|cs8|cu8][,key=TOPIC][,msg=SAMPLES]".
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "zmq",
		Usage: "zmq=tcp://HOST:PORT[,pattern=sub|pull (rx) or pub|push (tx)][,bind=0|1][,format=cf32|cs16|cs8|cu8][,key=TOPIC][,msg=SAMPLES][,wait=SECONDS]",
		Keys:  []string{"pattern", "bind", "format", "fmt", "key", "msg", "queue", "wait"},
		Open:  open,
	}
}

func open(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if a.Value == "" {
		return nil, fmt.Errorf("%w: zmq= needs an endpoint such as tcp://127.0.0.1:5555", hardware.ErrBadSpec)
	}
	ep := a.Value
	if !strings.Contains(ep, "://") {
		ep = "tcp://" + ep
	}
	o := Options{Pattern: a.Str("pattern", ""), Key: a.Str("key", "")}
	if a.Has("bind") {
		b, err := a.Bool("bind", false)
		if err != nil {
			return nil, err
		}
		o.Bind = &b
	}
	if f := a.Str("format", a.Str("fmt", "")); f != "" {
		var err error
		if o.Format, err = iq.ParseFormat(f); err != nil {
			return nil, fmt.Errorf("zmq: %w", err)
		}
	}
	m, err := a.Float("msg", 0)
	if err != nil {
		return nil, err
	}
	o.MessageSamples = int(m)
	q, err := a.Float("queue", 0)
	if err != nil {
		return nil, err
	}
	o.Queue = int(q)
	w, err := a.Float("wait", 0)
	if err != nil {
		return nil, err
	}
	o.Wait = time.Duration(w * float64(time.Second))
	if dir == hardware.RX {
		return NewSource(ctx, ep, o)
	}
	return NewSink(ctx, ep, o)
}

var (
	_ hardware.Source = (*Source)(nil)
	_ hardware.Sink   = (*Sink)(nil)
)
