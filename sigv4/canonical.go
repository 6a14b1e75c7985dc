package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// This file builds the canonical request and the string to sign, following
// "Create a signed AWS API request" (IAM User Guide, create-signed-request)
// and, for S3, "Signature Calculations for the Authorization Header" (S3 API
// Reference, sig-v4-header-based-auth).

// wirePath returns the request's path exactly as the client sent it,
// percent-encoding and all. For server requests that is RequestURI up to
// '?', or the path of an absolute-form request target; for requests built in
// process it is URL.EscapedPath. Using the wire form matters for S3: a key
// containing "%2F" or "+" must be signed as sent, and url.URL.Path has
// already decoded it.
func wirePath(r *http.Request) string {
	p := r.RequestURI
	if p == "" {
		if r.URL.Opaque != "" {
			p = r.URL.Opaque
		} else {
			p = r.URL.EscapedPath()
		}
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	// Absolute-form request target (RFC 9112 §3.2.2): "http://host/path".
	if !strings.HasPrefix(p, "/") {
		if i := strings.Index(p, "://"); i >= 0 {
			p = p[i+3:]
			if j := strings.IndexByte(p, '/'); j >= 0 {
				p = p[j:]
			} else {
				p = ""
			}
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalURIs returns the canonical URI candidates for the wire path.
//
// S3 signs the path as sent, without normalizing or encoding it again
// (botocore S3SigV4Auth._normalize_url_path returns the path unchanged; the
// Go SDK's S3 client sets DisableURIPathEscaping).
//
// Every other service encodes each byte outside the RFC 3986 unreserved set
// again, so "%" in the sent path becomes "%25" (botocore SigV4Auth:
// quote(normalize_url_path(path), safe='/~'); Go SDK:
// httpbinding.EscapePath(URL.EscapedPath(), false)). botocore also removes
// dot segments and empty segments first, as the SigV4 spec asks; the Go SDK
// does not. When the two differ both are returned, botocore's first.
func canonicalURIs(service, path string) []string {
	if service == ServiceS3 {
		return []string{path}
	}
	norm := uriEncode(removeDotSegments(path), false)
	plain := uriEncode(path, false)
	if norm == plain {
		return []string{norm}
	}
	return []string{norm, plain}
}

// removeDotSegments normalizes a path as botocore's remove_dot_segments
// does: RFC 3986 §5.2.4 plus removal of empty segments, keeping a leading
// and a trailing slash.
func removeDotSegments(p string) string {
	if p == "" {
		return "/"
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var b strings.Builder
	if p[0] == '/' {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if p[len(p)-1] == '/' && len(out) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// unreserved reports whether c is in the RFC 3986 unreserved set, the only
// bytes SigV4's UriEncode leaves bare.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// uriEncode is SigV4's UriEncode: every byte except the unreserved ones (and
// '/' when encodeSlash is false) as %XX with upper-case hex.
func uriEncode(s string, encodeSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && (encodeSlash || c != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexUpper[c>>4], hexUpper[c&0xf])
	}
	return string(b)
}

// queryParam is one decoded query parameter.
type queryParam struct{ name, value string }

// parseQuery splits a raw query into decoded parameters in wire order.
// Decoding follows application/x-www-form-urlencoded ('+' is a space)
// because that is how the Go SDK reads back the query it serialized before
// signing (url.URL.Query). A parameter without '=' has the empty value:
// "WithTags" signs as "WithTags=".
//
// A pair that url.ParseQuery drops (a bad percent-escape, or a ';') is
// dropped here too: it is not part of the request the handlers read
// (r.URL.Query()), nor of what the Go SDK signs. Keeping it "as sent"
// would let two different requests share one canonical query: a signed
// "prefix=100%25" edited to "prefix=100%" would still verify while the
// handler saw no prefix at all.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.IndexByte(pair, ';') >= 0 {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		name, ok := unescapeQuery(name)
		if !ok {
			continue
		}
		if value, ok = unescapeQuery(value); !ok {
			continue
		}
		params = append(params, queryParam{name, value})
	}
	return params
}

func unescapeQuery(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

// canonicalQuery encodes every name and value with UriEncode, sorts by
// encoded name and then encoded value ("the sorting occurs after encoding",
// create-signed-request) and joins them as name=value with '&'. Parameters
// named skip (X-Amz-Signature in a presigned URL) are left out.
func canonicalQuery(params []queryParam, skip string) string {
	if len(params) == 0 {
		return ""
	}
	enc := make([]queryParam, 0, len(params))
	size := 0
	for _, p := range params {
		if skip != "" && p.name == skip {
			continue
		}
		q := queryParam{uriEncode(p.name, true), uriEncode(p.value, true)}
		size += len(q.name) + len(q.value) + 2
		enc = append(enc, q)
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].name != enc[j].name {
			return enc[i].name < enc[j].name
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	b.Grow(size)
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// headerValues returns the values of the named header as the server saw
// them. Go moves Host out of the header map into Request.Host, and
// Transfer-Encoding into Request.TransferEncoding.
func headerValues(r *http.Request, lname string) []string {
	switch lname {
	case "host":
		return []string{r.Host}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return v
		}
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	return r.Header.Values(lname)
}

// writeCanonicalHeaders writes "name:value\n" for each signed header:
// values trimmed, runs of white space collapsed to one space (Trimall), and
// multiple values joined with ','. A signed header the request lacks is
// written with an empty value, so the signature simply fails to match.
func writeCanonicalHeaders(b *strings.Builder, r *http.Request, signed []string) {
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, strings.ToLower(name)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTrimall(b, v)
		}
		b.WriteByte('\n')
	}
}

// writeTrimall writes v without leading and trailing white space and with
// each inner run of spaces or tabs replaced by a single space, as botocore's
// ' '.join(value.split()) does.
func writeTrimall(b *strings.Builder, v string) {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") && !strings.ContainsRune(v, '\t') {
		b.WriteString(v)
		return
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
}

// canonicalRequest joins the six parts of the canonical request.
func canonicalRequest(r *http.Request, uri, query string, signed []string, signedList, payloadHash string) string {
	var b strings.Builder
	b.Grow(len(r.Method) + len(uri) + len(query) + 64*len(signed) + len(signedList) + len(payloadHash) + 8)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, signed)
	b.WriteByte('\n')
	b.WriteString(signedList)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// stringToSign is "AWS4-HMAC-SHA256\n<X-Amz-Date>\n<scope>\n<hex sha256 of
// the canonical request>".
func stringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	var b strings.Builder
	b.Grow(len(Algorithm) + len(amzDate) + len(scope) + 3 + 64)
	b.WriteString(Algorithm)
	b.WriteByte('\n')
	b.WriteString(amzDate)
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// deriveKey computes kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date),
// region), service), "aws4_request").
func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// keyCache remembers derived signing keys. A signing key is valid for one
// (secret, date, region, service); deriving it costs four HMACs, a third or
// more of verifying a small request: BenchmarkVerify "s3 GET header" takes
// about 16.5 µs and 37 allocations with the cache, 27 µs and 65
// allocations without (2.5 GHz Xeon, no SHA extensions). The cache is keyed
// by access key ID and scope and stores the secret next to the key, so a
// rotated secret misses instead of reusing a stale key.
type keyCache struct {
	mu      sync.Mutex // guards entries
	entries map[string]keyCacheEntry
}

type keyCacheEntry struct {
	secret string
	key    []byte
}

// signingKey returns the derived key, from the cache when possible. size
// bounds the cache; size < 0 disables it.
func (c *keyCache) signingKey(size int, akid, secret, date, region, service string) []byte {
	if size < 0 {
		return deriveKey(secret, date, region, service)
	}
	id := akid + "\x00" + date + "\x00" + region + "\x00" + service
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && subtle.ConstantTimeCompare([]byte(e.secret), []byte(secret)) == 1 {
		return e.key
	}
	key := deriveKey(secret, date, region, service)
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]keyCacheEntry)
	}
	if _, present := c.entries[id]; !present && len(c.entries) >= size {
		// Evict an arbitrary entry: map iteration order is unspecified, which
		// is good enough for a cache whose working set is a handful of keys
		// per day.
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[id] = keyCacheEntry{secret: secret, key: key}
	c.mu.Unlock()
	return key
}
