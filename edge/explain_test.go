package edge_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"keyfront"
	"keyfront/edge"
	"keyfront/signing"
)

const (
	group2   = "99999999-8888-7777-6666-555555555555" // "old": key B
	keyLone  = "KLONELONELONE1"                       // rsaKey2's material, in no group
	host2    = "d222222abcdef8.cloudfront.localhost"  // a disabled distribution
	dist2    = keyfront.DistributionID("EDISTRIBUTION2")
	viewerIP = "127.0.0.1" // what the edge sees of the tests' requests
)

// explainEnv is an edge whose first distribution has a behavior for every
// decision the edge makes, in front of an origin that answers 200 to
// everything, so that a request the edge passes on is a 200 and anything
// else is the edge's own answer.
func explainEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, withConfig(func(c *edge.Config) { c.DebugHeaders = true }))
	anyOrigin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "object")
	}))
	t.Cleanup(anyOrigin.Close)
	port := int(netip.MustParseAddrPort(anyOrigin.Listener.Addr().String()).Port())
	origin := orig{ID: "o1", Domain: "127.0.0.1", HTTPPort: port, Protocol: "http-only"}

	e.putKey(keyA, rsaKey())
	e.putKey(keyEC, ecKey())
	e.putKey(keyB, rsaKey2())
	e.putKey(keyLone, rsaKey2())
	e.putGroupNamed(group, "signers", keyA, keyEC)
	e.putGroupNamed(group2, "old", keyB)
	trusted := []string{group}
	e.putDist(dist1, dist{
		Domain:  host1,
		Aliases: []string{"cdn.example.com"},
		Origins: []orig{origin},
		Behaviors: []beh{
			{Pattern: "/public/*", Target: "o1"},
			{Pattern: "/https/*", Target: "o1", ViewerPolicy: "https-only", KeyGroups: trusted},
			{Pattern: "/redirect/*", Target: "o1", ViewerPolicy: "redirect-to-https", KeyGroups: trusted},
			{Pattern: "/old/*", Target: "o1", KeyGroups: []string{group2}},
			{Pattern: "/rw/*", Target: "o1", KeyGroups: trusted, Methods: []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}},
			{Pattern: "/noorigin/*", Target: "missing"},
			{Pattern: "/self/*", Target: "o1", TrustSelf: true},
		},
		Default: beh{Target: "o1", KeyGroups: trusted},
	})
	e.putDist(dist2, dist{Domain: host2, Disabled: true, Origins: []orig{origin}, Default: beh{Target: "o1", KeyGroups: trusted}})
	return e
}

// putGroupNamed stores a key group with a name of its own.
func (e *env) putGroupNamed(id, name string, keys ...string) {
	e.t.Helper()
	items := make([]keyfront.KeyPairID, len(keys))
	for i, k := range keys {
		items[i] = keyfront.KeyPairID(k)
	}
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: keyfront.KeyGroupID(id), ETag: nextETag(), Name: name,
			Items: items, LastModifiedTime: testNow})
	})
}

// signLone signs url with keyLone, rsaKey2 under an ID of its own.
func signLone(t *testing.T, url string) string {
	t.Helper()
	s, err := signing.NewSigner(keyLone, rsaKey2(), signing.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	return mustSign(t, s, url, signing.Terms{DateLessThan: testNow.Add(time.Hour)})
}

// viewerRequest is one request both to Explain and, byte for byte, to the
// edge.
type viewerRequest struct {
	method  string
	url     string // absolute, as requested
	cookies string // one Cookie header, "" for none
}

func (v viewerRequest) explain() edge.ExplainRequest {
	in := edge.ExplainRequest{URL: v.url, Method: v.method, ViewerIP: netip.MustParseAddr(viewerIP)}
	if v.cookies != "" {
		in.Cookies = []string{v.cookies}
	}
	return in
}

// liveVerdict is what the edge actually answered.
type liveVerdict struct {
	status int
	code   string // the 403 XML's <Code>, "" for other bodies
	reason string // X-Keyfront-Reason
	cache  string // X-Cache
}

var codeRE = regexp.MustCompile(`^<\?xml version="1.0" encoding="UTF-8"\?><Error><Code>(\w+)</Code>`)

// send writes the request to the edge exactly as given (no client
// re-encodes the target) and reads the answer.
func send(t *testing.T, e *env, v viewerRequest) liveVerdict {
	t.Helper()
	method := v.method
	if method == "" {
		method = http.MethodGet
	}
	rest := v.url[strings.Index(v.url, "://")+3:]
	host, target := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, target = rest[:i], rest[i:]
		if rest[i] == '?' {
			target = "/" + target
		}
	}
	raw := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
	if v.cookies != "" {
		raw += "Cookie: " + v.cookies + "\r\n"
	}
	raw += "Connection: close\r\n\r\n"
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://raw/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, v.url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lv := liveVerdict{status: resp.StatusCode, reason: resp.Header.Get("X-Keyfront-Reason"), cache: resp.Header.Get("X-Cache")}
	if m := codeRE.FindSubmatch(body); m != nil && resp.Header.Get("Content-Type") == "text/xml" {
		lv.code = string(m[1])
	}
	if method == http.MethodHead && lv.reason != "" {
		// No body: the code is the reason's (signed-urls.md §11).
		lv.code = signing.Reason(lv.reason).Code().String()
	}
	return lv
}

