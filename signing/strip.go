package signing

import "strings"

// isSigningParam reports whether a decoded query parameter name is one of
// the five CloudFront reserves (§2.1). Names are case-sensitive.
func isSigningParam(name string) bool {
	switch name {
	case "Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm":
		return true
	}
	return false
}

// isSigningCookie reports whether a cookie name is one of the five signing
// cookies (§2.2).
func isSigningCookie(name string) bool {
	switch name {
	case CookieExpires, CookiePolicy, CookieSignature, CookieKeyPairID, CookieHashAlgorithm:
		return true
	}
	return false
}

// paramName returns the percent-decoded name of one query item.
func paramName(item string) string {
	name, _, _ := strings.Cut(item, "=")
	if strings.IndexByte(name, '%') < 0 {
		return name
	}
	return percentDecode(name)
}

// HasSigningParams reports whether a raw query holds any of the five signing
// parameter names, which makes the request a signed-URL request (§2.3).
func HasSigningParams(rawQuery string) bool {
	for rawQuery != "" {
		var item string
		item, rawQuery, _ = strings.Cut(rawQuery, "&")
		if isSigningParam(paramName(item)) {
			return true
		}
	}
	return false
}

// StripQuery returns rawQuery without any occurrence of the signing
// parameters, the remaining items in their original order and bytes (§5,
// §13). This is the query of the signed resource, of the cache key and of
// the origin request. A query without signing parameters is returned as is.
func StripQuery(rawQuery string) string {
	// One pass. While the kept items lie next to each other in rawQuery
	// (the usual case: signing parameters appended at the end, or first),
	// the result is a substring and nothing is allocated.
	start, end := -1, -1 // span of the kept items
	removed, gap := false, false
	for i := 0; ; {
		j := strings.IndexByte(rawQuery[i:], '&')
		itemEnd := len(rawQuery)
		if j >= 0 {
			itemEnd = i + j
		}
		if isSigningParam(paramName(rawQuery[i:itemEnd])) {
			removed = true
		} else {
			if start < 0 {
				start = i
			} else if i != end+1 {
				gap = true
			}
			end = itemEnd
		}
		if j < 0 {
			break
		}
		i = itemEnd + 1
	}
	switch {
	case !removed:
		return rawQuery
	case start < 0:
		return ""
	case !gap:
		return rawQuery[start:end]
	}
	var b strings.Builder
	b.Grow(end - start)
	first := true
	for rest, more := rawQuery, true; more; {
		var item string
		item, rest, more = strings.Cut(rest, "&")
		if isSigningParam(paramName(item)) {
			continue
		}
		// Empty items are kept too: "?&a=1" was signed with its '&' (§5).
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(item)
	}
	return b.String()
}

// StripCookies returns a Cookie header value without the signing cookies
// (§13), the others in their original order; "" if none remain.
func StripCookies(header string) string {
	if !strings.Contains(header, "CloudFront-") {
		return header
	}
	var b strings.Builder
	for _, part := range strings.Split(header, ";") {
		name, _, _ := strings.Cut(part, "=")
		if isSigningCookie(strings.TrimSpace(name)) {
			continue
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(part)
	}
	return b.String()
}

// percentDecode decodes %XX escapes only: '+' stays '+', and a malformed
// escape is kept literally (§3.2).
func percentDecode(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, c)
	}
	return string(b)
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
