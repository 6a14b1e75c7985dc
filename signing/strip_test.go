package signing_test

import (
	"strings"
	"testing"

	"keyfront/signing"
)

// §2.3: any of the five names, exactly, after percent-decoding.
func TestHasSigningParams(t *testing.T) {
	tests := []struct {
		query string
		want  bool
	}{
		{"", false},
		{"a=1&b=2", false},
		{"Expires=1", true},
		{"Policy=", true},
		{"a=1&Signature", true},
		{"Key-Pair-Id=K", true},
		{"Hash-Algorithm=SHA256", true},
		{"x=1&&Expires", true},
		{"%45xpires=1", true},
		{"Key%2DPair%2DId=K", true},
		{"expires=1", false},
		{"EXPIRES=1", false},
		{"Expires2=1", false},
		{"XExpires=1", false},
		{"a=Expires", false},
		{"a=1;Expires=2", false},
		{"CloudFront-Expires=1", false},
		{"Expires+=1", false},
		{"Expires%20=1", false},
		{"%%45xpires=1", false},
	}
	for _, tt := range tests {
		if got := signing.HasSigningParams(tt.query); got != tt.want {
			t.Errorf("HasSigningParams(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// §5, §13: every occurrence removed, the rest in order and original bytes.
func TestStripQuery(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"empty", "", ""},
		{"no signing params", "b=2&a=1", "b=2&a=1"},
		{"no signing params, bytes untouched", "a=%7e&&b=+&", "a=%7e&&b=+&"},
		{"only signing params", "Expires=1&Signature=x&Key-Pair-Id=K", ""},
		{"all five", "Expires=1&Policy=p&Signature=x&Key-Pair-Id=K&Hash-Algorithm=SHA256", ""},
		{"params last", "b=2&a=1&Expires=1&Signature=x&Key-Pair-Id=K", "b=2&a=1"},
		{"params first", "Expires=1&Signature=x&Key-Pair-Id=K&b=2&a=1", "b=2&a=1"},
		{"interleaved, order kept", "z=1&Expires=1&y=2&Signature=x&x=3&Key-Pair-Id=K&w=4", "z=1&y=2&x=3&w=4"},
		{"duplicates all removed", "Signature=a&x=1&Signature=b&Signature", "x=1"},
		{"names without =", "Expires&a", "a"},
		{"percent-encoded name removed", "%53ignature=x&a=1", "a=1"},
		{"value bytes kept", "a=%2F%2f+%20&Expires=1&b=%", "a=%2F%2f+%20&b=%"},
		{"case-sensitive names kept", "expires=1&Expires=2", "expires=1"},
		{"leading empty item kept", "&a=1&Expires=1", "&a=1"},
		{"empty item in the middle kept", "a=1&&b=2&Expires=1", "a=1&&b=2"},
		{"trailing empty item kept", "a=1&Expires=1&", "a=1&"},
		{"empty items only", "&&Expires=1", "&"},
		{"cookie names are not query params", "CloudFront-Signature=x&Signature=y", "CloudFront-Signature=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signing.StripQuery(tt.query); got != tt.want {
				t.Errorf("StripQuery(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

// §13: the five CloudFront-* signing cookies never reach the origin.
func TestStripCookies(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"empty", "", ""},
		{"no signing cookies", "a=1; b=2", "a=1; b=2"},
		{"no signing cookies, bytes untouched", "a=1;b=2;  c", "a=1;b=2;  c"},
		{"only signing cookies", "CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K", ""},
		{"all five", "CloudFront-Expires=1; CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K; CloudFront-Hash-Algorithm=SHA256", ""},
		{"mixed, order kept", "z=1; CloudFront-Signature=s; y=2; CloudFront-Key-Pair-Id=K; x=3", "z=1; y=2; x=3"},
		{"no spaces", "a=1;CloudFront-Signature=s;b=2", "a=1; b=2"},
		{"duplicates removed", "CloudFront-Signature=a; a=1; CloudFront-Signature=b", "a=1"},
		{"other CloudFront- cookies kept", "CloudFront-Other=1; CloudFront-Signature=s", "CloudFront-Other=1"},
		{"names case-sensitive", "cloudfront-signature=1; CloudFront-Signature=s", "cloudfront-signature=1"},
		{"value naming a signing cookie kept", "a=CloudFront-Signature; CloudFront-Expires=1", "a=CloudFront-Signature"},
		{"empty parts dropped", "; a=1;; CloudFront-Expires=1;", "a=1"},
		{"URL parameter names are not signing cookies", "Signature=x; CloudFront-Signature=y", "Signature=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := signing.StripCookies(tt.header); got != tt.want {
				t.Errorf("StripCookies(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

// StripQuery agrees with a plain split-filter-join on every sequence of up
// to five items drawn from kept and signing items, whether or not the kept
// items are adjacent.
func TestStripQueryExhaustive(t *testing.T) {
	items := []string{"", "a=1", "b", "Expires=1", "%53ignature=x", "Key-Pair-Id", "Hash-Algorithm="}
	signingItem := map[string]bool{"Expires=1": true, "%53ignature=x": true, "Key-Pair-Id": true, "Hash-Algorithm=": true}
	var walk func(seq []string)
	walk = func(seq []string) {
		if len(seq) > 0 {
			var kept []string
			for _, it := range seq {
				if !signingItem[it] {
					kept = append(kept, it)
				}
			}
			q := strings.Join(seq, "&")
			if got, want := signing.StripQuery(q), strings.Join(kept, "&"); got != want {
				t.Fatalf("StripQuery(%q) = %q, want %q", q, got, want)
			}
		}
		if len(seq) == 5 {
			return
		}
		for _, it := range items {
			walk(append(seq, it))
		}
	}
	walk(nil)
}
