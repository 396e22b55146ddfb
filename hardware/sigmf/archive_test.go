package sigmf

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/iq"
)

func writeTar(t *testing.T, p string, members [][2]string) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		tw.WriteHeader(&tar.Header{Name: m[0], Mode: 0o644, Size: int64(len(m[1])), Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		tw.Write([]byte(m[1]))
	}
	tw.Close()
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestArchive(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(rand.New(rand.NewPCG(5, 5)), iq.CS16, 5000)
	meta := `{"global":{"core:datatype":"ci16_le","core:version":"1.2.5","core:sample_rate":1e6},"captures":[{"core:sample_start":0,"core:frequency":433.92e6}],"annotations":[]}`
	p := filepath.Join(dir, "rec.sigmf")
	writeTar(t, p, [][2]string{{"rec/rec.sigmf-meta", meta}, {"rec/rec.sigmf-data", string(data)}})
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 5000 || r.Meta.CenterHz() != 433.92e6 {
		t.Fatalf("archive: %d %+v", r.Len(), r.Meta)
	}
	for pass := 0; pass < 2; pass++ { // the second pass after Rewind
		s := make([]complex64, 6000)
		n, _ := iq.ReadFull(r, s)
		out := make([]byte, 4*n)
		iq.Encode(iq.CS16, out, s[:n])
		if n != 5000 || !bytes.Equal(out, data) {
			t.Fatalf("pass %d: %d samples, equal=%v", pass, n, bytes.Equal(out, data))
		}
		if err := r.Rewind(); err != nil {
			t.Fatal(err)
		}
	}

	bad := filepath.Join(dir, "bad.sigmf")
	writeTar(t, bad, [][2]string{{"x.sigmf-data", string(data)}, {"x.sigmf-meta", meta}})
	if _, err := Open(bad); !errors.Is(err, ErrUnsupported) {
		t.Errorf("data first: %v", err)
	}
	writeTar(t, bad, [][2]string{{"x.sigmf-meta", meta}})
	if _, err := Open(bad); !errors.Is(err, iqfile.ErrTruncated) {
		t.Errorf("no data: %v", err)
	}
	writeTar(t, bad, [][2]string{{"x.sigmf-meta", `{"global":{}}`}, {"x.sigmf-data", ""}})
	if _, err := Open(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad meta: %v", err)
	}
	// An archive cut inside the data member.
	full, _ := os.ReadFile(p)
	os.WriteFile(bad, full[:len(full)/2], 0o644)
	r2, err := Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	_, err = io.Copy(io.Discard, readerAdapter{r2})
	if !errors.Is(err, iqfile.ErrTruncated) {
		t.Errorf("cut archive: %v", err)
	}
	os.WriteFile(bad, []byte("not a tar file at all, just text"), 0o644)
	if _, err := Open(bad); err == nil {
		t.Error("text accepted as an archive")
	}
}

// readerAdapter drains an iq.Reader through io.Copy.
type readerAdapter struct{ r iq.Reader }

func (a readerAdapter) Read(p []byte) (int, error) {
	s := make([]complex64, len(p)/8+1)
	n, err := a.r.Read(s)
	return min(n, len(p)), err
}
