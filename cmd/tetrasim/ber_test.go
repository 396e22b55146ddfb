package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestBERUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ber", "--ebn0", "0:x", "--bits", "1000"},
		{"ber", "--ebn0", "0:10", "--bits", "1000"},
		{"ber", "--ebn0", "10:0:1", "--bits", "1000"},
		{"ber", "--ebn0", "0:10:0", "--bits", "1000"},
		{"ber", "--ebn0", "0:10:-1", "--bits", "1000"},
		{"ber", "--ebn0", "5", "--bits", "-5"},
		{"ber", "--ebn0", "5", "--bits=-5"},
		{"ber", "--ebn0", "5", "--bits", "0"},
		{"ber", "--ebn0", "5", "--channel", "mars"},
		{"ber", "--ebn0", "5", "--detector", "psychic"},
		{"ber", "--ebn0", "5", "extra-arg"},
	} {
		if got := run(args); got != 2 {
			t.Errorf("run(%q) = %d, want 2", args, got)
		}
	}
}

func TestBERRunJSONAndPlot(t *testing.T) {
	dir := t.TempDir()
	js, png := filepath.Join(dir, "out", "b.jsonl"), filepath.Join(dir, "out", "b.png") // as make demo: the directory does not exist yet
	if got := run([]string{"ber", "-q", "--ebn0", "4:6:2", "--bits", "5000", "--json", js, "--plot", png}); got != 0 {
		t.Fatalf("exit %d", got)
	}
	f, err := os.Open(js)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var p map[string]float64
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"ebn0_db", "ber", "bits", "errors", "theory_ber"} {
			if _, ok := p[k]; !ok {
				t.Errorf("line %d lacks %q", n, k)
			}
		}
		if p["bits"] < 5000 || p["ber"] <= 0 || p["ber"] > 0.1 {
			t.Errorf("implausible point %v", p)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d JSON lines, want 2", n)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("plot not written: %v", err)
	}
}

func TestParseRange(t *testing.T) {
	got, err := parseRange("0:10:2.5")
	if err != nil || len(got) != 5 || got[4] != 10 {
		t.Errorf("parseRange = %v, %v", got, err)
	}
	got, err = parseRange("0:1:0.1")
	if err != nil || len(got) != 11 || got[10] != 1 {
		t.Errorf("parseRange(0:1:0.1) = %v, %v", got, err)
	}
}
