package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tetrasim/tetrasim/e2ee"
)

// keysOpts are the flags shared by the keys subcommands.
type keysOpts struct {
	passFile  string
	kmfPath   string
	kdfMemKiB uint32
}

func (o *keysOpts) passphrase() ([]byte, error) {
	if o.passFile != "" {
		// The passphrase guards every key store: hold its file to the key
		// stores' rule (e2ee.ReadKeyStore) of nothing for group or others.
		st, err := os.Stat(o.passFile)
		if err != nil {
			return nil, fmt.Errorf("reading passphrase: %w", err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			return nil, fmt.Errorf("passphrase file %s has permissions %#o, looser than 0600: refusing it (chmod 600 %s)", o.passFile, perm, o.passFile)
		}
		b, err := os.ReadFile(o.passFile)
		if err != nil {
			return nil, fmt.Errorf("reading passphrase: %w", err)
		}
		p := []byte(strings.TrimRight(string(b), "\r\n"))
		if len(p) == 0 {
			return nil, usagef("passphrase file %s is empty", o.passFile)
		}
		return p, nil
	}
	if p := os.Getenv("TETRASIM_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	return nil, usagef("no passphrase: use --passphrase-file or set TETRASIM_PASSPHRASE")
}

func (o *keysOpts) params() e2ee.KDFParams {
	p := e2ee.DefaultKDFParams()
	if o.kdfMemKiB != 0 {
		p.MemoryKiB = o.kdfMemKiB
	}
	return p
}

func (o *keysOpts) loadKMF() (*e2ee.KMF, []byte, error) {
	if o.kmfPath == "" {
		return nil, nil, usagef("--kmf is required")
	}
	pass, err := o.passphrase()
	if err != nil {
		return nil, nil, err
	}
	k, err := e2ee.LoadKMF(o.kmfPath, pass, e2ee.KMFConfig{})
	return k, pass, err
}

func (o *keysOpts) saveKMF(k *e2ee.KMF, pass []byte) error {
	return e2ee.SaveKMF(o.kmfPath, k, pass, o.params())
}

// newKeysCmd: tetrasim keys ... (key management for tetrasim E2EE v1).
func newKeysCmd() *cobra.Command {
	o := &keysOpts{}
	c := &cobra.Command{
		Use:   "keys",
		Short: "Manage E2EE keys: KMF, devices, talkgroups, rekeys, provisioning bundles",
		Long: `Key management for tetrasim E2EE v1 (e2ee package doc, docs/e2ee-design.md §5.10).

Key stores are files encrypted at rest (Argon2id + AES-256-GCM), created with
mode 0600; a store with looser permissions is refused. The passphrase comes from
--passphrase-file (mode 0600, refused if looser) or the TETRASIM_PASSPHRASE
environment variable.

Commands that start a new epoch (add-member, remove-member, rekey, tick) write the
key-management SDS payloads to --out (one line per SDS: to, group, kind, hex);
'keys apply' feeds such a file to a device key store, as the air would.`,
	}
	c.PersistentFlags().StringVar(&o.passFile, "passphrase-file", "", "file holding the key-store passphrase (else $TETRASIM_PASSPHRASE)")
	c.PersistentFlags().StringVar(&o.kmfPath, "kmf", "", "KMF key store file")
	c.PersistentFlags().Uint32Var(&o.kdfMemKiB, "kdf-memory-kib", 0, "Argon2id memory for stores written now, KiB (default 65536, at most 1048576)")
	c.AddCommand(keysInitCmd(o), keysAddDeviceCmd(o), keysRemoveDeviceCmd(o), keysAddTalkgroupCmd(o),
		keysRemoveTalkgroupCmd(o), keysMemberCmd(o, true), keysMemberCmd(o, false), keysRekeyCmd(o),
		keysTickCmd(o), keysApplyCmd(o), keysShowCmd(o), keysExportCmd(o), keysImportCmd(o))
	return c
}

func keysInitCmd(o *keysOpts) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a KMF key store with a fresh Ed25519 signing key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.kmfPath == "" {
				return usagef("--kmf is required")
			}
			if _, err := os.Stat(o.kmfPath); err == nil && !force {
				return fmt.Errorf("%s exists (use --force to overwrite)", o.kmfPath)
			}
			pass, err := o.passphrase()
			if err != nil {
				return err
			}
			k, err := e2ee.NewKMF(e2ee.KMFConfig{})
			if err != nil {
				return err
			}
			defer k.Wipe()
			if err := o.saveKMF(k, pass); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "KMF created: %s\nKMF public key: %x\n", o.kmfPath, []byte(k.PublicKey()))
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing store")
	return c
}

