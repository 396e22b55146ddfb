package crc

import (
	"math/rand/v2"
	"testing"
)

func parse(s string) []byte {
	b := make([]byte, len(s))
	for i := range s {
		b[i] = s[i] - '0'
	}
	return b
}

// Vector crc16_osmo_crc_test of the shared testdata cch/vectors.json (osmo-tetra
// crc_test): a SYNC PDU of MCC 262, MNC 1001, CC 2.
const (
	osmoType1 = "000100001011000010111110000000001000001100000111110100110011"
	osmoFCS   = "1101111011110001"
)

func TestChecksumVectors(t *testing.T) {
	tests := []struct {
		name string
		got  uint16
		want uint16
	}{
		{"GENIBUS check 123456789", ChecksumBytes([]byte("123456789")), 0xD64E},
		{"osmo-tetra crc_test SYNC PDU", Checksum(parse(osmoType1)), 0xDEF1},
		{"bits of 123456789", Checksum(unpackBytes([]byte("123456789"))), 0xD64E},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %#04x, want %#04x", tc.got, tc.want)
			}
		})
	}
}

func unpackBytes(p []byte) []byte {
	var b []byte
	for _, v := range p {
		for i := 7; i >= 0; i-- {
			b = append(b, v>>i&1)
		}
	}
	return b
}

func TestAppendAndResidue(t *testing.T) {
	t1 := parse(osmoType1)
	blk := Append(t1, t1)
	if got := string(blk[60:]); got != string(parse(osmoFCS)) {
		t.Fatalf("FCS bits %v, want %s", blk[60:], osmoFCS)
	}
	if r := Remainder(blk); r != Residue {
		t.Fatalf("residue %#04x, want %#04x", r, Residue)
	}
	if !Check(blk) {
		t.Fatal("Check(intact) = false")
	}
	// Every single-bit error is detected.
	for i := range blk {
		blk[i] ^= 1
		if Check(blk) {
			t.Fatalf("single error at %d not detected", i)
		}
		blk[i] ^= 1
	}
	if Check(blk[:10]) {
		t.Fatal("Check(short) = true")
	}
}

// TestDefinition checks the table-driven register against the clause 8.2.3.3
// division written bit by bit, for random lengths.
func TestDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(2))
		}
		// Remainder of X^16·M(X) + X^K·(X^15+…+1), complemented.
		reg := uint16(0)
		msg := append(append([]byte{}, b...), make([]byte, 16)...)
		for i := 0; i < 16; i++ {
			msg[i] ^= 1 // adding X^K·(X^15+…+1) complements the first 16 bits
		}
		for _, x := range msg {
			fb := reg>>15 != 0
			reg = reg<<1 | uint16(x)
			if fb {
				reg ^= poly
			}
		}
		if want := ^reg; Checksum(b) != want {
			t.Fatalf("n=%d: Checksum %#04x, long division %#04x", n, Checksum(b), want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	t1 := parse(osmoType1)
	f.Add(Append(t1, t1))
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			b[i] &= 1
		}
		if len(b) >= Size && Check(b) != (Checksum(b[:len(b)-Size]) == uint16(bitsUint(b[len(b)-Size:]))) {
			t.Fatal("Check disagrees with Checksum")
		}
	})
}

func bitsUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<1 | uint64(x)
	}
	return v
}

func BenchmarkChecksum268(b *testing.B) {
	bits := make([]byte, 268)
	b.ReportAllocs()
	for b.Loop() {
		Checksum(bits)
	}
	b.ReportMetric(float64(b.N*len(bits))/b.Elapsed().Seconds(), "bits/s")
}
