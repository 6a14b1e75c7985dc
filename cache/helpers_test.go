package cache_test

import (
	"context"
	"crypto/sha256"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyfront/cache"
)

// t0 is the fake clock's start: an arbitrary, fixed instant.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// clock is a fake clock that moves only when told to.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newCache returns a cache on a fake clock, closed when the test ends. A
// cfg.Dir of "tmp" is replaced with a fresh t.TempDir().
func newCache(tb testing.TB, cfg cache.Config) (*cache.Cache, *clock) {
	tb.Helper()
	clk := newClock()
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	if cfg.Dir == "tmp" {
		cfg.Dir = tb.TempDir()
	}
	c, err := cache.New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c, clk
}

// object describes an origin response for fetchOf.
type object struct {
	status int // 0 means 200
	header http.Header
	body   string
	path   string
	ttl    time.Duration
	noCL   bool // leave out Content-Length
}

// response builds the Response; every call gets a new Body.
func (o object) response() *cache.Response {
	h := o.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if !o.noCL && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(o.body)))
	}
	status := o.status
	if status == 0 {
		status = http.StatusOK
	}
	return &cache.Response{Status: status, Header: h, Body: io.NopCloser(strings.NewReader(o.body)), Path: o.path, TTL: o.ttl}
}

// fetchOf returns a Fetch answering with o, counting its calls in n.
func fetchOf(o object, n *atomic.Int64) cache.Fetch {
	return func(context.Context) (*cache.Response, error) {
		if n != nil {
			n.Add(1)
		}
		return o.response(), nil
	}
}

// fill calls Fill and fails the test on error; the Entry is closed when
// the test ends.
func fill(tb testing.TB, c *cache.Cache, key string, fetch cache.Fetch) (*cache.Entry, cache.Result) {
	tb.Helper()
	e, res, err := c.Fill(context.Background(), key, fetch)
	if err != nil {
		tb.Fatalf("Fill(%q): %v", key, err)
	}
	tb.Cleanup(func() { e.Close() })
	return e, res
}

// put stores o under key and checks that it was a miss.
func put(tb testing.TB, c *cache.Cache, key string, o object) {
	tb.Helper()
	e, res := fill(tb, c, key, fetchOf(o, nil))
	e.Close()
	if res != cache.Miss {
		tb.Fatalf("Fill(%q) result = %v, want Miss", key, res)
	}
}

// has reports whether a fresh object is stored under key, without
// counting a hit or a miss.
func has(c *cache.Cache, key string) bool {
	e, ok := c.GetStale(key)
	if ok {
		e.Close()
	}
	return ok
}

// serve serves e to a GET of / with the given request headers.
func serve(e *cache.Entry, method string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

// body reads an Entry's whole body.
func bodyOf(tb testing.TB, e *cache.Entry) []byte {
	tb.Helper()
	b, err := io.ReadAll(e.Reader())
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return b
}

// files lists the names in dir.
func files(tb testing.TB, dir string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// waitWaiters yields until n callers wait on key's fetch. It spins on the
// scheduler rather than sleeping: the callers are runnable goroutines.
func waitWaiters(tb testing.TB, c *cache.Cache, key string, n int64) {
	tb.Helper()
	for c.Waiters(key) < n {
		runtime.Gosched()
	}
}

// patternReader yields size deterministic bytes without allocating.
type patternReader struct {
	size, off int64
}

// patternBlock holds the pattern (period 251) long enough that any read of
// up to 64 KiB is one copy from it.
var patternBlock = func() []byte {
	b := make([]byte, 251+64<<10)
	for i := range b {
		b[i] = byte(i * 7 % 251)
	}
	return b
}()

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.size-r.off, 64<<10)
	start := r.off % 251
	copy(p[:n], patternBlock[start:start+n])
	r.off += n
	return int(n), nil
}

// patternBytes is patternReader's output, for comparisons.
func patternBytes(size int64) []byte {
	b, _ := io.ReadAll(&patternReader{size: size})
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

func newGet() *http.Request { return httptest.NewRequest("GET", "/", nil) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// hashWriter is a ResponseWriter that keeps only a digest of the body, so
// that serving large objects many times costs no memory.
type hashWriter struct {
	header http.Header
	code   int
	n      int64
	h      hash.Hash
}

func newHashWriter() *hashWriter {
	return &hashWriter{header: http.Header{}, h: sha256.New()}
}

func (w *hashWriter) Header() http.Header { return w.header }

func (w *hashWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *hashWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(p))
	return w.h.Write(p)
}

// sum is the SHA-256 of what was written.
func (w *hashWriter) sum() [32]byte { return [32]byte(w.h.Sum(nil)) }

// patternSum is the SHA-256 of patternReader's output.
func patternSum(size int64) [32]byte {
	h := sha256.New()
	io.Copy(h, &patternReader{size: size})
	return [32]byte(h.Sum(nil))
}
