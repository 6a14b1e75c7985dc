package edge_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"keyfront/signing"
)

func TestCacheHitMissAndSigningParamsDoNotSplit(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "cached body", "Cache-Control", "max-age=60")
	base := "http://" + host1 + "/a.txt"

	resp, body := e.get(signURL(t, keyA, base))
	if body != "cached body" || resp.Header.Get("X-Cache") != "Miss from cloudfront" {
		t.Fatalf("first: %d %q X-Cache %q", resp.StatusCode, body, resp.Header.Get("X-Cache"))
	}
	// Another key's signature, then cookies: same object, same entry.
	e.clock.advance(3 * time.Second)
	for _, h := range [][]string{
		{"url", mustSign(t, signer(t, keyEC, signing.SHA256), base, signing.Terms{DateLessThan: testNow.Add(2 * time.Hour)})},
		{"cookie", signCookies(t, keyA, base)},
	} {
		var resp *http.Response
		if h[0] == "url" {
			resp, body = e.get(h[1])
		} else {
			resp, body = e.get(base, "Cookie", h[1])
		}
		if body != "cached body" || resp.Header.Get("X-Cache") != "Hit from cloudfront" {
			t.Errorf("%s: %d %q X-Cache %q", h[0], resp.StatusCode, body, resp.Header.Get("X-Cache"))
		}
		if age := resp.Header.Get("Age"); age != "3" {
			t.Errorf("%s: Age %q, want 3", h[0], age)
		}
	}
	if n := e.origin.count(); n != 1 {
		t.Errorf("origin requests %d, want 1", n)
	}

	// TTL expiry: past max-age the object is revalidated; the fake
	// origin answers 304 to If-Modified-Since, a RefreshHit.
	e.clock.advance(61 * time.Second)
	resp, body = e.get(signURL(t, keyA, base))
	if body != "cached body" || resp.Header.Get("X-Cache") != "RefreshHit from cloudfront" {
		t.Errorf("after expiry: %d %q X-Cache %q", resp.StatusCode, body, resp.Header.Get("X-Cache"))
	}
	last := e.origin.last(t)
	if last.Header.Get("If-Modified-Since") == "" {
		t.Errorf("revalidation without If-Modified-Since: %v", last.Header)
	}
	if n := e.origin.count(); n != 2 {
		t.Errorf("origin requests %d, want 2", n)
	}
}

func TestCacheCoalescing(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/hot.bin", strings.Repeat("x", 1024))
	gate := make(chan struct{})
	e.origin.mu.Lock()
	e.origin.gate = gate
	e.origin.mu.Unlock()

	const n = 100
	url := signURL(t, keyA, "http://"+host1+"/hot.bin")
	var wg sync.WaitGroup
	results := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := e.get(url)
			if resp.StatusCode != 200 || len(body) != 1024 {
				results <- "bad"
				return
			}
			results <- resp.Header.Get("X-Cache")
		}()
	}
	// Let the first origin request arrive, then give the other viewers
	// every chance to pile up behind it before releasing it.
	<-e.origin.arrived
	waitForServerRequests(t, e, n)
	close(gate)
	wg.Wait()
	close(results)
	misses := 0
	for r := range results {
		switch r {
		case "Miss from cloudfront":
			misses++
		case "Hit from cloudfront":
		default:
			t.Errorf("a viewer got %q", r)
		}
	}
	if got := e.origin.count(); got != 1 {
		t.Errorf("origin requests %d, want 1", got)
	}
	if misses != 1 {
		t.Errorf("%d misses, want 1", misses)
	}
}

// waitForServerRequests waits until n requests are inside the edge, or a
// generous deadline passes. The assertions that follow do not depend on
// it: a viewer that reaches the cache after the fill finds the stored
// object, which is a hit as well. Waiting only makes the test exercise
// coalescing rather than caching.
func waitForServerRequests(t *testing.T, e *env, n int) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && e.inflight.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
}

