package sim

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/sim/bs"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/ms"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// Report is the outcome of a run: report.json.
type Report struct {
	Scenario      string                   `json:"scenario"`
	Seed          uint64                   `json:"seed"`
	Fidelity      string                   `json:"fidelity"`
	Cipher        string                   `json:"cipher"`
	Codec         string                   `json:"codec"`
	SimulatedS    float64                  `json:"simulated_s"`
	WallS         float64                  `json:"wall_s"`
	SimPerWall    float64                  `json:"simulated_s_per_wall_s"`
	Slots         int64                    `json:"slots"`
	Interrupted   bool                     `json:"interrupted"`
	Cells         int                      `json:"cells"`
	Handsets      []HandsetReport          `json:"handsets"`
	Core          bs.Counters              `json:"core"`
	BaseStations  map[string]bs.BSCounters `json:"base_stations"`
	Eavesdropper  *ListenerReport          `json:"eavesdropper,omitempty"`
	CompromisedBS *ListenerReport          `json:"compromised_bs,omitempty"`
	Latency       LatencyReport            `json:"latency"`
	Transmissions []Transmission           `json:"transmissions"`
	Events        int                      `json:"metadata_events"`
	Missing       []string                 `json:"not_integrated"`
}

// HandsetReport is one handset's figures.
type HandsetReport struct {
	Name     string      `json:"name"`
	ISSI     uint32      `json:"issi"`
	Cell     string      `json:"cell"`
	C        ms.Counters `json:"counters"`
	Downlink LinkReport  `json:"downlink"`
	Uplink   LinkReport  `json:"uplink"`
	// Speech received from other talkers, compared frame by frame with what the
	// talkers' encoders produced.
	FramesCompared  int         `json:"frames_compared"`
	FramesIdentical int         `json:"frames_bit_identical"`
	PCMCompared     int         `json:"pcm_frames_compared"`
	PCMIdentical    int         `json:"pcm_frames_identical"`
	Score           *Score      `json:"score,omitempty"`
	CleanScore      *Score      `json:"clean_score,omitempty"`
	LatencyMeanS    float64     `json:"latency_mean_s"`
	LatencyMaxS     float64     `json:"latency_max_s"`
	SDS             []ms.SDSMsg `json:"sds,omitempty"`
	// ReplayedPlayed counts speech frames of a replayed recording that the
	// handset played (decrypted and accepted): E2EE replay protection keeps it 0.
	ReplayedFrames int            `json:"replayed_frames_received"`
	ReplayedPlayed int            `json:"replayed_frames_played"`
	E2EE           ms.CryptoStats `json:"e2ee"`
}

// LinkReport gives BER (raw channel bits) and FER (blocks with a failed CRC or
// BFI) of a link.
type LinkReport struct {
	LinkStats
	BER float64 `json:"ber"`
	FER float64 `json:"fer"`
}

func linkReport(s LinkStats) LinkReport {
	r := LinkReport{LinkStats: s}
	if s.Bits > 0 {
		r.BER = float64(s.BitErrors) / float64(s.Bits)
	}
	if s.Blocks > 0 {
		r.FER = float64(s.BlockErrors) / float64(s.Blocks)
	}
	return r
}

// Score is segmental SNR and log-spectral distance against the talker's microphone.
type Score struct {
	SegSNR float64 `json:"segsnr_db"`
	LSD    float64 `json:"lsd_db"`
	Frames int     `json:"frames"`
}

// ListenerReport is what a party without keys got.
type ListenerReport struct {
	Name         string     `json:"name"`
	Link         LinkReport `json:"link"`
	SpeechFrames int        `json:"speech_frames"`
	STCH         int        `json:"stolen_half_slots"`
	Score        *Score     `json:"score,omitempty"`
	Metadata     []heardPDU `json:"metadata"`
	SAFs         []SAFMeta  `json:"saf_headers"`
}

// LatencyReport explains the mouth-to-ear delay.
type LatencyReport struct {
	MeanS       float64            `json:"mean_s"`
	MinS        float64            `json:"min_s"`
	MaxS        float64            `json:"max_s"`
	Frames      int                `json:"frames"`
	BudgetS     map[string]float64 `json:"budget_s"`
	Explanation string             `json:"explanation"`
}

