//go:build hackrf && cgo

package hackrf

/*
#cgo pkg-config: libhackrf
#include <stdint.h>
#include <stdlib.h>
#include <libhackrf/hackrf.h>

// Exported from export.go.
extern int tetrasimHackrfRX(hackrf_transfer* transfer);
extern int tetrasimHackrfTX(hackrf_transfer* transfer);

// The shims pass the stream's runtime/cgo.Handle (a uintptr) as the context
// pointer, so that no Go pointer is handed to C (sdr-hardware.md §5.3).
static int shim_start_rx(hackrf_device* d, uintptr_t h) {
	return hackrf_start_rx(d, tetrasimHackrfRX, (void*)h);
}
static int shim_start_tx(hackrf_device* d, uintptr_t h) {
	return hackrf_start_tx(d, tetrasimHackrfTX, (void*)h);
}
static const char* list_serial(hackrf_device_list_t* l, int i) {
	return l->serial_numbers[i];
}
static int list_board(hackrf_device_list_t* l, int i) {
	return (int)l->usb_board_ids[i];
}
*/
import "C"

import (
	"context"
	"fmt"
	"math"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/iq"
)

// Built reports whether the libhackrf binding is compiled in.
const Built = true

// ringBlocks is the number of USB transfers the receive ring holds (about 0.4 s
// at 20 MS/s with 256 KiB transfers).
const ringBlocks = 64

// txBlocks is the number of prepared transmit blocks queued ahead of the USB callback.
const txBlocks = 16

func errName(code C.int) string { return C.GoString(C.hackrf_error_name(int32(code))) }

func check(op string, code C.int) error { return mapError(op, int(code), errName(code)) }

// List returns the attached HackRFs with their serials.
func List(ctx context.Context) ([]hardware.Info, error) {
	if err := check("init", C.hackrf_init()); err != nil {
		return nil, err
	}
	defer C.hackrf_exit()
	l := C.hackrf_device_list()
	if l == nil {
		return nil, fmt.Errorf("hackrf: device list: %w", hardware.ErrNoDevice)
	}
	defer C.hackrf_device_list_free(l)
	var out []hardware.Info
	for i := 0; i < int(l.devicecount); i++ {
		serial := ""
		if s := C.list_serial(l, C.int(i)); s != nil {
			serial = C.GoString(s)
		}
		board := C.GoString(C.hackrf_usb_board_id_name(uint32(C.list_board(l, C.int(i)))))
		label := board
		if serial == "" {
			label += " (serial unreadable: check USB permissions, plugdev group)"
		}
		out = append(out, info(serial, label, true, true))
	}
	return out, nil
}

func info(serial, label string, rx, tx bool) hardware.Info {
	return hardware.Info{
		Driver: "hackrf", Serial: serial, Label: label, RX: rx, TX: tx,
		Freq: hardware.Range{Min: MinFreq, Max: MaxFreq, Step: 1},
		Rate: hardware.Range{Min: MinRate, Max: MaxRate},
		Gains: []hardware.GainStage{
			{Name: "LNA", Range: lnaRange()}, {Name: "VGA", Range: vgaRange()},
			{Name: "TXVGA", Range: txvgaRange()}, {Name: "AMP", Range: ampRange()},
		},
	}
}

// dev is an open HackRF. Settings are serialised by mu; the streams are fed by
// the callbacks through ring (RX) and tx, a txQueue (TX).
type dev struct {
	mu      sync.Mutex
	d       *C.hackrf_device
	dir     hardware.Direction
	serial  string
	handle  cgo.Handle
	c       hardware.Counters
	closed  atomic.Bool
	running atomic.Bool // streaming started

	freq, rate, bw, ppm float64
	bwFixed             bool
	gains               map[string]float64
	blockBytes          int

	// RX
	ring *hardware.Ring
	rxmu sync.Mutex

	// TX
	tx   *txQueue
	txmu sync.Mutex
	done chan struct{}
}

