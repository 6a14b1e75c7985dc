package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Response is what a fetch returns: the origin's answer and how to keep it.
type Response struct {
	// Status is the origin's status code. 200 objects are served with
	// Range and conditional request support; other statuses are replayed
	// as they are. 304 Not Modified refreshes the stored object (see Fill).
	// 206 Partial Content is never stored.
	Status int

	// Header holds the header fields to replay to viewers (the edge
	// chooses: Content-Type, Content-Length, ETag, Last-Modified,
	// Cache-Control, Expires, Content-Encoding, Content-Disposition, ...).
	// The cache stores a copy without hop-by-hop fields. If Content-Length
	// is present the body must have exactly that length.
	Header http.Header

	// Body is the origin's body; nil means empty. Fill reads it to the end
	// and closes it.
	Body io.ReadCloser

	// Path is the object's invalidation path, matched by Purge: the URL
	// path as the viewer sent it (escaped form), followed by "?" and the
	// query string when the cache key includes query string parameters.
	// Signing parameters never belong in it: CloudFront's "Specifying the
	// files to invalidate" tells users of signed URLs to invalidate the
	// part before the "?".
	Path string

	// TTL is how long the object stays fresh (see TTL and ErrorTTL). Zero
	// or less means do not store: the response is still handed to every
	// caller waiting for this fetch.
	TTL time.Duration
}

// Fetch requests an object from the origin. It runs once for all the
// callers of Fill waiting for the same key, on the first caller's
// goroutine, with a context that carries that caller's values but is
// canceled only by Cache.Close; the origin client's own timeouts bound it.
type Fetch func(ctx context.Context) (*Response, error)

// flight is one fetch in progress and the callers waiting for it.
type flight struct {
	done chan struct{} // closed after out is set

	// Guarded by Cache.mu:
	gen      uint64 // Cache.gen when the current fetch attempt started
	stale    *node  // what was stored under the key at that moment
	callers  int64  // callers that will take a handle on out
	finished bool   // out is set and the callers' references taken

	out outcome // written under Cache.mu before done is closed
}

// outcome is what a flight gives its callers.
type outcome struct {
	key, path string
	m         *meta
	b         *body
	res       Result // Miss or RefreshHit, for the leader
	err       error
}

// errFetchPanicked is what waiters get when the leader's fetch panicked.
var errFetchPanicked = errors.New("cache: fetch panicked")

// ErrNotModified is returned by Fill when fetch answered 304 Not Modified
// twice while no object it could refresh was stored under the key.
var ErrNotModified = errors.New("cache: origin answered 304 Not Modified but nothing is stored to refresh")

// Fill returns the object stored under key if it is fresh (Hit); otherwise
// it makes one fetch for all concurrent callers with the same key: the first
// caller runs fetch (Miss), the others wait for it (Coalesced). Every
// caller gets its own Entry, which it must Close, or the fetch's error.
//
// The whole body is received and checked before anyone is answered; no
// caller streams while the fill is in progress. A fill that fails (fetch
// error, read error, a body not matching its Content-Length) stores
// nothing and every waiter gets the error. A response with TTL zero or
// less, a 206, an object larger than its tier, or one whose path a Purge
// matched while it was being fetched, is handed to the waiting callers and
// not stored.
//
// If fetch answers 304 Not Modified (it sent a conditional request with the
// validators of GetStale's entry), the stored object is refreshed as by
// Refresh with the 304's headers and TTL, and the leader's Result is
// RefreshHit. If that object was purged or replaced meanwhile, fetch is
// called once more (GetStale then reports the current state).
//
// A waiter whose ctx ends leaves with ctx.Err(); the fetch goes on for the
// others and for the cache.
func (c *Cache) Fill(ctx context.Context, key string, fetch Fetch) (*Entry, Result, error) {
	if e := c.lookup(key, false); e != nil {
		c.hits.Add(1)
		return e, Hit, nil
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, Miss, ErrClosed
	}
	// Re-check: a fill may have completed since the lookup.
	if e := c.lookupLocked(key, false); e != nil {
		c.mu.Unlock()
		c.hits.Add(1)
		return e, Hit, nil
	}
	if f := c.flights[key]; f != nil && f.gen == c.gen {
		f.callers++
		c.mu.Unlock()
		return c.wait(ctx, f)
	}
	// No flight, or one that started before a purge: its result may be
	// what the purge removed, so later callers must not be given it.
	f := &flight{done: make(chan struct{}), gen: c.gen, stale: c.index[key], callers: 1}
	c.flights[key] = f
	c.running[f] = struct{}{}
	c.fills.Add(1)
	c.mu.Unlock()
	defer c.fills.Done()
	c.misses.Add(1)

	c.lead(ctx, key, f, fetch)
	out := f.out
	if out.err != nil {
		return nil, Miss, out.err
	}
	return c.handle(out.key, out.path, out.m, out.b, out.res == RefreshHit), out.res, nil
}

// wait waits for another caller's fetch.
func (c *Cache) wait(ctx context.Context, f *flight) (*Entry, Result, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		c.mu.Lock()
		if !f.finished {
			f.callers--
			c.mu.Unlock()
			return nil, Coalesced, ctx.Err()
		}
		// Finished in the meantime: our reference is taken, so answer.
		c.mu.Unlock()
	}
	c.coalesced.Add(1)
	out := f.out
	if out.err != nil {
		return nil, Coalesced, out.err
	}
	return c.handle(out.key, out.path, out.m, out.b, true), Coalesced, nil
}

