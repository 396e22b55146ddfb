package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultValid(t *testing.T) {
	s := Default()
	if len(s.Handsets) != 3 || len(s.Cells) != 1 || s.Handsets[2].JoinAtS == 0 {
		t.Errorf("default scenario changed shape: %+v", s)
	}
}

// TestBadScenarios: every bad file fails before the run with an error naming the field.
func TestBadScenarios(t *testing.T) {
	dir := t.TempDir()
	wav := filepath.Join(dir, "a.wav")
	if err := os.WriteFile(wav, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := `cells: [{name: A}]
talkgroups: [{name: g}]
handsets: [{name: h1, talkgroups: [g]}, {name: h2, talkgroups: [g]}]
`
	tests := []struct {
		name, yaml, field string
	}{
		{"unknown top key", base + "sead: 3\n", "sead"},
		{"unknown nested key", strings.Replace(base, "{name: h1,", "{name: h1, spped_kmh: 3,", 1), "handsets[0].spped_kmh"},
		{"missing wav", base + "talks: [{who: h1, wav: nope.wav}]\n", "talks[0].wav"},
		{"no wav", base + "talks: [{who: h1}]\n", "talks[0].wav"},
		{"negative speed", strings.Replace(base, "{name: h2,", "{name: h2, speed_kmh: -3,", 1), "handsets[1].speed_kmh"},
		{"bad ebn0", strings.Replace(base, "{name: A}", "{name: A, channel: {model: tu50, ebn0_db: 99}}", 1), "cells[0].channel.ebn0_db"},
		{"missing ebn0", strings.Replace(base, "{name: A}", "{name: A, channel: {model: awgn}}", 1), "cells[0].channel.ebn0_db"},
		{"bad model", strings.Replace(base, "{name: A}", "{name: A, channel: {model: rician}}", 1), "cells[0].channel.model"},
		{"unknown handset", base + "talks: [{who: zed, wav: builtin}]\n", "talks[0].who"},
		{"unknown group", strings.Replace(base, "talkgroups: [g]}]", "talkgroups: [x]}]", 1), "handsets[1].talkgroups[0]"},
		{"duplicate issi", strings.Replace(strings.Replace(base, "{name: h1,", "{name: h1, issi: 5,", 1), "{name: h2,", "{name: h2, issi: 5,", 1), "handsets[1].issi"},
		{"bad cipher", base + "cipher: tea1\n", "cipher"},
		{"bad fidelity", base + "fidelity: analog\n", "fidelity"},
		{"sds to self", base + "sds: [{from: h1, to: h1, text: hi}]\n", "sds[0].to"},
		{"talk before join", strings.Replace(base, "{name: h1,", "{name: h1, join_at_s: 5,", 1) + "talks: [{who: h1, at_s: 1, wav: builtin}]\n", "talks[0].at_s"},
		{"no cells", "talkgroups: [{name: g}]\nhandsets: [{name: h1, talkgroups: [g]}]\n", "cells"},
		{"bad position", strings.Replace(base, "{name: A}", "{name: A, position: [1, 2, 3]}", 1), "cells[0].position"},
		{"saf interval", base + "saf_interval_slots: 64\n", "saf_interval_slots"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), dir)
			if err == nil {
				t.Fatalf("accepted bad scenario:\n%s", tc.yaml)
			}
			if !strings.Contains(err.Error(), "scenario: "+tc.field+":") {
				t.Errorf("error does not name %s: %v", tc.field, err)
			}
		})
	}
	// The good base parses, with a WAV relative to the scenario's directory.
	s, err := Parse([]byte(base+"talks: [{who: h1, wav: a.wav}]\n"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Talks[0].WAV != wav || s.Talks[0].Group != "g" || s.Fidelity != "bits" || s.SAFIntervalSlots != 16 {
		t.Errorf("defaults not applied: %+v", s.Talks[0])
	}
}

func TestLoadLineNumbers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte("cells: [{name: A}]\ntalkgroups: [{name: g}]\nhandsets:\n  - name: h\n    talkgroups: [g]\n    colour: red\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "handsets[0].colour: unknown key") || !strings.Contains(err.Error(), "line 6") {
		t.Errorf("got %v", err)
	}
}

func TestTestdataFiles(t *testing.T) {
	s, err := Load("testdata/two-cells.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Cells) != 2 || len(s.Handsets) != 4 || s.Talks[2].Priority == nil || *s.Talks[2].Priority != 15 {
		t.Errorf("two-cells.yaml parsed wrong: %+v", s)
	}
	_, err = Load("testdata/bad.yaml")
	if err == nil {
		t.Fatal("bad.yaml accepted")
	}
	for _, field := range []string{"handsets[1].colour", "cells[0].channel.ebn0_db", "handsets[0].speed_kmh", "talks[0].wav"} {
		if !strings.Contains(err.Error(), "scenario: "+field+":") {
			t.Errorf("bad.yaml: error does not name %s:\n%v", field, err)
		}
	}
}

// FuzzParse: any file content gives a scenario or an error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(DefaultYAML))
	f.Add([]byte("cells: [{name: A}]\nhandsets: [{name: a, talkgroups: [g]}]\ntalkgroups: [{name: g}]\n"))
	f.Add([]byte("cells: {a: 1}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<14 {
			return
		}
		s, err := Parse(b, t.TempDir())
		if err == nil && (len(s.Cells) == 0 || len(s.Handsets) == 0) {
			t.Fatalf("accepted a scenario without cells or handsets")
		}
	})
}
