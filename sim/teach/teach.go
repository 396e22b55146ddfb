package teach

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Options configure a demo run. The zero value is usable.
type Options struct {
	// Seed selects the keys, plaintexts and identities (0 is a valid seed).
	Seed uint64
	// Width is the register width in bits of the reduced-key brute force
	// (demo 2), 1..32; 0 means DefaultWidth.
	Width int
	// NoAudio skips the speech outputs (Result.Audio), for quick runs.
	NoAudio bool
}

// DefaultWidth is the default register width of demo 2: 2^20 candidates take
// under a second on one core (about 3e6 candidates/s measured).
const DefaultWidth = 20

// MaxWidth bounds demo 2 so a classroom run cannot take hours by accident:
// 2^32 candidates take tens of minutes on one core.
const MaxWidth = 32

// Figure is one measured number of a demo.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Side is the outcome of the attack on one profile.
type Side struct {
	// Profile is the e2ee-design.md §7 name: "aie-toy", "tetra-e2ee-like",
	// "p25-like", "m17-like" or "tetrasim-v1".
	Profile string `json:"profile"`
	// AttackSucceeded reports whether the attack achieved its goal (decrypted,
	// replayed, injected, forged) on this profile.
	AttackSucceeded bool     `json:"attack_succeeded"`
	Narrative       []string `json:"narrative"`
	Figures         []Figure `json:"figures"`
}

func (s *Side) say(format string, a ...any) {
	s.Narrative = append(s.Narrative, fmt.Sprintf(format, a...))
}

func (s *Side) fig(name string, v float64, unit string) {
	s.Figures = append(s.Figures, Figure{Name: name, Value: v, Unit: unit})
}

// Figure returns the value of the named figure and whether it exists.
func (s Side) Figure(name string) (float64, bool) {
	for _, f := range s.Figures {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}

// Audio is speech a learner can listen to: 8 kHz mono PCM.
type Audio struct {
	// Name is a file-name stem, e.g. "07-weak-replay-heard".
	Name string `json:"name"`
	// Description says what is heard.
	Description string  `json:"description"`
	PCM         []int16 `json:"-"`
}

// Result is the outcome of one demo.
type Result struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
	MapsTo string `json:"maps_to"`
	Seed   uint64 `json:"seed"`
	Weak   Side   `json:"weak"`
	V1     Side   `json:"tetrasim_v1"`
	// Lesson is the one-sentence conclusion.
	Lesson string  `json:"lesson"`
	Audio  []Audio `json:"audio,omitempty"`
}

// Demo describes one teaching demo of e2ee-design.md §8.
type Demo struct {
	Number int
	Name   string // short command-line name, e.g. "time-rewind"
	MapsTo string // the CVE or property it maps to
	Title  string
	Speech bool // the demo returns speech (Result.Audio) unless Options.NoAudio
	run    func(*env) (*Result, error)
}

// Run runs the demo.
func (d Demo) Run(o Options) (*Result, error) {
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Width < 1 || o.Width > MaxWidth {
		return nil, fmt.Errorf("teach: register width %d outside 1..%d", o.Width, MaxWidth)
	}
	e := newEnv(o)
	r, err := d.run(e)
	if err != nil {
		return nil, fmt.Errorf("teach: demo %d (%s): %w", d.Number, d.Name, err)
	}
	r.Number, r.Name, r.MapsTo, r.Seed = d.Number, d.Name, d.MapsTo, o.Seed
	if o.NoAudio {
		r.Audio = nil
	}
	return r, nil
}

// Demos returns the demos that work, in e2ee-design.md §8 order. The slice is
// new on every call.
func Demos() []Demo {
	return []Demo{
		{1, "eavesdrop", "AIE vs E2EE", "Eavesdroppers: RF listener and compromised base station", true, demoEavesdrop},
		{2, "brute-force", "CVE-2022-24402", "Reduced-key brute force (TEA1-style register)", true, demoBruteForce},
		{3, "aes56", "CVE-2025-52941", "56-bit \"export AES\": entropy arithmetic", false, demoAES56},
		{4, "time-rewind", "CVE-2022-24401", "Keystream reuse through network-time spoofing", true, demoTimeRewind},
		{5, "nonce-reuse", "two-time pad (M17 nonce rule)", "Nonce reuse after a reboot", true, demoNonceReuse},
		{6, "bit-flip", "CVE-2022-24404", "Bit-flipping malleability: SDS \"GO\" becomes \"NO\"", false, demoBitFlip},
		{7, "voice-replay", "CVE-2025-52940", "E2EE voice replay", true, demoVoiceReplay},
		{8, "voice-inject", "CVE-2025-52940", "Voice injection from known silence", true, demoVoiceInject},
		{9, "sds-replay", "CVE-2025-52942", "SDS replay", false, demoSDSReplay},
		{13, "m17-digest", "M17 signature digest", "M17 linear digest collision", false, demoM17Digest},
		{14, "insider", "group-MAC limits (Sender Keys signing)", "Insider impersonation versus the EOT signature", false, demoInsider},
		{16, "removed-member", "MLS-style membership change, FS, PCS", "A removed member, a stolen device and a key thief go dark", true, demoRemovedMember},
	}
}

// ErrUnknownDemo: no demo has that number or name.
var ErrUnknownDemo = errors.New("teach: unknown demo")

// Find returns the demo with number or name s.
func Find(s string) (Demo, error) {
	n, nerr := strconv.Atoi(s)
	for _, d := range Demos() {
		if (nerr == nil && d.Number == n) || strings.EqualFold(d.Name, s) {
			return d, nil
		}
	}
	return Demo{}, fmt.Errorf("%w %q", ErrUnknownDemo, s)
}

// env is the per-run state: options, a seeded RNG and a reader for key material.
type env struct {
	o   Options
	rng *rand.Rand
	rd  *rand.ChaCha8
}

func newEnv(o Options) *env {
	var seed [32]byte
	for i := range 8 {
		seed[i] = byte(o.Seed >> (8 * i))
	}
	copy(seed[8:], "tetrasim teach demos")
	return &env{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x7465616368)), rd: rand.NewChaCha8(seed)}
}

// bytes returns n seeded random bytes.
func (e *env) bytes(n int) []byte {
	b := make([]byte, n)
	e.rd.Read(b)
	return b
}
