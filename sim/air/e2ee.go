package air

import (
	"errors"
	"fmt"

	"github.com/tetrasim/tetrasim/e2ee"
	"github.com/tetrasim/tetrasim/radio"
	"github.com/tetrasim/tetrasim/radio/lmac"
	"github.com/tetrasim/tetrasim/radio/mac"
)

// E2EEHangSlots is the number of traffic slots after the last speech frame
// that carry the final SAF and the 5 EOT-SIG fragments, two STCH per slot
// (e2ee-design.md §5.5, §5.8: sent in hang time at no speech cost).
const E2EEHangSlots = 3

// E2EETraffic puts one end-to-end encrypted transmission of tetrasim E2EE v1
// on the traffic slots of a Schedule (e2ee-design.md §5.4–§5.8), as the
// talker's terminal sends it and the base station relays it:
//
//	slot 0           STCH: start SAF      | TCH/S stolen: frame B encrypted
//	slots 1–15       TCH/S: frames A and B encrypted
//	slot 16          STCH: SAF            | frame B encrypted   (every SAF interval)
//	...
//	last 3 slots     STCH: final SAF + STCH: EOT 0, EOT 1 + EOT 2, EOT 3 + EOT 4
//
// Each stolen half takes one frame position (its speech frame is dropped, as
// in clear stealing, and the sender's frame counter still advances), so the
// speech source advances by two frames per slot in every case and stays in
// time. The SAF interval is the talkgroup's (16 slots by default). Use
// Slot as Schedule.Traffic. Not safe for concurrent use.
type E2EETraffic struct {
	s      *e2ee.Sender
	speech func(dst []byte) []byte
	left   int // traffic slots left, hang time included
	end    [][]byte
	ended  bool
	pt, ct [2][]byte

	// Frames counts the speech frames encrypted, SAFs the SAFs sent
	// (start and final included), EOT the EOT-SIG fragments sent.
	Frames, SAFs, EOT int
	// FirstFC and LastFC are the frame counters of the first and last speech
	// frames encrypted.
	FirstFC, LastFC uint32
}

// NewE2EETraffic returns a transmission of slots traffic slots (at least
// E2EEHangSlots+1) by sender s, whose speech frames come from speech (137
// bits appended to dst per call).
func NewE2EETraffic(s *e2ee.Sender, speech func(dst []byte) []byte, slots int) (*E2EETraffic, error) {
	if slots < E2EEHangSlots+1 {
		return nil, fmt.Errorf("air: an encrypted transmission needs at least %d traffic slots, have %d", E2EEHangSlots+1, slots)
	}
	if s == nil || speech == nil {
		return nil, errors.New("air: NewE2EETraffic needs a sender and a speech source")
	}
	x := &E2EETraffic{s: s, speech: speech, left: slots}
	for i := range x.pt {
		x.pt[i] = make([]byte, 0, e2ee.FrameBits)
		x.ct[i] = make([]byte, e2ee.FrameBits)
	}
	return x, nil
}

// Slot fills ts for the traffic slot at t (Schedule.Traffic).
func (x *E2EETraffic) Slot(t radio.Time, ts *TrafficSlot) error {
	if x.left <= 0 {
		return fmt.Errorf("air: traffic slot %v after the planned end of the encrypted transmission", t)
	}
	x.left--
	for i := range x.pt {
		x.pt[i] = x.speech(x.pt[i][:0])
		if len(x.pt[i]) != e2ee.FrameBits {
			return fmt.Errorf("air: speech frame of %d bits", len(x.pt[i]))
		}
	}
	if !x.ended && x.left < E2EEHangSlots {
		end, err := x.s.End()
		if err != nil {
			return err
		}
		x.end, x.ended = end, true
		x.SAFs++
		x.EOT += len(end) - 1
	}
	if x.ended {
		if len(x.end) < 2 {
			return fmt.Errorf("air: %d end-of-transmission STCH left for slot %v", len(x.end), t)
		}
		ts.STCH[0], ts.STCH[1] = x.end[0], x.end[1]
		x.end = x.end[2:]
		return nil
	}
	first := 0
	if x.s.FramesUntilSAF() == 0 {
		saf, err := x.s.NextSAF(nil)
		if err != nil {
			return err
		}
		ts.STCH[0] = saf
		x.SAFs++
		first = 1 // frame A's position goes to the SAF
	}
	for i := first; i < 2; i++ {
		fc, err := x.s.SealVoice(x.ct[i], x.pt[i])
		if err != nil {
			return err
		}
		if x.Frames == 0 {
			x.FirstFC = fc
		}
		x.LastFC = fc
		x.Frames++
		ts.Frames[i] = x.ct[i]
	}
	return nil
}

