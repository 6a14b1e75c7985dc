package edge_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"keyfront"
	"keyfront/edge"
)

// logRecords decodes the JSON log lines written so far whose message
// contains substr.
func logRecords(tb testing.TB, log *syncBuffer, substr string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			tb.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if msg, _ := rec["msg"].(string); strings.Contains(msg, substr) {
			out = append(out, rec)
		}
	}
	return out
}

// withJSONLog sends the edge's log, from Info up, to buf as JSON lines.
func withJSONLog(buf *syncBuffer) envOption {
	return withConfig(func(c *edge.Config) { c.Logger = slog.New(slog.NewJSONHandler(buf, nil)) })
}

const refusedHost = `refused with 403 "Bad request."`

func TestUnknownHostLog(t *testing.T) {
	log := &syncBuffer{}
	e := routingEnv(t, withJSONLog(log))
	e.putDist("EDISABLED00001", dist{Domain: "d2222222222222.cloudfront.localhost", Disabled: true,
		Origins: []orig{e.customOrigin("o")}, Default: beh{Target: "o"}})
	// routingEnv's distribution, its aliases lower-cased; never the
	// disabled one's name.
	const known = "cdn.example.com, d111111abcdef8.cloudfront.localhost, media.example.com"
	for _, tc := range []struct {
		name, host string
		want       map[string]any // attributes of the log line
		wantMsg    string
	}{
		{"the listener's address", "127.0.0.1:7080",
			map[string]any{"level": "INFO", "host": "127.0.0.1:7080", "known_hosts": known, "known_count": 3.0,
				"hint": "hosts are matched without the port: try http://cdn.example.com:7080/a.txt"},
			"no distribution has this Host"},
		{"a name no distribution has", "www.example.org",
			map[string]any{"host": "www.example.org", "known_hosts": known, "known_count": 3.0,
				"hint": "hosts are matched without the port: try http://cdn.example.com/a.txt"},
			"no distribution has this Host"},
		{"an IPv6 literal", "[::1]:7080",
			map[string]any{"host": "[::1]:7080", "hint": "hosts are matched without the port: try http://cdn.example.com:7080/a.txt"},
			"no distribution has this Host"},
		{"a disabled distribution", "d2222222222222.cloudfront.localhost:7080",
			map[string]any{"host": "d2222222222222.cloudfront.localhost:7080", "distribution": "EDISABLED00001", "known_hosts": known},
			"the distribution with this Host is disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(logRecords(t, log, refusedHost))
			resp, body := e.get("http://"+host1+"/a.txt?Signature=secret", "Host", tc.host)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "\nBad request.\n") {
				t.Fatalf("status %d, body:\n%s", resp.StatusCode, body)
			}
			recs := logRecords(t, log, refusedHost)
			if got, want := len(recs)-before, 1; got != want {
				t.Fatalf("%d log lines, want %d:\n%s", got, want, log)
			}
			rec := recs[len(recs)-1]
			if msg := rec["msg"].(string); !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("msg %q lacks %q", msg, tc.wantMsg)
			}
			for k, want := range tc.want {
				if got := rec[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if got, want := rec["request_id"], resp.Header.Get("X-Amz-Cf-Id"); got != want {
				t.Errorf("request_id = %v, want %v", got, want)
			}
		})
	}
	if strings.Contains(log.String(), "secret") {
		t.Errorf("the log holds a query value:\n%s", log)
	}
}

func TestUnknownHostLogWithoutDistributions(t *testing.T) {
	log := &syncBuffer{}
	e := newEnv(t, withJSONLog(log))
	e.get("http://127.0.0.1/x")
	recs := logRecords(t, log, refusedHost)
	if len(recs) != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", len(recs), log)
	}
	if got, want := recs[0]["known_hosts"], "none"; got != want {
		t.Errorf("known_hosts = %v, want %v", got, want)
	}
	if hint, _ := recs[0]["hint"].(string); !strings.Contains(hint, "no distribution is enabled") {
		t.Errorf("hint = %q", hint)
	}
}

