// Package e2ee implements tetrasim E2EE v1, the end-to-end encryption of tetrasim's
// TETRA-style radio stack, as proposed in docs/e2ee-design.md (§4–§5) and pinned
// down here. It uses HKDF-SHA256 [RFC 5869], HMAC-SHA256 [RFC 2104], AES-256
// (FIPS 197) in CTR mode and GCM, ChaCha20 and ChaCha20-Poly1305 [RFC 8439],
// X25519 [RFC 7748] through HPKE [RFC 9180], Ed25519 [RFC 8032], Argon2id
// [RFC 9106], and the anti-replay window of [RFC 6479]. It imports nothing of
// tetrasim: radio bits are opaque here (unpacked bits, one per byte, first
// transmitted bit first).
//
// # Overview
//
// A KMF (key-management facility) holds talkgroups and members. Every membership
// change and every KMF.RekeyInterval starts a new epoch e of a talkgroup G: a
// random 32-byte epoch secret ES_e, HPKE-wrapped to each member's X25519 key in a
// KeyWrap (one SDS each) and announced in an Ed25519-signed EpochAnnounce. Devices
// hold a Member, feed it the KMF's SDS payloads with Member.Apply, and get a
// Sender and a Receiver per talkgroup:
//
//	kmf, _ := e2ee.NewKMF(e2ee.KMFConfig{})
//	id, _ := e2ee.NewIdentity(1001, nil)           // per device
//	kmf.AddDevice(id.Public())
//	m, _ := e2ee.NewMember(id, kmf.PublicKey(), e2ee.MemberConfig{Now: clock})
//	kmf.AddTalkgroup(G, e2ee.SuiteAES, 0)
//	msgs, _ := kmf.AddMember(G, 1001)              // new epoch: roster, announce, wraps
//	for each msg, payload: m.Apply(payload)        // over the air as SDS
//
//	tx, _ := m.Sender(G)                           // talker
//	saf, _ := tx.NextSAF(nil)                      // start SAF: first stolen half-slot
//	tx.SealVoice(ct, frame)                        // 31 frames; ErrSAFDue when a SAF is due
//	saf, _ = tx.NextSAF(nil)                       // every 16 slots
//	stch, _ := tx.End()                            // final SAF + 5 EOT-SIG fragments
//
//	rx, _ := m.Receiver(G)                         // listener
//	rx.AcceptSTCH(saf)                             // SAFs and EOT fragments
//	rx.OpenVoice(pt, ct)  or  rx.MissedFrame()     // every frame position, in order
//
//	sds, _ := m.SealSDS(G, nil, text)              // short data, AES-256-GCM
//	text, info, err := m.OpenSDS(G, nil, sds)
//
// Keys derive as in e2ee-design.md §5.3: PRK = HKDF-Extract(salt(suite, G, e),
// ES_e); per sender s a voice chain CK[s,i] ratcheted by HMAC every 4096 frames,
// segment keys K_enc, K_mac, salt96; and a data chain for SDS.
//
// Voice (§5.4): each 137-bit ACELP frame is XOR'd with 137 keystream bits from
// AES-256-CTR (or ChaCha20) under nonce96 = salt96 XOR FC. No expansion, and a
// channel bit error stays one bit error. The frame counter FC counts every 30 ms
// frame position of the sender in (G, e), including positions taken by SAFs; it is
// never derived from network time.
//
// # Sync+Auth Frame layout
//
// One SAF fills one stolen half-slot (121-bit TM-SDU). Layout, MSB first:
//
//	type 3 | epoch tag 4 | sender 14 | FC_next 24 | t_min 12 | 4 x tag 16   = 121
//
// Deviation from e2ee-design.md §5.5 (type 3 | epoch 8 | sender 8 | FC 24 |
// t_min 12 | tags 64 | reserved 2): 10,000-member talkgroups need a sender index of
// at least 14 bits. The epoch field is cut from e mod 256 to e mod 16 (a device
// holds at most {e-1, e, e+1}, so 4 bits select unambiguously) and the 2 reserved
// bits are used, so the sender grows to 14 bits (16,384 senders) with FC, t_min and
// all 64 tag bits unchanged. The full 32-bit epoch and the 16-bit sender are bound
// into every tag and every key (labels "voice chain" || s(16b), "data chain" ||
// s(16b)). Type 3 (proposed "reserved") marks the start SAF of a transmission.
//
// Tags: tag_j = Trunc16(HMAC-SHA256(K_mac, hdr || j || FC_next || t_min ||
// FC_first_j || FC_last_j || C_j)) over the ciphertext class-1 and class-2 bits (86
// per frame) of the speech frames since the previous SAF, in 4 contiguous
// slot-aligned sub-windows (7/8/8/8 for 31 frames). Improvement on the design:
// the SAF's own FC_next and t_min and the window index j are bound into every
// tag, and the start SAF (no frames yet) carries 4 tags over its own fields. So
// an outsider cannot move a SAF's counter or time without failing every
// verifiable window, and cannot forge a start SAF (2^-64). A sub-window with a
// missing or BFI frame is unverifiable, neither pass nor fail.
//
// Deviation from e2ee-design.md §5.5: the 31 frames between two SAFs are split
// 7/8/8/8, not 8/8/8/7, because the sub-windows must follow the slots. A SAF
// takes the first half of a traffic slot, so the 31 frames are the lone frame in
// its second half and then 15 full TCH/S slots of 2 frames, and both frames of a
// slot share one channel-coding block and one parity (EN 300 395-2 V1.3.1 clause
// 5): a bad slot usually damages both. With 8/8/8/7 every sub-window boundary
// falls inside a slot, so one bad slot could fail two sub-windows and, with the
// default tamper threshold of 2, one channel event raised TAMPER and muted the
// sender. With 7/8/8/8 (the lone frame and 3 slots, then 4 slots each) one bad
// slot touches at most one sub-window. Other frame counts (the final SAF, other
// SAF intervals) are split the same way, by whole slots.
//
// EOT-SIG (§5.8): 5 STCH fragments (type 1, index 3 bits, 115 payload bits) carry
// epoch tag 4 | sender 14 | FC_end 24 | Ed25519 signature 512 | zero 21 over
// SHA-256("tetrasim/e2ee/v1 eot" || suite || G || e || s || FC_first || the tags of
// every SAF in order || FC_end).
//
// # Key management
//
// Improvement on e2ee-design.md §5.10: the design signs a hash of all the wraps in
// the EpochAnnounce, which a member cannot check without every other member's wrap.
// Here the signed announce carries a commitment SHA-256("...es" || G || e || ES_e);
// a member accepts an unwrapped ES_e only if it matches. The KeyWrap itself needs no
// signature, and the HPKE info binds suite, G, e, s, device and the roster hash.
// Changeover: a new epoch is installed at once, becomes active at its announced
// activation time, and the previous epoch stays usable for receiving for the grace
// period; senders stay in the epoch a transmission started in. The maximum lifetime
// makes a group fail closed (ErrEpochExpired) if rekeys are suppressed.
//
// Post-quantum option (e2ee-design.md §5.10): KMF.SetPostQuantum makes a talkgroup
// wrap with HPKE over ML-KEM-768+X25519 (crypto/hpke MLKEM768X25519); devices need
// Identity.AddPostQuantum. A wrap is then 1181 bytes, 5 SDS. Only the X25519 key
// rotates over the air (DeviceKeyUpdate); the post-quantum key is set at the desk.
//
// Nonce rule across reboots: the frame and SDS counters are reserved in blocks
// (4096 frames, 256 messages) and Member.Persist is called before a block is used;
// a restored Member resumes above the reservation, so no (key, nonce) repeats.
//
// # Details pinned (e2ee-design.md §5.13)
//
//   - EOT-SIG fragment header: type 1 (3 bits) || fragment index 0..4 (3 bits); the
//     575-bit payload layout is above. Known answers in testdata/kat.txt.
//   - EpochAnnounce, KeyWrap, RosterUpdate and DeviceKeyUpdate layouts: see those
//     types (msg.go). A KeyWrap is 93 bytes, 98 with its SDS fragment header (the
//     design's estimate was 88); an EpochAnnounce is 158 (163) bytes.
//   - Roster hash: SHA-256("tetrasim/e2ee/v1 roster" || G || n || (s || device ||
//     Ed25519 key) sorted by s).
//   - Trusted time: the clock passed in MemberConfig.Now (GNSS or the local RTC);
//     network time is never an input. t_min counts whole minutes since the epoch's
//     activation, mod 4096.
//   - t_min tolerance: a SAF is refused if the circular distance (mod 4096) between
//     its t_min and the receiver's own is more than Receiver.TimeTolerance (default
//     2 min). The circular distance makes the check work near epoch start, where a
//     sender with a slightly slow clock gives t_min = 4095 ("minus one").
//   - Replay high-water mark (§5.6), per (G, e, s): raised by a SAF with at least
//     one verified tag (a start SAF's tags cover its own fields, so a genuine
//     start SAF always raises it) and by a verified EOT-SIG, whose signature
//     covers FC_end; never by a SAF none of whose tags could be checked, since an
//     outsider could then set it high and lock the sender out for the epoch. A
//     receiver that verified nothing of a transmission (a late joiner under loss)
//     has only t_min against a replay of it.
//   - Frame counter: every frame position consumes one FC (speech frames and
//     SAFs); a SAF at FC f carries FC_next = f+1 and its tags cover the speech
//     frames since the previous SAF, split 7/8/8/8 by whole slots (above).
//
// Forward secrecy: by default an epoch's secret and PRK are kept while the epoch
// is installed (a receiver derives any sender's chain on demand, cheap for
// simulators with many handsets) and wiped after the grace period, so forward
// secrecy has epoch granularity. With MemberConfig.ForwardSecure the member
// derives every sender's chain key and SDS keys at install time (the announce
// carries the sender-index span), erases ES and PRK at once, and from then on holds
// only chain keys that the ratchet overwrites: a device state stolen in segment i
// cannot rebuild segments before i (e2ee-design.md §5.3). Cost for 10,000 senders:
// about 40 ms and 1.5 MB per epoch.
//
// # Threat model (e2ee-design.md §4, §5.11)
//
// A compromised base station (or SwMI, or fake base station) sits on the path and
// sees every burst. It CAN: see metadata (who talks, when, in which group, sender
// index, FC, SDS counters, message sizes); drop, jam, delay or reorder traffic;
// replay recordings (receivers reject replayed SAFs by the per-sender FC high-water
// mark and by t_min, replayed SDS by the counter window, and show amber or red);
// spoof network time (no effect: nothing here uses it); clear the encryption flag
// (that is the caller's policy: secure-only groups must refuse clear audio);
// suppress rekey messages (members then fail closed at the epoch's maximum
// lifetime); flip class-0 voice bits, which the tags leave out on purpose, to
// degrade speech. It CANNOT: decrypt voice or SDS (keys exist only in the terminals
// and the KMF); forge voice that passes the tags (2^-16 per sub-window attempt, and
// each failure counts towards TAMPER) or SDS (2^-128); cause keystream reuse (the
// nonce is the sender's own (e, s, FC)); impersonate the KMF (its Ed25519 key is
// pinned) or open a key wrap; let a removed member read later epochs, or a stolen
// device read epochs erased before the theft.
//
// A malicious member holds the group keys and can forge the tags "as" another
// sender in real time; the EOT-SIG exposes this at the end of the transmission. A
// receiver that joins late cannot verify the SAF it syncs on (its windows cover
// frames it did not hear): it plays audio as amber until the next SAF verifies.
//
// Not in scope: denial of service, traffic analysis, a compromised KMF, terminal
// malware, side channels. Go cannot guarantee that secrets are erased: Wipe methods
// zero the buffers this package owns, but crypto/hpke and crypto/ecdh keep opaque
// copies and the garbage collector may have moved data.
//
// # Concurrency
//
// KMF, Member and the Senders and Receivers made from a Member are not safe for
// concurrent use; a simulator runs each handset in one goroutine. There is no
// package-level mutable state.
//
// [RFC 5869]: https://www.rfc-editor.org/rfc/rfc5869
// [RFC 2104]: https://www.rfc-editor.org/rfc/rfc2104
// [RFC 8439]: https://www.rfc-editor.org/rfc/rfc8439
// [RFC 7748]: https://www.rfc-editor.org/rfc/rfc7748
// [RFC 9180]: https://www.rfc-editor.org/rfc/rfc9180
// [RFC 8032]: https://www.rfc-editor.org/rfc/rfc8032
// [RFC 9106]: https://www.rfc-editor.org/rfc/rfc9106
// [RFC 6479]: https://www.rfc-editor.org/rfc/rfc6479
package e2ee
