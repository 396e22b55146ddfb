package ms

import (
	"github.com/tetrasim/tetrasim/radio/mac"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
	"github.com/tetrasim/tetrasim/sim/link"
)

// RepeatStartSAF makes a talker send a second SAF in its second traffic slot.
const RepeatStartSAF = true

// FrameS is one speech frame [s].
const FrameS = 0.030

// playoutDelayS is the receiver's jitter buffer beyond the arrival of the first
// traffic block: one TDMA frame covers the frame-18 gap (air-interface.md §3).
const playoutDelayS = 4 * 255.0 / 18000

// AddTalk schedules a push-to-talk press.
func (h *Handset) AddTalk(t Talk) { tt := t; h.talks = append(h.talks, &tt) }

// AddSDS schedules a short data message to an individual (grp false) or a group.
func (h *Handset) AddSDS(at clock.Slot, dest uint32, grp bool, text string) {
	h.sds = append(h.sds, sdsOut{at: at, dest: dest, grp: grp, text: []byte(text)})
}

// On reports whether the handset is powered on.
func (h *Handset) On() bool { return h.on }

// Registered reports whether the handset has registered.
func (h *Handset) Registered() bool { return h.registered }

// Talking reports whether the handset holds the floor.
func (h *Handset) Talking() bool { return h.tx != nil && h.tx.granted }

// ListensTo reports whether the handset decodes downlink timeslot tn.
func (h *Handset) ListensTo(tn int) bool {
	if !h.on {
		return false
	}
	if tn == MCCH {
		return true
	}
	for _, c := range h.calls {
		if int(c.tn) == tn {
			return true
		}
	}
	return false
}

func (h *Handset) queueUL(p cmce.PDU, answer func(cmce.PDU) bool) {
	h.ul = append(h.ul, &uplinkItem{p: p, answer: answer})
}

// Tick runs the handset's timers for slot now; call it once per slot before
// Downlink and Uplink.
func (h *Handset) Tick(now clock.Slot) {
	h.now = now
	if !h.on {
		if now < h.JoinAt {
			return
		}
		h.on = true
		h.backoffUntil = now + clock.Slot(h.rng.IntN(maxBackoff+1))*clock.SlotsPerFrame
		h.queueUL(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: h.ISSI, Groups: h.Groups}, func(p cmce.PDU) bool {
			return p.Type == cmce.DLocationUpdateAccept && p.SSI == h.ISSI
		})
	}
	// Random-access timeout and back-off.
	if len(h.ul) > 0 {
		it := h.ul[0]
		if it.waiting && now-it.sentAt > respTimeout {
			it.waiting = false
			if it.tries >= maxTries {
				h.C.RandomAccessFail++
				h.ul = h.ul[1:]
			} else {
				h.backoffUntil = now + clock.Slot(1+h.rng.IntN(maxBackoff))*clock.SlotsPerFrame
			}
		}
	}
	if !h.registered {
		return
	}
	// Push-to-talk presses.
	if h.tx == nil && len(h.talks) > 0 && now >= h.talks[0].At {
		t := h.talks[0]
		h.talks = h.talks[1:]
		h.startRequest(t)
	}
	if h.tx != nil && h.tx.granted {
		h.capture(now)
	}
	// SDS.
	for len(h.sds) > 0 && now >= h.sds[0].at {
		m := h.sds[0]
		h.sds = h.sds[1:]
		h.sendSDS(m)
	}
}

func (h *Handset) startRequest(t *Talk) {
	h.tx = &txState{talk: t, gssi: t.GSSI}
	typ := cmce.USetup
	if c := h.calls[t.GSSI]; c != nil {
		typ = cmce.UTxDemand
	}
	h.queueUL(cmce.PDU{Type: typ, SSI: h.ISSI, GSSI: t.GSSI, Priority: t.Priority, Encrypted: h.Encrypt}, func(p cmce.PDU) bool {
		return (p.Type == cmce.DConnect || p.Type == cmce.DTxGranted) && p.SSI == h.ISSI && p.GSSI == t.GSSI
	})
}