func TestUnknownHostLogNamesAFewOfManyHosts(t *testing.T) {
	log := &syncBuffer{}
	e := newEnv(t, withJSONLog(log))
	for i := range 8 {
		e.putDist(keyfront.DistributionID(fmt.Sprintf("EMANY%09d", i)), dist{Domain: fmt.Sprintf("d%013d.cloudfront.localhost", i),
			Origins: []orig{e.customOrigin("o")}, Default: beh{Target: "o"}})
	}
	e.get("http://unknown.example.com/")
	recs := logRecords(t, log, refusedHost)
	if len(recs) != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", len(recs), log)
	}
	if got, want := recs[0]["known_count"], 8.0; got != want {
		t.Errorf("known_count = %v, want %v", got, want)
	}
	got, _ := recs[0]["known_hosts"].(string)
	if want := "d0000000000000.cloudfront.localhost, "; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " and 3 more") {
		t.Errorf("known_hosts = %q, want the first five sorted names and \" and 3 more\"", got)
	}
}

func TestUnknownHostLogIsRateLimited(t *testing.T) {
	log := &syncBuffer{}
	e := routingEnv(t, withJSONLog(log))
	const n = 40
	requests := 0
	get := func(host string) {
		t.Helper()
		resp, _ := e.get("http://"+host1+"/", "Host", host)
		requests++
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("Host %s: status %d, want 403", host, resp.StatusCode)
		}
	}

	// One Host, many requests: one line.
	for range n {
		get("127.0.0.1:7080")
	}
	if got, want := len(logRecords(t, log, refusedHost)), 1; got != want {
		t.Errorf("%d requests for one unknown Host logged %d lines, want %d", n, got, want)
	}

	// A scanner trying many names: a bounded number of lines, well below
	// one per name.
	for i := range n {
		get(fmt.Sprintf("scan%d.example.com", i))
	}
	lines := len(logRecords(t, log, refusedHost))
	if lines < 3 || lines > n/2 {
		t.Errorf("%d requests for distinct unknown Hosts: %d lines in all, want a few and at most %d", n, lines, n/2)
	}

	// A minute later the Host is logged again. Every refusal is either a
	// line or counted in a later line's "unlogged".
	e.clock.advance(time.Minute)
	get("127.0.0.1:7080")
	recs := logRecords(t, log, refusedHost)
	if got, want := len(recs), lines+1; got != want {
		t.Fatalf("a minute later: %d lines, want %d", got, want)
	}
	accounted := len(recs)
	for _, rec := range recs {
		if n, ok := rec["unlogged"].(float64); ok {
			accounted += int(n)
		}
	}
	if accounted != requests {
		t.Errorf("lines and their unlogged counts account for %d refusals, want %d", accounted, requests)
	}
	if _, ok := recs[len(recs)-1]["unlogged"]; !ok {
		t.Errorf("the line after the limit lacks the unlogged count: %v", recs[len(recs)-1])
	}
}

func TestUnknownHostLogTruncatesLongHosts(t *testing.T) {
	log := &syncBuffer{}
	e := routingEnv(t, withJSONLog(log))
	// Under the 8,192-byte URL limit, which counts the Host too.
	long := strings.Repeat("a", 6000) + ".example.com"
	e.get("http://"+host1+"/", "Host", long)
	recs := logRecords(t, log, refusedHost)
	if len(recs) != 1 {
		t.Fatalf("%d log lines, want 1", len(recs))
	}
	if got, _ := recs[0]["host"].(string); len(got) > 300 || !strings.HasPrefix(got, "aaaa") {
		t.Errorf("logged host is %d bytes, want it cut to a few hundred", len(got))
	}
}

// httpsEnv is one distribution on host1 whose default behavior redirects
// http to https and whose /secure/* behavior accepts https only.
func httpsEnv(t *testing.T, opts ...envOption) *env {
	e := newEnv(t, opts...)
	e.putDist(dist1, httpsDist(e))
	return e
}

