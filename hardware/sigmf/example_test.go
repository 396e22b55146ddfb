package sigmf_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tetrasim/tetrasim/hardware/sigmf"
	"github.com/tetrasim/tetrasim/iq"
)

// Write a recording with one annotated burst, then read it back.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "sigmf-example")
	defer os.RemoveAll(dir)
	meta := filepath.Join(dir, "dl.sigmf-meta")

	w, err := sigmf.Create(meta, iq.CS16, 2.304e6, 433.92e6, "TETRA DL test")
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Write(make([]complex64, 40000))
	w.Annotate(4096, 32640, "NDB", "normal downlink burst", 433.90785e6, 433.93215e6)
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}

	r, err := sigmf.Open(meta)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	a := r.Meta.Annotations[0]
	fmt.Println(r.Meta.Global.Datatype, r.Meta.Global.SampleRate, r.Meta.CenterHz(), r.Len())
	fmt.Println(a.Label, a.SampleStart, a.SampleCount)
	// Output:
	// ci16_le 2.304e+06 4.3392e+08 40000
	// NDB 4096 32640
}
