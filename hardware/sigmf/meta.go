// Package sigmf reads and writes SigMF recordings (schema v1.2.5; shared design
// note sdr-hardware.md §3): the JSON metadata (.sigmf-meta) with its global
// object, captures and annotations, validated against the schema's required
// fields, and the sample data (.sigmf-data) streamed through a fixed buffer so
// recordings of any size work.
//
// Writing a recording:
//
//	w, err := sigmf.Create("out.sigmf-meta", iq.CF32, 2.304e6, 433.92e6, "TETRA DL test")
//	w.Write(samples)                                      // iq.Writer
//	w.Annotate(4096, 32640, "NDB", "", 433.90785e6, 433.93215e6)
//	err = w.Close()                                       // writes the final metadata
//
// A Writer or Reader is not safe for concurrent use, except that Annotate may be
// called while another goroutine writes.
package sigmf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tetrasim/tetrasim/iq"
)

// Version is the SigMF version written.
const Version = "1.2.5"

// Sentinel errors of metadata parsing.
var (
	ErrInvalid     = errors.New("sigmf: invalid metadata")
	ErrUnsupported = errors.New("sigmf: unsupported recording")
)

// Extension is an entry of core:extensions.
type Extension struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Optional bool   `json:"optional"`
}

// Global is the SigMF global object. Datatype and Version are required.
type Global struct {
	Datatype      string      `json:"core:datatype"`
	SampleRate    float64     `json:"core:sample_rate,omitempty"` // [S/s]
	Version       string      `json:"core:version"`
	NumChannels   int         `json:"core:num_channels,omitempty"`
	SHA512        string      `json:"core:sha512,omitempty"`
	Offset        uint64      `json:"core:offset,omitempty"`
	Description   string      `json:"core:description,omitempty"`
	Author        string      `json:"core:author,omitempty"`
	MetaDOI       string      `json:"core:meta_doi,omitempty"`
	DataDOI       string      `json:"core:data_doi,omitempty"`
	Recorder      string      `json:"core:recorder,omitempty"`
	License       string      `json:"core:license,omitempty"`
	HW            string      `json:"core:hw,omitempty"`
	Dataset       string      `json:"core:dataset,omitempty"`
	TrailingBytes uint64      `json:"core:trailing_bytes,omitempty"`
	MetadataOnly  bool        `json:"core:metadata_only,omitempty"`
	Geolocation   any         `json:"core:geolocation,omitempty"`
	Extensions    []Extension `json:"core:extensions,omitempty"`
	Collection    string      `json:"core:collection,omitempty"`
}

// Capture is a SigMF capture segment. SampleStart is required.
type Capture struct {
	SampleStart uint64  `json:"core:sample_start"`
	GlobalIndex uint64  `json:"core:global_index,omitempty"`
	HeaderBytes uint64  `json:"core:header_bytes,omitempty"`
	Frequency   float64 `json:"core:frequency,omitempty"` // [Hz]
	Datetime    string  `json:"core:datetime,omitempty"`  // ISO-8601, UTC
	Geolocation any     `json:"core:geolocation,omitempty"`
}

// Annotation is a SigMF annotation. SampleStart is required.
type Annotation struct {
	SampleStart   uint64  `json:"core:sample_start"`
	SampleCount   uint64  `json:"core:sample_count,omitempty"`
	FreqLowerEdge float64 `json:"core:freq_lower_edge,omitempty"` // [Hz]
	FreqUpperEdge float64 `json:"core:freq_upper_edge,omitempty"` // [Hz]
	Label         string  `json:"core:label,omitempty"`
	Comment       string  `json:"core:comment,omitempty"`
	Generator     string  `json:"core:generator,omitempty"`
	UUID          string  `json:"core:uuid,omitempty"`
}

// Meta is the content of a .sigmf-meta file.
type Meta struct {
	Global      Global       `json:"global"`
	Captures    []Capture    `json:"captures"`
	Annotations []Annotation `json:"annotations"`
}

// datatypeRE is the schema's pattern for core:datatype.
var datatypeRE = regexp.MustCompile(`^(c|r)(f32|f64|i32|i16|u32|u16|i8|u8)(_le|_be)?$`)

// MaxMetaBytes bounds the metadata Parse accepts (a guard against runaway input).
const MaxMetaBytes = 64 << 20