func TestCacheRange(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	body := "0123456789abcdefghij"
	e.origin.put("/r.bin", body)
	url := signURL(t, keyA, "http://"+host1+"/r.bin")

	// A Range miss is relayed, not filled.
	resp, got := e.get(url, "Range", "bytes=2-5")
	if resp.StatusCode != http.StatusPartialContent || got != "2345" {
		t.Fatalf("range miss: %d %q", resp.StatusCode, got)
	}
	if x := resp.Header.Get("X-Cache"); x != "Miss from cloudfront" {
		t.Errorf("range miss X-Cache %q", x)
	}
	if r := e.origin.last(t).Header.Get("Range"); r != "bytes=2-5" {
		t.Errorf("origin Range %q", r)
	}

	// Fill, then ranges come from the cache.
	if _, got := e.get(url); got != body {
		t.Fatalf("fill: %q", got)
	}
	before := e.origin.count()
	resp, got = e.get(url, "Range", "bytes=10-")
	if resp.StatusCode != http.StatusPartialContent || got != "abcdefghij" {
		t.Errorf("range hit: %d %q", resp.StatusCode, got)
	}
	if x := resp.Header.Get("X-Cache"); x != "Hit from cloudfront" {
		t.Errorf("range hit X-Cache %q", x)
	}
	if cr := resp.Header.Get("Content-Range"); cr != "bytes 10-19/20" {
		t.Errorf("Content-Range %q", cr)
	}
	if e.origin.count() != before {
		t.Errorf("the range hit reached the origin")
	}
	// Conditional request from the cache.
	resp, _ = e.get(url, "If-Modified-Since", time.Unix(1767100000, 0).UTC().Format(http.TimeFormat))
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional: %d", resp.StatusCode)
	}
}

// An invalidation in the store purges the paths it names, as viewers
// request them: normalised, with or without a query, and with a trailing
// wildcard (cache.MatchPath).
func TestInvalidationPurges(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) { d.Default.QueryString = true })
	e.origin.put("/images/a.jpg", "a1")
	e.origin.put("/images/b.jpg", "b1")
	e.origin.put("/other.txt", "o1")
	get := func(path string) (string, string) {
		resp, body := e.get(signURL(t, keyA, "http://"+host1+path))
		return body, resp.Header.Get("X-Cache")
	}
	for _, p := range []string{"/images/a.jpg", "/images/b.jpg", "/other.txt", "/images/a.jpg?v=2"} {
		get(p)
	}
	e.origin.put("/images/a.jpg", "a2")
	e.origin.put("/images/b.jpg", "b2")
	e.origin.put("/other.txt", "o2")

	// Another distribution's invalidation touches nothing here.
	e.putDist("EOTHER00000000", dist{Domain: "other.cloudfront.localhost", Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}})
	e.invalidate("EOTHER00000000", "I1", "/*")
	if body, x := get("/other.txt"); body != "o1" || x != "Hit from cloudfront" {
		t.Errorf("after another distribution's purge: %q %q", body, x)
	}

	e.invalidate(dist1, "I2", "/images/*")
	for _, tc := range []struct{ path, body, x string }{
		{"/images/a.jpg", "a2", "Miss from cloudfront"},
		{"/images/a.jpg?v=2", "a2", "Miss from cloudfront"},
		{"/images/b.jpg", "b2", "Miss from cloudfront"},
		{"/other.txt", "o1", "Hit from cloudfront"},
	} {
		if body, x := get(tc.path); body != tc.body || x != tc.x {
			t.Errorf("%s: %q %q, want %q %q", tc.path, body, x, tc.body, tc.x)
		}
	}
	// An exact path, given unnormalised.
	e.invalidate(dist1, "I3", "/./other.txt")
	if body, x := get("/other.txt"); body != "o2" || x != "Miss from cloudfront" {
		t.Errorf("after exact purge: %q %q", body, x)
	}
}

func TestOriginErrorsAreRelayedAndCached(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) { d.ErrorCode, d.ErrorTTL = 404, 30 })
	url := signURL(t, keyA, "http://"+host1+"/missing.txt")
	resp, body := e.get(url)
	if resp.StatusCode != 404 || resp.Header.Get("X-Cache") != "Error from cloudfront" || !strings.Contains(body, "not found") {
		t.Fatalf("404: %d %q %q", resp.StatusCode, resp.Header.Get("X-Cache"), body)
	}
	e.clock.advance(20 * time.Second)
	e.get(url)
	if n := e.origin.count(); n != 1 {
		t.Errorf("origin requests %d, want 1 (404 cached for ErrorCachingMinTTL 30 s)", n)
	}
	e.clock.advance(20 * time.Second)
	e.get(url)
	if n := e.origin.count(); n != 2 {
		t.Errorf("origin requests %d, want 2 after ErrorCachingMinTTL", n)
	}
	// 5xx relayed too.
	e.origin.putStatus("/boom", http.StatusServiceUnavailable, "down")
	resp, body = e.get(signURL(t, keyA, "http://"+host1+"/boom"))
	if resp.StatusCode != 503 || body != "down" || resp.Header.Get("X-Cache") != "Error from cloudfront" {
		t.Errorf("503: %d %q %q", resp.StatusCode, body, resp.Header.Get("X-Cache"))
	}
}
