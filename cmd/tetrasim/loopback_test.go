package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
)

// TestLoopbackTxIntoRxLive runs "tetrasim tx --device loopback=NAME" and
// "tetrasim rx --device loopback=NAME" at the same time in one process: the
// downlink goes through the in-process link (with noise and a receiver crystal
// error) and the receiver decodes it live, block by block.
func TestLoopbackTxIntoRxLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx = withRegistry(ctx, newDeviceRegistry()) // tx and rx meet in one registry
	var wg sync.WaitGroup
	var txErr error
	var txStderr string
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, txStderr, txErr = runCtx(ctx, "tx", "--device", "loopback=live,buffer=65536", "--freq", "433.92e6",
			"--rate", "72000", "--mcc", "262", "--mnc", "42", "--cc", "5", "--seconds", "3.1")
	}()
	// -30 dBFS of noise against a -6 dBFS signal, and a receiver crystal 2 ppm
	// high (-868 Hz at 433.92 MHz).
	out, rxStderr, err := runCtx(ctx, "rx", "--device", "loopback=live,noise=-30,ppm=2,seed=3", "--freq", "433.92e6",
		"--rate", "72000", "--json")
	wg.Wait()
	if txErr != nil {
		t.Fatalf("tx: %v %s", txErr, txStderr)
	}
	if err != nil {
		t.Fatalf("rx: %v %s", err, rxStderr)
	}
	blocks, syncs, bad := 0, 0, 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("bad JSON %q: %v", l, err)
		}
		blocks++
		if o["crc_ok"] != true {
			bad++
		}
		if o["pdu"] == "SYNC" {
			syncs++
			if o["mcc"] != 262.0 || o["mnc"] != 42.0 || o["cc"] != 5.0 {
				t.Fatalf("SYNC %s", l)
			}
		}
	}
	t.Logf("%d blocks, %d SYNC, %d CRC errors; rx: %s", blocks, syncs, bad, strings.TrimSpace(rxStderr))
	if blocks < 500 || syncs < 5 || bad > blocks/100 {
		t.Fatalf("%d blocks, %d SYNC, %d CRC errors", blocks, syncs, bad)
	}
}

// TestLoopbackTxIntoRecord: "tetrasim tx --device loopback=NAME" and
// "tetrasim record --device loopback=NAME" at the same time carry exactly the
// samples that "tetrasim tx --out FILE" writes.
func TestLoopbackTxIntoRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.cf32")
	if _, e, err := runCtx(ctx, "tx", "--rate", "36000", "--seconds", "1", "--out", ref); err != nil {
		t.Fatalf("tx file: %v %s", err, e)
	}
	ctx = withRegistry(ctx, newDeviceRegistry()) // tx and record meet in one registry
	var wg sync.WaitGroup
	var txErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _, txErr = runCtx(ctx, "tx", "--device", "loopback=rec,buffer=4096", "--freq", "433.92e6", "--rate", "36000", "--seconds", "1")
	}()
	out := filepath.Join(dir, "live.sigmf-meta")
	_, e, err := runCtx(ctx, "record", "--device", "loopback=rec", "--rate", "36000", "--seconds", "10", "--out", out, "--quiet")
	wg.Wait()
	if txErr != nil || err != nil {
		t.Fatalf("tx: %v; record: %v %s", txErr, err, e)
	}
	want, _ := os.ReadFile(ref)
	got, _ := os.ReadFile(sigmf.DataPath(out))
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("recorded %d bytes, tx file %d bytes, equal=%v", len(got), len(want), bytes.Equal(got, want))
	}
	if !strings.Contains(e, "the source ended") {
		t.Errorf("record: %s", e)
	}
}

// TestRecordAnnotatesDrops: samples lost on the way (loopback drop=) show in the
// counters record prints and as "dropped" annotations in the recording.
func TestRecordAnnotatesDrops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx = withRegistry(ctx, newDeviceRegistry()) // tx and record meet in one registry
	out := filepath.Join(t.TempDir(), "drops.sigmf-meta")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		runCtx(ctx, "tx", "--device", "loopback=drops", "--rate", "36000", "--seconds", "1")
	}()
	_, e, err := runCtx(ctx, "record", "--device", "loopback=drops,drop=0.3,seed=2", "--rate", "36000", "--seconds", "10", "--out", out)
	wg.Wait()
	if err != nil {
		t.Fatal(err, e)
	}
	m, err := sigmf.ReadMeta(out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range m.Annotations {
		if a.Label == "dropped" {
			n++
		}
	}
	if n == 0 || !strings.Contains(e, "dropped") || strings.Contains(e, "dropped 0 samples") {
		t.Errorf("%d drop annotations; stderr: %s", n, e)
	}
}