func keysAddDeviceCmd(o *keysOpts) *cobra.Command {
	var id uint32
	var out string
	var pq, force bool
	c := &cobra.Command{
		Use:   "add-device",
		Short: "Generate a device's identity, register it at the KMF and write its key store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == 0 || out == "" {
				return usagef("--id and --out are required")
			}
			if id > e2ee.MaxDeviceID {
				return usagef("--id %d: a device ID is a 24-bit ISSI, 1..16777215", id)
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists: it may be another device's key store (use --force to overwrite)", out)
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			ident, err := e2ee.NewIdentity(e2ee.DeviceID(id), nil)
			if err != nil {
				return err
			}
			if pq {
				if err := ident.AddPostQuantum(nil); err != nil {
					return err
				}
			}
			if err := k.AddDevice(ident.Public()); err != nil {
				return err
			}
			m, err := e2ee.NewMember(ident, k.PublicKey(), e2ee.MemberConfig{})
			if err != nil {
				return err
			}
			defer m.Wipe()
			if err := e2ee.SaveMember(out, m, pass, o.params()); err != nil {
				return err
			}
			if err := o.saveKMF(k, pass); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "device %d registered; key store %s\n", id, out)
			return nil
		},
	}
	c.Flags().Uint32Var(&id, "id", 0, "device ID (24-bit ISSI, 1..16777215)")
	c.Flags().StringVar(&out, "out", "", "device key store to write")
	c.Flags().BoolVar(&pq, "pq", false, "also give the device an ML-KEM-768+X25519 key (for post-quantum talkgroups)")
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing key store at --out")
	return c
}

// saveWithMessages saves the KMF and then appends the key-management messages of
// its new epochs to out. The KMF is saved first: if the messages cannot be
// written, the saved KMF is at an epoch no device has heard of and a further
// rekey repairs that; the other order could hand devices an epoch that a failed
// save makes the KMF forget. An empty out is refused before anything is saved.
func (o *keysOpts) saveWithMessages(w io.Writer, k *e2ee.KMF, pass []byte, msgs []e2ee.Message, out string) error {
	if len(msgs) > 0 && out == "" {
		return usagef("--out is required: the key-management messages must go somewhere")
	}
	if err := o.saveKMF(k, pass); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := writeMessages(out, msgs); err != nil {
		return fmt.Errorf("KMF saved, but writing its messages failed (run 'keys rekey' for the affected talkgroups): %w", err)
	}
	reportMessages(w, msgs, out)
	return nil
}

