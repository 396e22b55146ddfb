package rtltcp_test

import (
	"context"
	"fmt"

	"github.com/tetrasim/tetrasim/hardware/rtltcp"
	"github.com/tetrasim/tetrasim/hardware/rtltcp/rtltcptest"
)

// Connect to an rtl_tcp server (here the fake one), tune it and read samples.
func ExampleDial() {
	srv, _ := rtltcptest.NewServer(rtltcptest.Config{Data: []byte{0, 255, 255, 0}, Loop: true})
	defer srv.Close()

	ctx := context.Background()
	c, err := rtltcp.Dial(ctx, srv.Addr(), rtltcp.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Println("tuner", c.Header().Tuner, "with", c.Header().GainCount, "gains")
	f, _ := c.Tune(ctx, 433.92e6)
	r, _ := c.SetSampleRate(ctx, 2.304e6)
	g, _ := c.SetGain(ctx, "", 30) // snaps to the R820T's 29.7 dB step
	fmt.Println(f, r, g)
	buf := make([]complex64, 2)
	n, _ := c.ReadIQ(ctx, buf)
	fmt.Println(n, buf[:n])
	// Output:
	// tuner R820T with 29 gains
	// 4.3392e+08 2.304e+06 29.7
	// 2 [(-1+1i) (1-1i)]
}
