package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/sim/teach"
)

const teachScope = `Every attack runs only against tetrasim's own deliberately weak toy ciphers
(package e2ee/teach: aie-toy, tetra-e2ee-like, p25-like, m17-like) and against
tetrasim-v1, with keys the demo generates itself (e2ee-design.md §6). tetrasim
ships no TEA, TAA or TCCA constants and nothing that attacks third-party keys
or traffic.`

func newTeachCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "teach",
		Short: "Radio-security teaching demos: attacks that succeed on weak designs and fail on tetrasim-v1",
		Long: `Radio-security teaching demos (e2ee-design.md §8). Each demo really runs an
attack on a weak toy profile, shows it succeed with measured numbers, then runs
the same attack on tetrasim E2EE v1 and shows it fail. Where speech helps, --out
writes WAV files (TETRA ACELP, real speech) so you can listen to the difference.

` + teachScope,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newTeachListCmd(), newTeachRunCmd())
	return c
}

func newTeachListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the demos with the CVE or property each maps to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, d := range teach.Demos() {
				sp := ""
				if d.Speech {
					sp = " (speech)"
				}
				fmt.Fprintf(w, "%2d  %-15s %-38s %s%s\n", d.Number, d.Name, "["+d.MapsTo+"]", d.Title, sp)
			}
			return nil
		},
	}
}

func newTeachRunCmd() *cobra.Command {
	var (
		asJSON bool
		seed   uint64
		out    string
		width  int
	)
	c := &cobra.Command{
		Use:   "run N|NAME|all",
		Short: "Run a demo (number or name from 'teach list', or all)",
		Long: `Run one demo, by number or name from 'tetrasim teach list', or all of them.
It prints the narrative and the measured figures for the weak profile and for
tetrasim-v1; --json prints the same as JSON. --out DIR writes the speech of the
demos that have it as WAV files. The command fails (exit 1) if an attack does
not succeed on the weak profile or does succeed on tetrasim-v1.

` + teachScope,
		Example: `  tetrasim teach list
  tetrasim teach run 4 --out /tmp/teach
  tetrasim teach run brute-force --width 24
  tetrasim teach run all --json --seed 7`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if width < 1 || width > teach.MaxWidth {
				return usagef("--width %d: want 1..%d", width, teach.MaxWidth)
			}
			var demos []teach.Demo
			if strings.EqualFold(args[0], "all") {
				demos = teach.Demos()
			} else {
				d, err := teach.Find(args[0])
				if err != nil {
					return usagef("%v (see 'tetrasim teach list')", err)
				}
				demos = []teach.Demo{d}
			}
			if out != "" {
				if err := os.MkdirAll(out, 0o755); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			var results []teachJSON
			var unexpected []string
			for i, d := range demos {
				if err := cmd.Context().Err(); err != nil {
					return err
				}
				r, err := d.Run(teach.Options{Seed: seed, Width: width, NoAudio: out == ""})
				if err != nil {
					return err
				}
				var files []string
				for _, a := range r.Audio {
					p := filepath.Join(out, a.Name+".wav")
					if err := voice.WriteAudioFile(p, a.PCM); err != nil {
						return err
					}
					files = append(files, p)
				}
				if !r.Weak.AttackSucceeded || r.V1.AttackSucceeded {
					unexpected = append(unexpected, strconv.Itoa(r.Number))
				}
				if asJSON {
					results = append(results, teachJSON{r, files})
					continue
				}
				if i > 0 {
					fmt.Fprintln(w)
				}
				printTeach(w, r, files, out == "")
			}
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				var err error
				if len(results) == 1 {
					err = enc.Encode(results[0])
				} else {
					err = enc.Encode(results)
				}
				if err != nil {
					return err
				}
			}
			if len(unexpected) > 0 {
				return fmt.Errorf("teach: demo %s did not behave as expected (weak profile resisted or tetrasim-v1 fell)", strings.Join(unexpected, ", "))
			}
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&asJSON, "json", false, "print the results as JSON")
	f.Uint64Var(&seed, "seed", 1, "seed for keys, plaintexts and identities")
	f.StringVar(&out, "out", "", "directory for the WAV files of the demos with speech")
	f.IntVar(&width, "width", teach.DefaultWidth, "register width in bits for the brute-force demo (2), 1..32: each bit doubles the search (20 bits: under a second; 32 bits: tens of minutes on one core)")
	return c
}

// teachJSON is one demo result with the WAV files written for it.
type teachJSON struct {
	*teach.Result
	WAVFiles []string `json:"wav_files,omitempty"`
}

func printTeach(w io.Writer, r *teach.Result, files []string, noOut bool) {
	var title string
	speech := false
	if d, err := teach.Find(strconv.Itoa(r.Number)); err == nil {
		title, speech = d.Title, d.Speech
	}
	fmt.Fprintf(w, "Demo %d: %s  [%s]  (seed %d)\n", r.Number, title, r.MapsTo, r.Seed)
	for _, s := range []struct {
		label string
		side  teach.Side
	}{{"Weak profile", r.Weak}, {"Our design", r.V1}} {
		verdict := "attack FAILS"
		if s.side.AttackSucceeded {
			verdict = "attack SUCCEEDS"
		}
		fmt.Fprintf(w, "\n%s: %s -- %s\n", s.label, s.side.Profile, verdict)
		for _, line := range s.side.Narrative {
			fmt.Fprintf(w, "  - %s\n", line)
		}
		if len(s.side.Figures) > 0 {
			var parts []string
			for _, f := range s.side.Figures {
				p := f.Name + " = " + fmtFigure(f.Value)
				if f.Unit != "" {
					p += " " + f.Unit
				}
				parts = append(parts, p)
			}
			fmt.Fprintf(w, "  figures: %s\n", strings.Join(parts, "; "))
		}
	}
	fmt.Fprintf(w, "\nLesson: %s\n", r.Lesson)
	if len(files) > 0 {
		fmt.Fprintln(w, "Listen:")
		for i, p := range files {
			fmt.Fprintf(w, "  %s  (%s)\n", p, r.Audio[i].Description)
		}
	} else if noOut && speech {
		fmt.Fprintln(w, "(pass --out DIR to write the speech of this demo as WAV files)")
	}
}

func fmtFigure(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
