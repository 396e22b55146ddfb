package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/codec/voice"
)

// runCmd runs the CLI with args and returns stdout, stderr and the error.
// Each call is one command line with its own device registry.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCtx(context.Background(), args...)
}

// TestTxRxFiles: tetrasim tx into raw IQ, SigMF and bits, then tetrasim rx on
// each recovers every block with a good CRC and the cell from SYNC.
func TestTxRxFiles(t *testing.T) {
	dir := t.TempDir()
	cf32 := filepath.Join(dir, "dl.cf32")
	bits := filepath.Join(dir, "dl.bits")
	if _, e, err := runCmd(t, "tx", "--mcc", "262", "--mnc", "42", "--cc", "5", "--seconds", "3.1", "--out", cf32, "--bits-out", bits); err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	if st, _ := os.Stat(bits); st == nil || st.Size()%510 != 0 || st.Size() < 200*510 {
		t.Fatalf("bits file size %v", st)
	}
	meta := filepath.Join(dir, "dl.sigmf-meta")
	if _, e, err := runCmd(t, "tx", "--mcc", "234", "--mnc", "1", "--cc", "9", "--seconds", "2.2", "--rate", "2.4e6", "--offset", "300e3", "--format", "cs16", "--out", meta); err != nil {
		t.Fatalf("tx sigmf: %v %s", err, e)
	}
	for _, c := range []struct {
		name          string
		args          []string
		mcc, mnc, cc  float64
		minBlocks     int
		wantSyncCount int
	}{
		{"cf32", []string{"rx", cf32, "--json"}, 262, 42, 5, 500, 6},
		{"bits", []string{"rx", bits, "--bits-in", "--json"}, 262, 42, 5, 500, 6},
		{"sigmf-2.4M", []string{"rx", meta, "--json", "--pcap", filepath.Join(dir, "dl.pcap")}, 234, 1, 9, 300, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, e, err := runCmd(t, c.args...)
			if err != nil {
				t.Fatalf("%v %s", err, e)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			syncs := 0
			for _, l := range lines {
				var o map[string]any
				if err := json.Unmarshal([]byte(l), &o); err != nil {
					t.Fatalf("bad JSON %q: %v", l, err)
				}
				for _, k := range []string{"tn", "fn", "mn", "channel", "crc_ok"} {
					if _, ok := o[k]; !ok {
						t.Fatalf("no %q in %s", k, l)
					}
				}
				if o["crc_ok"] != true {
					t.Fatalf("CRC error: %s", l)
				}
				if o["pdu"] == "SYNC" {
					syncs++
					if o["mcc"] != c.mcc || o["mnc"] != c.mnc || o["cc"] != c.cc {
						t.Fatalf("SYNC %s", l)
					}
				}
			}
			if len(lines) < c.minBlocks || syncs < c.wantSyncCount {
				t.Fatalf("%d blocks, %d SYNC", len(lines), syncs)
			}
			if !strings.Contains(e, " 0 CRC errors") {
				t.Errorf("summary: %s", e)
			}
		})
	}
	if st, err := os.Stat(filepath.Join(dir, "dl.pcap")); err != nil || st.Size() < 1000 {
		t.Errorf("pcap: %v", err)
	}
}

func TestTxRxUsage(t *testing.T) {
	for _, args := range [][]string{
		{"tx"},
		{"tx", "--out", "x.cf32", "--cc", "0"},
		{"tx", "--out", "x.cf32", "--carrier", "390.001e6"},
		{"tx", "--out", "x.nosuchformat"},
		{"rx"},
		{"rx", "a.cf32", "--detector", "psychic"},
	} {
		if got := run(args); got != 2 {
			t.Errorf("run(%q) = %d, want 2", args, got)
		}
	}
}

// TestTxRxLoopback: tetrasim tx into the in-process loopback device with a
// 3 kHz frequency offset and noise, tetrasim rx from it: the device path of
// both commands.
func TestTxRxLoopback(t *testing.T) {
	ctx := withRegistry(context.Background(), newDeviceRegistry()) // tx and rx share it
	done := make(chan error, 1)
	go func() {
		_, e, err := runCtx(ctx, "tx", "--device", "loopback=txrxtest,cfo=3000,noise=-40", "--rate", "72000", "--seconds", "2.2", "--mcc", "1", "--mnc", "2", "--cc", "3")
		if err != nil {
			err = fmt.Errorf("%v: %s", err, e)
		}
		done <- err
	}()
	out, e, err := runCtx(ctx, "rx", "--device", "loopback=txrxtest", "--rate", "72000", "--json")
	if err != nil {
		t.Fatalf("rx: %v %s", err, e)
	}
	if err := <-done; err != nil {
		t.Fatalf("tx: %v", err)
	}
	n, bad, syncs := 0, 0, 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatal(err)
		}
		n++
		if o["crc_ok"] != true {
			bad++
		}
		if o["pdu"] == "SYNC" && o["mcc"] == 1.0 && o["mnc"] == 2.0 && o["cc"] == 3.0 {
			syncs++
		}
	}
	t.Logf("%d blocks, %d CRC errors, %d SYNC; %s", n, bad, syncs, strings.TrimSpace(e))
	if n < 300 || bad != 0 || syncs < 2 {
		t.Fatal("loopback downlink not recovered")
	}
}

