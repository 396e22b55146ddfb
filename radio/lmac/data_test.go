package lmac

import (
	"math/rand/v2"
	"testing"

	"github.com/tetrasim/tetrasim/codec/scramble"
)

func TestDataChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	code := scramble.Cell(262, 42, 5)
	for _, ch := range []Channel{TCH48, TCH24} {
		for _, n := range []int{1, 4, 8} {
			tx, err := NewDataChain(ch, n)
			if err != nil {
				t.Fatal(err)
			}
			rx, _ := NewDataChain(ch, n)
			var c Coder
			p := ch.Params()
			var sent [][]byte
			got := make([]byte, p.Type1)
			next := 0
			for blk := 0; blk < 20+n; blk++ {
				t1 := make([]byte, p.Type1)
				for i := range t1 {
					t1[i] = byte(rng.IntN(2))
				}
				sent = append(sent, t1)
				type5 := tx.Encode(nil, t1, code)
				if n == 1 {
					if want := c.Encode(nil, ch, t1, code); string(want) != string(type5) {
						t.Fatalf("%v N=1 differs from Coder.Encode", ch)
					}
				}
				soft := toSoft(type5)
				// A burst of 30 errors in one block is spread over N blocks.
				if blk == 10 {
					for i := 100; i < 130; i++ {
						soft[i] = -soft[i]
					}
				}
				if rx.Decode(got, soft, code) {
					if string(got) != string(sent[next]) {
						if n == 1 && next == 10 {
							next++ // a 30-bit burst in one block is allowed to break N = 1
							continue
						}
						t.Fatalf("%v N=%d: block %d differs", ch, n, next)
					}
					next++
				}
			}
			if next != 21 {
				t.Fatalf("%v N=%d: %d blocks decoded", ch, n, next)
			}
		}
	}
	if _, err := NewDataChain(SCHF, 4); err == nil {
		t.Fatal("SCH/F accepted")
	}
	if _, err := NewDataChain(TCH48, 2); err == nil {
		t.Fatal("N=2 accepted")
	}
}

func TestDataChainAllocs(t *testing.T) {
	tx, _ := NewDataChain(TCH24, 8)
	t1 := make([]byte, 144)
	out := make([]byte, 0, 432)
	soft := make([]int8, 432)
	if n := testing.AllocsPerRun(20, func() { tx.Encode(out[:0], t1, 3); tx.Decode(t1, soft, 3) }); n != 0 {
		t.Fatalf("allocates %.0f", n)
	}
}