// agree fails the test unless Explain's verdict is what the edge answered.
func agree(t *testing.T, v viewerRequest, ex *edge.Explanation, live liveVerdict) {
	t.Helper()
	if ex.Status != live.status || ex.Code != live.code {
		t.Errorf("%s %s cookies %q:\nExplain says %d %q (%s: %s), the edge answered %d %q (%s)\nchecks:\n%s",
			v.method, v.url, v.cookies, ex.Status, ex.Code, ex.Reason, ex.Detail, live.status, live.code, live.reason, formatChecks(ex.Checks))
		return
	}
	if live.reason != "" && live.reason != ex.Reason {
		t.Errorf("%s %s: Explain's reason %q, the edge's X-Keyfront-Reason %q", v.method, v.url, ex.Reason, live.reason)
	}
	if served := live.status == http.StatusOK && live.cache != "Error from cloudfront"; served != ex.Served {
		t.Errorf("%s %s: Explain says served=%t, the edge answered %d with X-Cache %q", v.method, v.url, ex.Served, live.status, live.cache)
	}
}

func formatChecks(cs []keyfront.Check) string {
	var b strings.Builder
	for _, c := range cs {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", mark, c.Name, c.Detail)
	}
	return b.String()
}

func explain(t *testing.T, e *env, in edge.ExplainRequest) *edge.Explanation {
	t.Helper()
	ex, err := e.edge.Explain(context.Background(), in)
	if err != nil {
		t.Fatalf("Explain(%s): %v", in.URL, err)
	}
	return ex
}

