// The dependency policy of DEVELOPERS.md and shared style.md §1, as a test in the
// spirit of the standard library's go/build deps_test.go: every package of ours may
// import only the packages of ours listed for it. Change the table by discussion,
// never to fix a build.
package tetrasim_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tetrasim/tetrasim"

// allowed maps a package (path relative to the module root; a trailing "/..." covers
// the subtree) to the roots of ours it may import. Test files are included.
var allowed = []struct {
	pkg   string
	roots []string
}{
	{"internal/bits", nil},
	{"iq", nil},
	{"iq/...", []string{"iq"}},
	{"codec/...", []string{"codec", "internal/bits"}},
	{"sdr/...", []string{"sdr", "iq"}},
	{"radio/...", []string{"radio", "codec", "internal/bits"}},
	{"e2ee/...", []string{"e2ee"}},
	{"hardware/...", []string{"hardware", "iq"}},
	{"sim/...", []string{"sim", "iq", "sdr", "codec", "radio", "e2ee", "internal/bits"}},
	{"cmd/...", []string{""}}, // anything
}

// baseStation lists the packages that hold base-station code: they must never
// import e2ee, directly or indirectly (the BS relays ciphertext and holds no keys).
var baseStation = []string{"sim/bs"}

func rules(rel string) ([]string, bool) {
	for _, a := range allowed {
		if a.pkg == rel {
			return a.roots, true
		}
		if p, ok := strings.CutSuffix(a.pkg, "/..."); ok && (rel == p || strings.HasPrefix(rel, p+"/")) {
			return a.roots, true
		}
	}
	return nil, false
}

func under(imp, root string) bool {
	return root == "" || imp == root || strings.HasPrefix(imp, root+"/")
}

// ourPackages walks the module and returns each Go package directory's imports
// (with test imports) keyed by its path relative to the module root.
func ourPackages(t *testing.T) map[string][]string {
	t.Helper()
	ctx := build.Default
	ctx.BuildTags = []string{"hackrf", "rtlsdr", "codec2", "cgo"}
	pkgs := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		p, err := ctx.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Errorf("%s: %v", path, err)
			return nil
		}
		var imps []string
		for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range list {
				if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
					imps = append(imps, rel)
				}
			}
		}
		pkgs[filepath.ToSlash(path)] = imps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestDependencyPolicy(t *testing.T) {
	pkgs := ourPackages(t)
	if len(pkgs) < 3 {
		t.Fatalf("found only %d packages: is the test running at the module root?", len(pkgs))
	}
	for rel, imps := range pkgs {
		if rel == "." {
			continue
		}
		roots, ok := rules(rel)
		if !ok {
			t.Errorf("package %s has no entry in the dependency policy (deps_test.go)", rel)
			continue
		}
	next:
		for _, imp := range imps {
			if under(imp, strings.Split(rel, "/")[0]) && !strings.HasPrefix(imp, "cmd") {
				// Within its own tree a package may use its subpackages and siblings,
				// unless a base-station rule below says otherwise.
				continue
			}
			for _, r := range roots {
				if under(imp, r) {
					continue next
				}
			}
			t.Errorf("%s imports %s, which the dependency policy does not allow", rel, imp)
		}
	}
}

// TestBaseStationHoldsNoKeys proves that base-station code never reaches e2ee,
// directly or through any package it imports.
func TestBaseStationHoldsNoKeys(t *testing.T) {
	pkgs := ourPackages(t)
	for _, bs := range baseStation {
		if _, err := os.Stat(bs); err != nil {
			t.Logf("%s not present yet", bs)
			continue
		}
		seen := map[string]bool{}
		var walk func(p string, chain []string)
		walk = func(p string, chain []string) {
			if seen[p] {
				return
			}
			seen[p] = true
			if under(p, "e2ee") {
				t.Errorf("base station reaches e2ee: %s", strings.Join(append(chain, p), " -> "))
				return
			}
			for _, imp := range pkgs[p] {
				walk(imp, append(chain, p))
			}
		}
		walk(bs, nil)
	}
}
