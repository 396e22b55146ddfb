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
// # Determinism
//
// Keys, plaintexts and identities come from Options.Seed (math/rand/v2 PCG and
// ChaCha8), and every clock is virtual, so a seed gives the same figures, except
// measured run times and the HPKE encapsulation randomness inside crypto/hpke,
// which do not change any figure. There is no package-level mutable state.
package teach