// TestExplainRefusals covers every answer the edge makes instead of
// serving: for each, Explain's status, code, reason and the words of the
// failing check, and the edge's own answer to the same request.
func TestExplainRefusals(t *testing.T) {
	e := explainEnv(t)
	h := "http://" + host1
	base := h + "/a.txt"
	valid := signURL(t, keyA, base)
	sig := param(valid[strings.Index(valid, "?")+1:], "Signature")
	hour := testNow.Add(time.Hour)
	custom := func(id, url string, terms signing.Terms) string {
		if terms.DateLessThan.IsZero() {
			terms.DateLessThan = hour
		}
		return mustSign(t, signer(t, id, signing.SHA1), url, terms)
	}
	sha256URL := mustSign(t, signer(t, keyA, signing.SHA256), base, signing.Terms{DateLessThan: hour})
	policyOf := func(u string) string {
		return param(u[strings.Index(u, "?")+1:], "Policy")
	}
	wildcard := custom(keyA, h+"/videos/1.ts", signing.Terms{Resource: h + "/videos/*"})
	normalised := custom(keyA, h+"/x/y", signing.Terms{Resource: h + "/x/*"})

	for _, tc := range []struct {
		name    string
		req     viewerRequest
		status  int
		code    string
		reason  string
		failing string // the failing check's name
		detail  string // in the failing check's detail
	}{
		{"URL over 8192 bytes", viewerRequest{url: base + "?pad=" + strings.Repeat("x", 8192)}, 413, "", "too_large", "size",
			"over CloudFront's limit of 8192"},
		{"request-target net/http refuses", viewerRequest{url: h + "/a%zz.txt"}, 400, "", "bad_request", "request",
			"does not parse"},
		{"unknown host", viewerRequest{url: "http://nohost.example:8080/a.txt"}, 403, "", "unknown_host", "host",
			"no distribution has the domain name or alias nohost.example"},
		{"disabled distribution", viewerRequest{url: "http://" + host2 + "/a.txt"}, 403, "", "distribution_disabled", "host",
			"distribution EDISTRIBUTION2 (" + host2 + "), which is disabled"},
		{"method not allowed", viewerRequest{method: "DELETE", url: valid}, 403, "", "method_not_allowed", "method",
			"DELETE is not among the behavior's AllowedMethods (GET, HEAD)"},
		{"https-only", viewerRequest{url: signURL(t, keyA, h+"/https/a.txt")}, 403, "", "https_only", "protocol",
			"accepts only https (https-only)"},
		{"redirect-to-https", viewerRequest{url: h + "/redirect/a.txt?x=1"}, 301, "", "redirect_to_https", "protocol",
			"301 to https://" + host1 + "/redirect/a.txt?x=1"},
		{"no origin", viewerRequest{url: h + "/noorigin/a.txt"}, 502, "", "no_origin", "origin",
			`targets "missing", which is not an origin of the distribution`},

		{"MissingKey unsigned", viewerRequest{url: base}, 403, "MissingKey", "key_id_missing", "key-pair-id",
			"no Key-Pair-Id query parameter and no CloudFront-Key-Pair-Id cookie"},
		{"MissingKey empty Key-Pair-Id", viewerRequest{url: base + "?Expires=1767293600&Signature=" + sig + "&Key-Pair-Id="}, 403, "MissingKey", "key_id_missing", "key-pair-id",
			"the query has no Key-Pair-Id"},
		{"InvalidKey unknown key", viewerRequest{url: signURL(t, "KUNKNOWNKEY000", base)}, 403, "InvalidKey", "key_unknown", "key",
			"no public key of this account has the ID KUNKNOWNKEY000 (the behavior trusts signers (" + group + "))"},
		{"InvalidKey key in a group the behavior does not trust", viewerRequest{url: signURL(t, keyB, base)}, 403, "InvalidKey", "key_unknown", "key",
			"key " + keyB + " is in key group old (" + group2 + "), which this behavior does not trust (the behavior trusts signers (" + group + ")); of this distribution, /old/*, /self/* trust it"},
		{"InvalidKey TrustedSigners", viewerRequest{url: signURL(t, "KUNKNOWNKEY000", h+"/self/a.txt")}, 403, "InvalidKey", "key_unknown", "key",
			"no public key of this account has the ID KUNKNOWNKEY000 (the behavior trusts every public key of the account)"},
		{"InvalidKey key in no group", viewerRequest{url: signLone(t, base)}, 403, "InvalidKey", "key_unknown", "key",
			"key " + keyLone + " is in no key group"},
		{"InvalidKey cookies", viewerRequest{url: base, cookies: signCookies(t, keyB, base)}, 403, "InvalidKey", "key_unknown", "key",
			"is in key group old"},
		{"MalformedSignature", viewerRequest{url: base + "?Expires=1767293600&Signature=!!!!&Key-Pair-Id=" + keyA}, 403, "MalformedSignature", "signature_b64", "signature",
			"not CloudFront base64"},
		{"MalformedPolicy JSON", viewerRequest{url: base + "?Policy=" + signing.EncodeBase64([]byte(`{"Statement":[]}`)) + "&Signature=" + sig + "&Key-Pair-Id=" + keyA}, 403, "MalformedPolicy", "policy_statement_count", "policy",
			""},
		{"MalformedPolicy base64", viewerRequest{url: base + "?Policy=%25%25&Signature=" + sig + "&Key-Pair-Id=" + keyA}, 403, "MalformedPolicy", "policy_b64", "policy",
			"not CloudFront base64"},
		{"MalformedPolicy hash algorithm", viewerRequest{url: valid + "&Hash-Algorithm=MD5"}, 403, "MalformedPolicy", "hash_alg_unsupported", "hash-algorithm",
			`"MD5" is neither SHA1 nor SHA256`},
		{"MalformedPolicy Expires", viewerRequest{url: base + "?Expires=soon&Signature=" + sig + "&Key-Pair-Id=" + keyA}, 403, "MalformedPolicy", "expires_invalid", "policy",
			"is not 1 to 19 digits"},
		{"MalformedPolicy no policy", viewerRequest{url: base + "?Signature=" + sig + "&Key-Pair-Id=" + keyA}, 403, "MalformedPolicy", "policy_missing", "policy",
			"neither Expires nor Policy"},
		{"AccessDenied no signature", viewerRequest{url: base + "?Expires=1767293600&Key-Pair-Id=" + keyA}, 403, "AccessDenied", "signature_missing", "signature",
			"carries no Signature"},
		{"AccessDenied tampered signature", viewerRequest{url: strings.Replace(valid, sig, flip(sig), 1)}, 403, "AccessDenied", "signature_mismatch", "signature",
			"does not verify with SHA1"},
		{"AccessDenied tampered path", viewerRequest{url: strings.Replace(valid, "/a.txt", "/b.txt", 1)}, 403, "AccessDenied", "signature_mismatch", "signature",
			"http://" + host1 + "/b.txt"},
		{"AccessDenied SHA256 without Hash-Algorithm", viewerRequest{url: strings.TrimSuffix(sha256URL, "&Hash-Algorithm=SHA256")}, 403, "AccessDenied", "signature_mismatch", "signature",
			"it does with SHA256, but the request does not say Hash-Algorithm=SHA256"},
		{"AccessDenied expired", viewerRequest{url: custom(keyA, base, signing.Terms{DateLessThan: testNow.Add(-42 * time.Second)})}, 403, "AccessDenied", "expired", "expiry",
			"42 s ago (server clock 2026-01-01T"},
		{"AccessDenied not yet valid", viewerRequest{url: custom(keyA, base, signing.Terms{DateGreaterThan: testNow.Add(30 * time.Minute)})}, 403, "AccessDenied", "not_yet_valid", "start",
			"(server clock "},
		{"AccessDenied IP", viewerRequest{url: custom(keyA, base, signing.Terms{IPAddress: "192.0.2.0/24"})}, 403, "AccessDenied", "ip_mismatch", "ip-address",
			"viewer address 127.0.0.1 is not in the policy's AWS:SourceIp 192.0.2.0/24"},
		{"AccessDenied resource path", viewerRequest{url: strings.Replace(wildcard, "/videos/1.ts", "/video/1.ts", 1)}, 403, "AccessDenied", "resource_mismatch", "resource",
			"the pattern's path /videos/* does not match the request's path /video/1.ts"},
		{"AccessDenied resource host", viewerRequest{url: strings.Replace(wildcard, host1+"/videos/", "cdn.example.com/videos/", 1)}, 403, "AccessDenied", "resource_mismatch", "resource",
			"the pattern's host " + host1 + " does not match the request's host cdn.example.com (compared without the port)"},
		{"AccessDenied resource query", viewerRequest{url: strings.Replace(custom(keyA, base, signing.Terms{Resource: base, IPAddress: "127.0.0.0/8"}), "?", "?v=2&", 1)}, 403, "AccessDenied", "resource_mismatch", "resource",
			"and query ?v=2 (a pattern without a trailing * or a query admits no query string)"},
		{"AccessDenied resource after normalising", viewerRequest{url: strings.Replace(normalised, "/x/y", "/x/../a.txt", 1)}, 403, "AccessDenied", "resource_mismatch", "resource",
			"the path /x/../a.txt normalises to /a.txt"},
		{"AccessDenied cookies for another resource", viewerRequest{url: h + "/b.txt", cookies: signCookies(t, keyA, h+"/a*")}, 403, "AccessDenied", "resource_mismatch", "resource",
			"the pattern's path /a* does not match the request's path /b.txt"},
		{"AccessDenied custom policy tampered", viewerRequest{url: strings.Replace(wildcard, policyOf(wildcard), signing.EncodeBase64([]byte(`{"Statement":[{"Resource":"*","Condition":{"DateLessThan":{"AWS:EpochTime":1999999999}}}]}`)), 1)}, 403, "AccessDenied", "signature_mismatch", "signature",
			"does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := explain(t, e, tc.req.explain())
			if ex.Status != tc.status || ex.Code != tc.code || ex.Reason != tc.reason {
				t.Errorf("verdict %d %q (%s), want %d %q (%s)\n%s", ex.Status, ex.Code, ex.Reason, tc.status, tc.code, tc.reason, formatChecks(ex.Checks))
			}
			if ex.Served {
				t.Error("Served is true for a refusal")
			}
			var failed []keyfront.Check
			for _, c := range ex.Checks {
				if !c.OK {
					failed = append(failed, c)
				}
			}
			if len(failed) != 1 || ex.Checks[len(ex.Checks)-1].OK {
				t.Fatalf("want exactly one failing check, the last:\n%s", formatChecks(ex.Checks))
			}
			if got := failed[0]; got.Name != tc.failing || !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("failing check %s: %s\nwant %s containing %q", got.Name, got.Detail, tc.failing, tc.detail)
			}
			if ex.Detail != failed[0].Detail {
				t.Errorf("Detail %q, want the failing check's %q", ex.Detail, failed[0].Detail)
			}
			agree(t, tc.req, ex, send(t, e, tc.req))
		})
	}
}

