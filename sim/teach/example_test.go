package teach_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/sim/teach"
)

// Example runs demo 9 (SDS replay, CVE-2025-52942): a recorded command replayed
// three times runs four times on the weak profile and once on tetrasim-v1.
func Example() {
	d, _ := teach.Find("sds-replay")
	r, err := d.Run(teach.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, s := range []teach.Side{r.Weak, r.V1} {
		n, _ := s.Figure("commands executed")
		fmt.Printf("%s: attack succeeded %v, command executed %v times\n", s.Profile, s.AttackSucceeded, n)
	}
	// Output:
	// tetra-e2ee-like: attack succeeded true, command executed 4 times
	// tetrasim-v1: attack succeeded false, command executed 1 times
}