// Parse decodes and validates SigMF metadata: global, captures and annotations
// must be present, global must hold core:datatype (matching the schema pattern)
// and core:version, and every capture and annotation must hold
// core:sample_start. Captures must be in increasing sample_start order.
func Parse(data []byte) (*Meta, error) {
	if len(data) > MaxMetaBytes {
		return nil, fmt.Errorf("%w: %d bytes of metadata is more than %d", ErrInvalid, len(data), MaxMetaBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrInvalid, err)
	}
	for _, k := range []string{"global", "captures", "annotations"} {
		if v, ok := top[k]; !ok || string(bytes.TrimSpace(v)) == "null" {
			return nil, fmt.Errorf("%w: required top-level field %q is missing", ErrInvalid, k)
		}
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(top["global"], &g); err != nil {
		return nil, fmt.Errorf("%w: global is not an object: %v", ErrInvalid, err)
	}
	for _, k := range []string{"core:datatype", "core:version"} {
		if _, ok := g[k]; !ok {
			return nil, fmt.Errorf("%w: required field global.%s is missing", ErrInvalid, k)
		}
	}
	if err := requireEach(top["captures"], "captures"); err != nil {
		return nil, err
	}
	if err := requireEach(top["annotations"], "annotations"); err != nil {
		return nil, err
	}
	var m Meta
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if !datatypeRE.MatchString(m.Global.Datatype) {
		return nil, fmt.Errorf("%w: global.core:datatype %q does not match (c|r)(f32|f64|i32|i16|u32|u16|i8|u8)(_le|_be)", ErrInvalid, m.Global.Datatype)
	}
	if m.Global.Version == "" {
		return nil, fmt.Errorf("%w: global.core:version is empty", ErrInvalid)
	}
	if m.Global.SampleRate < 0 {
		return nil, fmt.Errorf("%w: global.core:sample_rate %g is negative", ErrInvalid, m.Global.SampleRate)
	}
	for i := 1; i < len(m.Captures); i++ {
		if m.Captures[i].SampleStart <= m.Captures[i-1].SampleStart {
			return nil, fmt.Errorf("%w: captures[%d].core:sample_start %d is not after captures[%d]'s %d",
				ErrInvalid, i, m.Captures[i].SampleStart, i-1, m.Captures[i-1].SampleStart)
		}
	}
	return &m, nil
}

// requireEach checks that raw is an array whose every element is an object with core:sample_start.
func requireEach(raw json.RawMessage, name string) error {
	var arr []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return fmt.Errorf("%w: %s is not an array of objects: %v", ErrInvalid, name, err)
	}
	for i, o := range arr {
		if _, ok := o["core:sample_start"]; !ok {
			return fmt.Errorf("%w: required field %s[%d].core:sample_start is missing", ErrInvalid, name, i)
		}
	}
	return nil
}

// Marshal encodes m as indented JSON, with empty captures and annotations as [].
func (m *Meta) Marshal() ([]byte, error) {
	c := *m
	if c.Captures == nil {
		c.Captures = []Capture{}
	}
	if c.Annotations == nil {
		c.Annotations = []Annotation{}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sigmf: %w", err)
	}
	return append(b, '\n'), nil
}

// Format maps the recording's datatype to an iq.Format. Only the single-channel
// complex formats tetrasim uses are supported: ci8, cu8, ci16_le and cf32_le.
func (m *Meta) Format() (iq.Format, error) {
	if m.Global.NumChannels > 1 {
		return 0, fmt.Errorf("%w: %d channels (only 1 is supported)", ErrUnsupported, m.Global.NumChannels)
	}
	for _, f := range []iq.Format{iq.CS8, iq.CU8, iq.CS16, iq.CF32} {
		if m.Global.Datatype == f.SigMFName() {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: datatype %q (supported: ci8, cu8, ci16_le, cf32_le)", ErrUnsupported, m.Global.Datatype)
}

// CenterHz returns core:frequency of the first capture, or 0.
func (m *Meta) CenterHz() float64 {
	if len(m.Captures) == 0 {
		return 0
	}
	return m.Captures[0].Frequency
}

// DataPath returns the .sigmf-data path that belongs to a .sigmf-meta (or
// .sigmf-data, or extension-less) path.
func DataPath(path string) string { return base(path) + ".sigmf-data" }

// MetaPath returns the .sigmf-meta path that belongs to path.
func MetaPath(path string) string { return base(path) + ".sigmf-meta" }

func base(path string) string {
	for _, ext := range []string{".sigmf-meta", ".sigmf-data", ".sigmf"} {
		if s, ok := strings.CutSuffix(path, ext); ok {
			return s
		}
	}
	return path
}
