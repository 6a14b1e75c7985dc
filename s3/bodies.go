package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"keyfront"
	"keyfront/sigv4"
)

// Object and part bodies are files under DataDir/objects, never named
// after keys: a key may hold "..", "/", NUL-free anything, so each body
// gets a random 128-bit ID (32 hex digits) and lives at
// objects/<first two digits>/<ID>. The store maps keys to IDs.
//
// A body is written to objects/<xx>/.tmp-<ID>, synced, renamed to its
// final name, and the directory synced; only then is the record naming it
// put in the store. So a crash at any point leaves either no record (and
// at worst a stray file, which Sweep removes) or a record whose body is
// whole. A body that a record stops naming (an overwritten or deleted
// object, a completed or aborted upload's parts) is removed after the
// store commits, or by Sweep if the process dies first.

// tmpPrefix starts the names of bodies being written.
const tmpPrefix = ".tmp-"

// copyBufferSize is the buffer of body copies: large enough that a
// multi-megabyte body takes few system calls.
const copyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

// bodies keeps body files.
type bodies struct {
	dir string
	log *slog.Logger

	mu       sync.Mutex          // guards inflight and shards
	inflight map[string]struct{} // IDs written and not yet committed or discarded
	shards   map[string]bool     // shard directories known to exist
}

func newBodies(dataDir string, log *slog.Logger) *bodies {
	return &bodies{
		dir:      filepath.Join(dataDir, "objects"),
		log:      log,
		inflight: map[string]struct{}{},
		shards:   map[string]bool{},
	}
}

// newID returns a fresh body ID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validID reports whether name is a body ID: 32 lower-case hex digits.
func validID(name string) bool {
	if len(name) != 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (b *bodies) shardDir(id string) string { return filepath.Join(b.dir, id[:2]) }
func (b *bodies) path(id string) string     { return filepath.Join(b.dir, id[:2], id) }

// ensureShard creates the shard directory of id and syncs its parents the
// first time, so that the directory entries survive a crash.
func (b *bodies) ensureShard(id string) error {
	shard := id[:2]
	b.mu.Lock()
	ok := b.shards[shard]
	b.mu.Unlock()
	if ok {
		return nil
	}
	dir := b.shardDir(id)
	if _, err := os.Stat(dir); err != nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := syncDir(b.dir); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(b.dir)); err != nil {
			return err
		}
	}
	b.mu.Lock()
	b.shards[shard] = true
	b.mu.Unlock()
	return nil
}

// newBody is a body file written and synced but not yet named by any
// record. Its owner must call release once the record is committed, or
// discard when it will not be.
type newBody struct {
	ID   string
	Size int64
	MD5  []byte // nil when written without hashing
}

// write copies src to a new body file, at most max bytes (more is
// EntityTooLarge), also into each of hashes, and computes the MD5 unless
// noMD5. The file is complete and synced under its final name when write
// returns nil; src's io.EOF is the only end that counts, so a reader that
// fails (a signature that does not verify, a client that goes away) leaves
// nothing behind.
func (b *bodies) write(src io.Reader, max int64, noMD5 bool, hashes ...hash.Hash) (nb *newBody, err error) {
	id := newID()
	b.mu.Lock()
	b.inflight[id] = struct{}{}
	b.mu.Unlock()
	defer func() {
		if err != nil {
			b.release(id)
		}
	}()
	if err := b.ensureShard(id); err != nil {
		return nil, storageError("create body directory", err)
	}
	tmp := filepath.Join(b.shardDir(id), tmpPrefix+id)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, storageError("create body", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmp)
		}
	}()

	var sum hash.Hash
	writers := []io.Writer{f}
	if !noMD5 {
		sum = md5.New()
		writers = append(writers, sum)
	}
	for _, h := range hashes {
		writers = append(writers, h)
	}
	var dst io.Writer = f
	if len(writers) > 1 {
		dst = io.MultiWriter(writers...)
	}
	bufp := copyBuffers.Get().(*[]byte)
	n, err := io.CopyBuffer(diskWriter{dst}, io.LimitReader(onlyReader{src}, max+1), *bufp)
	copyBuffers.Put(bufp)
	var de diskError
	switch {
	case errors.As(err, &de):
		return nil, storageError("write body", de.err)
	case err != nil:
		return nil, readError(err)
	case n > max:
		return nil, errorf("EntityTooLarge", msgEntityTooLarge).with("ProposedSize", fmt.Sprint(n)).with("MaxSizeAllowed", fmt.Sprint(max))
	}
	if err := f.Sync(); err != nil {
		return nil, storageError("sync body", err)
	}
	if err := f.Close(); err != nil {
		return nil, storageError("close body", err)
	}
	if err := os.Rename(tmp, b.path(id)); err != nil {
		return nil, storageError("rename body", err)
	}
	committed = true
	if err := syncDir(b.shardDir(id)); err != nil {
		os.Remove(b.path(id))
		return nil, storageError("sync body directory", err)
	}
	nb = &newBody{ID: id, Size: n}
	if sum != nil {
		nb.MD5 = sum.Sum(nil)
	}
	return nb, nil
}