// Open opens the HackRF with the given serial ("" = the first one) for dir.
func Open(ctx context.Context, serial string, dir hardware.Direction) (hardware.Device, error) {
	if err := check("init", C.hackrf_init()); err != nil {
		return nil, err
	}
	var d *C.hackrf_device
	var code C.int
	if serial == "" {
		code = C.hackrf_open_by_serial(nil, &d)
	} else {
		cs := C.CString(serial)
		code = C.hackrf_open_by_serial(cs, &d)
		C.free(unsafe.Pointer(cs))
	}
	if err := check(fmt.Sprintf("open serial %q", serial), code); err != nil {
		C.hackrf_exit()
		return nil, err
	}
	if serial == "" { // opened the first one: learn its serial, as hackrf_info prints it
		var ps C.read_partid_serialno_t
		if C.hackrf_board_partid_serialno_read(d, &ps) == 0 {
			serial = fmt.Sprintf("%08x%08x%08x%08x", uint32(ps.serial_no[0]), uint32(ps.serial_no[1]), uint32(ps.serial_no[2]), uint32(ps.serial_no[3]))
		}
	}
	h := &dev{d: d, dir: dir, serial: serial, gains: map[string]float64{}, done: make(chan struct{})}
	h.blockBytes = int(C.hackrf_get_transfer_buffer_size(d))
	if h.blockBytes <= 0 {
		h.blockBytes = C.BYTES_PER_BLOCK
	}
	h.handle = cgo.NewHandle(h)
	// Safe defaults: amplifier off, bias tee off, TX VGA 0, LNA/VGA moderate.
	steps := []struct {
		op string
		fn func() C.int
	}{
		{"amp off", func() C.int { return C.hackrf_set_amp_enable(d, 0) }},
		{"antenna power off", func() C.int { return C.hackrf_set_antenna_enable(d, 0) }},
	}
	if dir == hardware.TX {
		steps = append(steps, struct {
			op string
			fn func() C.int
		}{"tx vga 0", func() C.int { return C.hackrf_set_txvga_gain(d, 0) }})
	} else {
		steps = append(steps, struct {
			op string
			fn func() C.int
		}{"lna 16 dB", func() C.int { return C.hackrf_set_lna_gain(d, 16) }}, struct {
			op string
			fn func() C.int
		}{"vga 20 dB", func() C.int { return C.hackrf_set_vga_gain(d, 20) }})
	}
	for _, s := range steps {
		if err := check(s.op, s.fn()); err != nil {
			h.Close()
			return nil, err
		}
	}
	h.gains["AMP"] = 0
	if dir == hardware.TX {
		h.gains["TXVGA"] = 0
		// Stop transmitting (send zeros) if the host falls 1 s of 2 MS/s behind;
		// firmware without the feature reports an error that is harmless here.
		C.hackrf_set_tx_underrun_limit(d, 4<<20)
		h.tx = newTXQueue(txBlocks, h.blockBytes, &h.c, h.done)
		return &txDev{h}, nil
	}
	h.gains["LNA"], h.gains["VGA"] = 16, 20
	h.ring = hardware.NewRing(ringBlocks, h.blockBytes)
	return &rxDev{h}, nil
}

func (h *dev) Info() hardware.Info {
	return info(h.serial, "HackRF One "+h.serial, h.dir == hardware.RX, h.dir == hardware.TX)
}

func (h *dev) Stats() hardware.Stats { return h.c.Stats() }

// Settings implements hardware.Settings.
func (h *dev) Settings() (float64, float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rate, h.freq
}

func (h *dev) usable() error {
	if h.closed.Load() {
		return hardware.ErrClosed
	}
	return nil
}

// Tune sets the centre frequency; with a ppm correction the LO is set to
// hz·(1+ppm·1e-6) so that the signal at hz lands at the centre. It returns hz
// rounded to whole Hz.
func (h *dev) Tune(ctx context.Context, hz float64) (float64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return 0, err
	}
	if hz < MinFreq || hz > MaxFreq {
		return 0, fmt.Errorf("hackrf: tune %.0f Hz: outside %.0f-%.0f Hz", hz, MinFreq, MaxFreq)
	}
	lo := math.Round(hz * (1 + h.ppm*1e-6))
	if err := check(fmt.Sprintf("set frequency %.0f Hz", lo), C.hackrf_set_freq(h.d, C.uint64_t(lo))); err != nil {
		return 0, err
	}
	h.freq = math.Round(hz)
	return h.freq, nil
}

