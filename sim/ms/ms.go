// Package ms models a tetrasim handset (mobile station): registration with group
// attach, group calls with push-to-talk floor control, TCH/S speech with frame
// stealing for the E2EE Sync+Auth Frames, late entry, end-to-end encrypted SDS and
// key management from the KMF, all over the PDUs of sim/cmce and the blocks of
// sim/link (EN 300 392-2 V3.2.1 (2007-09) clauses 14, 16, 29; e2ee-design.md §5).
//
// Handset state machine:
//
//	off ──(power on)──► registering ──(D-LOCATION-UPDATE-ACCEPT)──► idle
//	idle ──(D-SETUP for a group)──► listening on TN ──(D-RELEASE)──► idle
//	idle/listening ──(PTT: U-SETUP or U-TX-DEMAND)──► requesting
//	requesting ──(D-CONNECT / D-TX-GRANTED granted)──► talking
//	requesting ──(D-TX-GRANTED queued)──► queued ──(granted later)──► talking
//	talking ──(PTT released: U-TX-CEASED)──► listening
//	talking ──(D-SETUP/D-TX-GRANTED naming another talker: pre-empted)──► listening
//
// Uplink signalling uses random access on the MCCH with stop-and-wait
// retransmission and random back-off from the injected *rand.Rand.
//
// A Handset is not safe for concurrent use.
package ms

import (
	"math/rand/v2"

	"github.com/tetrasim/tetrasim/codec/voice"
	"github.com/tetrasim/tetrasim/sim/clock"
	"github.com/tetrasim/tetrasim/sim/cmce"
)

// MCCH is the main control channel timeslot.
const MCCH = 1

// Random access timing.
const (
	respTimeout = 6 * clock.SlotsPerFrame // wait for the answer to an uplink PDU
	maxBackoff  = 8                       // frames
	maxTries    = 10
	// PrimeFrames is how many speech frames the talker buffers before its first
	// traffic slot, so that 2 frames per slot never run dry over frame 18.
	PrimeFrames = 4
)

// Talk is one scheduled push-to-talk press.
type Talk struct {
	GSSI     uint32
	At       clock.Slot
	Duration clock.Slot // PTT hold time
	PCM      []int16    // microphone, 8 kHz
	Priority uint8
}

// Frame is one speech frame as transmitted (sender log) or played (receiver log).
type Frame struct {
	Talker   uint32
	TxSeq    int     // the talker's transmission number (1-based)
	Pos      int     // position in the talker's transmission (-1: unknown)
	Mic      []int16 // sender: the microphone samples the frame coded
	Bits     []byte  // 137 plaintext bits (nil when concealed)
	Bad      bool    // concealed (BFI, stolen, no sync, muted)
	PlayS    float64 // when the frame starts playing [s] (receiver) or was sent (sender)
	CaptureS float64 // when its first sample entered the microphone [s]
	PCM      []int16 // decoded audio (receiver), or the sender-side local decode
}

// Counters are the handset's plain metrics.
type Counters struct {
	RegisteredAtS     float64 `json:"registered_at_s"`
	RandomAccessTries int     `json:"random_access_tries"`
	RandomAccessFail  int     `json:"random_access_failures"`
	FramesSent        int     `json:"frames_sent"`
	FramesStolen      int     `json:"frames_stolen"`
	SenderUnderruns   int     `json:"sender_underruns"`
	FramesReceived    int     `json:"frames_received"`
	FramesConcealed   int     `json:"frames_concealed"`
	FramesNoSync      int     `json:"frames_no_sync"`
	// FramesUnreliable counts frames of encrypted calls concealed because the
	// channel decoder flagged them (link.Block.Unreliable) though their
	// parity passed.
	FramesUnreliable int   `json:"frames_unreliable"`
	FramesLate       int   `json:"frames_late"`
	STCHReceived     int   `json:"stch_received"`
	ControlRx        int   `json:"control_blocks"`
	ControlCRCFail   int   `json:"control_crc_fail"`
	TrafficRx        int   `json:"traffic_blocks"`
	BitErrors        int64 `json:"bit_errors"`
	Bits             int64 `json:"bits"`
	Grants           int   `json:"floor_grants"`
	Queued           int   `json:"floor_queued"`
	Preempted        int   `json:"preempted"`
	Rejected         int   `json:"floor_rejected"`
	SDSSent          int   `json:"sds_sent"`
	SDSReceived      int   `json:"sds_received"`
	// ClearRefused counts frames of calls announced as clear in a secure-only
	// talkgroup, which the handset refuses to play ("red", a downgrade).
	ClearRefused int `json:"clear_frames_refused"`
	// Reselections counts moves to another cell.
	Reselections int `json:"cell_reselections"`
	// LateEntryS is, for a handset that joined a running call (powered on late,
	// or after moving to another cell), the time from learning of the call
	// (D-SETUP) to its first played speech frame [s], the worst if several; -1
	// if it never joined one late.
	LateEntryS float64 `json:"late_entry_s"`
	// JoinToAudioS is the time from power-on to the first played frame [s], -1 if none.
	JoinToAudioS float64 `json:"join_to_audio_s"`
}

