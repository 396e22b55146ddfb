// Command tetrasim is a TETRA-style digital radio stack with end-to-end encryption:
// simulate encrypted group calls, transmit and receive TETRA bursts with SDR hardware,
// and study attacks on weak radio crypto. This package only wires flags to the
// library packages.
//
// Exit codes: 0 success, 1 failure, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// usageError marks an error caused by how the command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error (exit code 2).
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// subcommands lists the constructors of every subcommand. Each lives in its own file.
var subcommands = []func() *cobra.Command{
	newVersionCmd,
	newKeysCmd,
	newCallCmd,
	newCodecCmd,
	newBERCmd,
	newDevicesCmd, newRecordCmd,
	newTxCmd, newRxCmd,
	newTeachCmd,
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "tetrasim",
		Short: "TETRA-style digital radio stack with end-to-end encryption and SDR support",
		Long: `tetrasim simulates and runs a TETRA-style radio stack: ACELP speech, end-to-end
encryption, EN 300 392-2 channel coding and bursts, pi/4-DQPSK, simulated channels
and real SDR hardware (HackRF, RTL-SDR, rtl_tcp, IQ files, SigMF, ZeroMQ).

Legal note: transmitting encrypted traffic on amateur-radio bands is unlawful in
most countries. Nothing is transmitted unless you pass --transmit; use --cipher clear
on amateur bands.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	for _, f := range subcommands {
		c := f()
		root.AddCommand(c)
	}
	wrapArgs(root)
	return root
}

// wrapArgs makes positional-argument validation failures usage errors (exit 2).
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		orig := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := orig(cmd, args); err != nil {
				return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
			}
			return nil
		}
	}
	for _, s := range c.Commands() {
		wrapArgs(s)
	}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the process exit code.
func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "tetrasim:", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return 2
	}
	return 1
}

// isCobraUsage recognises cobra's own usage errors, which it does not type.
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "required flag"} {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}
