package cache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"keyfront/cache"
)

// TestEvictionOrder checks SIEVE's order on a tier that holds three
// objects: without hits the oldest goes first; a hit lets an object
// survive the hand's passing; when all were hit, the hand clears them all
// and takes the oldest.
func TestEvictionOrder(t *testing.T) {
	for _, tier := range []struct {
		name string
		size int
		cfg  func(charge int64) cache.Config
	}{
		{"memory", 100, func(charge int64) cache.Config {
			return cache.Config{MaxBytes: 3 * charge, MemoryObjectLimit: 1000}
		}},
		{"disk", 2000, func(charge int64) cache.Config {
			return cache.Config{Dir: "tmp", MaxBytes: 3*charge + 10000, MaxMemoryBytes: 10000, MemoryObjectLimit: 1000}
		}},
	} {
		for _, tc := range []struct {
			name  string
			steps string // "+k" stores k, "?k" hits k
			want  []string
		}{
			{"no hits is FIFO", "+1 +2 +3 +4", []string{"2", "3", "4"}},
			{"no hits, two evictions", "+1 +2 +3 +4 +5", []string{"3", "4", "5"}},
			{"a hit protects the oldest", "+1 +2 +3 ?1 +4", []string{"1", "3", "4"}},
			{"the hand moves on", "+1 +2 +3 ?1 +4 +5", []string{"1", "4", "5"}},
			// Quick demotion: the hand stays among the new objects, which
			// go before the old survivor until the hand wraps.
			{"new objects go before a survivor", "+1 +2 +3 ?1 +4 +5 +6 +7", []string{"1", "6", "7"}},
			{"a second hit keeps a survivor again", "+1 +2 +3 ?1 +4 ?1 +5 ?5 +6 +7", []string{"1", "5", "7"}},
			{"all hit: the oldest goes", "+1 +2 +3 ?1 ?2 ?3 +4", []string{"2", "3", "4"}},
			{"a miss on a gone key does not protect", "+1 +2 +3 +4 ?1 +5", []string{"3", "4", "5"}},
		} {
			t.Run(tier.name+"/"+tc.name, func(t *testing.T) {
				body := strings.Repeat("b", tier.size)
				obj := func(k string) object { return object{body: body, path: "/" + k, ttl: time.Hour} }
				probe, _ := newCache(t, cache.Config{Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 10000, MemoryObjectLimit: 1000})
				put(t, probe, "0", obj("0"))
				charge := probe.Stats().Bytes

				c, _ := newCache(t, tier.cfg(charge))
				for _, step := range strings.Fields(tc.steps) {
					k := step[1:]
					switch step[0] {
					case '+':
						put(t, c, k, obj(k))
					case '?':
						if e, ok := c.Get(k); ok {
							e.Close()
						}
					}
				}
				var got []string
				for _, k := range []string{"1", "2", "3", "4", "5", "6", "7"} {
					if has(c, k) {
						got = append(got, k)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("stored = %v, want %v", got, tc.want)
				}
			})
		}
	}
}

// TestByteBounds stores objects of random sizes in both tiers and checks
// after every fill that no budget is exceeded and that the disk holds
// exactly the stored files.
func TestByteBounds(t *testing.T) {
	const (
		maxBytes  = 2 << 20
		maxMemory = 256 << 10
		objLimit  = 16 << 10
	)
	dir := t.TempDir()
	c, _ := newCache(t, cache.Config{Dir: dir, MaxBytes: maxBytes, MaxMemoryBytes: maxMemory, MemoryObjectLimit: objLimit})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		size := rng.IntN(objLimit * 2)
		if i%10 == 0 {
			size = rng.IntN(400 << 10)
		}
		key := fmt.Sprintf("k%d", i)
		put(t, c, key, object{body: strings.Repeat("z", size), path: "/" + key, ttl: time.Hour})
		if i%3 == 0 { // keep some objects hot
			if e, ok := c.Get(fmt.Sprintf("k%d", rng.IntN(i+1))); ok {
				e.Close()
			}
		}
		s := c.Stats()
		if s.Bytes > maxBytes || s.MemoryBytes > maxMemory || s.DiskBytes > maxBytes-maxMemory {
			t.Fatalf("after %d fills: %+v exceeds MaxBytes %d / MaxMemoryBytes %d", i+1, s, maxBytes, maxMemory)
		}
		if s.Bytes != s.MemoryBytes+s.DiskBytes {
			t.Fatalf("Bytes %d != MemoryBytes %d + DiskBytes %d", s.Bytes, s.MemoryBytes, s.DiskBytes)
		}
	}
	s := c.Stats()
	if s.Evictions == 0 {
		t.Errorf("no evictions after storing far more than MaxBytes: %+v", s)
	}
	var diskEntries int
	for i := range 400 {
		if e, ok := c.GetStale(fmt.Sprintf("k%d", i)); ok {
			if e.Size > objLimit {
				diskEntries++
			}
			e.Close()
		}
	}
	if got := len(files(t, dir)); got != diskEntries {
		t.Errorf("files in Dir = %d, want %d (one per stored large object)", got, diskEntries)
	}
}