// SDSMsg is a received short data message.
type SDSMsg struct {
	AtS   float64 `json:"at_s"`
	From  uint32  `json:"from"`
	Group uint32  `json:"group,omitempty"`
	Text  string  `json:"text"`
	Err   string  `json:"error,omitempty"`
}

type uplinkItem struct {
	p       cmce.PDU
	answer  func(cmce.PDU) bool // nil: no answer expected
	tries   int
	sentAt  clock.Slot
	waiting bool
}

type callInfo struct {
	id        uint16
	tn        uint8
	talker    uint32
	encrypted bool
	knownAt   clock.Slot
	// receive state of the current transmission
	rxTalker  uint32
	rxFirstJ  int64
	rxStarted bool
	playBase  float64
	lastPos   int
}

type txState struct {
	talk      *Talk
	gssi      uint32
	granted   bool
	started   clock.Slot // grant slot: speech starts here
	fifo      []Frame
	captured  int // frames captured so far
	total     int // frames in the talk
	pos       int // next position (FC offset) to transmit
	seq       int // transmission number
	slots     int // traffic slots sent
	firstJ    int64
	sending   bool
	tailBuilt bool
	tail      [][]byte // STCH blocks to send after the last frame
	stchNext  []byte
}

// Handset is one mobile station.
type Handset struct {
	ISSI     uint32
	Name     string
	Groups   []uint32
	Priority uint8
	JoinAt   clock.Slot
	Encrypt  bool

	rng      *rand.Rand
	crypto   Crypto
	enc      voice.Codec // speech encoder (one direction)
	local    voice.Codec // sender-side local decoder
	decs     map[uint32]voice.Codec
	newCodec func() (voice.Codec, error)

	on, registered bool
	ul             []*uplinkItem
	backoffUntil   clock.Slot
	calls          map[uint32]*callInfo
	talks          []*Talk
	tx             *txState
	sds            []sdsOut
	reasm          cmce.Reassembler
	sdsSeen        map[sdsKey]bool
	secureOnly     map[uint32]bool
	msgRef         uint16
	txSeq          int
	now            clock.Slot
	lateCand       map[uint32]clock.Slot

	// Logs read by the simulator after (or during) the run.
	Sent     []Frame
	Received []Frame
	SDSIn    []SDSMsg
	C        Counters
	scratch  []byte
	pcm      []int16
}

type sdsOut struct {
	at   clock.Slot
	dest uint32
	grp  bool
	text []byte
}

// Config configures a handset.
type Config struct {
	ISSI     uint32
	Name     string
	Groups   []uint32
	Priority uint8
	JoinAt   clock.Slot
	Rand     *rand.Rand
	// Crypto is the E2EE layer; nil means the clear profile.
	Crypto Crypto
	// NewCodec returns a fresh speech codec (one per direction and talker).
	NewCodec func() (voice.Codec, error)
	// SecureOnly lists talkgroups that refuse clear audio (e2ee-design.md §5.11).
	SecureOnly []uint32
}

// New returns a handset that powers on at cfg.JoinAt.
func New(cfg Config) (*Handset, error) {
	h := &Handset{ISSI: cfg.ISSI, Name: cfg.Name, Groups: cfg.Groups, Priority: cfg.Priority,
		JoinAt: cfg.JoinAt, rng: cfg.Rand, crypto: cfg.Crypto, Encrypt: cfg.Crypto != nil,
		calls: map[uint32]*callInfo{}, decs: map[uint32]voice.Codec{}, lateCand: map[uint32]clock.Slot{}}
	h.C.LateEntryS, h.C.JoinToAudioS = -1, -1
	h.secureOnly = map[uint32]bool{}
	for _, g := range cfg.SecureOnly {
		h.secureOnly[g] = true
	}
	var err error
	if h.enc, err = cfg.NewCodec(); err != nil {
		return nil, err
	}
	if h.local, err = cfg.NewCodec(); err != nil {
		return nil, err
	}
	h.newCodec = cfg.NewCodec
	return h, nil
}

// sdsKey identifies a completed SDS for duplicate detection: sender,
// destination (24-bit SSIs) and message reference. (A packed uint64 let a
// destination's top byte alias the sender's low byte.)
type sdsKey struct {
	from, dest uint32
	group      bool
	ref        uint16
}