// Report computes the figures of the run so far.
func (sm *Sim) Report() *Report {
	r := &Report{Scenario: sm.Scn.Name, Seed: sm.Scn.Seed, Fidelity: sm.Scn.Fidelity, Cipher: sm.Scn.Cipher, Codec: "acelp",
		SimulatedS: sm.clk.Now().Seconds(), WallS: sm.wall.Seconds(), Slots: int64(sm.clk.Now()),
		Interrupted: sm.interrupted, Cells: len(sm.cells), Core: sm.core.C, BaseStations: map[string]bs.BSCounters{},
		Events: len(sm.meta)}
	if r.WallS > 0 {
		r.SimPerWall = r.SimulatedS / r.WallS
	}
	for _, c := range sm.cells {
		r.BaseStations[c.cfg.Name] = c.bs.C
	}
	// Index the talkers' sent frames.
	type key struct {
		talker uint32
		seq    int
		pos    int
	}
	sent := map[key]*ms.Frame{}
	for _, h := range sm.hs {
		for i := range h.Sent {
			f := &h.Sent[i]
			sent[key{f.Talker, f.TxSeq, f.Pos}] = f
		}
	}
	var lat []float64
	for _, h := range sm.hs {
		hr := HandsetReport{Name: h.cfg.Name, ISSI: h.ISSI, Cell: h.cell.cfg.Name, C: h.C,
			Downlink: linkReport(h.dlStats), Uplink: linkReport(h.ulStats), SDS: h.SDSIn, E2EE: h.CryptoStats()}
		var ref, deg, loc []int16
		var hl []float64
		synced := false
		for _, f := range h.Received {
			if f.TxSeq < 0 {
				hr.ReplayedFrames++
				if !f.Bad {
					hr.ReplayedPlayed++
				}
				continue
			}
			if f.Pos < 0 {
				continue
			}
			// A late joiner is scored from its first playable frame on; the wait
			// before it is the late-entry time.
			synced = synced || !f.Bad || h.JoinAt == 0
			if !synced {
				continue
			}
			s := sent[key{f.Talker, f.TxSeq, f.Pos}]
			if s == nil {
				continue
			}
			if !f.Bad && s.Bits != nil {
				hr.FramesCompared++
				if string(f.Bits) == string(s.Bits) {
					hr.FramesIdentical++
				}
				hl = append(hl, f.PlayS-f.CaptureS)
			}
			hr.PCMCompared++
			if equal16(f.PCM, s.PCM) {
				hr.PCMIdentical++
			}
			mic := s.Mic
			if mic == nil {
				mic = make([]int16, 240)
			}
			ref, deg, loc = append(ref, mic...), append(deg, f.PCM...), append(loc, s.PCM...)
		}
		if len(ref) >= 240*10 {
			sc := voice.Compare(ref, deg, false)
			hr.Score = &Score{SegSNR: sc.SegSNR, LSD: sc.LSD, Frames: len(ref) / 240}
			cs := voice.Compare(ref, loc, false)
			hr.CleanScore = &Score{SegSNR: cs.SegSNR, LSD: cs.LSD, Frames: len(ref) / 240}
		}
		if len(hl) > 0 {
			hr.LatencyMeanS, hr.LatencyMaxS = mean(hl), maxOf(hl)
			lat = append(lat, hl...)
		}
		r.Handsets = append(r.Handsets, hr)
	}
	r.Latency = latencyReport(lat)
	r.Transmissions = sm.transmissions()
	for _, l := range []*listener{sm.spy, sm.cbs} {
		if l == nil {
			continue
		}
		lr := &ListenerReport{Name: l.name, Link: linkReport(l.stats), SpeechFrames: len(l.frames), STCH: l.stch, Metadata: l.pdus, SAFs: l.safs}
		var ref, deg []int16
		for _, f := range l.frames {
			if f.txSeq < 0 {
				continue
			}
			if s := sent[key{f.talker, f.txSeq, f.pos}]; s != nil && s.Mic != nil {
				ref, deg = append(ref, s.Mic...), append(deg, f.pcm...)
			}
		}
		if len(ref) >= 240*10 {
			sc := voice.Compare(ref, deg, false)
			lr.Score = &Score{SegSNR: sc.SegSNR, LSD: sc.LSD, Frames: len(ref) / 240}
		}
		if l == sm.spy {
			r.Eavesdropper = lr
		} else {
			r.CompromisedBS = lr
		}
	}
	r.Missing = notIntegrated(sm.Scn)
	return r
}

