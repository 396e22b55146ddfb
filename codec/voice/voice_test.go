package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readPCM(t testing.TB, name string) []int16 {
	t.Helper()
	pcm, err := ReadAudioFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// TestScoreCalibration reproduces the calibration table of speech-codec.md §5.1:
// the ETSI reference decoder's output on hts1a scores 7.04 dB segSNR and
// 7.89 dB LSD at a lag of 40 samples.
func TestScoreCalibration(t *testing.T) {
	ref := readPCM(t, "hts1a.pcm")
	deg := readPCM(t, "hts1a.dec.pcm")
	s := Compare(ref, deg, false)
	t.Logf("ETSI ACELP hts1a: lag %d segSNR %.2f dB LSD %.2f dB (%d/%d frames)", s.LagSamples, s.SegSNR, s.LSD, s.SNRFrames, s.LSDFrames)
	if s.LagSamples != 40 {
		t.Errorf("lag = %d, want 40", s.LagSamples)
	}
	if math.Abs(s.SegSNR-7.04) > 0.02 || math.Abs(s.LSD-7.89) > 0.02 {
		t.Errorf("segSNR %.3f LSD %.3f, want 7.04 / 7.89", s.SegSNR, s.LSD)
	}

	// The identical signal: segSNR at the clip, LSD 0.
	if s := Compare(ref, ref, false); s.SegSNR != 35 || s.LSD != 0 || s.LagSamples != 0 {
		t.Errorf("self: %+v", s)
	}

	// White noise at the same level: about -6 dB and 23 dB (table §5.1).
	rng := rand.New(rand.NewPCG(1, 1))
	var e float64
	for _, v := range ref {
		e += float64(v) * float64(v)
	}
	rms := math.Sqrt(e / float64(len(ref)))
	noise := make([]int16, len(ref))
	for i := range noise {
		noise[i] = clip16(rng.NormFloat64() * rms)
	}
	s = Compare(ref, noise, false)
	t.Logf("white noise: segSNR %.2f LSD %.2f", s.SegSNR, s.LSD)
	if s.SegSNR > -4 || s.SegSNR < -8 || s.LSD < 20 || s.LSD > 27 {
		t.Errorf("noise scored %.2f / %.2f, want about -6.0 / 23.3", s.SegSNR, s.LSD)
	}
}

// TestScoreDelay finds a known delay with both alignment methods.
func TestScoreDelay(t *testing.T) {
	ref := readPCM(t, "hts1a.pcm")
	deg := append(make([]int16, 123), ref...)
	if s := Compare(ref, deg, false); s.LagSamples != 123 || s.SegSNR != 35 {
		t.Errorf("waveform: lag %d segSNR %.2f", s.LagSamples, s.SegSNR)
	}
	deg = append(make([]int16, 160), ref...)
	if s := Compare(ref, deg, true); s.LagSamples != 160 {
		t.Errorf("envelope: lag %d", s.LagSamples)
	}
}

func TestSerRoundTripAndErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	var file []byte
	frames := make([][]byte, 5)
	for i := range frames {
		frames[i] = make([]byte, 137)
		for k := range frames[i] {
			frames[i][k] = byte(rng.IntN(2))
		}
		file = AppendSer(file, frames[i], i == 3)
	}
	r := NewSerReader(bytes.NewReader(file))
	bits := make([]byte, 137)
	for i := range frames {
		bfi, err := r.Read(bits)
		if err != nil || bfi != (i == 3) || !bytes.Equal(bits, frames[i]) {
			t.Fatalf("frame %d: bfi %v err %v", i, bfi, err)
		}
	}
	if _, err := r.Read(bits); err == nil || err.Error() != "EOF" {
		t.Fatalf("end: %v", err)
	}
	// Truncated and non-bit words name the problem.
	if _, err := NewSerReader(bytes.NewReader(file[:100])).Read(bits); !errors.Is(err, ErrSerFormat) {
		t.Errorf("truncated: %v", err)
	}
	bad := bytes.Clone(file)
	binary.LittleEndian.PutUint16(bad[2*7:], 0x7F)
	if _, err := NewSerReader(bytes.NewReader(bad)).Read(bits); !errors.Is(err, ErrSerFormat) {
		t.Errorf("bad word: %v", err)
	}
}