// TestZMQTxIntoRecord: "tetrasim tx --device zmq=...,pattern=push" into
// "tetrasim record --device zmq=...,pattern=pull", as with a GNU Radio
// flowgraph in between, bit-exact against tx --out.
func TestZMQTxIntoRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.cf32")
	if _, e, err := runCtx(ctx, "tx", "--rate", "36000", "--seconds", "1", "--out", ref); err != nil {
		t.Fatalf("tx file: %v %s", err, e)
	}
	want, _ := os.ReadFile(ref)
	var wg sync.WaitGroup
	var txErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _, txErr = runCtx(ctx, "tx", "--device", "zmq="+ep+",pattern=push,wait=20", "--rate", "36000", "--seconds", "1")
	}()
	out := filepath.Join(dir, "zmq.sigmf-meta")
	secs := float64(len(want)/8) / 36000
	_, e, err := runCtx(ctx, "record", "--device", "zmq="+ep+",pattern=pull", "--rate", "36000", "--seconds", fmt.Sprint(secs), "--out", out, "--quiet")
	wg.Wait()
	if txErr != nil || err != nil {
		t.Fatalf("tx: %v; record: %v %s", txErr, err, e)
	}
	got, _ := os.ReadFile(sigmf.DataPath(out))
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("recorded %d bytes, tx file %d bytes", len(got), len(want))
	}
}

// TestRTLTCPTxIntoRxLive: "tetrasim tx --device rtltcpd=ADDR" serves the
// downlink as an rtl_tcp server (cu8, paced in real time) and
// "tetrasim rx --device rtltcp=ADDR" decodes it, as SDR++ or gqrx would show it.
// It takes about 3 s of real time.
func TestRTLTCPTxIntoRxLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var wg sync.WaitGroup
	var txErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _, txErr = runCtx(ctx, "tx", "--device", "rtltcpd="+addr, "--rate", "288000", "--seconds", "3.2", "--mcc", "262", "--mnc", "42", "--cc", "5")
	}()
	var out, e string
	for i := 0; i < 250; i++ { // the server needs a moment to listen
		out, e, err = runCtx(ctx, "rx", "--device", "rtltcp="+addr, "--rate", "288000", "--freq", "390.0125e6", "--seconds", "3.1", "--quiet")
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	if txErr != nil || err != nil {
		t.Fatalf("tx: %v; rx: %v %s", txErr, err, e)
	}
	t.Logf("rx: %s%s", out, strings.TrimSpace(e))
	if !strings.Contains(e, "MCC 262 MNC 42 CC 5") || !strings.Contains(e, " 0 CRC errors") {
		t.Errorf("rx: %s", e)
	}
}

