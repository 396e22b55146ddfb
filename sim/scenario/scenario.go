// Package scenario defines tetrasim's simulation scenario files (YAML) and checks
// them before a run: unknown keys, missing WAV files and impossible values are
// reported with the path of the field that is wrong, for example
//
//	scenario: handsets[1].speed_kmh: -3 is negative (line 14)
//
// A Scenario is plain data: Load or Parse it, then hand it to sim.New. Default
// returns the built-in scenario of `tetrasim call`.
package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Scenario is one simulation run.
type Scenario struct {
	Name string `yaml:"name"`
	// Seed seeds the run's only random source; the same seed gives the same run.
	Seed uint64 `yaml:"seed"`
	// DurationS is the simulated time [s], > 0. Zero means "until the last talk
	// burst and SDS have finished, plus 1 s".
	DurationS float64 `yaml:"duration_s"`
	// Fidelity selects the physical layer: "iq" (pi/4-DQPSK samples through the
	// channel model) or "bits" (soft bits through an equivalent channel, fast).
	Fidelity string `yaml:"fidelity"`
	// Cipher is the cipher profile: "e2ee" (suite 0x01, AES-256-CTR + HMAC +
	// AES-GCM), "e2ee-chacha" (suite 0x02) or "clear".
	Cipher string `yaml:"cipher"`
	// SAFIntervalSlots is the number of traffic slots between Sync+Auth Frames
	// (e2ee-design.md §5.5: 16), 4..32.
	SAFIntervalSlots int `yaml:"saf_interval_slots"`
	// TamperThreshold is the number of failed tag sub-windows in one
	// transmission after which a receiver mutes the sender (e2ee-design.md §5.5:
	// 2), 1..64.
	TamperThreshold int `yaml:"tamper_threshold"`

	Cells        []Cell        `yaml:"cells"`
	Talkgroups   []Talkgroup   `yaml:"talkgroups"`
	Handsets     []Handset     `yaml:"handsets"`
	Talks        []Talk        `yaml:"talks"`
	SDS          []SDS         `yaml:"sds"`
	Rekeys       []Rekey       `yaml:"rekeys"`
	Eavesdropper *Eavesdropper `yaml:"eavesdropper"`
	// CompromisedBS names a cell whose base station is under attacker control: the
	// run records everything it sees (it still holds no keys).
	CompromisedBS string `yaml:"compromised_bs"`
	// ReplayAtS, with CompromisedBS, makes that base station replay the first
	// transmission it relayed (up to 2 s of it) at this time [s], > 0.
	ReplayAtS float64 `yaml:"replay_at_s"`
	// Downgrade, with CompromisedBS, makes that base station announce every
	// encrypted call as clear (a downgrade attack through the encryption flag).
	Downgrade bool `yaml:"downgrade"`

	// Dir is the directory relative WAV paths are resolved against (set by Load).
	Dir string `yaml:"-"`
}

// Cell is one base station.
type Cell struct {
	Name string `yaml:"name"`
	// ID is the cell's colour code, 1..63, which seeds its scrambling (clause 8.2.5).
	ID int `yaml:"id"`
	// Position [m] (x, y).
	Position []float64 `yaml:"position"`
	// DownlinkMHz is the downlink carrier [MHz], 100..1000; the uplink is 10 MHz lower.
	DownlinkMHz float64 `yaml:"downlink_mhz"`
	// Channel is the default channel of every link in this cell.
	Channel *Channel `yaml:"channel"`
}

// Channel describes a radio link's propagation.
type Channel struct {
	// Model is "clean" (no noise), "awgn", "tu50" (typical urban, 50 km/h) or
	// "ht200" (hilly terrain, 200 km/h), EN 300 392-2 clause 6.
	Model string `yaml:"model"`
	// EbN0DB is the mean Eb/N0 [dB], -10..60; ignored for "clean".
	EbN0DB *float64 `yaml:"ebn0_db"`
	// CFOHz is a carrier frequency offset [Hz], |CFO| <= 2000.
	CFOHz float64 `yaml:"cfo_hz"`
}

