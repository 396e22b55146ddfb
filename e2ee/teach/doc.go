// Package teach holds the deliberately weak cipher profiles of e2ee-design.md §7,
// for radio-security teaching. THEY ARE TOYS: every one of them is insecure on
// purpose, built only from the public descriptions in e2ee-design.md §1–§3, and
// contains no TEA, TAA or TCCA constants. Never use them to protect anything; the
// real encryption is package e2ee (profile "tetrasim-v1").
//
// Profiles (e2ee-design.md §7):
//
//	clear            no encryption (Clear)
//	aie-toy          reduced-key stream cipher, IV from TDMA time (AIEToy) - CVE-2022-24401/-24402 demos
//	tetra-e2ee-like  AES-OFB, 64-bit IV doubled, 274 bits per slot, 128-bit sync frame with
//	                 a 26-bit check over (KeyID, AlgID, IV) only; optional 56-bit key
//	                 processing (TETRAE2EELike) - CVE-2025-52940/-52941 demos
//	p25-like         AES-256-OFB per superframe, first 16 bytes discarded, 64-bit LFSR
//	                 message indicator (P25Like)
//	m17-like         AES-CTR, nonce = 32-bit timestamp + 80 random bits + 16-bit frame
//	                 number, end-of-stream digest that is linear (M17Like) - digest collision demo
//
// Every keystream here is for one TCH/S slot: 274 bits = two 137-bit speech frames,
// packed MSB first into 35 bytes with the last 6 bits zero (e2ee-design.md §1.2).
// The tests double as the teaching demos: each shows its attack working.
package teach
