package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/gsmtap"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sdr"
	"github.com/tetrasim/tetrasim/sim/air"
)

func newRxCmd() *cobra.Command {
	var (
		offset   float64
		search   float64
		format   string
		bitsIn   bool
		jsonOut  bool
		pcap     string
		detector string
		quiet    bool
		seconds  float64
		speechTo string
		carriers int
		recordTo string
	)
	c := &cobra.Command{
		Use:   "rx [FILE] [--rate R] [--offset HZ] [--format F] [--json] [--pcap OUT.pcap]",
		Short: "Monitor a TETRA downlink: demodulate, decode and print every burst and MAC PDU",
		Long: `Receive a continuous TETRA downlink (EN 300 392-2) from FILE or --device. FILE is
raw IQ (.cf32, .cs16, .cs8, .cu8, or --format), a SigMF .sigmf-meta recording (its
sample rate is used), or with --bits-in hard bits, one per byte, as demodulators
write them (slot-aligned or not).

The receiver finds the carrier (above 72 kS/s it searches --search Hz around
--offset, or the whole band when --offset is 0; --carriers N follows the N
strongest carriers at once), locks to the slots on the training sequences,
learns the cell (MCC, MNC, colour code) and the time from the first SYNC,
descrambles and decodes every block (AACH, BSCH, BNCH, SCH/F, SCH/HD, STCH,
TCH/S) and prints one line per block with its MAC PDUs. Blocks received before
the first SYNC are kept and decoded once it arrives.

--json prints one JSON object per block instead: tn, fn, mn, hn, channel, crc_ok,
burst, half, slot, esn0_db, carrier_hz, and the fields of the first MAC PDU (for
SYNC: mcc, mnc, cc, ...), with "pdus" listing all of them when there are several.
--pcap writes every good MAC block as GSMTAP (UDP port 4729) for Wireshark.
--speech-out decodes the speech of the first traffic timeslot into a WAV file.

End-to-end encrypted speech (tetrasim E2EE v1, 'tetrasim tx --cipher e2ee') is
recognised by its sync frames. With --keys (a device key store of a talkgroup
member) and --talkgroup, rx verifies every Sync+Auth Frame and its tags,
decrypts the speech for --speech-out and the JSON "bits", and checks the
end-of-transmission signature; without keys it says the traffic is encrypted
and --speech-out is noise.

Example:
  tetrasim tx --mcc 262 --mnc 42 --cc 5 --seconds 4 --rate 2.4e6 --offset 300e3 --out dl.sigmf-meta
  tetrasim rx dl.sigmf-meta --json --pcap dl.pcap

Device strings (with --device):
` + deviceStringHelp,
		Args: cobra.MaximumNArgs(1),
	}
	df := addDeviceFlags(c, hardware.RX)
	cf := addCipherFlags(c, false)
	fs := c.Flags()
	fs.Float64Var(&offset, "offset", 0, "carrier offset from the centre [Hz]")
	fs.Float64Var(&search, "search", 0, "carrier search half-width around --offset [Hz] (0: automatic, -1: off)")
	fs.StringVar(&format, "format", "", "sample format of a raw FILE: cf32, cs16, cs8 or cu8 (default: from the extension)")
	fs.BoolVar(&bitsIn, "bits-in", false, "FILE holds hard bits, one per byte (0/1); slots are found from the sync bursts")
	fs.BoolVar(&jsonOut, "json", false, "one JSON object per block")
	fs.StringVar(&pcap, "pcap", "", "write decoded MAC blocks as GSMTAP into this pcap file")
	fs.StringVar(&detector, "detector", "coherent", "symbol detector: coherent or differential")
	fs.BoolVar(&quiet, "quiet", false, "print only the summary")
	fs.Float64Var(&seconds, "seconds", 0, "stop after this much input [s] (0: until the end; needed for endless devices)")
	fs.IntVar(&carriers, "carriers", 1, "decode up to this many carriers of a wideband input at once (the strongest, 10 dB over the band's median)")
	fs.StringVar(&recordTo, "record", "", "with --device: also record the received samples into this SigMF recording (.sigmf-meta, cf32), closed properly on Ctrl-C")
	fs.StringVar(&speechTo, "speech-out", "", "decode the TCH/S speech of the first traffic timeslot with ACELP into this WAV (or .pcm) file")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		cmd.SetContext(ensureRegistry(cmd.Context())) // one device registry per run
		if (len(args) == 1) == (df.Device != "") {
			return usagef("give either FILE or --device DEV")
		}
		det, err := sdr.ParseDetector(detector)
		if err != nil {
			return usageError{err}
		}
		w := bufio.NewWriter(cmd.OutOrStdout())
		defer w.Flush()
		var gt *gsmtap.Writer
		if pcap != "" {
			f, err := os.Create(pcap)
			if err != nil {
				return err
			}
			bw := bufio.NewWriter(f)
			defer func() { // also on Ctrl-C: every record written is complete
				err := bw.Flush()
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), "rx: --pcap:", err)
				}
			}()
			if gt, err = gsmtap.NewWriter(bw); err != nil {
				return err
			}
		}
		p := &rxPrinter{w: w, json: jsonOut, quiet: quiet, pcap: gt, start: time.Now().Truncate(time.Second)}
		p.traffic.OnFrame = p.speechFrame
		if cf.Keys != "" || cf.Talkgroup != 0 {
			if cf.Keys == "" {
				return usagef("--talkgroup needs --keys FILE")
			}
			m, err := cf.loadMember(false)
			if err != nil {
				return err
			}
			defer m.Wipe()
			p.talkgroup = cf.Talkgroup
			if p.traffic.Rx, err = m.Receiver(cf.Talkgroup); err != nil {
				return fmt.Errorf("--talkgroup %d: %w", cf.Talkgroup, err)
			}
		}
		defer p.e2eeSummary(cmd)
		if speechTo != "" {
			if p.speech, err = voice.New("acelp"); err != nil {
				return err
			}
			defer func() {
				if err := voice.WriteAudioFile(speechTo, p.pcm); err != nil && p.err == nil {
					fmt.Fprintln(cmd.ErrOrStderr(), "rx:", err)
				}
			}()
		}

		if recordTo != "" && df.Device == "" {
			return usagef("--record needs --device")
		}
		if bitsIn {
			if len(args) == 0 {
				return usagef("--bits-in needs FILE")
			}
			return rxBits(cmd, args[0], p)
		}

		// Sample source.
		var (
			src    iq.Reader
			rate   = df.Rate
			closer func() error
			dev    hardware.Source
			// expected is the input's length in samples when known (files), for
			// the progress bar; -1 for a live device.
			expected int64 = -1
		)
		switch {
		case df.Device != "":
			s, err := openSourceFlag(cmd.Context(), df)
			if err != nil {
				return err
			}
			if rate == 0 {
				// The rate the device string set, else one the device takes.
				if st, ok := s.(hardware.Settings); ok {
					rate, _ = st.Settings()
				}
				if rate <= 0 {
					if rate, err = pickDeviceRate(cmd, s, 36000, "rx"); err != nil {
						s.Close()
						return err
					}
				}
			}
			if recordTo != "" {
				// Record what is received, as it is received (hardware.Tee);
				// closed on every return, Ctrl-C included.
				rec, err := sigmf.Create(recordTo, iq.CF32, rate, df.Freq, "tetrasim rx from "+s.Info().Label)
				if err != nil {
					s.Close()
					return err
				}
				rec.Meta.Global.HW = s.Info().Label
				defer func() {
					if err := rec.Close(); err != nil {
						fmt.Fprintln(cmd.ErrOrStderr(), "rx: --record:", err)
						return
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "rx: recorded %s\n", rec.MetaPath())
				}()
				s = hardware.Tee(s, rec)
			}
			src, closer, dev = s, s.Close, s
		case strings.HasSuffix(args[0], ".sigmf-meta") || strings.HasSuffix(args[0], ".sigmf-data"):
			r, err := sigmf.Open(args[0])
			if err != nil {
				return err
			}
			src, closer, expected = r, r.Close, int64(r.Len())
			if rate == 0 {
				rate = r.Meta.Global.SampleRate
			}
		default:
			var f iq.Format
			if format != "" {
				f, err = iq.ParseFormat(format)
			} else {
				f, err = iq.FormatFromPath(args[0])
			}
			if err != nil {
				return usageError{err}
			}
			r, err := iqfile.Open(args[0], f)
			switch {
			case errors.Is(err, iqfile.ErrTruncated):
				// A capture cut off part way through a sample: decode the
				// whole samples before the stray bytes rather than lose them
				// (the reader stops there with ErrTruncated, reported below).
				fd, oerr := os.Open(args[0])
				if oerr != nil {
					return oerr
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "rx: warning: %v; decoding the whole samples before the stray bytes\n", err)
				src, closer = iqfile.NewReader(fd, f), fd.Close
			case err != nil:
				return err
			default:
				src, closer = r, r.Close
			}
			if rate == 0 {
				rate = 36000
			}
			if fi, err := os.Stat(args[0]); err == nil {
				expected = fi.Size() / int64(f.BytesPerSample())
			}
		}
		defer closer()
		if !(rate >= 36000) {
			return usagef("sample rate %g S/s: at least 36000 (set --rate)", rate)
		}
		if math.Abs(offset) >= rate/2 {
			return usagef("--offset %g Hz outside ±%g Hz", offset, rate/2)
		}
		if search == 0 && rate > 72000 {
			search = 50e3
			if offset == 0 {
				search = -1 // whole band
			}
		} else if search < 0 && rate <= 72000 {
			search = 0
		} else if search == -1 {
			search = 0
		}
		if carriers < 1 {
			return usagef("--carriers %d: at least 1", carriers)
		}
		rcfg := air.RxConfig{SampleRateHz: rate, OffsetHz: offset, SearchHz: search, Detector: det, OnBlock: p.block}
		var (
			sink  iq.Writer
			close func() error
			stats func() []rxStat
		)
		if carriers == 1 {
			rcv, err := air.NewReceiver(rcfg)
			if err != nil {
				return usageError{err}
			}
			sink, close = rcv, rcv.Close
			stats = func() []rxStat { return []rxStat{{rcv.CarrierHz(), rcv.Decoder().Stats()}} }
		} else {
			if rcfg.SearchHz == 0 {
				rcfg.SearchHz = -1
			}
			m, err := air.NewMultiReceiver(air.MultiConfig{Rx: rcfg, MaxCarriers: carriers})
			if err != nil {
				return usageError{err}
			}
			p.multi = true
			sink, close = m, m.Close
			stats = func() []rxStat {
				var st []rxStat
				for _, r := range m.Receivers() {
					st = append(st, rxStat{r.CarrierHz(), r.Decoder().Stats()})
				}
				return st
			}
		}
		p.rate = rate
		buf := make([]complex64, 1<<15)
		limit := int64(seconds * rate)
		var total int64
		ctx := cmd.Context()
		read := src.Read
		stopStats := func() {}
		if dev != nil {
			// A live device: reads end at Ctrl-C (the context), and the
			// dropped-sample counters are printed while receiving.
			read = func(b []complex64) (int, error) { return dev.ReadIQ(ctx, b) }
			stopStats = reportStats(ctx, cmd.ErrOrStderr(), dev, time.Second)
			defer stopStats()
		}
		if limit > 0 && (expected < 0 || limit < expected) && dev == nil {
			expected = limit
		}
		var bar *progressbar.ProgressBar
		if dev == nil {
			bar = newProgress(cmd, quiet, expected, "rx samples")
			defer progressDone(bar)
		}
		interrupted := false
		var truncated error // the input ended part way through a sample
		for {
			if ctx.Err() != nil {
				interrupted = true
				break
			}
			n, err := read(buf)
			if limit > 0 && total+int64(n) > limit {
				n = int(limit - total)
			}
			total += int64(n)
			progressAdd(bar, n)
			if n > 0 {
				if _, err := sink.Write(buf[:n]); err != nil {
					return err
				}
			}
			if p.err != nil {
				return p.err
			}
			if errors.Is(err, io.EOF) || limit > 0 && total >= limit {
				break
			}
			if errors.Is(err, iqfile.ErrTruncated) {
				truncated = err
				break
			}
			if err != nil {
				if ctx.Err() != nil {
					interrupted = true
					break
				}
				return err
			}
		}
		if interrupted {
			fmt.Fprintf(cmd.ErrOrStderr(), "rx: interrupted after %.2f s of input; closing the outputs\n", float64(total)/rate)
		}
		if err := close(); err != nil {
			return err
		}
		// The final counters (when samples were lost: the receiver did not
		// keep up with the device, or the link lost them; slots around each
		// gap are lost).
		stopStats()
		st := stats()
		if len(st) == 0 {
			return errors.New("no TETRA carrier found")
		}
		var ferr error
		for _, x := range st {
			if err := p.summary(cmd, x.stats, x.carrier, float64(total)/rate); err != nil && len(st) == 1 {
				ferr = err
			}
		}
		if truncated != nil {
			return truncated // after the summary and the closed outputs: nothing decoded is lost
		}
		return ferr
	}
	return c
}