func writeMessages(path string, msgs []e2ee.Message) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, m := range msgs {
		for _, p := range m.Payloads {
			fmt.Fprintf(w, "to=%d group=%d kind=%s sds=%s\n", m.To, m.Group, m.Kind, hex.EncodeToString(p))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func reportMessages(w io.Writer, msgs []e2ee.Message, out string) {
	n := 0
	for _, m := range msgs {
		n += len(m.Payloads)
	}
	fmt.Fprintf(w, "%d messages, %d SDS, %d bytes on the air; appended to %s\n", len(msgs), n, e2ee.Bytes(msgs), out)
}

func keysRemoveDeviceCmd(o *keysOpts) *cobra.Command {
	var id uint32
	var out string
	c := &cobra.Command{
		Use:   "remove-device",
		Short: "Remove a device from every talkgroup (new epochs) and forget it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == 0 {
				return usagef("--id is required")
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			msgs, err := k.RemoveDevice(e2ee.DeviceID(id))
			if err != nil {
				return err
			}
			return o.saveWithMessages(cmd.OutOrStdout(), k, pass, msgs, out)
		},
	}
	c.Flags().Uint32Var(&id, "id", 0, "device ID")
	c.Flags().StringVar(&out, "out", "", "file to append the rekey SDS payloads to")
	return c
}

func parseSuite(s string) (e2ee.Suite, error) {
	switch strings.ToLower(s) {
	case "aes", "1":
		return e2ee.SuiteAES, nil
	case "chacha", "chacha20", "2":
		return e2ee.SuiteChaCha, nil
	}
	return 0, usagef("unknown suite %q (aes or chacha)", s)
}

func keysAddTalkgroupCmd(o *keysOpts) *cobra.Command {
	var g uint32
	var suite string
	var slots int
	var pq bool
	c := &cobra.Command{
		Use:   "add-talkgroup",
		Short: "Create a talkgroup (24-bit GSSI)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g == 0 {
				return usagef("--group is required")
			}
			s, err := parseSuite(suite)
			if err != nil {
				return err
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			if err := k.AddTalkgroup(g, s, slots); err != nil {
				return err
			}
			if pq {
				if err := k.SetPostQuantum(g, true); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "talkgroup %d created (%v)\n", g, s)
			return o.saveKMF(k, pass)
		},
	}
	c.Flags().Uint32Var(&g, "group", 0, "talkgroup GSSI (1..16777215)")
	c.Flags().StringVar(&suite, "suite", "aes", "cipher suite: aes (AES-256-CTR/GCM) or chacha (ChaCha20/-Poly1305)")
	c.Flags().IntVar(&slots, "saf-slots", 0, "SAF interval in traffic slots, 2..32 (default 16)")
	c.Flags().BoolVar(&pq, "pq", false, "wrap epoch secrets with ML-KEM-768+X25519 (about 1.2 KB, 5 SDS per member)")
	return c
}

func keysRemoveTalkgroupCmd(o *keysOpts) *cobra.Command {
	var g uint32
	c := &cobra.Command{
		Use:   "remove-talkgroup",
		Short: "Delete a talkgroup and wipe its epoch secret",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g == 0 {
				return usagef("--group is required")
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			if err := k.RemoveTalkgroup(g); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "talkgroup %d removed\n", g)
			return o.saveKMF(k, pass)
		},
	}
	c.Flags().Uint32Var(&g, "group", 0, "talkgroup GSSI")
	return c
}

func keysMemberCmd(o *keysOpts, add bool) *cobra.Command {
	var g uint32
	var ids []uint
	var out string
	use, short := "add-member", "Add devices to a talkgroup and start a new epoch"
	if !add {
		use, short = "remove-member", "Remove devices from a talkgroup and start a new epoch"
	}
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g == 0 || len(ids) == 0 {
				return usagef("--group and --id are required")
			}
			if out == "" {
				return usagef("--out is required: the key-management messages must go somewhere")
			}
			for _, id := range ids {
				if id == 0 || id > e2ee.MaxDeviceID {
					return usagef("--id %d: a device ID is a 24-bit ISSI, 1..16777215", id)
				}
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			var msgs []e2ee.Message
			if add {
				devs := make([]e2ee.DeviceID, len(ids))
				for i, id := range ids {
					devs[i] = e2ee.DeviceID(id)
				}
				if err := k.AddMembers(g, devs...); err != nil {
					return err
				}
				msgs, err = k.Rekey(g)
				if err != nil {
					return err
				}
			} else {
				for _, id := range ids {
					m, err := k.RemoveMember(g, e2ee.DeviceID(id))
					if err != nil {
						return err
					}
					msgs = append(msgs, m...)
				}
			}
			return o.saveWithMessages(cmd.OutOrStdout(), k, pass, msgs, out)
		},
	}
	c.Flags().Uint32Var(&g, "group", 0, "talkgroup GSSI")
	c.Flags().UintSliceVar(&ids, "id", nil, "device ID (repeat or comma-separate)")
	c.Flags().StringVar(&out, "out", "", "file to append the rekey SDS payloads to")
	return c
}