// E2EEListener follows the traffic slots of a received downlink
// (RxBlocks in order), recognises tetrasim E2EE v1 traffic by its sync
// frames and, with a receiver (keys), verifies the SAFs and decrypts the
// speech frames (e2ee-design.md §5.5–§5.8). It hands every speech frame
// position, in order, to OnFrame: the plaintext (or, without keys, the bits as
// received), or bad = true where there is no usable frame (parity failure,
// a stolen half, encrypted speech before the first SAF or after TAMPER). Not
// safe for concurrent use; the zero value without Rx is usable.
type E2EEListener struct {
	// Rx, if not nil, verifies and decrypts (Member.Receiver of the talkgroup).
	Rx *e2ee.Receiver
	// OnFrame receives every speech frame position (137 bits, valid during
	// the call) in order.
	OnFrame func(bits []byte, bad bool)

	// Encrypted is set once the traffic is recognised as E2EE: a start SAF,
	// a SAF accepted by Rx, or two SAFs of one sender with advancing counters.
	Encrypted bool
	// Last is the result of the last SAF or EOT fragment Rx accepted or
	// rejected, LastErr its error.
	Last    e2ee.STCHResult
	LastErr error
	// SAFErr is the error of the last SAF Rx rejected (nil if none was).
	SAFErr error
	// Accepted is the result of the last SAF Rx accepted (its epoch, sender
	// and the sender's device).
	Accepted e2ee.STCHResult
	// SAFs counts well-formed SAFs seen (with or without keys); Sender,
	// EpochTag and FCNext are those of the last one.
	SAFs     int
	Sender   uint16
	EpochTag uint8
	FCNext   uint32
	// Decrypted counts frames decrypted; FirstFC and LastFC are their counters.
	Decrypted       int
	FirstFC, LastFC uint32
	// EOTVerified is set when an end-of-transmission signature verified.
	EOTVerified bool

	// STCH describes the stolen half of the last block passed to Block, for
	// display: what a listener without keys (or a base station) sees of
	// E2EE signalling, and with keys what was verified.
	STCH STCHInfo

	plain [2 * e2ee.FrameBits]byte
	np    int
}

// STCHInfo describes one STCH block as E2EE signalling.
type STCHInfo struct {
	E2EE    bool          // a well-formed SAF or an EOT-SIG fragment
	Type    e2ee.STCHType // valid if E2EE
	SAF     e2ee.SAF      // valid if Type is STCHSAF or STCHSAFStart
	Checked bool          // Rx processed it: Result and Err are valid
	Result  e2ee.STCHResult
	Err     error
}

// Plain returns the plaintext speech bits of the last block passed to Block
// (frame A then B, or frame B of a stolen slot), or nil if it had none.
func (l *E2EEListener) Plain() []byte {
	if l.np == 0 {
		return nil
	}
	return l.plain[:l.np]
}

