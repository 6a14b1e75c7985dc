package edge_test

import (
	"net/http"
	"strings"
	"testing"
)

// routingEnv is a distribution without restrictions whose behaviors send
// each path pattern to a distinct OriginPath of the fake origin, so the
// origin request shows which behavior answered. Nothing is cached
// (CachingDisabled), so every request reaches the origin.
const (
	cachingDisabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
)

func routingEnv(t *testing.T, opts ...envOption) *env {
	e := newEnv(t, opts...)
	o := func(id, path string) orig {
		x := e.customOrigin(id)
		x.Path = path
		return x
	}
	e.putDist(dist1, dist{
		Domain:      host1,
		Aliases:     []string{"media.example.com", "Cdn.Example.COM"},
		DefaultRoot: "index.html",
		Origins:     []orig{o("default", "/default"), o("images", "/images-origin"), o("jpg", "/jpg"), o("q", "/q"), o("secure", "/secure"), o("redir", "/redir")},
		Default:     beh{Target: "default", CachePolicy: cachingDisabled},
		Behaviors: []beh{
			{Pattern: "/images/*", Target: "images", CachePolicy: cachingDisabled},
			{Pattern: "*.jpg", Target: "jpg", CachePolicy: cachingDisabled}, // no leading slash, same meaning
			{Pattern: "/v?/x", Target: "q", CachePolicy: cachingDisabled},
			{Pattern: "/secure/*", Target: "secure", CachePolicy: cachingDisabled, ViewerPolicy: "https-only"},
			{Pattern: "/redir/*", Target: "redir", CachePolicy: cachingDisabled, ViewerPolicy: "redirect-to-https", Methods: []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}},
		},
	})
	return e
}

func TestRouting(t *testing.T) {
	e := routingEnv(t)
	for _, tc := range []struct {
		name, url  string
		host       string // Host header if not the URL's
		wantStatus int
		wantOrigin string // RequestURI the origin received
	}{
		{name: "domain name", url: "http://" + host1 + "/a.txt", wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "alias", url: "http://media.example.com/a.txt", wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "alias, other case", url: "http://cdn.example.com/a.txt", wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "port stripped", url: "http://" + host1 + "/a.txt", host: host1 + ":7080", wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "mixed-case host", url: "http://" + host1 + "/a.txt", host: strings.ToUpper(host1), wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "trailing dot host", url: "http://" + host1 + "/a.txt", host: host1 + ".", wantStatus: 404, wantOrigin: "/default/a.txt"},
		{name: "first pattern", url: "http://" + host1 + "/images/a.jpg", wantStatus: 404, wantOrigin: "/images-origin/images/a.jpg"},
		{name: "second pattern, star spans slashes", url: "http://" + host1 + "/deep/dir/a.jpg", wantStatus: 404, wantOrigin: "/jpg/deep/dir/a.jpg"},
		{name: "patterns are case-sensitive", url: "http://" + host1 + "/IMAGES/a.JPG", wantStatus: 404, wantOrigin: "/default/IMAGES/a.JPG"},
		{name: "question mark is one character", url: "http://" + host1 + "/v1/x", wantStatus: 404, wantOrigin: "/q/v1/x"},
		{name: "question mark is exactly one", url: "http://" + host1 + "/v10/x", wantStatus: 404, wantOrigin: "/default/v10/x"},
		{name: "default root object", url: "http://" + host1 + "/", wantStatus: 404, wantOrigin: "/default/index.html"},
		{name: "root object only at the root", url: "http://" + host1 + "/images/", wantStatus: 404, wantOrigin: "/images-origin/images/"},
		{name: "query not forwarded by CachingDisabled", url: "http://" + host1 + "/a.txt?x=1", wantStatus: 404, wantOrigin: "/default/a.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.host != "" {
				h = []string{"Host", tc.host}
			}
			before := e.origin.count()
			resp, _ := e.get(tc.url, h...)
			if n := e.origin.count() - before; n != 1 {
				t.Fatalf("%d origin requests, want 1", n)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := e.origin.last(t).RequestURI; got != tc.wantOrigin {
				t.Errorf("origin got %q, want %q", got, tc.wantOrigin)
			}
		})
	}
}

func TestUnknownAndDisabledHosts(t *testing.T) {
	e := routingEnv(t)
	e.putDist("EDISABLED00001", dist{Domain: "d2222222222222.cloudfront.localhost", Disabled: true,
		Origins: []orig{e.customOrigin("o")}, Default: beh{Target: "o"}})
	for _, host := range []string{"unknown.example.com", "d2222222222222.cloudfront.localhost", "127.0.0.1"} {
		t.Run(host, func(t *testing.T) {
			resp, body := e.get("http://" + host + "/a.txt")
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			for _, want := range []string{"<H1>403 ERROR</H1>", "<H2>The request could not be satisfied.</H2>", "\nBad request.\n", "Request ID: " + resp.Header.Get("X-Amz-Cf-Id")} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			if got := resp.Header.Get("Content-Type"); got != "text/html" {
				t.Errorf("Content-Type %q", got)
			}
			if got := resp.Header.Get("X-Cache"); got != "Error from cloudfront" {
				t.Errorf("X-Cache %q", got)
			}
		})
	}
	if n := e.origin.count(); n != 0 {
		t.Errorf("the origin got %d requests", n)
	}
}

func TestViewerProtocolPolicy(t *testing.T) {
	e := routingEnv(t)

	resp, body := e.get("http://" + host1 + "/secure/a.txt")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Bad request.") {
		t.Errorf("https-only over http: %d\n%s", resp.StatusCode, body)
	}

	resp, _ = e.get("http://"+host1+"/redir/a%20b.txt?x=1&y=%2F", "Host", host1+":7080")
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("redirect-to-https: status %d", resp.StatusCode)
	}
	if got, want := resp.Header.Get("Location"), "https://"+host1+"/redir/a%20b.txt?x=1&y=%2F"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if n := e.origin.count(); n != 0 {
		t.Errorf("the origin got %d requests", n)
	}
}

func TestAllowedMethods(t *testing.T) {
	e := routingEnv(t)
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
		resp := e.do(m, "http://"+host1+"/a.txt")
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", m, resp.StatusCode)
		}
	}
	resp, body := e.get("http://" + host1 + "/a.txt")
	_ = body
	if resp.StatusCode == http.StatusForbidden {
		t.Errorf("GET refused")
	}
	resp = e.do("POST", "http://"+host1+"/a.txt")
	b := readAll(t, resp)
	if !strings.Contains(b, "This distribution is not configured to allow the HTTP request method that was used for this request.") {
		t.Errorf("method page:\n%s", b)
	}
	// The behavior allowing every method relays them (over https only
	// because it redirects http; use the scheme a trusted proxy reports).
	if n := e.origin.count(); n != 1 {
		t.Errorf("the origin got %d requests, want 1 (the GET)", n)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func TestHealthz(t *testing.T) {
	e := routingEnv(t)
	resp, body := e.get("http://127.0.0.1/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz on a non-distribution host: %d %q", resp.StatusCode, body)
	}
	// On a distribution's host /healthz is the viewer's path.
	e.get("http://" + host1 + "/healthz")
	if got := e.origin.last(t).RequestURI; got != "/default/healthz" {
		t.Errorf("distribution /healthz went to %q", got)
	}
}
