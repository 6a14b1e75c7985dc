package edge_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"keyfront/edge"
	"keyfront/signing"
)

// The viewer address is the TCP peer, or with a trusted proxy the
// right-most X-Forwarded-For hop outside the trusted prefixes
// (signed-urls.md §8, DESIGN.md). An IP-restricted policy sees it.
func TestViewerAddress(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		xff     []string
		wantIP  string // c-ip in the access log
		allowed bool   // policy restricted to 198.51.100.0/24
	}{
		{name: "no proxies: XFF ignored", xff: []string{"198.51.100.7"}, wantIP: "127.0.0.1"},
		{name: "trusted proxy", trusted: []string{"127.0.0.0/8"}, xff: []string{"198.51.100.7"}, wantIP: "198.51.100.7", allowed: true},
		{name: "spoofed left hop", trusted: []string{"127.0.0.0/8"}, xff: []string{"198.51.100.7, 203.0.113.5"}, wantIP: "203.0.113.5"},
		{name: "chain of trusted proxies", trusted: []string{"127.0.0.0/8", "10.0.0.0/8"}, xff: []string{"203.0.113.5, 198.51.100.7, 10.1.1.1"}, wantIP: "198.51.100.7", allowed: true},
		{name: "several header lines", trusted: []string{"127.0.0.0/8", "10.0.0.0/8"}, xff: []string{"198.51.100.9", "10.0.0.1"}, wantIP: "198.51.100.9", allowed: true},
		{name: "garbage hop stops the walk", trusted: []string{"127.0.0.0/8", "10.0.0.0/8"}, xff: []string{"198.51.100.7, junk, 10.0.0.2"}, wantIP: "10.0.0.2"},
		{name: "hop with port", trusted: []string{"127.0.0.0/8"}, xff: []string{"198.51.100.8:4711"}, wantIP: "198.51.100.8", allowed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withConfig(func(c *edge.Config) {
				for _, p := range tc.trusted {
					c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
				}
			}))
			e.basicSetup(func(d *dist) { d.Default.CachePolicy = cachingDisabled })
			e.origin.put("/a.txt", "secret")
			url := mustSign(t, signer(t, keyA, signing.SHA1), "http://"+host1+"/a.txt", signing.Terms{
				DateLessThan: testNow.Add(time.Hour), IPAddress: "198.51.100.0/24"})
			var h []string
			for _, x := range tc.xff {
				h = append(h, "X-Forwarded-For", x)
			}
			for range 2 { // the second check comes from the memo
				resp, body := e.get(url, h...)
				if tc.allowed && resp.StatusCode != 200 {
					t.Fatalf("status %d, want 200", resp.StatusCode)
				}
				if !tc.allowed {
					checkRejection(t, resp, body, "AccessDenied")
				}
			}
			lines := logLines(t, e.alog.String())
			if got := lines[len(lines)-1][4]; got != tc.wantIP {
				t.Errorf("c-ip %q, want %q", got, tc.wantIP)
			}
			if tc.allowed {
				got := e.origin.last(t).Header.Get("X-Forwarded-For")
				want := strings.Join(tc.xff, ", ") + ", 127.0.0.1"
				if got != want {
					t.Errorf("origin X-Forwarded-For %q, want %q", got, want)
				}
			}
		})
	}
}

// logLines returns the access log's records split into fields, checking
// the header.
func logLines(t *testing.T, log string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) < 2 || lines[0] != "#Version: 1.0" || !strings.HasPrefix(lines[1], "#Fields: date time ") {
		t.Fatalf("access log header:\n%s", log)
	}
	var out [][]string
	for _, l := range lines[2:] {
		f := strings.Split(l, "\t")
		if len(f) != 33 {
			t.Fatalf("%d fields, want 33: %q", len(f), l)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatal("no access log records")
	}
	return out
}
