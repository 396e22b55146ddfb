package e2ee

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"hash"
	"time"
)

// maxWindowFrames bounds the speech frames between two SAFs (the SAF interval
// 4..32 slots of demo 15 gives at most 63).
const maxWindowFrames = 63

// Sender encrypts one device's voice in one talkgroup (e2ee-design.md §5.4, §5.5,
// §5.8). A transmission is:
//
//	NextSAF          (start SAF, type STCHSAFStart, sent in the first stolen half-slot)
//	SealVoice x 31   (one per 30 ms speech frame position)
//	NextSAF          (type STCHSAF, sent in a stolen half-slot: that position's frame is lost)
//	SealVoice x 31 ...
//	End              (final SAF + 5 EOT-SIG fragments, sent during hang time)
//
// Every frame position consumes one frame counter (FC) value, including the
// positions taken by SAFs, so a receiver can follow FC from the slot structure.
// SealVoice returns ErrSAFDue once the interval's speech frames are used; the
// simulator then steals the next half-slot for NextSAF. A transmission stays in the
// epoch it started in.
//
// The zero value is not usable; see Member.Sender. Not safe for concurrent use.
type Sender struct {
	m       *Member
	gs      *groupState
	ep      *epochState
	chain   *voiceChain
	inTx    bool
	fcFirst uint32
	prev    uint32 // FC_next of the previous SAF
	pending int
	max     int
	frames  [maxWindowFrames]packedFrame
	ks      [32]byte
	eot     hash.Hash
}