func (h *Handset) sendSDS(m sdsOut) {
	payload, pid := m.text, uint8(cmce.PIDPlainText)
	if h.crypto != nil {
		g := m.dest
		if !m.grp {
			// Individual E2EE SDS are sealed under the sender's first group key
			// (deviation: e2ee-design.md §5.9 derives keys per group only).
			g = h.Groups[0]
		}
		sealed, err := h.crypto.SealSDS(g, m.text)
		if err != nil {
			return
		}
		payload, pid = sealed, cmce.PIDE2EESDS
	}
	h.msgRef++
	frags, err := cmce.Fragment(cmce.PDU{Type: cmce.USDSData, SSI: h.ISSI, Dest: m.dest, DestGroup: m.grp, PID: pid, MsgRef: h.msgRef}, payload)
	if err != nil {
		return
	}
	h.C.SDSSent++
	for _, f := range frags {
		f := f
		h.queueUL(f, func(p cmce.PDU) bool {
			return p.Type == cmce.DAck && p.SSI == h.ISSI && p.MsgRef == f.MsgRef && p.Frag == f.Frag
		})
	}
}

// capture encodes the speech frames whose 30 ms have been spoken by now.
func (h *Handset) capture(now clock.Slot) {
	tx := h.tx
	t := tx.talk
	spf := h.enc.SamplesPerFrame()
	if tx.total == 0 {
		n := len(t.PCM) / spf
		if t.Duration > 0 {
			n = min(n, int(t.Duration.Seconds()/FrameS))
		}
		// Whole slots only: a talk of an odd number of frames gets one more
		// (silence past the end of the microphone signal).
		tx.total = max(n, 1)
		tx.total += tx.total & 1
	}
	start := tx.started.Seconds()
	for tx.captured < tx.total && start+float64(tx.captured+1)*FrameS <= now.Seconds() {
		k := tx.captured
		pcm := make([]int16, spf)
		if (k+1)*spf <= len(t.PCM) {
			copy(pcm, t.PCM[k*spf:(k+1)*spf])
		}
		bits := h.enc.Encode(nil, pcm)
		tx.fifo = append(tx.fifo, Frame{Talker: h.ISSI, Bits: bits, Mic: pcm, CaptureS: start + float64(k)*FrameS})
		tx.captured++
	}
}

// Downlink processes what the handset decoded in downlink slot now, timeslot tn.
func (h *Handset) Downlink(now clock.Slot, tn int, blk *link.Block) {
	if !h.on || blk == nil {
		return
	}
	h.C.BitErrors += int64(blk.BitErrors)
	h.C.Bits += int64(blk.Bits)
	switch blk.Kind {
	case link.Control:
		h.C.ControlRx++
		if !blk.CRCOK {
			h.C.ControlCRCFail++
			return
		}
		p, err := cmce.ParseMAC(mac.Downlink, blk.Sig)
		if err != nil || p.Type.Uplink() {
			return
		}
		h.handle(now, p)
	case link.Traffic:
		h.C.TrafficRx++
		for g, c := range h.calls {
			if int(c.tn) == tn {
				h.rxTraffic(now, g, c, blk)
				return
			}
		}
	}
}

func (h *Handset) mine(ssi uint32) bool {
	if ssi == h.ISSI {
		return true
	}
	for _, g := range h.Groups {
		if g == ssi {
			return true
		}
	}
	return false
}

func (h *Handset) answered(p cmce.PDU) {
	if len(h.ul) > 0 && h.ul[0].waiting && h.ul[0].answer != nil && h.ul[0].answer(p) {
		h.ul = h.ul[1:]
	}
}

