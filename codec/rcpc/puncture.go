package rcpc

import "fmt"

// Puncturing is one of the puncturing schemes of EN 300 392-2 clause 8.2.3.1.2.
type Puncturing uint8

// The schemes of clause 8.2.3.1.2. Rate14 is the unpunctured mother code.
const (
	Rate14     Puncturing = iota + 1 // 1/4, mother code, nothing removed
	Rate23                           // 2/3: BSCH, BNCH, SCH/HD, STCH, SCH/HU, SCH/F
	Rate13                           // 1/3
	Rate292432                       // 292/432: TCH/4.8
	Rate148432                       // 148/432: TCH/2.4
)

func (p Puncturing) String() string {
	switch p {
	case Rate14:
		return "1/4"
	case Rate23:
		return "2/3"
	case Rate13:
		return "1/3"
	case Rate292432:
		return "292/432"
	case Rate148432:
		return "148/432"
	}
	return fmt.Sprintf("Puncturing(%d)", uint8(p))
}

// EN 300 392-2 clause 8.2.3.1.2, the puncturing coefficients: period t and P(1…t).
var (
	p23 = [...]int{1, 2, 5}          // t = 3, rate 2/3 and 292/432
	p13 = [...]int{1, 2, 3, 5, 6, 7} // t = 6, rate 1/3 and 148/432
)

// OutLen returns the number of type-3 bits K3 for n type-2 bits, or 0 when the
// scheme is not defined for n (292/432 needs n = 292, 148/432 needs n = 148,
// 2/3 needs an even n).
func (p Puncturing) OutLen(n int) int {
	switch p {
	case Rate14:
		return 4 * n
	case Rate23:
		if n%2 == 0 {
			return n * 3 / 2
		}
	case Rate13:
		return 3 * n
	case Rate292432:
		if n == 292 {
			return 432
		}
	case Rate148432:
		if n == 148 {
			return 432
		}
	}
	return 0
}

// Index returns the 1-based mother-code index k kept as type-3 bit j (1-based):
// EN 300 392-2 clause 8.2.3.1.2,
//
//	i = f(j);  k = 8·⌊(i−1)/t⌋ + P(i − t·⌊(i−1)/t⌋)
//
// with f(j) = j for 2/3 and 1/3, j + ⌊(j−1)/65⌋ for 292/432 and
// j + ⌊(j−1)/35⌋ for 148/432.
func (p Puncturing) Index(j int) int {
	var P []int
	i := j
	switch p {
	case Rate14:
		return j
	case Rate23:
		P = p23[:]
	case Rate13:
		P = p13[:]
	case Rate292432:
		P = p23[:]
		i = j + (j-1)/65
	case Rate148432:
		P = p13[:]
		i = j + (j-1)/35
	default:
		panic("rcpc: Puncturing.Index: unknown scheme")
	}
	t := len(P)
	q := (i - 1) / t
	return 8*q + P[i-t*q-1]
}

// Encode writes the type-3 bits of the type-2 bits src (tail included) into
// dst: the mother code of clause 8.2.3.1 punctured by p (clause 8.2.3.1.2).
// It returns dst[:p.OutLen(len(src))] and panics if the scheme does not fit
// len(src) or dst is short. It does not allocate when len(src) <= MaxBits.
func Encode(dst, src []byte, p Puncturing) []byte {
	n3 := p.OutLen(len(src))
	if n3 == 0 || len(src) > MaxBits {
		panic("rcpc: Encode: puncturing " + p.String() + " does not fit the block length")
	}
	var buf [4 * MaxBits]byte
	v := EncodeMother(buf[:], src)
	dst = dst[:n3]
	puncture(dst, v, p)
	return dst
}

// puncture keeps mother-code bits p.Index(1…len(dst)) of v (clause 8.2.3.1.2),
// walking the index with counters; TestPunctureWalk checks it against Index.
func puncture(dst, v []byte, p Puncturing) {
	var P []int
	skip := 0
	switch p {
	case Rate23:
		P = p23[:]
	case Rate13:
		P = p13[:]
	case Rate292432:
		P, skip = p23[:], 65
	case Rate148432:
		P, skip = p13[:], 35
	default:
		copy(dst, v)
		return
	}
	t := len(P)
	q, r, run := 0, 0, 0
	for j := range dst {
		dst[j] = v[8*q+P[r]-1]
		r++
		if r == t {
			r, q = 0, q+1
		}
		if run++; run == skip {
			run = 0
			r++
			if r == t {
				r, q = 0, q+1
			}
		}
	}
}
