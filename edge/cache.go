package edge

import (
	"context"

	"keyfront/cache"
)

// Cache is what the edge uses of its object cache; *cache.Cache implements
// it.
type Cache interface {
	// Fill returns the fresh object stored under key, or fetches it once
	// for all concurrent callers (cache.Cache.Fill).
	Fill(ctx context.Context, key string, fetch cache.Fetch) (*cache.Entry, cache.Result, error)
	// GetStale returns the object stored under key, fresh or not.
	GetStale(key string) (*cache.Entry, bool)
	// Purge removes the objects whose invalidation Path matches pattern.
	Purge(pattern string) int
	// PurgeAll removes every object, for an edge that cannot know which
	// invalidations it missed.
	PurgeAll() int
	// Stats reports the cache's size for the metrics.
	Stats() cache.Stats
}

var _ Cache = (*cache.Cache)(nil)
