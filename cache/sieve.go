package cache

import (
	"net/http"
	"sync/atomic"
	"time"
)

// node is one stored object, linked into its tier's queue.
type node struct {
	key  string
	path string
	body *body
	gen  uint64 // Cache.gen when the fetch that stored it started
	// meta is replaced as a whole by Refresh; readers load it once and
	// never see a half-updated header set.
	meta atomic.Pointer[meta]
	// charge is what the node counts against its tier's budget: the body
	// plus an estimate of the metadata. Guarded by Cache.mu.
	charge int64
	tier   *queue // guarded by Cache.mu

	// visited is SIEVE's bit: set by hits under the read lock (hence
	// atomic), cleared by the eviction hand under the write lock.
	visited atomic.Bool

	// newer and older link the queue (head is the newest). Guarded by
	// Cache.mu.
	newer, older *node
}

// meta is the part of an object that a revalidation can change.
type meta struct {
	status  int
	header  http.Header // cloned on store; never modified afterwards
	stored  time.Time   // when the response was received or last revalidated
	expires time.Time
	modTime time.Time // parsed Last-Modified, for If-Modified-Since and If-Range
	baseAge int64     // the origin's Age header at stored, in seconds
}

// queue is a SIEVE queue bounded by bytes. All fields are guarded by
// Cache.mu (write lock to change).
type queue struct {
	head, tail *node
	hand       *node // next eviction candidate; nil means start at tail
	bytes      int64
	budget     int64
	count      int
}

// push inserts n at the head as not yet visited.
func (q *queue) push(n *node) {
	n.tier = q
	n.older = q.head
	n.newer = nil
	if q.head != nil {
		q.head.newer = n
	}
	q.head = n
	if q.tail == nil {
		q.tail = n
	}
	q.bytes += n.charge
	q.count++
}

// remove unlinks n, moving the hand past it if it pointed at n.
func (q *queue) remove(n *node) {
	if q.hand == n {
		q.hand = n.newer
	}
	if n.newer != nil {
		n.newer.older = n.older
	} else {
		q.head = n.older
	}
	if n.older != nil {
		n.older.newer = n.newer
	} else {
		q.tail = n.newer
	}
	n.newer, n.older, n.tier = nil, nil, nil
	q.bytes -= n.charge
	q.count--
}

// victim returns the entry SIEVE evicts next, without removing it: from
// the hand towards the head, wrapping to the tail, the first entry whose
// visited bit is clear; bits of the entries passed over are cleared. Each
// cleared bit was paid for by a hit, so the walk is O(1) amortized. The
// queue must not be empty.
func (q *queue) victim() *node {
	n := q.hand
	if n == nil {
		n = q.tail
	}
	for n.visited.Load() {
		n.visited.Store(false)
		n = n.newer
		if n == nil {
			n = q.tail
		}
	}
	q.hand = n.newer
	return n
}
