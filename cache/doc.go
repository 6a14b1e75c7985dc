// Package cache is the edge's bounded HTTP object cache: whole responses
// (status, replayable headers, body) stored under a key the edge builds,
// kept in memory when small and in files when large, evicted by bytes,
// filled once per key however many viewers miss at the same time, and
// purged by CloudFront invalidation paths.
//
// # Using it from the edge
//
//	e, res, err := c.Fill(ctx, key, func(ctx context.Context) (*cache.Response, error) {
//		// request the origin (conditionally, with c.GetStale(key)'s
//		// validators, when an expired copy exists) and return its
//		// response with the TTL from cache.TTL
//	})
//	if err != nil { ... 502/504 ... }
//	defer e.Close()
//	w.Header().Set("X-Cache", ...) // from res
//	e.ServeHTTP(w, r)              // Range and conditional requests via http.ServeContent
//
// # Design decisions
//
// Filling. Concurrent Fill calls for one key make one fetch: the first
// caller (the leader) runs fetch on its own goroutine, the others wait for
// the fill to complete and are handed the same object. Nobody streams while
// the fill is in progress: the body is written completely (to memory, or to a
// temporary file in Config.Dir) and checked against Content-Length before
// any caller serves a byte. This costs the first viewer of a large object its
// time to first byte, and buys simple, obviously correct sharing: a fill that
// fails, is aborted, or is short stores nothing and gives every waiter the
// error. The fetch runs with a context that keeps the leader's values but not
// its cancellation (one impatient viewer must not fail the others' fill); it
// is canceled by Close. Waiters leave when their own context ends.
//
// Coalescing. The flight table is the package's own rather than
// golang.org/x/sync/singleflight: handing each caller its own reference to
// a file-backed body (so an eviction cannot close the file between the fill
// completing and the caller serving it) needs the number of callers at the
// moment the result is published, which singleflight does not expose.
//
// Storage. Objects up to Config.MemoryObjectLimit live in memory, larger
// ones in files in Config.Dir. A file is written under a temporary name and
// renamed when complete. An evicted or purged file is unlinked at once;
// Entry handles hold a reference to the open file, so a viewer being served
// keeps reading the whole object and the descriptor is closed by the last
// Entry.Close. Nothing is fsynced: the cache is not reloaded after a
// restart. New removes leftover temporary files and drops the previous
// run's objects (their metadata was in memory only).
//
// Eviction. Each tier (memory, files) is a SIEVE queue (Zhang et al.,
// "SIEVE is Simpler than LRU", NSDI 2024) bounded by bytes: a hit only sets
// a bit, so lookups share a read lock instead of serializing on list moves;
// eviction walks a hand from the oldest entry, clearing bits, and removes the
// first entry not visited since the hand last passed. Both are O(1)
// amortized. BenchmarkPolicy compares it with LRU on a skewed trace.
//
// Invalidation. Purge implements CloudFront's invalidation paths (exact, or
// a trailing "*" matching any suffix, query string included), compared
// case-sensitively with each entry's Path. A purge also stops fills that
// started before it from storing what they fetch.
package cache
