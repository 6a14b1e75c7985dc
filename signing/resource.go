package signing

import "strings"

// maxSplitCandidates bounds the path/query readings tried for one pattern
// (§6), so a pattern full of '?' cannot make matching expensive.
const maxSplitCandidates = 16

// MatchResource reports whether a custom policy's Resource pattern admits a
// request, following §6: the pattern has the sections protocol://domain/path
// and query (after "\?" or, read either way, an unescaped '?'); '*' matches
// any run of bytes and '?' one byte, each inside its own section. A trailing
// '*' in the path implies any query, a trailing '*' in the domain any path
// and query; a pattern starting with '*' may omit the protocol; "*" matches
// everything.
//
// scheme is "http" or "https"; host is the Host header as sent (port
// included); path and query are raw, still percent-encoded, with the signing
// parameters already removed from query and without the '?'. Protocol and
// domain compare case-insensitively, path and query byte for byte.
func MatchResource(pattern, scheme, host, path, query string) bool {
	if pattern == "*" {
		return true
	}
	var protoPat, rest string
	if i := strings.Index(pattern, "://"); i >= 0 {
		protoPat, rest = pattern[:i], pattern[i+3:]
	} else if strings.HasPrefix(pattern, "*") {
		protoPat, rest = "*", pattern // exception (c)
	} else {
		return false
	}
	if !globFold(protoPat, scheme) {
		return false
	}
	domPat, tail := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		domPat, tail = rest[:i], rest[i:]
	}
	if !matchHost(domPat, scheme, host) {
		return false
	}
	if tail == "" {
		if strings.HasSuffix(domPat, "*") {
			return true // exception (b): any path, any query
		}
		return path == "/" && query == ""
	}
	if i := strings.Index(tail, `\?`); i >= 0 {
		return globMatch(tail[:i], path) && globMatch(tail[i+2:], query)
	}
	// Read the whole tail as the path (a '?' is then a one-byte wildcard);
	// a trailing '*' implies any query (exception a).
	queryPat := ""
	if strings.HasSuffix(tail, "*") {
		queryPat = "*"
	}
	if globMatch(tail, path) && globMatch(queryPat, query) {
		return true
	}
	// Or read an unescaped '?' as the query delimiter, as signers that do not
	// escape it intend.
	tried := 1
	for i := 0; i < len(tail) && tried < maxSplitCandidates; i++ {
		if tail[i] != '?' {
			continue
		}
		tried++
		if globMatch(tail[:i], path) && globMatch(tail[i+1:], query) {
			return true
		}
	}
	return false
}

// matchHost compares the domain section with the viewer's host. A pattern
// without ':' is compared with the host without its port, since the
// distribution was selected by host alone; a pattern naming a port is
// compared with the host as sent and, when that carries the scheme's default
// port, also without it (§5, §6).
func matchHost(domPat, scheme, host string) bool {
	name, port := splitHostPort(host)
	if !strings.Contains(domPat, ":") || strings.HasPrefix(domPat, "[") && !strings.Contains(domPat, "]:") {
		return globFold(domPat, name)
	}
	if globFold(domPat, host) {
		return true
	}
	return isDefaultPort(scheme, port) && globFold(domPat, name)
}

// splitHostPort splits a Host header into name and port ("" if none),
// keeping IPv6 literals in their brackets.
func splitHostPort(host string) (name, port string) {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.IndexByte(host[i:], ']') >= 0 {
		return host, ""
	}
	if strings.HasPrefix(host, "[") && !strings.HasSuffix(host[:i], "]") {
		return host, ""
	}
	return host[:i], host[i+1:]
}

func isDefaultPort(scheme, port string) bool {
	return (port == "443" && strings.EqualFold(scheme, "https")) || (port == "80" && strings.EqualFold(scheme, "http"))
}

// globMatch matches s against pattern, where '*' is any run of bytes
// (including '/') and '?' exactly one byte. It is the iterative matcher that
// backtracks only to the last '*': O(len(pattern)·len(s)), no allocation.
func globMatch(pattern, s string) bool {
	return glob(pattern, s, false)
}

// globFold is globMatch with ASCII case folding, for protocol and domain.
func globFold(pattern, s string) bool {
	return glob(pattern, s, true)
}

func glob(p, s string, fold bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, mark = pi, si
				pi++
				continue
			case c == '?' || c == s[si] || fold && lower(c) == lower(s[si]):
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi, mark = star+1, mark+1
		si = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
