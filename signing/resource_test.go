package signing_test

import (
	"strings"
	"testing"

	"keyfront/signing"
)

// §6: resource matching by sections.
func TestMatchResource(t *testing.T) {
	const cf = "d111111abcdef8.cloudfront.net"
	tests := []struct {
		name    string
		pattern string
		scheme  string
		host    string
		path    string
		query   string
		want    bool
	}{
		// Examples that MUST hold [DG-custom; cli-vec].
		{"DG *game_download.zip*: bare", "https://" + cf + "/*game_download.zip*", "https", cf, "/game_download.zip", "", true},
		{"DG *game_download.zip*: prefix and query", "https://" + cf + "/*game_download.zip*", "https", cf, "/example_game_download.zip", "license=yes", true},
		{"DG *game_download.zip*: other prefix and query", "https://" + cf + "/*game_download.zip*", "https", cf, "/test_game_download.zip", "license=temp", true},
		{"DG *game_download.zip*: other file", "https://" + cf + "/*game_download.zip*", "https", cf, "/game_download.tar", "", false},
		{"DG hello*world vs example.net", "https://www.example.com/hello*world", "https", "www.example.net", "/hello", "world", false},
		{"hello*world vs ?world on the right host", "https://www.example.com/hello*world", "https", "www.example.com", "/hello", "world", false},
		{"hello*world matches across /", "https://www.example.com/hello*world", "https", "www.example.com", "/hello/big/world", "", true},
		{"https://* requires https", "https://*", "http", cf, "/a", "", false},
		{"https://* admits every https URL", "https://*", "https", "anything.example", "/a/b", "c=d", true},
		{"cli-vec images/*", "https://" + cf + "/images/*", "https", cf, "/images/photo1.jpg", "", true},
		{"images/* not other directory", "https://" + cf + "/images/*", "https", cf, "/image/photo1.jpg", "", false},
		{"exact resource does not admit a query", "https://" + cf + "/video.mp4", "https", cf, "/video.mp4", "x=1", false},
		{"exact resource", "https://" + cf + "/video.mp4", "https", cf, "/video.mp4", "", true},

		// (a) a trailing '*' in the path implies any query.
		{"(a) trailing * admits a query", "https://h/hello*", "https", "h", "/hello", "a=1&b=2", true},
		{"(a) trailing * admits a deeper path and query", "https://h/hello*", "https", "h", "/hello/world", "x", true},
		{"(a) no trailing *: no query", "https://h/hello*x", "https", "h", "/hellox", "a=1", false},
		// (b) a trailing '*' in the domain implies any path and query.
		{"(b) example.com*", "http://example.com*", "http", "example.com", "/any/path", "q=1", true},
		{"(b) example.com* extends the name", "http://example.com*", "http", "example.com.example.net", "/", "", true},
		{"(b) example.com* other domain", "http://example.com*", "http", "example.net", "/", "", false},
		{"http://* admits every http URL", "http://*", "http", "h.example", "/a", "b", true},
		{"http://* refuses https", "http://*", "https", "h.example", "/a", "", false},
		{"no path: only /", "https://h", "https", "h", "/", "", true},
		{"no path: not /a", "https://h", "https", "h", "/a", "", false},
		{"no path: not a query", "https://h", "https", "h", "/", "x=1", false},
		// (c) the protocol may be omitted when the pattern starts with '*'.
		{"(c) *example.com http", "*example.com", "http", "www.example.com", "/", "", true},
		{"(c) *example.com https", "*example.com", "https", "example.com", "/", "", true},
		{"(c) *example.com only /", "*example.com", "https", "example.com", "/a", "", false},
		{"(c) *example.com not a suffix", "*example.com", "https", "example.com.evil.net", "/", "", false},
		{"(c) *example.com/*", "*example.com/*", "https", "cdn.example.com", "/a/b", "c=1", true},
		{"(c) *example.com/* other domain", "*example.com/*", "https", "example.org", "/a", "", false},
		{"no protocol, no leading *", "example.com/*", "https", "example.com", "/a", "", false},
		{"empty pattern", "", "https", "h", "/", "", false},
		// (d) "*" matches every URL.
		{"(d) *", "*", "http", "anything", "/x%20y", "a=b", true},

		// Wildcards stay in their section.
		{"* in the domain does not reach into the path", "https://*/a", "https", "h", "/x/a", "", false},
		{"* in the domain", "https://*.example.com/a", "https", "cdn.example.com", "/a", "", true},
		{"* in the domain needs its dot", "https://*.example.com/a", "https", "example.com", "/a", "", false},
		{"? is one byte in the domain", "https://d11111?abcdef8.cloudfront.net/a", "https", cf, "/a", "", true},
		{"? is exactly one byte", "https://h/a?c", "https", "h", "/abbc", "", false},
		{"* in the path does not reach into the query", "https://h/*x", "https", "h", "/a", "x", false},
		{"* in the protocol", "http*://h/a", "https", "h", "/a", "", true},
		{"* in the protocol, http", "http*://h/a", "http", "h", "/a", "", true},
		{"*:// any protocol", "*://h/a", "http", "h", "/a", "", true},

		// The escaped \? (2023 docs) splits path and query.
		{`\? exact query`, `https://h/horizon.jpg\?size=large&license=yes`, "https", "h", "/horizon.jpg", "size=large&license=yes", true},
		{`\? other query`, `https://h/horizon.jpg\?size=large&license=yes`, "https", "h", "/horizon.jpg", "size=small&license=yes", false},
		{`\? no query`, `https://h/horizon.jpg\?size=large`, "https", "h", "/horizon.jpg", "", false},
		{`\? empty query pattern`, `https://h/a\?`, "https", "h", "/a", "", true},
		{`\? empty query pattern refuses a query`, `https://h/a\?`, "https", "h", "/a", "x", false},
		{`\?* admits no query`, `https://h/a\?*`, "https", "h", "/a", "", true},
		{`\?* admits any query`, `https://h/a\?*`, "https", "h", "/a", "x=1", true},
		{`\? with ? wildcard in the path`, `https://h/a?c\?x=1`, "https", "h", "/abc", "x=1", true},
		{`\? with * in the query`, `https://h/a\?x=*`, "https", "h", "/a", "x=1&y=2", true},
		{`\? path * does not imply a query`, `https://h/a*\?x=1`, "https", "h", "/ab", "y=1", false},

		// An unescaped '?' is read both ways.
		{"? as the query delimiter", "https://h/horizon.jpg?size=large", "https", "h", "/horizon.jpg", "size=large", true},
		{"? as a one-byte wildcard", "https://h/horizon.jpg?size=large", "https", "h", "/horizon.jpgXsize=large", "", true},
		{"? neither reading", "https://h/a?b", "https", "h", "/a", "c", false},
		{"? delimiter with * query", "https://h/a?*", "https", "h", "/a", "x=1", true},
		{"? delimiter, empty query", "https://h/a?*", "https", "h", "/a", "", true},
		{"second ? as the delimiter", "https://h/a?b?c", "https", "h", "/aXb", "c", true},
		{"first ? as the delimiter", "https://h/a?b?c", "https", "h", "/a", "bXc", true},

		// Case: protocol and domain fold, path and query do not.
		{"protocol case-insensitive", "HTTPS://h/a", "https", "h", "/a", "", true},
		{"request scheme case-insensitive", "https://h/a", "HTTPS", "h", "/a", "", true},
		{"domain case-insensitive", "https://CDN.Example.COM/a", "https", "cdn.example.com", "/a", "", true},
		{"Host case-insensitive", "https://cdn.example.com/a", "https", "CDN.EXAMPLE.COM", "/a", "", true},
		{"path case-sensitive", "https://h/A", "https", "h", "/a", "", false},
		{"query case-sensitive", `https://h/a\?X=1`, "https", "h", "/a", "x=1", false},
		{"path compared raw: %20 vs +", "https://h/a%20b", "https", "h", "/a+b", "", false},
		{"path compared raw: %20", "https://h/a%20b", "https", "h", "/a%20b", "", true},
		{"path compared raw: %2a is not *", "https://h/a%2A", "https", "h", "/ab", "", false},

		// Ports (§6 choice).
		{"pattern without port ignores the Host port", "https://h/a", "https", "h:8443", "/a", "", true},
		{"pattern without port, default port", "https://h/a", "https", "h:443", "/a", "", true},
		{"pattern with port, same port", "https://h:8443/a", "https", "h:8443", "/a", "", true},
		{"pattern with port, no port", "https://h:8443/a", "https", "h", "/a", "", false},
		{"pattern with port, other port", "https://h:8443/a", "https", "h:9443", "/a", "", false},
		{"pattern with port wildcard", "https://h:*/a", "https", "h:8443", "/a", "", true},
		{"pattern with :443, :443 sent", "https://h:443/a", "https", "h:443", "/a", "", true},
		{"pattern with :443, no port sent", "https://h:443/a", "https", "h", "/a", "", false},
		{"IPv6 literal, port sent", "https://[2001:db8::1]/a", "https", "[2001:db8::1]:443", "/a", "", true},
		{"IPv6 literal, no port", "https://[2001:db8::1]/a", "https", "[2001:db8::1]", "/a", "", true},
		{"IPv6 literal with port", "https://[2001:db8::1]:8443/a", "https", "[2001:db8::1]:8443", "/a", "", true},
		{"IPv6 literal with port, other port", "https://[2001:db8::1]:8443/a", "https", "[2001:db8::1]:9443", "/a", "", false},

		// P4: only its literal.
		{"P4 literal", `https://example.com/file","Resource":"*","x":"`, "https", "example.com", `/file","Resource":"*","x":"`, "", true},
		{"P4 other file", `https://example.com/file","Resource":"*","x":"`, "https", "example.com", "/file", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signing.MatchResource(tt.pattern, tt.scheme, tt.host, tt.path, tt.query); got != tt.want {
				t.Errorf("MatchResource(%q, %s, %s, %q, %q) = %v, want %v", tt.pattern, tt.scheme, tt.host, tt.path, tt.query, got, tt.want)
			}
		})
	}
}

