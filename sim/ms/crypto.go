package ms

import "github.com/tetrasim/tetrasim/sim/clock"

// Crypto is the end-to-end encryption a handset applies between its speech codec
// and its channel coder (e2ee-design.md §5.4-§5.10). The simulator implements it
// on top of package e2ee; a nil Crypto means the clear cipher profile.
//
// Frames are 137 unpacked bits, encrypted and decrypted in place. Everything is
// per talkgroup gssi; a transmission runs from StartTx to EndTx.
type Crypto interface {
	// StartTx begins a transmission to gssi and returns the first STCH TM-SDU
	// (121 bits, a SAF) to send in the first stolen half-slot.
	StartTx(now clock.Slot, gssi uint32) ([]byte, error)
	// EncryptFrame encrypts the next speech frame position in place; skip marks a
	// speech position with no frame to send (its counter value and keystream are
	// used up). Positions taken by a SAF are counted by NextSAF, not here.
	EncryptFrame(gssi uint32, frame []byte, skip bool) error
	// SAFDue reports whether the next traffic slot must steal a half-slot for a SAF,
	// and NextSAF returns that SAF (121 bits).
	SAFDue(gssi uint32) bool
	NextSAF(now clock.Slot, gssi uint32) ([]byte, error)
	// EndTx ends the transmission and returns the STCH blocks (final SAF and
	// EOT-SIG fragments) to send during hang time.
	EndTx(now clock.Slot, gssi uint32) ([][]byte, error)

	// RxSTCH hands the receiver a decoded STCH TM-SDU of a transmission in gssi.
	RxSTCH(now clock.Slot, gssi uint32, stch []byte) RxEvent
	// RxFrame decrypts a received speech frame in place. bad marks a BFI, or a
	// stolen position whose STCH was lost (the position still counts). It returns false when the frame cannot be played (no sync
	// yet: late entry; muted after a tamper alarm): the handset conceals it.
	RxFrame(now clock.Slot, gssi uint32, frame []byte, bad bool) bool
	// RxEnd closes the receiver's view of the current transmission in gssi.
	RxEnd(gssi uint32)

	// SealSDS encrypts an SDS for a talkgroup or an individual and returns the
	// payload to put on the air.
	SealSDS(gssi uint32, plaintext []byte) ([]byte, error)
	// OpenSDS decrypts an SDS payload received for gssi.
	OpenSDS(now clock.Slot, gssi uint32, payload []byte) ([]byte, error)
	// KMF processes a key-management message from the KMF.
	KMF(now clock.Slot, payload []byte) error
	// Stats returns the cumulative verification and replay counters.
	Stats() CryptoStats
}

// RxEvent is what a received STCH did.
type RxEvent struct {
	Synced   bool // the receiver is (now) synchronised to the transmission
	Verified int  // sub-windows whose tags verified
	Failed   int  // sub-windows whose tags failed
	Replay   bool // rejected as a replay (FC at or below the high-water mark)
	Err      error
}

// CryptoStats are cumulative E2EE counters of one handset.
type CryptoStats struct {
	SAFsAccepted      int `json:"safs_accepted"`
	SAFsRejected      int `json:"safs_rejected"`
	WindowsVerified   int `json:"windows_verified"`
	WindowsFailed     int `json:"windows_failed"`
	WindowsUnverified int `json:"windows_unverified"`
	ReplayRejections  int `json:"replay_rejections"`
	SDSOpened         int `json:"sds_opened"`
	SDSFailed         int `json:"sds_failed"`
	KMFAccepted       int `json:"kmf_accepted"`
	KMFRejected       int `json:"kmf_rejected"`
	FramesMuted       int `json:"frames_muted"`
	EOTVerified       int `json:"eot_signatures_verified"`
	EOTFailed         int `json:"eot_signatures_failed"`
}
