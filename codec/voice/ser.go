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

// SerReader reads frames of the reference serial format: 138 little-endian int16
// words per frame, word 0 the BFI flag, words 1-137 the bits (each 0 or 1).
type SerReader struct {
	r     *bufio.Reader
	buf   [2 * SerFrameWords]byte
	frame int
}

// NewSerReader returns a reader of .ser frames from r.
func NewSerReader(r io.Reader) *SerReader { return &SerReader{r: bufio.NewReader(r)} }

// Read reads the next frame's 137 bits into bits and returns its BFI flag. It
// returns io.EOF at a clean end, and an error naming the frame and word for a
// truncated frame or a word that is not a bit.
func (s *SerReader) Read(bits []byte) (bfi bool, err error) {
	if len(bits) < SerFrameWords-1 {
		panic("voice: SerReader.Read: bits shorter than 137")
	}
	n, err := io.ReadFull(s.r, s.buf[:])
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
	for i := 1; i < SerFrameWords; i++ {
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

// AppendSer appends one frame in the reference serial format to dst.
func AppendSer(dst []byte, bits []byte, bfi bool) []byte {
	if len(bits) != SerFrameWords-1 {
		panic("voice: AppendSer: need 137 bits")
	}
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
