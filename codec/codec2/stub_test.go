//go:build !(codec2 && cgo)

package codec2

import (
	"errors"
	"testing"
)

// TestNotBuilt: without the codec2 tag every mode fails with ErrNotBuilt, and
// the build says so (Available, Modes).
func TestNotBuilt(t *testing.T) {
	if Available || len(Modes()) != 0 {
		t.Fatalf("stub build: Available %v, Modes %v", Available, Modes())
	}
	for _, m := range []string{"3200", "700C", "nope"} {
		if c, err := New(m); c != nil || !errors.Is(err, ErrNotBuilt) {
			t.Errorf("New(%q) = %v, %v; want nil, ErrNotBuilt", m, c, err)
		}
	}
}
