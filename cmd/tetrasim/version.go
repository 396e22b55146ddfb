package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/codec2"
	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/hackrf"
	"github.com/tetrasim/tetrasim/hardware/rtlsdr"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the optional backends compiled in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "tetrasim %s (%s, %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintln(w, "always built: ACELP (pure Go), IQ files, SigMF, rtl_tcp, ZeroMQ, loopback")
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Second)
			defer cancel()
			built := func(err error) string {
				if errors.Is(err, hardware.ErrDriverNotBuilt) {
					return "not built"
				}
				return "built"
			}
			_, errH := hackrf.List(ctx)
			_, errR := rtlsdr.List(ctx)
			c2 := "not built"
			if codec2.Available {
				c2 = "built"
			}
			fmt.Fprintf(w, "codec2 (-tags codec2): %s\nhackrf (-tags hackrf): %s\nrtlsdr (-tags rtlsdr): %s\n", c2, built(errH), built(errR))
			return nil
		},
	}
}
