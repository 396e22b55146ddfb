package sigmf

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/tetrasim/tetrasim/hardware/iqfile"
)

// OpenArchive opens the first recording of a SigMF archive (a POSIX tar file
// named .sigmf holding NAME.sigmf-meta and NAME.sigmf-data). The archive is
// streamed: the metadata member must come before its data member, as SigMF's
// tools write them, and the samples are read straight out of the tar stream.
func OpenArchive(archivePath string) (*Reader, error) {
	fd, err := os.Open(archivePath)
	if err != nil {
		return nil, fmt.Errorf("sigmf: %w", err)
	}
	r := &Reader{f: fd, path: archivePath}
	if err := r.scanArchive(true); err != nil {
		fd.Close()
		return nil, err
	}
	r.rewind = func() error {
		if _, err := fd.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("sigmf: rewind: %w", err)
		}
		return r.scanArchive(false)
	}
	return r, nil
}

// scanArchive positions r at the data of the first recording; with first it
// also parses and checks the metadata.
func (r *Reader) scanArchive(first bool) error {
	tr := tar.NewReader(r.f)
	var base string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if base == "" {
				return fmt.Errorf("%w: %s holds no .sigmf-meta", ErrInvalid, r.path)
			}
			return fmt.Errorf("%w: %s has %s.sigmf-meta but no %s.sigmf-data after it", iqfile.ErrTruncated, r.path, base, base)
		}
		if err != nil {
			return fmt.Errorf("sigmf: %s: not a readable tar archive: %w", r.path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		switch {
		case base == "" && strings.HasSuffix(name, ".sigmf-meta"):
			base = strings.TrimSuffix(name, ".sigmf-meta")
			if !first {
				continue
			}
			if h.Size > MaxMetaBytes {
				return fmt.Errorf("%w: %s: %s is %d bytes", ErrInvalid, r.path, name, h.Size)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return fmt.Errorf("sigmf: %s: %w", r.path, err)
			}
			m, err := Parse(b)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", r.path, name, err)
			}
			if r.Format, err = m.Format(); err != nil {
				return fmt.Errorf("%s: %w", r.path, err)
			}
			r.Meta = m
		case base == "" && strings.HasSuffix(name, ".sigmf-data"):
			return fmt.Errorf("%w: %s: %s comes before its metadata (streamed archives need the .sigmf-meta first)", ErrUnsupported, r.path, name)
		case base != "" && name == base+".sigmf-data":
			header, err := headerBytes(r.Meta, r.path)
			if err != nil {
				return err
			}
			body, err := bodyBytes(r.Meta, r.Format, r.path+":"+name, uint64(h.Size), header)
			if err != nil {
				return err
			}
			if _, err := io.CopyN(io.Discard, tr, int64(header)); err != nil {
				return fmt.Errorf("%w: %s: %v", iqfile.ErrTruncated, r.path, err)
			}
			r.total = body / uint64(r.Format.BytesPerSample())
			r.r = iqfile.NewReader(truncatedTar{io.LimitReader(tr, int64(body))}, r.Format)
			return nil
		}
	}
}

// truncatedTar turns a tar stream that ends early into ErrTruncated.
type truncatedTar struct{ r io.Reader }

func (t truncatedTar) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%w: the archive ends inside the data", iqfile.ErrTruncated)
	}
	return n, err
}
