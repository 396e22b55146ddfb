// Package rtltcptest is a fake rtl_tcp server on the loopback interface for tests
// of rtl_tcp clients: it sends a configurable header, streams given cu8 bytes
// (once, in a loop, paced or as fast as possible), can stall or hang up
// mid-stream, and records every command it receives.
package rtltcptest

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/tetrasim/tetrasim/hardware/rtltcp"
)

// Config describes the server's behaviour. The zero value sends a valid R820T
// header and then nothing.
type Config struct {
	// Header is sent verbatim when non-nil; otherwise a valid header of Tuner and
	// GainCount (R820T with 29 gains when both are zero).
	Header    []byte
	Tuner     rtltcp.TunerType
	GainCount uint32
	// Data is the cu8 stream. It is sent once and the connection closed (a server
	// that dies mid-stream), unless Loop repeats it for ever.
	Data []byte
	Loop bool
	// BytesPerSecond paces the stream (0: as fast as the client reads).
	BytesPerSecond float64
	// ChunkBytes is the size of each write (default 16 KiB).
	ChunkBytes int
	// Hold keeps the connection open without data once Data has been sent
	// (a stalled server) instead of closing it. A server without Data always holds.
	Hold bool
}

// Received is one command the server got.
type Received struct {
	Cmd   rtltcp.Command
	Param uint32
}

// Server is a running fake server. Safe for concurrent use.
type Server struct {
	cfg Config
	ln  net.Listener
	wg  sync.WaitGroup

	mu    sync.Mutex
	cmds  []Received
	conns map[net.Conn]bool
	sent  int64
	ch    chan struct{} // closed and replaced when a command arrives
	done  bool
}

// NewServer starts a server on 127.0.0.1 on a free port.
func NewServer(cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if cfg.Header == nil && cfg.Tuner == 0 && cfg.GainCount == 0 {
		cfg.Tuner, cfg.GainCount = rtltcp.TunerR820T, 29
	}
	if cfg.ChunkBytes <= 0 {
		cfg.ChunkBytes = 16 << 10
	}
	s := &Server{cfg: cfg, ln: ln, conns: map[net.Conn]bool{}, ch: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Commands returns the commands received so far, in order.
func (s *Server) Commands() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.cmds...)
}

// SentBytes returns the number of stream bytes written so far (header excluded).
func (s *Server) SentBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// WaitCommands waits until at least n commands have arrived and returns them.
func (s *Server) WaitCommands(n int, timeout time.Duration) ([]Received, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s.mu.Lock()
		if len(s.cmds) >= n {
			c := append([]Received(nil), s.cmds...)
			s.mu.Unlock()
			return c, nil
		}
		ch := s.ch
		s.mu.Unlock()
		select {
		case <-ch:
		case <-t.C:
			return s.Commands(), errors.New("rtltcptest: timed out waiting for commands")
		}
	}
}

// Close stops the server and hangs up on the client.
func (s *Server) Close() error {
	s.mu.Lock()
	s.done = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// HangUp closes the current client connection (the server keeps listening).
func (s *Server) HangUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.serve(c) // one client at a time, as rtl_tcp
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}
}

func (s *Server) serve(c net.Conn) {
	var rd sync.WaitGroup
	rd.Add(1)
	go func() { // commands
		defer rd.Done()
		var b [rtltcp.CommandSize]byte
		for {
			if _, err := io.ReadFull(c, b[:]); err != nil {
				return
			}
			cmd, p, _ := rtltcp.ParseCommand(b[:])
			s.mu.Lock()
			s.cmds = append(s.cmds, Received{cmd, p})
			close(s.ch)
			s.ch = make(chan struct{})
			s.mu.Unlock()
		}
	}()
	defer rd.Wait()
	defer c.Close()
	h := s.cfg.Header
	if h == nil {
		h, _ = rtltcp.Header{Tuner: s.cfg.Tuner, GainCount: s.cfg.GainCount}.AppendBinary(nil)
	}
	if _, err := c.Write(h); err != nil {
		return
	}
	start := time.Now()
	var sent int64
	for len(s.cfg.Data) > 0 {
		for off := 0; off < len(s.cfg.Data); {
			end := min(off+s.cfg.ChunkBytes, len(s.cfg.Data))
			if s.cfg.BytesPerSecond > 0 {
				due := start.Add(time.Duration(float64(sent) / s.cfg.BytesPerSecond * float64(time.Second)))
				time.Sleep(time.Until(due))
			}
			n, err := c.Write(s.cfg.Data[off:end])
			sent += int64(n)
			s.mu.Lock()
			s.sent += int64(n)
			s.mu.Unlock()
			if err != nil {
				return
			}
			off = end
		}
		if !s.cfg.Loop {
			break
		}
	}
	if s.cfg.Hold || len(s.cfg.Data) == 0 {
		// Stall: keep the connection open until the client or Close hangs up.
		rd.Wait()
	}
}