func TestWAVRoundTripAndResample(t *testing.T) {
	dir := t.TempDir()
	ref := readPCM(t, "hts1a.pcm")
	p := filepath.Join(dir, "a.wav")
	if err := WriteAudioFile(p, ref); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAudioFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ref) || Compare(ref, got, false).SegSNR != 35 {
		t.Fatal("8 kHz WAV round trip is not exact")
	}
	// A 48 kHz stereo WAV of a 1 kHz tone comes back as an 8 kHz mono tone.
	const n48 = 48000
	f, _ := os.Create(filepath.Join(dir, "s.wav"))
	w := &stereoWriter{}
	for i := 0; i < n48; i++ {
		v := int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/48000))
		w.samples = append(w.samples, v, v)
	}
	f.Write(w.bytes(48000))
	f.Close()
	mono, err := ReadAudioFile(filepath.Join(dir, "s.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mono) != 8000 {
		t.Fatalf("resampled length %d, want 8000", len(mono))
	}
	var maxErr float64
	for i := 200; i < 7800; i++ {
		want := 10000 * math.Sin(2*math.Pi*1000*float64(i)/8000)
		maxErr = math.Max(maxErr, math.Abs(float64(mono[i])-want))
	}
	if maxErr > 20 {
		t.Errorf("resampled tone error %.1f LSB", maxErr)
	}
}

func TestBadAudioFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"empty.wav":   nil,
		"garbage.wav": []byte("this is not a wav file at all, not even close......"),
		"odd.pcm":     {1, 2, 3},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o644)
		if _, err := ReadAudioFile(p); !errors.Is(err, ErrAudioFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ReadAudioFile(filepath.Join(dir, "x.mp3")); !errors.Is(err, ErrAudioFormat) {
		t.Errorf("mp3: %v", err)
	}
}

// stereoWriter builds a 16-bit stereo WAV in memory for tests.
type stereoWriter struct{ samples []int16 }

func (s *stereoWriter) bytes(rate int) []byte {
	data := len(s.samples) * 2
	h := []byte("RIFF")
	h = binary.LittleEndian.AppendUint32(h, uint32(36+data))
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1)
	h = binary.LittleEndian.AppendUint16(h, 2)
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*4))
	h = binary.LittleEndian.AppendUint16(h, 4)
	h = binary.LittleEndian.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, uint32(data))
	for _, v := range s.samples {
		h = binary.LittleEndian.AppendUint16(h, uint16(v))
	}
	return h
}

func FuzzReadWAV(f *testing.F) {
	w := &stereoWriter{samples: []int16{1, 2, 3, 4}}
	f.Add(w.bytes(8000))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, err := ReadWAV(bytes.NewReader(b))
		if err == nil && pcm == nil {
			t.Fatal("nil samples without error")
		}
	})
}

func FuzzSerReader(f *testing.F) {
	f.Add(AppendSer(nil, make([]byte, 137), true))
	f.Add([]byte{1, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewSerReader(bytes.NewReader(b))
		bits := make([]byte, 137)
		for {
			_, err := r.Read(bits)
			if err != nil {
				break
			}
			for _, x := range bits {
				if x > 1 {
					t.Fatal("bit > 1")
				}
			}
		}
	})
}

func TestClips(t *testing.T) {
	if got := ClipNames(); len(got) != 3 {
		t.Fatalf("clips: %v", got)
	}
	a, err := Clip("hts1a")
	if err != nil {
		t.Fatal(err)
	}
	if ref := readPCM(t, "hts1a.pcm"); Compare(ref, a, false).SegSNR != 35 || len(a) != 24000 {
		t.Error("bundled hts1a differs from the vector")
	}
	if v, _ := Clip("vk5qi"); len(v) != 108358 {
		t.Errorf("vk5qi: %d samples", len(v))
	}
	if _, err := Clip("nope"); err == nil {
		t.Error("unknown clip accepted")
	}
}

