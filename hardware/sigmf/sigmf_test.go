package sigmf

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/iq"
)

// randomBytes returns n samples' worth of bytes that are a fixed point of
// Decode/Encode for f (finite floats for cf32).
func randomBytes(rng *rand.Rand, f iq.Format, n int) []byte {
	b := make([]byte, n*f.BytesPerSample())
	if f == iq.CF32 {
		s := make([]complex64, n)
		for i := range s {
			s[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		}
		iq.Encode(f, b, s)
		return b
	}
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestRoundTripBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, f := range []iq.Format{iq.CS8, iq.CU8, iq.CS16, iq.CF32} {
		t.Run(f.String(), func(t *testing.T) {
			dir := t.TempDir()
			const n = 100003 // not a multiple of any buffer size
			want := randomBytes(rng, f, n)
			s := make([]complex64, n)
			iq.Decode(f, s, want)
			w, err := Create(filepath.Join(dir, "x.sigmf-meta"), f, 2.304e6, 433.92e6, "round trip")
			if err != nil {
				t.Fatal(err)
			}
			for off := 0; off < n; { // random chunking
				k := min(n-off, 1+rng.IntN(9000))
				if m, err := w.Write(s[off : off+k]); err != nil || m != k {
					t.Fatalf("Write = %d, %v", m, err)
				}
				off += k
			}
			w.Annotate(500, 100, "B", "second", 1, 2)
			w.Annotate(4096, 32640, "NDB", "first", 433.90785e6, 433.93215e6)
			w.Annotate(10, 0, "A", "", 0, 0)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(w.DataPath())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("data file differs from the encoded samples")
			}
			r, err := Open(w.MetaPath())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Format != f || r.Len() != n || r.Meta.Global.SampleRate != 2.304e6 || r.Meta.CenterHz() != 433.92e6 {
				t.Fatalf("meta: %v %d %+v", r.Format, r.Len(), r.Meta.Global)
			}
			if a := r.Meta.Annotations; len(a) != 3 || a[0].Label != "A" || a[1].Label != "B" || a[2].SampleCount != 32640 || a[2].FreqUpperEdge != 433.93215e6 {
				t.Fatalf("annotations: %+v", a)
			}
			back := make([]complex64, n+10)
			m, err := iq.ReadFull(r, back)
			if m != n {
				t.Fatalf("read %d samples, %v", m, err)
			}
			out := make([]byte, len(want))
			iq.Encode(f, out, back[:n])
			if !bytes.Equal(out, want) {
				t.Fatal("samples read back differ")
			}
		})
	}
}

func TestParseRequiredFields(t *testing.T) {
	good := `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[{"core:sample_start":0}],"annotations":[]}`
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("good metadata rejected: %v", err)
	}
	for _, c := range []struct{ name, in, want string }{
		{"not json", `{"global":`, "not a JSON object"},
		{"no global", `{"captures":[],"annotations":[]}`, `"global" is missing`},
		{"no captures", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"annotations":[]}`, `"captures" is missing`},
		{"no annotations", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[]}`, `"annotations" is missing`},
		{"no datatype", `{"global":{"core:version":"1.2.5"},"captures":[],"annotations":[]}`, "global.core:datatype is missing"},
		{"no version", `{"global":{"core:datatype":"cf32_le"},"captures":[],"annotations":[]}`, "global.core:version is missing"},
		{"bad datatype", `{"global":{"core:datatype":"complex","core:version":"1.2.5"},"captures":[],"annotations":[]}`, "does not match"},
		{"capture without start", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[{"core:frequency":1}],"annotations":[]}`, "captures[0].core:sample_start is missing"},
		{"annotation without start", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[],"annotations":[{"core:label":"x"}]}`, "annotations[0].core:sample_start is missing"},
		{"captures out of order", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[{"core:sample_start":5},{"core:sample_start":5}],"annotations":[]}`, "is not after"},
		{"wrong type", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5","core:sample_rate":"fast"},"captures":[],"annotations":[]}`, "invalid metadata"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrInvalid containing %q", err, c.want)
			}
		})
	}
}

func TestOpenBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Truncated data: 7 bytes of ci16_le.
	m := write("t.sigmf-meta", `{"global":{"core:datatype":"ci16_le","core:version":"1.2.5"},"captures":[{"core:sample_start":0}],"annotations":[]}`)
	write("t.sigmf-data", "1234567")
	if _, err := Open(m); !errors.Is(err, iqfile.ErrTruncated) {
		t.Errorf("truncated data: err = %v", err)
	}
	// Unsupported datatype.
	m = write("u.sigmf-meta", `{"global":{"core:datatype":"rf64_le","core:version":"1.2.5"},"captures":[],"annotations":[]}`)
	write("u.sigmf-data", "")
	if _, err := Open(m); !errors.Is(err, ErrUnsupported) {
		t.Errorf("rf64: err = %v", err)
	}
	// Missing data file.
	m = write("n.sigmf-meta", `{"global":{"core:datatype":"cf32_le","core:version":"1.2.5"},"captures":[],"annotations":[]}`)
	if _, err := Open(m); err == nil || !strings.Contains(err.Error(), "data file") {
		t.Errorf("missing data: err = %v", err)
	}
	// Missing field.
	m = write("f.sigmf-meta", `{"global":{"core:datatype":"cf32_le"},"captures":[],"annotations":[]}`)
	if _, err := Open(m); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing version: err = %v", err)
	}
	// Header and trailing bytes are skipped.
	m = write("h.sigmf-meta", `{"global":{"core:datatype":"ci8","core:version":"1.2.5","core:trailing_bytes":3},"captures":[{"core:sample_start":0,"core:header_bytes":5}],"annotations":[]}`)
	write("h.sigmf-data", "HHHHH\x40\xc0TTT")
	r, err := Open(m)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := make([]complex64, 4)
	n, _ := iq.ReadFull(r, s)
	if n != 1 || s[0] != complex(0.5, -0.5) {
		t.Errorf("header/trailing: %d %v", n, s[:n])
	}
}

func TestCreateErrors(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "x.sigmf-meta"), iq.CF32, 0, 0, ""); err == nil {
		t.Error("rate 0 accepted")
	}
	if _, err := Create(filepath.Join(t.TempDir(), "nodir", "x.sigmf-meta"), iq.CF32, 1e6, 0, ""); err == nil {
		t.Error("missing directory accepted")
	}
}

// TestInterruptedRecordingHasMeta checks the metadata is valid before Close.
func TestInterruptedRecordingHasMeta(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "x"), iq.CS16, 1e6, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := ReadMeta(w.MetaPath()); err != nil {
		t.Fatal(err)
	}
}
