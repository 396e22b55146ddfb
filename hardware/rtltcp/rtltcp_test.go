package rtltcp_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/rtltcp"
	"github.com/tetrasim/tetrasim/hardware/rtltcp/rtltcptest"
	"github.com/tetrasim/tetrasim/iq"
)

func server(t testing.TB, cfg rtltcptest.Config) *rtltcptest.Server {
	t.Helper()
	s, err := rtltcptest.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t testing.TB, s *rtltcptest.Server, o rtltcp.Options) *rtltcp.Client {
	t.Helper()
	c, err := rtltcp.Dial(context.Background(), s.Addr(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestHeader(t *testing.T) {
	// Known answer: "RTL0", tuner 5 (R820T), 29 gains, big-endian.
	want := []byte{'R', 'T', 'L', '0', 0, 0, 0, 5, 0, 0, 0, 29}
	got, _ := rtltcp.Header{Tuner: rtltcp.TunerR820T, GainCount: 29}.AppendBinary(nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("header % x, want % x", got, want)
	}
	s := server(t, rtltcptest.Config{Tuner: rtltcp.TunerE4000, GainCount: 14})
	c := dial(t, s, rtltcp.Options{})
	if h := c.Header(); h.Tuner != rtltcp.TunerE4000 || h.GainCount != 14 {
		t.Errorf("header %+v", h)
	}
	if info := c.Info(); info.Driver != "rtltcp" || !info.RX || info.TX || len(info.Gains) != 1 || info.Gains[0].Range.Max != 42 {
		t.Errorf("info %+v", info)
	}
}

func TestBadHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		hdr  []byte
		want string
	}{
		{"soapy", []byte("SOAPYREMOTE!"), `magic "SOAP"`},
		{"binary", []byte{0, 1, 2, 3, 0, 0, 0, 5, 0, 0, 0, 29}, "00 01 02 03"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := server(t, rtltcptest.Config{Header: c.hdr})
			_, err := rtltcp.Dial(context.Background(), s.Addr(), rtltcp.Options{})
			if !errors.Is(err, rtltcp.ErrBadHeader) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadHeader naming %q", err, c.want)
			}
		})
	}
	// A server that sends half a header and stalls.
	s := server(t, rtltcptest.Config{Header: []byte("RTL0\x00"), Hold: true})
	_, err := rtltcp.Dial(context.Background(), s.Addr(), rtltcp.Options{HeaderTimeout: 200 * time.Millisecond})
	if !errors.Is(err, hardware.ErrServerLagging) || !strings.Contains(err.Error(), "5 of 12") {
		t.Fatalf("short header: %v", err)
	}
	// Nothing listening.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if _, err := rtltcp.Dial(context.Background(), addr, rtltcp.Options{}); err == nil || !strings.Contains(err.Error(), "rtl_tcp -a") {
		t.Fatalf("no server: %v", err)
	}
}

