package sigmf

import (
	"archive/tar"
	"bytes"
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

// FuzzArchive: any bytes named .sigmf either open as an archive and read to the
// end, or fail with an error. Never a panic.
func FuzzArchive(f *testing.F) {
	f.Add(tarBytes([][2]string{{"a.sigmf-meta", `{"global":{"core:datatype":"ci8","core:version":"1.2.5"},"captures":[],"annotations":[]}`}, {"a.sigmf-data", "\x01\x02\x03\x04"}}))
	f.Add(tarBytes([][2]string{{"a.sigmf-data", "xx"}, {"a.sigmf-meta", "{}"}}))
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		p := filepath.Join(t.TempDir(), "f.sigmf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := OpenArchive(p)
		if err != nil {
			return
		}
		defer r.Close()
		buf := make([]complex64, 64)
		var n uint64
		for {
			m, err := r.Read(buf)
			n += uint64(m)
			if err != nil {
				break
			}
		}
		if n > r.Len() {
			t.Fatalf("read %d samples of %d", n, r.Len())
		}
	})
}

func tarBytes(members [][2]string) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		tw.WriteHeader(&tar.Header{Name: m[0], Mode: 0o644, Size: int64(len(m[1])), Typeflag: tar.TypeReg})
		tw.Write([]byte(m[1]))
	}
	tw.Close()
	return b.Bytes()
}
