package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/codec/voice"
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

// e2eeKeys makes a KMF, two devices (1001 talks, 1002 listens) in talkgroup
// 4660 with 'tetrasim keys', and returns the two device key stores.
func e2eeKeys(t *testing.T, dir string) (talker, listener string) {
	t.Helper()
	t.Setenv("TETRASIM_PASSPHRASE", "test passphrase")
	p := func(n string) string { return filepath.Join(dir, n) }
	kdf := "--kdf-memory-kib=256"
	for _, s := range [][]string{
		{"keys", "init", "--kmf", p("kmf.keys"), kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1001", "--out", p("d1.keys"), kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1002", "--out", p("d2.keys"), kdf},
		{"keys", "add-talkgroup", "--kmf", p("kmf.keys"), "--group", "4660", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "1001,1002", "--out", p("air.sds"), kdf},
		{"keys", "apply", "--device", p("d1.keys"), "--in", p("air.sds"), kdf},
		{"keys", "apply", "--device", p("d2.keys"), "--in", p("air.sds"), kdf},
	} {
		if _, e, err := runCtx(context.Background(), s...); err != nil {
			t.Fatalf("%v: %v %s", s, err, e)
		}
	}
	return p("d1.keys"), p("d2.keys")
}

// rxJSONSpeech runs rx --json on an IQ file and returns the speech bits of
// every full TCH/S block by its time, and the e2ee markers seen.
func rxJSONSpeech(t *testing.T, args ...string) (map[string]string, map[string]int, string) {
	t.Helper()
	out, e, err := runCtx(context.Background(), append([]string{"rx", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("rx %v: %v %s", args, err, e)
	}
	bits := map[string]string{}
	marks := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatal(err)
		}
		switch m := o["e2ee"].(type) {
		case string: // speech blocks
			marks[m]++
		case map[string]any: // E2EE signalling in a stolen half
			marks[fmt.Sprintf("%v %v", m["type"], m["indication"])]++
		}
		if o["channel"] == "TCH/S" && o["crc_ok"] == true {
			bits[fmt.Sprintf("%v/%v/%v", o["mn"], o["fn"], o["tn"])] = fmt.Sprint(o["bits"])
		}
	}
	return bits, marks, e
}

func readPCM(t *testing.T, path string) []int16 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
	}
	return pcm
}