// TestRxLiveInterrupted: rx on a live device (loopback fed in real time by
// tx) prints the device's dropped-sample counters while it receives, and a
// cancelled context (Ctrl-C) mid-run stops it gracefully: a summary, every
// JSON line complete, the pcap and the WAV file valid.
func TestRxLiveInterrupted(t *testing.T) {
	parent, cancelAll := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelAll()
	parent = withRegistry(parent, newDeviceRegistry())
	dir := t.TempDir()
	pcapPath, wavPath, recPath := filepath.Join(dir, "live.pcap"), filepath.Join(dir, "live.wav"), filepath.Join(dir, "live.sigmf-meta")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		runCtx(parent, "tx", "--device", "loopback=ctrlc,throttle", "--rate", "36000", "--seconds", "20", "--speech", "hts1a")
	}()
	rxCtx, interrupt := context.WithCancel(parent)
	time.AfterFunc(2500*time.Millisecond, interrupt) // Ctrl-C after 2.5 s
	start := time.Now()
	out, e, err := runCtx(rxCtx, "rx", "--device", "loopback=ctrlc,drop=0.02,seed=4", "--rate", "36000", "--json",
		"--pcap", pcapPath, "--speech-out", wavPath, "--record", recPath)
	elapsed := time.Since(start)
	cancelAll() // stop tx
	wg.Wait()
	t.Logf("rx stopped after %v: %v\n%s", elapsed.Round(time.Millisecond), err, strings.TrimSpace(e))
	if err != nil {
		t.Fatalf("rx: %v", err)
	}
	if elapsed > 10*time.Second || !strings.Contains(e, "rx: interrupted after") || !strings.Contains(e, "MCC 901 MNC 9999 CC 1") {
		t.Fatalf("not a graceful stop: %s", e)
	}
	if n := strings.Count(e, "tetrasim: loopback:"); n < 2 || !strings.Contains(e, "dropped ") {
		t.Errorf("%d dropped-sample counter lines", n)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("broken JSON line %q: %v", l, err)
		}
	}
	// pcap: the global header, then whole records to the last byte.
	raw, err := os.ReadFile(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, off := 0, 24
	for off < len(raw) {
		if off+16 > len(raw) {
			t.Fatalf("pcap: truncated record header at %d of %d", off, len(raw))
		}
		off += 16 + int(binary.LittleEndian.Uint32(raw[off+8:]))
		recs++
	}
	if len(raw) < 24 || off != len(raw) || recs < 100 {
		t.Fatalf("pcap: %d bytes, %d records, ends at %d", len(raw), recs, off)
	}
	pcm, err := voice.ReadAudioFile(wavPath)
	if err != nil || len(pcm) < 8000 {
		t.Fatalf("WAV: %d samples, %v", len(pcm), err)
	}
	// The recording holds exactly the samples rx read.
	r, err := sigmf.Open(recPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var secs float64
	if i := strings.Index(e, "interrupted after "); i >= 0 {
		fmt.Sscanf(e[i+len("interrupted after "):], "%g", &secs)
	}
	if r.Meta.Global.SampleRate != 36000 || r.Len() == 0 || math.Abs(float64(r.Len())/36000-secs) > 0.006 || !strings.Contains(e, "rx: recorded ") {
		t.Fatalf("recording: %d samples at %g S/s, rx read %.2f s", r.Len(), r.Meta.Global.SampleRate, secs)
	}
	t.Logf("%d JSON lines, %d pcap records, %.2f s of speech, %d samples recorded", len(lines), recs, float64(len(pcm))/8000, r.Len())
}

// TestRxLiveInterruptedIdle: Ctrl-C while rx waits on a live device that
// sends nothing (the link is open but idle) still stops it at once.
func TestRxLiveInterruptedIdle(t *testing.T) {
	parent, cancelAll := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelAll()
	parent = withRegistry(parent, newDeviceRegistry())
	ref := filepath.Join(t.TempDir(), "dl.cf32")
	if _, e, err := runCtx(parent, "tx", "--rate", "36000", "--seconds", "2.2", "--out", ref); err != nil {
		t.Fatalf("tx: %v %s", err, e)
	}
	raw, _ := os.ReadFile(ref)
	iqs := make([]complex64, len(raw)/8)
	for i := range iqs {
		iqs[i] = complex(math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i:])), math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i+4:])))
	}
	snk, err := openSinkWithSafety(parent, &bytes.Buffer{}, flagsFor(t, hardware.TX, "--device", "loopback=idle"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer snk.Close() // open until the end: the source never sees EOF
	if _, err := snk.WriteIQ(parent, iqs); err != nil {
		t.Fatal(err)
	}
	rxCtx, interrupt := context.WithCancel(parent)
	time.AfterFunc(time.Second, interrupt)
	start := time.Now()
	_, e, err := runCtx(rxCtx, "rx", "--device", "loopback=idle", "--rate", "36000", "--quiet")
	if d := time.Since(start); err != nil || d > 5*time.Second || !strings.Contains(e, "interrupted") || !strings.Contains(e, " 0 CRC errors") {
		t.Fatalf("rx after %v: %v %s", d, err, e)
	}
}

// TestLoopbackE2EELive: an encrypted transmission carried live from tx to rx
// over the loopback link with noise and a receiver crystal error: every SAF
// is accepted, no tag fails, the EOT signature verifies.
func TestLoopbackE2EELive(t *testing.T) {
	talker, listener := e2eeKeys(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx = withRegistry(ctx, newDeviceRegistry())
	var wg sync.WaitGroup
	var txErr error
	var txStderr string
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, txStderr, txErr = runCtx(ctx, "tx", "--device", "loopback=e2ee,buffer=65536", "--freq", "433.92e6", "--rate", "72000",
			"--seconds", "3.1", "--speech", "hts1a", "--cipher", "e2ee", "--keys", talker, "--talkgroup", "4660")
	}()
	_, e, err := runCtx(ctx, "rx", "--device", "loopback=e2ee,noise=-30,ppm=2,seed=3", "--freq", "433.92e6", "--rate", "72000",
		"--quiet", "--keys", listener, "--talkgroup", "4660", "--speech-out", filepath.Join(t.TempDir(), "live.wav"))
	wg.Wait()
	if txErr != nil {
		t.Fatalf("tx: %v %s", txErr, txStderr)
	}
	if err != nil {
		t.Fatalf("rx: %v %s", err, e)
	}
	t.Logf("%s", strings.TrimSpace(e))
	for _, w := range []string{"SAFs 5 accepted, 0 rejected", " 0 failed", "signature verified; verified"} {
		if !strings.Contains(e, w) {
			t.Errorf("rx: no %q", w)
		}
	}
}