// TestExplainServed checks what Explain says of requests the edge passes
// on, and that the edge does serve them.
func TestExplainServed(t *testing.T) {
	e := explainEnv(t)
	h := "http://" + host1
	for _, tc := range []struct {
		name     string
		req      viewerRequest
		pattern  string
		checks   string // the names of the checks, in order
		restrict bool
	}{
		{"signed URL on the default behavior", viewerRequest{url: signURL(t, keyA, h+"/a.txt")}, "*",
			"host behavior protocol method restricted mode key-pair-id hash-algorithm policy key signature expiry origin", true},
		{"ECDSA SHA256 custom policy on an alias", viewerRequest{url: mustSign(t, signer(t, keyEC, signing.SHA256), "http://cdn.example.com/rw/x",
			signing.Terms{Resource: "http://cdn.example.com/rw/*", DateLessThan: testNow.Add(time.Hour)}), method: "PUT"}, "/rw/*",
			"host behavior protocol method restricted mode key-pair-id hash-algorithm policy key signature expiry resource origin", true},
		{"signed cookies", viewerRequest{url: h + "/b.txt?v=1", cookies: "a=b; " + signCookies(t, keyA, h+"/*")}, "*",
			"host behavior protocol method restricted mode key-pair-id hash-algorithm policy key signature expiry resource origin", true},
		{"key of the behavior's own group", viewerRequest{url: signURL(t, keyB, h+"/old/a.txt")}, "/old/*",
			"host behavior protocol method restricted mode key-pair-id hash-algorithm policy key signature expiry origin", true},
		{"TrustedSigners: a key in no group", viewerRequest{url: signLone(t, h+"/self/a.txt")}, "/self/*",
			"host behavior protocol method restricted mode key-pair-id hash-algorithm policy key signature expiry origin", true},
		{"unrestricted", viewerRequest{url: h + "/public/a.txt?Expires=1&Signature=x"}, "/public/*",
			"host behavior protocol method restricted origin", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := explain(t, e, tc.req.explain())
			if !ex.Served || ex.Status != http.StatusOK || ex.Code != "" || ex.Reason != "" {
				t.Fatalf("verdict served=%t %d %q (%s: %s), want served 200\n%s", ex.Served, ex.Status, ex.Code, ex.Reason, ex.Detail, formatChecks(ex.Checks))
			}
			var names []string
			for _, c := range ex.Checks {
				if !c.OK {
					t.Errorf("check %s failed: %s", c.Name, c.Detail)
				}
				names = append(names, c.Name)
			}
			if got := strings.Join(names, " "); got != tc.checks {
				t.Errorf("checks %s\nwant   %s", got, tc.checks)
			}
			if ex.Distribution != dist1 || ex.DomainName != host1 || ex.PathPattern != tc.pattern || ex.DefaultBehavior != (tc.pattern == "*") {
				t.Errorf("distribution %s (%s), behavior %q default=%t; want %s (%s), %q", ex.Distribution, ex.DomainName, ex.PathPattern, ex.DefaultBehavior, dist1, host1, tc.pattern)
			}
			if ex.Restricted != tc.restrict {
				t.Errorf("Restricted %t, want %t", ex.Restricted, tc.restrict)
			}
			if !ex.ServerClock || !ex.Time.Equal(testNow) {
				t.Errorf("time %s server clock %t, want the edge's clock %s", ex.Time, ex.ServerClock, testNow)
			}
			agree(t, tc.req, ex, send(t, e, tc.req))
		})
	}

	ex := explain(t, e, edge.ExplainRequest{URL: signURL(t, keyA, h+"/a.txt")})
	if got, want := strings.Join(ex.TrustedKeyGroups, ", "), "signers ("+group+")"; got != want {
		t.Errorf("TrustedKeyGroups %q, want %q", got, want)
	}
	if c := ex.Checks[1]; !strings.Contains(c.Detail, "path /a.txt matches no cache behavior's PathPattern: the default behavior (*) applies") {
		t.Errorf("behavior check: %s", c.Detail)
	}
	if c := ex.Checks[4]; !strings.Contains(c.Detail, "trusts key group signers ("+group+"); its keys: "+keyA+", "+keyEC) {
		t.Errorf("restricted check: %s", c.Detail)
	}

	// https, which this edge has no listener for: the viewer protocol
	// policies admit it.
	for _, path := range []string{"/https/a.txt", "/redirect/a.txt"} {
		u := signURL(t, keyA, "https://"+host1+path)
		if ex := explain(t, e, edge.ExplainRequest{URL: u}); !ex.Served || !strings.Contains(ex.Checks[2].Detail, "https is allowed") {
			t.Errorf("%s: served=%t %d %s\n%s", u, ex.Served, ex.Status, ex.Reason, formatChecks(ex.Checks))
		}
	}

	// A time of the caller's: the expiry is judged by it, and says so.
	later := testNow.Add(2 * time.Hour)
	ex = explain(t, e, edge.ExplainRequest{URL: signURL(t, keyA, h+"/a.txt"), Time: later})
	if ex.Served || ex.Reason != "expired" || ex.ServerClock || !ex.Time.Equal(later) || !strings.Contains(ex.Detail, "1h0m0s ago (clock ") {
		t.Errorf("with Time %s: served=%t %s %q, time %s server clock %t", later, ex.Served, ex.Reason, ex.Detail, ex.Time, ex.ServerClock)
	}
}

