package main

// End-to-end encryption flags of tx and rx: the device key store made by
// 'tetrasim keys', the talkgroup, and the passphrase (as 'tetrasim keys').

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/e2ee"
)

// cipherFlags holds --cipher (tx only), --keys, --talkgroup and
// --passphrase-file.
type cipherFlags struct {
	Cipher    string // "clear" or "e2ee"
	Keys      string // device key store
	Talkgroup uint32
	PassFile  string
}

// addCipherFlags registers the flags; tx also gets --cipher.
func addCipherFlags(c *cobra.Command, tx bool) *cipherFlags {
	f := &cipherFlags{}
	fs := c.Flags()
	if tx {
		fs.StringVar(&f.Cipher, "cipher", "clear", "speech on the traffic slot: clear, or e2ee (tetrasim E2EE v1 with --keys and --talkgroup; refused on amateur bands)")
		fs.StringVar(&f.Keys, "keys", "", "device key store of the talker ('tetrasim keys add-device'); its frame counter is saved back")
	} else {
		fs.StringVar(&f.Keys, "keys", "", "device key store of a talkgroup member: verify and decrypt E2EE speech")
	}
	fs.Uint32Var(&f.Talkgroup, "talkgroup", 0, "talkgroup (GSSI) of the E2EE speech")
	fs.StringVar(&f.PassFile, "passphrase-file", "", "file holding the key-store passphrase (else $TETRASIM_PASSPHRASE)")
	return f
}

// encrypted reports whether tx was asked for E2EE, after checking the flags.
func (f *cipherFlags) encrypted() (bool, error) {
	switch strings.ToLower(f.Cipher) {
	case "clear", "":
		if f.Keys != "" {
			return false, usagef("--keys needs --cipher e2ee")
		}
		return false, nil
	case "e2ee":
		if f.Keys == "" || f.Talkgroup == 0 {
			return false, usagef("--cipher e2ee needs --keys FILE and --talkgroup G (make them with 'tetrasim keys')")
		}
		return true, nil
	}
	return false, usagef("--cipher %q: clear or e2ee", f.Cipher)
}

// loadMember opens the device key store. With persist, the member writes the
// store back whenever it reserves frame counters (before using them), with
// the store's own KDF parameters, so that a later run never reuses a
// (key, nonce) pair (e2ee-design.md §5.4 nonce rule).
func (f *cipherFlags) loadMember(persist bool) (*e2ee.Member, error) {
	if f.Talkgroup == 0 || f.Talkgroup > e2ee.MaxGroup {
		return nil, usagef("--talkgroup %d: a GSSI, 1..%d", f.Talkgroup, e2ee.MaxGroup)
	}
	pass, err := (&keysOpts{passFile: f.PassFile}).passphrase()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(f.Keys)
	if err != nil {
		return nil, fmt.Errorf("--keys: %w", err)
	}
	h, err := e2ee.ParseKeyStoreHeader(data)
	if err != nil {
		return nil, fmt.Errorf("--keys %s: %w", f.Keys, err)
	}
	m, err := e2ee.LoadMember(f.Keys, pass, e2ee.MemberConfig{})
	if err != nil {
		return nil, fmt.Errorf("--keys: %w", err)
	}
	if persist {
		path, params := f.Keys, h.Params
		m.Persist = func() error { return e2ee.SaveMember(path, m, pass, params) }
	}
	return m, nil
}
