package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/air"
)

func newTxCmd() *cobra.Command {
	var (
		mcc, mnc, cc uint
		la           uint
		carrier      float64
		offset       float64
		seconds      float64
		out, bitsOut string
		format       string
		amplitude    float64
		seed         uint64
		speech       string
	)
	c := &cobra.Command{
		Use:   "tx --out FILE [--mcc N --mnc N --cc N] [--seconds S] [--rate R] [--offset HZ]",
		Short: "Generate a TETRA base station's continuous downlink (IQ, SigMF or bits)",
		Long: `Generate the continuous downlink of a TETRA cell (EN 300 392-2): SYNC and SYSINFO
in frame 18 (sync bursts in the BSCH and BNCH timeslots), an AACH in every slot, and
in frames 1-17 an MCCH on TN 1 (SCH/F MAC-RESOURCE to a group), TCH/S speech on TN 2
(every 4th frame with a stolen STCH half), SCH/HD on TN 3 and Null PDUs on TN 4.
The TM-SDUs are opaque test payloads; the speech frames are pseudo-random bits, or
TETRA ACELP frames of --speech (a bundled clip: hts1a, hts2a, vk5qi; or a WAV/PCM
file), looped. 'tetrasim rx --speech-out' decodes them back to audio.

--cipher e2ee encrypts the speech end to end (tetrasim E2EE v1, e2ee-design.md
§5): the talker's device key store (--keys, from 'tetrasim keys add-device' and
'keys apply') and --talkgroup give the keys; a Sync+Auth Frame goes in a stolen
half-slot at the start and every 16 traffic slots (the talkgroup's interval),
the final SAF and the end-of-transmission signature in the last 3 traffic
slots. The key store is written back as frame counters are reserved (never
reuse a counter). 'tetrasim rx --keys --talkgroup' verifies and decrypts.
--cipher clear (the default) sends the speech in clear.

Output (at least one):
  --out X.cf32|.cs16|.cs8|.cu8   raw interleaved IQ, format from the extension
  --out X.sigmf-meta             SigMF recording (.sigmf-meta + .sigmf-data) with the
                                 sample rate, centre frequency and one annotation per burst
  --bits-out FILE                the transmitted bits, one per byte (0/1), 510 per slot
  --device DEV                   a device or stream (see 'tetrasim devices --help')

--rate is the output sample rate (default 36000; multiples of 18000 are exact, others
are resampled), --offset puts the carrier that far from the centre frequency, and
--carrier is the RF carrier announced in SYSINFO (the SigMF centre is carrier - offset
unless --freq is given). Send at least 3 s so that receivers see two SYNCs.` + txLegalNote,
		Args: cobra.NoArgs,
	}
	df := addDeviceFlags(c, hardware.TX)
	cf := addCipherFlags(c, true)
	fs := c.Flags()
	fs.UintVar(&mcc, "mcc", 901, "mobile country code, 0-1023")
	fs.UintVar(&mnc, "mnc", 9999, "mobile network code, 0-16383")
	fs.UintVar(&cc, "cc", 1, "colour code, 1-63")
	fs.UintVar(&la, "la", 1, "location area announced in SYSINFO, 0-16383")
	fs.Float64Var(&carrier, "carrier", 390.0125e6, "RF carrier announced in SYSINFO [Hz] (on the 6.25 kHz raster)")
	fs.Float64Var(&offset, "offset", 0, "carrier offset from the centre of the output [Hz]")
	fs.Float64Var(&seconds, "seconds", 4, "length [s], > 0 (rounded up to whole slots of 14.17 ms)")
	fs.StringVar(&out, "out", "", "output file: .cf32, .cs16, .cs8, .cu8 or .sigmf-meta")
	fs.StringVar(&bitsOut, "bits-out", "", "write the burst bits, one per byte, 510 per slot")
	fs.StringVar(&format, "format", "cf32", "sample format of a SigMF output: cf32, cs16, cs8 or cu8")
	fs.Float64Var(&amplitude, "amplitude", 0.5, "RMS amplitude of the signal (full scale 1), > 0")
	fs.Uint64Var(&seed, "seed", 1, "seed of the pseudo-random speech frames")
	fs.StringVar(&speech, "speech", "", "speech on the traffic slot: a clip name (hts1a, hts2a, vk5qi) or a WAV/PCM file, ACELP-coded and looped")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetContext(ensureRegistry(cmd.Context())) // one device registry per run
		if out == "" && bitsOut == "" && df.Device == "" {
			return usagef("give --out FILE, --bits-out FILE or --device DEV")
		}
		if mcc > 1023 || mnc > 16383 || cc < 1 || cc > 63 || la > 16383 {
			return usagef("--mcc 0-1023, --mnc 0-16383, --cc 1-63, --la 0-16383 (have %d, %d, %d, %d)", mcc, mnc, cc, la)
		}
		if !(seconds > 0) || math.IsInf(seconds, 0) || seconds > 24*3600 {
			return usagef("--seconds %g: must be > 0 and at most a day", seconds)
		}
		if !(amplitude > 0) || amplitude > 1 {
			return usagef("--amplitude %g: must be in (0, 1]", amplitude)
		}
		encrypt, err := cf.encrypted()
		if err != nil {
			return err
		}
		rate := df.Rate
		if rate == 0 {
			rate = 36000
		}
		slotSec := float64(radio.SlotSymbols) / radio.SymbolRate
		nslots := int(math.Ceil(seconds / slotSec))
		band, num, off, ok := mac.CarrierNumber(carrier)
		if !ok {
			return usagef("--carrier %g Hz is not on the 6.25 kHz TETRA raster below 1.6 GHz", carrier)
		}
		center := df.Freq
		if center == 0 {
			center = carrier - offset
		}
		cell := air.Cell{MCC: uint16(mcc), MNC: uint16(mnc), CC: uint8(cc)}
		cell.Sysinfo = mac.Sysinfo{MainCarrier: num, FreqBand: band, Offset: off, DuplexSpacing: 2,
			MSTxPwrMaxCell: 5, RxLevAccessMin: 3, AccessParameter: 7, RadioDLTimeout: 4,
			OptionFlag: 2, LocationArea: uint16(la), SubscriberClass: 0xffff, BSServiceDetails: 0x0e0}

		// Sinks. The device is opened first: without --rate, its sample-rate
		// range decides the rate of every output.
		var (
			sinks []iq.Writer
			ann   hardware.Annotator
			close []func() error
		)
		defer func() {
			for _, f := range close {
				f()
			}
		}()
		if df.Device != "" {
			if df.Freq == 0 {
				df.Freq = center
			}
			// Legality first, before anything is opened (sdr-hardware.md §7).
			if err := checkCipherOnAir(cmd.Context(), df, cf.Cipher, df.Freq+offset); err != nil {
				return err
			}
			planned := time.Duration(float64(nslots) * slotSec * float64(time.Second))
			snk, err := openSinkWithSafety(cmd.Context(), cmd.ErrOrStderr(), df, planned)
			if err != nil {
				return err
			}
			close = append(close, func() error {
				if err := snk.Flush(cmd.Context()); err != nil {
					snk.Close()
					return err
				}
				return snk.Close()
			})
			if df.Rate == 0 {
				if rate, err = pickDeviceRate(cmd, snk, rate, "tx"); err != nil {
					return err
				}
			}
			sinks = append(sinks, snk)
			if a, ok := snk.(hardware.Annotator); ok {
				ann = a
			}
		}
		tx, err := air.NewTransmitter(air.TxConfig{Cell: cell, SampleRateHz: rate, OffsetHz: offset, Amplitude: amplitude})
		if err != nil {
			return usageError{err}
		}
		if out != "" {
			if strings.HasSuffix(out, ".sigmf-meta") {
				f, err := iq.ParseFormat(format)
				if err != nil {
					return usageError{err}
				}
				w, err := sigmf.Create(out, f, rate, center, fmt.Sprintf("tetrasim TETRA downlink MCC %d MNC %d CC %d, carrier %.4f MHz", mcc, mnc, cc, carrier/1e6))
				if err != nil {
					return err
				}
				sinks = append(sinks, w)
				if ann == nil {
					ann = w
				}
				close = append(close, w.Close)
			} else {
				f, err := iq.FormatFromPath(out)
				if err != nil {
					return usageError{err}
				}
				w, err := iqfile.Create(out, f)
				if err != nil {
					return err
				}
				sinks = append(sinks, w)
				close = append(close, w.Close)
			}
		}
		var bw *bufio.Writer
		if bitsOut != "" {
			f, err := os.Create(bitsOut)
			if err != nil {
				return err
			}
			bw = bufio.NewWriter(f)
			close = append(close, func() error {
				if err := bw.Flush(); err != nil {
					f.Close()
					return err
				}
				return f.Close()
			})
		}

		sched := air.NewSchedule(cell, seed)
		if speech != "" {
			src, err := speechSource(speech)
			if err != nil {
				return err
			}
			sched.Speech = src
		}
		var secure *air.E2EETraffic
		if encrypt {
			secure, err = txE2EE(cf, sched, seed, air.TrafficSlots(tx.Time(), nslots))
			if err != nil {
				return err
			}
		}
		var slot air.DLSlot
		buf := make([]complex64, 0, int(tx.SamplesPerSlot())+64)
		lo, hi := center+offset-12500, center+offset+12500
		write := func(x []complex64) error {
			for _, s := range sinks {
				if _, err := s.Write(x); err != nil {
					return err
				}
			}
			return nil
		}
		bar := newProgress(cmd, df.Device != "", int64(nslots), "tx slots")
		defer progressDone(bar)
		for i := 0; i < nslots; i++ {
			progressAdd(bar, 1)
			if err := cmd.Context().Err(); err != nil {
				// Ctrl-C: the outputs are closed on return (a device at once,
				// without waiting for its buffer to drain).
				return fmt.Errorf("interrupted after %d of %d slots: %w", i, nslots, err)
			}
			t := tx.Time()
			if err := sched.Next(t, &slot); err != nil {
				return err
			}
			start := tx.Samples()
			if buf, err = tx.Slot(buf[:0], &slot); err != nil {
				return err
			}
			if bw != nil {
				if _, err := bw.Write(tx.Burst()); err != nil {
					return err
				}
			}
			if err := write(buf); err != nil {
				return err
			}
			if ann != nil {
				d := int64(math.Round(tx.DelaySamples()))
				ann.Annotate(uint64(start+d), uint64(len(buf)), slotLabel(&slot), t.String(), lo, hi)
			}
		}
		if err := write(tx.Flush(buf[:0])); err != nil {
			return err
		}
		for len(close) > 0 {
			f := close[0]
			close = close[1:]
			if err := f(); err != nil {
				return err
			}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "tx: %d slots (%.2f s) MCC %d MNC %d CC %d, carrier %.4f MHz at %+.0f Hz, %d samples at %.0f S/s\n",
			nslots, float64(nslots)*slotSec, mcc, mnc, cc, carrier/1e6, offset, tx.Samples(), rate)
		if secure != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "tx: E2EE talkgroup %d: %d speech frames encrypted (FC %d-%d), %d SAFs, %d EOT-SIG fragments\n",
				cf.Talkgroup, secure.Frames, secure.FirstFC, secure.LastFC, secure.SAFs, secure.EOT)
		} else {
			fmt.Fprintln(cmd.ErrOrStderr(), "tx: cipher clear: the speech is not encrypted")
		}
		return nil
	}
	return c
}

