//go:build !(hackrf && cgo)

package hackrf

import (
	"context"
	"fmt"

	"github.com/tetrasim/tetrasim/hardware"
)

// Built reports whether the libhackrf binding is compiled in.
const Built = false

func notBuilt() error {
	return fmt.Errorf("%w: HackRF support needs cgo and libhackrf: apt-get install libhackrf-dev pkg-config, then build with CGO_ENABLED=1 go build -tags hackrf ./cmd/tetrasim", hardware.ErrDriverNotBuilt)
}

// Open opens the HackRF with the given serial ("" = the first one) for dir. In
// this build it always returns hardware.ErrDriverNotBuilt.
func Open(ctx context.Context, serial string, dir hardware.Direction) (hardware.Device, error) {
	return nil, notBuilt()
}

// List returns the attached HackRFs. In this build it returns
// hardware.ErrDriverNotBuilt.
func List(ctx context.Context) ([]hardware.Info, error) { return nil, notBuilt() }
