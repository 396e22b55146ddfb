package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tetrasim/tetrasim/hardware/hackrf"
	"github.com/tetrasim/tetrasim/hardware/rtlsdr"
)

func newDevicesCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "devices",
		Short: "List attached SDR hardware (HackRF, RTL-SDR) with serials, and the device strings",
		Long: `List the HackRF and RTL-SDR devices attached to this machine, with the serial
to put in a device string. Select devices by serial: USB indices change.

Device strings (--device for rx, tx and record):
` + deviceStringHelp + `
HackRF and RTL-SDR need a binary built with cgo and -tags hackrf,rtlsdr (and
libhackrf-dev, librtlsdr-dev); rtl_tcp needs neither.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			infos, err := newDeviceRegistry().List(cmd.Context())
			var missing []string
			if !hackrf.Built {
				missing = append(missing, "hackrf")
			}
			if !rtlsdr.Built {
				missing = append(missing, "rtlsdr")
			}
			if len(infos) == 0 {
				fmt.Fprintln(out, "No SDR hardware found.")
			} else {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "DEVICE STRING\tRX\tTX\tDESCRIPTION")
				for _, in := range infos {
					spec := in.Driver + "=" + in.Serial
					if in.Driver == "rtlsdr" {
						spec = "rtlsdr=:" + in.Serial
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", spec, yesNo(in.RX), yesNo(in.TX), in.Label)
				}
				tw.Flush()
			}
			if len(missing) > 0 {
				fmt.Fprintf(out, "Not compiled in: %s (rebuild with CGO_ENABLED=1 go build -tags %s ./cmd/tetrasim). rtl_tcp servers, files, SigMF, ZeroMQ and loopback always work.\n",
					strings.Join(missing, ", "), strings.Join(missing, ","))
			}
			if err != nil {
				return fmt.Errorf("devices: %w", err)
			}
			return nil
		},
	}
	return c
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// deviceStringHelp documents the device strings of every driver.
const deviceStringHelp = `  file=PATH[,format=cs8|cu8|cs16|cf32][,rate=R][,freq=F][,repeat][,throttle]
                         raw IQ file (format from the extension unless given)
  PATH.sigmf-meta[,repeat][,throttle]   (also sigmf=PATH or file=PATH.sigmf-meta)
                         SigMF recording; as a sink: [,format=cf32|cs16][,desc=TEXT]
  rtltcp=HOST:PORT[,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1][,agc=0|1][,direct=0|1|2]
                         rtl_tcp server (receive only; default 127.0.0.1:1234)
  rtltcpd=HOST:PORT[,rate=R]
                         serve what tx writes as an rtl_tcp server (for SDR++, gqrx)
  rtlsdr=:SERIAL|INDEX[,freq=F][,rate=R][,gain=DB|auto][,ppm=P][,biastee=0|1]
                         RTL-SDR dongle (receive only; cgo, -tags rtlsdr)
  hackrf=SERIAL[,freq=F][,rate=R][,lna=DB][,vga=DB][,txvga=DB][,amp=0|1][,bw=HZ][,ppm=P]
                         HackRF One (cgo, -tags hackrf; transmitting needs --transmit)
  zmq=tcp://HOST:PORT[,pattern=sub|pull|pub|push][,bind=0|1][,format=cf32][,key=TOPIC][,wait=S]
                         GNU Radio over ZeroMQ (sources connect, sinks bind)
  loopback[=NAME][,rate=R][,cfo=HZ][,ppm=P][,noise=DBFS][,drop=P][,seed=N][,throttle]
                         in-process link: tx and rx in one process meet by NAME
  Numbers take k, M and G suffixes: freq=433.92M.
`
