package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
)

func newRecordCmd() *cobra.Command {
	var (
		seconds float64
		out     string
		format  string
		desc    string
		quiet   bool
	)
	c := &cobra.Command{
		Use:   "record --device DEV --seconds N --out X.sigmf-meta",
		Short: "Record IQ samples from a device into a SigMF recording (or a raw IQ file)",
		Long: `Record --seconds of samples from --device into --out. A .sigmf-meta output writes
a SigMF recording (cf32_le by default, --format cs16 halves the size), with the
sample rate, centre frequency and time, and an annotation wherever samples were
dropped; other extensions (.cf32, .cs16, .cs8, .cu8) write a raw file.

Progress and the dropped-sample counters are printed every second on stderr.
Ctrl-C stops early and still closes the recording properly.

Device strings:
` + deviceStringHelp,
		Args: cobra.NoArgs,
		RunE: nil, // set below, it needs the device flags
	}
	df := addDeviceFlags(c, hardware.RX)
	c.Flags().Float64Var(&seconds, "seconds", 10, "length of the recording [s], > 0")
	c.Flags().StringVar(&out, "out", "", "output: X.sigmf-meta (SigMF) or X.cf32/.cs16/.cs8/.cu8 (raw)")
	c.Flags().StringVar(&format, "format", "cf32", "SigMF sample format: cf32, cs16, cs8 or cu8")
	c.Flags().StringVar(&desc, "desc", "", "core:description of the SigMF recording")
	c.Flags().BoolVar(&quiet, "quiet", false, "no progress lines")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetContext(ensureRegistry(cmd.Context())) // one device registry per run
		if out == "" {
			return usagef("--out is required (e.g. --out capture.sigmf-meta)")
		}
		if !(seconds > 0) || math.IsInf(seconds, 0) {
			return usagef("--seconds %g: must be > 0", seconds)
		}
		f, err := iq.ParseFormat(format)
		if err != nil {
			return usageError{err}
		}
		ctx := cmd.Context()
		src, err := openSourceFlag(ctx, df)
		if err != nil {
			return err
		}
		defer src.Close()
		rate, center := df.Rate, df.Freq
		if s, ok := src.(hardware.Settings); ok {
			r, c := s.Settings()
			if rate == 0 {
				rate = r
			}
			if center == 0 {
				center = c
			}
		}
		if rate <= 0 {
			return usagef("the sample rate of %s is unknown: give --rate (or rate= in the device string)", df.Device)
		}
		return record(ctx, cmd, src, recordJob{rate: rate, center: center, seconds: seconds, out: out, format: f, desc: desc, quiet: quiet})
	}
	return c
}

type recordJob struct {
	rate, center, seconds float64
	out                   string
	format                iq.Format
	desc                  string
	quiet                 bool
}

// recording is what record writes to: SigMF or raw.
type recording interface {
	iq.Writer
	Close() error
}

func record(ctx context.Context, cmd *cobra.Command, src hardware.Source, j recordJob) error {
	stderr := cmd.ErrOrStderr()
	var rec recording
	var annot func(start, count uint64, label, comment string)
	var what string
	if strings.HasSuffix(j.out, ".sigmf-meta") || strings.HasSuffix(j.out, ".sigmf-data") || strings.HasSuffix(j.out, ".sigmf") {
		d := j.desc
		if d == "" {
			d = "tetrasim record from " + src.Info().Label
		}
		w, err := sigmf.Create(j.out, j.format, j.rate, j.center, d)
		if err != nil {
			return err
		}
		w.Meta.Global.HW = src.Info().Label
		rec = w
		annot = func(start, count uint64, label, comment string) { w.Annotate(start, count, label, comment, 0, 0) }
		what = w.MetaPath() + " + " + w.DataPath()
	} else {
		w, err := iqfile.Create(j.out, 0)
		if err != nil {
			return usageError{err}
		}
		rec = w
		annot = func(uint64, uint64, string, string) {}
		what = j.out
	}
	total := uint64(math.Round(j.seconds * j.rate))
	buf := make([]complex64, 1<<16)
	var n uint64
	start := time.Now()
	last := start
	base := src.Stats()
	prevDropped := base.Dropped
	progress := func(final bool) {
		if j.quiet && !final {
			return
		}
		st := src.Stats()
		fmt.Fprintf(stderr, "record: %.2f s of %.2f s (%d samples), dropped %d samples in %d overflows\n",
			float64(n)/j.rate, j.seconds, n, st.Dropped-base.Dropped, st.Overflows-base.Overflows)
	}
	var rerr error
	interrupted := false
	for n < total {
		k := int(min(uint64(len(buf)), total-n))
		m, err := src.ReadIQ(ctx, buf[:k])
		if m > 0 {
			if d := src.Stats().Dropped; d > prevDropped {
				annot(n, 0, "dropped", fmt.Sprintf("%d samples lost before this point", d-prevDropped))
				prevDropped = d
			}
			if _, werr := rec.Write(buf[:m]); werr != nil {
				rerr = werr
				break
			}
			n += uint64(m)
		}
		if err != nil {
			if ctx.Err() != nil {
				interrupted = true
			} else if !errors.Is(err, io.EOF) {
				rerr = err
			}
			break
		}
		if now := time.Now(); now.Sub(last) >= time.Second {
			progress(false)
			last = now
		}
	}
	cerr := rec.Close()
	progress(true)
	switch {
	case rerr != nil:
		fmt.Fprintf(stderr, "record: stopped by an error; %s closed with %d samples (%.3f s), fewer than asked\n", what, n, float64(n)/j.rate)
		return fmt.Errorf("record: %w", rerr)
	case cerr != nil:
		return fmt.Errorf("record: closing %s: %w", what, cerr)
	case interrupted:
		fmt.Fprintf(stderr, "record: interrupted; %s closed properly with %d samples (%.3f s)\n", what, n, float64(n)/j.rate)
	case n < total:
		fmt.Fprintf(stderr, "record: the source ended; %s holds %d samples (%.3f s of %.3f s asked)\n", what, n, float64(n)/j.rate, j.seconds)
	default:
		fmt.Fprintf(stderr, "record: wrote %s: %d samples at %.0f S/s\n", what, n, j.rate)
	}
	return nil
}
