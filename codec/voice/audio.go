package voice

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-audio/wav"
)

// ErrAudioFormat reports an audio file tetrasim cannot read.
var ErrAudioFormat = errors.New("voice: unsupported audio")

// ReadAudioFile reads speech from a WAV file (1 to 384 kHz, any channel count,
// 8 to 32-bit integer PCM: channels are averaged and the rate converted to 8 kHz)
// or from raw signed 16-bit little-endian 8 kHz mono PCM (.pcm, .raw, .s16).
func ReadAudioFile(path string) ([]int16, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wav", ".wave":
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		pcm, err := ReadWAV(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return pcm, nil
	case ".pcm", ".raw", ".s16", ".sw":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if len(b)%2 != 0 {
			return nil, fmt.Errorf("%s: %w: raw 16-bit PCM has an odd byte count (%d)", path, ErrAudioFormat, len(b))
		}
		pcm := make([]int16, len(b)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
		return pcm, nil
	}
	return nil, fmt.Errorf("%s: %w: unknown extension %q (want .wav, or .pcm/.raw for s16le 8 kHz mono)", path, ErrAudioFormat, filepath.Ext(path))
}

// Sample rates ReadWAV accepts [Hz]. A rate from a file header outside them is
// an error rather than a resampler sized by a corrupt field.
const (
	MinWAVRate = 1000
	MaxWAVRate = 384000
)

// ReadWAV decodes a RIFF WAV stream of integer PCM and returns 8 kHz mono speech.
// The file's rate must be in [MinWAVRate, MaxWAVRate].
func ReadWAV(r io.ReadSeeker) ([]int16, error) {
	if err := checkChunks(r); err != nil {
		return nil, err
	}
	d := wav.NewDecoder(r)
	if !d.IsValidFile() {
		if d.Err() != nil {
			return nil, fmt.Errorf("%w: not a valid WAV file: %v", ErrAudioFormat, d.Err())
		}
		return nil, fmt.Errorf("%w: not a valid WAV file (bad RIFF/WAVE header or fmt chunk)", ErrAudioFormat)
	}
	if d.WavAudioFormat != 1 {
		return nil, fmt.Errorf("%w: WAV audio format %d; only integer PCM (format 1) is supported", ErrAudioFormat, d.WavAudioFormat)
	}
	if d.NumChans == 0 || d.SampleRate == 0 {
		return nil, fmt.Errorf("%w: WAV header says %d channels at %d Hz", ErrAudioFormat, d.NumChans, d.SampleRate)
	}
	if d.SampleRate < MinWAVRate || d.SampleRate > MaxWAVRate {
		return nil, fmt.Errorf("%w: WAV sample rate %d Hz is outside %d to %d Hz", ErrAudioFormat, d.SampleRate, MinWAVRate, MaxWAVRate)
	}
	depth := int(d.BitDepth)
	if depth != 8 && depth != 16 && depth != 24 && depth != 32 {
		return nil, fmt.Errorf("%w: WAV bit depth %d (want 8, 16, 24 or 32)", ErrAudioFormat, depth)
	}
	buf, err := d.FullPCMBuffer()
	if err != nil {
		return nil, fmt.Errorf("%w: reading WAV samples: %v", ErrAudioFormat, err)
	}
	ch := int(d.NumChans)
	frames := len(buf.Data) / ch
	if frames == 0 {
		return nil, fmt.Errorf("%w: WAV file holds no samples", ErrAudioFormat)
	}
	// Average the channels into float64 at full scale 1.0.
	scale := 1 / math.Ldexp(1, depth-1)
	mono := make([]float64, frames)
	for i := 0; i < frames; i++ {
		var s float64
		for c := 0; c < ch; c++ {
			v := buf.Data[i*ch+c]
			if depth == 8 { // 8-bit WAV is unsigned
				v -= 128
			}
			s += float64(v)
		}
		mono[i] = s / float64(ch) * scale
	}
	if rate := int(d.SampleRate); rate != SampleRate {
		mono = Resample(mono, rate, SampleRate)
	}
	out := make([]int16, len(mono))
	for i, v := range mono {
		out[i] = clip16(v * 32768)
	}
	return out, nil
}

// checkChunks walks the RIFF chunks before the "data" chunk the way
// github.com/go-audio/wav does (sizes rounded up to even) and rejects a chunk that
// claims more bytes than the stream holds, or a "fmt " chunk shorter than the 16
// bytes the decoder reads from it. go-audio allocates a buffer of the claimed size
// for "fmt ", LIST, smpl and cue chunks, so a 44-byte file claiming a 4 GB chunk
// would otherwise exhaust memory. Anything else is left for the decoder to judge.
// It leaves r where it found it.
func checkChunks(r io.ReadSeeker) (err error) {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAudioFormat, err)
	}
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrAudioFormat, err)
	}
	defer func() {
		if _, serr := r.Seek(start, io.SeekStart); serr != nil && err == nil {
			err = fmt.Errorf("%w: %v", ErrAudioFormat, serr)
		}
	}()
	var h [8]byte
	for pos := start + 12; end-pos >= 8; { // after "RIFF" size "WAVE"
		if _, err := r.Seek(pos, io.SeekStart); err != nil {
			return fmt.Errorf("%w: %v", ErrAudioFormat, err)
		}
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return fmt.Errorf("%w: %v", ErrAudioFormat, err)
		}
		pos += 8
		id, size := string(h[:4]), int64(binary.LittleEndian.Uint32(h[4:]))
		size += size & 1
		switch {
		case id == "data":
			return nil
		case id == "fmt " && size < 16:
			return fmt.Errorf("%w: WAV fmt chunk of %d bytes, want at least 16", ErrAudioFormat, size)
		case size > end-pos:
			return fmt.Errorf("%w: WAV chunk %q claims %d bytes but only %d follow (truncated or corrupt file)", ErrAudioFormat, id, size, end-pos)
		}
		pos += size
	}
	return nil
}

