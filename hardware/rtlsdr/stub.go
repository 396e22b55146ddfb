//go:build !(rtlsdr && cgo)

package rtlsdr

import (
	"context"
	"fmt"

	"github.com/tetrasim/tetrasim/hardware"
)

// Built reports whether the librtlsdr binding is compiled in.
const Built = false

func notBuilt() error {
	return fmt.Errorf("%w: RTL-SDR support needs cgo and librtlsdr: apt-get install librtlsdr-dev pkg-config, then build with CGO_ENABLED=1 go build -tags rtlsdr ./cmd/tetrasim (or run rtl_tcp and use rtltcp=HOST:PORT)", hardware.ErrDriverNotBuilt)
}

// Open opens a dongle by serial (or ":SERIAL", or a small index; "" = the
// first). In this build it always returns hardware.ErrDriverNotBuilt.
func Open(ctx context.Context, selector string) (hardware.Source, error) { return nil, notBuilt() }

// List returns the attached dongles. In this build it returns hardware.ErrDriverNotBuilt.
func List(ctx context.Context) ([]hardware.Info, error) { return nil, notBuilt() }