// TestExplainFollowsReload: Explain reads the configuration the edge
// serves with, reloaded like it.
func TestExplainFollowsReload(t *testing.T) {
	e := explainEnv(t)
	u := signURL(t, keyB, "http://"+host1+"/a.txt")
	if ex := explain(t, e, edge.ExplainRequest{URL: u}); ex.Code != "InvalidKey" {
		t.Fatalf("before: %d %s", ex.Status, ex.Code)
	}
	e.putGroupNamed(group, "signers", keyA, keyEC, keyB)
	if ex := explain(t, e, edge.ExplainRequest{URL: u}); !ex.Served {
		t.Errorf("after adding the key to the trusted group: %d %s %s", ex.Status, ex.Code, ex.Detail)
	}
}

func TestExplainInvalidRequests(t *testing.T) {
	e := explainEnv(t)
	for _, tc := range []struct {
		name string
		in   edge.ExplainRequest
		want string
	}{
		{"relative URL", edge.ExplainRequest{URL: "/a.txt"}, "must be absolute"},
		{"other scheme", edge.ExplainRequest{URL: "ftp://" + host1 + "/a"}, "must start with https:// or http://"},
		{"no host", edge.ExplainRequest{URL: "http:///a.txt"}, "has no host"},
		{"space in the path", edge.ExplainRequest{URL: "http://" + host1 + "/a b"}, "cannot be sent in a request-target"},
		{"bad method", edge.ExplainRequest{URL: "http://" + host1 + "/a", Method: "GE T"}, "is not an HTTP method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.edge.Explain(context.Background(), tc.in)
			if keyfront.ErrorCode(err) != keyfront.EINVALID || !strings.Contains(keyfront.ErrorMessage(err), tc.want) {
				t.Errorf("err %v (code %s), want EINVALID containing %q", err, keyfront.ErrorCode(err), tc.want)
			}
		})
	}
}