// Sender returns a voice sender for talkgroup g. The device must be a member.
func (m *Member) Sender(g uint32) (*Sender, error) {
	gs := m.groups[g]
	if gs == nil || !gs.selfOK {
		return nil, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	return &Sender{m: m, gs: gs, eot: sha256.New()}, nil
}

// InTransmission reports whether a transmission is open (between the start SAF and
// End).
func (s *Sender) InTransmission() bool { return s.inTx }

// FramesUntilSAF returns how many more speech frames SealVoice accepts before the
// next SAF is due (0 means call NextSAF now, also before the first frame).
func (s *Sender) FramesUntilSAF() int {
	if !s.inTx {
		return 0
	}
	return s.max - s.pending
}

// Epoch returns the epoch of the open transmission.
func (s *Sender) Epoch() uint32 {
	if s.ep == nil {
		return 0
	}
	return s.ep.e
}

func (s *Sender) takeFC() (uint32, error) {
	fc := s.ep.fc
	if fc > MaxFC {
		return 0, ErrCounterExhausted
	}
	if err := s.m.reserveFC(s.ep, fc); err != nil {
		return 0, err
	}
	s.ep.fc = fc + 1
	return fc, nil
}

// SealVoice encrypts one 137-bit speech frame: dst[i] = src[i] XOR keystream bit i,
// keystream byte 0 MSB first onto frame bit 1 (e2ee-design.md §5.4). src and dst
// hold 137 unpacked bits (0 or 1); they may be the same slice. It returns the
// frame's FC. It panics if len(dst) or len(src) < 137. It does not allocate (except
// once per 4096 frames, when the ratchet steps and the reservation is persisted).
func (s *Sender) SealVoice(dst, src []byte) (fc uint32, err error) {
	if len(dst) < FrameBits || len(src) < FrameBits {
		panic("e2ee: Sender.SealVoice: frame shorter than 137 bits")
	}
	if !s.inTx || s.pending >= s.max {
		return 0, ErrSAFDue
	}
	if s.ep.dead {
		return 0, ErrEpochExpired
	}
	fc, err = s.takeFC()
	if err != nil {
		return 0, err
	}
	seg := s.chain.segment(fc >> segmentShift)
	seg.keystream(s.ep.suite, fc, &s.ks)
	xorFrame(dst, src, &s.ks)
	packProtected(&s.frames[s.pending], dst)
	s.pending++
	return fc, nil
}

func xorFrame(dst, src []byte, ks *[32]byte) {
	_ = dst[FrameBits-1]
	_ = src[FrameBits-1]
	for i := 0; i < FrameBits; i++ {
		dst[i] = (src[i] & 1) ^ (ks[i>>3]>>(7-uint(i&7)))&1
	}
}

// NextSAF appends the next Sync+Auth Frame (121 unpacked bits) to dst. The first
// call of a transmission opens it in the group's active epoch and returns the start
// SAF; later calls return a SAF whose tags cover the speech frames since the last.
func (s *Sender) NextSAF(dst []byte) ([]byte, error) {
	now := s.m.now()
	s.gs.expire(now)
	var f SAF
	if s.inTx && s.ep.dead {
		return dst, ErrEpochExpired
	}
	if !s.inTx {
		ep := s.gs.active(now)
		if ep == nil {
			return dst, ErrNoEpoch
		}
		if ep.maxLife > 0 && now.Sub(ep.activation) > ep.maxLife {
			return dst, ErrEpochExpired
		}
		s.ep, s.chain = ep, ep.chain(ep.self)
		s.max = 2*ep.safSlots - 1
		if _, err := s.takeFC(); err != nil {
			return dst, err
		}
		f.Type = STCHSAFStart
		s.pending = 0
	} else {
		if _, err := s.takeFC(); err != nil {
			return dst, err
		}
		f.Type = STCHSAF
	}
	f.EpochTag = uint8(s.ep.e & 15)
	f.Sender = s.ep.self
	f.FCNext = s.ep.fc
	f.TMin = s.ep.tmin(now)
	s.computeTags(&f)
	if !s.inTx {
		s.inTx = true
		s.fcFirst = f.FCNext
		s.eot.Reset()
		eotPrefix(s.eot, s.ep.suite, s.gs.g, s.ep.e, s.ep.self, s.fcFirst)
	}
	var t [8]byte
	for j := range f.Tags {
		t[2*j], t[2*j+1] = byte(f.Tags[j]>>8), byte(f.Tags[j])
	}
	s.eot.Write(t[:])
	s.prev = f.FCNext
	s.pending = 0
	return f.AppendBits(dst), nil
}

func (s *Sender) computeTags(f *SAF) {
	in := tagInput{typ: f.Type, suite: s.ep.suite, g: s.gs.g, e: s.ep.e, s: s.ep.self,
		fcNext: f.FCNext, tmin: f.TMin}
	off, ln := windows(s.pending)
	var sum [32]byte
	for j := 0; j < 4; j++ {
		in.windowJ = j
		if ln[j] == 0 {
			in.first, in.last, in.frames = f.FCNext, f.FCNext, nil
		} else {
			in.first = s.prev + uint32(off[j])
			in.last = in.first + uint32(ln[j]) - 1
			in.frames = s.frames[off[j] : off[j]+ln[j]]
		}
		seg := s.chain.segment(in.first >> segmentShift)
		f.Tags[j] = in.tag(seg.hmac(), &sum)
	}
}

// End closes the transmission: it appends the final SAF (covering the last speech
// frames) and the 5 EOT-SIG fragments (e2ee-design.md §5.8) as six 121-bit STCH
// TM-SDUs, to be sent during hang time.
func (s *Sender) End() ([][]byte, error) {
	if !s.inTx {
		return nil, ErrSAFDue
	}
	saf, err := s.NextSAF(nil)
	if err != nil {
		return nil, err
	}
	f, _ := ParseSAF(saf)
	out := [][]byte{saf}
	frags := s.signEOT(f.FCNext)
	out = append(out, frags...)
	s.inTx = false
	s.ep, s.chain = nil, nil
	return out, nil
}

// Receiver decrypts and verifies one talkgroup's voice on one device
// (e2ee-design.md §5.5–§5.8). Feed it every frame position of the traffic channel in
// order: OpenVoice for a received speech frame, MissedFrame for a position with no
// usable speech frame (BFI, or a stolen half-slot that did not decode), and
// AcceptSTCH for each stolen half-slot that carried a SAF or EOT-SIG fragment.
//
// A receiver that joins mid-transmission (late entry) decrypts from the first frame
// after the next SAF: at most one SAF interval (31 frames, about 0.96 s).
//
// The zero value is not usable; see Member.Receiver. Not safe for concurrent use.
type Receiver struct {
	m  *Member
	gs *groupState

	// TamperThreshold is the number of tag failures in one transmission that mute
	// it and raise TAMPER (red). Default 2.
	TamperThreshold int
	// TimeTolerance is the largest accepted |t_min - trusted time| (default 2 min).
	TimeTolerance time.Duration

	ep       *epochState
	sender   uint16
	chain    *voiceChain
	synced   bool
	fc       uint32 // FC of the next frame position
	anchored bool   // prev is the FC_next of the SAF before, in this transmission
	prev     uint32
	ring     [64]ringFrame
	failures int
	muted    bool
	ks       [32]byte
	sum      [32]byte
	scratch  [maxWindowFrames]packedFrame

	eot      hash.Hash
	eotOK    bool // every SAF since the start SAF was received
	fcFirst  uint32
	frags    [eotFragments][eotFragBits]byte
	fragHave uint8

	stats ReceiverStats
}

type ringFrame struct {
	fc   uint32
	ok   bool
	bits packedFrame
}

// ReceiverStats are plain counters for simulators and tests.
type ReceiverStats struct {
	FramesDecrypted int
	FramesMissed    int
	SAFsAccepted    int
	SAFsRejected    int
	WindowsPassed   int
	WindowsFailed   int
	WindowsUnverif  int
	EOTVerified     int
	EOTFailed       int
}

// Receiver returns a voice receiver for talkgroup g. The device must hold keys for
// the group (it need not be a sender in it).
func (m *Member) Receiver(g uint32) (*Receiver, error) {
	gs := m.groups[g]
	if gs == nil {
		return nil, fmt.Errorf("%w: %d", ErrUnknownGroup, g)
	}
	return &Receiver{m: m, gs: gs, TamperThreshold: 2, TimeTolerance: 2 * time.Minute, eot: sha256.New()}, nil
}

// Stats returns the receiver's counters.
func (r *Receiver) Stats() ReceiverStats { return r.stats }

// Synced reports whether the receiver can decrypt the next frame.
func (r *Receiver) Synced() bool { return r.synced && !r.muted }

// OpenVoice decrypts the speech frame at the next frame position into dst (137
// unpacked bits; dst and src may be the same slice) and returns its FC. Before the
// first accepted SAF it returns ErrNoSync, after a tamper alarm ErrMuted; in both
// cases dst is zeroed and the position is still counted. It does not allocate
// (except when the ratchet steps, once per 4096 frames).
func (r *Receiver) OpenVoice(dst, src []byte) (fc uint32, err error) {
	if len(dst) < FrameBits || len(src) < FrameBits {
		panic("e2ee: Receiver.OpenVoice: frame shorter than 137 bits")
	}
	if !r.synced {
		clear(dst[:FrameBits])
		return 0, ErrNoSync
	}
	if r.ep.dead {
		r.synced = false
		clear(dst[:FrameBits])
		return 0, ErrUnknownEpoch
	}
	fc = r.fc
	r.fc++
	slot := &r.ring[fc&63]
	slot.fc, slot.ok = fc, true
	packProtected(&slot.bits, src)
	if r.muted {
		clear(dst[:FrameBits])
		return fc, ErrMuted
	}
	seg := r.chain.segment(fc >> segmentShift)
	if seg == nil {
		clear(dst[:FrameBits])
		return fc, ErrReplay
	}
	seg.keystream(r.ep.suite, fc, &r.ks)
	xorFrame(dst, src, &r.ks)
	r.stats.FramesDecrypted++
	return fc, nil
}

// MissedFrame counts a frame position with no usable speech frame (BFI). The
// sub-window holding it becomes unverifiable.
func (r *Receiver) MissedFrame() {
	r.stats.FramesMissed++
	if !r.synced {
		return
	}
	slot := &r.ring[r.fc&63]
	slot.fc, slot.ok = r.fc, false
	r.fc++
}

// Indication is the authentication state shown to the user (e2ee-design.md §5.5).
type Indication uint8

const (
	Amber Indication = iota // unverified (loss, late entry)
	Green                   // verified
	Red                     // TAMPER
)

func (i Indication) String() string {
	switch i {
	case Green:
		return "verified"
	case Amber:
		return "unverified"
	case Red:
		return "TAMPER"
	}
	return fmt.Sprintf("Indication(%d)", uint8(i))
}

// WindowResult is the outcome of one sub-window tag.
type WindowResult uint8

const (
	WindowUnverifiable WindowResult = iota // a frame is missing or BFI, or the previous SAF was missed
	WindowPass
	WindowFail
)

func (w WindowResult) String() string {
	switch w {
	case WindowUnverifiable:
		return "unverifiable"
	case WindowPass:
		return "pass"
	case WindowFail:
		return "FAIL"
	}
	return fmt.Sprintf("WindowResult(%d)", uint8(w))
}

// STCHResult reports what AcceptSTCH did with one stolen half-slot.
type STCHResult struct {
	Type       STCHType
	Epoch      uint32
	Sender     uint16
	Device     DeviceID // the sender's device if the roster knows it
	FCNext     uint32
	Windows    [4]WindowResult
	Indication Indication
	// EOT is set when the fifth EOT-SIG fragment completed the signature.
	EOTComplete bool
	// EOTVerified: the signature is valid for the sender's identity key over every
	// SAF of the transmission. False with EOTComplete means the signature failed or
	// could not be checked (a missed SAF, an unknown sender key).
	EOTVerified bool
}

// AcceptSTCH processes one stolen half-slot TM-SDU (121 unpacked bits): a SAF or an
// EOT-SIG fragment. A replayed SAF returns ErrReplay, a bad tag ErrAuth (with the
// result filled in), a SAF from an unknown epoch ErrUnknownEpoch.
func (r *Receiver) AcceptSTCH(bits []byte) (STCHResult, error) {
	t, err := ParseSTCHType(bits)
	if err != nil {
		return STCHResult{}, err
	}
	switch t {
	case STCHSAF, STCHSAFStart:
		f, err := ParseSAF(bits)
		if err != nil {
			return STCHResult{}, err
		}
		return r.acceptSAF(&f)
	case STCHEOT:
		return r.acceptEOT(bits)
	}
	return STCHResult{Type: t}, fmt.Errorf("%w: STCH type %v", ErrMalformed, t)
}

func circDist4096(a, b uint16) int {
	d := int(a&0xfff) - int(b&0xfff)
	if d < 0 {
		d = -d
	}
	return min(d, 4096-d)
}

func (r *Receiver) acceptSAF(f *SAF) (STCHResult, error) {
	res := STCHResult{Type: f.Type, Sender: f.Sender, FCNext: f.FCNext}
	now := r.m.now()
	r.gs.expire(now)
	if r.synced && r.ep.dead {
		r.synced, r.anchored = false, false
	}
	ep := r.gs.epochByTag(f.EpochTag)
	if ep == nil {
		r.stats.SAFsRejected++
		return res, ErrUnknownEpoch
	}
	res.Epoch = ep.e
	if e, ok := r.gs.roster[f.Sender]; ok {
		res.Device = e.Device
	}
	if time.Duration(circDist4096(f.TMin, ep.tmin(now)))*time.Minute > r.TimeTolerance {
		r.stats.SAFsRejected++
		return res, ErrTime
	}
	if h, ok := ep.hwm[f.Sender]; ok && f.FCNext <= h {
		r.stats.SAFsRejected++
		return res, ErrReplay
	}
	if f.FCNext == 0 {
		r.stats.SAFsRejected++
		return res, ErrMalformed
	}
	chain := ep.chain(f.Sender)
	if chain == nil {
		r.stats.SAFsRejected++
		return res, ErrUnknownEpoch
	}
	same := r.synced && r.ep == ep && r.sender == f.Sender && f.Type == STCHSAF
	in := tagInput{typ: f.Type, suite: ep.suite, g: r.gs.g, e: ep.e, s: f.Sender, fcNext: f.FCNext, tmin: f.TMin}
	// n is the number of speech-frame positions the tags cover, or -1 when they
	// cannot be checked. Inside a transmission the receiver counts positions
	// itself (OpenVoice and MissedFrame), so the windows come from its own count,
	// not from the SAF's fields: a SAF whose sender, epoch, FC_next or t_min was
	// altered is checked against the frames actually received, under the claimed
	// keys and fields, and fails.
	n := -1
	if f.Type == STCHSAFStart {
		n = 0
	} else if r.synced && r.anchored {
		if d := int64(r.fc) - int64(r.prev); d >= 0 && d <= int64(2*ep.safSlots-1) {
			n = int(d)
		}
	}
	prevFC := r.prev
	sum := &r.sum
	frames := &r.scratch
	pass, fail := 0, 0
	if n >= 0 {
		off, ln := windows(n)
		for j := 0; j < 4; j++ {
			in.windowJ = j
			ok := true
			if ln[j] == 0 {
				in.first, in.last, in.frames = f.FCNext, f.FCNext, nil
			} else {
				in.first = prevFC + uint32(off[j])
				in.last = in.first + uint32(ln[j]) - 1
				for k := 0; k < ln[j]; k++ {
					fc := in.first + uint32(k)
					sl := &r.ring[fc&63]
					if sl.fc != fc || !sl.ok {
						ok = false
						break
					}
					frames[k] = sl.bits
				}
				in.frames = frames[:ln[j]]
			}
			seg := chain.segment(in.first >> segmentShift)
			if !ok || seg == nil {
				res.Windows[j] = WindowUnverifiable
				r.stats.WindowsUnverif++
				continue
			}
			want := in.tag(seg.hmac(), sum)
			if subtle.ConstantTimeEq(int32(want), int32(f.Tags[j])) == 1 {
				res.Windows[j] = WindowPass
				pass++
				r.stats.WindowsPassed++
			} else {
				res.Windows[j] = WindowFail
				fail++
				r.stats.WindowsFailed++
			}
		}
	} else {
		r.stats.WindowsUnverif += 4
	}
	if fail > 0 {
		r.stats.SAFsRejected++
		if r.synced && f.Type == STCHSAF {
			// Counted against the transmission in progress, whatever the SAF
			// claims to be.
			r.failures += fail
			if r.failures >= r.TamperThreshold {
				r.muted = true
			}
		}
		res.Indication = Amber
		if r.muted || fail >= r.TamperThreshold {
			res.Indication = Red
		}
		return res, ErrAuth
	}
	// Accept: (re-)anchor the stream on this SAF.
	if !same && f.Type == STCHSAF && pass == 0 && r.synced && !r.muted && n >= 0 {
		// A SAF that claims another sender or epoch in the middle of a
		// transmission, at a position whose frames we hold, must verify.
		r.stats.SAFsRejected++
		return res, ErrAuth
	}
	if !same {
		r.ep, r.sender, r.chain = ep, f.Sender, chain
		r.failures, r.muted = 0, false
		r.fragHave = 0
		r.eotOK = false
		if f.Type == STCHSAFStart {
			r.eot.Reset()
			r.fcFirst = f.FCNext
			eotPrefix(r.eot, ep.suite, r.gs.g, ep.e, f.Sender, f.FCNext)
			r.eotOK = true
		}
	} else if n < 0 {
		r.eotOK = false // a SAF was missed: the EOT digest cannot be rebuilt
	}
	if r.eotOK {
		var t [8]byte
		for j := range f.Tags {
			t[2*j], t[2*j+1] = byte(f.Tags[j]>>8), byte(f.Tags[j])
		}
		r.eot.Write(t[:])
	}
	r.synced, r.anchored = true, true
	r.fc, r.prev = f.FCNext, f.FCNext
	r.stats.SAFsAccepted++
	if pass > 0 {
		// At least one tag verified: FC_next is authenticated (every tag binds
		// it). This includes a start SAF, whose 4 tags cover its own fields
		// alone (2^-64 to forge). FC_next > HWM was checked above.
		ep.hwm[f.Sender] = f.FCNext
		res.Indication = Green
	} else {
		res.Indication = Amber
	}
	if r.muted {
		res.Indication = Red
	}
	return res, nil
}

// eotPrefix starts the EOT-SIG digest (e2ee-design.md §5.8, encoding pinned here):
//
//	digest = SHA-256("tetrasim/e2ee/v1 eot" || suite(8b) || G(24b) || e(32b) || s(16b)
//	                 || FC_first(24b) || tags of every SAF in order (8 B each) || FC_end(24b))
//
// FC_first is the FC_next of the start SAF and FC_end the FC_next of the final SAF.
func eotPrefix(h hash.Hash, suite Suite, g, e uint32, s uint16, fcFirst uint32) {
	var w writer
	w.raw([]byte(kdfLabel + " eot"))
	w.u8(byte(suite))
	w.u24(g)
	w.u32(e)
	w.u16(s)
	w.u24(fcFirst)
	h.Write(w.b)
}

const (
	eotFragments = 5
	eotFragBits  = STCHBits - 6 // 3-bit type + 3-bit fragment index
	eotBits      = eotFragments * eotFragBits
)

// EOT-SIG payload, 575 bits spread over 5 fragments of 115 bits (e2ee-design.md
// §5.8, layout pinned here):
//
//	fragment   = type=1 (3) || index 0..4 (3) || 115 payload bits
//	payload    = epoch tag (4) || sender (14) || FC_end (24) || Ed25519 signature (512) || zero (21)
func (s *Sender) signEOT(fcEnd uint32) [][]byte {
	var t [3]byte
	put24(t[:], fcEnd)
	s.eot.Write(t[:])
	digest := s.eot.Sum(nil)
	sig := ed25519.Sign(s.m.id.sign, digest)
	var p [eotBits]byte
	putBits(p[0:], uint64(s.ep.e&15), 4)
	putBits(p[4:], uint64(s.ep.self), 14)
	putBits(p[18:], uint64(fcEnd), 24)
	for i, b := range sig {
		putBits(p[42+8*i:], uint64(b), 8)
	}
	out := make([][]byte, eotFragments)
	for k := 0; k < eotFragments; k++ {
		fr := make([]byte, STCHBits)
		putBits(fr, uint64(STCHEOT), 3)
		putBits(fr[3:], uint64(k), 3)
		copy(fr[6:], p[k*eotFragBits:(k+1)*eotFragBits])
		out[k] = fr
	}
	return out
}

// ParseEOTFragment returns the index and 115 payload bits of an EOT-SIG fragment.
func ParseEOTFragment(bits []byte) (index int, payload []byte, err error) {
	t, err := ParseSTCHType(bits)
	if err != nil {
		return 0, nil, err
	}
	if t != STCHEOT {
		return 0, nil, ErrMalformed
	}
	if _, ok := getBits(bits, STCHBits); !ok {
		return 0, nil, ErrMalformed
	}
	v, _ := getBits(bits[3:], 3)
	if v >= eotFragments {
		return 0, nil, ErrMalformed
	}
	return int(v), bits[6:STCHBits], nil
}

func (r *Receiver) acceptEOT(bits []byte) (STCHResult, error) {
	res := STCHResult{Type: STCHEOT}
	k, p, err := ParseEOTFragment(bits)
	if err != nil {
		return res, err
	}
	copy(r.frags[k][:], p)
	r.fragHave |= 1 << k
	if r.fragHave != 1<<eotFragments-1 {
		return res, nil
	}
	r.fragHave = 0
	var all [eotBits]byte
	for i := range r.frags {
		copy(all[i*eotFragBits:], r.frags[i][:])
	}
	res.EOTComplete = true
	tag, _ := getBits(all[0:], 4)
	snd, _ := getBits(all[4:], 14)
	fcEnd, _ := getBits(all[18:], 24)
	rsv, _ := getBits(all[42+512:], 21)
	res.Sender, res.FCNext = uint16(snd), uint32(fcEnd)
	var sig [64]byte
	for i := range sig {
		v, _ := getBits(all[42+8*i:], 8)
		sig[i] = byte(v)
	}
	// checkable: this receiver saw every SAF of the sender's transmission and knows
	// the sender's identity key. Otherwise the signature is unverifiable (amber),
	// not failed.
	checkable := r.ep != nil && r.eotOK && uint32(tag) == r.ep.e&15 && uint16(snd) == r.sender &&
		uint32(fcEnd) == r.prev
	var ent rosterEntry
	if checkable {
		ent, checkable = r.gs.roster[r.sender]
	}
	ok := false
	if checkable {
		res.Epoch, res.Device = r.ep.e, ent.Device
		var t [3]byte
		put24(t[:], uint32(fcEnd))
		h := r.eot
		h.Write(t[:])
		digest := h.Sum(nil)
		ok = rsv == 0 && ed25519.Verify(ent.Sign[:], digest, sig[:])
	}
	// The transmission is over either way.
	r.synced, r.anchored, r.eotOK = false, false, false
	switch {
	case ok:
		// The sender's own signature covers FC_end (and the start SAF's
		// FC_first, every tag, e and s), so FC_end is authenticated even when
		// none of the transmission's sub-windows could be verified (every SAF
		// amber through loss): raise the high-water mark to it, and a replay of
		// the transmission is refused at every SAF, not only at the start SAF.
		// An unverified SAF's FC_next never raises it: an outsider could set it
		// high and lock the sender out of this receiver for the epoch.
		if h, seen := r.ep.hwm[r.sender]; !seen || uint32(fcEnd) > h {
			r.ep.hwm[r.sender] = uint32(fcEnd)
		}
		res.EOTVerified = true
		res.Indication = Green
		r.stats.EOTVerified++
		return res, nil
	case !checkable:
		res.Indication = Amber
		return res, nil
	}
	r.stats.EOTFailed++
	res.Indication = Red
	return res, ErrAuth
}
