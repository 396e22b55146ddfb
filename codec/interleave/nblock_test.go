package interleave

import (
	"math/rand/v2"
	"testing"
)

func TestNBlockRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 4, 8} {
		il, err := NewNBlock[int8](n)
		if err != nil {
			t.Fatal(err)
		}
		de, _ := NewNBlock[int8](n)
		const blocks = 20
		in := make([][]int8, blocks+n)
		for b := range in {
			in[b] = make([]int8, NBlockBits)
			if b < blocks {
				for i := range in[b] {
					in[b][i] = int8(1 + rng.IntN(120))
				}
			}
		}
		out := make([]int8, NBlockBits)
		got := make([]int8, NBlockBits)
		next := 0
		for b := range in {
			il.Interleave(out, in[b])
			if de.Deinterleave(got, out) {
				if string(bytesOf(got)) != string(bytesOf(in[next])) {
					t.Fatalf("N=%d: block %d differs", n, next)
				}
				next++
			}
		}
		if next != blocks+1 {
			t.Fatalf("N=%d: %d blocks delivered", n, next)
		}
		// Spreading: one type-3 block ends up in N different type-4 blocks,
		// 432/N bits in each.
		il.Reset()
		zero := make([]int8, NBlockBits)
		ones := make([]int8, NBlockBits)
		for i := range ones {
			ones[i] = 1
		}
		for b := 0; b < n; b++ {
			src := zero
			if b == 0 {
				src = ones
			}
			il.Interleave(out, src)
			cnt := 0
			for _, v := range out {
				cnt += int(v)
			}
			if cnt != NBlockBits/n {
				t.Fatalf("N=%d: output block %d holds %d bits of block 0", n, b, cnt)
			}
		}
	}
	if _, err := NewNBlock[byte](3); err == nil {
		t.Fatal("N=3 accepted")
	}
}

func TestNBlockOneIsBlock(t *testing.T) {
	x, _ := NewNBlock[byte](1)
	src := make([]byte, NBlockBits)
	for i := range src {
		src[i] = byte(i)
	}
	a, b := make([]byte, NBlockBits), make([]byte, NBlockBits)
	x.Interleave(a, src)
	Block(b, src, 103)
	if string(a) != string(b) {
		t.Fatal("N=1 is not the (432,103) block interleaver")
	}
}

func TestNBlockAllocs(t *testing.T) {
	x, _ := NewNBlock[int8](8)
	a, b := make([]int8, NBlockBits), make([]int8, NBlockBits)
	if n := testing.AllocsPerRun(20, func() { x.Interleave(a, b); x.Deinterleave(a, b) }); n != 0 {
		t.Fatalf("allocates %.0f", n)
	}
}
