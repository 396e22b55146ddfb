package voice

import (
	"embed"
	"encoding/binary"
	"fmt"
	"path"
	"sort"
	"strings"
)

// clipFS holds real speech from the codec2 project's examples (© David Rowe,
// LGPL-2.1; see clips/README.md), read-only.
//
//go:embed clips/*.raw
var clipFS embed.FS

// ClipNames lists the bundled speech clips.
func ClipNames() []string {
	ents, _ := clipFS.ReadDir("clips")
	var n []string
	for _, e := range ents {
		n = append(n, strings.TrimSuffix(e.Name(), ".raw"))
	}
	sort.Strings(n)
	return n
}

// Clip returns a fresh copy of a bundled 8 kHz speech clip ("hts1a" male 3 s,
// "hts2a" female 3 s, "vk5qi" male 13.5 s).
func Clip(name string) ([]int16, error) {
	b, err := clipFS.ReadFile(path.Join("clips", name+".raw"))
	if err != nil {
		return nil, fmt.Errorf("voice: no bundled clip %q (have %s)", name, strings.Join(ClipNames(), ", "))
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm, nil
}
