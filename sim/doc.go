// Package sim runs tetrasim's network simulation: handsets (sim/ms) and base
// stations (sim/bs) linked by an in-process core network, talking over the real
// logical-channel chains (radio/lmac: SCH/F, TCH/S, STCH, TCH/S stolen; EN 300
// 392-2 V3.2.1 (2007-09) clause 8 and EN 300 395-2 V1.3.1 clause 5) with real
// MAC PDUs (radio/mac), TETRA ACELP speech (codec/acelp) and tetrasim E2EE v1
// (e2ee), all driven by a virtual TDMA clock (sim/clock) in slot steps and a
// single injected *rand.Rand, so the same scenario and seed give the same run.
//
// # Overview
//
//	scenario (YAML, sim/scenario) ─► Sim ─┬─ Core ── BS per cell (MCCH on TN1, TCH/S on TN2..4)
//	                                      ├─ Handsets: registration, PTT, speech in/out, E2EE, SDS
//	                                      ├─ KMF on the core network (key wraps and announcements as SDS)
//	                                      ├─ PHY per slot and link (fidelity "bits" or "iq")
//	                                      └─ roles: eavesdropper (air), compromised BS (what it relays, replay)
//
// Per slot s the simulator ticks the core, the KMF and every handset; for each
// cell it sends downlink slot s to every handset that listens to that timeslot
// (and to the eavesdropper), and collects uplink slot s-2 (the uplink is two
// slots behind the downlink, clause 9.3), summing the signals of all handsets
// that transmit in it, so random-access collisions happen on the air.
//
// A talker's speech goes: microphone (WAV, 8 kHz) → ACELP encoder (137 bits per
// 30 ms) → E2EE keystream (in place, per frame counter) → TCH/S channel coding
// (two frames per slot; the first half-slot stolen for a Sync+Auth Frame in a
// MAC-U-SIGNAL every 16 slots) → uplink → base station: decodes, relays the
// still-encrypted bits into the next downlink traffic frame of every cell of
// the talkgroup → handsets: decode, verify the SAF tags, decrypt, ACELP decode,
// play out through a one-frame jitter buffer.
//
// # Fidelities
//
//   - "bits" (sim/phy): type-5 bits mapped to pi/4-DQPSK symbols, per-link flat
//     Rayleigh fading (Doppler from the handset's speed) and AWGN at the symbol
//     rate, differential detection into soft bits. Fast: BenchmarkLarge (10
//     cells, 200 handsets) reports sim-s/wall-s; 2.2 on the shared 2-core
//     build machine (go test -run '^$' -bench Large -benchtime 1x ./sim).
//   - "iq": both directions through the whole modem. Downlink (iqphy.go):
//     sim/air's Transmitter (bursts with training, AACH, SYNC/SYSINFO, RRC
//     pulses), a sim/channel chain per receiver (TU50/HT200 tapped delay line,
//     CFO, AWGN) and sim/air's monitoring Receiver. Uplink (iqup.go): each
//     handset's normal uplink burst modulated by sdr, faded by its own channel,
//     summed at the base station with the others and the receiver noise, and
//     demodulated by sdr's burst-mode demodulator.
//
// # Invariants
//
// No package-level state; a Sim is not safe for concurrent use. The base station
// code (sim/bs) never imports e2ee (deps_test.go): it relays what it cannot read.
// Simulation metadata that is not on the air (capture times, positions) rides in
// link.Block fields marked as such and is used only for the report.
//
// # Latency
//
// Mouth-to-ear latency is measured per frame from the capture of its first
// sample to the start of its playout: 30 ms of framing, the talker's priming
// buffer (ms.PrimeFrames frames, so 2 frames per slot never run dry over frame
// 18), the wait for the uplink slot, one slot of interleaving (a TCH/S block
// spans the whole slot), the base station's relay into the next downlink traffic
// frame, and the receiver's one-TDMA-frame jitter buffer.
//
// # Deviations
//
// Grep for "Deviation" in sim/...: simplified CMCE/MM/SDS PDU layouts
// (sim/cmce), random access as full-slot MAC-DATA on the MCCH, no BSCH/BNCH or
// AACH at "bits" fidelity, flat fading at "bits" fidelity, a repeated start SAF
// (sim/ms). With E2EE, a handset conceals a speech frame whose parity passed
// but which the channel decoder flags as unreliable (link.Block.Unreliable,
// sim/phy.Reliability), so that residual class-1 errors, which the tags cover
// and the parity does not, leave a sub-window unverifiable instead of raising a
// false TAMPER. The base station does not relay a full uplink traffic slot
// whose parity failed (for any call) or that its decoder flagged (encrypted
// calls): re-encoded under a fresh parity it would reach every handset as good
// frames; the gap is concealed instead (EN 300 392-2 has no downlink bad-frame
// signal). Errors in the second half of a stolen slot are still relayed. Moving
// handsets reselect the nearest cell (200 m hysteresis, checked every half
// multiframe) at "bits" fidelity only; distance does not change a link's Eb/N0
// (each link's channel is set in the scenario).
//
// # Files
//
//	sim.go      Sim, New (scenario → network), Run, the per-slot step
//	crypto.go   ms.Crypto on top of e2ee (Sender/Receiver per transmission, SDS, KMF messages)
//	kmf.go      the KMF on the core network: provisioning, scheduled over-the-air rekeys
//	speech.go   voice.Codec over codec/acelp
//	iqphy.go    iq fidelity: downlink through sim/air and sim/channel
//	iqup.go     iq fidelity: uplink bursts through sim/channel and sdr's burst demodulator
//	record.go   SigMF-ready IQ of one cell's downlink and uplink, GSMTAP pcap
//	roles.go    eavesdropper and compromised base station (audio without keys, metadata)
//	report.go   Report, summary, scores (codec/voice segSNR/LSD), latency budget
//	output.go   WAV files and report.json/summary.txt
//	plot.go     PNG plots (constellation, spectrum, per-slot errors) with gonum/plot
package sim
