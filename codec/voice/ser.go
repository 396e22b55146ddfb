package voice

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// SerFrameWords is the size of one frame of the reference serial format: the BFI
// word and then 137 bit words (EN 300 395-2 V1.3.1 reference test suite; shared
// speech-codec.md §4).
const SerFrameWords = 1 + 137

// ErrSerFormat reports a .ser stream that is not in the reference serial format.
var ErrSerFormat = errors.New("voice: not a .ser file")

// SerReader reads frames of the reference serial format: little-endian int16
// words, per frame word 0 the BFI flag and then one word per bit (each 0 or 1),
// 137 bits for TETRA ACELP. [NewSerReaderBits] reads the same layout with another
// frame length, as tetrasim writes it for the other codecs behind [Codec].
type SerReader struct {
	r     *bufio.Reader
	buf   []byte
	nbits int
	frame int
}

// NewSerReader returns a reader of 137-bit .ser frames from r.
func NewSerReader(r io.Reader) *SerReader { return NewSerReaderBits(r, SerFrameWords-1) }

// NewSerReaderBits returns a reader of .ser-layout frames of nbits bits (> 0).
func NewSerReaderBits(r io.Reader, nbits int) *SerReader {
	if nbits <= 0 {
		panic("voice: NewSerReaderBits: frame length must be positive")
	}
	return &SerReader{r: bufio.NewReader(r), buf: make([]byte, 2*(1+nbits)), nbits: nbits}
}

// Read reads the next frame's bits into bits and returns its BFI flag. It
// returns io.EOF at a clean end, and an error naming the frame and word for a
// truncated frame or a word that is not a bit. It panics if bits is shorter
// than the frame.
func (s *SerReader) Read(bits []byte) (bfi bool, err error) {
	if len(bits) < s.nbits {
		panic(fmt.Sprintf("voice: SerReader.Read: bits shorter than %d", s.nbits))
	}
	n, err := io.ReadFull(s.r, s.buf)
	if err == io.EOF {
		return false, io.EOF
	}
	if err != nil {
		return false, fmt.Errorf("%w: frame %d is truncated (%d of %d bytes)", ErrSerFormat, s.frame, n, len(s.buf))
	}
	w0 := binary.LittleEndian.Uint16(s.buf[0:])
	if w0 > 1 {
		return false, fmt.Errorf("%w: frame %d: BFI word is %#04x, want 0 or 1", ErrSerFormat, s.frame, w0)
	}
	for i := 1; i <= s.nbits; i++ {
		w := binary.LittleEndian.Uint16(s.buf[2*i:])
		if w > 1 {
			return false, fmt.Errorf("%w: frame %d word %d is %#04x, want 0 or 1", ErrSerFormat, s.frame, i, w)
		}
		bits[i-1] = byte(w)
	}
	s.frame++
	return w0 == 1, nil
}

// Frames returns how many frames were read so far.
func (s *SerReader) Frames() int { return s.frame }

// AppendSer appends one 137-bit frame in the reference serial format to dst.
// It panics unless len(bits) is 137.
func AppendSer(dst []byte, bits []byte, bfi bool) []byte {
	if len(bits) != SerFrameWords-1 {
		panic("voice: AppendSer: need 137 bits")
	}
	return AppendSerBits(dst, bits, bfi)
}

// AppendSerBits appends one frame of any length in the .ser layout to dst: the
// BFI word, then one word per bit (the low bit of each byte).
func AppendSerBits(dst []byte, bits []byte, bfi bool) []byte {
	var b0 uint16
	if bfi {
		b0 = 1
	}
	dst = binary.LittleEndian.AppendUint16(dst, b0)
	for _, b := range bits {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(b&1))
	}
	return dst
}