// Talkgroup is a group (GSSI) that handsets attach to.
type Talkgroup struct {
	Name string `yaml:"name"`
	// GSSI is the group short subscriber identity, 1..2^24-1 (clause 7).
	GSSI uint32 `yaml:"gssi"`
	// SecureOnly talkgroups refuse clear audio (e2ee-design.md §5.11).
	SecureOnly bool `yaml:"secure_only"`
}

// Handset is one mobile station (MS).
type Handset struct {
	Name string `yaml:"name"`
	// ISSI is the individual short subscriber identity, 1..2^24-1.
	ISSI uint32 `yaml:"issi"`
	// Cell names the cell the handset camps on for the whole run; empty means
	// the nearest, which may change as it moves.
	Cell string `yaml:"cell"`
	// Position [m] (x, y) at time 0.
	Position []float64 `yaml:"position"`
	// Path is a list of waypoints [m] visited in order at SpeedKMH after
	// Position. A handset without a fixed Cell moves to a nearer cell on the way
	// (cell reselection, at "bits" fidelity).
	Path [][]float64 `yaml:"path"`
	// SpeedKMH sets the Doppler spread of its links [km/h], 0..500.
	SpeedKMH float64 `yaml:"speed_kmh"`
	// Talkgroups the handset attaches to after registration.
	Talkgroups []string `yaml:"talkgroups"`
	// Priority 0..15 for floor pre-emption (higher wins).
	Priority int `yaml:"priority"`
	// JoinAtS is when the handset powers on [s], >= 0 (a late joiner has > 0).
	JoinAtS float64 `yaml:"join_at_s"`
	// Channel overrides the cell's channel for this handset's up- and downlink.
	Channel *Channel `yaml:"channel"`
}

// Talk is one push-to-talk press.
type Talk struct {
	Who   string `yaml:"who"`
	Group string `yaml:"group"`
	// AtS is when PTT is pressed [s], >= 0.
	AtS float64 `yaml:"at_s"`
	// DurationS is how long PTT is held [s]; 0 means the length of the WAV.
	DurationS float64 `yaml:"duration_s"`
	// WAV is the talker's microphone: a path (relative to the scenario file) or
	// "builtin" (the clip bundled with codec/voice).
	WAV string `yaml:"wav"`
	// OffsetS skips this many seconds of the WAV [s], >= 0.
	OffsetS float64 `yaml:"offset_s"`
	// Priority overrides the handset's priority for this press, 0..15 (-1: unset).
	Priority *int `yaml:"priority"`
}

// SDS is one end-to-end encrypted short data message.
type SDS struct {
	From string `yaml:"from"`
	// To names a handset; Group a talkgroup. Exactly one is set.
	To    string  `yaml:"to"`
	Group string  `yaml:"group"`
	AtS   float64 `yaml:"at_s"`
	Text  string  `yaml:"text"`
}

// Rekey starts a new epoch for a group: the KMF sends each member its key wrap
// and broadcasts the signed announcement, over the air (e2ee-design.md §5.10).
type Rekey struct {
	Group string  `yaml:"group"`
	AtS   float64 `yaml:"at_s"`
}

// Eavesdropper is a passive receiver recording the air of one cell.
type Eavesdropper struct {
	Cell     string    `yaml:"cell"`
	Position []float64 `yaml:"position"`
	Channel  *Channel  `yaml:"channel"`
}

// Error is a validation error naming the field.
type Error struct {
	Field string // e.g. "handsets[1].speed_kmh"
	Line  int    // 1-based line in the file, 0 if unknown
	Msg   string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("scenario: %s: %s (line %d)", e.Field, e.Msg, e.Line)
	}
	return fmt.Sprintf("scenario: %s: %s", e.Field, e.Msg)
}

