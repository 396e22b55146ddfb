package air_test

import (
	"fmt"

	"github.com/tetrasim/tetrasim/sim/air"
)

// A cell's downlink through the modem and back: two multiframes of the
// demonstration schedule at 36 kS/s, received and decoded.
func Example() {
	cell := air.Cell{MCC: 262, MNC: 42, CC: 5}
	tx, err := air.NewTransmitter(air.TxConfig{Cell: cell})
	if err != nil {
		panic(err)
	}
	sched := air.NewSchedule(cell, 1)
	var iq []complex64
	var slot air.DLSlot
	for i := 0; i < 2*72; i++ {
		if err := sched.Next(tx.Time(), &slot); err != nil {
			panic(err)
		}
		if iq, err = tx.Slot(iq, &slot); err != nil {
			panic(err)
		}
	}
	iq = tx.Flush(iq)

	var blocks, bad, syncs int
	rx, err := air.NewReceiver(air.RxConfig{SampleRateHz: 36000, OnBlock: func(b *air.RxBlock) {
		blocks++
		if !b.CRCOK {
			bad++
		}
		if b.Channel.String() == "BSCH" {
			syncs++
		}
	}})
	if err != nil {
		panic(err)
	}
	rx.Write(iq)
	rx.Close()
	fmt.Println("blocks:", blocks, "CRC errors:", bad, "SYNC:", syncs)
	// Output: blocks: 334 CRC errors: 0 SYNC: 4
}
