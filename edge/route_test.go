package edge_test

import (
	"testing"

	"keyfront/edge"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"/a/b.txt", "/a/b.txt"},
		{"/a//b", "/a/b"},
		{"//a", "/a"},
		{"/a/./b", "/a/b"},
		{"/a/../b", "/b"},
		{"/../../a", "/a"},
		{"/a/..", "/"},
		{"/a/b/..", "/a/"},
		{"/a/.", "/a/"},
		{"/a/", "/a/"},
		{"/a/%2e%2e/b", "/b"},
		{"/a/%2E./b", "/b"},
		{"/a%2Fb", "/a/b"},
		{"/a%2f..%2fb", "/b"},
		{"/%61%62c", "/abc"},
		{"/a%20b", "/a%20b"},
		{"/a%3fb", "/a%3Fb"},
		{"/caf\xc3\xa9", "/caf%C3%A9"},
		{"/a b", "/a%20b"},
		{"/100%", "/100%25"},
		{"/.hidden/x", "/.hidden/x"},
		{"/a/...", "/a/..."},
		{"/a/..b", "/a/..b"},
		{"/~user/%7Euser", "/~user/~user"},
		{"no-slash", "/no-slash"},
	} {
		if got := edge.NormalizePath(tc.in); got != tc.want {
			t.Errorf("normalizePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMatchPathPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"*", "/anything/at/all", true},
		{"images/*", "/images/a.jpg", true},
		{"/images/*", "/images/a/b.jpg", true},
		{"/images/*", "/images", false},
		{"/images/*", "/Images/a.jpg", false},
		{"*.jpg", "/a/b/c.jpg", true},
		{"*.jpg", "/a/b/c.jpeg", false},
		{"/a?c", "/abc", true},
		{"/a?c", "/ac", false},
		{"/a?c", "/abbc", false},
		{"/a*b*c", "/axxbyyc", true},
		{"/a*b*c", "/axxbyy", false},
		{"/exact.txt", "/exact.txt", true},
		{"/exact.txt", "/exact.txt2", false},
		{"/*/*/x", "/a/b/x", true},
	} {
		if got := edge.MatchPathPattern(tc.pattern, tc.path); got != tc.want {
			t.Errorf("match(%q, %q) = %t, want %t", tc.pattern, tc.path, got, tc.want)
		}
	}
}
