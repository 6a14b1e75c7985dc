package signing_test

import (
	"strings"
	"testing"

	"keyfront/signing"
)

func TestSplitURL(t *testing.T) {
	tests := []struct {
		name, raw                     string
		scheme, host, uri, wantErrHas string
	}{
		{"path and query kept raw", "https://d1.example.net:8443/a%20b/c.ts?x=1&Signature=a~b_", "https", "d1.example.net:8443", "/a%20b/c.ts?x=1&Signature=a~b_", ""},
		{"no path", "http://h.example", "http", "h.example", "/", ""},
		{"query without path", "http://h.example?q=1", "http", "h.example", "/?q=1", ""},
		{"fragment dropped, userinfo removed", "HTTPS://u:p@h.example/x#frag", "https", "h.example", "/x", ""},
		{"relative", "/x", "", "", "", "must be absolute"},
		{"other scheme", "ftp://h/x", "", "", "", "https:// or http://"},
		{"no host", "https:///x", "", "", "", "no host"},
		{"space in host", "https://h x/", "", "", "", "not a valid Host"},
		{"space in path", "https://h/a b", "", "", "", "percent-encode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scheme, host, uri, err := signing.SplitURL(tt.raw)
			if tt.wantErrHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrHas) {
					t.Fatalf("SplitURL(%q) error = %v, want one containing %q", tt.raw, err, tt.wantErrHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if scheme != tt.scheme || host != tt.host || uri != tt.uri {
				t.Errorf("SplitURL(%q) = %q %q %q, want %q %q %q", tt.raw, scheme, host, uri, tt.scheme, tt.host, tt.uri)
			}
		})
	}
}
