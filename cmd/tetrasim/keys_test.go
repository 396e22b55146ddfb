package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeysWorkflow runs the keys subcommands end to end: KMF, two devices, a
// talkgroup, membership (a rekey written as SDS payloads), apply, show, export and
// import, and the refusals (loose permissions of a key store or passphrase file,
// wrong passphrase, no passphrase).
func TestKeysWorkflow(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	t.Setenv("TETRASIM_PASSPHRASE", "correct horse battery")
	kdf := "--kdf-memory-kib=256"
	steps := [][]string{
		{"keys", "init", "--kmf", p("kmf.keys"), kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1001", "--out", p("d1.keys"), kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1002", "--out", p("d2.keys"), "--pq", kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1003", "--out", p("d3.keys"), "--pq", kdf},
		{"keys", "add-talkgroup", "--kmf", p("kmf.keys"), "--group", "99", "--pq", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "99", "--id", "1002,1003", "--out", p("pq.sds"), kdf},
		{"keys", "apply", "--device", p("d2.keys"), "--in", p("pq.sds"), kdf},
		{"keys", "remove-member", "--kmf", p("kmf.keys"), "--group", "99", "--id", "1003", "--out", p("pq.sds"), kdf},
		{"keys", "remove-device", "--kmf", p("kmf.keys"), "--id", "1003", "--out", p("pq.sds"), kdf},
		{"keys", "show", "--device", p("d2.keys")},
		{"keys", "add-talkgroup", "--kmf", p("kmf.keys"), "--group", "4660", "--suite", "chacha", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "1001,1002", "--out", p("air.sds"), kdf},
		{"keys", "rekey", "--kmf", p("kmf.keys"), "--group", "4660", "--out", p("air.sds"), kdf},
		{"keys", "apply", "--device", p("d1.keys"), "--in", p("air.sds"), kdf},
		{"keys", "show", "--device", p("d1.keys")},
		{"keys", "show", "--kmf", p("kmf.keys")},
	}
	for _, s := range steps {
		if rc := run(s); rc != 0 {
			t.Fatalf("%v: exit %d", s, rc)
		}
	}
	if err := os.WriteFile(p("bundle.pass"), []byte("bundle secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]string{
		{"keys", "export", "--device", p("d1.keys"), "--out", p("d1.bundle"), "--bundle-passphrase-file", p("bundle.pass"), kdf},
		{"keys", "import", "--bundle", p("d1.bundle"), "--out", p("d1b.keys"), "--bundle-passphrase-file", p("bundle.pass"), kdf},
		{"keys", "show", "--device", p("d1b.keys")},
	} {
		if rc := run(s); rc != 0 {
			t.Fatalf("%v: exit %d", s, rc)
		}
	}
	for _, f := range []string{"kmf.keys", "d1.keys", "d1.bundle", "d1b.keys"} {
		st, err := os.Stat(p(f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", f, st.Mode().Perm())
		}
	}
	// The stores hold no plaintext secrets or names.
	b, _ := os.ReadFile(p("d1.keys"))
	if strings.Contains(string(b), "tetrasim/e2ee") {
		t.Fatal("key store holds plaintext")
	}
	// Refusals: looser permissions, wrong passphrase, no passphrase.
	os.Chmod(p("d2.keys"), 0o640)
	if rc := run([]string{"keys", "show", "--device", p("d2.keys")}); rc != 1 {
		t.Fatalf("loose permissions: exit %d", rc)
	}
	os.Chmod(p("d2.keys"), 0o600)
	t.Setenv("TETRASIM_PASSPHRASE", "wrong")
	if rc := run([]string{"keys", "show", "--device", p("d2.keys")}); rc != 1 {
		t.Fatalf("wrong passphrase: exit %d", rc)
	}
	t.Setenv("TETRASIM_PASSPHRASE", "")
	if rc := run([]string{"keys", "show", "--device", p("d2.keys")}); rc != 2 {
		t.Fatalf("no passphrase: exit %d", rc)
	}
	// A passphrase file others can read is refused like a key store.
	os.WriteFile(p("loose.pass"), []byte("correct horse battery\n"), 0o644)
	os.Chmod(p("loose.pass"), 0o644)
	if rc := run([]string{"keys", "show", "--device", p("d2.keys"), "--passphrase-file", p("loose.pass")}); rc != 1 {
		t.Fatalf("passphrase file with mode 0644: exit %d, want 1", rc)
	}
	os.Chmod(p("loose.pass"), 0o600)
	if rc := run([]string{"keys", "show", "--device", p("d2.keys"), "--passphrase-file", p("loose.pass")}); rc != 0 {
		t.Fatalf("passphrase file with mode 0600: exit %d, want 0", rc)
	}
}

// kmfEpoch runs 'keys show --kmf' and returns the epoch of talkgroup 4660.
func kmfEpoch(t *testing.T, kmf string) string {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"keys", "show", "--kmf", kmf})
	if err := root.Execute(); err != nil {
		t.Fatalf("keys show: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`talkgroup 4660: .*, epoch (\d+) since`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no epoch of talkgroup 4660 in:\n%s", out.String())
	}
	return m[1]
}

// TestKeysSaveBeforeMessages: commands that start an epoch refuse a missing --out
// before touching the KMF, save the KMF before they append the messages (so a
// failed write leaves a KMF ahead of the devices, never behind them), and
// add-device does not overwrite an existing key store without --force.
func TestKeysSaveBeforeMessages(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	t.Setenv("TETRASIM_PASSPHRASE", "correct horse battery")
	kdf := "--kdf-memory-kib=256"
	for _, s := range [][]string{
		{"keys", "init", "--kmf", p("kmf.keys"), kdf},
		{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1001", "--out", p("d1.keys"), kdf},
		{"keys", "add-talkgroup", "--kmf", p("kmf.keys"), "--group", "4660", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "1001", "--out", p("air.sds"), kdf},
	} {
		if rc := run(s); rc != 0 {
			t.Fatalf("%v: exit %d", s, rc)
		}
	}
	e0 := kmfEpoch(t, p("kmf.keys"))
	for _, s := range [][]string{
		{"keys", "rekey", "--kmf", p("kmf.keys"), "--group", "4660", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "1001", kdf},
		{"keys", "remove-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "1001", kdf},
		{"keys", "add-member", "--kmf", p("kmf.keys"), "--group", "4660", "--id", "4294968297", "--out", p("air.sds"), kdf},
	} {
		if rc := run(s); rc != 2 {
			t.Fatalf("%v: exit %d, want 2 (usage)", s, rc)
		}
	}
	if e := kmfEpoch(t, p("kmf.keys")); e != e0 {
		t.Fatalf("refused commands moved the epoch from %s to %s", e0, e)
	}
	if rc := run([]string{"keys", "rekey", "--kmf", p("kmf.keys"), "--group", "4660", "--out", p("missing/air.sds"), kdf}); rc != 1 {
		t.Fatalf("rekey into a missing directory: exit %d, want 1", rc)
	}
	if e := kmfEpoch(t, p("kmf.keys")); e == e0 {
		t.Fatalf("rekey whose messages could not be written did not save the KMF (epoch still %s)", e)
	}
	before, _ := os.ReadFile(p("d1.keys"))
	if rc := run([]string{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1002", "--out", p("d1.keys"), kdf}); rc != 1 {
		t.Fatalf("add-device over an existing store: exit %d, want 1", rc)
	}
	if after, _ := os.ReadFile(p("d1.keys")); !bytes.Equal(before, after) {
		t.Fatal("add-device overwrote an existing key store")
	}
	if rc := run([]string{"keys", "add-device", "--kmf", p("kmf.keys"), "--id", "1002", "--out", p("d1.keys"), "--force", kdf}); rc != 0 {
		t.Fatalf("add-device --force: exit %d", rc)
	}
}
