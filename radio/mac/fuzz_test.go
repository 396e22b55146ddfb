package mac

import (
	"reflect"
	"testing"

	"github.com/tetrasim/tetrasim/radio/lmac"
)

// Fuzz targets for every PDU parser (style.md §8): no panic on any input;
// when parsing succeeds, the PDU occupies 0 < n <= len(block) bits, and
// re-encoding it into the same n bits parses back to the same PDU (up to the
// length indication and fill bit indication an encoder recomputes).

const maxFuzzBits = 600

func fuzzBits(data []byte) []byte {
	if len(data) > maxFuzzBits {
		data = data[:maxFuzzBits]
	}
	b := make([]byte, len(data))
	for i, v := range data {
		b[i] = v & 1
	}
	return b
}

func seedBits(f *testing.F, blocks ...[]byte) {
	for _, b := range blocks {
		f.Add(b)
	}
}

// checkRoundTrip re-encodes p into n bits and parses it again with parse.
func checkRoundTrip(t *testing.T, p PDU, n int, block []byte, parse func([]byte) (PDU, int, error)) {
	t.Helper()
	if n <= 0 || n > len(block) {
		t.Fatalf("%s: occupies %d of %d bits", p.Name(), n, len(block))
	}
	var out []byte
	var err error
	if bp, ok := p.(blockPDU); ok && !isNull(p) {
		out, err = bp.appendBits(nil, n)
	} else {
		out, err = p.AppendBits(nil)
	}
	if err != nil {
		// A parsed PDU re-encodes unless the parser accepted a length the
		// encoder cannot produce (an SDU longer than the largest LI in n bits).
		t.Fatalf("%s: re-encode: %v", p, err)
	}
	q, m, err := parse(out)
	if err != nil {
		t.Fatalf("%s: re-parse of %s: %v", p, Bits(out), err)
	}
	if m != len(out) && !isNull(p) {
		t.Fatalf("%s: re-parse used %d of %d bits", p, m, len(out))
	}
	if !reflect.DeepEqual(canon(p), canon(q)) {
		t.Fatalf("round trip:\n%+v\n%+v", canon(p), canon(q))
	}
}

func asParse[T any, P interface {
	*T
	PDU
}](f func([]byte) (T, int, error)) func([]byte) (PDU, int, error) {
	return func(b []byte) (PDU, int, error) {
		v, n, err := f(b)
		if err != nil {
			return nil, 0, err
		}
		return P(&v), n, nil
	}
}

func fuzzParser(f *testing.F, parse func([]byte) (PDU, int, error), seeds ...[]byte) {
	seedBits(f, seeds...)
	f.Fuzz(func(t *testing.T, data []byte) {
		block := fuzzBits(data)
		p, n, err := parse(block)
		if err != nil {
			return
		}
		checkRoundTrip(t, p, n, block, parse)
	})
}

func enc(p PDU, size int, dir Direction) []byte {
	b, err := AppendBlock(nil, size, dir, p)
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzResource(f *testing.F) {
	fuzzParser(f, asParse(ParseResource),
		enc(&Resource{Addr: Address{Type: AddrSSI, SSI: 1234}, SDU: Bits{1, 0, 1}}, 268, Downlink),
		enc(&Resource{Addr: Address{Type: AddrSSIUsage, SSI: 9, UsageMarker: 5}, HasChanAlloc: true, ChanAlloc: ChanAlloc{UpDown: 3, Carrier: 1528}}, 124, Downlink),
		enc(&Resource{LengthInd: LIFragStart, Addr: Address{Type: AddrEventLabel, EventLabel: 3}, SDU: make(Bits, 50)}, 124, Downlink))
}

func FuzzFrag(f *testing.F) {
	fuzzParser(f, asParse(ParseFrag), enc(&Frag{SDU: Bits{1, 1, 0}}, 124, Downlink))
}

func FuzzEndDL(f *testing.F) {
	fuzzParser(f, asParse(ParseEndDL), enc(&EndDL{HasSlotGrant: true, SDU: make(Bits, 40)}, 268, Downlink))
}

func FuzzUSignal(f *testing.F) {
	fuzzParser(f, asParse(ParseUSignal), enc(&USignal{SecondHalfStolen: true, SDU: make(Bits, 121)}, 124, Uplink))
}

func FuzzAccess(f *testing.F) {
	fuzzParser(f, asParse(ParseAccess),
		enc(&Access{Addr: Address{Type: AddrSSI, SSI: 77}, HasOptional: true, SDU: make(Bits, 30)}, 92, Uplink),
		enc(&Access{Addr: Address{Type: AddrEventLabel, EventLabel: 7}, HasOptional: true, CapacityRequest: true}, 92, Uplink))
}

func FuzzEndHU(f *testing.F) {
	fuzzParser(f, asParse(ParseEndHU), enc(&EndHU{SDU: make(Bits, 20)}, 92, Uplink))
}

func FuzzData(f *testing.F) {
	fuzzParser(f, asParse(ParseData),
		enc(&Data{Addr: Address{Type: AddrSSI, SSI: 5}, SDU: make(Bits, 100)}, 268, Uplink),
		enc(&Data{Addr: Address{Type: AddrSSI, SSI: 5}, Null: true}, 124, Uplink))
}

func FuzzEndUL(f *testing.F) {
	fuzzParser(f, asParse(ParseEndUL), enc(&EndUL{SDU: make(Bits, 60)}, 124, Uplink))
}

func FuzzSync(f *testing.F) {
	seedBits(f, enc(Sync{TN: 4, FN: 18, MN: 51, MCC: 234, MNC: 1}, SyncBits, Downlink))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBits(data)
		s, err := ParseSync(b)
		if err != nil {
			return
		}
		out, err := s.AppendBits(nil)
		if err != nil {
			t.Fatal(err)
		}
		b[30] = 0 // reserved
		if Bits(out).String() != Bits(b[:SyncBits]).String() {
			t.Fatalf("SYNC round trip\n%s\n%s", Bits(out), Bits(b[:SyncBits]))
		}
	})
}

