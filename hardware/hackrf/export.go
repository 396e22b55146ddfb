//go:build hackrf && cgo

package hackrf

/*
#include <libhackrf/hackrf.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// tetrasimHackrfRX is libhackrf's RX callback: it finds the device through the
// handle in rx_ctx and hands it the valid bytes (libhackrf reuses the buffer, so
// the device copies them).
//
//export tetrasimHackrfRX
func tetrasimHackrfRX(t *C.hackrf_transfer) C.int {
	h, ok := cgo.Handle(uintptr(t.rx_ctx)).Value().(*dev)
	if !ok || t.valid_length <= 0 {
		return 0
	}
	return C.int(h.rxCallback(unsafe.Slice((*byte)(unsafe.Pointer(t.buffer)), int(t.valid_length))))
}

// tetrasimHackrfTX is libhackrf's TX callback: it fills the whole buffer and
// sets valid_length.
//
//export tetrasimHackrfTX
func tetrasimHackrfTX(t *C.hackrf_transfer) C.int {
	h, ok := cgo.Handle(uintptr(t.tx_ctx)).Value().(*dev)
	if !ok || t.buffer_length <= 0 {
		return -1
	}
	r := h.txCallback(unsafe.Slice((*byte)(unsafe.Pointer(t.buffer)), int(t.buffer_length)))
	t.valid_length = t.buffer_length
	return C.int(r)
}
