package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeysWorkflow runs the keys subcommands end to end: KMF, two devices, a
// talkgroup, membership (a rekey written as SDS payloads), apply, show, export and
// import, and the refusals (loose permissions, wrong passphrase, no passphrase).
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
}