// rxStat is one carrier's result.
type rxStat struct {
	carrier float64
	stats   air.DecoderStats
}

// rxBits decodes a file of hard bits, one per byte. The stream need not be
// slot-aligned: air.BitSync finds the sync bursts and follows the training.
func rxBits(cmd *cobra.Command, path string, p *rxPrinter) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := air.NewSlotDecoder(nil, p.block)
	bs := air.NewBitSync(dec)
	buf := make([]byte, 1<<16)
	var n int64
	for {
		k, err := f.Read(buf)
		n += int64(k)
		bs.Write(buf[:k])
		if p.err != nil {
			return p.err
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	bs.Close()
	if bs.Resyncs() > 0 || bs.Skipped() > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "rx: bit stream: %d re-synchronisations, %d slots without training skipped\n", bs.Resyncs(), bs.Skipped())
	}
	return p.summary(cmd, dec.Stats(), 0, float64(n)/2/radio.SymbolRate)
}

// rxPrinter prints decoded blocks as text or JSON and writes GSMTAP.
type rxPrinter struct {
	w     *bufio.Writer
	json  bool
	quiet bool
	pcap  *gsmtap.Writer
	start time.Time
	rate  float64
	err   error

	cell  map[float64]string  // per carrier: the cell from SYNC
	cfo   map[float64]float64 // per carrier: the demodulator's last offset estimate
	pdus  map[float64]int64   // per carrier: MAC PDUs parsed
	arfcn map[float64]uint16  // per carrier: the main carrier number from SYSINFO
	multi bool                // several carriers: print the carrier on every line

	speech    voice.Codec // --speech-out decoder
	speechTN  int         // the traffic timeslot followed (0: none yet)
	pcm       []int16
	frame     []int16
	traffic   air.E2EEListener // speech frames of the followed timeslot, decrypted with --keys
	talkgroup uint32           // --talkgroup
	plain     []byte           // decrypted speech bits of the current block, or nil
	stch      air.STCHInfo     // E2EE signalling in the current block
}