// SetSampleRate sets the sample rate (2-20 MS/s, corrected by ppm) and, unless a
// filter was set explicitly, the baseband filter to BasebandFilterFor(sps).
func (h *dev) SetSampleRate(ctx context.Context, sps float64) (float64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return 0, err
	}
	if sps < MinRate || sps > MaxRate {
		return 0, fmt.Errorf("hackrf: sample rate %.0f S/s: outside 2-20 MS/s (below 8 MS/s the baseband filter rejects poorly; run at 8.064 MS/s and decimate)", sps)
	}
	if err := check(fmt.Sprintf("set sample rate %.0f S/s", sps), C.hackrf_set_sample_rate(h.d, C.double(sps*(1+h.ppm*1e-6)))); err != nil {
		return 0, err
	}
	h.rate = sps
	if !h.bwFixed {
		bw := BasebandFilterFor(sps)
		if err := check(fmt.Sprintf("set baseband filter %.0f Hz", bw), C.hackrf_set_baseband_filter_bandwidth(h.d, C.uint32_t(bw))); err != nil {
			return 0, err
		}
		h.bw = bw
	}
	return sps, nil
}

// SetBasebandFilter sets the MAX2837 baseband filter to the nearest bandwidth
// of BasebandFilters and returns it [Hz]. It stays fixed across rate changes.
func (h *dev) SetBasebandFilter(hz float64) (float64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return 0, err
	}
	bw := NearestBasebandFilter(hz)
	if err := check(fmt.Sprintf("set baseband filter %.0f Hz", bw), C.hackrf_set_baseband_filter_bandwidth(h.d, C.uint32_t(bw))); err != nil {
		return 0, err
	}
	h.bw, h.bwFixed = bw, true
	return bw, nil
}

// SetGain sets one stage (see the package doc) and returns the gain applied;
// for stage "" on receive, the sum of LNA and VGA.
func (h *dev) SetGain(ctx context.Context, stage string, dB float64) (float64, error) {
	if math.IsNaN(dB) {
		return 0, fmt.Errorf("hackrf: automatic gain: %w (give the gain in dB)", hardware.ErrNotSupported)
	}
	name, r, err := gainStage(stage, h.dir)
	if err != nil {
		return 0, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return 0, err
	}
	if name == "" { // RX total
		lna, vga := SplitRXGain(dB)
		if err := h.setStage("LNA", lna); err != nil {
			return 0, err
		}
		if err := h.setStage("VGA", vga); err != nil {
			return 0, err
		}
		return lna + vga, nil
	}
	v := r.Clamp(dB)
	if name == "AMP" && dB > 0 && dB < AmpDB/2 {
		v = 0
	}
	if err := h.setStage(name, v); err != nil {
		return 0, err
	}
	return v, nil
}

// setStage applies one stage; h.mu is held.
func (h *dev) setStage(name string, v float64) error {
	var code C.int
	switch name {
	case "LNA":
		code = C.hackrf_set_lna_gain(h.d, C.uint32_t(v))
	case "VGA":
		code = C.hackrf_set_vga_gain(h.d, C.uint32_t(v))
	case "TXVGA":
		code = C.hackrf_set_txvga_gain(h.d, C.uint32_t(v))
	case "AMP":
		on := C.uint8_t(0)
		if v > 0 {
			on = 1
		}
		code = C.hackrf_set_amp_enable(h.d, on)
	}
	if err := check(fmt.Sprintf("set %s gain %.0f dB", name, v), code); err != nil {
		return err
	}
	h.gains[name] = v
	return nil
}

// SetPPM sets the crystal correction applied by the next Tune and SetSampleRate.
func (h *dev) SetPPM(ppm float64) error {
	if math.IsNaN(ppm) || math.Abs(ppm) > 200 {
		return fmt.Errorf("hackrf: ppm %g out of range", ppm)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ppm = ppm
	return nil
}

// SetBiasTee switches the antenna port power (at most 50 mA at 3.3 V).
func (h *dev) SetBiasTee(on bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return err
	}
	v := C.uint8_t(0)
	if on {
		v = 1
	}
	return check("set antenna power", C.hackrf_set_antenna_enable(h.d, v))
}

// M0Shortfalls returns the firmware's count of shortfalls (USB not keeping up)
// and the longest one [bytes], from hackrf_get_m0_state.
func (h *dev) M0Shortfalls() (count, longest uint32, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.usable(); err != nil {
		return 0, 0, err
	}
	var s C.hackrf_m0_state
	if err := check("get m0 state", C.hackrf_get_m0_state(h.d, &s)); err != nil {
		return 0, 0, err
	}
	return uint32(s.num_shortfalls), uint32(s.longest_shortfall), nil
}