func (h *Handset) handle(now clock.Slot, p cmce.PDU) {
	addr := p.SSI
	if p.Type == cmce.DSDSData {
		addr = p.Dest // SSI is the sender
	}
	if !h.mine(addr) {
		return
	}
	h.answered(p)
	switch p.Type {
	case cmce.DLocationUpdateAccept:
		if !h.registered {
			h.registered = true
			h.C.RegisteredAtS = now.Seconds()
		}
	case cmce.DSetup, cmce.DConnect, cmce.DTxGranted:
		c := h.calls[p.GSSI]
		if c == nil {
			if p.Type == cmce.DTxGranted && p.Grant != cmce.Granted && p.Grant != cmce.GrantedOther {
				h.grantResult(now, p)
				return
			}
			c = &callInfo{id: p.CallID, knownAt: now}
			h.calls[p.GSSI] = c
			if (h.JoinAt > 0 || h.C.Reselections > 0) && p.Talker != 0 && p.Talker != h.ISSI {
				h.lateCand[p.GSSI] = now
			}
		}
		c.id, c.encrypted = p.CallID, p.Encrypted
		if p.TN != 0 {
			c.tn = p.TN
		}
		if p.Type == cmce.DTxGranted && p.Grant != cmce.Granted && p.Grant != cmce.GrantedOther {
			h.grantResult(now, p)
			return
		}
		h.setTalker(now, p.GSSI, c, p.Talker)
	case cmce.DTxCeased:
		if c := h.calls[p.GSSI]; c != nil {
			h.setTalker(now, p.GSSI, c, 0)
		}
	case cmce.DRelease:
		if c := h.calls[p.GSSI]; c != nil {
			h.setTalker(now, p.GSSI, c, 0)
			delete(h.calls, p.GSSI)
			if h.tx != nil && h.tx.gssi == p.GSSI {
				h.tx = nil
			}
		}
	case cmce.DSDSData:
		if p.Dest == h.ISSI && !p.DestGroup {
			h.queueUL(cmce.PDU{Type: cmce.UAck, SSI: h.ISSI, MsgRef: p.MsgRef, Frag: p.Frag}, nil)
		}
		h.rxSDS(now, p)
	}
}

// grantResult handles D-TX-GRANTED addressed to this handset that does not grant.
func (h *Handset) grantResult(now clock.Slot, p cmce.PDU) {
	if h.tx == nil || h.tx.gssi != p.GSSI {
		return
	}
	switch p.Grant {
	case cmce.Queued:
		h.C.Queued++
	case cmce.Rejected, cmce.NotGranted:
		h.C.Rejected++
		h.tx = nil
	}
}

// setTalker updates who holds the floor in gssi.
func (h *Handset) setTalker(now clock.Slot, gssi uint32, c *callInfo, talker uint32) {
	if c.talker != talker {
		if c.rxStarted && h.crypto != nil {
			h.crypto.RxEnd(gssi)
		}
		c.rxStarted = false
	}
	c.talker = talker
	tx := h.tx
	if tx == nil || tx.gssi != gssi {
		return
	}
	switch {
	case talker == h.ISSI && !tx.granted:
		h.txSeq++
		tx.granted, tx.started, tx.seq = true, now, h.txSeq
		h.C.Grants++
	case talker != h.ISSI && talker != 0 && tx.granted:
		h.C.Preempted++ // another party took the floor
		h.tx = nil
	}
}

func (h *Handset) rxSDS(now clock.Slot, p cmce.PDU) {
	if p.SSI == h.ISSI {
		return // our own group message, repeated on the downlink
	}
	payload, ok := h.reasm.Add(p)
	if !ok {
		return
	}
	// SDS-TL duplicate detection (EN 300 392-2 clause 29.4: message reference):
	// a retransmitted fragment can complete the same message twice.
	k := sdsKey{from: p.SSI, dest: p.Dest, group: p.DestGroup, ref: p.MsgRef}
	if h.sdsSeen[k] {
		return
	}
	if h.sdsSeen == nil {
		h.sdsSeen = map[sdsKey]bool{}
	}
	h.sdsSeen[k] = true
	m := SDSMsg{AtS: now.Seconds(), From: p.SSI}
	if p.DestGroup {
		m.Group = p.Dest
	}
	switch p.PID {
	case cmce.PIDKMF:
		if h.crypto != nil {
			if err := h.crypto.KMF(now, payload); err != nil {
				return
			}
		}
		return
	case cmce.PIDE2EESDS:
		if h.crypto == nil {
			return
		}
		g := p.Dest
		if !p.DestGroup {
			g = 0 // individual: sealed under the sender's group key, which we look up
		}
		pt, err := h.crypto.OpenSDS(now, g, payload)
		if err != nil {
			m.Err = err.Error()
		} else {
			m.Text = string(pt)
		}
	default:
		m.Text = string(payload)
	}
	h.C.SDSReceived++
	h.SDSIn = append(h.SDSIn, m)
}

