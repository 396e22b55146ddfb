package teach

import (
	"errors"
	"testing"
)

// want is what a demo's test checks beyond AttackSucceeded: figures that must
// hold exactly (weak side and tetrasim-v1 side), and figures that must be zero
// or positive.
type want struct {
	weakEq, v1Eq    map[string]string // figure must equal another figure
	weakMin, v1Zero []string          // figure > 0; figure == 0
	v1Min           []string          // figure > 0
	v1Below         map[string]float64
	audio           int
}

var checks = map[int]want{
	1: {weakEq: map[string]string{"base station bits, AIE": "speech bits total", "RF listener bits, clear": "speech bits total"},
		v1Eq: map[string]string{"member bits": "speech bits total"}, v1Below: map[string]float64{"base station bits, E2EE/speech bits total": 0.6}, audio: 2},
	2: {weakEq: map[string]string{"speech bits decrypted": "speech bits total"}, weakMin: []string{"candidates tried", "rate"}, audio: 1},
	3: {weakEq: map[string]string{"keys equivalent": "keys tried"}, weakMin: []string{"search candidates"}},
	4: {weakEq: map[string]string{"speech bits recovered": "speech bits total"}, v1Zero: []string{"nonces reused"},
		v1Below: map[string]float64{"speech bits recovered/speech bits total": 0.6}, audio: 2},
	5: {weakEq: map[string]string{"xor-equal bits": "xor bits total"}, v1Zero: []string{"nonces reused"},
		v1Below: map[string]float64{"xor-equal bits/xor bits total": 0.6}, audio: 1},
	6:  {weakEq: map[string]string{"profiles fooled": "profiles tried"}, v1Zero: []string{"forged SDS accepted"}, v1Min: []string{"voice tags failed"}},
	7:  {v1Zero: []string{"replayed frames played"}, weakMin: []string{"replayed frames played"}, audio: 2},
	8:  {weakEq: map[string]string{"injected bits exact": "injected bits total"}, v1Min: []string{"tags failed", "frames muted"}, audio: 2},
	9:  {weakMin: []string{"commands executed"}, v1Eq: map[string]string{"commands executed": "messages sent"}},
	13: {weakMin: []string{"signature valid"}, v1Zero: []string{"digest unchanged"}, v1Min: []string{"tags failed"}},
	14: {weakMin: []string{"forged frames played"}, v1Min: []string{"forgeries detected", "genuine EOT-SIG verified", "forged frames played"}},
	16: {weakMin: []string{"frames the removed member decrypts"}, v1Zero: []string{"frames the removed member decrypts", "key wraps to the removed member", "recorded frames a stolen device decrypts", "frames a key thief decrypts after rotation"}, v1Min: []string{"frames B plays after", "frames B plays after rotation"}, audio: 2},
}

func fig(t *testing.T, s Side, name string) float64 {
	t.Helper()
	v, ok := s.Figure(name)
	if !ok {
		t.Fatalf("%s: no figure %q", s.Profile, name)
	}
	return v
}

