package interleave

import (
	"math/rand/v2"
	"testing"
)

// TestBlockFirstPositions checks the first output positions k (1-based) for
// i = 1…12, air-interface.md §8.1 (computed from EN 300 392-2 clause 8.2.4.1).
func TestBlockFirstPositions(t *testing.T) {
	tests := []struct {
		K, a int
		want []int
	}{
		{120, 11, []int{12, 23, 34, 45, 56, 67, 78, 89, 100, 111, 2, 13}},
		{216, 101, []int{102, 203, 88, 189, 74, 175, 60, 161, 46, 147, 32, 133}},
		{432, 103, []int{104, 207, 310, 413, 84, 187, 290, 393, 64, 167, 270, 373}},
	}
	for _, tc := range tests {
		src := make([]int8, tc.K)
		for i := range 12 {
			src[i] = int8(i + 1)
		}
		dst := make([]int8, tc.K)
		Block(dst, src, tc.a)
		for i, k := range tc.want {
			if dst[k-1] != int8(i+1) {
				t.Errorf("(%d,%d): i=%d not at k=%d", tc.K, tc.a, i+1, k)
			}
		}
	}
}

func TestRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, ka := range [][2]int{{120, 11}, {216, 101}, {168, 13}, {432, 103}} {
		src := make([]byte, ka[0])
		for i := range src {
			src[i] = byte(rng.IntN(256))
		}
		mid := make([]byte, ka[0])
		out := make([]byte, ka[0])
		Block(mid, src, ka[1])
		Deblock(out, mid, ka[1])
		if string(out) != string(src) {
			t.Fatalf("(%d,%d) round trip", ka[0], ka[1])
		}
		// It is a permutation.
		seen := map[byte]int{}
		for _, x := range src {
			seen[x]++
		}
		for _, x := range mid {
			seen[x]--
		}
		for _, v := range seen {
			if v != 0 {
				t.Fatal("not a permutation")
			}
		}
	}
	src := make([]int8, 432)
	for i := range src {
		src[i] = int8(i)
	}
	mid, out := make([]int8, 432), make([]int8, 432)
	Matrix(mid, src)
	Dematrix(out, mid)
	if string(bytesOf(out)) != string(bytesOf(src)) {
		t.Fatal("matrix round trip")
	}
	// dst[c*24+l] = src[l*18+c]: bit 1 (l=0,c=1) goes to 24, bit 18 (l=1,c=0) to 1.
	if mid[24] != 1 || mid[1] != 18 {
		t.Fatalf("matrix layout: mid[24]=%d mid[1]=%d", mid[24], mid[1])
	}
}

func bytesOf(s []int8) []byte {
	b := make([]byte, len(s))
	for i, v := range s {
		b[i] = byte(v)
	}
	return b
}
