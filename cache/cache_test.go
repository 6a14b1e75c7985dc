package cache_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"keyfront/cache"
)

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     cache.Config
		wantErr string // substring; "" means New succeeds
	}{
		{"zero value", cache.Config{}, ""},
		{"memory only bound", cache.Config{MaxBytes: 1 << 20}, ""},
		{"memory only, both bounds", cache.Config{MaxBytes: 2 << 20, MaxMemoryBytes: 1 << 20}, ""},
		{"disk defaults", cache.Config{Dir: "tmp"}, ""},
		{"negative MaxBytes", cache.Config{MaxBytes: -1}, "MaxBytes"},
		{"negative MemoryObjectLimit", cache.Config{MemoryObjectLimit: -1}, "MemoryObjectLimit"},
		{"memory above total", cache.Config{Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 2 << 20}, "MaxMemoryBytes"},
		{"object limit above memory", cache.Config{MaxMemoryBytes: 1 << 20, MemoryObjectLimit: 2 << 20}, "MemoryObjectLimit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Dir == "tmp" {
				tc.cfg.Dir = t.TempDir()
			}
			c, err := cache.New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				c.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New error = %v, want one naming %s", err, tc.wantErr)
			}
		})
	}
}

func TestHitMissExpiry(t *testing.T) {
	for _, tc := range []struct {
		name      string
		advance   time.Duration
		wantFresh bool
	}{
		{"just stored", 0, true},
		{"one second before expiry", 59 * time.Second, true},
		{"at expiry", 60 * time.Second, false},
		{"long after expiry", 24 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, clk := newCache(t, cache.Config{})
			var fetches atomic.Int64
			fetch := fetchOf(object{body: "hello", path: "/a", ttl: time.Minute}, &fetches)
			if _, ok := c.Get("k"); ok {
				t.Fatal("Get on an empty cache hit")
			}
			if _, res := fill(t, c, "k", fetch); res != cache.Miss {
				t.Fatalf("first Fill = %v, want Miss", res)
			}
			clk.Advance(tc.advance)

			e, ok := c.Get("k")
			if ok != tc.wantFresh {
				t.Fatalf("Get ok = %v, want %v", ok, tc.wantFresh)
			}
			if ok {
				e.Close()
			}
			_, res := fill(t, c, "k", fetch)
			wantRes, wantFetches := cache.Hit, int64(1)
			if !tc.wantFresh {
				wantRes, wantFetches = cache.Miss, 2
			}
			if res != wantRes {
				t.Errorf("second Fill = %v, want %v", res, wantRes)
			}
			if got := fetches.Load(); got != wantFetches {
				t.Errorf("fetches = %d, want %d", got, wantFetches)
			}
			stale, ok := c.GetStale("k")
			if !ok {
				t.Fatal("GetStale found nothing")
			}
			defer stale.Close()
			if got, want := string(bodyOf(t, stale)), "hello"; got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	c, clk := newCache(t, cache.Config{})
	put(t, c, "a", object{body: "12345", path: "/a", ttl: time.Minute})
	fill(t, c, "a", fetchOf(object{}, nil)) // hit
	if e, ok := c.Get("a"); ok {            // hit
		e.Close()
	}
	c.Get("b") // miss
	clk.Advance(2 * time.Minute)
	c.Get("a") // expired: miss

	s := c.Stats()
	want := cache.Stats{Entries: 1, Hits: 2, Misses: 3}
	if s.Entries != want.Entries || s.Hits != want.Hits || s.Misses != want.Misses || s.Coalesced != 0 || s.Evictions != 0 {
		t.Errorf("Stats = %+v, want counts %+v", s, want)
	}
	if s.MemoryBytes <= 5 || s.DiskBytes != 0 || s.Bytes != s.MemoryBytes {
		t.Errorf("Stats bytes = %+v, want memory only, above the 5-byte body", s)
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		name      string
		originAge string
		advance   time.Duration
		wantAge   string
	}{
		{"fresh from origin", "", 0, "0"},
		{"42 seconds later", "", 42*time.Second + 900*time.Millisecond, "42"},
		{"origin said 10", "10", 5 * time.Second, "15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, clk := newCache(t, cache.Config{})
			h := http.Header{}
			if tc.originAge != "" {
				h.Set("Age", tc.originAge)
			}
			e, _ := fill(t, c, "k", fetchOf(object{header: h, body: "x", path: "/k", ttl: time.Hour}, nil))
			if got := serve(e, "GET").Header().Values("Age"); len(got) != 0 {
				t.Errorf("the fetching caller's response has Age %q, want none", got)
			}
			clk.Advance(tc.advance)
			hit, ok := c.Get("k")
			if !ok {
				t.Fatal("Get missed")
			}
			defer hit.Close()
			if got := serve(hit, "GET").Header().Get("Age"); got != tc.wantAge {
				t.Errorf("Age = %q, want %q", got, tc.wantAge)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	c, clk := newCache(t, cache.Config{})
	h := http.Header{"Etag": {`"v1"`}, "Cache-Control": {"max-age=60"}, "Content-Type": {"text/plain"}}
	put(t, c, "k", object{header: h, body: "body", path: "/k", ttl: time.Minute})
	clk.Advance(2 * time.Minute)

	if _, ok := c.Get("k"); ok {
		t.Fatal("Get hit an expired object")
	}
	stale, ok := c.GetStale("k")
	if !ok {
		t.Fatal("GetStale found nothing")
	}
	if got, want := stale.Header.Get("ETag"), `"v1"`; got != want {
		t.Errorf("stale ETag = %q, want %q", got, want)
	}
	if stale.Fresh(clk.Now()) {
		t.Error("stale entry reports Fresh")
	}
	stale.Close()

	e, ok := c.Refresh("k", http.Header{"Cache-Control": {"max-age=300"}, "Content-Length": {"999"}}, 5*time.Minute)
	if !ok {
		t.Fatal("Refresh found nothing")
	}
	defer e.Close()
	w := serve(e, "GET")
	for _, c := range []struct{ name, got, want string }{
		{"Cache-Control", w.Header().Get("Cache-Control"), "max-age=300"},
		{"ETag", w.Header().Get("ETag"), `"v1"`},
		{"Content-Length", w.Header().Get("Content-Length"), "4"},
		{"Age", w.Header().Get("Age"), "0"},
		{"body", w.Body.String(), "body"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if hit, ok := c.Get("k"); !ok {
		t.Error("Get missed after Refresh")
	} else {
		hit.Close()
	}
	if _, ok := c.Refresh("missing", nil, time.Minute); ok {
		t.Error("Refresh of a missing key reported ok")
	}
}

func TestFillNotModified(t *testing.T) {
	t.Run("refreshes the stale object", func(t *testing.T) {
		c, clk := newCache(t, cache.Config{})
		put(t, c, "k", object{header: http.Header{"Etag": {`"v1"`}}, body: "body", path: "/k", ttl: time.Minute})
		clk.Advance(2 * time.Minute)
		var sentINM string
		e, res, err := c.Fill(context.Background(), "k", func(context.Context) (*cache.Response, error) {
			if s, ok := c.GetStale("k"); ok {
				sentINM = s.Header.Get("ETag")
				s.Close()
			}
			return &cache.Response{Status: http.StatusNotModified, Header: http.Header{"X-Version": {"2"}}, TTL: time.Minute}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if res != cache.RefreshHit {
			t.Errorf("Result = %v, want RefreshHit", res)
		}
		if sentINM != `"v1"` {
			t.Errorf("fetch saw ETag %q, want the stale one", sentINM)
		}
		w := serve(e, "GET")
		if got, want := w.Body.String(), "body"; got != want {
			t.Errorf("body = %q, want %q", got, want)
		}
		if got, want := w.Header().Get("X-Version"), "2"; got != want {
			t.Errorf("X-Version = %q, want %q from the 304", got, want)
		}
		if _, res := fill(t, c, "k", fetchOf(object{}, nil)); res != cache.Hit {
			t.Errorf("next Fill = %v, want Hit", res)
		}
	})
	t.Run("nothing to refresh", func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		var fetches atomic.Int64
		_, _, err := c.Fill(context.Background(), "k", func(context.Context) (*cache.Response, error) {
			fetches.Add(1)
			return &cache.Response{Status: http.StatusNotModified}, nil
		})
		if !errors.Is(err, cache.ErrNotModified) {
			t.Errorf("Fill error = %v, want ErrNotModified", err)
		}
		if got, want := fetches.Load(), int64(2); got != want {
			t.Errorf("fetches = %d, want %d (one retry)", got, want)
		}
	})
}

func TestUncacheable(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    object
	}{
		{"ttl zero", object{body: "private", path: "/p", ttl: 0}},
		{"negative ttl", object{body: "private", path: "/p", ttl: -time.Second}},
		{"partial content", object{status: http.StatusPartialContent, body: "part", path: "/p", ttl: time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, cache.Config{})
			e, res := fill(t, c, "k", fetchOf(tc.o, nil))
			if res != cache.Miss {
				t.Errorf("Result = %v, want Miss", res)
			}
			if got := string(bodyOf(t, e)); got != tc.o.body {
				t.Errorf("body = %q, want %q", got, tc.o.body)
			}
			if has(c, "k") {
				t.Error("uncacheable response was stored")
			}
			if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 {
				t.Errorf("Stats = %+v, want empty", s)
			}
		})
	}
}

func TestContentLengthMismatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		cl   string
		body string
	}{
		{"short, memory", "10", "12345"},
		{"long, memory", "3", "12345"},
		{"short, disk", "100000", strings.Repeat("x", 5000)},
		{"long, disk", "5000", strings.Repeat("x", 6000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c, _ := newCache(t, cache.Config{Dir: dir, MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1024})
			o := object{header: http.Header{"Content-Length": {tc.cl}}, body: tc.body, path: "/k", ttl: time.Hour}
			_, _, err := c.Fill(context.Background(), "k", fetchOf(o, nil))
			if !errors.Is(err, cache.ErrContentLength) {
				t.Fatalf("Fill error = %v, want ErrContentLength", err)
			}
			if has(c, "k") {
				t.Error("mismatched body was stored")
			}
			if got := files(t, dir); len(got) != 0 {
				t.Errorf("files left in Dir: %v", got)
			}
		})
	}
}

func TestFillUnknownLength(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int
		wantDisk bool
	}{
		{"fits in memory", 1000, false},
		{"spills to disk", 5000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, cache.Config{Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1024})
			body := strings.Repeat("y", tc.size)
			e, _ := fill(t, c, "k", fetchOf(object{body: body, path: "/k", ttl: time.Hour, noCL: true}, nil))
			if got := string(bodyOf(t, e)); got != body {
				t.Errorf("body has %d bytes, want %d", len(got), len(body))
			}
			if got := serve(e, "GET").Header().Get("Content-Length"); got != itoa(tc.size) {
				t.Errorf("Content-Length = %q, want %d", got, tc.size)
			}
			s := c.Stats()
			if got := s.DiskBytes > 0; got != tc.wantDisk {
				t.Errorf("stored on disk = %v, want %v (%+v)", got, tc.wantDisk, s)
			}
		})
	}
}
