package sigmf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse: metadata either parses, and then survives Marshal and Parse again
// unchanged, or fails with ErrInvalid. Never a panic.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.sigmf-meta")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[],"annotations":[]}`))
	f.Add([]byte(`{"global":{},"captures":[{}],"annotations":[{}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			return // e.g. NaN cannot occur from JSON, but a huge float may not re-encode
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-encoded metadata rejected: %v\n%s", err, out)
		}
		// Optional fields with zero values are dropped by omitempty; compare the re-parse of the re-encoding.
		out2, _ := m2.Marshal()
		m3, _ := Parse(out2)
		if !reflect.DeepEqual(m2, m3) {
			t.Fatalf("Marshal/Parse is not stable")
		}
		_, _ = m.Format()
	})
}
