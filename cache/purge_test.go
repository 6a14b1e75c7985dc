package cache_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"keyfront/cache"
)

// TestMatchPath follows CloudFront's "Specifying the files to invalidate"
// (DeveloperGuide/invalidation-specifying-objects.html).
func TestMatchPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		path    string
		want    bool
	}{
		{"exact", "/images/image1.jpg", "/images/image1.jpg", true},
		{"case sensitive", "/images/image.jpg", "/images/Image.jpg", false},
		{"exact is not a prefix", "/images/image1", "/images/image1.jpg", false},
		{"exact does not match a cached query version", "/images/image.jpg", "/images/image.jpg?parameter1=a", false},
		{"query included in the path", "/images/image.jpg?parameter1=a", "/images/image.jpg?parameter1=a", true},
		{"other query value", "/images/image.jpg?parameter1=a", "/images/image.jpg?parameter1=b", false},
		{"wildcard covers every query version", "/images/image.jpg*", "/images/image.jpg?parameter1=b", true},
		{"wildcard covers the bare path", "/images/image.jpg*", "/images/image.jpg", true},
		{"directory wildcard", "/images/*", "/images/a/b/c.png", true},
		{"directory wildcard excludes the directory name alone", "/images/*", "/images", false},
		{"prefix wildcard includes siblings", "/images*", "/images-old/x.png", true},
		{"name prefix", "/video/seg*", "/video/seg00042.ts", true},
		{"name prefix miss", "/video/seg*", "/video/other.ts", false},
		{"same name, any extension", "/logo.*", "/logo.png", true},
		{"everything", "/*", "/anything?at=all", true},
		{"everything includes the root", "/*", "/", true},
		{"directory with trailing slash", "/images/", "/images", false},
		{"star inside is literal", "/a*/b", "/ax/b", false},
		{"star inside matches itself", "/a*/b", "/a*/b", true},
		{"encoded characters compared as sent", "/caf%C3%A9.jpg", "/caf%C3%A9.jpg", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cache.MatchPath(tc.pattern, tc.path); got != tc.want {
				t.Errorf("MatchPath(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
			}
		})
	}
}