// trafficBlock passes a block of the first traffic timeslot (TCH/S, TCH/S
// stolen, STCH) to the E2EE listener, which hands the speech frames in order
// to speechFrame: frames A and B (BFI when the parity fails), a lost frame for
// every stolen half (concealed, EN 300 395-2 clause 5.6), decrypted with
// --keys.
func (p *rxPrinter) trafficBlock(b *air.RxBlock) {
	if p.speechTN == 0 {
		p.speechTN = b.Time.TN
	}
	if b.Time.TN != p.speechTN {
		return
	}
	p.traffic.Block(b)
	p.plain = p.traffic.Plain()
	p.stch = p.traffic.STCH
}

// speechFrame decodes one speech frame position for --speech-out.
func (p *rxPrinter) speechFrame(bits []byte, bad bool) {
	if p.speech == nil {
		return
	}
	if p.frame == nil {
		p.frame = make([]int16, p.speech.SamplesPerFrame())
	}
	p.speech.Decode(p.frame, bits, bad)
	p.pcm = append(p.pcm, p.frame...)
}

// e2eeSummary says whether the traffic was encrypted and, with keys, what
// was verified (e2ee-design.md §6: clear or encrypted, epoch, authentication).
func (p *rxPrinter) e2eeSummary(cmd *cobra.Command) {
	l := &p.traffic
	w := cmd.ErrOrStderr()
	switch {
	case l.Rx == nil && l.Encrypted:
		fmt.Fprintf(w, "rx: the speech on TN %d is end-to-end encrypted (tetrasim E2EE v1: %d sync frames, sender %d): without --keys and --talkgroup it is noise\n",
			p.speechTN, l.SAFs, l.Sender)
	case l.Rx == nil:
	case !l.Encrypted:
		fmt.Fprintf(w, "rx: --keys given, but the speech is not end-to-end encrypted (no E2EE sync frames)\n")
	default:
		st := l.Rx.Stats()
		eot := "not received"
		switch {
		case l.EOTVerified:
			eot = "verified"
		case st.EOTFailed > 0:
			eot = "FAILED"
		}
		ind := "unverified"
		switch {
		case st.WindowsFailed >= l.Rx.TamperThreshold:
			ind = "TAMPER"
		case st.WindowsFailed > 0:
			ind = "tag failure"
		case st.WindowsPassed > 0:
			ind = "verified"
		}
		if st.SAFsAccepted == 0 {
			why := "no SAF of this talkgroup was received"
			if l.SAFErr != nil {
				why = "last: " + l.SAFErr.Error()
			}
			fmt.Fprintf(w, "rx: E2EE talkgroup %d: no sync frame accepted (%d rejected; %s); the speech stays muted\n", p.talkgroup, st.SAFsRejected, why)
			return
		}
		fmt.Fprintf(w, "rx: E2EE talkgroup %d, epoch %d, sender %d (device %d): %d frames decrypted (FC %d-%d), %d missed; SAFs %d accepted, %d rejected; tag windows %d passed, %d failed, %d unverifiable; end-of-transmission signature %s; %s\n",
			p.talkgroup, l.Accepted.Epoch, l.Accepted.Sender, l.Accepted.Device, l.Decrypted, l.FirstFC, l.LastFC, st.FramesMissed,
			st.SAFsAccepted, st.SAFsRejected, st.WindowsPassed, st.WindowsFailed, st.WindowsUnverif, eot, ind)
	}
}

