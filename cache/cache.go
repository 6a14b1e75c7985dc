package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Cache. The zero value is a memory-only cache of
// DefaultMaxMemoryBytes.
type Config struct {
	// Dir holds the files of objects larger than MemoryObjectLimit. The
	// cache owns it: New creates it (mode 0700) if needed and deletes the
	// *.tmp and *.obj files it finds there. Two Caches must not share a
	// Dir. Empty means memory only: larger objects are then passed to
	// their callers through an unlinked temporary file in os.TempDir and
	// never stored.
	Dir string

	// MaxBytes bounds the bytes stored, memory and files together. Zero
	// means DefaultMaxBytes with a Dir; without one, MaxMemoryBytes, or
	// DefaultMaxMemoryBytes if that is zero too.
	MaxBytes int64

	// MaxMemoryBytes bounds the bytes stored in memory; files get the
	// rest of MaxBytes. Zero means DefaultMaxMemoryBytes (or MaxBytes if
	// that is smaller) with a Dir; without one, MaxBytes.
	MaxMemoryBytes int64

	// MemoryObjectLimit is the largest body kept in memory; larger bodies
	// go to files. It is also the most a fill buffers in memory. Zero
	// means DefaultMemoryObjectLimit, or MaxMemoryBytes if that is
	// smaller.
	MemoryObjectLimit int64

	// Now is the clock for ages and expiry. Nil means time.Now.
	Now func() time.Time

	// Logger receives the cache's own events (startup cleanup, origin
	// bodies that do not match their Content-Length, file errors). Nil
	// discards them.
	Logger *slog.Logger
}

// Defaults for the zero Config fields.
const (
	DefaultMaxBytes          = 1 << 30
	DefaultMaxMemoryBytes    = 64 << 20
	DefaultMemoryObjectLimit = 1 << 20
)

// entryOverhead estimates the memory an entry costs besides its body,
// key, path and headers: node, meta, body, map slot. Charging it keeps a
// flood of tiny objects (empty 404s under unique keys) within the budget.
const entryOverhead = 256

// ErrClosed is returned by Fill after Close.
var ErrClosed = errors.New("cache: closed")

// Result says how Fill answered.
type Result int

const (
	// Miss: this caller fetched from the origin.
	Miss Result = iota
	// Hit: a fresh stored object answered; the origin was not asked.
	Hit
	// RefreshHit: an expired object was revalidated by this caller's
	// fetch (the origin answered 304 Not Modified) and answered.
	RefreshHit
	// Coalesced: another caller's fetch for the same key answered.
	Coalesced
)

func (r Result) String() string {
	switch r {
	case Miss:
		return "Miss"
	case Hit:
		return "Hit"
	case RefreshHit:
		return "RefreshHit"
	case Coalesced:
		return "Coalesced"
	}
	return "Result(" + strconv.Itoa(int(r)) + ")"
}

// Stats is a snapshot of the cache for metrics.
type Stats struct {
	Entries     int64 // objects stored
	Bytes       int64 // MemoryBytes + DiskBytes; never above MaxBytes
	MemoryBytes int64 // charged to the memory tier: small bodies and an estimate of their metadata
	DiskBytes   int64 // charged to the disk tier: file sizes and an estimate of their metadata
	Hits        int64 // Get and Fill calls answered by a fresh object
	Misses      int64 // Get calls that found nothing fresh, and fetches Fill made
	Coalesced   int64 // Fill calls answered by another caller's fetch
	Evictions   int64 // objects removed to make room (not purges or replacements)
}

// Cache is a bounded object cache. Its methods are safe for concurrent use.
type Cache struct {
	now       func() time.Time
	log       *slog.Logger
	dir       string // "" in memory-only mode
	spoolDir  string // where bodies too large for memory are written
	memLimit  int64
	fillCtx   context.Context // parent of every fetch; canceled by Close
	cancelAll context.CancelFunc

	// mu guards index, flights, running, gen, purges and closed; both
	// queues (membership, order, hands, byte totals); every node's charge,
	// tier and links; and every flight's gen, stale, callers, finished and
	// out. Lookups take it for reading: a hit then only sets the node's
	// atomic visited bit and takes a reference to its body. Nothing does
	// I/O or calls a fetch while holding it.
	mu      sync.RWMutex
	index   map[string]*node
	mem     queue
	disk    queue
	flights map[string]*flight   // the flight new callers for a key join
	running map[*flight]struct{} // every flight not yet finished
	gen     uint64               // incremented by every Purge and PurgeAll
	purges  []purgeRecord        // purges newer than some running flight
	closed  bool

	fills sync.WaitGroup // leaders inside Fill; Close waits for them
	seq   atomic.Uint64  // names stored files

	hits, misses, coalesced, evictions atomic.Int64
}

