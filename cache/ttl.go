package cache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TTL returns how long CloudFront keeps a response with this status and
// these origin headers, given a cache behavior's (or cache policy's)
// MinTTL, DefaultTTL and MaxTTL; zero means do not cache. It follows the
// table in "Manage how long content stays in the cache (expiration)"
// (DeveloperGuide/Expiration.html, "Specifying the amount of time that
// CloudFront caches objects"):
//
//   - Cache-Control no-cache, no-store or private: with MinTTL 0
//     "CloudFront and browsers respect the headers" (not cached); with
//     MinTTL > 0 "CloudFront caches objects for the value of the
//     CloudFront minimum TTL".
//   - Otherwise the origin's own lifetime, first found of s-maxage, max-age
//     and Expires ("If you specify values both for Cache-Control max-age
//     and for Expires, CloudFront uses only the value of max-age"; with
//     both max-age and s-maxage, "the lesser of the value of the
//     Cache-Control s-maxage directive or the value of the CloudFront
//     maximum TTL"), raised to MinTTL and lowered to MaxTTL.
//   - No lifetime from the origin: "CloudFront caches objects for the value
//     of the CloudFront default TTL", or "the greater of the value of the
//     CloudFront minimum TTL or default TTL" when MinTTL > 0; MaxTTL "applies
//     only when your origin adds HTTP headers such as Cache-Control max-age,
//     Cache-Control s-maxage, and Expires".
//
// An Expires that does not parse counts as already expired (RFC 9111
// section 5.3). A max-age or s-maxage that is not a number of seconds is
// ignored; one too large is taken as 2^31 seconds (RFC 9111 section
// 1.2.2).
//
// Statuses: 2xx and 3xx responses use these rules, except 206 (the cache
// stores whole objects) and 304 (a revalidation, not an object); 307 and
// 308 are cached "only when you include the Cache-Control header in
// responses from the origin" (DeveloperGuide/http-3xx-status-codes.html).
// 4xx and 5xx responses get zero here: CloudFront caches them by the error
// caching minimum TTL instead (see ErrorTTL).
func TTL(h http.Header, status int, minTTL, defaultTTL, maxTTL time.Duration, now time.Time) time.Duration {
	switch {
	case status < 200 || status >= 400,
		status == http.StatusPartialContent,
		status == http.StatusNotModified:
		return 0
	case status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect:
		if len(h.Values("Cache-Control")) == 0 {
			return 0
		}
	}
	minTTL = max(minTTL, 0)
	cc := parseCacheControl(h.Values("Cache-Control"))
	if cc.noCache || cc.noStore || cc.private {
		return minTTL
	}
	d, ok := cc.sMaxAge, cc.hasSMaxAge
	if !ok {
		d, ok = cc.maxAge, cc.hasMaxAge
	}
	if !ok {
		if v := h.Values("Expires"); len(v) > 0 {
			ok = true
			if t, err := http.ParseTime(v[0]); err == nil {
				d = t.Sub(now)
			}
		}
	}
	if !ok {
		return max(minTTL, defaultTTL)
	}
	return max(min(max(d, minTTL), maxTTL), 0)
}

// ErrorTTL returns how long CloudFront caches a 4xx or 5xx response, given
// the distribution's error caching minimum TTL for that status (10 seconds
// unless a CustomErrorResponse sets ErrorCachingMinTTL); zero means do not
// cache. It follows "How CloudFront processes and caches HTTP 4xx and 5xx
// status codes from your origin" (DeveloperGuide/HTTPStatusCodes.html):
// 404, 405, 414, 500, 501, 502, 503 and 504 are always cached; 400, 403,
// 412 and 415 only when the origin sends Cache-Control max-age or s-maxage;
// either way "for the maximum of" the error caching minimum TTL and that
// max-age or s-maxage. Other statuses get zero.
func ErrorTTL(h http.Header, status int, errorCachingMinTTL time.Duration) time.Duration {
	cc := parseCacheControl(h.Values("Cache-Control"))
	d, ok := cc.sMaxAge, cc.hasSMaxAge
	if !ok {
		d, ok = cc.maxAge, cc.hasMaxAge
	}
	switch status {
	case 404, 405, 414, 500, 501, 502, 503, 504:
	case 400, 403, 412, 415:
		if !ok {
			return 0
		}
	default:
		return 0
	}
	return max(errorCachingMinTTL, d, 0)
}

// cacheControl holds the Cache-Control directives TTL looks at.
type cacheControl struct {
	noCache, noStore, private bool
	maxAge, sMaxAge           time.Duration
	hasMaxAge, hasSMaxAge     bool
}

// parseCacheControl reads Cache-Control field values (RFC 9111 section
// 5.2): comma-separated directives, names case-insensitive, arguments as
// tokens or quoted strings. The first occurrence of a duplicated directive
// wins.
func parseCacheControl(values []string) cacheControl {
	var cc cacheControl
	for _, v := range values {
		for v != "" {
			var dir string
			dir, v = nextDirective(v)
			name, arg, _ := strings.Cut(dir, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			arg = strings.Trim(strings.TrimSpace(arg), `"`)
			switch name {
			case "no-cache":
				cc.noCache = true
			case "no-store":
				cc.noStore = true
			case "private":
				cc.private = true
			case "max-age":
				if d, ok := deltaSeconds(arg); ok && !cc.hasMaxAge {
					cc.maxAge, cc.hasMaxAge = d, true
				}
			case "s-maxage":
				if d, ok := deltaSeconds(arg); ok && !cc.hasSMaxAge {
					cc.sMaxAge, cc.hasSMaxAge = d, true
				}
			}
		}
	}
	return cc
}

// nextDirective splits off the first directive of a Cache-Control value,
// keeping commas inside quoted strings (no-cache="Set-Cookie, X-A").
func nextDirective(s string) (dir, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// deltaSeconds parses a delta-seconds argument (RFC 9111 section 1.2.2).
func deltaSeconds(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	const limit = 1 << 31
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > limit {
		n = limit // only overflow can fail here
	}
	return time.Duration(n) * time.Second, true
}
