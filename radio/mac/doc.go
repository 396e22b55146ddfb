// Package mac encodes and parses the MAC PDUs of the TETRA V+D air interface
// that a cell and a group call need, ETSI EN 300 392-2 V3.2.1 (2007-09)
// clause 21, in both directions, at the level of type-1 bits (one bit per
// byte, first transmitted first).
//
// # Overview
//
// Downlink: SYNC (BSCH), SYSINFO and ACCESS-DEFINE (BNCH, SCH), ACCESS-ASSIGN (AACH), MAC-RESOURCE
// (and the Null PDU), MAC-FRAG, MAC-END, MAC-U-SIGNAL. Uplink: MAC-ACCESS and
// MAC-END-HU (SCH/HU), MAC-DATA (and the uplink Null PDU), MAC-FRAG, MAC-END,
// MAC-U-SIGNAL. Each has a ParseX function returning a value (and, for the
// variable-length ones, the number of bits used) and an AppendBits method.
// [Parse] dispatches on the PDU type bits of clause 21.4.1; [PDUs] walks every
// PDU of a MAC block (PDU association, clause 23.4.2.3); [AppendBlock] builds
// a MAC block of exact size with length indications and fill bits.
//
// The TM-SDU of each PDU is kept as opaque bits (type Bits); the upper layers
// (LLC, MLE, CMCE) are not parsed here. Not supported: the supplementary PDUs
// MAC-D-BLCK and MAC-U-BLCK, SYSINFO-DA (QAM), the augmented channel
// allocation (QAM), and air-interface encryption: with an encryption mode
// other than 0 the channel allocation element and TM-SDU of MAC-RESOURCE are
// encrypted on a real network, and are parsed here as if they were clear
// (tetrasim encrypts end to end instead, package e2ee).
//
// # Invariants
//
//   - Length indications count octets (π/4-DQPSK: Y2 = Z2 = 1 octet). A PDU with
//     a length indication occupies min(LI × 8, rest of block) bits; fill bits
//     (a 1 then 0s, clause 21.4.3.1 "fill bit indication") are stripped from
//     its end.
//   - Parsers never panic on any input; they return ErrShort, ErrLength,
//     ErrFill, ErrUnknownPDU or ErrUnsupported (test with errors.Is).
//   - Encoders check every field against its width and return ErrRange.
//   - No package state: safe for concurrent use.
//
// # Aliasing
//
// Parsed SDUs alias the input block. AppendBits and AppendBlock append to dst.
//
// # Clause map
//
//	21.4.1    PDU types per channel            parse.go
//	21.4.2.x  MAC-ACCESS, MAC-END-HU, MAC-DATA, MAC-FRAG, MAC-END (uplink)  uplink.go
//	21.4.3.x  MAC-RESOURCE, Null PDU, MAC-FRAG, MAC-END (downlink)          downlink.go
//	21.4.4.1  SYSINFO (+ D-MLE-SYSINFO, 18.4.2.2)                          broadcast.go
//	21.4.4.2  SYNC (+ D-MLE-SYNC, 18.4.2.1)                                broadcast.go
//	21.4.4.3  ACCESS-DEFINE                                                 broadcast.go
//	21.4.5    MAC-U-SIGNAL                                                  downlink.go
//	21.4.7.2  ACCESS-ASSIGN                                                 broadcast.go
//	21.5.2    channel allocation element                                   address.go
//	21.5.6    basic slot granting element                                  address.go
package mac