// Load reads and validates a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	s, err := Parse(b, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Parse decodes a YAML scenario, resolves relative WAV paths against dir and
// validates it. All problems found are joined into the returned error; each is an
// *Error naming its field.
func Parse(data []byte, dir string) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, &Error{Field: "(file)", Msg: "empty scenario"}
	}
	lines := map[string]int{}
	var errs []error
	checkKeys(root.Content[0], reflect.TypeOf(Scenario{}), "", lines, &errs)
	s := new(Scenario)
	if err := root.Content[0].Decode(s); err != nil {
		return nil, errors.Join(append(errs, fmt.Errorf("scenario: %w", err))...)
	}
	s.Dir = dir
	if err := s.validate(lines); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...) // every problem at once, each naming its field
	}
	return s, nil
}

// checkKeys walks a YAML mapping against struct type t, reporting unknown keys
// and recording the line of every field path.
func checkKeys(n *yaml.Node, t reflect.Type, path string, lines map[string]int, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	lines[path] = n.Line
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, &Error{Field: orRoot(path), Line: n.Line, Msg: "must be a mapping"})
			return
		}
		fields := map[string]reflect.Type{}
		var known []string
		for i := range t.NumField() {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = t.Field(i).Type
			known = append(known, tag)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, &Error{Field: p, Line: k.Line,
					Msg: "unknown key (known: " + strings.Join(known, ", ") + ")"})
				continue
			}
			checkKeys(v, ft, p, lines, errs)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 || n.Kind != yaml.SequenceNode {
			return // let Decode report type errors
		}
		for i, c := range n.Content {
			checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines, errs)
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Limits used by validation.
const (
	MaxCells     = 64
	MaxHandsets  = 4096
	MaxDurationS = 3600
	MaxSDSBytes  = 200 // plaintext; 25 B of E2EE overhead keeps it under the SDS-4 limit
)

type validator struct {
	lines map[string]int
	errs  []error
}

