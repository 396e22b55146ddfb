package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/codec/voice"
)

func TestTeachList(t *testing.T) {
	out, _, err := runCmd(t, "teach", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CVE-2022-24401", "time-rewind", "CVE-2025-52940", " 4 ", "16 "} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n < 10 {
		t.Errorf("%d demos listed", n)
	}
}

// TestTeachRun: demo 7 by name writes WAVs: the replayed speech on the weak
// profile is loud, the tetrasim-v1 listener hears nothing.
func TestTeachRun(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCmd(t, "teach", "run", "voice-replay", "--out", dir, "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tetra-e2ee-like -- attack SUCCEEDS", "tetrasim-v1 -- attack FAILS", "100 of 100 frames play", "0 frames played, 100 refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	energy := func(name string) float64 {
		pcm, err := voice.ReadAudioFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var e float64
		for _, s := range pcm {
			e += float64(s) * float64(s)
		}
		return e / float64(len(pcm))
	}
	if weak, v1 := energy("07-weak-replay-heard.wav"), energy("07-v1-replay-heard.wav"); weak < 1e4 || v1 != 0 {
		t.Errorf("mean power: weak replay %.0f (want speech), v1 replay %.0f (want silence)", weak, v1)
	}
}

func TestTeachJSON(t *testing.T) {
	out, _, err := runCmd(t, "teach", "run", "4", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Number int
		Weak   struct {
			AttackSucceeded bool `json:"attack_succeeded"`
		}
		V1 struct {
			AttackSucceeded bool `json:"attack_succeeded"`
			Figures         []struct {
				Name  string
				Value float64
			}
		} `json:"tetrasim_v1"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Number != 4 || !r.Weak.AttackSucceeded || r.V1.AttackSucceeded || len(r.V1.Figures) == 0 {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat("04-weak-recovered.wav"); err == nil {
		t.Fatal("WAV written without --out")
	}
}

func TestTeachUsage(t *testing.T) {
	for _, args := range [][]string{
		{"teach", "run", "99"},
		{"teach", "run", "2", "--width", "40"},
		{"teach", "run"},
	} {
		if got := run(args); got != 2 {
			t.Errorf("run(%q) = %d, want 2", args, got)
		}
	}
}
