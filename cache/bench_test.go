package cache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"keyfront/cache"
)

// discardWriter is a ResponseWriter that drops the body.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// warm returns a memory cache holding n 1 KiB objects k0..k(n-1).
func warm(b *testing.B, n int) *cache.Cache {
	b.Helper()
	c, _ := newCache(b, cache.Config{MaxBytes: 256 << 20})
	body := strings.Repeat("x", 1024)
	hdr := http.Header{"Content-Type": {"text/plain"}, "Etag": {`"e"`}, "Cache-Control": {"max-age=3600"}}
	for i := range n {
		k := "example.cloudfront.localhost/objects/" + strconv.Itoa(i)
		e, _, err := c.Fill(context.Background(), k, fetchOf(object{header: hdr, body: body, path: k, ttl: time.Hour}, nil))
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
	return c
}

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "example.cloudfront.localhost/objects/" + strconv.Itoa(i)
	}
	return keys
}

// BenchmarkGetHit is the lookup on the edge's hot path: a fresh 1 KiB
// object in memory, Get and Close.
func BenchmarkGetHit(b *testing.B) {
	c := warm(b, 1024)
	keys := benchKeys(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e, ok := c.Get(keys[i&1023])
		if !ok {
			b.Fatal("miss")
		}
		e.Close()
	}
}

// BenchmarkGetHitParallel runs Get hits from GOMAXPROCS goroutines, on
// 1024 keys and on one hot key.
func BenchmarkGetHitParallel(b *testing.B) {
	for _, spread := range []int{1024, 1} {
		b.Run(fmt.Sprintf("keys=%d", spread), func(b *testing.B) {
			c := warm(b, 1024)
			keys := benchKeys(1024)
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(7919))
				for pb.Next() {
					i++
					e, ok := c.Get(keys[i%spread])
					if !ok {
						b.Error("miss")
						return
					}
					e.Close()
				}
			})
		})
	}
}

// BenchmarkServeHit is Fill (a hit) and ServeHTTP of a 1 KiB object, the
// cache's share of serving a cached request.
func BenchmarkServeHit(b *testing.B) {
	c := warm(b, 1024)
	keys := benchKeys(1024)
	r := newGet()
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e, _, err := c.Fill(r.Context(), keys[i&1023], nil)
		if err != nil {
			b.Fatal(err)
		}
		clear(w.h)
		e.ServeHTTP(w, r)
		e.Close()
	}
}

// BenchmarkFillMiss stores a new object on every iteration (unique keys,
// evicting once full): 1 KiB in memory, 1 MiB to a file.
func BenchmarkFillMiss(b *testing.B) {
	for _, tc := range []struct {
		name string
		size int64
		cfg  cache.Config
	}{
		{"1KiB-memory", 1 << 10, cache.Config{MaxBytes: 16 << 20}},
		{"1MiB-disk", 1 << 20, cache.Config{Dir: "tmp", MaxBytes: 64 << 20, MaxMemoryBytes: 1 << 20, MemoryObjectLimit: 64 << 10}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := newCache(b, tc.cfg)
			hdr := http.Header{"Content-Type": {"application/octet-stream"}, "Content-Length": {strconv.FormatInt(tc.size, 10)}}
			fetch := func(context.Context) (*cache.Response, error) {
				return &cache.Response{Status: 200, Header: hdr, Body: io.NopCloser(&patternReader{size: tc.size}), Path: "/o", TTL: time.Hour}, nil
			}
			b.SetBytes(tc.size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				e, res, err := c.Fill(context.Background(), "k"+strconv.Itoa(i), fetch)
				if err != nil || res != cache.Miss {
					b.Fatal(res, err)
				}
				e.Close()
			}
		})
	}
}