// TestTxRxSpeech: ACELP speech sent on the traffic slot by tetrasim tx
// --speech comes out of tetrasim rx --speech-out sample for sample as the
// ACELP decoder gives it for the same frames, with frame A of every stolen
// slot concealed (BFI), as the schedule steals it.
func TestTxRxSpeech(t *testing.T) {
	dir := t.TempDir()
	iqf, wav := filepath.Join(dir, "sp.cf32"), filepath.Join(dir, "sp.pcm")
	if _, e, err := runCmd(t, "tx", "--speech", "hts1a", "--seconds", "3.06", "--out", iqf); err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	if _, e, err := runCmd(t, "rx", iqf, "--quiet", "--speech-out", wav); err != nil {
		t.Fatalf("rx: %v %s", err, e)
	}
	raw, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int16, len(raw)/2)
	for i := range got {
		got[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
	}
	// Reference: the same frames through the ACELP codec directly.
	pcm, _ := voice.Clip("hts1a")
	enc, _ := voice.New("acelp")
	dec, _ := voice.New("acelp")
	var want []int16
	out := make([]int16, 240)
	pos := 0
	next := func() []byte {
		if pos+240 > len(pcm) {
			pos = 0
		}
		f := enc.Encode(nil, pcm[pos:pos+240])
		pos += 240
		return f
	}
	for mn := 1; mn <= 3; mn++ {
		for fn := 1; fn <= 17; fn++ {
			a, b := next(), next()
			dec.Decode(out, a, fn%4 == 0)
			want = append(want, out...)
			dec.Decode(out, b, false)
			want = append(want, out...)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %d, want %d", i, got[i], want[i])
		}
	}
}

// TestRxCarriers: with --carriers, tetrasim rx decodes two cells of one
// wideband capture side by side, each line tagged with its carrier.
func TestRxCarriers(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.cf32"), filepath.Join(dir, "b.cf32")
	if _, e, err := runCmd(t, "tx", "--mcc", "1", "--mnc", "1", "--cc", "1", "--rate", "1e6", "--offset", "-150e3", "--seconds", "2.2", "--out", a); err != nil {
		t.Fatalf("%v %s", err, e)
	}
	if _, e, err := runCmd(t, "tx", "--mcc", "2", "--mnc", "2", "--cc", "2", "--rate", "1e6", "--offset", "200e3", "--seconds", "2.2", "--amplitude", "0.1", "--out", b); err != nil {
		t.Fatalf("%v %s", err, e)
	}
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	sum := make([]byte, min(len(ra), len(rb)))
	for i := 0; i+4 <= len(sum); i += 4 {
		fa := math.Float32frombits(binary.LittleEndian.Uint32(ra[i:]))
		fb := math.Float32frombits(binary.LittleEndian.Uint32(rb[i:]))
		binary.LittleEndian.PutUint32(sum[i:], math.Float32bits(fa+fb))
	}
	ab := filepath.Join(dir, "ab.cf32")
	if err := os.WriteFile(ab, sum, 0o644); err != nil {
		t.Fatal(err)
	}
	out, e, err := runCmd(t, "rx", ab, "--rate", "1e6", "--carriers", "4", "--json")
	if err != nil {
		t.Fatalf("%v %s", err, e)
	}
	cells := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatal(err)
		}
		if o["crc_ok"] != true {
			t.Fatalf("CRC error: %s", l)
		}
		if o["pdu"] == "SYNC" {
			cells[fmt.Sprintf("%v/%v@%.0fk", o["mcc"], o["mnc"], o["carrier_hz"].(float64)/1e3)]++
		}
	}
	if len(cells) != 2 || cells["1/1@-150k"] < 2 || cells["2/2@200k"] < 2 {
		t.Fatalf("cells %v\n%s", cells, e)
	}
}

// TestRxTruncatedFile: a raw capture cut off part way through a sample is
// decoded up to the stray bytes (every block and the pcap kept), then the
// command fails naming the problem.
func TestRxTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	cf32, cut, pcap := filepath.Join(dir, "dl.cf32"), filepath.Join(dir, "cut.cf32"), filepath.Join(dir, "cut.pcap")
	if _, e, err := runCmd(t, "tx", "--seconds", "1", "--out", cf32); err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	raw, err := os.ReadFile(cf32)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, raw[:len(raw)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	out, e, err := runCmd(t, "rx", cut, "--json", "--pcap", pcap)
	if err == nil || !strings.Contains(err.Error(), "stray byte") {
		t.Fatalf("rx of a truncated file: err %v, want the stray bytes named", err)
	}
	if !strings.Contains(e, "warning") {
		t.Errorf("no warning on stderr: %q", e)
	}
	if n := strings.Count(out, `"crc_ok":true`); n < 150 {
		t.Errorf("%d good blocks decoded before the stray bytes, want >= 150", n)
	}
	if st, err := os.Stat(pcap); err != nil || st.Size() < 5000 {
		t.Errorf("pcap of the decoded blocks: %v %v", st, err)
	}
}