func httpsDist(e *env) dist {
	return dist{
		Domain:    host1,
		Origins:   []orig{e.customOrigin("o")},
		Default:   beh{Target: "o", CachePolicy: cachingDisabled, ViewerPolicy: "redirect-to-https"},
		Behaviors: []beh{{Pattern: "/secure/*", Target: "o", CachePolicy: cachingDisabled, ViewerPolicy: "https-only"}},
	}
}

const noTLSWarning = "no TLS listener"

func TestHTTPSWithoutTLSListenerWarnsAtLoad(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       func(*edge.Config)
		wantLines int
	}{
		{"no TLS listener", func(*edge.Config) {}, 1},
		{"TLS listener on 8443", func(c *edge.Config) { c.HTTPSPort = 8443 }, 0},
		{"TLS listener on 443", func(c *edge.Config) { c.HTTPSPort = 443 }, 0},
		{"behind a trusted TLS terminator", func(c *edge.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := &syncBuffer{}
			e := httpsEnv(t, withJSONLog(log), withConfig(tc.cfg))
			recs := logRecords(t, log, noTLSWarning)
			if len(recs) != tc.wantLines {
				t.Fatalf("%d warnings, want %d:\n%s", len(recs), tc.wantLines, log)
			}
			if tc.wantLines == 0 {
				return
			}
			rec := recs[0]
			for k, want := range map[string]any{"level": "WARN", "distribution": string(dist1),
				"behaviors": "/secure/* https-only, default (*) redirect-to-https"} {
				if got := rec[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if fix, _ := rec["fix"].(string); !strings.Contains(fix, "--edge-tls-addr") {
				t.Errorf("fix = %q, want it to name --edge-tls-addr", fix)
			}

			// Requests and reloads that change nothing log nothing more.
			for range 5 {
				e.get("http://" + host1 + "/a.txt")
				e.get("http://" + host1 + "/secure/a.txt")
				if err := e.edge.Reload(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(logRecords(t, log, noTLSWarning)); got != 1 {
				t.Errorf("after requests and reloads: %d warnings, want still 1", got)
			}
			// A new configuration of the distribution is warned about
			// again; another distribution's change is not.
			e.putDist(dist1, httpsDist(e))
			e.putDist("EOTHER00000001", dist{Domain: "d3333333333333.cloudfront.localhost",
				Origins: []orig{e.customOrigin("o")}, Default: beh{Target: "o"}})
			if got := len(logRecords(t, log, noTLSWarning)); got != 2 {
				t.Errorf("after an update: %d warnings, want 2", got)
			}
		})
	}
}

func TestRedirectLocation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		httpsPort int
		host      string // Host header of the http request
		target    string
		want      string
	}{
		{"no TLS listener: https on 443", 0, host1 + ":7080", "/a%20b.txt?x=1&y=%2F", "https://" + host1 + "/a%20b.txt?x=1&y=%2F"},
		{"TLS listener on 443", 443, host1 + ":7080", "/a.txt?x=1", "https://" + host1 + "/a.txt?x=1"},
		{"TLS listener on 8443", 8443, host1 + ":7080", "/a%20b.txt?x=1&y=%2F", "https://" + host1 + ":8443/a%20b.txt?x=1&y=%2F"},
		{"TLS listener on 8443, Host without port", 8443, host1, "/dir/", "https://" + host1 + ":8443/dir/"},
		{"no query", 8443, strings.ToUpper(host1) + ":80", "/a.txt", "https://" + strings.ToUpper(host1) + ":8443/a.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := httpsEnv(t, withConfig(func(c *edge.Config) { c.HTTPSPort = tc.httpsPort }))
			resp, body := e.get("http://"+host1+tc.target, "Host", tc.host)
			if resp.StatusCode != http.StatusMovedPermanently {
				t.Fatalf("status %d, want 301\n%s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Location"); got != tc.want {
				t.Errorf("Location %q, want %q", got, tc.want)
			}
			if n := e.origin.count(); n != 0 {
				t.Errorf("the origin got %d requests", n)
			}
		})
	}
}
