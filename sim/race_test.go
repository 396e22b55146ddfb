//go:build race

package sim

// raceEnabled is true when the tests run under the race detector, which makes
// the heavier network runs 10x slower; they also run without it (make test).
const raceEnabled = true
