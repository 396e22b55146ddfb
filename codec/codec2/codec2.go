// Package codec2 binds David Rowe's Codec2 speech codec (libcodec2 1.0, LGPL-2.1,
// Debian package libcodec2-dev) through cgo. It is optional: the binding is built
// only with the build tag codec2 (and cgo); without it, New returns ErrNotBuilt
// and the rest of tetrasim stays pure Go (shared speech-codec.md §7).
//
// Frames are unpacked bits (one per byte, first bit of Codec2's packed frame first),
// like every codec behind codec/voice.
package codec2

import (
	"errors"
	"time"
)

// ErrNotBuilt is returned by New in a build without the codec2 tag.
var ErrNotBuilt = errors.New("codec2: this tetrasim was built without Codec2; install libcodec2-dev and rebuild with -tags codec2 (cgo enabled)")

// modeInfo lists the Codec2 modes we expose, with the library's mode numbers
// (codec2.h of libcodec2 1.0.5).
var modeInfo = [...]struct {
	name string
	id   int
	dur  time.Duration
}{
	{"3200", 0, 20 * time.Millisecond},
	{"2400", 1, 20 * time.Millisecond},
	{"1600", 2, 40 * time.Millisecond},
	{"1400", 3, 40 * time.Millisecond},
	{"1300", 4, 40 * time.Millisecond},
	{"1200", 5, 40 * time.Millisecond},
	{"700C", 8, 40 * time.Millisecond},
}

func lookup(mode string) (id int, dur time.Duration, ok bool) {
	for _, m := range modeInfo {
		if m.name == mode || (m.name == "700C" && mode == "700c") {
			return m.id, m.dur, true
		}
	}
	return 0, 0, false
}

// maxBadRun is how many consecutive bad frames are concealed by repeating the
// last good frame before the output is muted.
const maxBadRun = 3
