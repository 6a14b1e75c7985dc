package cache

import "strings"

// purgeRecord remembers a purge for the fills that were running when it
// happened, so that they do not store what it removed.
type purgeRecord struct {
	gen     uint64
	pattern string
	all     bool
}

// MatchPath reports whether the invalidation path pattern covers path, by
// the rules of CloudFront's "Specifying the files to invalidate"
// (DeveloperGuide/invalidation-specifying-objects.html):
//
//   - Paths are case sensitive: /images/image.jpg and /images/Image.jpg
//     are two files.
//   - A "*" replaces zero or more characters and only as the last
//     character: "/images/*" is everything under /images/, "/images*" also
//     /images.jpg and /images-old/x, "/*" everything. Elsewhere "*" is an
//     ordinary character.
//   - Query strings are part of what is matched: when the cache key
//     includes query string parameters, "you must include the query
//     strings when invalidating", or use a wildcard ("/images/image.jpg*"
//     invalidates every version). So "/a.jpg" matches the entry whose Path
//     is "/a.jpg", not "/a.jpg?v=2".
//   - Headers and cookies in the cache key do not matter: "CloudFront
//     invalidates every cached version of the file regardless of" them;
//     that is why an entry's Path excludes them.
//
// Both sides are compared as given; the edge stores paths in the escaped
// form the viewer sent and invalidation paths arrive URL-encoded only where
// "non-ASCII or unsafe characters" require it.
func MatchPath(pattern, path string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return path == pattern
}

// Purge removes every object whose Path matches the invalidation path
// pattern (see MatchPath) and returns how many it removed. When Purge
// returns, no Get or Fill answers with a removed object, and no fill that
// was fetching before the purge stores an object it matches: such a fill
// still answers the callers already waiting for it, but callers arriving
// after the purge start a new fetch. Entry handles already returned remain
// servable until closed.
//
// Purge examines every stored object under the cache's write lock.
func (c *Cache) Purge(pattern string) int {
	return c.purge(purgeRecord{pattern: pattern})
}

// PurgeAll removes every object, as the invalidation path "/*" does for
// objects whose paths begin with "/", and returns how many it removed.
func (c *Cache) PurgeAll() int {
	return c.purge(purgeRecord{all: true})
}

func (c *Cache) purge(rec purgeRecord) int {
	c.mu.Lock()
	c.gen++
	rec.gen = c.gen
	if len(c.running) > 0 {
		c.purges = append(c.purges, rec)
	}
	var removed []*node
	for _, n := range c.index {
		if rec.matches(n.path) {
			removed = append(removed, c.unlinkLocked(n))
		}
	}
	c.mu.Unlock()
	c.dispose(removed)
	return len(removed)
}

func (r purgeRecord) matches(path string) bool {
	return r.all || MatchPath(r.pattern, path)
}

// purgedLocked reports whether a purge since flight f's fetch started
// matches path.
func (c *Cache) purgedLocked(f *flight, path string) bool {
	for _, r := range c.purges {
		if r.gen > f.gen && r.matches(path) {
			return true
		}
	}
	return false
}

// trimPurgesLocked forgets purges that no running flight predates.
func (c *Cache) trimPurgesLocked() {
	if len(c.purges) == 0 {
		return
	}
	if len(c.running) == 0 {
		c.purges = nil
		return
	}
	oldest := c.gen
	for f := range c.running {
		oldest = min(oldest, f.gen)
	}
	i := 0
	for i < len(c.purges) && c.purges[i].gen <= oldest {
		i++
	}
	c.purges = c.purges[i:]
}
