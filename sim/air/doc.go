// Package air is tetrasim's reusable physical-layer pipeline for the TETRA
// downlink of ETSI EN 300 392-2 V3.2.1 (2007-09): a Transmitter that turns a
// cell's slot contents into continuous complex baseband, and a monitoring
// Receiver that turns complex baseband back into decoded blocks.
//
// # Overview
//
//	DLSlot ─► Encoder (radio/lmac chains, radio bursts) ─► 510 bits
//	       ─► sdr.Modulator (π/4-DQPSK, RRC) ─► [Resampler] ─► [NCO offset] ─► IQ
//
//	IQ ─► [FindCarrier] ─► NCO ─► [channel filter to 72 kS/s] ─► sdr.Demodulator
//	   ─► SlotDecoder (training → burst type, AACH, BSCH → time and cell,
//	      usage marker → SCH/F or TCH/S, slot flag → half-slot blocks) ─► RxBlock
//
// MultiReceiver runs one Receiver per carrier found in a wideband stream
// (FindCarriers), and BitSync feeds a SlotDecoder from an unaligned stream of
// hard bits (one per byte), finding the slots from the sync bursts.
//
// Schedule produces a demonstration downlink (SYNC and SYSINFO in frame 18,
// AACH in every slot, SCH/F, SCH/HD, TCH/S, STCH and Null PDUs elsewhere).
// MAC PDUs are parsed from RxBlock.Bits with radio/mac. Schedule.Traffic
// replaces its traffic slots: E2EETraffic carries an end-to-end encrypted
// transmission of package e2ee there (Sync+Auth Frames and the EOT signature
// in stolen STCH halves, e2ee-design.md §5.5), and E2EEListener recognises,
// verifies and decrypts it on the receive side.
//
// The uplink is supported at the bit level: Encoder.AppendULBurst builds normal
// and control uplink bursts, and ULDecoder decodes them on the base station side.
// (There is no uplink IQ receiver: it needs a burst-mode demodulator.)
//
// # Independent checks
//
// The --bits-out stream of "tetrasim tx" (this package's Encoder and Schedule)
// was decoded by osmo-tetra's tetra-rx: every block after its lock had a good
// CRC (SYNC with MCC, MNC and colour code, SYSINFO with the carrier frequency,
// ACCESS-ASSIGN, MAC-RESOURCE, MAC-U-SIGNAL), and the GSMTAP pcap of "tetrasim
// rx" is dissected by Wireshark's TETRA dissector (BSCH, BNCH, AACH, SCH/F,
// SCH/HD, STCH). Neither tool is part of the repository or its tests.
//
// # Invariants
//
// No package-level state: a process can run many transmitters and receivers.
// None of the types is safe for concurrent use. Blocks handed to callbacks
// are valid only during the call.
package air