// TestEveryCommand sends each of the 14 commands and checks the bytes the server got.
func TestEveryCommand(t *testing.T) {
	s := server(t, rtltcptest.Config{})
	c := dial(t, s, rtltcp.Options{})
	ctx := context.Background()
	type want = rtltcptest.Received
	var exp []want
	check := func(name string, err error, w ...want) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		exp = append(exp, w...)
	}
	f, err := c.Tune(ctx, 433.92e6)
	check("tune", err, rc(rtltcp.CmdFreq, 433920000))
	if f != 433.92e6 {
		t.Errorf("tune returned %g", f)
	}
	r, err := c.SetSampleRate(ctx, 2.304e6)
	check("rate", err, rc(rtltcp.CmdSampleRate, 2304000))
	if r != 2.304e6 {
		t.Errorf("rate returned %g", r)
	}
	check("auto gain", c.SetAutoGain(true), rc(rtltcp.CmdGainMode, 0))
	g, err := c.SetGain(ctx, "", 30) // R820T nearest step: 29.7 dB
	check("gain", err, rc(rtltcp.CmdGainMode, 1), rc(rtltcp.CmdGain, 297))
	if g != 29.7 {
		t.Errorf("gain returned %g, want 29.7", g)
	}
	check("ppm", c.SetPPM(-12), rc(rtltcp.CmdFreqCorrection, 0xFFFFFFF4))
	check("if gain", c.SetIFGain(3, -25), rc(rtltcp.CmdIFGain, 3<<16|0xFFE7))
	check("test mode", c.SetTestMode(true), rc(rtltcp.CmdTestMode, 1))
	check("agc", c.SetAGC(true), rc(rtltcp.CmdAGCMode, 1))
	check("direct", c.SetDirectSampling(2), rc(rtltcp.CmdDirectSampling, 2))
	check("offset", c.SetOffsetTuning(true), rc(rtltcp.CmdOffsetTuning, 1))
	check("rtl xtal", c.SetRTLXtal(28800000), rc(rtltcp.CmdRTLXtal, 28800000))
	check("tuner xtal", c.SetTunerXtal(28800000), rc(rtltcp.CmdTunerXtal, 28800000))
	check("gain index", c.SetGainByIndex(7), rc(rtltcp.CmdGainByIndex, 7))
	check("bias tee", c.SetBiasTee(false), rc(rtltcp.CmdBiasTee, 0))
	got, err := s.WaitCommands(len(exp), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(exp) {
		t.Fatalf("got %d commands, want %d", len(got), len(exp))
	}
	seen := map[rtltcp.Command]bool{}
	for i := range exp {
		if got[i] != exp[i] {
			t.Errorf("command %d: got %v %#x, want %v %#x", i, got[i].Cmd, got[i].Param, exp[i].Cmd, exp[i].Param)
		}
		seen[got[i].Cmd] = true
	}
	if len(seen) != 14 {
		t.Errorf("%d distinct commands, want all 14", len(seen))
	}
	// Out-of-range requests are refused before anything is sent.
	for name, err := range map[string]error{
		"rate 1 MS/s gap": func() error { _, err := c.SetSampleRate(ctx, 500e3); return err }(),
		"freq 5 GHz":      func() error { _, err := c.Tune(ctx, 5e9); return err }(),
		"direct 3":        c.SetDirectSampling(3),
		"stage LNA":       func() error { _, err := c.SetGain(ctx, "LNA", 1); return err }(),
	} {
		if err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if n := len(s.Commands()); n != len(exp) {
		t.Errorf("refused requests still sent: %d commands", n)
	}
}

func rc(c rtltcp.Command, p uint32) rtltcptest.Received {
	return rtltcptest.Received{Cmd: c, Param: p}
}

func cu8Ramp(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

// TestStreaming checks the samples are the cu8 bytes decoded, in order, over many reads.
func TestStreaming(t *testing.T) {
	data := cu8Ramp(2 * 300001)
	s := server(t, rtltcptest.Config{Data: data, Loop: true, ChunkBytes: 1001})
	c := dial(t, s, rtltcp.Options{BufferBytes: 4097})
	want := make([]complex64, 300001)
	iq.Decode(iq.CU8, want, data)
	got := make([]complex64, len(want)*2)
	if n, err := iq.ReadFull(c, got); n != len(got) || err != nil {
		t.Fatalf("ReadFull %d %v", n, err)
	}
	for i := range got {
		if got[i] != want[i%len(want)] {
			t.Fatalf("sample %d: %v, want %v", i, got[i], want[i%len(want)])
		}
	}
	if st := c.Stats(); st.Samples != uint64(len(got)) {
		t.Errorf("stats %+v", st)
	}
}

// TestDisconnectMidStream: the server dies after an odd number of bytes; every
// whole sample is delivered, then a clear error.
func TestDisconnectMidStream(t *testing.T) {
	data := cu8Ramp(2*5000 + 1)
	s := server(t, rtltcptest.Config{Data: data})
	c := dial(t, s, rtltcp.Options{})
	got := make([]complex64, 0, 6000)
	buf := make([]complex64, 777)
	var err error
	for {
		var n int
		n, err = c.ReadIQ(context.Background(), buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if len(got) != 5000 {
		t.Fatalf("kept %d samples, want 5000", len(got))
	}
	want := make([]complex64, 5000)
	iq.Decode(iq.CU8, want, data)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d differs", i)
		}
	}
	if !errors.Is(err, hardware.ErrStreamTruncated) || !strings.Contains(err.Error(), "after 5000 samples and half a sample") {
		t.Fatalf("err = %v", err)
	}
	if _, err2 := c.ReadIQ(context.Background(), buf); !errors.Is(err2, hardware.ErrStreamTruncated) {
		t.Errorf("error not sticky: %v", err2)
	}
}

func TestStalledServer(t *testing.T) {
	s := server(t, rtltcptest.Config{Data: cu8Ramp(2000), Hold: true})
	c := dial(t, s, rtltcp.Options{StallTimeout: 150 * time.Millisecond})
	buf := make([]complex64, 4096)
	total := 0
	var err error
	for err == nil {
		var n int
		n, err = c.ReadIQ(context.Background(), buf)
		total += n
	}
	if total != 1000 || !errors.Is(err, hardware.ErrServerLagging) || !strings.Contains(err.Error(), "after 1000 samples") {
		t.Fatalf("total %d, err %v", total, err)
	}
}

func TestLaggingServer(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 1.5 s")
	}
	// The client asks for 1 MS/s; the server delivers 0.25 MS/s.
	s := server(t, rtltcptest.Config{Data: cu8Ramp(1 << 20), Loop: true, BytesPerSecond: 2 * 250e3, ChunkBytes: 8192})
	c := dial(t, s, rtltcp.Options{LagSlack: 0.2})
	if _, err := c.SetSampleRate(context.Background(), 1e6); err != nil {
		t.Fatal(err)
	}
	buf := make([]complex64, 8192)
	start := time.Now()
	deadline := start.Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if _, err := c.ReadIQ(context.Background(), buf); err != nil {
			t.Fatal(err)
		}
	}
	st := c.Stats()
	// About 1.5 s x 0.75 MS/s short, less 0.2 s of slack: about 0.9 M samples;
	// never more than the elapsed time at 1 MS/s.
	if !c.Lagging() || st.Dropped < 500e3 || float64(st.Dropped) > time.Since(start).Seconds()*1e6 || st.Overflows == 0 {
		t.Errorf("lagging=%v stats %+v", c.Lagging(), st)
	}
}