func TestPurge(t *testing.T) {
	// Keys differ by header/cookie variants; paths are what invalidation
	// sees. "CloudFront invalidates every cached version of the file
	// regardless of" cookies and headers.
	entries := []struct{ key, path string }{
		{"h|/index.html|en", "/index.html"},
		{"h|/index.html|de", "/index.html"},
		{"h|/images/a.jpg", "/images/a.jpg"},
		{"h|/images/b.jpg", "/images/b.jpg"},
		{"h|/images/b.jpg?v=2", "/images/b.jpg?v=2"},
		{"h|/Images/c.jpg", "/Images/c.jpg"},
		{"h|/video/seg1.ts", "/video/seg1.ts"},
	}
	for _, tc := range []struct {
		name      string
		patterns  []string
		all       bool
		wantCount int
		wantLeft  []string // keys
	}{
		{"one file, every variant", []string{"/index.html"}, false, 2,
			[]string{"h|/images/a.jpg", "h|/images/b.jpg", "h|/images/b.jpg?v=2", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"directory", []string{"/images/*"}, false, 3,
			[]string{"h|/index.html|en", "h|/index.html|de", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"query version only", []string{"/images/b.jpg?v=2"}, false, 1,
			[]string{"h|/index.html|en", "h|/index.html|de", "h|/images/a.jpg", "h|/images/b.jpg", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"file and its query versions", []string{"/images/b.jpg*"}, false, 2,
			[]string{"h|/index.html|en", "h|/index.html|de", "h|/images/a.jpg", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"case sensitive", []string{"/images/c.jpg"}, false, 0,
			[]string{"h|/index.html|en", "h|/index.html|de", "h|/images/a.jpg", "h|/images/b.jpg", "h|/images/b.jpg?v=2", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"nothing matches", []string{"/nope"}, false, 0,
			[]string{"h|/index.html|en", "h|/index.html|de", "h|/images/a.jpg", "h|/images/b.jpg", "h|/images/b.jpg?v=2", "h|/Images/c.jpg", "h|/video/seg1.ts"}},
		{"several paths", []string{"/index.html", "/video/*"}, false, 3,
			[]string{"h|/images/a.jpg", "h|/images/b.jpg", "h|/images/b.jpg?v=2", "h|/Images/c.jpg"}},
		{"everything", []string{"/*"}, false, 7, nil},
		{"PurgeAll", nil, true, 7, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := newCache(t, cache.Config{Dir: dir, MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 16})
			for _, e := range entries {
				// 32-byte bodies: on disk, so purges must unlink files.
				put(t, c, e.key, object{body: "0123456789abcdef0123456789abcdef", path: e.path, ttl: time.Hour})
			}
			count := 0
			for _, p := range tc.patterns {
				count += c.Purge(p)
			}
			if tc.all {
				count += c.PurgeAll()
			}
			if count != tc.wantCount {
				t.Errorf("purged %d, want %d", count, tc.wantCount)
			}
			var left []string
			for _, e := range entries {
				if has(c, e.key) {
					left = append(left, e.key)
				}
			}
			if !slices.Equal(left, tc.wantLeft) {
				t.Errorf("left = %q, want %q", left, tc.wantLeft)
			}
			if got, want := len(files(t, dir)), len(tc.wantLeft); got != want {
				t.Errorf("files in Dir = %d, want %d", got, want)
			}
			if got, want := c.Stats().Entries, int64(len(tc.wantLeft)); got != want {
				t.Errorf("Stats.Entries = %d, want %d", got, want)
			}
		})
	}
}

// TestPurgeDuringFill purges while a fetch is in progress: the fetch's
// result, possibly older than the invalidation, answers the callers that
// were already waiting but is not stored, and callers arriving after the
// purge do not join it.
func TestPurgeDuringFill(t *testing.T) {
	for _, tc := range []struct {
		name  string
		purge func(*cache.Cache)
	}{
		{"matching path", func(c *cache.Cache) { c.Purge("/doc.txt") }},
		{"matching wildcard", func(c *cache.Cache) { c.Purge("/d*") }},
		{"PurgeAll", func(c *cache.Cache) { c.PurgeAll() }},
		// Any purge makes later callers fetch anew (the cache does not know
		// a fill's path before it completes); the older fill then does not
		// replace the newer response.
		{"other path", func(c *cache.Cache) { c.Purge("/other.txt") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, cache.Config{})
			var oldCalls, newCalls atomic.Int64
			release := make(chan struct{})
			oldFetch := gatedFetch(object{body: "old", path: "/doc.txt", ttl: time.Hour}, nil, &oldCalls, release)

			type answer struct {
				body string
				err  error
			}
			early := make(chan answer, 2)
			for range 2 {
				go func() {
					e, _, err := c.Fill(context.Background(), "k", oldFetch)
					if err != nil {
						early <- answer{err: err}
						return
					}
					defer e.Close()
					early <- answer{body: string(bodyOf(t, e))}
				}()
			}
			waitWaiters(t, c, "k", 2)
			tc.purge(c)

			// A caller after the purge gets a fetch of its own.
			e, res := fill(t, c, "k", fetchOf(object{body: "new", path: "/doc.txt", ttl: time.Hour}, &newCalls))
			if res != cache.Miss || newCalls.Load() != 1 {
				t.Errorf("caller after the purge: result %v with %d new fetches, want Miss with 1", res, newCalls.Load())
			}
			if got, want := string(bodyOf(t, e)), "new"; got != want {
				t.Errorf("caller after the purge got %q, want %q", got, want)
			}

			close(release)
			for range 2 {
				a := <-early
				if a.err != nil || a.body != "old" {
					t.Errorf("caller from before the purge got %q, %v; want the old fetch's body", a.body, a.err)
				}
			}
			stored, ok := c.GetStale("k")
			if !ok {
				t.Fatal("nothing stored")
			}
			defer stored.Close()
			if got, want := string(bodyOf(t, stored)), "new"; got != want {
				t.Errorf("stored %q, want %q", got, want)
			}
			if got := oldCalls.Load(); got != 1 {
				t.Errorf("old fetches = %d, want 1", got)
			}
		})
	}
}

// TestPurgeStopsOlderFill purges while a fetch is in progress and nobody
// else asks: the fetch answers its caller and is stored only if the purge
// did not match its path.
func TestPurgeStopsOlderFill(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pattern   string
		wantStore bool
	}{
		{"matching path", "/doc.txt", false},
		{"matching wildcard", "/*", false},
		{"other path", "/other.txt", true},
		{"same path, other case", "/DOC.txt", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, cfg := range []cache.Config{{}, {Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1}} {
				c, _ := newCache(t, cfg)
				var calls atomic.Int64
				release := make(chan struct{})
				fetch := gatedFetch(object{body: "content", path: "/doc.txt", ttl: time.Hour}, nil, &calls, release)
				done := make(chan string)
				go func() {
					e, _, err := c.Fill(context.Background(), "k", fetch)
					if err != nil {
						done <- err.Error()
						return
					}
					defer e.Close()
					done <- string(bodyOf(t, e))
				}()
				waitWaiters(t, c, "k", 1)
				c.Purge(tc.pattern)
				close(release)
				if got, want := <-done, "content"; got != want {
					t.Errorf("caller got %q, want %q", got, want)
				}
				if got := has(c, "k"); got != tc.wantStore {
					t.Errorf("stored = %v, want %v", got, tc.wantStore)
				}
				if cfg.Dir != "" {
					// Whether stored or not, no stray file is left.
					if got, want := c.Stats().DiskBytes > 0, tc.wantStore; got != want {
						t.Errorf("DiskBytes > 0 = %v, want %v", got, want)
					}
				}
			}
		})
	}
}
