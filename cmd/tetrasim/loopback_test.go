package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetrasim/tetrasim/hardware/sigmf"
)

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
