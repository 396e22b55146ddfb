package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/tchs"
	"github.com/tetrasim/tetrasim/codec/voice"
)

// newCodecChanEncodeCmd: `tetrasim codec chan-encode IN.ser OUT.chan`, the TCH/S
// channel encoder of EN 300 395-2 clause 5 in the reference file formats.
func newCodecChanEncodeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "chan-encode IN.ser OUT.chan",
		Short: "TCH/S channel-encode speech frames (.ser) into type-4 bits (.chan, reference format)",
		Long: `chan-encode codes pairs of 137-bit speech frames with the TCH/S channel coder of
EN 300 395-2 clause 5 (class reordering, parity, punctured rate-1/3 code, 24x18
matrix interleaving) and writes the 432 type-4 bits of each pair as one 690-word
.chan block, as the ETSI reference channel coder does. An odd final frame is
dropped.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			sr := voice.NewSerReader(in)
			var out []byte
			a, b := make([]byte, tchs.FrameBits), make([]byte, tchs.FrameBits)
			type4 := make([]byte, tchs.BlockBits)
			blocks, dropped := 0, false
			for {
				if _, err := sr.Read(a); err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if _, err := sr.Read(b); err != nil {
					if errors.Is(err, io.EOF) {
						dropped = true
						break
					}
					return fmt.Errorf("%s: %w", args[0], err)
				}
				out = tchs.AppendChan(out, tchs.Encode(type4, a, b))
				blocks++
			}
			if blocks == 0 {
				return fmt.Errorf("%s: %d speech frame(s); a TCH/S block needs two", args[0], sr.Frames())
			}
			if err := os.WriteFile(args[1], out, 0o644); err != nil {
				return err
			}
			note := ""
			if dropped {
				note = " (odd final frame dropped)"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d frames -> %d TCH/S blocks -> %s%s\n", args[0], sr.Frames(), blocks, args[1], note)
			return nil
		},
	}
}

// newCodecChanDecodeCmd: `tetrasim codec chan-decode IN.chan OUT.ser`.
func newCodecChanDecodeCmd() *cobra.Command {
	var reference bool
	c := &cobra.Command{
		Use:   "chan-decode IN.chan OUT.ser",
		Short: "TCH/S channel-decode .chan soft bits into speech frames with BFI (.ser)",
		Long: `chan-decode reads 690-word .chan blocks (the low byte of each payload word is a
soft bit, positive meaning 0), decodes them with a soft-decision Viterbi decoder,
checks the 8-bit parity and writes two .ser frames per block; the BFI word of both
frames is 1 when the parity fails (EN 300 395-2 clause 5.6). By default the
Viterbi decoder traces back over the whole block (maximum likelihood);
--reference uses the ETSI reference decoder's 30-step decision window instead and
then reproduces its output bit for bit, also on noisy input.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			cr := tchs.NewChanReader(bytes.NewReader(raw))
			d := tchs.Decoder{Reference: reference}
			soft := make([]int8, tchs.BlockBits)
			a, b := make([]byte, tchs.FrameBits), make([]byte, tchs.FrameBits)
			var out bytes.Buffer
			w := bufio.NewWriter(&out)
			bad := 0
			for {
				err := cr.Read(soft)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				bfi := d.Decode(a, b, soft)
				if bfi {
					bad++
				}
				w.Write(voice.AppendSer(voice.AppendSer(nil, a, bfi), b, bfi))
			}
			if cr.Blocks() == 0 {
				return fmt.Errorf("%s: %w: no 0x6B21 block header found", args[0], tchs.ErrChanFormat)
			}
			w.Flush()
			if err := os.WriteFile(args[1], out.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d TCH/S blocks -> %d frames, BFI in %d blocks (%.2f %%) -> %s\n",
				args[0], cr.Blocks(), 2*cr.Blocks(), bad, 100*float64(bad)/float64(cr.Blocks()), args[1])
			return nil
		},
	}
	c.Flags().BoolVar(&reference, "reference", false, "use the ETSI reference decoder's 30-step decision window (bit-exact with it)")
	return c
}
