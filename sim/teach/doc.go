// Package teach runs tetrasim's radio-security teaching demos (e2ee-design.md
// §8): each demo really performs an attack on one of the deliberately weak toy
// profiles of package e2ee/teach (aie-toy, tetra-e2ee-like, p25-like, m17-like),
// shows it succeed with measured numbers, then performs the same attack on
// tetrasim E2EE v1 (package e2ee) and shows it fail.
//
// # Scope
//
// Every attack here runs only against tetrasim's own toy ciphers and keys the
// demo generates itself (e2ee-design.md §6). There are no TEA, TAA or TCCA
// constants and nothing that can be pointed at third-party keys or traffic.
//
// # Results
//
// A demo returns a Result: one Side for the weak profile and one for
// tetrasim-v1, each with a short narrative, named figures (keys tried, bits
// that matched, frames played and rejected, tags failed) and whether the attack
// succeeded, plus optional speech (8 kHz PCM from the TETRA ACELP codec, real
// speech from voice.Clip) for a learner to listen to. The package prints
// nothing; cmd/tetrasim's "teach" command prints and writes WAV files.
//
// # Demos
//
//	#   name            maps to                      weak profile          file
//	1   eavesdrop       AIE vs E2EE                  clear, aie-toy        eavesdrop.go
//	2   brute-force     CVE-2022-24402               aie-toy               brute.go
//	3   aes56           CVE-2025-52941               tetra-e2ee-like 0x87  brute.go
//	4   time-rewind     CVE-2022-24401               aie-toy               keystream.go
//	5   nonce-reuse     two-time pad                 tetra-e2ee-like       keystream.go
//	6   bit-flip        CVE-2022-24404               all four toys         sds.go
//	7   voice-replay    CVE-2025-52940               tetra-e2ee-like       voice.go
//	8   voice-inject    CVE-2025-52940               tetra-e2ee-like       voice.go
//	9   sds-replay      CVE-2025-52942               tetra-e2ee-like       sds.go
//	13  m17-digest      M17 signature digest         m17-like              members.go
//	14  insider         group-MAC limits             tetra-e2ee-like       insider.go
//	16  removed-member  membership change, FS, PCS   tetra-e2ee-like       members.go
//
// Not here (e2ee-design.md §8): 10 (DCK pinning), 11 (identity encryption)
// and 12 (one key, two algorithms) need toy primitives that package
// e2ee/teach does not have and that tetrasim-v1 has no counterpart to; 15
// (late entry sweep) and 17 (downgrade) are properties of the whole radio
// network, which package sim simulates (scenario "downgrade", "secure_only").
//
// The tetrasim-v1 side uses a KMF and handsets of package e2ee on a virtual
// clock (v1.go): a transmission is start SAF, speech frames with a SAF every
// 16 slots, final SAF and five EOT-SIG fragments, fed to a Receiver position by
// position. Speech is voice.Clip("hts1a"/"hts2a") through the TETRA ACELP
// encoder; two frames make one 274-bit slot for the weak profiles (speech.go).
//
// # Determinism
//
// Keys, plaintexts and identities come from Options.Seed (math/rand/v2 PCG and
// ChaCha8), and every clock is virtual, so a seed gives the same figures, except
// measured run times and the HPKE encapsulation randomness inside crypto/hpke,
// which do not change any figure. There is no package-level mutable state.
package teach
