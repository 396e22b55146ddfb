package sigmf

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tetrasim/tetrasim/hardware/iqfile"
	"github.com/tetrasim/tetrasim/iq"
)

// Writer writes a SigMF recording: samples go to the .sigmf-data file as they
// are written, and the .sigmf-meta file is written at Create (so an interrupted
// recording still has valid metadata) and rewritten at Close with the
// annotations. Writer implements iq.Writer.
type Writer struct {
	Meta Meta // may be edited (HW, Author, …) before Close

	metaPath string
	data     *iqfile.OutFile
	mu       sync.Mutex // guards Meta.Annotations
	closed   bool
}

// Create starts a recording. metaPath ends in .sigmf-meta (the data path is
// derived from it); f is the sample format (iq.CF32 or iq.CS16 are usual);
// rateHz is the sample rate [S/s], > 0; centerHz is the centre frequency of the
// single capture [Hz] (0 for baseband); description may be empty. The capture's
// core:datetime is the current UTC time.
func Create(metaPath string, f iq.Format, rateHz, centerHz float64, description string) (*Writer, error) {
	if f.SigMFName() == "" {
		return nil, fmt.Errorf("sigmf: create %s: bad format %v", metaPath, f)
	}
	if !(rateHz > 0) {
		return nil, fmt.Errorf("sigmf: create %s: sample rate %g must be > 0", metaPath, rateHz)
	}
	metaPath = MetaPath(metaPath)
	data, err := iqfile.Create(DataPath(metaPath), f)
	if err != nil {
		return nil, fmt.Errorf("sigmf: create: %w", err)
	}
	w := &Writer{
		metaPath: metaPath,
		data:     data,
		Meta: Meta{
			Global: Global{
				Datatype:    f.SigMFName(),
				SampleRate:  rateHz,
				Version:     Version,
				Description: description,
				Recorder:    "tetrasim",
			},
			Captures: []Capture{{
				SampleStart: 0,
				Frequency:   centerHz,
				Datetime:    time.Now().UTC().Format(time.RFC3339Nano),
			}},
			Annotations: []Annotation{},
		},
	}
	if err := w.writeMeta(); err != nil {
		data.Close()
		return nil, err
	}
	return w, nil
}

// MetaPath returns the path of the .sigmf-meta file.
func (w *Writer) MetaPath() string { return w.metaPath }

// DataPath returns the path of the .sigmf-data file.
func (w *Writer) DataPath() string { return DataPath(w.metaPath) }

// Write implements iq.Writer.
func (w *Writer) Write(src []complex64) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("sigmf: write to closed recording %s", w.metaPath)
	}
	return w.data.Write(src)
}

// Samples returns the number of samples written so far (the index of the next one).
func (w *Writer) Samples() uint64 { return w.data.Samples() }

// Annotate adds an annotation of count samples (0: unspecified) starting at
// sample index start, with a label (e.g. "NDB"), a comment, and the lower and
// upper frequency edges [Hz] (both 0: not given). Annotations are kept sorted
// by start in the metadata.
func (w *Writer) Annotate(start, count uint64, label, comment string, fLo, fHi float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a := Annotation{SampleStart: start, SampleCount: count, Label: label, Comment: comment, FreqLowerEdge: fLo, FreqUpperEdge: fHi}
	i := len(w.Meta.Annotations)
	for i > 0 && w.Meta.Annotations[i-1].SampleStart > start {
		i--
	}
	w.Meta.Annotations = append(w.Meta.Annotations, Annotation{})
	copy(w.Meta.Annotations[i+1:], w.Meta.Annotations[i:])
	w.Meta.Annotations[i] = a
}

// Close flushes the data and writes the final metadata. It is idempotent.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	derr := w.data.Close()
	merr := w.writeMeta()
	if derr != nil {
		return fmt.Errorf("sigmf: %w", derr)
	}
	return merr
}

// writeMeta writes the metadata to a temporary file and renames it into place,
// so the .sigmf-meta on disk is always complete.
func (w *Writer) writeMeta() error {
	w.mu.Lock()
	b, err := w.Meta.Marshal()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	tmp := w.metaPath + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("sigmf: %w", err)
	}
	if err := os.Rename(tmp, w.metaPath); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sigmf: %w", err)
	}
	return nil
}

// Reader reads a SigMF recording. It implements iq.Reader; the samples are
// streamed from the data file.
type Reader struct {
	Meta   *Meta
	Format iq.Format

	f      *os.File
	r      *iqfile.Reader
	total  uint64 // samples in the data file
	path   string
	rewind func() error // set for archives
}

