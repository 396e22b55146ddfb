package rtltcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetrasim/tetrasim/hardware"
)

// Driver returns the rtl_tcp driver:
// "rtltcp=HOST:PORT[,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1][,agc=0|1][,direct=0|1|2][,stall=DURATION_S]".
// The address defaults to 127.0.0.1:1234. Receive only.
func Driver() hardware.Driver {
	return hardware.Driver{
		Name:  "rtltcp",
		Usage: "rtltcp=HOST:PORT[,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1][,agc=0|1][,direct=0|1|2][,stall=SECONDS]",
		Keys:  []string{"freq", "rate", "gain", "ppm", "biastee", "agc", "direct", "stall"},
		Open:  open,
	}
}

func open(ctx context.Context, a hardware.Args, dir hardware.Direction) (hardware.Device, error) {
	if dir != hardware.RX {
		return nil, fmt.Errorf("%w: rtl_tcp is receive only", hardware.ErrDirection)
	}
	addr := a.Value
	if addr == "" {
		addr = "127.0.0.1:1234"
	}
	if !strings.Contains(addr, ":") {
		addr += ":1234"
	}
	var opts Options
	stall, err := a.Float("stall", 0)
	if err != nil {
		return nil, err
	}
	opts.StallTimeout = secondsToDuration(stall)
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (hardware.Device, error) { c.Close(); return nil, err }
	gainAuto := strings.EqualFold(a.Str("gain", ""), "auto")
	common := hardware.Args{Driver: a.Driver, Value: a.Value, Params: map[string]string{}}
	for k, v := range a.Params {
		switch k {
		case "freq", "rate", "ppm", "biastee":
			common.Params[k] = v
		case "gain":
			if !gainAuto {
				common.Params[k] = v
			}
		}
	}
	if gainAuto {
		if err := c.SetAutoGain(true); err != nil {
			return fail(err)
		}
	}
	if err := hardware.ApplyCommon(ctx, c, common); err != nil {
		return fail(err)
	}
	if a.Has("agc") {
		on, err := a.Bool("agc", false)
		if err != nil {
			return fail(err)
		}
		if err := c.SetAGC(on); err != nil {
			return fail(err)
		}
	}
	if a.Has("direct") {
		m, err := a.Float("direct", 0)
		if err != nil {
			return fail(err)
		}
		if err := c.SetDirectSampling(int(m)); err != nil {
			return fail(err)
		}
	}
	return c, nil
}