// New returns a Cache. With a Dir it removes what a previous run left
// there: temporary files of interrupted fills and stored objects, which are
// dropped rather than reloaded because their metadata lived in memory.
func New(cfg Config) (*Cache, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	c := &Cache{
		now:      cfg.Now,
		log:      cfg.Logger,
		dir:      cfg.Dir,
		spoolDir: cfg.Dir,
		memLimit: cfg.MemoryObjectLimit,
		index:    make(map[string]*node),
		flights:  make(map[string]*flight),
		running:  make(map[*flight]struct{}),
	}
	c.mem = queue{budget: cfg.MaxMemoryBytes}
	c.disk = queue{budget: cfg.MaxBytes - cfg.MaxMemoryBytes}
	if c.dir == "" {
		c.disk.budget = 0
		c.spoolDir = os.TempDir()
	} else if err := c.cleanDir(); err != nil {
		return nil, err
	}
	c.fillCtx, c.cancelAll = context.WithCancel(context.Background())
	return c, nil
}

func (cfg *Config) normalize() error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"MaxBytes", cfg.MaxBytes}, {"MaxMemoryBytes", cfg.MaxMemoryBytes}, {"MemoryObjectLimit", cfg.MemoryObjectLimit}} {
		if f.v < 0 {
			return fmt.Errorf("cache: Config.%s is negative (%d)", f.name, f.v)
		}
	}
	if cfg.Dir == "" {
		// Memory only: the memory tier is all there is.
		switch {
		case cfg.MaxBytes == 0 && cfg.MaxMemoryBytes == 0:
			cfg.MaxBytes = DefaultMaxMemoryBytes
		case cfg.MaxBytes == 0:
			cfg.MaxBytes = cfg.MaxMemoryBytes
		}
		if cfg.MaxMemoryBytes == 0 {
			cfg.MaxMemoryBytes = cfg.MaxBytes
		}
	} else {
		if cfg.MaxBytes == 0 {
			cfg.MaxBytes = DefaultMaxBytes
		}
		if cfg.MaxMemoryBytes == 0 {
			cfg.MaxMemoryBytes = min(DefaultMaxMemoryBytes, cfg.MaxBytes)
		}
	}
	if cfg.MaxMemoryBytes > cfg.MaxBytes {
		return fmt.Errorf("cache: Config.MaxMemoryBytes (%d) exceeds MaxBytes (%d)", cfg.MaxMemoryBytes, cfg.MaxBytes)
	}
	if cfg.MemoryObjectLimit == 0 {
		cfg.MemoryObjectLimit = min(DefaultMemoryObjectLimit, cfg.MaxMemoryBytes)
	}
	if cfg.MemoryObjectLimit > cfg.MaxMemoryBytes {
		return fmt.Errorf("cache: Config.MemoryObjectLimit (%d) exceeds MaxMemoryBytes (%d)", cfg.MemoryObjectLimit, cfg.MaxMemoryBytes)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// cleanDir creates Dir and removes a previous run's files from it.
func (c *Cache) cleanDir() error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("cache: create Dir: %w", err)
	}
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("cache: read Dir: %w", err)
	}
	var temps, objs int
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		switch {
		case strings.HasSuffix(name, tempSuffix):
			temps++
		case strings.HasSuffix(name, objSuffix):
			objs++
		default:
			continue
		}
		if err := os.Remove(filepath.Join(c.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cache: remove leftover file: %w", err)
		}
	}
	if temps+objs > 0 {
		c.log.Info("cache: removed files of a previous run", "dir", c.dir, "temporary", temps, "objects", objs)
	}
	return nil
}

// Close stops the cache: fetches in progress are canceled (and store
// nothing), Fill returns ErrClosed, and stored objects are dropped and
// their files unlinked. Entry handles already returned remain servable
// until their own Close. Close waits for Fill calls that are fetching.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.cancelAll()
	c.fills.Wait()

	c.mu.Lock()
	var dropped []*node
	for _, n := range c.index {
		dropped = append(dropped, c.unlinkLocked(n))
	}
	c.mu.Unlock()
	c.dispose(dropped)
	return nil
}

// Get returns the fresh object stored under key. The caller must Close the
// Entry when done serving it. An expired object is a miss (see GetStale).
// Get counts a hit or a miss; an edge that goes on to Fill after a miss
// should call Fill directly instead, which looks up first.
func (c *Cache) Get(key string) (*Entry, bool) {
	e := c.lookup(key, false)
	if e == nil {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e, true
}

// GetStale returns the object stored under key whether or not it has
// expired, so the edge can revalidate it with the origin (If-None-Match from
// its ETag, If-Modified-Since from its Last-Modified) and then Refresh it,
// or answer with it. It counts neither a hit nor a miss and does not mark
// the object as used. The caller must Close the Entry.
func (c *Cache) GetStale(key string) (*Entry, bool) {
	e := c.lookup(key, true)
	return e, e != nil
}

// lookup returns a handle on key's object if it is fresh, or whatever its
// state when stale is set; nil if there is none.
func (c *Cache) lookup(key string, stale bool) *Entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lookupLocked(key, stale)
}

// lookupLocked is lookup for a caller holding c.mu for reading or writing.
func (c *Cache) lookupLocked(key string, stale bool) *Entry {
	n := c.index[key]
	if n == nil {
		return nil
	}
	m := n.meta.Load()
	if !stale {
		if !c.now().Before(m.expires) {
			return nil
		}
		// Test before setting: a hot entry's cache line stays shared.
		if !n.visited.Load() {
			n.visited.Store(true)
		}
	}
	n.body.acquire(1)
	return c.handle(n.key, n.path, m, n.body, true)
}