// TestTxRxE2EE: tetrasim tx --cipher e2ee to a file, then tetrasim rx with
// the listener's keys: every SAF and tag window verifies, the EOT signature
// checks, the decrypted speech frames equal the clear transmission's frames
// bit for bit wherever both carry speech, and the speech decodes sample for
// sample to the ACELP frames with exactly the stolen positions concealed.
// Without keys rx says the speech is encrypted and its audio is noise. A
// second transmission with the same key store continues above the first's
// frame counters (nonce rule).
func TestTxRxE2EE(t *testing.T) {
	dir := t.TempDir()
	talker, listener := e2eeKeys(t, dir)
	p := func(n string) string { return filepath.Join(dir, n) }
	if _, e, err := runCtx(context.Background(), "tx", "--speech", "hts1a", "--seconds", "3.06", "--out", p("clear.cf32")); err != nil {
		t.Fatalf("tx clear: %v %s", err, e)
	}
	_, txe, err := runCtx(context.Background(), "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--speech", "hts1a", "--seconds", "3.06", "--out", p("enc.cf32"))
	if err != nil {
		t.Fatalf("tx e2ee: %v %s", err, txe)
	}
	// 51 traffic slots: speech in 0-47 with SAFs in 0, 16 and 32, hang time 48-50.
	if !strings.Contains(txe, "93 speech frames encrypted (FC 1-95), 4 SAFs, 5 EOT-SIG fragments") {
		t.Fatalf("tx: %s", txe)
	}

	clear, _, _ := rxJSONSpeech(t, p("clear.cf32"))
	dec, marks, rxe := rxJSONSpeech(t, p("enc.cf32"), "--keys", listener, "--talkgroup", "4660", "--speech-out", p("dec.pcm"))
	t.Logf("rx with keys: %s", strings.TrimSpace(rxe))
	for _, w := range []string{"E2EE talkgroup 4660, epoch 1, sender 0 (device 1001): 93 frames decrypted (FC 1-95), 0 missed",
		"SAFs 4 accepted, 0 rejected", "tag windows 16 passed, 0 failed, 0 unverifiable", "signature verified; verified", " 0 CRC errors"} {
		if !strings.Contains(rxe, w) {
			t.Errorf("rx with keys: no %q", w)
		}
	}
	if marks["decrypted"] != 48 || marks["encrypted"] != 0 || marks["SAF-start verified"] != 1 || marks["SAF verified"] != 3 || marks["EOT-SIG <nil>"] != 5 {
		t.Errorf("JSON marks %v", marks)
	}
	common := 0
	for k, v := range dec {
		if c, ok := clear[k]; ok {
			common++
			if c != v {
				t.Fatalf("slot %s: decrypted bits differ from the clear transmission", k)
			}
		}
	}
	if common < 30 {
		t.Fatalf("only %d slots to compare", common)
	}
	cipher, marks, rxn := rxJSONSpeech(t, p("enc.cf32"), "--speech-out", p("noise.pcm"))
	if !strings.Contains(rxn, "end-to-end encrypted") || marks["encrypted"] != 48 || marks["decrypted"] != 0 || marks["SAF-start <nil>"] != 1 || marks["SAF <nil>"] != 3 {
		t.Errorf("rx without keys: %v %s", marks, rxn)
	}
	for k, v := range cipher {
		if clear[k] == v {
			t.Fatalf("slot %s: the ciphertext equals the clear frames", k)
		}
	}

	// Reference audio: the clip's ACELP frames, two per traffic slot, with
	// the SAF positions (slots 0, 16, 32: frame A) and the hang slots (both)
	// concealed.
	pcm, _ := voice.Clip("hts1a")
	enc, _ := voice.New("acelp")
	vd, _ := voice.New("acelp")
	var want []int16
	out := make([]int16, 240)
	pos := 0
	for i := 0; i < 51; i++ {
		for h := 0; h < 2; h++ {
			if pos+240 > len(pcm) {
				pos = 0
			}
			f := enc.Encode(nil, pcm[pos:pos+240])
			pos += 240
			bad := i >= 48 || h == 0 && i%16 == 0
			if bad {
				f = nil
			}
			vd.Decode(out, f, bad)
			want = append(want, out...)
		}
	}
	got := readPCM(t, p("dec.pcm"))
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("decrypted speech: sample %d: %d, want %d", i, got[i], want[i])
		}
	}
	noise := readPCM(t, p("noise.pcm"))
	same := 0
	for i := range noise {
		if i < len(want) && noise[i] == want[i] {
			same++
		}
	}
	t.Logf("decrypted: %d of %d samples bit-exact; without keys %d of %d equal", len(got), len(want), same, len(noise))
	if len(noise) != len(want) || same > len(want)/5 {
		t.Errorf("without keys: %d of %d samples equal the speech", same, len(noise))
	}

	// The nonce rule: a second transmission from the same key store starts
	// above every counter of the first.
	_, txe2, err := runCtx(context.Background(), "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--seconds", "1", "--out", p("enc2.cf32"))
	if err != nil {
		t.Fatalf("tx e2ee again: %v %s", err, txe2)
	}
	var n, a, b int
	if i := strings.Index(txe2, "speech frames encrypted (FC "); i < 0 {
		t.Fatalf("tx: %s", txe2)
	} else if _, err := fmt.Sscanf(txe2[strings.LastIndex(txe2[:i], " ")-3:], "%d speech frames encrypted (FC %d-%d)", &n, &a, &b); err != nil && a == 0 {
		t.Fatalf("tx: %s: %v", txe2, err)
	}
	if a <= 95 {
		t.Fatalf("second transmission reuses frame counters: FC %d-%d", a, b)
	}
	t.Logf("second transmission: FC %d-%d", a, b)
}

