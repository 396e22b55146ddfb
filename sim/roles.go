package sim

import (
	"strings"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
	"github.com/tetrasim/tetrasim/sim/phy"
)

// builtinClip returns the bundled speech clip named by "builtin" or
// "builtin:NAME" (default hts1a).
func builtinClip(name ...string) ([]int16, error) {
	n := "hts1a"
	if len(name) > 0 && name[0] != "" {
		n = name[0]
	}
	return voice.Clip(n)
}

// listener is a party without keys that gets speech frames and signalling:
// the eavesdropper (from the air) or a compromised base station (what it relays).
// It decodes every speech frame it gets with the ACELP decoder as if it were
// clear speech: with E2EE on, that is ciphertext, and the audio is noise.
type listener struct {
	name   string
	link   *phy.Link
	iq     *iqRx
	dec    map[uint32]voice.Codec
	frames []heard
	pdus   []heardPDU
	safs   []SAFMeta
	stch   int
	stats  LinkStats
}

type heard struct {
	at     float64
	talker uint32
	txSeq  int
	pos    int
	bits   []byte
	pcm    []int16
}

type heardPDU struct {
	AtS    float64 `json:"at_s"`
	Uplink bool    `json:"uplink"`
	PDU    string  `json:"pdu"`
	SSI    uint32  `json:"ssi,omitempty"`
	GSSI   uint32  `json:"gssi,omitempty"`
	Talker uint32  `json:"talker,omitempty"`
	Enc    bool    `json:"e2ee_flag,omitempty"`
	Bytes  int     `json:"sds_bytes,omitempty"`
}

func newListener(name string, l *phy.Link) *listener {
	return &listener{name: name, link: l, dec: map[uint32]voice.Codec{}}
}

// air handles a block received from the air.
func (l *listener) air(now clock.Slot, uplink bool, tn uint8, b *link.Block) {
	l.stats.add(b, now.Seconds())
	switch b.Kind {
	case link.Control:
		if !b.CRCOK {
			return
		}
		dir := mac.Downlink
		if uplink {
			dir = mac.Uplink
		}
		if p, err := cmce.ParseMAC(dir, b.Sig); err == nil && p.Type != cmce.TypeNull {
			l.ObservePDU(now, uplink, p)
		}
	case link.Traffic:
		l.ObserveTraffic(now, tn, b)
	}
}

// ObservePDU implements bs.Observer.
func (l *listener) ObservePDU(now clock.Slot, uplink bool, p cmce.PDU) {
	h := heardPDU{AtS: now.Seconds(), Uplink: uplink, PDU: p.Type.String(), SSI: p.SSI, GSSI: p.GSSI, Talker: p.Talker, Enc: p.Encrypted}
	if p.Type == cmce.USDSData || p.Type == cmce.DSDSData {
		h.Bytes = len(p.Data)
	}
	l.pdus = append(l.pdus, h)
}

// SAFMeta is what a party without keys reads from a Sync+Auth Frame: its
// clear header (e2ee-design.md §5.11: metadata is visible).
type SAFMeta struct {
	AtS      float64 `json:"at_s"`
	Type     string  `json:"type"`
	EpochTag uint8   `json:"epoch_tag"`
	Sender   uint16  `json:"sender_index"`
	FCNext   uint32  `json:"fc_next"`
	TMin     uint16  `json:"t_min"`
}

// ObserveTraffic implements bs.Observer.
func (l *listener) ObserveTraffic(now clock.Slot, tn uint8, b *link.Block) {
	if b.Stolen {
		l.stch++
		for _, st := range [][]byte{b.STCH, b.STCH2} {
			if !link.IsUSignal(st) || !b.CRCOK {
				continue
			}
			if f, err := e2ee.ParseSAF(st[3:]); err == nil {
				l.safs = append(l.safs, SAFMeta{AtS: now.Seconds(), Type: f.Type.String(), EpochTag: f.EpochTag, Sender: f.Sender, FCNext: f.FCNext, TMin: f.TMin})
			}
		}
	}
	for k := 0; k < 2; k++ {
		if b.BFI[k] || (k == 0 && b.Stolen) || len(b.STCH2) > 0 {
			continue
		}
		dec := l.dec[b.TxID]
		if dec == nil {
			dec, _ = newACELP()
			l.dec[b.TxID] = dec
		}
		pcm := make([]int16, 240)
		dec.Decode(pcm, b.Speech[k], false)
		l.frames = append(l.frames, heard{at: now.Seconds() + float64(k)*0.03, talker: b.TxID, txSeq: b.TxSeq, pos: b.Pos + k,
			bits: append([]byte(nil), b.Speech[k]...), pcm: pcm})
	}
}

func (l *listener) fileName() string { return strings.ReplaceAll(l.name, " ", "-") }
