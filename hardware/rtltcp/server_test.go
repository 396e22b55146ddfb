package rtltcp_test

import (
	"context"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/rtltcp"
	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/iq/iqtest"
)

// TestServerToClient: our rtl_tcp server sink feeds our client, cu8 bit-exact,
// paced to the rate; the client's commands reach the server.
func TestServerToClient(t *testing.T) {
	ctx := context.Background()
	reg := hardware.NewRegistry(rtltcp.ServerDriver(), rtltcp.Driver())
	snk, err := reg.OpenSink(ctx, "rtltcpd=127.0.0.1:0,rate=1e6", hardware.TXPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	defer snk.Close()
	srv := snk.(*rtltcp.Server)
	tone := make([]complex64, 200000)
	iq.ReadFull(&iqtest.Tone{FreqHz: 0.01, Amplitude: 0.9}, tone)
	want := make([]byte, 2*len(tone))
	iq.Encode(iq.CU8, want, tone)
	iq.Decode(iq.CU8, tone, want) // the cu8 values the client must see

	errc := make(chan error, 1)
	start := time.Now()
	go func() { _, err := snk.WriteIQ(ctx, tone); errc <- err }() // blocks until the client connects
	src, err := reg.OpenSource(ctx, "rtltcp="+srv.Addr()+",freq=433.92M")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got := make([]complex64, len(tone))
	if n, err := iq.ReadFull(src, got); n != len(got) {
		t.Fatalf("read %d, %v", n, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != tone[i] {
			t.Fatalf("sample %d: %v, want %v", i, got[i], tone[i])
		}
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("200000 samples at 1 MS/s took %v: not paced", d)
	}
	if p, ok := srv.LastCommand(rtltcp.CmdFreq); !ok || p != 433920000 {
		t.Errorf("server saw freq %d %v", p, ok)
	}
	if st := srv.Stats(); st.Samples != uint64(len(tone)) || st.Dropped != 0 {
		t.Errorf("server stats %+v", st)
	}
	if _, err := reg.OpenSource(ctx, "rtltcpd=127.0.0.1:0"); err == nil {
		t.Error("rtltcpd opened as a source")
	}
}
