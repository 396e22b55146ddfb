package sim

import (
	"context"
	"os"
	"testing"

	"github.com/tetrasim/tetrasim/sim/scenario"
)

func TestDefaultScenario(t *testing.T) {
	s := scenario.Default()
	sm, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := sm.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r := sm.Report()
	r.WriteSummary(os.Stdout)
}