func keysRekeyCmd(o *keysOpts) *cobra.Command {
	var g uint32
	var out string
	c := &cobra.Command{
		Use:   "rekey",
		Short: "Start a new epoch of a talkgroup now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g == 0 {
				return usagef("--group is required")
			}
			if out == "" {
				return usagef("--out is required: the key-management messages must go somewhere")
			}
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			msgs, err := k.Rekey(g)
			if err != nil {
				return err
			}
			return o.saveWithMessages(cmd.OutOrStdout(), k, pass, msgs, out)
		},
	}
	c.Flags().Uint32Var(&g, "group", 0, "talkgroup GSSI")
	c.Flags().StringVar(&out, "out", "", "file to append the SDS payloads to")
	return c
}

func keysTickCmd(o *keysOpts) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "tick",
		Short: "Rekey every talkgroup whose epoch is older than the rekey interval (run from cron)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, pass, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			msgs, err := k.Tick()
			if err != nil {
				return err
			}
			if len(msgs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no talkgroup due for a rekey")
			}
			return o.saveWithMessages(cmd.OutOrStdout(), k, pass, msgs, out)
		},
	}
	c.Flags().StringVar(&out, "out", "", "file to append the SDS payloads to")
	return c
}

func keysApplyCmd(o *keysOpts) *cobra.Command {
	var dev, in string
	c := &cobra.Command{
		Use:   "apply",
		Short: "Apply key-management SDS payloads (from rekey --out) to a device key store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dev == "" || in == "" {
				return usagef("--device and --in are required")
			}
			pass, err := o.passphrase()
			if err != nil {
				return err
			}
			m, err := e2ee.LoadMember(dev, pass, e2ee.MemberConfig{})
			if err != nil {
				return err
			}
			defer m.Wipe()
			f, err := os.Open(in)
			if err != nil {
				return err
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			counts := map[string]int{}
			line := 0
			for sc.Scan() {
				line++
				var to uint64
				var payload []byte
				for _, field := range strings.Fields(sc.Text()) {
					k, v, _ := strings.Cut(field, "=")
					switch k {
					case "to":
						to, err = strconv.ParseUint(v, 10, 32)
					case "sds":
						payload, err = hex.DecodeString(v)
					}
					if err != nil {
						return fmt.Errorf("%s:%d: %w", in, line, err)
					}
				}
				if payload == nil {
					return fmt.Errorf("%s:%d: no sds= field", in, line)
				}
				if to != 0 && e2ee.DeviceID(to) != m.Identity().ID {
					counts["not addressed to this device"]++
					continue
				}
				ev, err := m.Apply(payload)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: %v\n", in, line, err)
					counts["rejected"]++
					continue
				}
				counts[ev.Kind.String()]++
				if ev.Kind == e2ee.EventEpochInstalled {
					fmt.Fprintf(cmd.OutOrStdout(), "talkgroup %d: epoch %d installed, sender index %d\n", ev.Group, ev.Epoch, ev.Sender)
				}
			}
			if err := sc.Err(); err != nil {
				return err
			}
			keys := make([]string, 0, len(counts))
			for k := range counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d\n", k, counts[k])
			}
			return e2ee.SaveMember(dev, m, pass, o.params())
		},
	}
	c.Flags().StringVar(&dev, "device", "", "device key store")
	c.Flags().StringVar(&in, "in", "", "file of SDS payloads written by rekey/add-member --out")
	return c
}

