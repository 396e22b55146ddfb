package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/sim/air"
	"github.com/tetrasim/tetrasim/sim/channel"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/link"
	"github.com/tetrasim/tetrasim/sim/phy"
	"github.com/tetrasim/tetrasim/sim/scenario"
)

// IQ fidelity (scenario fidelity "iq") runs every downlink through the whole
// physical layer: the base station's continuous downlink is built and
// modulated by sim/air's Transmitter (bursts with training sequences, AACH,
// SYNC and SYSINFO in frame 18; pi/4-DQPSK with RRC pulses at IQRateHz), each
// handset's copy goes through its own sim/channel chain (multipath fading with
// the TU50/HT200 tap profiles and Doppler from its speed, carrier offset,
// AWGN at its Eb/N0), and each handset runs sim/air's monitoring Receiver
// (carrier and slot synchronisation, demodulation, slot decoding) and gets the
// blocks it decodes.
//
// The uplink at iq fidelity is in iqup.go.

// IQRateHz is the sample rate of the iq fidelity: 2 samples per symbol.
const IQRateHz = RecordRateHz

type iqCell struct {
	tx   *air.Transmitter
	b    dlBuilder
	buf  []complex64
	sent map[clock.Slot]*link.Block // metadata of recent downlink traffic
}

type iqRx struct {
	chain *channel.Chain
	rx    *air.Receiver
	buf   []complex64
	got   []rxBlock
	rel   phy.Reliability
}

// rxBlock is a decoded block kept until its slot is complete.
type rxBlock struct {
	air.RxBlock
	unreliable bool // parity passed, soft bits doubtful (phy.Reliability)
}

func newIQCell(c scenario.Cell) (*iqCell, error) {
	ic := &iqCell{sent: map[clock.Slot]*link.Block{}}
	ic.b.acell, _ = airCellOf(c)
	var err error
	if ic.tx, err = air.NewTransmitter(air.TxConfig{Cell: ic.b.acell, SampleRateHz: IQRateHz}); err != nil {
		return nil, fmt.Errorf("sim: iq: %w", err)
	}
	return ic, nil
}

// iqAmplitude is the transmitter's RMS amplitude (air.TxConfig default).
const iqAmplitude = 0.5

// pathBlocks returns the propagation blocks of a link at the iq fidelity: the
// TU50/HT200 tapped delay line (EN 300 392-2 clause 6.4, at the handset's
// speed when it moves) and the carrier offset, in that order. Noise is added
// by the caller (per receiver on the downlink, once per slot at the base
// station on the uplink).
func pathBlocks(ch *scenario.Channel, speedKmh, carrierHz float64, rng *rand.Rand) ([]channel.Block, error) {
	var blocks []channel.Block
	prof := channel.Profile{}
	switch ch.Model {
	case "tu50":
		prof = channel.ProfileTU50()
	case "ht200":
		prof = channel.ProfileHT200()
	}
	if prof.Name != "" {
		if speedKmh > 0 {
			prof.SpeedKmh = speedKmh
		}
		f, err := channel.NewFading(rng, channel.FadingConfig{SampleRateHz: IQRateHz, Profile: prof, CarrierHz: carrierHz})
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, f)
	}
	if ch.CFOHz != 0 {
		o, err := channel.NewOscillator(rng, ch.CFOHz, 0, IQRateHz)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, o)
	}
	return blocks, nil
}

func newIQRx(ch *scenario.Channel, speedKmh, carrierHz float64, acell air.Cell, rng *rand.Rand) (*iqRx, error) {
	blocks, err := pathBlocks(ch, speedKmh, carrierHz, rng)
	if err != nil {
		return nil, fmt.Errorf("sim: iq: %w", err)
	}
	if ch.Model != "clean" && ch.EbN0DB != nil {
		p := channel.NoisePowerEbN0(*ch.EbN0DB, iqAmplitude*iqAmplitude, IQRateHz, 2*radio.SymbolRate)
		a, err := channel.NewAWGN(rng, p)
		if err != nil {
			return nil, fmt.Errorf("sim: iq: %w", err)
		}
		blocks = append(blocks, a)
	}
	r := &iqRx{}
	if len(blocks) > 0 {
		if r.chain, err = channel.NewChain(blocks...); err != nil {
			return nil, fmt.Errorf("sim: iq: %w", err)
		}
	}
	cell := acell
	code := acell.Code()
	r.rx, err = air.NewReceiver(air.RxConfig{SampleRateHz: IQRateHz, Cell: &cell, OnBlock: func(b *air.RxBlock) {
		if b.Channel == lmac.AACH || b.Channel == lmac.BSCH || b.Channel == lmac.BNCH || b.Channel == lmac.SCHHD {
			return
		}
		c := rxBlock{RxBlock: *b}
		c.Bits, c.Soft = append([]byte(nil), b.Bits...), nil
		c.unreliable = b.CRCOK && r.rel.Unreliable(b.Channel, b.Bits, b.Soft, code)
		r.got = append(r.got, c)
	}})
	if err != nil {
		return nil, fmt.Errorf("sim: iq: %w", err)
	}
	return r, nil
}