// TestDemos runs every listed demo: the attack must succeed on the weak profile
// and fail on tetrasim-v1, with the figures that show it.
func TestDemos(t *testing.T) {
	for _, d := range Demos() {
		t.Run(d.Name, func(t *testing.T) {
			r, err := d.Run(Options{Seed: 7, Width: 16})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Weak.AttackSucceeded {
				t.Errorf("attack failed on the weak profile %s: %q", r.Weak.Profile, r.Weak.Narrative)
			}
			if r.V1.AttackSucceeded {
				t.Errorf("attack succeeded on tetrasim-v1: %q", r.V1.Narrative)
			}
			if r.V1.Profile != "tetrasim-v1" || len(r.Weak.Narrative) == 0 || len(r.V1.Narrative) == 0 || r.Lesson == "" {
				t.Errorf("incomplete result: profile %q, narratives %d/%d, lesson %q", r.V1.Profile, len(r.Weak.Narrative), len(r.V1.Narrative), r.Lesson)
			}
			c := checks[d.Number]
			for a, b := range c.weakEq {
				if x, y := fig(t, r.Weak, a), fig(t, r.Weak, b); x != y {
					t.Errorf("weak: %s = %v, %s = %v", a, x, b, y)
				}
			}
			for _, a := range c.weakMin {
				if fig(t, r.Weak, a) <= 0 {
					t.Errorf("weak: %s = 0", a)
				}
			}
			for a, b := range c.v1Eq {
				if x, y := fig(t, r.V1, a), fig(t, r.V1, b); x != y {
					t.Errorf("tetrasim-v1: %s = %v, %s = %v", a, x, b, y)
				}
			}
			for _, a := range c.v1Min {
				if fig(t, r.V1, a) <= 0 {
					t.Errorf("tetrasim-v1: %s = 0", a)
				}
			}
			for _, a := range c.v1Zero {
				if v := fig(t, r.V1, a); v != 0 {
					t.Errorf("tetrasim-v1: %s = %v", a, v)
				}
			}
			for ratio, lim := range c.v1Below {
				var a, b string
				for i := range ratio {
					if ratio[i] == '/' {
						a, b = ratio[:i], ratio[i+1:]
					}
				}
				if x := fig(t, r.V1, a) / fig(t, r.V1, b); x > lim || x < 0.4 {
					t.Errorf("tetrasim-v1: %s = %.3f, want chance (about 0.5)", ratio, x)
				}
			}
			if (c.audio > 0) != d.Speech {
				t.Errorf("Speech = %v, but %d audio outputs expected", d.Speech, c.audio)
			}
			if len(r.Audio) != c.audio {
				t.Errorf("%d audio outputs, want %d", len(r.Audio), c.audio)
			}
			for _, a := range r.Audio {
				if len(a.PCM) < 8000/2 {
					t.Errorf("audio %s: %d samples", a.Name, len(a.PCM))
				}
			}
		})
	}
}

// TestDeterministic: the same seed gives the same figures (except timings).
func TestDeterministic(t *testing.T) {
	d, err := Find("time-rewind")
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.Run(Options{Seed: 3, NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Run(Options{Seed: 3, NoAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Weak.Narrative) != len(b.Weak.Narrative) || a.Weak.Narrative[0] != b.Weak.Narrative[0] || a.V1.Narrative[2] != b.V1.Narrative[2] {
		t.Fatalf("seed 3 gave different runs:\n%q\n%q", a.V1.Narrative, b.V1.Narrative)
	}
	if len(a.Audio) != 0 {
		t.Fatal("NoAudio returned audio")
	}
}

func TestFind(t *testing.T) {
	for _, s := range []string{"4", "time-rewind", "TIME-REWIND"} {
		if d, err := Find(s); err != nil || d.Number != 4 {
			t.Errorf("Find(%q) = %d, %v", s, d.Number, err)
		}
	}
	for _, s := range []string{"10", "99", "nope", ""} {
		if _, err := Find(s); !errors.Is(err, ErrUnknownDemo) {
			t.Errorf("Find(%q): %v", s, err)
		}
	}
	if _, err := (Demo{Number: 2, run: demoBruteForce}).Run(Options{Width: 40}); err == nil {
		t.Error("width 40 accepted")
	}
	seen := map[int]bool{}
	for _, d := range Demos() {
		if seen[d.Number] || d.Name == "" || d.MapsTo == "" || d.Title == "" {
			t.Errorf("bad demo entry %+v", d)
		}
		seen[d.Number] = true
	}
}

// BenchmarkDemo reports the run time of each demo (speech included).
func BenchmarkDemo(b *testing.B) {
	for _, d := range Demos() {
		b.Run(d.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.Run(Options{Seed: 1, Width: 16}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "demos/s")
		})
	}
}
