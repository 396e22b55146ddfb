// Package sim runs tetrasim's network simulation: handsets (sim/ms) and base
// stations (sim/bs) linked by an in-process core network, talking over the real
// lower-MAC coding chains (radio/lmac) and a per-link radio channel (sim/phy),
// with TETRA ACELP speech (codec/acelp) and, where integrated, end-to-end
// encryption (e2ee), all driven by a virtual TDMA clock (sim/clock) in slot steps
// and a single injected *rand.Rand, so the same scenario and seed give the same run.
//
// # Overview
//
//	scenario (YAML) ─► Sim ─┬─ Core ── BS per cell (MCCH on TN1, TCH/S on TN2..4)
//	                        ├─ Handsets (registration, PTT, SDS, speech in/out)
//	                        ├─ PHY per slot: lmac encode ─► DQPSK + fading + AWGN ─► decode
//	                        └─ roles: eavesdropper (air), compromised BS (what it relays)
//
// Per slot s the simulator: ticks the core and every handset; for each cell,
// sends the downlink slot s to every handset that listens to that timeslot; and
// collects the uplink slot s-2 (the uplink is two slots behind, EN 300 392-2
// clause 9.3), summing the signals of all handsets that transmit in it.
//
// # Invariants
//
// No package-level state; a Sim is not safe for concurrent use. The base station
// code (sim/bs) never imports e2ee.
//
// # Latency
//
// Mouth-to-ear latency is measured per frame from the capture of its first
// sample to the start of its playout: 30 ms of framing, the talker's priming
// buffer (PrimeFrames frames, so 2 frames per slot never run dry over frame 18),
// the wait for the uplink slot, one slot of interleaving (a TCH/S block spans the
// whole slot), the base station's relay to the next downlink traffic frame, and
// the receiver's one-TDMA-frame jitter buffer.
package sim