// Refresh records that the origin confirmed key's stored object (it
// answered a conditional request with 304 Not Modified): the 304's header
// fields replace the stored ones as RFC 9111 section 3.2 says (except
// Content-Length), the object's age restarts at zero, and it stays fresh
// for ttl (zero or less leaves it expired, to be revalidated again on the
// next request). It returns the refreshed object, which the caller must
// Close, or false if nothing is stored under key.
func (c *Cache) Refresh(key string, header http.Header, ttl time.Duration) (*Entry, bool) {
	c.mu.Lock()
	n := c.index[key]
	if n == nil || c.closed {
		c.mu.Unlock()
		return nil, false
	}
	evicted := c.refreshLocked(n, header, ttl)
	n.body.acquire(1)
	e := c.handle(n.key, n.path, n.meta.Load(), n.body, true)
	c.mu.Unlock()
	c.dispose(evicted)
	return e, true
}

// refreshLocked swaps n's metadata for a refreshed copy and returns the
// nodes evicted if the new headers pushed the tier over budget.
func (c *Cache) refreshLocked(n *node, header http.Header, ttl time.Duration) []*node {
	old := n.meta.Load()
	h := old.header.Clone()
	for k, v := range header {
		if k == "Content-Length" || hopByHop[k] {
			continue
		}
		h[k] = v
	}
	h = h.Clone() // cap == len per field (see ServeHTTP)
	m := newMeta(old.status, h, c.now(), ttl)
	n.meta.Store(m)
	q := n.tier
	charge := entryCharge(n.key, n.path, m.header, n.body.size)
	q.bytes += charge - n.charge
	n.charge = charge
	n.visited.Store(true)
	return c.makeRoomLocked(q, 0)
}

// Stats returns current counts.
func (c *Cache) Stats() Stats {
	c.mu.RLock()
	s := Stats{
		Entries:     int64(len(c.index)),
		MemoryBytes: c.mem.bytes,
		DiskBytes:   c.disk.bytes,
	}
	c.mu.RUnlock()
	s.Bytes = s.MemoryBytes + s.DiskBytes
	s.Hits = c.hits.Load()
	s.Misses = c.misses.Load()
	s.Coalesced = c.coalesced.Load()
	s.Evictions = c.evictions.Load()
	return s
}

// makeRoomLocked evicts from q until size more bytes fit in its budget and
// returns the evicted nodes, already out of the index, for dispose.
func (c *Cache) makeRoomLocked(q *queue, size int64) []*node {
	var out []*node
	for q.count > 0 && q.bytes+size > q.budget {
		out = append(out, c.unlinkLocked(q.victim()))
		c.evictions.Add(1)
	}
	return out
}

// unlinkLocked removes n from the index and its queue. The caller must
// pass it to dispose after unlocking.
func (c *Cache) unlinkLocked(n *node) *node {
	n.tier.remove(n)
	if c.index[n.key] == n {
		delete(c.index, n.key)
	}
	return n
}

// dispose unlinks the files of removed nodes and drops the index's
// reference to their bodies. Entry handles still open keep the file
// readable until they are closed. Called without c.mu.
func (c *Cache) dispose(nodes []*node) {
	for _, n := range nodes {
		c.unlinkFile(n.body)
		n.body.release()
	}
}

func (c *Cache) unlinkFile(b *body) {
	if b.name == "" {
		return
	}
	if err := os.Remove(b.name); err != nil && !errors.Is(err, os.ErrNotExist) {
		c.log.Error("cache: remove file", "file", b.name, "err", err)
	}
	b.name = ""
}

// hopByHop lists header fields that describe one connection, never an
// object (RFC 9110 section 7.6.1); they are not stored.
var hopByHop = map[string]bool{
	"Connection":         true,
	"Keep-Alive":         true,
	"Proxy-Connection":   true,
	"Proxy-Authenticate": true,
	"Te":                 true,
	"Trailer":            true,
	"Transfer-Encoding":  true,
	"Upgrade":            true,
}

// newMeta builds the metadata of an object received (or revalidated) at
// now. The origin's Age is moved out of the header into baseAge so that
// Serve can add the time spent here.
func newMeta(status int, h http.Header, now time.Time, ttl time.Duration) *meta {
	m := &meta{status: status, header: h, stored: now, expires: now.Add(max(ttl, 0))}
	if v := h.Get("Age"); v != "" {
		if a, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && a > 0 {
			m.baseAge = a
		}
		delete(h, "Age")
	}
	if v := h.Get("Last-Modified"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			m.modTime = t
		}
	}
	return m
}

// entryCharge is what an object counts against its tier's budget.
func entryCharge(key, path string, h http.Header, size int64) int64 {
	n := int64(entryOverhead + len(key) + len(path))
	for k, vs := range h {
		n += int64(len(k)) + 16
		for _, v := range vs {
			n += int64(len(v)) + 16
		}
	}
	return n + size
}
