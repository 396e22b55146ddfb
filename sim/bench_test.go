package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/sim/scenario"
)

// largeScenario: cells cells, handsets handsets, groups talkgroups (handset i
// in cell i mod cells and group i mod groups, so every group spans cells),
// one talker per group, TU50 at 18 dB, E2EE.
func largeScenario(seconds float64, cells, handsets, groups int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed: 7\ncipher: e2ee\nduration_s: %v\ncells:\n", seconds)
	for c := 0; c < cells; c++ {
		fmt.Fprintf(&b, "  - {name: c%d, position: [%d, 0], channel: {model: tu50, ebn0_db: 18}}\n", c, c*5000)
	}
	b.WriteString("talkgroups:\n")
	for g := 0; g < groups; g++ {
		fmt.Fprintf(&b, "  - {name: g%d}\n", g)
	}
	b.WriteString("handsets:\n")
	for h := 0; h < handsets; h++ {
		fmt.Fprintf(&b, "  - {name: h%d, cell: c%d, speed_kmh: 50, talkgroups: [g%d]}\n", h, h%cells, h%groups)
	}
	b.WriteString("talks:\n")
	for g := 0; g < groups; g++ {
		fmt.Fprintf(&b, "  - {who: h%d, at_s: %.2f, duration_s: %v, wav: \"builtin:vk5qi\"}\n", g, 0.8+0.01*float64(g), seconds-2)
	}
	return b.String()
}

func benchRun(b *testing.B, yaml string) {
	s, err := scenario.Parse([]byte(yaml), ".")
	if err != nil {
		b.Fatal(err)
	}
	var simS, wallS float64
	for b.Loop() {
		sm, err := New(s)
		if err != nil {
			b.Fatal(err)
		}
		if err := sm.Run(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		r := sm.Report()
		simS += r.SimulatedS
		wallS += r.WallS
	}
	b.ReportMetric(simS/wallS, "sim-s/wall-s")
}

// BenchmarkDefault: 1 cell, 3 handsets, bits fidelity (the built-in scenario).
func BenchmarkDefault(b *testing.B) { benchRun(b, scenario.DefaultYAML) }

// BenchmarkLarge: 10 cells, 200 handsets, 20 talkgroups, bits fidelity.
func BenchmarkLarge(b *testing.B) { benchRun(b, largeScenario(4, 10, 200, 20)) }

// BenchmarkDefaultIQ: the built-in scenario (1 cell, 3 handsets, eavesdropper)
// at iq fidelity: every downlink slot modulated, faded and demodulated per
// receiver.
func BenchmarkDefaultIQ(b *testing.B) {
	benchRun(b, strings.Replace(scenario.DefaultYAML, "fidelity: bits", "fidelity: iq", 1))
}
