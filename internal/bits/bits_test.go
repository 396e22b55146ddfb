package bits

import "testing"

func TestUintRoundTrip(t *testing.T) {
	b := make([]byte, 12)
	PutUint(b, 0xABC, 12)
	if Uint(b) != 0xABC || b[0] != 1 || b[11] != 0 {
		t.Fatalf("PutUint/Uint: %v", b)
	}
	a := AppendUint(nil, 5, 3)
	if len(a) != 3 || a[0] != 1 || a[1] != 0 || a[2] != 1 {
		t.Fatalf("AppendUint: %v", a)
	}
}

func TestPackUnpack(t *testing.T) {
	b := []byte{1, 0, 1, 1, 0, 0, 0, 1, 1}
	p := make([]byte, 2)
	if n := Pack(p, b); n != 2 || p[0] != 0xB1 || p[1] != 0x80 {
		t.Fatalf("Pack = %x", p)
	}
	u := make([]byte, 9)
	Unpack(u, p, 9)
	if Diff(u, b) != 0 {
		t.Fatalf("Unpack = %v", u)
	}
}