func (p *rxPrinter) block(b *air.RxBlock) {
	if p.err != nil {
		return
	}
	var pdus []mac.PDU
	var perr error
	if b.CRCOK && b.Channel != lmac.TCHS && b.Channel != lmac.TCHSStolen {
		for pdu, err := range mac.PDUs(mac.Downlink, b.Channel, b.Bits) {
			if err != nil {
				perr = err
				break
			}
			pdus = append(pdus, pdu)
			if si, ok := pdu.(mac.Sysinfo); ok {
				if p.arfcn == nil {
					p.arfcn = map[float64]uint16{}
				}
				p.arfcn[b.CarrierHz] = si.MainCarrier
			}
			if s, ok := pdu.(mac.Sync); ok {
				if p.cell == nil {
					p.cell = map[float64]string{}
				}
				p.cell[b.CarrierHz] = fmt.Sprintf("MCC %d MNC %d CC %d", s.MCC, s.MNC, s.ColourCode)
			}
		}
	}
	if p.pdus == nil {
		p.pdus = map[float64]int64{}
	}
	p.pdus[b.CarrierHz] += int64(len(pdus))
	if p.cfo == nil {
		p.cfo = map[float64]float64{}
	}
	p.cfo[b.CarrierHz] = b.CFOHz
	p.plain, p.stch = nil, air.STCHInfo{}
	if b.Channel == lmac.TCHS || b.Channel == lmac.TCHSStolen || b.Channel == lmac.STCH {
		p.trafficBlock(b)
	}
	if p.pcap != nil && b.CRCOK {
		ts := p.start.Add(time.Duration(float64(b.Slot) * float64(radio.SlotSymbols) / radio.SymbolRate * float64(time.Second)))
		sub := b.Half
		if err := p.pcap.Write(ts, gsmtap.Block{Time: b.Time, Channel: b.Channel, SubSlot: sub, ARFCN: p.arfcn[b.CarrierHz], SNRdB: uint8(max(0, min(255, b.EsN0dB))), Bits: b.Bits}); err != nil {
			p.err = err
			return
		}
	}
	if p.quiet {
		return
	}
	if p.json {
		p.err = p.writeJSON(b, pdus, perr)
		return
	}
	crc := "ok "
	if !b.CRCOK {
		crc = "BAD"
	}
	if p.multi {
		fmt.Fprintf(p.w, "%+9.1fk ", b.CarrierHz/1e3)
	}
	fmt.Fprintf(p.w, "%-14s %-6s %-7s h%d crc %s", b.Time, b.Burst, b.Channel, b.Half, crc)
	switch {
	case b.Channel == lmac.TCHS || b.Channel == lmac.TCHSStolen:
		fmt.Fprintf(p.w, " speech %d bits bfi=%v%s", len(b.Bits), !b.CRCOK, p.cipherNote())
	case perr != nil:
		fmt.Fprintf(p.w, " PDU error: %v", perr)
	}
	for i, pdu := range pdus {
		if i > 0 {
			fmt.Fprint(p.w, " |")
		}
		fmt.Fprintf(p.w, " %s", pdu)
	}
	if p.stch.E2EE {
		fmt.Fprintf(p.w, " | E2EE %s", p.stch.Type)
		if f := p.stch.SAF; p.stch.Type != e2ee.STCHEOT {
			fmt.Fprintf(p.w, " epoch tag %d sender %d FC_next %d t_min %d", f.EpochTag, f.Sender, f.FCNext, f.TMin)
		}
		if p.stch.Checked {
			r := p.stch.Result
			if p.stch.Type != e2ee.STCHEOT {
				fmt.Fprintf(p.w, " tags %v/%v/%v/%v %v", r.Windows[0], r.Windows[1], r.Windows[2], r.Windows[3], r.Indication)
			} else if r.EOTComplete {
				fmt.Fprintf(p.w, " signature verified %v", r.EOTVerified)
			}
			if p.stch.Err != nil {
				fmt.Fprintf(p.w, " (%v)", p.stch.Err)
			}
		}
	}
	fmt.Fprintln(p.w)
}