func TestObjectLargerThanItsTier(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  cache.Config
		size int
	}{
		{"memory only, larger than MemoryObjectLimit", cache.Config{MaxBytes: 1 << 20, MemoryObjectLimit: 1024}, 4096},
		{"disk tier too small", cache.Config{Dir: "tmp", MaxBytes: 64<<10 + 8<<10, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1024}, 16 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, tc.cfg)
			want := string(patternBytes(int64(tc.size)))
			e, res := fill(t, c, "k", fetchOf(object{body: want, path: "/k", ttl: time.Hour}, nil))
			if res != cache.Miss {
				t.Errorf("Result = %v, want Miss", res)
			}
			if got := serve(e, "GET").Body.String(); got != want {
				t.Errorf("served %d bytes, want %d", len(got), len(want))
			}
			if has(c, "k") {
				t.Error("object larger than its tier was stored")
			}
		})
	}
}

// TestServeWhileRemoved serves file-backed entries while other goroutines
// evict, purge and replace them; every response must be complete and
// intact. Run with -race.
func TestServeWhileRemoved(t *testing.T) {
	const (
		size    = 200 << 10
		keys    = 4
		readers = 8
		rounds  = 30
	)
	dir := t.TempDir()
	// Room for about two objects on disk, so fills evict.
	c, _ := newCache(t, cache.Config{Dir: dir, MaxBytes: 64<<10 + 2*size + 8<<10, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1024})
	want := patternBytes(size)
	obj := func(k string) object { return object{body: string(want), path: "/" + k, ttl: time.Hour} }

	t.Run("purged between Get and serve", func(t *testing.T) {
		put(t, c, "p", obj("p"))
		e, ok := c.Get("p")
		if !ok {
			t.Fatal("Get missed")
		}
		defer e.Close()
		if n := c.Purge("/p"); n != 1 {
			t.Fatalf("Purge = %d, want 1", n)
		}
		if got := files(t, dir); len(got) != 0 {
			t.Errorf("purged file still linked: %v", got)
		}
		if got := serve(e, "GET").Body.Bytes(); string(got) != string(want) {
			t.Errorf("served %d bytes, want %d", len(got), size)
		}
	})

	t.Run("evicted between Get and serve", func(t *testing.T) {
		put(t, c, "a", obj("a"))
		e, ok := c.Get("a")
		if !ok {
			t.Fatal("Get missed")
		}
		defer e.Close()
		for i := 0; has(c, "a"); i++ {
			if i == 5 {
				t.Fatal("five more objects did not evict a")
			}
			k := fmt.Sprint("filler", i)
			put(t, c, k, obj(k))
		}
		if got, want := len(files(t, dir)), int(c.Stats().Entries); got != want {
			t.Errorf("files in Dir = %d, want %d: the evicted file is still linked", got, want)
		}
		if got := serve(e, "GET").Body.Bytes(); string(got) != string(want) {
			t.Errorf("served %d bytes, want %d", len(got), size)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for r := range readers {
			wg.Go(func() {
				for i := range rounds {
					k := fmt.Sprint((r + i) % keys)
					e, _, err := c.Fill(context.Background(), k, fetchOf(obj(k), nil))
					if err != nil {
						t.Error(err)
						return
					}
					// Read in two halves with a removal in between.
					w := serve(e, "GET", "Range", fmt.Sprintf("bytes=0-%d", size/2-1))
					if i%3 == 0 {
						c.Purge("/" + k)
					}
					w2 := serve(e, "GET", "Range", fmt.Sprintf("bytes=%d-", size/2))
					e.Close()
					if got := append(w.Body.Bytes(), w2.Body.Bytes()...); string(got) != string(want) {
						t.Errorf("reader %d round %d: got %d intact bytes of %d", r, i, len(got), size)
						return
					}
				}
			})
		}
		wg.Wait()
		// Every removed object's file is gone; only stored ones remain.
		if got, want := len(files(t, dir)), int(c.Stats().Entries); got != want {
			t.Errorf("files in Dir = %d, want %d", got, want)
		}
	})
}

func TestMemoryOnlyBound(t *testing.T) {
	c, _ := newCache(t, cache.Config{MaxBytes: 2 << 20, MaxMemoryBytes: 1 << 20, MemoryObjectLimit: 64 << 10})
	for i := range 64 {
		k := fmt.Sprint(i)
		put(t, c, k, object{body: strings.Repeat("m", 60<<10), path: "/" + k, ttl: time.Hour})
		if s := c.Stats(); s.Bytes > 1<<20 || s.DiskBytes != 0 {
			t.Fatalf("after %d objects: %+v, want at most MaxMemoryBytes, all in memory", i+1, s)
		}
	}
}
