package edge

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"keyfront/model"
)

// listMode says which items of a kind (query parameters, cookies, headers)
// a policy selects.
type listMode uint8

const (
	selectNone listMode = iota
	selectAll
	selectListed // only names
	selectExcept // all but names
)

// selection is a listMode with its names. Header names are canonical
// (http.CanonicalHeaderKey); query and cookie names are case-sensitive.
type selection struct {
	mode  listMode
	names []string
}

func (s selection) has(name string) bool {
	switch s.mode {
	case selectAll:
		return true
	case selectListed:
		return slices.Contains(s.names, name)
	case selectExcept:
		return !slices.Contains(s.names, name)
	}
	return false
}

// union returns a selection of what either selects.
func (s selection) union(o selection) selection {
	switch {
	case s.mode == selectAll || o.mode == selectAll:
		return selection{mode: selectAll}
	case s.mode == selectNone:
		return o
	case o.mode == selectNone:
		return s
	case s.mode == selectListed && o.mode == selectListed:
		names := slices.Clone(s.names)
		for _, n := range o.names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		return selection{mode: selectListed, names: names}
	case s.mode == selectExcept && o.mode == selectListed:
		return selection{mode: selectExcept, names: slices.DeleteFunc(slices.Clone(s.names), func(n string) bool { return slices.Contains(o.names, n) })}
	case s.mode == selectListed && o.mode == selectExcept:
		return o.union(s)
	}
	// Both except: all but the names both leave out.
	var names []string
	for _, n := range s.names {
		if slices.Contains(o.names, n) {
			names = append(names, n)
		}
	}
	return selection{mode: selectExcept, names: names}
}

// requestPolicy is what a behavior puts in the cache key and what it
// forwards to the origin, and how long it caches: the behavior's legacy
// ForwardedValues and TTLs, or its cache policy and origin request policy.
type requestPolicy struct {
	keyQuery, keyHeaders, keyCookies selection
	fwdQuery, fwdHeaders, fwdCookies selection
	minTTL, defaultTTL, maxTTL       time.Duration
	// noCache: nothing is stored (CachingDisabled, or all headers
	// forwarded with ForwardedValues Headers "*").
	noCache bool
}

// Managed cache policy IDs (Developer Guide, using-managed-cache-policies).
const (
	cachingOptimized                = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cachingOptimizedForUncompressed = "b2884449-e4de-46a7-ac36-70bc7f1ddd6d"
	cachingDisabled                 = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	elementalMediaPackage           = "08627262-05a9-4f76-9ded-b50ca2e3a84f"
)

// Managed origin request policy IDs (Developer Guide,
// using-managed-origin-request-policies).
const (
	orpAllViewer                  = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	orpAllViewerAndCloudFront     = "33f36d7e-f396-46d9-90e0-52428a34d9dc"
	orpAllViewerExceptHostHeader  = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	orpCORSCustomOrigin           = "59781a5b-3903-41f3-afcb-af62929ccde1"
	orpCORSS3Origin               = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
	orpUserAgentRefererHeaders    = "acba4595-bd28-49b8-b9fe-13317c0390fa"
	orpMediaTailorPersonalization = "775133bc-15f2-49f9-abea-afb2e0bf67d2"
)

const (
	day  = 24 * time.Hour
	year = 365 * day
)

func listed(canon bool, names []string) selection {
	if len(names) == 0 {
		return selection{}
	}
	out := make([]string, len(names))
	for i, n := range names {
		if canon {
			n = http.CanonicalHeaderKey(n)
		}
		out[i] = n
	}
	return selection{mode: selectListed, names: out}
}

