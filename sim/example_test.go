package sim_test

import (
	"context"
	"fmt"

	"github.com/tetrasim/tetrasim/sim"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// Example runs a two-handset encrypted call on a clean channel and checks what
// the listener got against what the talker's encoder produced.
func Example() {
	s, err := scenario.Parse([]byte(`
seed: 1
cipher: e2ee
cells: [{name: A, channel: {model: clean}}]
talkgroups: [{name: g}]
handsets:
  - {name: talker, talkgroups: [g]}
  - {name: listener, talkgroups: [g]}
talks: [{who: talker, at_s: 0.5, duration_s: 1.5, wav: builtin}]
eavesdropper: {cell: A}
`), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	sm, err := sim.New(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := sm.Run(context.Background(), nil); err != nil {
		fmt.Println(err)
		return
	}
	r := sm.Report()
	l := r.Handsets[1]
	fmt.Printf("listener: %d of %d speech frames bit-identical, %d tag windows failed, EOT-SIG verified %d\n",
		l.FramesIdentical, l.FramesCompared, l.E2EE.WindowsFailed, l.E2EE.EOTVerified)
	fmt.Printf("eavesdropper hears noise: %v\n", r.Eavesdropper.Score.SegSNR < 0)
	// Output:
	// listener: 47 of 47 speech frames bit-identical, 0 tag windows failed, EOT-SIG verified 1
	// eavesdropper hears noise: true
}