// ReadMeta reads and validates a .sigmf-meta file.
func ReadMeta(metaPath string) (*Meta, error) {
	fd, err := os.Open(metaPath)
	if err != nil {
		return nil, fmt.Errorf("sigmf: %w", err)
	}
	defer fd.Close()
	b, err := io.ReadAll(io.LimitReader(fd, MaxMetaBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sigmf: %s: %w", metaPath, err)
	}
	m, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	return m, nil
}

// Open opens a recording by its .sigmf-meta (or .sigmf-data) path, validates the
// metadata and checks that the data file holds a whole number of samples.
func Open(path string) (*Reader, error) {
	if strings.HasSuffix(path, ".sigmf") {
		return OpenArchive(path)
	}
	metaPath := MetaPath(path)
	m, err := ReadMeta(metaPath)
	if err != nil {
		return nil, err
	}
	if m.Global.MetadataOnly {
		return nil, fmt.Errorf("%w: %s is metadata only (no samples)", ErrUnsupported, metaPath)
	}
	f, err := m.Format()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	header, err := headerBytes(m, metaPath)
	if err != nil {
		return nil, err
	}
	dp := DataPath(metaPath)
	fd, err := os.Open(dp)
	if err != nil {
		return nil, fmt.Errorf("sigmf: data file of %s: %w", metaPath, err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("sigmf: %w", err)
	}
	size := uint64(st.Size())
	body, err := bodyBytes(m, f, dp, size, header)
	if err != nil {
		fd.Close()
		return nil, err
	}
	bps := uint64(f.BytesPerSample())
	if _, err := fd.Seek(int64(header), io.SeekStart); err != nil {
		fd.Close()
		return nil, fmt.Errorf("sigmf: %w", err)
	}
	return &Reader{
		Meta: m, Format: f, f: fd, total: body / bps, path: metaPath,
		r: iqfile.NewReader(io.LimitReader(fd, int64(body)), f),
	}, nil
}

// Len returns the number of samples in the recording.
func (r *Reader) Len() uint64 { return r.total }

// Samples returns the number of samples read so far.
func (r *Reader) Samples() uint64 { return r.r.Samples() }

// Read implements iq.Reader.
func (r *Reader) Read(dst []complex64) (int, error) { return r.r.Read(dst) }

// Rewind seeks back to the first sample.
func (r *Reader) Rewind() error {
	if r.rewind != nil {
		return r.rewind()
	}
	var header int64
	if len(r.Meta.Captures) > 0 {
		header = int64(r.Meta.Captures[0].HeaderBytes)
	}
	if _, err := r.f.Seek(header, io.SeekStart); err != nil {
		return fmt.Errorf("sigmf: rewind: %w", err)
	}
	r.r = iqfile.NewReader(io.LimitReader(r.f, int64(r.total)*int64(r.Format.BytesPerSample())), r.Format)
	return nil
}

// headerBytes returns the header bytes before the first sample; only a header
// on the first capture at sample 0 is supported.
func headerBytes(m *Meta, name string) (uint64, error) {
	var header uint64
	for i, c := range m.Captures {
		if c.HeaderBytes != 0 {
			if i != 0 || c.SampleStart != 0 {
				return 0, fmt.Errorf("%w: %s: header bytes inside the data (captures[%d])", ErrUnsupported, name, i)
			}
			header = c.HeaderBytes
		}
	}
	return header, nil
}

// bodyBytes checks a data size against the metadata and returns the bytes of samples.
func bodyBytes(m *Meta, f iq.Format, name string, size, header uint64) (uint64, error) {
	if header+m.Global.TrailingBytes > size {
		return 0, fmt.Errorf("%w: %s: %d bytes is shorter than its header and trailing bytes", iqfile.ErrTruncated, name, size)
	}
	body := size - header - m.Global.TrailingBytes
	if bps := uint64(f.BytesPerSample()); body%bps != 0 {
		return 0, fmt.Errorf("%w: %s holds %d bytes of samples, not a multiple of %d (one %s sample)", iqfile.ErrTruncated, name, body, bps, m.Global.Datatype)
	}
	return body, nil
}

// Close closes the data file.
func (r *Reader) Close() error { return r.f.Close() }

var (
	_ iq.Writer = (*Writer)(nil)
	_ iq.Reader = (*Reader)(nil)
)