// lead runs the fetch for flight f and publishes its outcome.
func (c *Cache) lead(ctx context.Context, key string, f *flight, fetch Fetch) {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(c.fillCtx, cancel)
	defer func() {
		stop()
		cancel()
		select {
		case <-f.done:
		default:
			// fetch panicked: release the waiters before the panic goes on.
			c.mu.Lock()
			c.finishLocked(key, f, outcome{err: errFetchPanicked})
			c.mu.Unlock()
			close(f.done)
		}
	}()

	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			c.mu.Lock()
			f.gen, f.stale = c.gen, c.index[key]
			c.mu.Unlock()
		}
		resp, err := fetch(fctx)
		if err == nil && resp == nil {
			err = errors.New("cache: fetch returned no response and no error")
		}
		if err != nil {
			c.publish(key, f, outcome{err: err})
			return
		}
		if resp.Status == http.StatusNotModified {
			closeBody(resp.Body)
			if c.refreshFlight(key, f, resp) {
				return
			}
			if attempt > 0 {
				c.publish(key, f, outcome{err: ErrNotModified})
				return
			}
			continue
		}
		c.store(key, f, resp)
		return
	}
}

// refreshFlight applies a 304 to the object the fetch revalidated and
// publishes it. It reports false, publishing nothing, if that object is no
// longer stored under key.
func (c *Cache) refreshFlight(key string, f *flight, resp *Response) bool {
	c.mu.Lock()
	n := c.index[key]
	if n == nil || n != f.stale || c.closed {
		c.mu.Unlock()
		return false
	}
	evicted := c.refreshLocked(n, resp.Header, resp.TTL)
	c.finishLocked(key, f, outcome{key: n.key, path: n.path, m: n.meta.Load(), b: n.body, res: RefreshHit})
	c.mu.Unlock()
	c.dispose(evicted)
	close(f.done)
	return true
}

// store reads resp's body and stores it when it may be, then publishes it.
func (c *Cache) store(key string, f *flight, resp *Response) {
	defer closeBody(resp.Body)
	if resp.Status < 200 || resp.Status > 999 {
		c.publish(key, f, outcome{err: fmt.Errorf("cache: fetch returned status %d", resp.Status)})
		return
	}
	h := make(http.Header, len(resp.Header))
	for k, v := range resp.Header {
		if !hopByHop[k] {
			h[k] = v
		}
	}
	h = h.Clone() // one backing array, cap == len per field (see ServeHTTP)

	src := resp.Body
	if src == nil {
		src = http.NoBody
	}
	want := contentLength(h.Get("Content-Length"))
	b, err := readBody(src, want, c.memLimit, c.spoolDir)
	if err != nil {
		if errors.Is(err, ErrContentLength) {
			c.log.Warn("cache: origin body does not match Content-Length; not stored", "key", key, "err", err)
		}
		c.publish(key, f, outcome{err: err})
		return
	}
	m := newMeta(resp.Status, h, c.now(), resp.TTL)
	out := outcome{key: key, path: resp.Path, m: m, b: b, res: Miss}

	wantStore := resp.TTL > 0 && resp.Status != http.StatusPartialContent
	if wantStore && b.file != nil && c.dir != "" {
		// Give the file its final name before it becomes visible.
		name := filepath.Join(c.dir, fmt.Sprintf("%016x%s", c.seq.Add(1), objSuffix))
		if err := os.Rename(b.name, name); err != nil {
			c.log.Error("cache: rename file", "file", b.name, "err", err)
			wantStore = false
		} else {
			b.name = name
		}
	}

	c.mu.Lock()
	stored := false
	var evicted []*node
	if wantStore && !c.closed && !c.purgedLocked(f, resp.Path) {
		q := &c.mem
		if b.file != nil {
			q = &c.disk
		}
		charge := entryCharge(key, resp.Path, h, b.size)
		old := c.index[key]
		// A fill that started after a purge may have stored a newer
		// response while this one was fetching; keep that one.
		if charge <= q.budget && (old == nil || old.gen <= f.gen) {
			if old != nil {
				evicted = append(evicted, c.unlinkLocked(old))
			}
			evicted = append(evicted, c.makeRoomLocked(q, charge)...)
			n := &node{key: key, path: resp.Path, body: b, gen: f.gen, charge: charge}
			n.meta.Store(m)
			q.push(n)
			c.index[key] = n
			stored = true // the body's first reference is now the index's
		}
	}
	c.finishLocked(key, f, out)
	c.mu.Unlock()
	if !stored && b.file != nil {
		// Handed to the callers only: unlink it now, and drop the first
		// reference; the callers' references keep it open.
		c.unlinkFile(b)
		b.release()
	}
	c.dispose(evicted)
	close(f.done)
}

// publish finishes f with out.
func (c *Cache) publish(key string, f *flight, out outcome) {
	c.mu.Lock()
	c.finishLocked(key, f, out)
	c.mu.Unlock()
	close(f.done)
}

// finishLocked sets f's outcome, takes a body reference for each caller
// still waiting, and retires the flight. The caller closes f.done after
// unlocking.
func (c *Cache) finishLocked(key string, f *flight, out outcome) {
	f.out = out
	f.finished = true
	if out.b != nil {
		out.b.acquire(f.callers)
	}
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	delete(c.running, f)
	c.trimPurgesLocked()
}

func closeBody(b io.ReadCloser) {
	if b != nil {
		// Drain a little so the origin connection can be reused.
		io.CopyN(io.Discard, b, 4<<10)
		b.Close()
	}
}
