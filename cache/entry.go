package cache

import (
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// Entry is a handle on one object, returned by Get, GetStale, Refresh and
// Fill. It stays servable after the object is evicted, purged or replaced:
// a file-backed body keeps its open file until Close. Each Entry must be
// closed exactly once, after the last use of it or of a reader from it.
//
// The exported fields describe the object as it was when the handle was
// made; they must not be modified (Header is shared with the cache).
type Entry struct {
	Key     string      // the cache key
	Path    string      // the invalidation path (see Purge)
	Status  int         // the origin's status code
	Header  http.Header // the headers Serve replays; read-only
	Size    int64       // body length in bytes
	Stored  time.Time   // when the origin sent or last revalidated it
	Expires time.Time   // when it stops being fresh

	m      *meta
	body   *body
	now    func() time.Time
	cached bool // Serve sends Age: the response was not made for this request
	closed atomic.Bool
	clean  runtime.Cleanup // zero for memory bodies; Stop is then a no-op
}

// handle makes an Entry; the caller has already acquired a body reference
// for it.
func (c *Cache) handle(key, path string, m *meta, b *body, cached bool) *Entry {
	e := &Entry{
		Key:     key,
		Path:    path,
		Status:  m.status,
		Header:  m.header,
		Size:    b.size,
		Stored:  m.stored,
		Expires: m.expires,
		m:       m,
		body:    b,
		now:     c.now,
		cached:  cached,
	}
	if b.file != nil {
		// A handle dropped without Close would hold the file open (and its
		// disk space, once unlinked) forever; let the collector release it.
		e.clean = runtime.AddCleanup(e, (*body).release, b)
	}
	return e
}

// Close releases the handle's reference to the body. It is idempotent.
func (e *Entry) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	e.clean.Stop()
	e.body.release()
	return nil
}

// Fresh reports whether the object had not expired at t.
func (e *Entry) Fresh(t time.Time) bool { return t.Before(e.Expires) }

// Age is the object's age at t in seconds as RFC 9111 section 4.2.3 defines
// it for a cache that receives the response directly: the origin's Age
// header, if any, plus the time since it was stored.
func (e *Entry) Age(t time.Time) int64 {
	age := e.m.baseAge
	if d := t.Sub(e.Stored); d > 0 {
		age += int64(d / time.Second)
	}
	return age
}

// Reader returns a new reader over the body, independent of other readers.
func (e *Entry) Reader() *io.SectionReader {
	return io.NewSectionReader(e.body.readerAt(), 0, e.body.size)
}

// ServeHTTP writes the object as the response to r. Stored headers replace
// same-named headers already set on w; set your own (X-Cache, Via, ...)
// before calling. A 200 object is served with http.ServeContent, which
// answers Range (206, 416), If-None-Match, If-Modified-Since, If-Match,
// If-Unmodified-Since and If-Range from the stored ETag and Last-Modified.
// Other statuses (cached error pages, redirects) are replayed as they are.
// Unless this handle came from the caller's own origin fetch, the response
// carries Age (RFC 9111 section 5.1).
func (e *Entry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.closed.Load() {
		http.Error(w, "cache entry used after Close", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for k, v := range e.m.header {
		// The stored slices are clone-allocated with cap == len, so a
		// later Add on w's header copies rather than writing into them.
		h[k] = v
	}
	if _, ok := e.m.header["Content-Type"]; !ok {
		// Do not let ServeContent invent a type the origin did not send.
		h["Content-Type"] = nil
	}
	if e.cached {
		h.Set("Age", strconv.FormatInt(e.Age(e.now()), 10))
	}
	if !bodyAllowed(e.m.status) {
		delete(h, "Content-Length")
		w.WriteHeader(e.m.status)
		return
	}
	// ServeContent sets Content-Length itself, except on a full response
	// with Content-Encoding; the stored length is right there.
	h.Set("Content-Length", strconv.FormatInt(e.body.size, 10))
	if e.m.status != http.StatusOK {
		w.WriteHeader(e.m.status)
		if r.Method != http.MethodHead {
			io.Copy(w, e.Reader())
		}
		return
	}
	http.ServeContent(w, r, "", e.m.modTime, e.Reader())
}

// bodyAllowed reports whether a response with this status may carry
// content (RFC 9110 sections 6.4.1, 15.3.5, 15.4.5).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
