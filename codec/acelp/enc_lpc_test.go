package acelp

import (
	"math/rand/v2"
	"testing"
)

// TestEncAzLspProperties converts random filters (many of them unstable)
// to LSPs: either all 10 roots are found, in decreasing order as the grid
// search finds them alternately on F1 and F2, or the previous LSPs are
// kept, as the reference does when fewer than 10 roots are found. Both
// cases must occur.
func TestEncAzLspProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var a [lpcLen]int16
	old := lspInit
	found, kept := 0, 0
	for trial := 0; trial < 2000; trial++ {
		a[0] = 4096
		scale := 1 + r.IntN(15)
		for i := 1; i < lpcLen; i++ {
			a[i] = int16(r.IntN(1<<scale+1) - 1<<(scale-1))
		}
		var lsp [lpcOrder]int16
		encAzLsp(a[:], &lsp, &old)
		if lsp == old {
			kept++
			continue
		}
		found++
		for i := 0; i < lpcOrder-1; i++ {
			if lsp[i] < lsp[i+1] {
				t.Fatalf("trial %d: LSPs %v not in decreasing order", trial, lsp)
			}
		}
	}
	if found == 0 || kept == 0 {
		t.Errorf("found 10 roots %d times, kept the old LSPs %d times; want both", found, kept)
	}
}

// TestEncClsp334Properties quantizes random LSP vectors: the result is
// either strictly decreasing, and then becomes the last good vector, or
// (when the split codebooks give a vector out of order) the last good
// vector itself. The indices are always within their codebooks.
func TestEncClsp334Properties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	last := lspInit
	var index [3]int16
	ordered, reused := 0, 0
	for trial := 0; trial < 3000; trial++ {
		var lsp, q [lpcOrder]int16
		if trial%2 == 0 {
			for i := range lsp {
				lsp[i] = int16(r.Uint32())
			}
		} else {
			// Codebook vectors from random rows of each split: their joins
			// are often out of order, which the reference repairs or
			// rejects.
			copy(lsp[0:3], lspCodebook1[r.IntN(256)][:])
			copy(lsp[3:6], lspCodebook2[r.IntN(512)][:])
			copy(lsp[6:10], lspCodebook3[r.IntN(512)][:])
		}
		prev := last
		encClsp334(&lsp, &q, index[:], &last)
		if index[0] < 0 || index[0] >= 256 || index[1] < 0 || index[1] >= 512 || index[2] < 0 || index[2] >= 512 {
			t.Fatalf("trial %d: indices %v out of range", trial, index)
		}
		dec := true
		for i := 0; i < lpcOrder-1; i++ {
			if q[i] <= q[i+1] {
				dec = false
			}
		}
		switch {
		case q == prev && last == prev: // (a new vector equal to the last is unlikely)
			reused++
		case dec && q == last:
			ordered++
		default:
			t.Fatalf("trial %d: quantized %v, last %v, previous last %v", trial, q, last, prev)
		}
	}
	if ordered == 0 || reused == 0 {
		t.Errorf("ordered %d, reused %d; want both cases", ordered, reused)
	}
}