// TestExplainAgreesWithServeHTTP is the property the edge's tests rest
// on: for requests made by mutating valid signed URLs and cookies at
// random (fixed seed), Explain's verdict (status, code, reason) is what
// ServeHTTP, signature memo and all, actually answers.
func TestExplainAgreesWithServeHTTP(t *testing.T) {
	e := explainEnv(t)
	h := "http://" + host1
	hour := testNow.Add(time.Hour)
	sign := func(id string, alg signing.HashAlgorithm, url string, terms signing.Terms) string {
		if terms.DateLessThan.IsZero() {
			terms.DateLessThan = hour
		}
		return mustSign(t, signer(t, id, alg), url, terms)
	}
	bases := []viewerRequest{
		{url: sign(keyA, signing.SHA1, h+"/a.txt", signing.Terms{})},
		{url: sign(keyA, signing.SHA256, h+"/a.txt?v=1", signing.Terms{})},
		{url: sign(keyEC, signing.SHA256, h+"/videos/1.ts", signing.Terms{Resource: h + "/videos/*"})},
		{url: sign(keyA, signing.SHA1, h+"/rw/doc", signing.Terms{IPAddress: "127.0.0.0/8"})},
		{url: sign(keyA, signing.SHA1, h+"/rw/doc", signing.Terms{IPAddress: "192.0.2.0/24"})},
		{url: sign(keyA, signing.SHA1, h+"/a.txt", signing.Terms{DateGreaterThan: testNow.Add(-time.Minute)})},
		{url: sign(keyA, signing.SHA1, h+"/a.txt", signing.Terms{DateGreaterThan: testNow.Add(time.Minute)})},
		{url: sign(keyA, signing.SHA1, h+"/a.txt", signing.Terms{DateLessThan: testNow.Add(-time.Second)})},
		{url: sign(keyB, signing.SHA1, h+"/old/a.txt", signing.Terms{})},
		{url: sign(keyA, signing.SHA1, "http://cdn.example.com/x/y", signing.Terms{Resource: "http://cdn.example.com/x/*"})},
		{url: h + "/public/a.txt"},
		{url: signLone(t, h+"/self/a")},
		{url: sign(keyA, signing.SHA1, h+"/redirect/a.txt", signing.Terms{})},
		{url: sign(keyA, signing.SHA1, h+"/https/a.txt", signing.Terms{})},
		{url: h + "/c.txt", cookies: signCookies(t, keyA, h+"/*")},
		{url: h + "/c.txt", cookies: "theme=dark; " + signCookies(t, keyEC, h+"/c.txt")},
	}
	paths := []string{"/a.txt", "/b.txt", "/public/x", "/https/x", "/redirect/x", "/old/x", "/rw/doc", "/noorigin/x",
		"/videos/2.ts", "/self/a", "/x/../a.txt", "//a.txt", "/%2e%2e/a.txt", "/", "/healthz", "/a%zz", "/x/y"}
	hosts := []string{host1, host2, "cdn.example.com", "unknown.example", strings.ToUpper(host1), host1 + ":80", host1 + ":8080", host1 + "."}
	params := []string{"Expires", "Signature", "Key-Pair-Id", "Policy", "Hash-Algorithm"}
	keyIDs := []string{keyA, keyB, keyEC, keyLone, "KUNKNOWNKEY000", "", "%20" + keyA}
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
	b64 := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~_!%"

	rng := rand.New(rand.NewPCG(20260101, 42))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }

	// mutate applies one random change to v.
	mutate := func(v viewerRequest) viewerRequest {
		scheme, rest, _ := strings.Cut(v.url, "://")
		host, target := rest, "/"
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			host, target = rest[:i], rest[i:]
		}
		path, query, hasQuery := strings.Cut(target, "?")
		setParam := func(name, value string) {
			items := strings.Split(query, "&")
			for i, it := range items {
				if n, _, _ := strings.Cut(it, "="); n == name {
					items[i] = name + "=" + value
					query = strings.Join(items, "&")
					return
				}
			}
			if query != "" {
				query += "&"
			}
			query += name + "=" + value
			hasQuery = true
		}
		dropParam := func(name string) {
			var kept []string
			for _, it := range strings.Split(query, "&") {
				if n, _, _ := strings.Cut(it, "="); n != name {
					kept = append(kept, it)
				}
			}
			query = strings.Join(kept, "&")
		}
		switch rng.IntN(12) {
		case 0: // flip a byte of the signature
			if s := param(query, "Signature"); len(s) > 0 {
				b := []byte(s)
				b[rng.IntN(len(b))] = b64[rng.IntN(len(b64))]
				setParam("Signature", string(b))
			} else if v.cookies != "" {
				b := []byte(v.cookies)
				i := strings.Index(v.cookies, "CloudFront-Signature=") + len("CloudFront-Signature=") + rng.IntN(20)
				if i < len(b) {
					b[i] = b64[rng.IntN(len(b64)-2)]
				}
				v.cookies = string(b)
			}
		case 1: // drop a signing parameter or the cookies
			if rng.IntN(4) == 0 {
				v.cookies = ""
			}
			dropParam(pick(params))
		case 2: // another path
			path = pick(paths)
		case 3: // another host
			host = pick(hosts)
		case 4: // another expiry
			if param(query, "Expires") != "" {
				setParam("Expires", pick([]string{"1767290001", "1767293601", "1767289999", "99999999999999999999", "12x", ""}))
			} else {
				setParam("Expires", "1767293600")
			}
		case 5: // another hash algorithm
			setParam("Hash-Algorithm", pick([]string{"SHA1", "SHA256", "sha256", "MD5", ""}))
		case 6: // another key ID
			if v.cookies != "" && rng.IntN(2) == 0 {
				v.cookies += "; CloudFront-Key-Pair-Id=" + pick(keyIDs)
				v.cookies = strings.Replace(v.cookies, "CloudFront-Key-Pair-Id=", "CloudFront-Key-Pair-Id="+pick(keyIDs)+"x", 1)
			} else {
				setParam("Key-Pair-Id", pick(keyIDs))
			}
		case 7: // another method
			v.method = pick(methods)
		case 8: // an extra parameter, or a duplicate signing one
			if rng.IntN(2) == 0 {
				setParam("x", "1")
			} else {
				query = pick(params) + "=dup&" + query
				hasQuery = true
			}
		case 9: // a flipped byte anywhere in the query
			if query != "" {
				b := []byte(query)
				b[rng.IntN(len(b))] = b64[rng.IntN(len(b64))]
				query = string(b)
			}
		case 10: // the path's case or a percent-encoded byte
			if len(path) > 2 {
				path = strings.ToUpper(path[:2]) + path[2:]
			} else {
				path += "%7E"
			}
		case 11: // cookies instead of the query, or both
			if v.cookies == "" {
				v.cookies = signCookies(t, pick([]string{keyA, keyB, keyEC}), pick([]string{h + "/*", h + "/a.txt", "http://cdn.example.com/*"}))
			} else {
				v.cookies = strings.Replace(v.cookies, "CloudFront-", "Cloudfront-", 1)
			}
		}
		v.url = scheme + "://" + host + path
		if hasQuery && query != "" {
			v.url += "?" + query
		}
		return v
	}

	// The bases first, so that the memo holds their credentials when
	// mutated copies arrive.
	cases := append([]viewerRequest(nil), bases...)
	for range 400 {
		v := bases[rng.IntN(len(bases))]
		for range 1 + rng.IntN(3) {
			v = mutate(v)
		}
		cases = append(cases, v)
	}
	verdicts := map[string]int{}
	for _, v := range cases {
		ex, err := e.edge.Explain(context.Background(), v.explain())
		if err != nil {
			t.Fatalf("Explain(%s %s): %v", v.method, v.url, err)
		}
		agree(t, v, ex, send(t, e, v))
		verdicts[fmt.Sprintf("%d %s %s", ex.Status, ex.Code, ex.Reason)]++
	}
	// The mutations must reach the edge's many answers, or the property
	// says little.
	for _, want := range []string{"200  ", "403  unknown_host", "403  method_not_allowed", "403 MissingKey key_id_missing",
		"403 InvalidKey key_unknown", "403 AccessDenied signature_mismatch", "403 MalformedPolicy hash_alg_unsupported", "301  redirect_to_https"} {
		if verdicts[want] == 0 {
			t.Errorf("no case produced %q; verdicts: %v", want, verdicts)
		}
	}
	t.Logf("%d cases, verdicts: %v", len(cases), verdicts)
}