// feed passes one slot of the cell's downlink through the receiver's channel
// and demodulator, and returns the blocks decoded so far, grouped into
// link.Blocks per slot (with the transmitted metadata of sent).
func (r *iqRx) feed(x []complex64, sent map[clock.Slot]*link.Block, deliver func(s clock.Slot, b *link.Block)) error {
	in := x
	if r.chain != nil {
		m := r.chain.OutLen(len(x))
		if cap(r.buf) < m {
			r.buf = make([]complex64, m)
		}
		n := r.chain.Process(r.buf[:m], x)
		in = r.buf[:n]
	}
	if _, err := r.rx.Write(in); err != nil {
		return err
	}
	for len(r.got) > 0 {
		slot := r.got[0].Time.Slot()
		n := 1
		for n < len(r.got) && r.got[n].Time.Slot() == slot {
			n++
		}
		var blk link.Block
		assemble(&blk, r.got[:n])
		if tx := sent[clock.Slot(slot)]; tx != nil && blk.Kind == link.Traffic {
			blk.CaptureS, blk.Pos, blk.TxSeq, blk.TxID = tx.CaptureS, tx.Pos, tx.TxSeq, tx.TxID
			blk.Bits, blk.BitErrors = residual(&blk, tx)
		}
		if blk.Kind != link.None {
			deliver(clock.Slot(slot), &blk)
		}
		r.got = r.got[n:]
	}
	return nil
}

// assemble turns the decoded blocks of one slot into a link.Block.
func assemble(b *link.Block, rx []rxBlock) {
	for _, x := range rx {
		switch x.Channel {
		case lmac.SCHF:
			b.Kind, b.Sig, b.CRCOK = link.Control, x.Bits, x.CRCOK
		case lmac.TCHS:
			b.Kind = link.Traffic
			b.Speech[0], b.Speech[1] = x.Bits[:link.SpeechBits], x.Bits[link.SpeechBits:]
			b.BFI = [2]bool{!x.CRCOK, !x.CRCOK}
			b.Unreliable = [2]bool{x.unreliable, x.unreliable}
			b.CRCOK = x.CRCOK
		case lmac.STCH:
			b.Kind, b.Stolen = link.Traffic, true
			if x.Half == 2 {
				if x.CRCOK {
					b.STCH2 = x.Bits
				}
				b.BFI[1] = true
				continue
			}
			b.STCH, b.CRCOK, b.BFI[0] = x.Bits, x.CRCOK, true
			b.Speech[0] = make([]byte, link.SpeechBits)
		case lmac.TCHSStolen:
			b.Kind, b.Stolen = link.Traffic, true
			b.Speech[1], b.BFI[1], b.Unreliable[1] = x.Bits, !x.CRCOK, x.unreliable
			b.BFI[0] = true
		}
	}
	if b.Kind == link.Traffic && b.Speech[1] == nil {
		b.Speech[1] = make([]byte, link.SpeechBits)
	}
}

// residual counts the decoded speech bits that differ from the transmitted
// ones (iq fidelity reports the residual BER after decoding, not the raw BER).
func residual(rx, tx *link.Block) (bits, errs int) {
	for k := 0; k < 2; k++ {
		a, b := rx.Speech[k], tx.Speech[k]
		if len(a) != len(b) || (k == 0 && tx.Stolen) || len(tx.STCH2) > 0 {
			continue
		}
		for i := range a {
			bits++
			if a[i] != b[i] {
				errs++
			}
		}
	}
	return bits, errs
}