func (v *validator) fail(field, format string, a ...any) {
	// The line of the field, or of the nearest enclosing one (a missing key).
	line := 0
	for p := field; p != "" && line == 0; {
		line = v.lines[p]
		if i := strings.LastIndexAny(p, ".["); i >= 0 {
			p = p[:i]
		} else {
			p = ""
		}
	}
	v.errs = append(v.errs, &Error{Field: field, Line: line, Msg: fmt.Sprintf(format, a...)})
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (v *validator) rangeF(field string, x, lo, hi float64) {
	if !finite(x) || x < lo || x > hi {
		v.fail(field, "%v is out of range [%v, %v]", x, lo, hi)
	}
}

func (v *validator) pos(field string, p []float64, required bool) {
	if len(p) == 0 && !required {
		return
	}
	if len(p) != 2 {
		v.fail(field, "must be [x, y] in metres, got %d numbers", len(p))
		return
	}
	for _, x := range p {
		if !finite(x) || math.Abs(x) > 1e6 {
			v.fail(field, "%v is not a position within 1000 km", x)
		}
	}
}

func (v *validator) channel(field string, c *Channel) {
	if c == nil {
		return
	}
	switch c.Model {
	case "clean":
	case "awgn", "tu50", "ht200":
		if c.EbN0DB == nil {
			v.fail(field+".ebn0_db", "required for model %q", c.Model)
		} else {
			v.rangeF(field+".ebn0_db", *c.EbN0DB, -10, 60)
		}
	case "":
		v.fail(field+".model", "missing (clean, awgn, tu50 or ht200)")
	default:
		v.fail(field+".model", "unknown model %q (clean, awgn, tu50 or ht200)", c.Model)
	}
	v.rangeF(field+".cfo_hz", c.CFOHz, -2000, 2000)
}

// validate checks every value and cross-reference.
func (s *Scenario) validate(lines map[string]int) error {
	v := &validator{lines: lines}
	if s.DurationS != 0 {
		v.rangeF("duration_s", s.DurationS, 0.1, MaxDurationS)
	}
	switch s.Fidelity {
	case "":
		s.Fidelity = "bits"
	case "iq", "bits":
	default:
		v.fail("fidelity", "unknown fidelity %q (iq or bits)", s.Fidelity)
	}
	switch s.Cipher {
	case "":
		s.Cipher = "e2ee"
	case "e2ee", "e2ee-chacha", "clear":
	default:
		v.fail("cipher", "unknown cipher profile %q (e2ee, e2ee-chacha or clear)", s.Cipher)
	}
	if s.SAFIntervalSlots == 0 {
		s.SAFIntervalSlots = 16
	} else if s.SAFIntervalSlots < 4 || s.SAFIntervalSlots > 32 {
		v.fail("saf_interval_slots", "%d is out of range [4, 32]", s.SAFIntervalSlots)
	}

	if s.TamperThreshold == 0 {
		s.TamperThreshold = 2
	} else if s.TamperThreshold < 1 || s.TamperThreshold > 64 {
		v.fail("tamper_threshold", "%d is out of range [1, 64]", s.TamperThreshold)
	}
	if len(s.Cells) == 0 {
		v.fail("cells", "at least one cell is required")
	}
	if len(s.Cells) > MaxCells {
		v.fail("cells", "%d cells, at most %d", len(s.Cells), MaxCells)
	}
	cells := map[string]bool{}
	ids := map[int]bool{}
	for i := range s.Cells {
		c := &s.Cells[i]
		f := fmt.Sprintf("cells[%d]", i)
		if c.Name == "" {
			v.fail(f+".name", "missing")
		} else if cells[c.Name] {
			v.fail(f+".name", "duplicate cell %q", c.Name)
		}
		cells[c.Name] = true
		if c.ID == 0 {
			c.ID = i + 1
		}
		if c.ID < 1 || c.ID > 63 {
			v.fail(f+".id", "%d is out of range [1, 63]", c.ID)
		} else if ids[c.ID] {
			v.fail(f+".id", "duplicate colour code %d", c.ID)
		}
		ids[c.ID] = true
		v.pos(f+".position", c.Position, false)
		if c.DownlinkMHz == 0 {
			c.DownlinkMHz = 390
		}
		v.rangeF(f+".downlink_mhz", c.DownlinkMHz, 100, 1000)
		if c.Channel == nil {
			c.Channel = &Channel{Model: "clean"}
		}
		v.channel(f+".channel", c.Channel)
	}

	groups := map[string]bool{}
	gssis := map[uint32]bool{}
	for i := range s.Talkgroups {
		g := &s.Talkgroups[i]
		f := fmt.Sprintf("talkgroups[%d]", i)
		if g.Name == "" {
			v.fail(f+".name", "missing")
		} else if groups[g.Name] {
			v.fail(f+".name", "duplicate talkgroup %q", g.Name)
		}
		groups[g.Name] = true
		if g.GSSI == 0 {
			g.GSSI = uint32(9000 + i + 1)
		}
		if g.GSSI >= 1<<24 {
			v.fail(f+".gssi", "%d does not fit 24 bits", g.GSSI)
		} else if gssis[g.GSSI] {
			v.fail(f+".gssi", "duplicate GSSI %d", g.GSSI)
		}
		gssis[g.GSSI] = true
	}

	if len(s.Handsets) == 0 {
		v.fail("handsets", "at least one handset is required")
	}
	if len(s.Handsets) > MaxHandsets {
		v.fail("handsets", "%d handsets, at most %d", len(s.Handsets), MaxHandsets)
	}
	hs := map[string]int{}
	issis := map[uint32]bool{}
	members := map[string]map[string]bool{}
	for i := range s.Handsets {
		h := &s.Handsets[i]
		f := fmt.Sprintf("handsets[%d]", i)
		if h.Name == "" {
			v.fail(f+".name", "missing")
		} else if _, dup := hs[h.Name]; dup {
			v.fail(f+".name", "duplicate handset %q", h.Name)
		}
		hs[h.Name] = i
		if h.ISSI == 0 {
			h.ISSI = uint32(1000 + i + 1)
		}
		if h.ISSI >= 1<<24 {
			v.fail(f+".issi", "%d does not fit 24 bits", h.ISSI)
		} else if issis[h.ISSI] {
			v.fail(f+".issi", "duplicate ISSI %d", h.ISSI)
		}
		issis[h.ISSI] = true
		if h.Cell != "" && !cells[h.Cell] {
			v.fail(f+".cell", "no cell named %q", h.Cell)
		}
		v.pos(f+".position", h.Position, false)
		for j, p := range h.Path {
			v.pos(fmt.Sprintf("%s.path[%d]", f, j), p, true)
		}
		if h.SpeedKMH < 0 {
			v.fail(f+".speed_kmh", "%v is negative", h.SpeedKMH)
		} else {
			v.rangeF(f+".speed_kmh", h.SpeedKMH, 0, 500)
		}
		if len(h.Path) > 0 && h.SpeedKMH == 0 {
			v.fail(f+".speed_kmh", "a handset with a path needs a speed > 0")
		}
		if len(h.Talkgroups) == 0 {
			v.fail(f+".talkgroups", "a handset must attach to at least one talkgroup")
		}
		members[h.Name] = map[string]bool{}
		for j, g := range h.Talkgroups {
			if !groups[g] {
				v.fail(fmt.Sprintf("%s.talkgroups[%d]", f, j), "no talkgroup named %q", g)
			}
			members[h.Name][g] = true
		}
		if h.Priority < 0 || h.Priority > 15 {
			v.fail(f+".priority", "%d is out of range [0, 15]", h.Priority)
		}
		v.rangeF(f+".join_at_s", h.JoinAtS, 0, MaxDurationS)
		v.channel(f+".channel", h.Channel)
	}

	for i := range s.Talks {
		t := &s.Talks[i]
		f := fmt.Sprintf("talks[%d]", i)
		if _, ok := hs[t.Who]; !ok {
			v.fail(f+".who", "no handset named %q", t.Who)
		}
		if t.Group == "" && t.Who != "" {
			if hi, ok := hs[t.Who]; ok && len(s.Handsets[hi].Talkgroups) > 0 {
				t.Group = s.Handsets[hi].Talkgroups[0]
			}
		}
		if !groups[t.Group] {
			v.fail(f+".group", "no talkgroup named %q", t.Group)
		} else if m := members[t.Who]; m != nil && !m[t.Group] {
			v.fail(f+".group", "handset %q is not attached to %q", t.Who, t.Group)
		}
		v.rangeF(f+".at_s", t.AtS, 0, MaxDurationS)
		if t.DurationS != 0 {
			v.rangeF(f+".duration_s", t.DurationS, 0.06, MaxDurationS)
		}
		v.rangeF(f+".offset_s", t.OffsetS, 0, MaxDurationS)
		if t.Priority != nil && (*t.Priority < 0 || *t.Priority > 15) {
			v.fail(f+".priority", "%d is out of range [0, 15]", *t.Priority)
		}
		switch {
		case t.WAV == "":
			v.fail(f+".wav", "missing (a WAV path or \"builtin\")")
		case t.WAV == "builtin" || strings.HasPrefix(t.WAV, "builtin:"):
		default:
			p := t.WAV
			if !filepath.IsAbs(p) {
				p = filepath.Join(s.Dir, p)
			}
			if st, err := os.Stat(p); err != nil {
				v.fail(f+".wav", "cannot open %q: %v", t.WAV, errors.Unwrap(err))
			} else if st.IsDir() {
				v.fail(f+".wav", "%q is a directory", t.WAV)
			} else {
				t.WAV = p
			}
		}
		if hi, ok := hs[t.Who]; ok && t.AtS < s.Handsets[hi].JoinAtS {
			v.fail(f+".at_s", "%v s is before handset %q joins at %v s", t.AtS, t.Who, s.Handsets[hi].JoinAtS)
		}
	}

	for i := range s.SDS {
		m := &s.SDS[i]
		f := fmt.Sprintf("sds[%d]", i)
		if _, ok := hs[m.From]; !ok {
			v.fail(f+".from", "no handset named %q", m.From)
		}
		switch {
		case m.To != "" && m.Group != "":
			v.fail(f+".to", "set either to or group, not both")
		case m.To != "":
			if _, ok := hs[m.To]; !ok {
				v.fail(f+".to", "no handset named %q", m.To)
			} else if m.To == m.From {
				v.fail(f+".to", "a handset cannot message itself")
			}
		case m.Group != "":
			if !groups[m.Group] {
				v.fail(f+".group", "no talkgroup named %q", m.Group)
			} else if mm := members[m.From]; mm != nil && !mm[m.Group] {
				v.fail(f+".group", "handset %q is not attached to %q", m.From, m.Group)
			}
		default:
			v.fail(f+".to", "missing (or set group)")
		}
		v.rangeF(f+".at_s", m.AtS, 0, MaxDurationS)
		if len(m.Text) == 0 {
			v.fail(f+".text", "missing")
		} else if len(m.Text) > MaxSDSBytes {
			v.fail(f+".text", "%d bytes, at most %d", len(m.Text), MaxSDSBytes)
		}
	}

	for i := range s.Rekeys {
		r := &s.Rekeys[i]
		f := fmt.Sprintf("rekeys[%d]", i)
		if !groups[r.Group] {
			v.fail(f+".group", "no talkgroup named %q", r.Group)
		}
		v.rangeF(f+".at_s", r.AtS, 0, MaxDurationS)
	}
	if len(s.Rekeys) > 0 && s.Cipher == "clear" {
		v.fail("rekeys", "rekeying needs an e2ee cipher profile")
	}

	if e := s.Eavesdropper; e != nil {
		if e.Cell == "" && len(s.Cells) > 0 {
			e.Cell = s.Cells[0].Name
		}
		if !cells[e.Cell] {
			v.fail("eavesdropper.cell", "no cell named %q", e.Cell)
		}
		v.pos("eavesdropper.position", e.Position, false)
		v.channel("eavesdropper.channel", e.Channel)
	}
	if s.CompromisedBS != "" && !cells[s.CompromisedBS] {
		v.fail("compromised_bs", "no cell named %q", s.CompromisedBS)
	}
	if s.Downgrade && s.CompromisedBS == "" {
		v.fail("downgrade", "a downgrade needs a compromised_bs")
	}
	if s.ReplayAtS != 0 {
		v.rangeF("replay_at_s", s.ReplayAtS, 0.1, MaxDurationS)
		if s.CompromisedBS == "" {
			v.fail("replay_at_s", "a replay needs a compromised_bs")
		}
	}
	if len(v.errs) > 0 {
		return errors.Join(v.errs...)
	}
	return nil
}

// End returns the simulated run length [s]: DurationS, or the end of the last
// scheduled event plus 1 s. wavLen gives a talk's WAV length [s] when its
// DurationS is 0.
func (s *Scenario) End(wavLen func(Talk) float64) float64 {
	if s.DurationS > 0 {
		return s.DurationS
	}
	end := 1.0
	for _, t := range s.Talks {
		d := t.DurationS
		if d == 0 && wavLen != nil {
			d = wavLen(t)
		}
		end = max(end, t.AtS+d+1)
	}
	for _, m := range s.SDS {
		end = max(end, m.AtS+1.5)
	}
	for _, r := range s.Rekeys {
		end = max(end, r.AtS+2)
	}
	for _, h := range s.Handsets {
		end = max(end, h.JoinAtS+1.5)
	}
	if s.ReplayAtS > 0 {
		end = max(end, s.ReplayAtS+3)
	}
	return end
}
