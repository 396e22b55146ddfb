package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/voice"
)

// codecSubcommands lists the constructors of the `tetrasim codec` subcommands.
var codecSubcommands = []func() *cobra.Command{
	newCodecEncodeCmd,
	newCodecDecodeCmd,
	newCodecScoreCmd,
	newCodecChanEncodeCmd,
	newCodecChanDecodeCmd,
}

func newCodecCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "codec",
		Short: "Speech codec and TCH/S channel codec tools (reference file formats)",
		Long: `Speech codec tools. The default codec is TETRA ACELP (EN 300 395-2, 137 bits per
30 ms, pure Go). Codec2 modes (codec2-3200, codec2-1600, ...) need a build with
-tags codec2 and Debian's libcodec2-dev.

File formats: .wav (any rate and channel count in; 8 kHz mono 16-bit out),
.pcm/.raw (s16le mono 8 kHz), .ser (the ETSI reference serial format: per frame
one BFI word then one word per bit, 16-bit little-endian).`,
	}
	for _, f := range codecSubcommands {
		c.AddCommand(f())
	}
	return c
}

func newCodecEncodeCmd() *cobra.Command {
	var codecName string
	c := &cobra.Command{
		Use:   "encode IN OUT.ser",
		Short: "Encode speech (WAV or raw PCM) into codec frames in the .ser format",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cd, err := voice.New(codecName)
			if err != nil {
				return usagef("%v", err)
			}
			if !strings.HasSuffix(strings.ToLower(args[1]), ".ser") {
				return usagef("output %q: want a .ser file", args[1])
			}
			pcm, err := voice.ReadAudioFile(args[0])
			if err != nil {
				return err
			}
			n := cd.SamplesPerFrame()
			frames := len(pcm) / n
			if frames == 0 {
				return fmt.Errorf("%s: shorter than one %v frame (%d samples at 8 kHz)", args[0], cd.FrameDuration(), n)
			}
			out := make([]byte, 0, frames*(cd.BitsPerFrame()+1)*2)
			bits := make([]byte, 0, cd.BitsPerFrame())
			for i := 0; i < frames; i++ {
				bits = cd.Encode(bits[:0], pcm[i*n:(i+1)*n])
				out = voice.AppendSerBits(out, bits, false)
			}
			if err := os.WriteFile(args[1], out, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d frames (%s) -> %s\n", args[0], frames, cd.Name(), args[1])
			return nil
		},
	}
	c.Flags().StringVar(&codecName, "codec", "acelp", "speech codec: "+strings.Join(voice.Names(), ", "))
	return c
}

func newCodecDecodeCmd() *cobra.Command {
	var codecName string
	c := &cobra.Command{
		Use:   "decode IN.ser OUT",
		Short: "Decode .ser frames (BFI frames are concealed) into WAV or raw PCM",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cd, err := voice.New(codecName)
			if err != nil {
				return usagef("%v", err)
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			var pcm []int16
			frame := make([]int16, cd.SamplesPerFrame())
			bits := make([]byte, cd.BitsPerFrame())
			var nFrames, nBad int
			read := voice.NewSerReaderBits(f, cd.BitsPerFrame()).Read
			for {
				bfi, err := read(bits)
				if err == io.EOF {
					break
				}
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				cd.Decode(frame, bits, bfi)
				pcm = append(pcm, frame...)
				nFrames++
				if bfi {
					nBad++
				}
			}
			if nFrames == 0 {
				return fmt.Errorf("%s: no frames", args[0])
			}
			if err := voice.WriteAudioFile(args[1], pcm); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d frames (%d concealed) -> %s\n", args[0], nFrames, nBad, args[1])
			return nil
		},
	}
	c.Flags().StringVar(&codecName, "codec", "acelp", "speech codec: "+strings.Join(voice.Names(), ", "))
	return c
}

func newCodecScoreCmd() *cobra.Command {
	var asJSON, parametric bool
	c := &cobra.Command{
		Use:   "score REF DEG",
		Short: "Segmental SNR and 125-3500 Hz log-spectral distance of DEG against REF, delay-aligned",
		Long: `Scores a degraded speech file against its reference with the metrics of the design
notes (speech-codec.md §5): automatic delay alignment (lag 0-799 samples),
activity gate at -50 dB, segSNR over 240-sample frames clipped to [-10, 35] dB, and
log-spectral distance over 256-sample Hann frames from 125 to 3500 Hz.
Use --parametric for codecs with synthesised phase (Codec2): alignment then runs
on 5 ms energy envelopes, and only the LSD is meaningful.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := voice.ReadAudioFile(args[0])
			if err != nil {
				return err
			}
			deg, err := voice.ReadAudioFile(args[1])
			if err != nil {
				return err
			}
			if len(ref) < 256 || len(deg) < 256 {
				return errors.New("both files need at least 256 samples (32 ms) of speech")
			}
			s := voice.Compare(ref, deg, parametric)
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(s)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "reference   %s (%d samples)\n", args[0], len(ref))
			fmt.Fprintf(w, "degraded    %s (%d samples)\n", args[1], len(deg))
			fmt.Fprintf(w, "delay       %d samples (%.1f ms), correlation %.3f\n", s.LagSamples, float64(s.LagSamples)/8, s.Correlation)
			fmt.Fprintf(w, "segSNR      %6.2f dB  (%d active frames)\n", s.SegSNR, s.SNRFrames)
			fmt.Fprintf(w, "LSD         %6.2f dB  (%d active frames)\n", s.LSD, s.LSDFrames)
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	c.Flags().BoolVar(&parametric, "parametric", false, "align on energy envelopes (Codec2 and other parametric codecs)")
	return c
}
