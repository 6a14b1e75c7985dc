package signing

import (
	"fmt"
	"strconv"
	"strings"
)

// SplitURL splits an absolute http(s) URL into scheme, Host (port kept)
// and request-target as a client would send them, by hand: url.Parse
// re-encodes paths and queries, and the signature covers the bytes exactly
// as written (§5). The fragment is dropped and userinfo removed, as clients
// do; a host or request-target no client could send is an error.
func SplitURL(raw string) (scheme, host, requestURI string, err error) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "", "", "", fmt.Errorf("URL %q must be absolute, e.g. https://d111111abcdef8.cloudfront.net/image.jpg?...", raw)
	}
	scheme = strings.ToLower(raw[:i])
	if scheme != "http" && scheme != "https" {
		return "", "", "", fmt.Errorf("URL %q must start with https:// or http://", raw)
	}
	rest := raw[i+3:]
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		rest = rest[:j]
	}
	host, requestURI = rest, "/"
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		host, requestURI = rest[:j], rest[j:]
		if rest[j] == '?' {
			// A client requests https://h?q as GET /?q.
			requestURI = "/" + requestURI
		}
	}
	if j := strings.LastIndexByte(host, '@'); j >= 0 {
		host = host[j+1:]
	}
	if host == "" {
		return "", "", "", fmt.Errorf("URL %q has no host", raw)
	}
	for k := 0; k < len(host); k++ {
		if c := host[k]; c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0 {
			return "", "", "", fmt.Errorf("URL %q: the host %q is not a valid Host", raw, host)
		}
	}
	for k := 0; k < len(requestURI); k++ {
		if c := requestURI[k]; c <= ' ' || c == 0x7f {
			return "", "", "", fmt.Errorf("URL %q: byte %s cannot be sent in a request-target; percent-encode it", raw, strconv.QuoteRune(rune(c)))
		}
	}
	return scheme, host, requestURI, nil
}
