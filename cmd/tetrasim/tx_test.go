package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
)

// fakeRF is a radiating sink for tests: an IQ file that claims to be a radio
// with a HackRF's sample-rate range (2-20 MS/s), so the transmit policy, the
// cipher check and the rate choice apply to it while nothing goes on air.
type fakeRF struct {
	hardware.Sink
	rate float64
	freq float64
}

func (f *fakeRF) Info() hardware.Info {
	in := f.Sink.Info()
	in.Driver, in.Label = "fakerf", "fake radio (test)"
	in.Rate = hardware.Range{Min: 2e6, Max: 20e6}
	return in
}

func (f *fakeRF) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	if !f.Info().Rate.Contains(sps) {
		return 0, errors.New("fakerf: sample rate out of range")
	}
	f.rate = sps
	return f.Sink.SetSampleRate(ctx, sps)
}

func (f *fakeRF) Tune(ctx context.Context, hz float64) (float64, error) {
	f.freq = hz
	return f.Sink.Tune(ctx, hz)
}

func (f *fakeRF) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	return dB, nil
}

// fakeRFRegistry returns a registry with a radiating driver "fakerf=PATH" that
// writes cf32 to PATH; opened records the last device opened.
func fakeRFRegistry(opened **fakeRF) *hardware.Registry {
	file := iqfile.Driver()
	return hardware.NewRegistry(file, hardware.Driver{
		Name: "fakerf", Usage: "fakerf=PATH", Radiates: true,
		Open: func(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
			fa, err := hardware.ParseArgs("file=" + a.Value + ",format=cf32")
			if err != nil {
				return nil, err
			}
			d, err := file.Open(ctx, fa, dir)
			if err != nil {
				return nil, err
			}
			f := &fakeRF{Sink: d.(hardware.Sink)}
			*opened = f
			return f, nil
		},
	})
}

// TestTxDeviceRate: without --rate, tx on a device whose lowest rate is above
// 36 kS/s runs at the smallest multiple of 18 kS/s the device takes
// (2.016 MS/s for 2-20 MS/s), says so, and the output decodes at that rate.
func TestTxDeviceRate(t *testing.T) {
	var dev *fakeRF
	ctx := withRegistry(context.Background(), fakeRFRegistry(&dev))
	p := filepath.Join(t.TempDir(), "rf.cf32")
	_, e, err := runCtx(ctx, "tx", "--device", "fakerf="+p, "--transmit", "--carrier", "433.925e6", "--seconds", "1.2", "--mcc", "262", "--mnc", "42", "--cc", "5")
	if err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	if dev == nil || dev.rate != 2016000 || dev.freq != 433.925e6 {
		t.Fatalf("device set to %+v", dev)
	}
	if !strings.Contains(e, "2016000 S/s") || !strings.Contains(e, "TRANSMITTING") {
		t.Errorf("stderr: %s", e)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// 85 slots of 255 symbols at 18 ksym/s, 112 samples per symbol (plus the
	// transmitter's filter tail).
	want := int64(85 * 255 * 112)
	if n := st.Size() / 8; n < want || n > want+20000 {
		t.Errorf("%d samples, want %d (+ filter tail)", n, want)
	}
	t.Logf("%d samples at 2.016 MS/s; %s", st.Size()/8, strings.TrimSpace(e))
	out, e, err := runCtx(context.Background(), "rx", p, "--rate", "2016000", "--quiet")
	if err != nil || !strings.Contains(e, "MCC 262 MNC 42 CC 5") || !strings.Contains(e, " 0 CRC errors") {
		t.Fatalf("rx: %v %s %s", err, out, e)
	}
}

// TestTxFreqRefusedWithHint: the default carrier (390.0125 MHz, public-safety
// band) is refused for a radiating device before it is opened, and the error
// names the flags that fix it.
func TestTxFreqRefusedWithHint(t *testing.T) {
	var dev *fakeRF
	ctx := withRegistry(context.Background(), fakeRFRegistry(&dev))
	p := filepath.Join(t.TempDir(), "rf.cf32")
	_, _, err := runCtx(ctx, "tx", "--device", "fakerf="+p, "--transmit", "--seconds", "0.1")
	var ue usageError
	if err == nil || !errors.As(err, &ue) || !errors.Is(err, hardware.ErrFreqNotAllowed) {
		t.Fatalf("err %v", err)
	}
	for _, w := range []string{"390.012500 MHz", "--carrier", "--freq", "433.05-434.79 MHz", "--allow-freq"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if dev != nil {
		t.Error("the device was opened")
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("the output was created")
	}
	// The stub HackRF (no cgo build needed): the same refusal, not "driver not built".
	if rc := run([]string{"tx", "--device", "hackrf=0", "--transmit", "--seconds", "0.1"}); rc != 2 {
		t.Errorf("hackrf at 390.0125 MHz: exit %d, want 2", rc)
	}
}
