package zmq

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

func randSamples(rng *rand.Rand, n int) []complex64 {
	s := make([]complex64, n)
	for i := range s {
		s[i] = complex(float32(rng.NormFloat64())*0.3, float32(rng.NormFloat64())*0.3)
	}
	return s
}

// TestPushPullBitExact: Go PUSH (binding, as a GNU Radio push_sink) to Go PULL
// (connecting, as a pull_source) through the registry, every format bit-exact.
func TestPushPullBitExact(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	rng := rand.New(rand.NewPCG(1, 1))
	for _, f := range []iq.Format{iq.CF32, iq.CS16, iq.CS8, iq.CU8} {
		t.Run(f.String(), func(t *testing.T) {
			snk, err := reg.OpenSink(ctx, "zmq=tcp://127.0.0.1:0,pattern=push,msg=1000,format="+f.String(), hardware.TXPolicy{})
			if err != nil {
				t.Fatal(err)
			}
			defer snk.Close()
			ep := snk.(*Sink).Endpoint()
			src, err := reg.OpenSource(ctx, "zmq="+ep+",pattern=pull,format="+f.String())
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			// Quantise the input to the format first, so equality is exact.
			in := randSamples(rng, 10007)
			b := make([]byte, len(in)*f.BytesPerSample())
			iq.Encode(f, b, in)
			iq.Decode(f, in, b)
			go snk.WriteIQ(ctx, in)
			out := make([]complex64, len(in))
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			for n := 0; n < len(out); {
				m, err := src.ReadIQ(rctx, out[n:])
				if err != nil {
					t.Fatalf("after %d samples: %v", n, err)
				}
				n += m
			}
			b2 := make([]byte, len(b))
			iq.Encode(f, b2, out)
			if !bytes.Equal(b, b2) {
				t.Fatal("samples differ")
			}
			if st := src.Stats(); st.Samples != uint64(len(in)) || st.Dropped != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestPubSubWithKey: PUB with a key frame to a SUB subscribed to it. PUB/SUB
// loses what is sent before the subscription arrives (slow joiner), so the
// publisher repeats a marked block until the subscriber has seen one whole.
func TestPubSubWithKey(t *testing.T) {
	ctx := context.Background()
	snk, err := NewSink(ctx, "tcp://127.0.0.1:0", Options{Pattern: "pub", Key: "iq", MessageSamples: 512})
	if err != nil {
		t.Fatal(err)
	}
	defer snk.Close()
	src, err := NewSource(ctx, snk.Endpoint(), Options{Pattern: "sub", Key: "iq"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	block := make([]complex64, 512)
	for i := range block {
		block[i] = complex(float32(i), -float32(i))
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			snk.WriteIQ(ctx, block)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got := make([]complex64, 512)
	n, err := src.ReadIQ(rctx, got)
	if err != nil || n != 512 {
		t.Fatalf("read %d, %v", n, err)
	}
	for i := range got {
		if got[i] != block[i] {
			t.Fatalf("sample %d = %v", i, got[i])
		}
	}
}

func TestBadMessages(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"odd length", make([]byte, 7), "7 bytes"},
		{"tag header", append([]byte{0xf0, 0x5f, 0x01}, make([]byte, 20)...), "pass_tags off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			push := zmq4.NewPush(ctx, quiet())
			defer push.Close()
			if err := push.Listen("tcp://127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			src, err := NewSource(ctx, "tcp://"+push.Addr().String(), Options{Pattern: "pull"})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			go push.Send(zmq4.NewMsg(c.msg))
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err = src.ReadIQ(rctx, make([]complex64, 16))
			if !errors.Is(err, ErrMessage) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(Driver())
	for _, spec := range []string{"zmq=", "zmq=tcp://127.0.0.1:0,pattern=pub", "zmq=tcp://127.0.0.1:0,format=wav", "zmq=tcp://127.0.0.1:0,bind=maybe"} {
		if s, err := reg.OpenSource(ctx, spec); err == nil {
			s.Close()
			t.Errorf("%q accepted", spec)
		}
	}
	if _, err := reg.OpenSink(ctx, "zmq=tcp://127.0.0.1:0,pattern=sub", hardware.TXPolicy{}); !errors.Is(err, hardware.ErrDirection) {
		t.Errorf("sub sink: %v", err)
	}
}

func TestCloseUnblocks(t *testing.T) {
	ctx := context.Background()
	src, err := NewSource(ctx, "tcp://127.0.0.1:0", Options{Pattern: "pull", Bind: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := src.ReadIQ(ctx, make([]complex64, 4)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	src.Close()
	select {
	case err := <-done:
		if !errors.Is(err, hardware.ErrClosed) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock ReadIQ")
	}
}

// TestDialNoPeer: a connecting source gives up when its context ends, with a
// clear error, instead of waiting for ever.
func TestDialNoPeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := NewSource(ctx, "tcp://127.0.0.1:1", Options{Pattern: "sub"})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestSourceMetadata(t *testing.T) {
	src, err := NewSource(context.Background(), "tcp://127.0.0.1:0", Options{Pattern: "pull", Bind: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r, _ := src.SetSampleRate(context.Background(), 2.304e6)
	f, _ := src.Tune(context.Background(), 433.92e6)
	if sr, sf := src.Settings(); r != 2.304e6 || f != 433.92e6 || sr != r || sf != f {
		t.Errorf("settings %g %g", sr, sf)
	}
	if _, err := src.SetSampleRate(context.Background(), 0); err == nil {
		t.Error("rate 0 accepted")
	}
}

func TestPushWithoutPeer(t *testing.T) {
	reg := hardware.NewRegistry(Driver())
	snk, err := reg.OpenSink(context.Background(), "zmq=tcp://127.0.0.1:0,pattern=push,wait=0.2", hardware.TXPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	defer snk.Close()
	start := time.Now()
	_, err = snk.WriteIQ(context.Background(), make([]complex64, 16))
	if err == nil || !strings.Contains(err.Error(), "no peer connected within 200ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}