func (h *Handset) rxTraffic(now clock.Slot, gssi uint32, c *callInfo, blk *link.Block) {
	if c.talker == h.ISSI || c.talker == 0 || (h.tx != nil && h.tx.granted && h.tx.gssi == gssi) {
		return
	}
	j := now.TrafficFrame()
	arrive := (now + 1).Seconds()
	if !c.rxStarted {
		c.rxStarted, c.rxTalker, c.rxFirstJ, c.lastPos = true, c.talker, j, -1
		c.playBase = arrive + playoutDelayS
	}
	pos := int(2 * (j - c.rxFirstJ))
	// Positions of traffic slots that never arrived: conceal, and keep the
	// decryptor's frame counter in step.
	for p := c.lastPos + 1; p < pos; p++ {
		h.playFrame(now, gssi, c, p, nil, true, 0, -1, 0, true)
	}
	anchored := false
	if blk.Stolen && h.crypto != nil && link.IsUSignal(blk.STCH) {
		h.C.STCHReceived++
		if blk.CRCOK {
			ev := h.crypto.RxSTCH(now, gssi, blk.STCH[3:])
			anchored = ev.Err == nil && ev.Synced
		}
	}
	if link.IsUSignal(blk.STCH2) && h.crypto != nil && blk.CRCOK {
		h.C.STCHReceived++
		h.crypto.RxSTCH(now, gssi, blk.STCH2[3:])
	}
	for k := 0; k < 2; k++ {
		bad := blk.BFI[k] || (k == 0 && blk.Stolen) || len(blk.STCH2) > 0
		if !bad && blk.Unreliable[k] && h.crypto != nil && c.encrypted {
			// The parity passed but the channel decoder's soft bits point to
			// residual class-1 errors, which the E2EE tags cover
			// (e2ee-design.md §5.5) and the parity does not: treat the frame
			// as a BFI (concealed, its sub-window unverifiable) rather than
			// let a channel error pass for tampering. Clear calls play it.
			bad = true
			h.C.FramesUnreliable++
		}
		// The frame counter: a speech position advances it (MissedFrame when
		// bad); a stolen position carried a SAF, whose FC_next re-anchors the
		// decryptor when accepted, else the position counts as missed; tail
		// slots (both halves stolen) carry no speech positions.
		count := !(k == 0 && blk.Stolen && anchored) && len(blk.STCH2) == 0
		h.playFrame(now, gssi, c, pos+k, blk.Speech[k], bad, blk.CaptureS[k], blk.Pos+k, blk.TxSeq, count)
		if arrive > c.playBase+float64(pos+k)*FrameS {
			h.C.FramesLate++
		}
	}
	c.lastPos = pos + 1
}

func (h *Handset) playFrame(now clock.Slot, gssi uint32, c *callInfo, pos int, bits []byte, bad bool, capture float64, txPos, txSeq int, count bool) {
	f := Frame{Talker: c.talker, Pos: txPos, TxSeq: txSeq, PlayS: c.playBase + float64(pos)*FrameS, CaptureS: capture}
	var frame []byte
	if !bad && len(bits) == h.enc.BitsPerFrame() {
		frame = append([]byte(nil), bits...)
	} else {
		bad = true
	}
	playable := !bad
	if !c.encrypted && h.secureOnly[gssi] {
		// A call announced as clear in a secure-only talkgroup: refuse it.
		if count {
			h.C.ClearRefused++
		}
		playable = false
	} else if h.crypto != nil && c.encrypted && count {
		playable = h.crypto.RxFrame(now, gssi, frame, bad)
		if !playable && !bad {
			h.C.FramesNoSync++
		}
	}
	h.C.FramesReceived++
	if !playable {
		h.C.FramesConcealed++
		frame = nil
	}
	dec := h.decs[c.talker]
	if dec == nil {
		var err error
		if dec, err = h.newCodec(); err != nil {
			return
		}
		h.decs[c.talker] = dec
	}
	f.PCM = make([]int16, dec.SamplesPerFrame())
	dec.Decode(f.PCM, frame, !playable)
	f.Bits, f.Bad = frame, !playable
	if playable {
		if lc, ok := h.lateCand[gssi]; ok {
			h.C.LateEntryS = max(h.C.LateEntryS, now.Seconds()-lc.Seconds()) // the worst one
			delete(h.lateCand, gssi)
		}
		if h.C.JoinToAudioS < 0 {
			h.C.JoinToAudioS = f.PlayS - h.JoinAt.Seconds()
		}
	}
	h.Received = append(h.Received, f)
}