// Block takes one block of the followed traffic timeslot: STCH, TCH/S or
// TCH/S stolen (other channels are ignored).
func (l *E2EEListener) Block(b *RxBlock) {
	l.np = 0
	l.STCH = STCHInfo{}
	switch b.Channel {
	case lmac.STCH:
		l.stch(b)
		if b.Half == 2 { // both halves stolen: two positions without speech
			l.emitBad()
			l.emitBad()
		}
	case lmac.TCHS:
		if len(b.Bits) != 2*e2ee.FrameBits { // not from a SlotDecoder: both positions lost
			l.frame(nil, true)
			l.frame(nil, true)
			return
		}
		l.frame(b.Bits[:e2ee.FrameBits], !b.CRCOK)
		l.frame(b.Bits[e2ee.FrameBits:], !b.CRCOK)
	case lmac.TCHSStolen:
		l.emitBad() // frame A, lost to the STCH
		if len(b.Bits) != e2ee.FrameBits {
			l.frame(nil, true)
			return
		}
		l.frame(b.Bits, !b.CRCOK)
	}
}

func (l *E2EEListener) emitBad() {
	if l.OnFrame != nil {
		l.OnFrame(nil, true)
	}
}

// frame handles one received speech frame.
func (l *E2EEListener) frame(bits []byte, bad bool) {
	if l.Rx == nil || !l.Encrypted {
		if l.OnFrame != nil {
			l.OnFrame(bits, bad)
		}
		return
	}
	if bad {
		l.Rx.MissedFrame()
		l.emitBad()
		return
	}
	dst := l.plain[l.np : l.np+e2ee.FrameBits]
	fc, err := l.Rx.OpenVoice(dst, bits)
	if err != nil {
		l.emitBad()
		return
	}
	l.np += e2ee.FrameBits
	if l.Decrypted == 0 {
		l.FirstFC = fc
	}
	l.LastFC = fc
	l.Decrypted++
	if l.OnFrame != nil {
		l.OnFrame(dst, false)
	}
}

// stch handles a stolen half-slot: its MAC-U-SIGNAL TM-SDU may be a SAF or an
// EOT-SIG fragment.
func (l *E2EEListener) stch(b *RxBlock) {
	var sdu []byte
	if b.CRCOK {
		if p, _, err := mac.ParseUSignal(b.Bits); err == nil && len(p.SDU) >= STCHSDUBits {
			sdu = p.SDU[:STCHSDUBits]
		}
	}
	typ, terr := e2ee.STCHType(0), error(nil)
	if sdu != nil {
		typ, terr = e2ee.ParseSTCHType(sdu)
	}
	isSAF := false
	if sdu != nil && terr == nil && (typ == e2ee.STCHSAF || typ == e2ee.STCHSAFStart) {
		if f, err := e2ee.ParseSAF(sdu); err == nil {
			isSAF = true
			l.STCH = STCHInfo{E2EE: true, Type: typ, SAF: f}
			if typ == e2ee.STCHSAFStart ||
				l.SAFs > 0 && f.Sender == l.Sender && f.EpochTag == l.EpochTag && f.FCNext > l.FCNext && f.FCNext-l.FCNext <= 64 {
				l.Encrypted = true
			}
			l.SAFs++
			l.Sender, l.EpochTag, l.FCNext = f.Sender, f.EpochTag, f.FCNext
		}
	}
	if sdu != nil && terr == nil && typ == e2ee.STCHEOT {
		if _, _, err := e2ee.ParseEOTFragment(sdu); err == nil {
			l.STCH = STCHInfo{E2EE: true, Type: typ}
		}
	}
	if l.Rx == nil {
		return
	}
	if sdu == nil || terr != nil || typ != e2ee.STCHEOT && !isSAF {
		// The position is lost (a bad CRC, or signalling that is not ours):
		// keep the frame counter in step.
		if b.Half == 1 {
			l.Rx.MissedFrame()
		}
		return
	}
	res, err := l.Rx.AcceptSTCH(sdu)
	l.Last, l.LastErr = res, err
	if isSAF && err != nil {
		l.SAFErr = err
	}
	l.STCH.Checked, l.STCH.Result, l.STCH.Err = true, res, err
	if isSAF {
		if err == nil {
			l.Encrypted = true
			l.Accepted = res
		} else if b.Half == 1 {
			l.Rx.MissedFrame()
		}
	}
	if res.EOTComplete && res.EOTVerified {
		l.EOTVerified = true
	}
}
