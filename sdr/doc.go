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
// # Clause map
//
//	clause 5 (dibit -> phase change, air-interface.md §2.1)   dqpsk.go
//	clause 5 (RRC pulse, roll-off 0.35, 18 ksym/s)             filter.go
//	clause 9.4.4 (255-symbol slot, training sequences)         demod.go
package sdr