// stchJSON describes E2EE signalling in a stolen half for --json.
func (p *rxPrinter) stchJSON() map[string]any {
	i := p.stch
	o := map[string]any{"type": i.Type.String()}
	if i.Type != e2ee.STCHEOT {
		o["epoch_tag"], o["sender"], o["fc_next"], o["t_min"] = i.SAF.EpochTag, i.SAF.Sender, i.SAF.FCNext, i.SAF.TMin
	}
	if i.Checked {
		r := i.Result
		if i.Type != e2ee.STCHEOT {
			o["epoch"], o["indication"] = r.Epoch, r.Indication.String()
			o["windows"] = []string{r.Windows[0].String(), r.Windows[1].String(), r.Windows[2].String(), r.Windows[3].String()}
		} else if r.EOTComplete {
			o["signature_verified"] = r.EOTVerified
		}
		if i.Err != nil {
			o["error"] = i.Err.Error()
		}
	}
	return o
}

// cipherNote is " decrypted" for a speech block decrypted with --keys,
// " encrypted" for E2EE speech left as received, else "".
func (p *rxPrinter) cipherNote() string {
	switch {
	case p.plain != nil:
		return " decrypted"
	case p.traffic.Encrypted:
		return " encrypted"
	}
	return ""
}

func (p *rxPrinter) writeJSON(b *air.RxBlock, pdus []mac.PDU, perr error) error {
	o := map[string]any{}
	if len(pdus) > 0 {
		// The first PDU's fields at the top level (for SYNC: mcc, mnc, cc, ...).
		raw, err := json.Marshal(pdus[0])
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		o["pdu"] = pdus[0].Name()
		if len(pdus) > 1 {
			all := make([]map[string]any, len(pdus))
			for i, q := range pdus {
				raw, _ := json.Marshal(q)
				m := map[string]any{}
				json.Unmarshal(raw, &m)
				m["pdu"] = q.Name()
				all[i] = m
			}
			o["pdus"] = all
		}
	}
	if perr != nil {
		o["pdu_error"] = perr.Error()
	}
	if p.stch.E2EE {
		o["e2ee"] = p.stchJSON()
	}
	if b.Channel == lmac.TCHS || b.Channel == lmac.TCHSStolen {
		o["bfi"] = !b.CRCOK
		o["bits"] = mac.Bits(b.Bits)
		if p.plain != nil {
			o["bits"] = mac.Bits(p.plain) // decrypted with --keys
		}
		if n := p.cipherNote(); n != "" {
			o["e2ee"] = n[1:]
		}
	}
	// Block fields last, so that a PDU field cannot shadow them (SYNC's own
	// tn/fn/mn equal the block's once synchronised).
	o["tn"], o["fn"], o["mn"], o["hn"] = b.Time.TN, b.Time.FN, b.Time.MN, b.Time.HN
	o["channel"], o["crc_ok"], o["burst"], o["half"] = b.Channel.String(), b.CRCOK, b.Burst.String(), b.Half
	o["slot"], o["esn0_db"] = b.Slot, math.Round(float64(b.EsN0dB)*10)/10
	o["carrier_hz"] = math.Round(b.CarrierHz+b.CFOHz) + 0 // + 0: no "-0"
	line, err := json.Marshal(o)
	if err != nil {
		return err
	}
	p.w.Write(line)
	return p.w.WriteByte('\n')
}

func (p *rxPrinter) summary(cmd *cobra.Command, st air.DecoderStats, carrier, seconds float64) error {
	if err := p.w.Flush(); err != nil {
		return err
	}
	hz := math.Round(carrier + p.cfo[carrier])
	if hz == 0 {
		hz = 0 // not −0
	}
	cell := p.cell[carrier]
	if cell == "" {
		cell = "no cell"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "rx: %.2f s, carrier %+.0f Hz, %s; %d slots, %d blocks, %d CRC errors, %d MAC PDUs, %d SYNC, %d slots before the first SYNC lost, %d without signal\n",
		seconds, hz, cell, st.Slots, st.Blocks, st.CRCErrors, p.pdus[carrier], st.Syncs, st.Unsynced, st.NoSignal)
	if st.Blocks == 0 {
		return errors.New("no TETRA downlink decoded (no SYNC found)")
	}
	return nil
}