// Uplink fills blk with what the handset transmits in uplink slot now (uplink
// timeslot tn) and reports whether it transmits.
func (h *Handset) Uplink(now clock.Slot, tn int, blk *link.Block) bool {
	if !h.on {
		return false
	}
	blk.Reset()
	blk.TxID = h.ISSI
	if tn == MCCH {
		if len(h.ul) == 0 || h.ul[0].waiting || now < h.backoffUntil {
			return false
		}
		it := h.ul[0]
		var err error
		h.scratch, err = cmce.AppendMAC(h.scratch[:0], mac.Uplink, &it.p)
		if err != nil {
			h.ul = h.ul[1:]
			return false
		}
		it.tries++
		h.C.RandomAccessTries++
		if it.answer == nil {
			h.ul = h.ul[1:]
		} else {
			it.waiting, it.sentAt = true, now
		}
		blk.Kind = link.Control
		blk.Sig = append(blk.Sig[:0], h.scratch...)
		return true
	}
	tx := h.tx
	c := h.calls[0]
	if tx != nil {
		c = h.calls[tx.gssi]
	}
	if tx == nil || !tx.granted || c == nil || int(c.tn) != tn || now.IsControlFrame() {
		return false
	}
	return h.uplinkTraffic(now, tx, blk)
}

func (h *Handset) uplinkTraffic(now clock.Slot, tx *txState, blk *link.Block) bool {
	if tx.total == 0 {
		return false // granted in this very slot: nothing captured yet
	}
	done := tx.captured >= tx.total
	if !tx.sending {
		if len(tx.fifo) < PrimeFrames && !done {
			return false
		}
		tx.sending, tx.firstJ = true, now.TrafficFrame()
		if h.crypto != nil {
			saf, err := h.crypto.StartTx(now, tx.gssi)
			if err == nil {
				tx.stchNext = saf
			}
		}
	}
	// Positions advance with the slot structure even over a gap.
	want := int(2 * (now.TrafficFrame() - tx.firstJ))
	for tx.pos < want {
		h.sendFrame(tx, nil, true, true)
	}
	blk.Kind = link.Traffic
	blk.Pos, blk.TxSeq = tx.pos, tx.seq
	if len(tx.fifo) == 0 && done {
		// Speech is over: the tail STCH blocks (final SAF, EOT-SIG) steal both
		// halves of the following slots, then PTT is released.
		if !tx.tailBuilt {
			tx.tailBuilt = true
			if h.crypto != nil {
				tx.tail, _ = h.crypto.EndTx(now, tx.gssi)
			}
		}
		if len(tx.tail) == 0 {
			h.endTx(tx)
			return false
		}
		blk.Stolen = true
		blk.STCH = stch(blk.STCH[:0], true, tx.tail[0])
		tx.tail = tx.tail[1:]
		var second []byte
		if len(tx.tail) > 0 {
			second, tx.tail = tx.tail[0], tx.tail[1:]
		}
		blk.STCH2 = stch(blk.STCH2[:0], false, second)
		h.sendFrame(tx, nil, true, false)
		h.sendFrame(tx, nil, true, false)
		return true
	}
	if len(tx.fifo) < 2 && !done {
		h.C.SenderUnderruns++
		h.sendFrame(tx, nil, true, true)
		h.sendFrame(tx, nil, true, true)
		return false
	}
	steal := tx.stchNext != nil
	// Deviation from e2ee-design.md §5.5 (one SAF at the start, then every 16
	// slots): the second traffic slot of a transmission repeats a SAF, so a
	// receiver that loses the start SAF in a fade is not deaf for a whole SAF
	// interval. It costs one speech frame per transmission.
	repeat := tx.slots == 1 && RepeatStartSAF
	if !steal && h.crypto != nil && (repeat || h.crypto.SAFDue(tx.gssi)) {
		if saf, err := h.crypto.NextSAF(now, tx.gssi); err == nil {
			tx.stchNext, steal = saf, true
		}
	}
	for k := 0; k < 2; k++ {
		var f *Frame
		if len(tx.fifo) > 0 {
			f = &tx.fifo[0]
			tx.fifo = tx.fifo[1:]
		}
		if k == 0 && steal {
			h.C.FramesStolen++
			h.sendFrame(tx, f, true, false) // the SAF took this position's FC
			continue
		}
		if f == nil {
			// Nothing to send at this position (should not happen: the talk is
			// padded to whole slots): an all-zero frame, encrypted like speech so
			// the tags still cover what is on the air.
			z := make([]byte, h.enc.BitsPerFrame())
			h.sendFrame(tx, nil, true, false)
			if h.crypto != nil {
				_ = h.crypto.EncryptFrame(tx.gssi, z, false)
			}
			blk.Speech[k] = append(blk.Speech[k][:0], z...)
			continue
		}
		blk.CaptureS[k] = f.CaptureS
		ct := append([]byte(nil), f.Bits...)
		h.sendFrame(tx, f, false, false)
		if h.crypto != nil {
			if err := h.crypto.EncryptFrame(tx.gssi, ct, false); err != nil {
				clear(ct)
			}
		}
		blk.Speech[k] = append(blk.Speech[k][:0], ct...)
	}
	if steal {
		blk.Stolen = true
		blk.STCH = stch(blk.STCH[:0], false, tx.stchNext)
		tx.stchNext = nil
	}
	tx.slots++
	return true
}