func keysShowCmd(o *keysOpts) *cobra.Command {
	var dev string
	c := &cobra.Command{
		Use:   "show",
		Short: "Show a device (--device) or KMF (--kmf) key store without secret material",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if dev == "" && o.kmfPath == "" {
				return usagef("--device or --kmf is required")
			}
			pass, err := o.passphrase()
			if err != nil {
				return err
			}
			if dev != "" {
				m, err := e2ee.LoadMember(dev, pass, e2ee.MemberConfig{})
				if err != nil {
					return err
				}
				defer m.Wipe()
				p := m.Identity().Public()
				fmt.Fprintf(w, "device %d\n  Ed25519 identity key: %x\n  X25519 HPKE key:      %x\n", p.ID, p.Sign, p.HPKE)
				if len(p.PQ) > 0 {
					fmt.Fprintf(w, "  ML-KEM-768+X25519 key: %d bytes, SHA-256 %x\n", len(p.PQ), sha256.Sum256(p.PQ))
				}
				for _, g := range m.Groups() {
					fmt.Fprintf(w, "talkgroup %d: sender index %d, roster %d entries", g.Group, g.Sender, g.RosterSize)
					if g.HasActive {
						fmt.Fprintf(w, ", active epoch %d", g.ActiveEpoch)
					}
					fmt.Fprintln(w)
					for _, e := range g.Epochs {
						fmt.Fprintf(w, "  epoch %d  %v  active from %s  next FC %d  next SDS counter %d\n",
							e.Epoch, e.Suite, e.Activation.UTC().Format(time.RFC3339), e.FC, e.SDSCounter)
					}
				}
				return nil
			}
			k, _, err := o.loadKMF()
			if err != nil {
				return err
			}
			defer k.Wipe()
			fmt.Fprintf(w, "KMF public key: %x\ndevices: %d\n", []byte(k.PublicKey()), len(k.Devices()))
			for _, id := range k.Devices() {
				d, _ := k.Device(id)
				fmt.Fprintf(w, "  device %d  Ed25519 %x\n", id, d.Sign[:8])
			}
			for _, g := range k.Groups() {
				ti, _ := k.Talkgroup(g)
				fmt.Fprintf(w, "talkgroup %d: %v, SAF every %d slots, %d members", g, ti.Suite, ti.SAFSlots, len(ti.Members))
				if ti.HasEpoch {
					fmt.Fprintf(w, ", epoch %d since %s", ti.Epoch, ti.Started.UTC().Format(time.RFC3339))
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dev, "device", "", "device key store")
	return c
}

func keysExportCmd(o *keysOpts) *cobra.Command {
	var dev, out, bundlePass string
	c := &cobra.Command{
		Use:   "export",
		Short: "Export a device key store as a provisioning bundle under its own passphrase",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dev == "" || out == "" || bundlePass == "" {
				return usagef("--device, --out and --bundle-passphrase-file are required")
			}
			pass, err := o.passphrase()
			if err != nil {
				return err
			}
			bp, err := (&keysOpts{passFile: bundlePass}).passphrase()
			if err != nil {
				return err
			}
			kind, st, err := e2ee.ReadKeyStore(dev, pass)
			if err != nil {
				return err
			}
			if kind != e2ee.StoreDevice {
				return fmt.Errorf("%s is a %v key store, not a device", dev, kind)
			}
			defer clear(st)
			if err := e2ee.WriteKeyStore(out, e2ee.StoreBundle, st, bp, o.params()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "bundle written: %s\n", out)
			return nil
		},
	}
	c.Flags().StringVar(&dev, "device", "", "device key store")
	c.Flags().StringVar(&out, "out", "", "bundle file to write")
	c.Flags().StringVar(&bundlePass, "bundle-passphrase-file", "", "file holding the bundle's passphrase")
	return c
}

func keysImportCmd(o *keysOpts) *cobra.Command {
	var bundle, out, bundlePass string
	var force bool
	c := &cobra.Command{
		Use:   "import",
		Short: "Import a provisioning bundle as a device key store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bundle == "" || out == "" || bundlePass == "" {
				return usagef("--bundle, --out and --bundle-passphrase-file are required")
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists (use --force to overwrite)", out)
			}
			pass, err := o.passphrase()
			if err != nil {
				return err
			}
			bp, err := (&keysOpts{passFile: bundlePass}).passphrase()
			if err != nil {
				return err
			}
			kind, st, err := e2ee.ReadKeyStore(bundle, bp)
			if err != nil {
				return err
			}
			defer clear(st)
			if kind != e2ee.StoreBundle {
				return errors.New(bundle + " is not a provisioning bundle")
			}
			m, err := e2ee.UnmarshalMember(st, e2ee.MemberConfig{})
			if err != nil {
				return fmt.Errorf("%s: %w", bundle, err)
			}
			defer m.Wipe()
			if err := e2ee.SaveMember(out, m, pass, o.params()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "device %d imported: %s\n", m.Identity().ID, out)
			return nil
		},
	}
	c.Flags().StringVar(&bundle, "bundle", "", "bundle file")
	c.Flags().StringVar(&out, "out", "", "device key store to write")
	c.Flags().StringVar(&bundlePass, "bundle-passphrase-file", "", "file holding the bundle's passphrase")
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing store")
	return c
}
