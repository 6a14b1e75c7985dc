package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// body holds the bytes of one object: a byte slice for the memory tier or
// an open file for the disk tier. It is immutable once written.
type body struct {
	data []byte
	file *os.File // nil for memory bodies
	size int64

	// name is the file's path while it is linked. It changes only before
	// the body is shared (the rename that stores it) and when the one
	// goroutine that removed the object from the cache unlinks it.
	name string

	// refs counts the owners of the open file: the index while the object
	// is stored, plus one per Entry handle. The last release closes the
	// file. Memory bodies are not counted: the garbage collector owns them.
	refs atomic.Int64
}

func (b *body) acquire(n int64) {
	if b.file != nil && n > 0 {
		b.refs.Add(n)
	}
}

func (b *body) release() {
	if b.file != nil && b.refs.Add(-1) == 0 {
		b.file.Close()
	}
}

func (b *body) readerAt() io.ReaderAt {
	if b.file != nil {
		return b.file
	}
	return bytes.NewReader(b.data)
}

// File names in Dir. A fill writes fill-*.tmp and renames it to
// <sequence>.obj when it is stored; New removes both kinds.
const (
	tempPattern = "fill-*.tmp"
	tempSuffix  = ".tmp"
	objSuffix   = ".obj"
)

// copyBuffers are the buffers bodies are streamed through on their way to
// a file; 256 KiB keeps the write syscalls few without holding much memory
// per concurrent fill.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// ErrContentLength is returned by Fill when the origin's body is shorter or
// longer than its Content-Length header said. Nothing is stored.
var ErrContentLength = errors.New("cache: body length does not match Content-Length")

// readBody reads r completely into a memory body when its length is known
// and at most memLimit (or unknown and turns out to be), and into a file in
// dir otherwise, never holding more than memLimit bytes in memory. want is
// the Content-Length, or -1 if the origin did not send one; a body of any
// other length fails with ErrContentLength. A file body comes back with one
// reference and its temporary name linked in dir (the caller renames or
// unlinks it).
func readBody(r io.Reader, want, memLimit int64, dir string) (*body, error) {
	if want >= 0 && want <= memLimit {
		data := make([]byte, want)
		if _, err := io.ReadFull(r, data); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: got fewer than %d bytes", ErrContentLength, want)
			}
			return nil, fmt.Errorf("cache: read body: %w", err)
		}
		if err := expectEOF(r, want); err != nil {
			return nil, err
		}
		return &body{data: data, size: want}, nil
	}

	var head []byte
	if want < 0 {
		// Unknown length: keep it in memory until it proves too large.
		var buf bytes.Buffer
		n, err := buf.ReadFrom(io.LimitReader(r, memLimit+1))
		if err != nil {
			return nil, fmt.Errorf("cache: read body: %w", err)
		}
		if n <= memLimit {
			return &body{data: bytes.Clone(buf.Bytes()), size: n}, nil
		}
		head = buf.Bytes()
	}

	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return nil, fmt.Errorf("cache: create file: %w", err)
	}
	fail := func(err error) (*body, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	n, err := f.Write(head)
	size := int64(n)
	if err != nil {
		return fail(fmt.Errorf("cache: write file: %w", err))
	}
	bufp := copyBuffers.Get().(*[]byte)
	src := r
	if want >= 0 {
		src = io.LimitReader(r, want-size)
	}
	// onlyWriter hides *os.File's ReadFrom so the copy goes through our
	// buffer rather than a fresh one per call.
	m, err := io.CopyBuffer(onlyWriter{f}, src, *bufp)
	copyBuffers.Put(bufp)
	size += m
	if err != nil {
		return fail(fmt.Errorf("cache: write file: %w", err))
	}
	if want >= 0 {
		if size != want {
			return fail(fmt.Errorf("%w: got %d of %d bytes", ErrContentLength, size, want))
		}
		if err := expectEOF(r, want); err != nil {
			return fail(err)
		}
	}
	b := &body{file: f, name: f.Name(), size: size}
	b.refs.Store(1)
	return b, nil
}

// expectEOF fails if r has more bytes after the want it was said to hold.
func expectEOF(r io.Reader, want int64) error {
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n > 0 {
		return fmt.Errorf("%w: more than %d bytes", ErrContentLength, want)
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("cache: read body: %w", err)
	}
	return nil
}

type onlyWriter struct{ io.Writer }

// contentLength parses the Content-Length header, -1 if absent or invalid.
func contentLength(v string) int64 {
	if v == "" {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