// sendFrame logs a transmitted frame position (f nil or skip: the position is
// lost) with the sender-side local decode, and advances the encryptor's counter
// for skipped positions.
func (h *Handset) sendFrame(tx *txState, f *Frame, skip, consume bool) {
	rec := Frame{Talker: h.ISSI, TxSeq: tx.seq, Pos: tx.pos, PlayS: h.now.Seconds()}
	if f != nil {
		rec.Mic = f.Mic
	}
	rec.PCM = make([]int16, h.local.SamplesPerFrame())
	if f != nil && !skip {
		rec.Bits, rec.CaptureS = f.Bits, f.CaptureS
		h.local.Decode(rec.PCM, f.Bits, false)
		h.C.FramesSent++
	} else {
		rec.Bad = true
		if f != nil {
			rec.CaptureS = f.CaptureS
		}
		h.local.Decode(rec.PCM, nil, true)
		if h.crypto != nil && consume {
			_ = h.crypto.EncryptFrame(tx.gssi, nil, true)
		}
	}
	h.Sent = append(h.Sent, rec)
	tx.pos++
}

func (h *Handset) endTx(tx *txState) {
	h.queueUL(cmce.PDU{Type: cmce.UTxCeased, SSI: h.ISSI, GSSI: tx.gssi}, func(p cmce.PDU) bool {
		return p.GSSI == tx.gssi && (p.Type == cmce.DTxCeased || p.Type == cmce.DRelease ||
			(p.Type == cmce.DSetup && p.Talker != h.ISSI))
	})
	h.tx = nil
}

// stch builds an STCH block: a MAC-U-SIGNAL PDU (EN 300 392-2 clause 21.4.5:
// type 11, the second-half-stolen flag) whose 121-bit TM-SDU is sdu (zeros when
// sdu is nil: a fill half-slot).
func stch(dst []byte, secondStolen bool, sdu []byte) []byte {
	dst = append(dst, 1, 1, 0)
	if secondStolen {
		dst[len(dst)-1] = 1
	}
	if sdu == nil {
		return append(dst, make([]byte, link.SAFBits)...)
	}
	return append(dst, sdu...)
}

// CryptoStats returns the E2EE counters (zero for the clear profile).
func (h *Handset) CryptoStats() CryptoStats {
	if h.crypto == nil {
		return CryptoStats{}
	}
	return h.crypto.Stats()
}

// Reselect moves the handset to another cell (cell reselection, EN 300 392-2
// clause 18.3.4, simplified): it drops its calls and any transmission in
// progress and registers again, with its group attachments, in the new cell;
// a call running there reaches it by late entry.
func (h *Handset) Reselect(now clock.Slot) {
	if !h.on {
		return
	}
	h.C.Reselections++
	if h.tx != nil && h.crypto != nil {
		_, _ = h.crypto.EndTx(now, h.tx.gssi)
	}
	h.tx = nil
	for g, c := range h.calls {
		if c.rxStarted && h.crypto != nil {
			h.crypto.RxEnd(g)
		}
		delete(h.calls, g)
	}
	clear(h.lateCand)
	h.registered = false
	h.ul = h.ul[:0]
	h.backoffUntil = now
	h.queueUL(cmce.PDU{Type: cmce.ULocationUpdateDemand, SSI: h.ISSI, Groups: h.Groups}, func(p cmce.PDU) bool {
		return p.Type == cmce.DLocationUpdateAccept && p.SSI == h.ISSI
	})
}
