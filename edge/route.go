package edge

import (
	"strings"
)

// splitTarget returns the raw path and query of a request-target as on the
// request line (signed-urls.md §5). An absolute-form target contributes its
// path and query; a path that does not start with "/" (the "*" of
// OPTIONS *) is given one.
func splitTarget(uri string) (path, query string) {
	if !strings.HasPrefix(uri, "/") {
		if i := strings.Index(uri, "://"); i >= 0 {
			rest := uri[i+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				uri = rest[j:]
			} else {
				uri = "/"
			}
		}
	}
	path, query, _ = strings.Cut(uri, "?")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path, query
}

// normalizePath returns the path the edge routes, caches and forwards: the
// raw path normalised as CloudFront does before it matches cache behaviors
// ("CloudFront normalizes URI paths consistent with RFC 3986 … Some
// characters are normalized and removed from the path, such as multiple
// slashes (//) or periods (..)", Developer Guide, cache behavior settings,
// Path pattern). In order:
//
//   - escapes of unreserved characters (RFC 3986 §2.3) and of "/" are
//     decoded, other escapes get upper-case hex (§6.2.2.1, §6.2.2.2);
//   - bytes that may not appear in a path are escaped;
//   - runs of slashes become one, and "." and ".." segments are removed
//     (§5.2.4), a trailing one leaving a trailing slash.
//
// Decoding %2F and %2E before removing dot segments is deliberate: an
// origin such as S3 decodes them, so "/public/..%2Fprivate/x" must be
// judged, cached and fetched as "/private/x", never as a path under
// "/public/" (issue 5, security tests).
//
// The signature check does not use this path: the signed resource is the
// raw request-target, byte for byte (§5).
func normalizePath(raw string) string {
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	if isNormal(raw) {
		return raw
	}
	b := make([]byte, 0, len(raw)+8)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%' && i+2 < len(raw) && ishex(raw[i+1]) && ishex(raw[i+2]):
			v := unhex(raw[i+1])<<4 | unhex(raw[i+2])
			if isUnreserved(v) || v == '/' {
				b = append(b, v)
			} else {
				b = append(b, '%', upperhex[v>>4], upperhex[v&15])
			}
			i += 2
		case c == '%' || mustEscape(c):
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		default:
			b = append(b, c)
		}
	}
	return removeDotSegments(string(b))
}

// isNormal reports whether normalizePath would return p unchanged: no
// escapes, no bytes to escape, no empty or dot segments.
func isNormal(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || mustEscape(c) {
			return false
		}
		if c == '/' && i+1 < len(p) {
			switch p[i+1] {
			case '/':
				return false
			case '.':
				// "/." followed by the end, "/" or ".": a dot segment.
				rest := p[i+2:]
				if rest == "" || rest[0] == '/' || rest[0] == '.' && (len(rest) == 1 || rest[1] == '/') {
					return false
				}
			}
		}
	}
	return true
}

// removeDotSegments merges empty segments and applies RFC 3986 §5.2.4 to
// an absolute path.
func removeDotSegments(p string) string {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	trailing := false
	for i, seg := range segs {
		last := i == len(segs)-1
		switch seg {
		case "", ".":
			trailing = last
			continue
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			trailing = last
			continue
		}
		trailing = false
		out = append(out, seg)
	}
	if len(out) == 0 {
		return "/"
	}
	s := "/" + strings.Join(out, "/")
	if trailing {
		s += "/"
	}
	return s
}

// escapePath escapes the bytes of s that may not appear in a path, for a
// DefaultRootObject that names its object unescaped.
func escapePath(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, c)
			continue
		}
		if c == '%' || mustEscape(c) || c == '?' || c == '#' {
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

const upperhex = "0123456789ABCDEF"

// mustEscape reports whether a byte cannot appear literally in a path:
// controls, space, non-ASCII and the delimiters RFC 3986 excludes.
func mustEscape(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return true
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}', '#':
		return true
	}
	return false
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// matchPathPattern reports whether a cache behavior's PathPattern (with
// its leading slash, see patternWithSlash) matches a normalised path:
// '*' matches any run of characters including '/', '?' exactly one, every
// other byte itself, case-sensitively (Developer Guide, Path pattern). It
// is the iterative two-pointer glob: O(len(pattern)·len(path)) at worst,
// no allocation.
func matchPathPattern(pattern, path string) bool {
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == path[s]):
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// restructures reports whether normalising a raw path may change its
// segments rather than only its spelling: dot segments, repeated slashes,
// or escaped dots and slashes.
func restructures(raw string) bool {
	if strings.Contains(raw, "/.") || strings.Contains(raw, "//") {
		return true
	}
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && raw[i+1] == '2' {
			switch raw[i+2] {
			case 'e', 'E', 'f', 'F':
				return true
			}
		}
	}
	return false
}
