//go:build rtlsdr && cgo

package rtlsdr

/*
#include <stdint.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// tetrasimRtlsdrRX is librtlsdr's read_async callback: it finds the device
// through the handle in ctx and hands it the buffer (librtlsdr reuses it, so
// the device copies it).
//
//export tetrasimRtlsdrRX
func tetrasimRtlsdrRX(buf *C.uchar, n C.uint32_t, ctx unsafe.Pointer) {
	r, ok := cgo.Handle(uintptr(ctx)).Value().(*dev)
	if !ok || n == 0 {
		return
	}
	r.callback(unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n)))
}