// newRequestPolicy derives a behavior's request policy.
func newRequestPolicy(cb *model.CacheBehavior) *requestPolicy {
	p := &requestPolicy{}
	if fv := cb.ForwardedValues; fv != nil {
		// Legacy settings: what is forwarded is also the cache key
		// (Developer Guide, QueryStringParameters, Cookies,
		// header-caching), except that QueryStringCacheKeys narrows the
		// key.
		p.minTTL, p.defaultTTL, p.maxTTL = cb.MinTTL, cb.DefaultTTL, cb.MaxTTL
		if fv.QueryString {
			p.fwdQuery = selection{mode: selectAll}
			p.keyQuery = p.fwdQuery
			if len(fv.QueryStringCacheKeys) > 0 {
				p.keyQuery = listed(false, fv.QueryStringCacheKeys)
			}
		}
		switch fv.Cookies {
		case "all":
			p.fwdCookies = selection{mode: selectAll}
		case "whitelist":
			p.fwdCookies = listed(false, fv.CookieNames)
		}
		p.keyCookies = p.fwdCookies
		if slices.Contains(fv.Headers, "*") {
			// "Forward all headers": CloudFront then caches nothing.
			p.fwdHeaders = selection{mode: selectAll}
			p.noCache = true
		} else {
			p.fwdHeaders = listed(true, fv.Headers)
			p.keyHeaders = p.fwdHeaders
		}
	} else {
		switch cb.CachePolicyID {
		case cachingDisabled:
			p.noCache = true
		case elementalMediaPackage:
			p.minTTL, p.defaultTTL, p.maxTTL = 0, day, year
			p.keyQuery = listed(false, []string{"m", "start", "end", "aws.manifestfilter"})
			p.keyHeaders = listed(true, []string{"Origin"})
		default:
			// CachingOptimized and CachingOptimizedForUncompressedObjects;
			// custom cache policies, which keyfront's control API does not
			// store, are treated the same way.
			p.minTTL, p.defaultTTL, p.maxTTL = time.Second, day, year
		}
		// Whatever is in the cache key is forwarded too.
		p.fwdQuery, p.fwdHeaders, p.fwdCookies = p.keyQuery, p.keyHeaders, p.keyCookies
	}

	var q, h, c selection
	switch cb.OriginRequestPolicyID {
	case orpAllViewer, orpAllViewerAndCloudFront:
		q, h, c = selection{mode: selectAll}, selection{mode: selectAll}, selection{mode: selectAll}
	case orpAllViewerExceptHostHeader:
		q, h, c = selection{mode: selectAll}, selection{mode: selectExcept, names: []string{"Host"}}, selection{mode: selectAll}
	case orpCORSCustomOrigin:
		h = listed(true, []string{"Origin"})
	case orpCORSS3Origin:
		h = listed(true, []string{"Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"})
	case orpUserAgentRefererHeaders:
		h = listed(true, []string{"User-Agent", "Referer"})
	case orpMediaTailorPersonalization:
		q = selection{mode: selectAll}
		h = listed(true, []string{"Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method", "User-Agent", "X-Forwarded-For"})
	}
	p.fwdQuery = p.fwdQuery.union(q)
	p.fwdHeaders = p.fwdHeaders.union(h)
	p.fwdCookies = p.fwdCookies.union(c)
	return p
}

// filterQuery returns the items of a raw query that sel selects, in
// order and as sent.
func filterQuery(raw string, sel selection) string {
	switch {
	case raw == "" || sel.mode == selectNone:
		return ""
	case sel.mode == selectAll:
		return raw
	}
	var b strings.Builder
	for rest := raw; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, "&")
		name, _, _ := strings.Cut(item, "=")
		if !sel.has(queryName(name)) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(item)
	}
	return b.String()
}

// queryName decodes a query parameter name for comparison with a policy's
// names ('+' is a space in forms).
func queryName(raw string) string {
	if strings.IndexByte(raw, '%') < 0 && strings.IndexByte(raw, '+') < 0 {
		return raw
	}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(raw) && ishex(raw[i+1]) && ishex(raw[i+2]):
			b = append(b, unhex(raw[i+1])<<4|unhex(raw[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// filterCookies returns the "name=value" pairs of the Cookie headers that
// sel selects, joined by "; ", leaving out the signing cookies when strip
// is set (§13).
func filterCookies(headers []string, sel selection, strip bool) string {
	if sel.mode == selectNone {
		return ""
	}
	var b strings.Builder
	for _, h := range headers {
		for rest := h; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ";")
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, _, _ := strings.Cut(part, "=")
			name = strings.TrimSpace(name)
			if strip && isSigningCookieName(name) || !sel.has(name) {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(part)
		}
	}
	return b.String()
}
