package tchs

// The decision rule of the EN 300 395-2 V1.3.1 reference channel decoder
// (clause 5.6 and its C code), for [Decoder.Reference]: a 16-state Viterbi
// decoder that releases each bit after a fixed decision delay of 30 steps,
// tracing back from the best state of the current step, and decodes the last
// 30 bits of the block by tracing back from state 0. The branch metric adds
// +r for an expected 1 and −r for an expected 0, r = 1 − 2x for a received soft
// value x (punctured bits count 0), and ties keep the predecessor whose oldest
// bit is 0. States follow the reference numbering: state = u(k)·8 +
// (previous state >> 1), so the newest bit is the MSB.
const decisionDelay = 30

// refTrellis holds, for arrival state a and the dropped oldest bit lsb, the
// predecessor and the expected bits of G1, G2, G3 (+1 for 1, −1 for 0).
type refTrellis struct {
	prev [16][2]uint8
	t    [16][2][3]int32
}

func newRefTrellis() (tr refTrellis) {
	for a := 0; a < 16; a++ {
		for lsb := 0; lsb < 2; lsb++ {
			s := (a&7)<<1 | lsb
			tr.prev[a][lsb] = uint8(s)
			inv := uint8((a&8)<<1 | s)
			for g, poly := range [3]uint8{gen1, gen2, gen3} {
				tr.t[a][lsb][g] = 2*int32(par5(inv&poly)) - 1
			}
		}
	}
	return tr
}

var refTr = newRefTrellis()

// sat16 saturates to the int16 range, as the reference's add() and sub() do.
func sat16(x int32) int32 { return min(max(x, -32768), 32767) }

// viterbiReference decodes len(u) trellis steps like the reference decoder.
// The soft input is the class-1 and class-2 part of the block.
func (d *Decoder) viterbiReference(u []byte, coded []int8, n1 int, stolen bool) {
	n := len(u)
	var score, ex [16]int32
	for j := 1; j < 16; j++ {
		score[j] = -16000
	}
	var bestPrev [16][decisionDelay]uint8
	step := -1
	decoded := 0
	ready := false
	j := 0
	recv := func() int32 {
		x := int32(coded[j])
		j++
		return sat16(-sat16(2*x - 1))
	}
	for k := 0; k < n; k++ {
		var r [3]int32
		r[0] = recv()
		if keepG2(k, n1) {
			r[1] = recv()
		}
		if keepG3(k, n1, stolen) {
			r[2] = recv()
		}
		step++
		if step == decisionDelay {
			step = 0
		}
		ex = score
		maximum := int32(-32768)
		best := 0
		for sym := 8; sym < 16; sym++ {
			for _, a := range [2]int{sym, sym - 8} {
				var chosen int32
				chosenLsb := 0
				for lsb := 0; lsb < 2; lsb++ {
					e := ex[refTr.prev[a][lsb]]
					for g := 0; g < 3; g++ {
						v := r[g]
						if refTr.t[a][lsb][g] < 0 {
							v = sat16(-v)
						}
						e = sat16(e + v)
					}
					if lsb == 0 || e > chosen {
						chosen, chosenLsb = e, lsb
					}
				}
				score[a] = chosen
				bestPrev[a][step] = refTr.prev[a][chosenLsb]
				if chosen > maximum {
					best, maximum = a, chosen
				}
			}
		}
		for s := range score {
			score[s] = sat16(score[s] - maximum)
		}
		if k < n1 && step == decisionDelay-1 {
			ready = true
		}
		if k == n-1 {
			// Block decoding of the last 30 bits from state 0.
			b, ptr := 0, step
			for i := 0; i < decisionDelay && k-i >= 0; i++ {
				u[k-i] = byte(b >> 3)
				b = int(bestPrev[b][ptr])
				if ptr--; ptr < 0 {
					ptr = decisionDelay - 1
				}
			}
			return
		}
		if ready || k >= n1 {
			b, ptr := best, step
			for i := 1; i < decisionDelay; i++ {
				b = int(bestPrev[b][ptr])
				if ptr--; ptr < 0 {
					ptr = decisionDelay - 1
				}
			}
			u[decoded] = byte(b >> 3)
			decoded++
		}
	}
}
