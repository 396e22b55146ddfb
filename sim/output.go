package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tetrasim/tetrasim/codec/voice"
)

// WriteOutputs writes report.json, summary.txt and the WAV files (each
// receiver's audio, the talkers' local decodes, and what the eavesdropper and
// the compromised base station made of the traffic without keys) into dir.
// Audio is placed on the simulation's time line at 8 kHz. It returns the paths
// written.
func (sm *Sim) WriteOutputs(dir string, r *Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var files []string
	total := int(sm.clk.Now().Seconds()*voice.SampleRate) + 8000
	put := func(name string, place func(buf []int16)) error {
		buf := make([]int16, total)
		place(buf)
		p := filepath.Join(dir, name)
		if err := voice.WriteAudioFile(p, buf); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		files = append(files, p)
		return nil
	}
	at := func(buf []int16, t float64, pcm []int16) {
		i := int(t * voice.SampleRate)
		if i < 0 || i >= len(buf) {
			return
		}
		copy(buf[i:], pcm)
	}
	for _, h := range sm.hs {
		if len(h.Received) > 0 {
			if err := put(h.cfg.Name+".rx.wav", func(b []int16) {
				for _, f := range h.Received {
					at(b, f.PlayS, f.PCM)
				}
			}); err != nil {
				return files, err
			}
		}
		if len(h.Sent) > 0 {
			if err := put(h.cfg.Name+".local-decode.wav", func(b []int16) {
				for _, f := range h.Sent {
					at(b, f.CaptureS, f.PCM)
				}
			}); err != nil {
				return files, err
			}
		}
	}
	for _, l := range []*listener{sm.spy, sm.cbs} {
		if l == nil || len(l.frames) == 0 {
			continue
		}
		if err := put(l.fileName()+".nokeys.wav", func(b []int16) {
			for _, f := range l.frames {
				at(b, f.at, f.pcm)
			}
		}); err != nil {
			return files, err
		}
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return files, fmt.Errorf("sim: %w", err)
	}
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, append(js, '\n'), 0o644); err != nil {
		return files, fmt.Errorf("sim: %w", err)
	}
	files = append(files, p)
	f, err := os.Create(filepath.Join(dir, "summary.txt"))
	if err != nil {
		return files, fmt.Errorf("sim: %w", err)
	}
	r.WriteSummary(f)
	if err := f.Close(); err != nil {
		return files, fmt.Errorf("sim: %w", err)
	}
	files = append(files, f.Name())
	return files, nil
}
