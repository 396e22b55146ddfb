// Package rtltcp is a pure-Go client of the rtl_tcp protocol (shared design note
// sdr-hardware.md §2), the way most users reach an RTL-SDR dongle: a 12-byte
// header from the server, 5-byte commands from the client, then an endless cu8
// I/Q stream. It also provides the "rtltcp" device driver.
//
// The client detects a dead server (connection closed: the samples received are
// returned first, then an error wrapping hardware.ErrStreamTruncated), a stalled
// one (no bytes for Options.StallTimeout: hardware.ErrServerLagging), and a
// lagging one (delivering below the sample rate set: Lagging reports it and
// Stats().Dropped counts the estimated shortfall).
package rtltcp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic starts the server's header.
const Magic = "RTL0"

// HeaderSize is the size of the server's header [bytes].
const HeaderSize = 12

// ErrBadHeader reports a header that is not rtl_tcp's.
var ErrBadHeader = errors.New("rtltcp: bad header")

// TunerType is the tuner chip the server reports (sdr-hardware.md §2).
type TunerType uint32

// Tuner types, as numbered by librtlsdr's enum rtlsdr_tuner.
const (
	TunerUnknown TunerType = iota
	TunerE4000
	TunerFC0012
	TunerFC0013
	TunerFC2580
	TunerR820T
	TunerR828D
)

// String returns the chip name.
func (t TunerType) String() string {
	switch t {
	case TunerUnknown:
		return "unknown"
	case TunerE4000:
		return "E4000"
	case TunerFC0012:
		return "FC0012"
	case TunerFC0013:
		return "FC0013"
	case TunerFC2580:
		return "FC2580"
	case TunerR820T:
		return "R820T"
	case TunerR828D:
		return "R828D"
	}
	return fmt.Sprintf("TunerType(%d)", uint32(t))
}

// Gains returns the tuner's gain steps in tenths of dB, from librtlsdr's
// rtlsdr_get_tuner_gains (rtl-sdr.c); nil for tuners without a list.
func (t TunerType) Gains() []int {
	switch t {
	case TunerE4000:
		return []int{-10, 15, 40, 65, 90, 115, 140, 165, 190, 215, 240, 290, 340, 420}
	case TunerFC0012:
		return []int{-99, -40, 71, 179, 192}
	case TunerFC0013:
		return []int{-99, -73, -65, -63, -60, -58, -54, 58, 61, 63, 65, 67, 68, 70, 71, 179, 181, 182, 184, 186, 188, 191, 197}
	case TunerR820T, TunerR828D:
		return []int{0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328, 338, 364, 372, 386, 402, 421, 434, 439, 445, 480, 496}
	}
	return nil
}

// Header is the server's 12-byte greeting: "RTL0", tuner type and the number of
// tuner gain steps, both uint32 big-endian.
type Header struct {
	Tuner     TunerType
	GainCount uint32
}

// ParseHeader decodes the server's header. A short buffer or a wrong magic is an
// error wrapping ErrBadHeader that shows what was received.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes, want %d (% x)", ErrBadHeader, len(b), HeaderSize, b)
	}
	if string(b[:4]) != Magic {
		return Header{}, fmt.Errorf("%w: magic %q (% x), want %q: not an rtl_tcp server (a SoapyRemote or hackrf_tcp server?)", ErrBadHeader, printable(b[:4]), b[:4], Magic)
	}
	return Header{Tuner: TunerType(binary.BigEndian.Uint32(b[4:])), GainCount: binary.BigEndian.Uint32(b[8:])}, nil
}

func printable(b []byte) string {
	r := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		r[i] = c
	}
	return string(r)
}

// AppendBinary appends the 12-byte encoding of h.
func (h Header) AppendBinary(dst []byte) ([]byte, error) {
	dst = append(dst, Magic...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(h.Tuner))
	return binary.BigEndian.AppendUint32(dst, h.GainCount), nil
}

// Command is an rtl_tcp command byte (sdr-hardware.md §2). Parameters are uint32
// big-endian; nothing is ever acknowledged and unknown commands are ignored.
type Command uint8

// Commands.
const (
	CmdFreq           Command = 0x01 // centre frequency [Hz]
	CmdSampleRate     Command = 0x02 // [S/s]
	CmdGainMode       Command = 0x03 // 0 auto, 1 manual
	CmdGain           Command = 0x04 // tuner gain [0.1 dB], manual mode
	CmdFreqCorrection Command = 0x05 // [ppm], int32 two's complement
	CmdIFGain         Command = 0x06 // stage<<16 | uint16(int16 gain [0.1 dB])
	CmdTestMode       Command = 0x07 // 0/1
	CmdAGCMode        Command = 0x08 // RTL2832 digital AGC 0/1
	CmdDirectSampling Command = 0x09 // 0 off, 1 I branch, 2 Q branch
	CmdOffsetTuning   Command = 0x0a // 0/1 (E4000)
	CmdRTLXtal        Command = 0x0b // [Hz]
	CmdTunerXtal      Command = 0x0c // [Hz]
	CmdGainByIndex    Command = 0x0d // index into the tuner's gain list
	CmdBiasTee        Command = 0x0e // 0/1
)

// String returns the command's name.
func (c Command) String() string {
	names := [...]string{"", "freq", "sample_rate", "gain_mode", "gain", "freq_correction", "if_gain",
		"test_mode", "agc_mode", "direct_sampling", "offset_tuning", "rtl_xtal", "tuner_xtal", "gain_by_index", "bias_tee"}
	if int(c) > 0 && int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("Command(0x%02x)", uint8(c))
}

// CommandSize is the size of a command on the wire [bytes].
const CommandSize = 5

// AppendCommand appends the 5-byte encoding of c with param.
func AppendCommand(dst []byte, c Command, param uint32) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(c)), param)
}

// ParseCommand decodes one 5-byte command.
func ParseCommand(b []byte) (Command, uint32, error) {
	if len(b) < CommandSize {
		return 0, 0, fmt.Errorf("rtltcp: command of %d bytes, want %d", len(b), CommandSize)
	}
	return Command(b[0]), binary.BigEndian.Uint32(b[1:]), nil
}

// ValidSampleRate reports whether librtlsdr accepts sps: 225001-300000 or
// 900001-3200000 S/s.
func ValidSampleRate(sps float64) bool {
	return (sps >= 225001 && sps <= 300000) || (sps >= 900001 && sps <= 3200000)
}
