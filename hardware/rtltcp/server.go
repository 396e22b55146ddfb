package rtltcp

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// Server is a hardware.Sink that serves the samples written to it as an
// rtl_tcp server (sdr-hardware.md §2, "tetrasim as a server"), so that SDR++,
// gqrx or rtl_433 can show tetrasim's signal: it listens, greets each client
// with an R820T header, streams cu8 paced to the sample rate, and reads (and
// records, but does not act on) the client's commands. One client at a time,
// as rtl_tcp. Writes block until a client is connected; samples written while
// the client's socket is backed up are dropped and counted, as a real dongle
// would. It does not radiate.
type Server struct {
	ln    net.Listener
	c     hardware.Counters
	pacer hardware.Pacer

	mu       sync.Mutex
	conn     net.Conn
	connCh   chan struct{} // closed and replaced when a client connects
	closed   bool
	served   bool // a client has connected at least once
	rate     float64
	freq     float64
	lastCmds map[Command]uint32
	buf      []byte
	wg       sync.WaitGroup
}

// NewServer listens on addr ("127.0.0.1:1234"; port 0 picks one).
func NewServer(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtltcp: listen %s: %w", addr, err)
	}
	s := &Server{ln: ln, connCh: make(chan struct{}), lastCmds: map[Command]uint32{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the listening address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed || s.conn != nil {
			s.mu.Unlock()
			c.Close() // one client at a time
			continue
		}
		hdr, _ := Header{Tuner: TunerR820T, GainCount: uint32(len(TunerR820T.Gains()))}.AppendBinary(nil)
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(hdr); err != nil {
			s.mu.Unlock()
			c.Close()
			continue
		}
		s.conn = c
		s.served = true
		close(s.connCh)
		s.connCh = make(chan struct{})
		s.mu.Unlock()
		s.wg.Add(1)
		go s.commands(c)
	}
}

// commands reads the client's commands until it hangs up.
func (s *Server) commands(c net.Conn) {
	defer s.wg.Done()
	var b [CommandSize]byte
	for {
		if _, err := io.ReadFull(c, b[:]); err != nil {
			s.drop(c)
			return
		}
		cmd, p, _ := ParseCommand(b[:])
		s.mu.Lock()
		s.lastCmds[cmd] = p
		s.mu.Unlock()
	}
}

// drop forgets client c.
func (s *Server) drop(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == c {
		s.conn = nil
	}
	c.Close()
}

// LastCommand returns the last parameter the client sent for cmd.
func (s *Server) LastCommand(cmd Command) (uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.lastCmds[cmd]
	return p, ok
}

// Info implements hardware.Device.
func (s *Server) Info() hardware.Info {
	return hardware.Info{Driver: "rtltcpd", Serial: s.Addr(), Label: "rtl_tcp server on " + s.Addr(), TX: true}
}

// Tune records the centre frequency (metadata for the stream).
func (s *Server) Tune(ctx context.Context, hz float64) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.freq = hz
	return hz, nil
}

// SetSampleRate sets the pacing rate [S/s].
func (s *Server) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if !(sps > 0) {
		return 0, fmt.Errorf("rtltcp: server sample rate %g must be > 0", sps)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate = sps
	return sps, nil
}

// SetGain is not supported.
func (s *Server) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return 0, fmt.Errorf("rtltcp: server gain: %w", hardware.ErrNotSupported)
}

// SetPPM is not supported.
func (s *Server) SetPPM(float64) error {
	return fmt.Errorf("rtltcp: server ppm: %w", hardware.ErrNotSupported)
}

// Stats implements hardware.Device: Samples sent, Dropped while the client lagged.
func (s *Server) Stats() hardware.Stats { return s.c.Stats() }

// Write implements iq.Writer.
func (s *Server) Write(src []complex64) (int, error) { return s.WriteIQ(context.Background(), src) }

// WriteIQ waits for a client, then sends src as cu8, paced to the sample rate
// when one is set.
func (s *Server) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	done := 0
	for done < len(src) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return done, hardware.ErrClosed
		}
		c, ch, rate, served := s.conn, s.connCh, s.rate, s.served
		s.mu.Unlock()
		if c == nil && served {
			// The client left: drop in real time until another connects.
			k := min(len(src)-done, 1<<15)
			s.c.AddDropped(k)
			done += k
			if rate > 0 {
				s.pacer.Rate = rate
				if err := s.pacer.Wait(ctx, k); err != nil {
					return done, err
				}
			}
			continue
		}
		if c == nil {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return done, ctx.Err()
			}
		}
		k := min(len(src)-done, 1<<15)
		if cap(s.buf) < 2*k {
			s.buf = make([]byte, 2<<15)
		}
		b := s.buf[:2*k]
		iq.Encode(iq.CU8, b, src[done:done+k])
		c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		n, err := c.Write(b)
		if err != nil {
			s.c.AddDropped(k - n/2)
			s.drop(c) // the client went away or stalled: wait for the next one
		}
		s.c.AddSamples(n / 2)
		done += k
		if rate > 0 {
			s.pacer.Rate = rate
			if err := s.pacer.Wait(ctx, k); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// Flush returns at once: samples are on the wire when WriteIQ returns.
func (s *Server) Flush(ctx context.Context) error { return nil }

// Close stops listening and hangs up on the client. Idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
	}
	close(s.connCh)
	s.connCh = make(chan struct{})
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// ServerDriver returns the driver of the rtl_tcp server sink:
// "rtltcpd=HOST:PORT[,rate=R][,freq=F]" (default 127.0.0.1:1234). Transmit only.
func ServerDriver() hardware.Driver {
	return hardware.Driver{
		Name:  "rtltcpd",
		Usage: "rtltcpd=HOST:PORT[,rate=R][,freq=F] (serve the samples written to it to rtl_tcp clients)",
		Keys:  []string{"rate", "freq"},
		Open: func(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
			if dir != hardware.TX {
				return nil, fmt.Errorf("%w: rtltcpd serves samples (a sink); to receive from rtl_tcp use rtltcp=", hardware.ErrDirection)
			}
			addr := a.Value
			if addr == "" {
				addr = "127.0.0.1:1234"
			}
			s, err := NewServer(addr)
			if err != nil {
				return nil, err
			}
			if err := hardware.ApplyCommon(ctx, s, a); err != nil {
				s.Close()
				return nil, err
			}
			return s, nil
		},
	}
}

var _ hardware.Sink = (*Server)(nil)