func equal16(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func latencyReport(lat []float64) LatencyReport {
	slot := clock.SlotDuration.Seconds()
	l := LatencyReport{Frames: len(lat), BudgetS: map[string]float64{
		"framing (one 30 ms speech frame)":               ms.FrameS,
		"talker priming buffer (frames before 1st slot)": ms.PrimeFrames * ms.FrameS,
		"interleaving (a TCH/S block spans one slot)":    slot,
		"uplink to downlink relay (next traffic frame)":  4*slot - 2*slot,
		"receiver jitter buffer (one TDMA frame)":        4 * slot,
	}, Explanation: "mouth-to-ear = capture of a frame's first sample to the start of its playout: " +
		"30 ms framing + the talker's priming buffer and wait for its uplink slot + one slot of interleaving + " +
		"the base station's relay into the next downlink traffic frame (uplink is 2 slots behind the downlink) + " +
		"the receiver's one-frame jitter buffer that rides over the frame-18 gap"}
	if len(lat) > 0 {
		sort.Float64s(lat)
		l.MeanS, l.MinS, l.MaxS = mean(lat), lat[0], lat[len(lat)-1]
		fixed := 0.0
		for _, v := range l.BudgetS {
			fixed += v
		}
		l.BudgetS["remainder: phase of the talker's slot, frame-18 gaps (mean)"] = l.MeanS - fixed
	}
	return l
}

// WriteSummary writes a readable summary of r.
func (r *Report) WriteSummary(w io.Writer) {
	p := func(f string, a ...any) { fmt.Fprintf(w, f, a...) }
	state := "complete"
	if r.Interrupted {
		state = "INTERRUPTED (report covers the simulated part)"
	}
	p("tetrasim call: %s  seed %d  fidelity %s  cipher %s  codec %s  (%s)\n", r.Scenario, r.Seed, r.Fidelity, r.Cipher, r.Codec, state)
	p("simulated %.2f s in %.2f s wall = %.2f simulated s per wall s; %d cells, %d handsets\n",
		r.SimulatedS, r.WallS, r.SimPerWall, r.Cells, len(r.Handsets))
	p("core: %d registrations, %d calls set up, %d released, %d floor grants, %d queued, %d pre-emptions, %d rejected\n",
		r.Core.Registrations, r.Core.CallsSetUp, r.Core.CallsReleased, r.Core.FloorGrants, r.Core.FloorQueued, r.Core.Preemptions, r.Core.FloorRejected)
	names := make([]string, 0, len(r.BaseStations))
	for n := range r.BaseStations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if c := r.BaseStations[n]; c.UplinkTraffic > 0 {
			p("cell %s: %d uplink traffic slots, %d BFI frames, %d slots not relayed (parity failed, or unreliable in an encrypted call)\n",
				n, c.UplinkTraffic, c.UplinkBFI, c.UplinkNotRelayed)
		}
	}
	p("\n%-10s %6s %6s %6s %6s %9s %9s %9s %9s %11s %9s %9s %8s %8s\n", "handset", "sent", "recv", "conc", "stolen",
		"DL BER", "DL FER", "UL BER", "UL FER", "bit-exact", "segSNR", "LSD", "lat ms", "late s")
	for _, h := range r.Handsets {
		snr, lsd := "-", "-"
		if h.Score != nil {
			snr, lsd = fmt.Sprintf("%.2f", h.Score.SegSNR), fmt.Sprintf("%.2f", h.Score.LSD)
		}
		late := "-"
		if h.C.LateEntryS >= 0 {
			late = fmt.Sprintf("%.3f", h.C.LateEntryS)
		}
		// "-" when nothing was received on a link (not a perfect 0).
		rate := func(v float64, n int64) string {
			if n == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2e", v)
		}
		lat := "-"
		if h.LatencyMeanS > 0 {
			lat = fmt.Sprintf("%.1f", 1000*h.LatencyMeanS)
		}
		p("%-10s %6d %6d %6d %6d %9s %9s %9s %9s %5d/%-5d %9s %9s %8s %8s\n", h.Name, h.C.FramesSent, h.C.FramesReceived,
			h.C.FramesConcealed, h.C.FramesStolen, rate(h.Downlink.BER, h.Downlink.Bits), rate(h.Downlink.FER, int64(h.Downlink.Blocks)),
			rate(h.Uplink.BER, h.Uplink.Bits), rate(h.Uplink.FER, int64(h.Uplink.Blocks)),
			h.FramesIdentical, h.FramesCompared, snr, lsd, lat, late)
	}
	for _, h := range r.Handsets {
		if h.CleanScore != nil {
			p("%s: clean reference (talker's local decode) segSNR %.2f dB, LSD %.2f dB; PCM frames identical to local decode %d/%d\n",
				h.Name, h.CleanScore.SegSNR, h.CleanScore.LSD, h.PCMIdentical, h.PCMCompared)
		}
		if h.C.ClearRefused > 0 {
			p("%s: RED: refused %d frames of a call announced as clear in a secure-only talkgroup (downgrade)\n", h.Name, h.C.ClearRefused)
		}
		if h.ReplayedFrames > 0 {
			p("%s: replay attack: %d replayed speech frames received, %d played\n", h.Name, h.ReplayedFrames, h.ReplayedPlayed)
		}
		if e := h.E2EE; e.SAFsAccepted+e.SAFsRejected > 0 || e.SDSOpened > 0 || e.KMFAccepted > 0 {
			p("%s: E2EE %d SAFs accepted, %d rejected; tag windows %d verified, %d FAILED, %d unverifiable; %d frames muted; %d concealed as unreliable; %d replay rejections; EOT-SIG %d verified, %d failed; KMF %d accepted, %d rejected\n",
				h.Name, e.SAFsAccepted, e.SAFsRejected, e.WindowsVerified, e.WindowsFailed, e.WindowsUnverified, e.FramesMuted, h.C.FramesUnreliable, e.ReplayRejections, e.EOTVerified, e.EOTFailed, e.KMFAccepted, e.KMFRejected)
		}
		for _, m := range h.SDS {
			if m.Err != "" {
				p("%s: SDS from %d at %.2f s: %q (%s)\n", h.Name, m.From, m.AtS, m.Text, m.Err)
			} else {
				p("%s: SDS from %d at %.2f s: %q\n", h.Name, m.From, m.AtS, m.Text)
			}
		}
	}
	p("\nlatency: mean %.1f ms (min %.1f, max %.1f) over %d frames\n", 1000*r.Latency.MeanS, 1000*r.Latency.MinS, 1000*r.Latency.MaxS, r.Latency.Frames)
	keys := make([]string, 0, len(r.Latency.BudgetS))
	for k := range r.Latency.BudgetS {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p("  %-50s %6.1f ms\n", k, 1000*r.Latency.BudgetS[k])
	}
	for _, l := range []*ListenerReport{r.Eavesdropper, r.CompromisedBS} {
		if l == nil {
			continue
		}
		s := "-"
		if l.Score != nil {
			s = fmt.Sprintf("segSNR %.2f dB, LSD %.2f dB", l.Score.SegSNR, l.Score.LSD)
		}
		p("%s: %d speech frames, %d stolen half-slots, %d SAF headers, %d signalling PDUs in clear; audio without keys: %s\n",
			l.Name, l.SpeechFrames, l.STCH, len(l.SAFs), len(l.Metadata), s)
		if len(l.SAFs) > 0 {
			f := l.SAFs[0]
			p("  it can read: talker sender index %d, epoch tag %d, FC %d, t_min %d (first SAF at %.2f s); not the speech or SDS text\n",
				f.Sender, f.EpochTag, f.FCNext, f.TMin, f.AtS)
		}
	}
	if len(r.Missing) > 0 {
		p("not integrated: %s\n", strings.Join(r.Missing, "; "))
	}
}

