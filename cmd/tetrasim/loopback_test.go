package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
