package cache_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyfront/cache"
)

// gatedFetch returns a Fetch that counts its calls and blocks until
// release is closed, then answers with o (or err).
func gatedFetch(o object, err error, calls *atomic.Int64, release <-chan struct{}) cache.Fetch {
	return func(ctx context.Context) (*cache.Response, error) {
		calls.Add(1)
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		return o.response(), nil
	}
}

func TestFillCoalesces(t *testing.T) {
	const callers = 100
	for _, tc := range []struct {
		name string
		cfg  cache.Config
		size int
	}{
		{"memory object", cache.Config{}, 10 << 10},
		{"disk object", cache.Config{Dir: "tmp", MaxBytes: 64 << 20, MaxMemoryBytes: 1 << 20, MemoryObjectLimit: 64 << 10}, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, tc.cfg)
			want := patternBytes(int64(tc.size))
			var calls atomic.Int64
			release := make(chan struct{})
			fetch := gatedFetch(object{body: string(want), path: "/big", ttl: time.Hour}, nil, &calls, release)

			type answer struct {
				sum [32]byte
				res cache.Result
				err error
			}
			answers := make([]answer, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Go(func() {
					e, res, err := c.Fill(context.Background(), "k", fetch)
					answers[i] = answer{res: res, err: err}
					if err != nil {
						return
					}
					defer e.Close()
					w := newHashWriter()
					e.ServeHTTP(w, newGet())
					answers[i].sum = w.sum()
				})
			}
			waitWaiters(t, c, "k", callers)
			close(release)
			wg.Wait()

			if got := calls.Load(); got != 1 {
				t.Errorf("fetches = %d, want 1", got)
			}
			wantSum := sha256.Sum256(want)
			counts := map[cache.Result]int{}
			for i, a := range answers {
				if a.err != nil {
					t.Fatalf("caller %d: %v", i, a.err)
				}
				counts[a.res]++
				if a.sum != wantSum {
					t.Errorf("caller %d got different bytes", i)
				}
			}
			if counts[cache.Miss] != 1 || counts[cache.Coalesced] != callers-1 {
				t.Errorf("results = %v, want 1 Miss and %d Coalesced", counts, callers-1)
			}
			if got := c.Stats().Coalesced; got != callers-1 {
				t.Errorf("Stats.Coalesced = %d, want %d", got, callers-1)
			}
		})
	}
}

func TestFillErrorReachesEveryCaller(t *testing.T) {
	const callers = 100
	c, _ := newCache(t, cache.Config{})
	var calls atomic.Int64
	release := make(chan struct{})
	originDown := errors.New("origin unreachable")
	fetch := gatedFetch(object{}, originDown, &calls, release)

	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			e, _, err := c.Fill(context.Background(), "k", fetch)
			if e != nil {
				e.Close()
			}
			errs[i] = err
		})
	}
	waitWaiters(t, c, "k", callers)
	close(release)
	wg.Wait()

	if got := calls.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1", got)
	}
	for i, err := range errs {
		if !errors.Is(err, originDown) {
			t.Errorf("caller %d error = %v, want %v", i, err, originDown)
		}
	}
	if has(c, "k") {
		t.Error("a failed fill stored something")
	}
}

func TestFillUncacheableReachesEveryCaller(t *testing.T) {
	const callers = 20
	c, _ := newCache(t, cache.Config{Dir: "tmp", MaxBytes: 8 << 20, MaxMemoryBytes: 1 << 20, MemoryObjectLimit: 1024})
	var calls atomic.Int64
	release := make(chan struct{})
	want := patternBytes(100 << 10) // a file body, not stored
	fetch := gatedFetch(object{body: string(want), path: "/private", ttl: 0}, nil, &calls, release)

	bodies := make([][]byte, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			e, _, err := c.Fill(context.Background(), "k", fetch)
			if err != nil {
				t.Error(err)
				return
			}
			defer e.Close()
			bodies[i] = serve(e, "GET").Body.Bytes()
		})
	}
	waitWaiters(t, c, "k", callers)
	close(release)
	wg.Wait()
	if got := calls.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1", got)
	}
	for i, b := range bodies {
		if !bytes.Equal(b, want) {
			t.Errorf("caller %d got %d bytes, want the %d-byte body", i, len(b), len(want))
		}
	}
	if has(c, "k") {
		t.Error("a TTL 0 response was stored")
	}
}