// TestTxE2EEOnAirRefused: --cipher e2ee to a radiating device on an amateur
// frequency (433.925 MHz: ISM and 70 cm amateur) is refused with the legal
// note before the device is opened; --cipher clear there transmits; e2ee on a
// frequency outside the amateur bands (2.46 GHz ISM) is not refused for the
// cipher. tx --help carries the warning.
func TestTxE2EEOnAirRefused(t *testing.T) {
	dir := t.TempDir()
	talker, _ := e2eeKeys(t, dir)
	var dev *fakeRF
	ctx := withRegistry(context.Background(), fakeRFRegistry(&dev))
	rf := filepath.Join(dir, "rf.cf32")
	_, _, err := runCtx(ctx, "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--device", "fakerf="+rf, "--transmit", "--carrier", "433.925e6", "--seconds", "1")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "amateur") || !strings.Contains(err.Error(), "--cipher clear") {
		t.Fatalf("e2ee on 433.925 MHz: %v", err)
	}
	if dev != nil {
		t.Fatal("the device was opened")
	}
	if _, e, err := runCtx(ctx, "tx", "--cipher", "clear", "--device", "fakerf="+rf, "--transmit", "--carrier", "433.925e6", "--seconds", "1"); err != nil || dev == nil {
		t.Fatalf("clear on 433.925 MHz: %v %s", err, e)
	}
	dev = nil
	_, e, err := runCtx(ctx, "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--device", "fakerf="+rf, "--transmit",
		"--carrier", "1000e6", "--freq", "2460e6", "--seconds", "1")
	if err != nil || dev == nil || dev.freq != 2460e6 || !strings.Contains(e, "E2EE talkgroup 4660") {
		t.Fatalf("e2ee on 2.46 GHz: %v %s", err, e)
	}
	// Non-radiating sinks (loopback) take encrypted traffic on any frequency.
	lctx := withRegistry(context.Background(), newDeviceRegistry())
	if _, e, err := runCtx(lctx, "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--device", "loopback=x,buffer=1000000", "--freq", "433.925e6", "--transmit", "--seconds", "0.5"); err != nil {
		t.Fatalf("e2ee into loopback: %v %s", err, e)
	}
	// The stub HackRF radiates: refused for the cipher, not for the missing driver.
	if _, _, err := runCtx(context.Background(), "tx", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--device", "hackrf=0", "--transmit", "--carrier", "433.925e6", "--seconds", "1"); err == nil || !strings.Contains(err.Error(), "amateur") {
		t.Fatalf("hackrf: %v", err)
	}
	help, _, _ := runCtx(context.Background(), "tx", "--help")
	for _, w := range []string{"unlawful on amateur bands in most countries", "--cipher clear", "--cipher string"} {
		if !strings.Contains(help, w) {
			t.Errorf("tx --help lacks %q", w)
		}
	}
}

// TestCipherUsage: bad cipher flags are usage errors (exit 2); a wrong
// passphrase or a talkgroup the device is not in is a failure (exit 1).
func TestCipherUsage(t *testing.T) {
	dir := t.TempDir()
	talker, listener := e2eeKeys(t, dir)
	out := filepath.Join(dir, "x.cf32")
	if rc := run([]string{"tx", "--out", out, "--seconds", "1.1"}); rc != 0 {
		t.Fatalf("tx: exit %d", rc)
	}
	if rc := run([]string{"rx", out, "--quiet", "--keys", listener, "--talkgroup", "4660"}); rc != 0 {
		t.Fatalf("rx of clear speech with keys: exit %d", rc)
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"tx", "--out", out, "--cipher", "rot13"}, 2},
		{[]string{"tx", "--out", out, "--cipher", "e2ee"}, 2},
		{[]string{"tx", "--out", out, "--cipher", "e2ee", "--keys", talker}, 2},
		{[]string{"tx", "--out", out, "--keys", talker, "--talkgroup", "4660"}, 2},
		{[]string{"tx", "--out", out, "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660", "--seconds", "0.1"}, 2},
		{[]string{"tx", "--out", out, "--cipher", "e2ee", "--keys", talker, "--talkgroup", "99", "--seconds", "1"}, 1},
		{[]string{"rx", out, "--talkgroup", "4660"}, 2},
		{[]string{"rx", out, "--keys", listener, "--talkgroup", "99"}, 1},
	} {
		if got := run(c.args); got != c.want {
			t.Errorf("run(%q) = %d, want %d", c.args, got, c.want)
		}
	}
	t.Setenv("TETRASIM_PASSPHRASE", "wrong")
	if got := run([]string{"tx", "--out", out, "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660"}); got != 1 {
		t.Errorf("wrong passphrase: exit %d", got)
	}
}

// TestRxDeviceRate: rx --device without --rate takes the rate the device
// string set (file=...,rate=R), as record does.
func TestRxDeviceRate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dl.cf32")
	if _, e, err := runCtx(context.Background(), "tx", "--rate", "72000", "--seconds", "1.1", "--mcc", "7", "--out", p); err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	_, e, err := runCtx(context.Background(), "rx", "--device", "file="+p+",rate=72k", "--quiet")
	if err != nil || !strings.Contains(e, "MCC 7 MNC") || !strings.Contains(e, " 0 CRC errors") {
		t.Fatalf("rx: %v %s", err, e)
	}
}
