package edge_test

import (
	"net/http"
	"strings"
	"testing"
)

// Path and parameter tricks never serve a restricted object without a
// valid signature (issue 5, security tests). The distribution's /public/*
// behavior is open; everything else requires a signature.
func TestPathTricks(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) {
		d.Behaviors = []beh{{Pattern: "/public/*", Target: "o1"}}
	})
	e.origin.put("/private/secret.txt", "SECRET")
	e.origin.put("/public/x.txt", "public")

	for _, target := range []string{
		"/public/../private/secret.txt",
		"/public/./../private/secret.txt",
		"/public/%2e%2e/private/secret.txt",
		"/public/%2E%2E/private/secret.txt",
		"/public/.%2e/private/secret.txt",
		"/public/..%2Fprivate/secret.txt",
		"/public%2F..%2Fprivate%2Fsecret.txt",
		"/public%2f%2e%2e%2fprivate%2fsecret.txt",
		"//private/secret.txt",
		"/public//../private/secret.txt",
		"/public/x/../../private/secret.txt",
		"/%70ublic/../private/secret.txt",
		"/private%2Fsecret.txt",
		"/private/secret.txt",
		"/Private/../private/secret.txt",
	} {
		t.Run(target, func(t *testing.T) {
			resp := rawRequest(t, e, "GET "+target+" HTTP/1.1\r\nHost: "+host1+"\r\n\r\n")
			body := readAll(t, resp)
			if strings.Contains(body, "SECRET") {
				t.Fatalf("served the restricted object: %d", resp.StatusCode)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403: %s", resp.StatusCode, body)
			}
		})
	}
	for _, r := range e.origin.received() {
		if strings.Contains(r.RequestURI, "private") {
			t.Errorf("the origin was asked for %q", r.RequestURI)
		}
	}
	// The open behavior still works, and the normalised path is what
	// the origin sees.
	resp := rawRequest(t, e, "GET /public/a/../x.txt HTTP/1.1\r\nHost: "+host1+"\r\n\r\n")
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "public" {
		t.Errorf("open behavior: %d %q", resp.StatusCode, body)
	}
	if got := e.origin.last(t).RequestURI; got != "/public/x.txt" {
		t.Errorf("origin got %q", got)
	}
}

func TestParameterTricks(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "SECRET")
	base := "http://" + host1 + "/a.txt"
	valid := signURL(t, keyA, base)
	_, q, _ := strings.Cut(valid, "?")
	sig := param(q, "Signature")
	lower := strings.NewReplacer("Expires=", "expires=", "Signature=", "signature=", "Key-Pair-Id=", "key-pair-id=").Replace(valid)
	for _, tc := range []struct {
		name, target, host, code string
	}{
		{name: "duplicate Signature, forged first", target: "/a.txt?Expires=" + param(q, "Expires") + "&Signature=" + flip(sig) + "&Signature=" + sig + "&Key-Pair-Id=" + keyA, code: "AccessDenied"},
		{name: "names in lower case", target: strings.TrimPrefix(lower, "http://"+host1), code: "MissingKey"},
		{name: "mixed-case host", target: "/a.txt?" + q, host: strings.ToUpper(host1), code: "AccessDenied"},
		{name: "trailing dot host", target: "/a.txt?" + q, host: host1 + ".", code: "AccessDenied"},
		{name: "host with port", target: "/a.txt?" + q, host: host1 + ":8080", code: "AccessDenied"},
		{name: "encoded path", target: "/%61.txt?" + q, code: "AccessDenied"},
		{name: "dot segment", target: "/./a.txt?" + q, code: "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := tc.host
			if host == "" {
				host = host1
			}
			resp := rawRequest(t, e, "GET "+tc.target+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
			checkRejection(t, resp, readAll(t, resp), tc.code)
		})
	}
	if n := e.origin.count(); n != 0 {
		t.Errorf("the origin got %d requests", n)
	}
	// Signing parameters on an open behavior are not stripped (they may be
	// the origin's own, signed-urls.md §10).
	e2 := newEnv(t)
	e2.putDist(dist1, dist{Domain: host1, Origins: []orig{e2.customOrigin("o")}, Default: beh{Target: "o", QueryString: true}})
	e2.origin.put("/a.txt", "open")
	e2.get("http://" + host1 + "/a.txt?Expires=1&Signature=s&Key-Pair-Id=k")
	if got := e2.origin.last(t).RequestURI; got != "/a.txt?Expires=1&Signature=s&Key-Pair-Id=k" {
		t.Errorf("open behavior forwarded %q", got)
	}
}

// A custom policy's wildcard is matched against the raw path (§6), but the
// edge serves the normalised one; a path that climbs out of the granted
// prefix is refused.
func TestWildcardPolicyDoesNotClimbOut(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/x/a.txt", "granted")
	e.origin.put("/secret.txt", "SECRET")
	cookie := signCookies(t, keyA, "http://"+host1+"/x/*")
	resp := rawRequest(t, e, "GET /x/a.txt HTTP/1.1\r\nHost: "+host1+"\r\nCookie: "+cookie+"\r\n\r\n")
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "granted" {
		t.Fatalf("granted path: %d %q", resp.StatusCode, body)
	}
	for _, target := range []string{"/x/../secret.txt", "/x/%2e%2e/secret.txt", "/x/..%2Fsecret.txt", "/x//../../secret.txt"} {
		resp := rawRequest(t, e, "GET "+target+" HTTP/1.1\r\nHost: "+host1+"\r\nCookie: "+cookie+"\r\n\r\n")
		checkRejection(t, resp, readAll(t, resp), "AccessDenied")
	}
	// Normalising within the prefix is fine.
	resp = rawRequest(t, e, "GET /x/./b/../a.txt HTTP/1.1\r\nHost: "+host1+"\r\nCookie: "+cookie+"\r\n\r\n")
	if body := readAll(t, resp); resp.StatusCode != 200 || body != "granted" {
		t.Errorf("path normalising inside the prefix: %d %q", resp.StatusCode, body)
	}
}