// §6: at most 16 path/query readings are tried, so a pattern full of '?'
// cannot make matching expensive. The whole-path reading is the first; the
// split at the k-th '?' is reading k+1.
func TestMatchResourceCandidateCap(t *testing.T) {
	// Tail "/" + 20×'?' + "Q": split at the k-th '?' needs a path of k
	// bytes and a query of 20-k bytes and "Q".
	pattern := "https://h/" + strings.Repeat("?", 20) + "Q"
	for k, want := range map[int]bool{1: true, 14: true, 15: true, 16: false, 17: false, 20: false} {
		path := "/" + strings.Repeat("a", k-1)
		query := strings.Repeat("b", 20-k) + "Q"
		if got := signing.MatchResource(pattern, "https", "h", path, query); got != want {
			t.Errorf("split at '?' #%d: MatchResource = %v, want %v", k, got, want)
		}
	}
	// The whole-path reading is always tried.
	if !signing.MatchResource(pattern, "https", "h", "/"+strings.Repeat("a", 20)+"Q", "") {
		t.Error("whole-path reading not tried")
	}
}

// Pathological patterns complete (the matcher backtracks only to the last
// '*'); no timing is asserted.
func TestMatchResourcePathological(t *testing.T) {
	long := strings.Repeat("a", 20000)
	tests := []struct {
		name    string
		pattern string
		path    string
		want    bool
	}{
		{"*a*a…b vs a…a", "https://h/" + strings.Repeat("*a", 200) + "*b", "/" + long, false},
		{"*a*a…a vs a…a", "https://h/" + strings.Repeat("*a", 200), "/" + long, true},
		{"*?*?… vs a…a", "https://h/" + strings.Repeat("*?", 200) + "*b", "/" + long, false},
		{"many stars", "https://h/" + strings.Repeat("*", 5000) + "b", "/" + long, false},
		{"many ? and stars", "https://h/*" + strings.Repeat("?*", 15) + strings.Repeat("a", 100) + "b", "/" + long, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signing.MatchResource(tt.pattern, "https", "h", tt.path, ""); got != tt.want {
				t.Errorf("MatchResource = %v, want %v", got, tt.want)
			}
		})
	}
}
