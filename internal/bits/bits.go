// Package bits holds helpers for unpacked bits (one bit per byte, value 0 or 1,
// the first transmitted bit first) and packed bytes (MSB first), shared by codec
// and radio. It holds no state.
package bits

// PutUint writes the n low bits of v into dst[0:n], most significant bit first,
// and returns dst[n:]. It panics if len(dst) < n or n > 64.
func PutUint(dst []byte, v uint64, n int) []byte {
	_ = dst[n-1]
	for i := 0; i < n; i++ {
		dst[i] = byte(v>>(n-1-i)) & 1
	}
	return dst[n:]
}

// AppendUint appends the n low bits of v, most significant bit first.
func AppendUint(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>i)&1)
	}
	return dst
}

// Uint reads len(b) (<= 64) unpacked bits as an unsigned integer, first bit most significant.
// Only the low bit of each byte counts.
func Uint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<1 | uint64(x&1)
	}
	return v
}

// Pack packs unpacked bits into bytes, MSB first; a final partial byte is padded
// with zeros. It returns the number of bytes written and panics if dst is short.
func Pack(dst []byte, b []byte) int {
	n := (len(b) + 7) / 8
	_ = dst[:n]
	for i := 0; i < n; i++ {
		var v byte
		for j := 0; j < 8; j++ {
			v <<= 1
			if k := 8*i + j; k < len(b) {
				v |= b[k] & 1
			}
		}
		dst[i] = v
	}
	return n
}

// Unpack writes nbits bits of packed (MSB first) into dst, one per byte.
// It panics if either slice is too short.
func Unpack(dst []byte, packed []byte, nbits int) {
	_ = dst[:nbits]
	_ = packed[:(nbits+7)/8]
	for i := 0; i < nbits; i++ {
		dst[i] = (packed[i/8] >> (7 - i%8)) & 1
	}
}

// Equal counts the positions where a and b differ (low bit only) over the shorter length.
func Diff(a, b []byte) int {
	n := min(len(a), len(b))
	d := 0
	for i := 0; i < n; i++ {
		d += int((a[i] ^ b[i]) & 1)
	}
	return d
}