// TestACELPThroughInterface: the ACELP codec behind the Codec interface reproduces
// the ETSI reference decoder's output on hts1a (encoder and decoder bit-exact
// together), and scores 7.04 / 7.89 dB.
func TestACELPThroughInterface(t *testing.T) {
	c, err := New("acelp")
	if err != nil {
		t.Fatal(err)
	}
	if c.SamplesPerFrame() != 240 || c.BitsPerFrame() != 137 || c.FrameDuration().Milliseconds() != 30 {
		t.Fatalf("geometry %d %d %v", c.SamplesPerFrame(), c.BitsPerFrame(), c.FrameDuration())
	}
	ref := readPCM(t, "hts1a.pcm")
	want := readPCM(t, "hts1a.dec.pcm")
	out := make([]int16, 0, len(ref))
	frame := make([]int16, 240)
	bits := make([]byte, 0, 137)
	for i := 0; i+240 <= len(ref); i += 240 {
		bits = c.Encode(bits[:0], ref[i:i+240])
		c.Decode(frame, bits, false)
		out = append(out, frame...)
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("sample %d: %d, ETSI reference %d", i, out[i], want[i])
		}
	}
	s := Compare(ref, out, false)
	if math.Abs(s.SegSNR-7.04) > 0.02 || math.Abs(s.LSD-7.89) > 0.02 {
		t.Errorf("score %.2f / %.2f", s.SegSNR, s.LSD)
	}
	if a := testing.AllocsPerRun(20, func() {
		bits = c.Encode(bits[:0], ref[:240])
		c.Decode(frame, bits, false)
	}); a != 0 {
		t.Errorf("%v allocs per frame", a)
	}
	if _, err := New("nope"); err == nil {
		t.Error("unknown codec accepted")
	}
}

// TestWAVRates: a rate field outside [MinWAVRate, MaxWAVRate] is a clear
// ErrAudioFormat (a 48-byte file claiming 2^31-1 Hz once sized a 1 TB resampler
// table), and an odd rate whose polyphase table would need more than maxPhases
// phases (44101 Hz: up = 8000) still resamples a tone accurately.
func TestWAVRates(t *testing.T) {
	for _, rate := range []int{MinWAVRate - 1, MaxWAVRate + 1, 1<<31 - 1} {
		w := &stereoWriter{samples: []int16{1, 2, 3, 4}}
		_, err := ReadWAV(bytes.NewReader(w.bytes(rate)))
		if !errors.Is(err, ErrAudioFormat) || !strings.Contains(err.Error(), "sample rate") {
			t.Errorf("rate %d: err = %v, want ErrAudioFormat naming the sample rate", rate, err)
		}
	}
	const rate = 44101
	w := &stereoWriter{}
	for i := 0; i < rate; i++ {
		v := int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/rate))
		w.samples = append(w.samples, v, v)
	}
	mono, err := ReadWAV(bytes.NewReader(w.bytes(rate)))
	if err != nil {
		t.Fatal(err)
	}
	if want := rate * SampleRate / rate; len(mono) != want {
		t.Fatalf("resampled length %d, want %d", len(mono), want)
	}
	var maxErr float64
	for i := 200; i < 7800; i++ {
		want := 10000 * math.Sin(2*math.Pi*1000*float64(i)/SampleRate)
		maxErr = math.Max(maxErr, math.Abs(float64(mono[i])-want))
	}
	if maxErr > 20 {
		t.Errorf("44101 Hz tone resampled with error %.1f LSB", maxErr)
	}
}

// TestSerOtherLengths: the .ser layout with 64-bit frames (Codec2 3200) round
// trips through AppendSerBits and NewSerReaderBits, and a short final frame is
// an ErrSerFormat naming the frame.
func TestSerOtherLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var file []byte
	var want [][]byte
	for i := 0; i < 5; i++ {
		f := make([]byte, 64)
		for k := range f {
			f[k] = byte(rng.IntN(2))
		}
		want = append(want, f)
		file = AppendSerBits(file, f, i == 3)
	}
	r := NewSerReaderBits(bytes.NewReader(file), 64)
	got := make([]byte, 64)
	for i := range want {
		bfi, err := r.Read(got)
		if err != nil || bfi != (i == 3) || !bytes.Equal(got, want[i]) {
			t.Fatalf("frame %d: bfi %v err %v, bits equal %v", i, bfi, err, bytes.Equal(got, want[i]))
		}
	}
	if _, err := r.Read(got); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
	r = NewSerReaderBits(bytes.NewReader(file[:len(file)-2]), 64)
	var err error
	for err == nil {
		_, err = r.Read(got)
	}
	if !errors.Is(err, ErrSerFormat) || !strings.Contains(err.Error(), "frame 4") {
		t.Fatalf("truncated last frame: %v", err)
	}
}
