package iq

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// Format is a byte encoding of interleaved complex samples (I first).
type Format int

// The formats of sdr-hardware.md §3. SigMF names are given by SigMFName.
const (
	CS8  Format = iota + 1 // int8 I,Q; x/128 (HackRF)
	CU8                    // uint8 offset binary; (x-127.5)/127.5 (RTL-SDR, rtl_tcp)
	CS16                   // int16 little-endian; x/32768
	CF32                   // float32 little-endian, as is (GNU Radio gr_complex)
)

// String returns the short name used in file extensions and flags.
func (f Format) String() string {
	switch f {
	case CS8:
		return "cs8"
	case CU8:
		return "cu8"
	case CS16:
		return "cs16"
	case CF32:
		return "cf32"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// SigMFName returns the SigMF core:datatype of f.
func (f Format) SigMFName() string {
	switch f {
	case CS8:
		return "ci8"
	case CU8:
		return "cu8"
	case CS16:
		return "ci16_le"
	case CF32:
		return "cf32_le"
	}
	return ""
}

// BytesPerSample is the size of one complex sample in f.
func (f Format) BytesPerSample() int {
	switch f {
	case CS8, CU8:
		return 2
	case CS16:
		return 4
	case CF32:
		return 8
	}
	return 0
}

// ParseFormat accepts a format name (cs8, cu8, cs16, cf32, and the aliases s8, u8,
// s16, f32, fc32, ci8, ci16_le, cf32_le, raw, iq).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimPrefix(s, ".")) {
	case "cs8", "s8", "ci8", "sc8":
		return CS8, nil
	case "cu8", "u8", "cu8_le":
		return CU8, nil
	case "cs16", "s16", "ci16", "ci16_le", "sc16":
		return CS16, nil
	case "cf32", "f32", "fc32", "cf32_le", "raw", "iq", "cfile", "complex":
		return CF32, nil
	}
	return 0, fmt.Errorf("iq: unknown sample format %q (want cs8, cu8, cs16 or cf32)", s)
}

// FormatFromPath guesses the format from a file name's extension.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	if ext == "" {
		return 0, fmt.Errorf("iq: %s: no extension to tell the sample format; name it .cs8, .cu8, .cs16 or .cf32 or give the format", path)
	}
	f, err := ParseFormat(ext)
	if err != nil {
		return 0, fmt.Errorf("iq: %s: extension %q is not a sample format (want .cs8, .cu8, .cs16 or .cf32)", path, ext)
	}
	return f, nil
}

// cu8Table maps an RTL-SDR byte to its float value; a fixed table, never written
// after package initialisation.
var cu8Table = func() (t [256]float32) {
	for i := range t {
		t[i] = (float32(i) - 127.5) / 127.5
	}
	return t
}()

// Decode converts len(src)/f.BytesPerSample() samples from src into dst and returns
// the count. It panics if dst is too short. Trailing bytes of a partial sample are ignored.
func Decode(f Format, dst []complex64, src []byte) int {
	bps := f.BytesPerSample()
	if bps == 0 {
		panic("iq: Decode: bad format")
	}
	n := len(src) / bps
	if len(dst) < n {
		panic("iq: Decode: dst too short")
	}
	dst = dst[:n]
	switch f {
	case CS8:
		src = src[:2*n]
		for i := range dst {
			dst[i] = complex(float32(int8(src[2*i]))/128, float32(int8(src[2*i+1]))/128)
		}
	case CU8:
		src = src[:2*n]
		for i := range dst {
			dst[i] = complex(cu8Table[src[2*i]], cu8Table[src[2*i+1]])
		}
	case CS16:
		src = src[:4*n]
		for i := range dst {
			re := int16(binary.LittleEndian.Uint16(src[4*i:]))
			im := int16(binary.LittleEndian.Uint16(src[4*i+2:]))
			dst[i] = complex(float32(re)/32768, float32(im)/32768)
		}
	case CF32:
		src = src[:8*n]
		for i := range dst {
			re := math.Float32frombits(binary.LittleEndian.Uint32(src[8*i:]))
			im := math.Float32frombits(binary.LittleEndian.Uint32(src[8*i+4:]))
			dst[i] = complex(re, im)
		}
	}
	return n
}

// Encode converts src into dst in format f and returns the bytes written. Values
// outside the format's range saturate. It panics if dst is shorter than
// len(src)*f.BytesPerSample(). Encode(Decode(b)) == b for every integer format.
func Encode(f Format, dst []byte, src []complex64) int {
	bps := f.BytesPerSample()
	if bps == 0 {
		panic("iq: Encode: bad format")
	}
	n := len(src) * bps
	if len(dst) < n {
		panic("iq: Encode: dst too short")
	}
	switch f {
	case CS8:
		for i, v := range src {
			dst[2*i] = byte(int8(sat(real(v)*128, -128, 127)))
			dst[2*i+1] = byte(int8(sat(imag(v)*128, -128, 127)))
		}
	case CU8:
		for i, v := range src {
			dst[2*i] = byte(sat(real(v)*127.5+127.5, 0, 255))
			dst[2*i+1] = byte(sat(imag(v)*127.5+127.5, 0, 255))
		}
	case CS16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[4*i:], uint16(int16(sat(real(v)*32768, -32768, 32767))))
			binary.LittleEndian.PutUint16(dst[4*i+2:], uint16(int16(sat(imag(v)*32768, -32768, 32767))))
		}
	case CF32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[8*i:], math.Float32bits(real(v)))
			binary.LittleEndian.PutUint32(dst[8*i+4:], math.Float32bits(imag(v)))
		}
	}
	return n
}

// sat rounds x to the nearest integer and clamps it to [lo, hi]. NaN maps to 0
// for signed formats (lo < 0) and to the midpoint otherwise.
func sat(x float32, lo, hi float32) int32 {
	if x != x { // NaN
		if lo < 0 {
			return 0
		}
		return int32((lo + hi + 1) / 2)
	}
	r := float32(math.Floor(float64(x) + 0.5))
	if r < lo {
		r = lo
	}
	if r > hi {
		r = hi
	}
	return int32(r)
}
