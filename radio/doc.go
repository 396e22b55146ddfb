// Package radio implements the TDMA time base and the bursts of the TETRA V+D
// air interface, ETSI EN 300 392-2 V3.2.1 (2007-09), at the bit level.
//
// # Overview
//
// A downlink slot is 510 modulation bits (255 π/4-DQPSK symbols). Build one with
// [Burst.AppendBits] from its type-5 blocks (the output of the lower-MAC chains
// in radio/lmac), and split a received one with [Burst.Parse], or classify a slot
// of soft bits by its training sequence with [Classify]. [Time] counts
// timeslots, frames, multiframes and hyperframes and knows where the broadcast
// channels go ([Time.HasBSCH], [Time.HasBNCH]). MAC PDUs are in radio/mac.
//
// # Invariants
//
//   - Bits are unpacked, one per byte (0 or 1), first transmitted bit first;
//     soft bits are int8, positive meaning 0 (+127 certain 0, −127 certain 1).
//   - Every fixed field (training sequences, q, f, tails, guards) and the
//     phase-adjustment bits come from one table, layouts in burst.go.
//   - Parsing bits that came off the air never panics; it returns sentinel
//     errors (ErrTraining, ErrBurstSize) to test with errors.Is.
//   - The package has no mutable state: any number of transmitters and
//     receivers can run in one process.
//
// # Aliasing
//
// Blocks returned by Burst.Parse alias the input burst, except the split BB
// and CB blocks, which are copied into the Burst. AppendBits appends to dst
// and reuses its capacity.
//
// # Clause map
//
//	clause 9.3        TDMA frame structure          time.go
//	clause 9.5        BSCH/BNCH slot rule            time.go
//	clause 9.4.4.2    burst layouts                  burst.go (layouts)
//	clause 9.4.4.3    training, q, f, tail, phase    burst.go
package radio