// txE2EE makes the traffic slots of sched carry an E2EE transmission of the
// talker whose key store cf names, over ntraffic traffic slots. The speech
// frames are sched.Speech's, or pseudo-random bits seeded by seed.
func txE2EE(cf *cipherFlags, sched *air.Schedule, seed uint64, ntraffic int) (*air.E2EETraffic, error) {
	m, err := cf.loadMember(true)
	if err != nil {
		return nil, err
	}
	snd, err := m.Sender(cf.Talkgroup)
	if err != nil {
		return nil, fmt.Errorf("--talkgroup %d: %w (is the device a member? 'tetrasim keys add-member' and 'keys apply')", cf.Talkgroup, err)
	}
	speech := sched.Speech
	if speech == nil {
		rng := rand.New(rand.NewPCG(seed, 1))
		speech = func(dst []byte) []byte {
			for range 137 {
				dst = append(dst, byte(rng.IntN(2)))
			}
			return dst
		}
	}
	x, err := air.NewE2EETraffic(snd, speech, ntraffic)
	if err != nil {
		return nil, usagef("--cipher e2ee: %v (give a longer --seconds)", err)
	}
	sched.Traffic = x.Slot
	return x, nil
}

// speechSource returns a looping ACELP frame source for a clip name or an
// audio file.
func speechSource(name string) (func([]byte) []byte, error) {
	pcm, err := voice.Clip(name)
	if err != nil {
		if pcm, err = voice.ReadAudioFile(name); err != nil {
			return nil, usagef("--speech %q: not a clip (%s) nor a readable audio file: %v", name, strings.Join(voice.ClipNames(), ", "), err)
		}
	}
	codec, err := voice.New("acelp")
	if err != nil {
		return nil, err
	}
	n := codec.SamplesPerFrame()
	if len(pcm) < n {
		return nil, usagef("--speech %q: shorter than one %d-sample frame", name, n)
	}
	pos := 0
	return func(dst []byte) []byte {
		if pos+n > len(pcm) {
			pos = 0
		}
		dst = codec.Encode(dst, pcm[pos:pos+n])
		pos += n
		return dst
	}, nil
}

// slotLabel names a slot's burst and blocks for an annotation, e.g. "SB BSCH+BNCH".
func slotLabel(s *air.DLSlot) string {
	l := s.Burst.String() + " " + s.Blocks[0].Channel.String()
	if s.Blocks[1].Channel != 0 {
		l += "+" + s.Blocks[1].Channel.String()
	}
	return l
}