func TestCancelAndClose(t *testing.T) {
	s := server(t, rtltcptest.Config{})
	c := dial(t, s, rtltcp.Options{StallTimeout: 10 * time.Second})
	buf := make([]complex64, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.ReadIQ(ctx, buf); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancel: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("cancel took too long")
	}
	done := make(chan error)
	go func() { _, err := c.ReadIQ(context.Background(), buf); done <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, hardware.ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not unblock ReadIQ")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDriver(t *testing.T) {
	data := cu8Ramp(20000)
	s := server(t, rtltcptest.Config{Data: data, Loop: true})
	reg := hardware.NewRegistry(rtltcp.Driver())
	src, err := reg.OpenSource(context.Background(), "rtltcp="+s.Addr()+",freq=433.92M,rate=2.304e6,gain=auto,ppm=3,biastee=0,agc=1,direct=0")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, err := s.WaitCommands(7, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := []rtltcptest.Received{rc(rtltcp.CmdGainMode, 0), rc(rtltcp.CmdSampleRate, 2304000), rc(rtltcp.CmdFreqCorrection, 3),
		rc(rtltcp.CmdFreq, 433920000), rc(rtltcp.CmdBiasTee, 0), rc(rtltcp.CmdAGCMode, 1), rc(rtltcp.CmdDirectSampling, 0)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	buf := make([]complex64, 100)
	if n, err := iq.ReadFull(src, buf); n != 100 || err != nil || buf[1] != complex((7*2-127.5)/127.5, (7*3-127.5)/127.5) {
		t.Errorf("read %d %v %v", n, err, buf[1])
	}
	if _, err := reg.OpenSink(context.Background(), "rtltcp="+s.Addr(), hardware.TXPolicy{}); !errors.Is(err, hardware.ErrDirection) {
		t.Errorf("rtltcp sink: %v", err)
	}
	src.Close() // rtl_tcp serves one client at a time
	if _, err := reg.OpenSource(context.Background(), "rtltcp="+s.Addr()+",rate=5e5"); err == nil || !strings.Contains(err.Error(), "librtlsdr accepts") {
		t.Errorf("rate in the librtlsdr gap: %v", err)
	}
}

// BenchmarkIngest measures rtl_tcp ingest (TCP read and cu8 decode) from the fake
// server on loopback, in samples per second.
func BenchmarkIngest(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	s := server(b, rtltcptest.Config{Data: data, Loop: true, ChunkBytes: 256 << 10})
	c := dial(b, s, rtltcp.Options{})
	buf := make([]complex64, 64<<10)
	b.ReportAllocs()
	b.SetBytes(2 * int64(len(buf)))
	total := 0
	for b.Loop() {
		n, err := iq.ReadFull(c, buf)
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "samples/s")
}

func TestReadAllocs(t *testing.T) {
	s := server(t, rtltcptest.Config{Data: cu8Ramp(1 << 16), Loop: true})
	c := dial(t, s, rtltcp.Options{})
	buf := make([]complex64, 4096)
	c.ReadIQ(context.Background(), buf)
	if a := testing.AllocsPerRun(100, func() { c.ReadIQ(context.Background(), buf) }); a != 0 {
		t.Errorf("ReadIQ allocates %v per call", a)
	}
}
