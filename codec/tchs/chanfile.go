package tchs

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The .chan format of the EN 300 395-2 reference test suite (channel coder
// output, shared speech-codec.md §4): per 60 ms slot, 690 little-endian int16
// words in six 115-word sub-blocks with headers 0x6B21…0x6B26 at word offsets
// 0, 115, 230, 345, 460, 575. The 432 type-4 bits sit at words 1–114, 116–229,
// 231–344 and 346–435; every other word is 0. A bit is written as 0x007F (+127,
// bit 0) or 0x0081 (low byte −127, bit 1); a reader takes the low byte of each
// word as a signed soft value.
const (
	ChanBlockWords = 690
	ChanBlockBytes = 2 * ChanBlockWords
	chanHeader     = 0x6B21
)

// chanRuns lists the word offset and length of the four runs of type-4 bits.
var chanRuns = [4][2]int{{1, 114}, {116, 114}, {231, 114}, {346, 90}}

// ErrChanFormat reports input that is not in the .chan format.
var ErrChanFormat = errors.New("tchs: not a .chan stream")

// AppendChan appends one 690-word .chan block carrying the 432 type-4 bits to
// dst, each as +127 (bit 0) or −127 (bit 1), as the reference channel coder
// writes them. Only the low bit of each bit byte counts.
func AppendChan(dst []byte, type4 []byte) []byte {
	type4 = type4[:BlockBits]
	var soft [BlockBits]int8
	for i, b := range type4 {
		soft[i] = 127
		if b&1 == 1 {
			soft[i] = -127
		}
	}
	return AppendChanSoft(dst, soft[:])
}

// AppendChanSoft is AppendChan for soft bits: each word is the soft value's
// low byte, zero-extended, as reference receivers write it.
func AppendChanSoft(dst []byte, soft []int8) []byte {
	soft = soft[:BlockBits]
	var blk [ChanBlockBytes]byte
	for h := 0; h < 6; h++ {
		binary.LittleEndian.PutUint16(blk[2*115*h:], uint16(chanHeader+h))
	}
	i := 0
	for _, run := range chanRuns {
		for w := run[0]; w < run[0]+run[1]; w++ {
			binary.LittleEndian.PutUint16(blk[2*w:], uint16(uint8(soft[i])))
			i++
		}
	}
	return append(dst, blk[:]...)
}

// ParseChanBlock extracts the 432 soft type-4 bits of one 1380-byte block into
// soft (low byte of each payload word, as int8). It returns ErrChanFormat if
// the block is short or does not start with the 0x6B21 header.
func ParseChanBlock(soft []int8, block []byte) error {
	if len(block) < ChanBlockBytes {
		return fmt.Errorf("%w: block of %d bytes, want %d", ErrChanFormat, len(block), ChanBlockBytes)
	}
	if h := binary.LittleEndian.Uint16(block); h != chanHeader {
		return fmt.Errorf("%w: block header %#04x, want %#04x", ErrChanFormat, h, chanHeader)
	}
	soft = soft[:BlockBits]
	i := 0
	for _, run := range chanRuns {
		for w := run[0]; w < run[0]+run[1]; w++ {
			soft[i] = int8(block[2*w])
			i++
		}
	}
	return nil
}

// ChanReader reads .chan blocks. Like the reference reader it first skips
// forward, word by word, to the first 0x6B21 header; after that every block
// must start with 0x6B21.
type ChanReader struct {
	r      *bufio.Reader
	buf    [ChanBlockBytes]byte
	synced bool
	blocks int
}

// NewChanReader returns a reader of .chan blocks from r.
func NewChanReader(r io.Reader) *ChanReader { return &ChanReader{r: bufio.NewReader(r)} }

// Read reads the next block's 432 soft type-4 bits into soft. It returns io.EOF
// at a clean end (also when no header was found at all), and an error wrapping
// ErrChanFormat for a truncated or misaligned block.
func (c *ChanReader) Read(soft []int8) error {
	if len(soft) < BlockBits {
		panic("tchs: ChanReader.Read: soft shorter than 432")
	}
	start := 0
	if !c.synced {
		for {
			if _, err := io.ReadFull(c.r, c.buf[:2]); err != nil {
				return io.EOF
			}
			if binary.LittleEndian.Uint16(c.buf[:2]) == chanHeader {
				break
			}
		}
		c.synced = true
		start = 2
	}
	n, err := io.ReadFull(c.r, c.buf[start:])
	if err == io.EOF && start == 0 {
		return io.EOF
	}
	if err != nil {
		return fmt.Errorf("%w: block %d truncated (%d of %d bytes)", ErrChanFormat, c.blocks, n+start, ChanBlockBytes)
	}
	if err := ParseChanBlock(soft, c.buf[:]); err != nil {
		return fmt.Errorf("block %d: %w", c.blocks, err)
	}
	c.blocks++
	return nil
}

// Blocks returns how many blocks were read.
func (c *ChanReader) Blocks() int { return c.blocks }
