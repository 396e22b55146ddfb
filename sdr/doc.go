// Package sdr is tetrasim's modem DSP: block processors over complex64 samples for
// the π/4-DQPSK physical layer of ETSI EN 300 392-2 V3.2.1 (2007-09), clause 5
// (modulation) and clause 9.4.4 (burst timing and training sequences).
//
// # Overview
//
//   - Filter design: [RRCTaps] (root-raised cosine, clause 5 roll-off 0.35) and
//     [KaiserLowpass].
//   - [FIR]: real-tap FIR filter on complex samples.
//   - [Resampler]: polyphase rational L/M resampler (exact for rational rate ratios
//     such as 72 kS/s -> 2.4 MS/s or 2.4 MS/s -> 72 kS/s) with an arbitrary-ratio
//     mode; [NewDecimator] is the integer-decimation special case, and
//     [NewChannelFilter] builds the TETRA channel-select filter.
//   - [NCO]: numerically controlled oscillator and mixer.
//   - [Modulator]: bits -> π/4-DQPSK -> RRC-shaped samples at any integer number of
//     samples per symbol >= 2.
//   - [Demodulator]: samples -> slots of 510 soft bits, with coarse frequency
//     acquisition, timing recovery, slot synchronisation on caller-supplied training
//     sequences, and coherent (training-aided) or differential detection.
//
// # Demodulator contract
//
// In: complex64 samples at SamplesPerSymbol × 18 kS/s (>= 2 samples per symbol; use
// NewChannelFilter or NewResampler to get there from a device rate), any chunking.
// The carrier may be off by up to ±25 kHz (continuous mode; limited to half the
// input rate; in burst mode ±2 kHz around DemodConfig.OffsetHz) and the sample
// clock by ±1000 ppm (continuous mode: estimated on the acquisition block, then
// tracked; burst mode: each burst is timed on its own at the nominal rate, fine
// to about ±200 ppm).
//
// Configuration: the demodulator knows no training sequence. The caller (sim/air,
// with the sequences of package radio) lists in DemodConfig.Training the
// alternatives one of which every slot carries, each with its 0-based bit offset in
// the 510-bit slot (downlink: n and p at 244, y at 214; normal uplink: n and p at
// 254; control uplink: x at 122), and in DemodConfig.Fixed what every slot carries
// besides (downlink: q11-q22 at 0 and q1-q10 at 500; uplink: the tails 1100 at 34
// and 492).
//
// Out: one Slot per timeslot, in order, about a slot after its end: Soft holds the
// 510 soft bits in transmission order (int8, positive = 0, ±127 certain, about
// 4 × the LLR in nats), Training says which alternative was found (-1 none),
// Index counts slot periods (gaps after a loss of lock show as jumps), Sample is
// the input sample at which the slot's first symbol peaks, plus CFOHz, ClockPPM,
// EsN0dB and SyncScore. In Continuous mode the demodulator acquires on 8 slots,
// then emits every slot (a flywheel) until the training score's moving average
// drops below 0.3, and re-acquires. In Bursts mode every burst is found and
// synchronised on its own; guard bits come out as near-erasures.
//
// # Invariants
//
// Every processor follows the same shape: New…(params) (*T, error) allocates all
// buffers; Process(dst, src) int writes to a caller-owned dst and allocates nothing
// once warm; OutLen(n) tells how much output n more inputs produce (or at most
// produce, for the demodulator); Reset returns to the state just after New.
// Successive Process calls behave as one call on the concatenated input.
// Processors hold no package-level mutable state; a value is not safe for
// concurrent use, but distinct values are independent.
//
// Soft bits are int8, positive meaning bit 0: +127 is a certain 0, -127 a certain 1,
// 0 an erasure. Unpacked bits are []byte of 0/1, first transmitted bit first.
//
// # Aliasing
//
// FIR.Process, NCO.Process and Resampler.Process accept dst and src that overlap
// entirely (in place) or not at all.
//
// # Performance
//
// Pure Go (no assembly): the multiply-accumulate kernels (dotCR, and dotCRSym for
// symmetric taps, which pre-adds the two samples sharing a tap) are unrolled into
// pairwise trees with few accumulators so that the partial sums stay in
// registers; each has a naive reference and a differential test. The rational
// Resampler computes only the outputs it keeps (polyphase), walks a precomputed
// phase table, and reads its windows straight from the caller's input. On the
// 2-core AMD EPYC build machine (one core, medians):
//
//	2.4 MS/s -> 72 kS/s channel filter (3/100, 228 taps/phase)  ~335 MS/s input
//	100-tap decimate-by-33 (GNU Radio's reference case)         ~820 MS/s input
//
//	go test -run '^$' -bench 'ChannelFilter|Decimate100' -benchtime 400x -count 5 ./sdr
//
// # Clause map
//
//	clause 5 (dibit -> phase change, air-interface.md §2.1)   dqpsk.go
//	clause 5 (RRC pulse, roll-off 0.35, 18 ksym/s)             filter.go
//	clause 9.4.4 (255-symbol slot, training sequences)         demod.go
package sdr