func clip16(v float64) int16 {
	v = math.Round(v)
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}

// WriteAudioFile writes 8 kHz mono speech as WAV (.wav) or raw s16le (.pcm, .raw).
func WriteAudioFile(path string, pcm []int16) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".wav" && ext != ".pcm" && ext != ".raw" && ext != ".s16" && ext != ".sw" {
		return fmt.Errorf("%s: %w: unknown extension %q (want .wav, .pcm or .raw)", path, ErrAudioFormat, filepath.Ext(path))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if ext == ".wav" {
		w, err := NewWAVWriter(f, SampleRate)
		if err == nil {
			_, err = w.Write(pcm)
		}
		if err == nil {
			err = w.Close()
		} else {
			f.Close()
		}
		return err
	}
	bw := bufio.NewWriter(f)
	var b [2]byte
	for _, v := range pcm {
		binary.LittleEndian.PutUint16(b[:], uint16(v))
		bw.Write(b[:])
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WAVWriter streams 16-bit mono PCM into a RIFF WAV file. The header is written
// first with sizes patched by Flush and Close, so a recording cut short (Ctrl-C)
// still holds a valid file of what was written.
type WAVWriter struct {
	f       *os.File
	bw      *bufio.Writer
	rate    int
	samples int64
	scratch [2]byte
}

// NewWAVWriter writes a WAV header to f and returns a writer of samples at rate Hz.
// Close closes f.
func NewWAVWriter(f *os.File, rate int) (*WAVWriter, error) {
	w := &WAVWriter{f: f, bw: bufio.NewWriter(f), rate: rate}
	if _, err := w.bw.Write(w.header()); err != nil {
		return nil, err
	}
	return w, nil
}

// header is the 44-byte canonical PCM WAV header for the samples written so far.
func (w *WAVWriter) header() []byte {
	data := uint32(w.samples * 2)
	h := make([]byte, 0, 44)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, 36+data)
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, 1) // mono
	h = binary.LittleEndian.AppendUint32(h, uint32(w.rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(w.rate*2))
	h = binary.LittleEndian.AppendUint16(h, 2)
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, data)
	return h
}

// Write appends samples.
func (w *WAVWriter) Write(pcm []int16) (int, error) {
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(w.scratch[:], uint16(v))
		if _, err := w.bw.Write(w.scratch[:]); err != nil {
			return i, err
		}
	}
	w.samples += int64(len(pcm))
	return len(pcm), nil
}

// Flush writes buffered samples and patches the header so the file is valid now.
func (w *WAVWriter) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	if _, err := w.f.WriteAt(w.header(), 0); err != nil {
		return err
	}
	return nil
}

// Close flushes and closes the file.
func (w *WAVWriter) Close() error {
	err := w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}