// stopStreaming stops RX or TX if running; h.mu is held.
func (h *dev) stopStreaming() error {
	if !h.running.Swap(false) {
		return nil
	}
	if h.dir == hardware.RX {
		return check("stop rx", C.hackrf_stop_rx(h.d))
	}
	return check("stop tx", C.hackrf_stop_tx(h.d))
}

// Close stops streaming at once, closes the device and then releases the
// callback handle. Idempotent.
func (h *dev) Close() error {
	if h.closed.Swap(true) {
		return nil
	}
	close(h.done)
	if h.ring != nil {
		h.ring.Close()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	serr := h.stopStreaming()
	cerr := check("close", C.hackrf_close(h.d)) // joins libhackrf's transfer thread
	h.handle.Delete()                           // no callback can run any more
	C.hackrf_exit()
	if serr != nil {
		return serr
	}
	return cerr
}

// rxCallback runs on libhackrf's USB thread: copy, never block.
func (h *dev) rxCallback(buf []byte) int {
	if h.closed.Load() {
		return -1
	}
	if !h.ring.Put(buf) {
		h.c.AddDropped(len(buf) / 2)
	}
	return 0
}

// txCallback runs on libhackrf's USB thread: fill buf with the next block or,
// when none is ready, with zeros. It never blocks.
func (h *dev) txCallback(buf []byte) int {
	if h.closed.Load() {
		return -1
	}
	h.tx.fill(buf)
	return 0
}

type rxDev struct{ *dev }

func (r *rxDev) Read(dst []complex64) (int, error) { return r.ReadIQ(context.Background(), dst) }

// ReadIQ starts receiving on the first call and returns the next samples.
func (r *rxDev) ReadIQ(ctx context.Context, dst []complex64) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	r.rxmu.Lock()
	defer r.rxmu.Unlock()
	if err := r.usable(); err != nil {
		return 0, err
	}
	if !r.running.Load() {
		r.mu.Lock()
		err := check("start rx", C.shim_start_rx(r.d, C.uintptr_t(r.handle)))
		if err == nil {
			r.running.Store(true)
		}
		r.mu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	b, err := r.ring.Next(ctx)
	if err != nil {
		return 0, err
	}
	n := min(len(dst), len(b)/2)
	iq.Decode(iq.CS8, dst, b[:2*n])
	r.ring.Consume(2 * n)
	r.c.AddSamples(n)
	return n, nil
}

type txDev struct{ *dev }

func (t *txDev) Write(src []complex64) (int, error) { return t.WriteIQ(context.Background(), src) }

// WriteIQ converts src to cs8 blocks and queues them for the USB callback,
// blocking while the queue is full; transmission starts with the first full block.
func (t *txDev) WriteIQ(ctx context.Context, src []complex64) (int, error) {
	t.txmu.Lock()
	defer t.txmu.Unlock()
	if err := t.usable(); err != nil {
		return 0, err
	}
	return t.tx.write(ctx, src, t.start)
}

// start starts the transmitter unless it runs.
func (t *txDev) start() error {
	if t.running.Load() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(); err != nil {
		return err
	}
	if err := check("start tx", C.shim_start_tx(t.d, C.uintptr_t(t.handle))); err != nil {
		return err
	}
	t.running.Store(true)
	return nil
}

// Flush sends the partial block (padded with zeros), waits until the USB
// callback has taken every block and the transfers in flight have gone out, then
// stops the transmitter.
func (t *txDev) Flush(ctx context.Context) error {
	t.txmu.Lock()
	defer t.txmu.Unlock()
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.tx.flush(ctx, t.start); err != nil {
		return err
	}
	// The blocks taken are in libhackrf's transfer queue: wait for them to leave.
	t.mu.Lock()
	rate := t.rate
	depth := float64(C.hackrf_get_transfer_queue_depth(t.d))
	t.mu.Unlock()
	if rate > 0 {
		d := time.Duration((depth + 1) * float64(t.blockBytes/2) / rate * float64(time.Second))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopStreaming()
}

var (
	_ hardware.Source  = (*rxDev)(nil)
	_ hardware.Sink    = (*txDev)(nil)
	_ hardware.BiasTee = (*dev)(nil)
)