// notIntegrated lists the parts of the brief this run does not exercise.
func notIntegrated(s *scenario.Scenario) []string {
	var out []string
	if s.Fidelity == "iq" {
		out = append(out, "at iq fidelity the downlink BER is the residual BER of the speech bits after decoding, not the raw channel BER; the uplink BER is raw")
	}
	return out
}

// Transmission is one push-to-talk transmission as sent.
type Transmission struct {
	Talker string  `json:"talker"`
	Seq    int     `json:"seq"`
	StartS float64 `json:"start_s"` // first traffic slot
	EndS   float64 `json:"end_s"`   // end of the last traffic slot
	Frames int     `json:"frame_positions"`
}

func (sm *Sim) transmissions() []Transmission {
	var out []Transmission
	for _, h := range sm.hs {
		for _, f := range h.Sent {
			if n := len(out); n > 0 && out[n-1].Talker == h.cfg.Name && out[n-1].Seq == f.TxSeq {
				out[n-1].EndS = f.PlayS + clock.SlotDuration.Seconds()
				out[n-1].Frames++
				continue
			}
			out = append(out, Transmission{Talker: h.cfg.Name, Seq: f.TxSeq, StartS: f.PlayS, EndS: f.PlayS + clock.SlotDuration.Seconds(), Frames: 1})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartS < out[j].StartS })
	return out
}
