package tetrasim_test

import (
	"testing"

	"github.com/tetrasim/tetrasim/codec/tchs"
	"github.com/tetrasim/tetrasim/e2ee"
)

// TestE2EEClass0MatchesChannelCoder: the E2EE tags cover class 1 and 2 and leave out
// class 0 (e2ee-design.md §5.5). e2ee cannot import the channel coder, so it holds its
// own copy of TAB0 (EN 300 395-2 clause 5.5); this test keeps the two identical.
func TestE2EEClass0MatchesChannelCoder(t *testing.T) {
	a, b := e2ee.UnprotectedBits(), tchs.Class0()
	if len(a) != len(b) {
		t.Fatalf("e2ee leaves %d bits out, the channel coder has %d class-0 bits", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("class-0 entry %d: e2ee %d, codec/tchs %d", i, a[i], b[i])
		}
	}
	if e2ee.ProtectedBits != tchs.N1+tchs.N2 {
		t.Errorf("e2ee.ProtectedBits = %d, want N1+N2 = %d", e2ee.ProtectedBits, tchs.N1+tchs.N2)
	}
}
