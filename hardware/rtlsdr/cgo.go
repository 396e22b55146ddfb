//go:build rtlsdr && cgo

package rtlsdr

/*
#cgo pkg-config: librtlsdr
#include <stdint.h>
#include <stdlib.h>
#include <rtl-sdr.h>

// Exported from export.go.
extern void tetrasimRtlsdrRX(unsigned char* buf, uint32_t len, void* ctx);

// The shim passes the stream's runtime/cgo.Handle (a uintptr) as the context
// pointer, so that no Go pointer is handed to C.
static int shim_read_async(rtlsdr_dev_t* d, uintptr_t h, uint32_t nbuf, uint32_t buflen) {
	return rtlsdr_read_async(d, tetrasimRtlsdrRX, (void*)h, nbuf, buflen);
}
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// Built reports whether the librtlsdr binding is compiled in.
const Built = true

const (
	asyncBuffers = 15         // librtlsdr's default
	bufferBytes  = 16 * 16384 // 256 KiB per USB transfer (a multiple of 512)
	ringBlocks   = 32         // about 1.8 s at 2.304 MS/s
)

func check(op string, code C.int) error { return mapError(op, int(code)) }

func usbStrings(i C.uint32_t) (manufact, product, serial string, err error) {
	var m, p, s [256]C.char
	if code := C.rtlsdr_get_device_usb_strings(i, &m[0], &p[0], &s[0]); code != 0 {
		return "", "", "", check("read USB strings", code)
	}
	return C.GoString(&m[0]), C.GoString(&p[0]), C.GoString(&s[0]), nil
}

func info(serial, label string) hardware.Info {
	return hardware.Info{
		Driver: "rtlsdr", Serial: serial, Label: label, RX: true,
		Freq: hardware.Range{Min: 24e6, Max: 1766e6, Step: 1}, // R820T; other tuners differ
		Rate: hardware.Range{Min: 225001, Max: 3200000, Step: 1},
	}
}

// List returns the attached dongles with their serials.
func List(ctx context.Context) ([]hardware.Info, error) {
	n := C.rtlsdr_get_device_count()
	var out []hardware.Info
	for i := C.uint32_t(0); i < n; i++ {
		name := C.GoString(C.rtlsdr_get_device_name(i))
		m, p, s, err := usbStrings(i)
		label := name
		if err == nil {
			label = fmt.Sprintf("%s (%s %s)", name, m, p)
		} else {
			label += " (USB strings unreadable: check permissions, plugdev group)"
		}
		out = append(out, info(s, label))
	}
	return out, nil
}

type dev struct {
	mu     sync.Mutex // settings
	d      *C.rtlsdr_dev_t
	serial string
	label  string
	handle cgo.Handle
	c      hardware.Counters
	ring   *hardware.Ring
	closed atomic.Bool
	done   chan struct{}

	rmu     sync.Mutex // reads
	running bool
	async   sync.WaitGroup
	asyncRC atomic.Int64

	gains []int // tenths of dB
	ppm   int
}

// Open opens a dongle by serial (or ":SERIAL", or a small index; "" = the first).
func Open(ctx context.Context, selector string) (hardware.Source, error) {
	n := int(C.rtlsdr_get_device_count())
	if n == 0 {
		return nil, fmt.Errorf("rtlsdr: no supported devices found: check the cable (and lsusb): %w", hardware.ErrNoDevice)
	}
	serial, index, byIndex := parseSelector(selector)
	idx := 0
	switch {
	case selector == "":
	default:
		cs := C.CString(serial)
		i := int(C.rtlsdr_get_index_by_serial(cs))
		C.free(unsafe.Pointer(cs))
		switch {
		case i >= 0:
			idx = i
		case byIndex && index < n:
			idx = index
		default:
			return nil, fmt.Errorf("rtlsdr: no dongle with serial %q among %d attached ('tetrasim devices' lists them): %w", serial, n, hardware.ErrNoDevice)
		}
	}
	var d *C.rtlsdr_dev_t
	if err := check(fmt.Sprintf("open device %d", idx), C.rtlsdr_open(&d, C.uint32_t(idx))); err != nil {
		return nil, err
	}
	r := &dev{d: d, done: make(chan struct{}), ring: hardware.NewRing(ringBlocks, bufferBytes)}
	_, p, s, _ := usbStrings(C.uint32_t(idx))
	r.serial, r.label = s, fmt.Sprintf("%s %s (tuner %d)", C.GoString(C.rtlsdr_get_device_name(C.uint32_t(idx))), p, int(C.rtlsdr_get_tuner_type(d)))
	cnt := int(C.rtlsdr_get_tuner_gains(d, nil))
	if cnt > 0 {
		g := make([]C.int, cnt)
		cnt = int(C.rtlsdr_get_tuner_gains(d, &g[0]))
		for _, v := range g[:max(cnt, 0)] {
			r.gains = append(r.gains, int(v))
		}
	}
	r.handle = cgo.NewHandle(r)
	// Never change the bias tee silently: switch it off explicitly only when asked.
	if err := check("reset buffer", C.rtlsdr_reset_buffer(d)); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *dev) Info() hardware.Info {
	in := info(r.serial, r.label)
	if len(r.gains) > 0 {
		in.Gains = []hardware.GainStage{{Name: "TUNER", Range: hardware.Range{Min: float64(r.gains[0]) / 10, Max: float64(r.gains[len(r.gains)-1]) / 10}}}
	}
	return in
}

func (r *dev) Stats() hardware.Stats { return r.c.Stats() }

// Settings implements hardware.Settings, as the device reports them.
func (r *dev) Settings() (float64, float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return 0, 0
	}
	return float64(C.rtlsdr_get_sample_rate(r.d)), float64(C.rtlsdr_get_center_freq(r.d))
}

func (r *dev) usable() error {
	if r.closed.Load() {
		return hardware.ErrClosed
	}
	return nil
}

// Tune sets the centre frequency and returns the one the tuner reports.
func (r *dev) Tune(ctx context.Context, hz float64) (float64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return 0, err
	}
	if !(hz >= 1 && hz <= math.MaxUint32) {
		return 0, fmt.Errorf("rtlsdr: tune %.0f Hz: outside 1 Hz-4.29 GHz", hz)
	}
	if err := check(fmt.Sprintf("set frequency %.0f Hz", hz), C.rtlsdr_set_center_freq(r.d, C.uint32_t(math.Round(hz)))); err != nil {
		return 0, err
	}
	return float64(C.rtlsdr_get_center_freq(r.d)), nil
}

// SetSampleRate sets the rate (225001-300000 or 900001-3200000 S/s) and returns
// the one the RTL2832 reports (its resampler is exact only for some rates).
func (r *dev) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return 0, err
	}
	if !ValidSampleRate(math.Round(sps)) {
		return 0, fmt.Errorf("rtlsdr: sample rate %.0f S/s: librtlsdr accepts 225001-300000 and 900001-3200000", sps)
	}
	if err := check(fmt.Sprintf("set sample rate %.0f S/s", sps), C.rtlsdr_set_sample_rate(r.d, C.uint32_t(math.Round(sps)))); err != nil {
		return 0, err
	}
	return float64(C.rtlsdr_get_sample_rate(r.d)), nil
}

// SetGain sets the tuner gain (stage "" or "TUNER") in manual mode to the nearest
// step of the tuner's list; NaN switches to automatic gain. It returns the gain
// the tuner reports [dB].
func (r *dev) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	if stage != "" && !strings.EqualFold(stage, "TUNER") {
		return 0, fmt.Errorf("rtlsdr: gain stage %q: %w (only TUNER)", stage, hardware.ErrNotSupported)
	}
	if math.IsNaN(dB) {
		return math.NaN(), r.SetAutoGain(true)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return 0, err
	}
	g := nearestGain(r.gains, int(math.Round(dB*10)))
	if err := check("manual gain mode", C.rtlsdr_set_tuner_gain_mode(r.d, 1)); err != nil {
		return 0, err
	}
	if err := check(fmt.Sprintf("set gain %.1f dB", float64(g)/10), C.rtlsdr_set_tuner_gain(r.d, C.int(g))); err != nil {
		return 0, err
	}
	return float64(C.rtlsdr_get_tuner_gain(r.d)) / 10, nil
}

// SetAutoGain switches the tuner's automatic gain on or off.
func (r *dev) SetAutoGain(on bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	m := C.int(1)
	if on {
		m = 0
	}
	return check("gain mode", C.rtlsdr_set_tuner_gain_mode(r.d, m))
}

// SetPPM sets the frequency correction, rounded to whole ppm.
func (r *dev) SetPPM(ppm float64) error {
	if math.IsNaN(ppm) || math.Abs(ppm) > 1000 {
		return fmt.Errorf("rtlsdr: ppm %g out of range", ppm)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	p := int(math.Round(ppm))
	if p == int(C.rtlsdr_get_freq_correction(r.d)) {
		return nil // librtlsdr returns -2 for an unchanged value
	}
	return check(fmt.Sprintf("set ppm %d", p), C.rtlsdr_set_freq_correction(r.d, C.int(p)))
}

// SetBiasTee powers the antenna port (RTL-SDR Blog v3 and similar).
func (r *dev) SetBiasTee(on bool) error {
	return r.setBool("bias tee", on, func(v C.int) C.int { return C.rtlsdr_set_bias_tee(r.d, v) })
}

// SetAGC switches the RTL2832's digital AGC.
func (r *dev) SetAGC(on bool) error {
	return r.setBool("agc", on, func(v C.int) C.int { return C.rtlsdr_set_agc_mode(r.d, v) })
}

// SetDirectSampling selects 0 off, 1 I branch, 2 Q branch.
func (r *dev) SetDirectSampling(mode int) error {
	if mode < 0 || mode > 2 {
		return fmt.Errorf("rtlsdr: direct sampling mode %d (want 0, 1 or 2)", mode)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	return check("direct sampling", C.rtlsdr_set_direct_sampling(r.d, C.int(mode)))
}

func (r *dev) setBool(op string, on bool, f func(C.int) C.int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	v := C.int(0)
	if on {
		v = 1
	}
	return check(op, f(v))
}

// callback runs on librtlsdr's USB thread: copy, never block.
func (r *dev) callback(buf []byte) {
	if r.closed.Load() {
		return
	}
	if !r.ring.Put(buf) {
		r.c.AddDropped(len(buf) / 2)
	}
}

func (r *dev) Read(dst []complex64) (int, error) { return r.ReadIQ(context.Background(), dst) }

// ReadIQ starts streaming on the first call and returns the next samples.
func (r *dev) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	if err := r.usable(); err != nil {
		return 0, err
	}
	if !r.running {
		r.running = true
		r.async.Add(1)
		go func() {
			defer r.async.Done()
			rc := C.shim_read_async(r.d, C.uintptr_t(r.handle), asyncBuffers, bufferBytes)
			r.asyncRC.Store(int64(rc))
			if !r.closed.Load() {
				r.ring.Close() // the stream ended by itself (unplugged): wake the reader
			}
		}()
	}
	b, err := r.ring.Next(ctx)
	if err != nil {
		if rc := r.asyncRC.Load(); rc < 0 && !r.closed.Load() {
			return 0, check("read", C.int(rc))
		}
		return 0, err
	}
	n := min(len(dst), len(b)/2)
	iq.Decode(iq.CU8, dst, b[:2*n])
	r.ring.Consume(2 * n)
	r.c.AddSamples(n)
	return n, nil
}

// Close cancels streaming, waits for it to end, closes the device and releases
// the callback handle. Idempotent.
func (r *dev) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	close(r.done)
	r.ring.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	C.rtlsdr_cancel_async(r.d)
	r.async.Wait() // read_async has returned: no callback runs any more
	err := check("close", C.rtlsdr_close(r.d))
	r.handle.Delete()
	return err
}

var (
	_ hardware.Source  = (*dev)(nil)
	_ hardware.BiasTee = (*dev)(nil)
)
