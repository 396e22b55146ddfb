package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCallCommand runs `tetrasim call` on the built-in scenario and checks the
// files it promises, and that a bad scenario is a usage error.
func TestCallCommand(t *testing.T) {
	dir := t.TempDir()
	if got := run([]string{"call", "--out", dir, "-q"}); got != 0 {
		t.Fatalf("call exit %d", got)
	}
	for _, f := range []string{"report.json", "summary.txt", "bob.rx.wav", "carol.rx.wav", "alice.local-decode.wav",
		"eavesdropper.nokeys.wav", "compromised-bs-A.nokeys.wav", "downlink.sigmf-meta", "downlink.sigmf-data",
		"uplink.sigmf-meta", "uplink.sigmf-data", "air.pcap", "constellation.png", "spectrum.png", "errors.png"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Cipher   string `json:"cipher"`
		Handsets []struct {
			Name string `json:"name"`
		} `json:"handsets"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Cipher != "e2ee" || len(r.Handsets) != 3 {
		t.Errorf("report.json: %v %+v", err, r)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("cells: [{name: A}]\nhandsets: []\nsead: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := run([]string{"call", "--scenario", bad, "--out", dir}); got != 2 {
		t.Errorf("bad scenario: exit %d, want 2", got)
	}
	if got := run([]string{"call", "--fidelity", "analog", "--out", dir}); got != 2 {
		t.Errorf("bad --fidelity: exit %d, want 2", got)
	}
}