// concat writes a new body that is the concatenation of the bodies named
// by ids (CompleteMultipartUpload), feeding hashes with it. It stops when
// ctx is done.
func (b *bodies) concat(ctx context.Context, ids []string, max int64, hashes ...hash.Hash) (*newBody, error) {
	files := make([]*os.File, 0, len(ids))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	readers := make([]io.Reader, 0, len(ids))
	for _, id := range ids {
		f, err := b.open(id)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	return b.write(ctxReader{ctx, io.MultiReader(readers...)}, max, true, hashes...)
}

// open opens a body for reading. A missing file is reported with an error
// satisfying errors.Is(err, fs.ErrNotExist), which readers treat as a
// race with an overwrite or delete.
func (b *bodies) open(id string) (*os.File, error) {
	if !validID(id) {
		return nil, &keyfront.Error{Code: keyfront.EINTERNAL, Op: "s3: open body", Err: fmt.Errorf("invalid body ID %q: %w", id, fs.ErrNotExist)}
	}
	f, err := os.Open(b.path(id))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, storageError("open body", err)
	}
	return f, nil
}

// release marks a body as no longer being written: from now on it is
// either named by a committed record or garbage for Sweep.
func (b *bodies) release(id string) {
	b.mu.Lock()
	delete(b.inflight, id)
	b.mu.Unlock()
}

func (b *bodies) isInflight(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.inflight[id]
	return ok
}

// remove deletes a body no record names any more. Failures are logged;
// Sweep retries them.
func (b *bodies) remove(ids ...string) {
	for _, id := range ids {
		if !validID(id) {
			continue
		}
		if err := os.Remove(b.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.log.Warn("s3: removing body", "body", id, "err", err)
		}
	}
}

// discard removes a body written for a record that was not committed. The
// store is asked first: an Update whose commit failed ambiguously might
// have kept the record, and a record without its body would be worse than
// a stray file.
func (s *Server) discard(nb *newBody) {
	if nb == nil {
		return
	}
	defer s.bodies.release(nb.ID)
	var used map[string]bool
	err := s.view(context.Background(), func(tx keyfront.ObjectTx) error {
		var err error
		used, err = tx.BodiesInUse(context.Background(), []string{nb.ID})
		return err
	})
	if err != nil || used[nb.ID] {
		return
	}
	s.bodies.remove(nb.ID)
}

// Sweep removes body files that no object or part names and that no
// request of this Server is writing: what a crash left between writing a
// body and committing its record, or between committing and removing a
// replaced body, and temporary files of interrupted uploads. It returns
// the number of files removed. It is safe to call while the Server
// serves; call it at start-up, and periodically if you like. Only one
// Server may use a DataDir.
func (s *Server) Sweep(ctx context.Context) (removed int, err error) {
	b := s.bodies
	shards, err := os.ReadDir(b.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, storageError("sweep", err)
	}
	for _, shard := range shards {
		if !shard.IsDir() || len(shard.Name()) != 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		dir := filepath.Join(b.dir, shard.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return removed, storageError("sweep", err)
		}
		var candidates []string
		for _, e := range entries {
			name := e.Name()
			if id, ok := strings.CutPrefix(name, tmpPrefix); ok {
				if !b.isInflight(id) {
					if os.Remove(filepath.Join(dir, name)) == nil {
						removed++
					}
				}
				continue
			}
			if validID(name) && !b.isInflight(name) {
				candidates = append(candidates, name)
			}
		}
		if len(candidates) == 0 {
			continue
		}
		var used map[string]bool
		err = s.view(ctx, func(tx keyfront.ObjectTx) error {
			var err error
			used, err = tx.BodiesInUse(ctx, candidates)
			return err
		})
		if err != nil {
			return removed, err
		}
		for _, id := range candidates {
			// A body still in flight when listed was committed or
			// discarded by now; one that was not in flight then cannot
			// become so (IDs are never reused). So "not used" is final.
			if !used[id] {
				if os.Remove(filepath.Join(dir, id)) == nil {
					removed++
				}
			}
		}
	}
	if removed > 0 {
		s.log.Info("s3: swept unreferenced object bodies", "removed", removed)
	}
	return removed, nil
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// storageError is a file-system fault: 500 InternalError to the client,
// the cause in the log.
func storageError(op string, err error) error {
	return internalError(&keyfront.Error{Code: keyfront.EINTERNAL, Op: "s3: " + op, Err: err})
}

// readError converts an error reading a body. A *sigv4.Error (a chunk
// signature, checksum or length that does not verify), an *apiError and a
// *keyfront.Error pass through; a read deadline that passed
// (Config.BodyIdleTimeout) is RequestTimeout; anything else is the
// client's body ending early or the connection failing: IncompleteBody.
func readError(err error) error {
	var (
		ae *apiError
		se *sigv4.Error
		ke *keyfront.Error
	)
	if errors.As(err, &ae) || errors.As(err, &se) || errors.As(err, &ke) {
		return err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &apiError{Code: "RequestTimeout", Message: msgRequestTimeout, Err: err}
	}
	return &apiError{Code: "IncompleteBody", Message: "You did not provide the number of bytes specified by the Content-Length HTTP header.", Err: err}
}

// onlyReader hides WriteTo, so that io.CopyBuffer uses the pooled buffer.
type onlyReader struct{ io.Reader }

// diskWriter marks its writer's errors as diskError, so that write can
// tell a failing disk from a failing request body.
type diskWriter struct{ w io.Writer }

func (d diskWriter) Write(p []byte) (int, error) {
	n, err := d.w.Write(p)
	if err != nil {
		err = diskError{err}
	}
	return n, err
}

type diskError struct{ err error }

func (e diskError) Error() string { return e.err.Error() }

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