func TestFillCancellation(t *testing.T) {
	t.Run("waiter leaves, fill completes", func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		var calls atomic.Int64
		release := make(chan struct{})
		fetch := gatedFetch(object{body: "v", path: "/k", ttl: time.Hour}, nil, &calls, release)
		leader := make(chan cache.Result)
		go func() {
			e, res, err := c.Fill(context.Background(), "k", fetch)
			if err == nil {
				e.Close()
			}
			leader <- res
		}()
		waitWaiters(t, c, "k", 1)
		ctx, cancel := context.WithCancel(context.Background())
		waiter := make(chan error)
		go func() {
			_, _, err := c.Fill(ctx, "k", fetch)
			waiter <- err
		}()
		waitWaiters(t, c, "k", 2)
		cancel()
		if err := <-waiter; !errors.Is(err, context.Canceled) {
			t.Errorf("waiter error = %v, want context.Canceled", err)
		}
		close(release)
		if res := <-leader; res != cache.Miss {
			t.Errorf("leader result = %v, want Miss", res)
		}
		if !has(c, "k") {
			t.Error("fill was not stored")
		}
	})
	t.Run("leader's context does not abort the fetch", func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		var calls atomic.Int64
		release := make(chan struct{})
		fetch := gatedFetch(object{body: "v", path: "/k", ttl: time.Hour}, nil, &calls, release)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			e, _, err := c.Fill(ctx, "k", fetch)
			if err == nil {
				e.Close()
			}
			done <- err
		}()
		waitWaiters(t, c, "k", 1)
		cancel()
		close(release)
		if err := <-done; err != nil {
			t.Errorf("leader error = %v, want nil", err)
		}
		if !has(c, "k") {
			t.Error("fill was not stored")
		}
	})
	t.Run("Close cancels the fetch", func(t *testing.T) {
		c, _ := newCache(t, cache.Config{})
		var calls atomic.Int64
		never := make(chan struct{})
		fetch := gatedFetch(object{body: "v", path: "/k", ttl: time.Hour}, nil, &calls, never)
		done := make(chan error)
		go func() {
			_, _, err := c.Fill(context.Background(), "k", fetch)
			done <- err
		}()
		waitWaiters(t, c, "k", 1)
		c.Close()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Fill error = %v, want context.Canceled", err)
		}
		if _, _, err := c.Fill(context.Background(), "k", fetch); !errors.Is(err, cache.ErrClosed) {
			t.Errorf("Fill after Close = %v, want ErrClosed", err)
		}
	})
}

func TestFillPanic(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	release := make(chan struct{})
	var calls atomic.Int64
	fetch := func(ctx context.Context) (*cache.Response, error) {
		calls.Add(1)
		<-release
		panic("origin client bug")
	}
	panicked := make(chan any)
	go func() {
		defer func() { panicked <- recover() }()
		c.Fill(context.Background(), "k", fetch)
	}()
	waitWaiters(t, c, "k", 1)
	waiter := make(chan error)
	go func() {
		_, _, err := c.Fill(context.Background(), "k", fetch)
		waiter <- err
	}()
	waitWaiters(t, c, "k", 2)
	close(release)
	if p := <-panicked; p == nil {
		t.Error("the leader's panic did not propagate")
	}
	if err := <-waiter; err == nil {
		t.Error("waiter got no error after the fetch panicked")
	}
	if has(c, "k") {
		t.Error("stored after a panic")
	}
}

// TestLargeObjectNotBuffered fills a 64 MiB object through a reader that
// makes its bytes on demand and checks that the fill allocated a small
// fraction of that: the body went to a file in 256 KiB steps.
func TestLargeObjectNotBuffered(t *testing.T) {
	const size = 64 << 20
	c, _ := newCache(t, cache.Config{Dir: "tmp", MaxBytes: 256 << 20, MaxMemoryBytes: 4 << 20, MemoryObjectLimit: 1 << 20})
	fetch := func(context.Context) (*cache.Response, error) {
		return &cache.Response{
			Status: http.StatusOK,
			Header: http.Header{"Content-Length": {strconv.Itoa(size)}, "Content-Type": {"video/mp4"}},
			Body:   io.NopCloser(&patternReader{size: size}),
			Path:   "/video.mp4",
			TTL:    time.Hour,
		}, nil
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e, res, err := c.Fill(context.Background(), "k", fetch)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if res != cache.Miss {
		t.Errorf("Result = %v, want Miss", res)
	}
	t.Logf("filling %d bytes allocated %d", size, after.TotalAlloc-before.TotalAlloc)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/16 {
		t.Errorf("fill allocated %d bytes for a %d-byte object, want under %d", alloc, size, size/16)
	}

	w := newHashWriter()
	e.ServeHTTP(w, newGet())
	if w.code != http.StatusOK || w.n != size || w.sum() != patternSum(size) {
		t.Errorf("served status %d, %d bytes, digest match %v; want 200, %d bytes, the origin's digest", w.code, w.n, w.sum() == patternSum(size), size)
	}
	if s := c.Stats(); s.DiskBytes < size || s.MemoryBytes != 0 {
		t.Errorf("Stats = %+v, want the object on disk", s)
	}
}
