package hardware_test

import (
	"context"
	"fmt"

	"github.com/tetrasim/tetrasim/hardware"
	"github.com/tetrasim/tetrasim/hardware/loopback"
	"github.com/tetrasim/tetrasim/iq"
)

// Open a sink and a source by device string and carry samples between them.
func ExampleRegistry() {
	ctx := context.Background()
	reg := hardware.NewRegistry(loopback.NewHub().Driver())

	snk, err := reg.OpenSink(ctx, "loopback=demo,rate=1e6", hardware.TXPolicy{}) // loopback does not radiate
	if err != nil {
		fmt.Println(err)
		return
	}
	src, err := reg.OpenSource(ctx, "loopback=demo")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()

	snk.WriteIQ(ctx, []complex64{1, 1i, -1, -1i})
	snk.Close()
	buf := make([]complex64, 8)
	n, _ := iq.ReadFull(src, buf) // every Source is an iq.Reader
	fmt.Println(n, buf[:n], src.Stats().Samples)

	_, err = reg.OpenSource(ctx, "nosuch=1")
	fmt.Println(err)
	// Output:
	// 4 [(1+0i) (0+1i) (-1+0i) (0-1i)] 4
	// hardware: device string names no known driver: "nosuch" (known: loopback)
}

// A radiating sink needs a policy that enables it and allows the frequency.
func ExampleTXPolicy() {
	p := hardware.TXPolicy{Enabled: true, Allowed: hardware.DefaultAllowed(), MaxGainDB: 20, MaxBurst: 1e9}
	fmt.Println(p.Validate(), p.AllowsFreq(433.92e6), p.AllowsFreq(390.0125e6))
	fmt.Println(hardware.TXPolicy{}.Validate())
	// Output:
	// <nil> true false
	// hardware: transmit not enabled: pass --transmit (and read the legal note in --help) to put RF on air
}