func FuzzSysinfo(f *testing.F) {
	seedBits(f, enc(Sysinfo{MainCarrier: 3600, FreqBand: 3, LocationArea: 1}, SysinfoBits, Downlink))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBits(data)
		s, err := ParseSysinfo(b)
		if err != nil {
			return
		}
		out, err := s.AppendBits(nil)
		if err != nil || Bits(out).String() != Bits(b[:SysinfoBits]).String() {
			t.Fatalf("SYSINFO round trip: %v", err)
		}
	})
}

func FuzzAccessAssign(f *testing.F) {
	seedBits(f, enc(AccessAssign{Header: 3, Field1: 9, Field2: 63}, AccessAssignBits, Downlink))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBits(data)
		a, err := ParseAccessAssign(b)
		if err != nil {
			return
		}
		out, err := a.AppendBits(nil)
		if err != nil || Bits(out).String() != Bits(b[:AccessAssignBits]).String() {
			t.Fatalf("ACCESS-ASSIGN round trip: %v", err)
		}
	})
}

// FuzzBlock runs the block iterator on every channel and direction.
func FuzzBlock(f *testing.F) {
	f.Add(uint8(0), uint8(lmac.SCHF), enc(&Resource{Addr: Address{Type: AddrSSI, SSI: 1}, SDU: make(Bits, 60)}, 268, Downlink))
	f.Add(uint8(1), uint8(lmac.SCHHU), enc(&Access{Addr: Address{Type: AddrSSI, SSI: 1}}, 92, Uplink))
	f.Add(uint8(0), uint8(lmac.STCH), enc(&USignal{SDU: make(Bits, 121)}, 124, Downlink))
	f.Fuzz(func(t *testing.T, dir, ch uint8, data []byte) {
		block := fuzzBits(data)
		d := Direction(dir & 1)
		c := lmac.Channel(ch % 14)
		total := 0
		for p, err := range PDUs(d, c, block) {
			if err != nil {
				return
			}
			if p == nil {
				t.Fatal("nil PDU without error")
			}
			_ = p.String()
			_, n, _ := Parse(d, c, block[total:])
			total += n
			if total > len(block) {
				t.Fatalf("PDUs overrun the block: %d > %d", total, len(block))
			}
		}
	})
}

func FuzzAccessDefine(f *testing.F) {
	seedBits(f, enc(AccessDefine{AccessCode: 1, IMM: 3, OptionFlag: 2, Option: 9001}, 56, Downlink))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBits(data)
		a, n, err := ParseAccessDefine(b)
		if err != nil {
			return
		}
		out, err := a.AppendBits(nil)
		if err != nil || len(out) != n {
			t.Fatalf("ACCESS-DEFINE round trip: %v", err)
		}
		copy(b[n-3:n], []byte{0, 0, 0}) // filler bits
		if Bits(out).String() != Bits(b[:n]).String() {
			t.Fatal("ACCESS-DEFINE bits differ")
		}
	})
}
