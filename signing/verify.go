package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Request is what the edge knows of a viewer request when it checks a
// signature.
type Request struct {
	// Scheme is "https" when the viewer connection is TLS, else "http".
	Scheme string
	// Host is the Host header (or :authority) exactly as the viewer sent
	// it, port included.
	Host string
	// RequestURI is the raw request-target as on the request line: path
	// and query still percent-encoded, never normalised (§5). An
	// absolute-form target contributes only its path and query.
	RequestURI string
	// Cookies are the raw values of the request's Cookie headers, in order.
	Cookies []string
	// ViewerIP is the viewer's address, checked against AWS:SourceIp.
	ViewerIP netip.Addr
	// Now is the time of the request; only whole seconds count.
	Now time.Time
}

// Keys looks up the public keys a request may be signed with: for the edge,
// the keys of the key groups the matched cache behavior trusts.
type Keys interface {
	// PublicKey returns the key with that ID, or false if the ID is not
	// trusted.
	PublicKey(id string) (crypto.PublicKey, bool)
}

// KeyMap is a fixed set of trusted keys by ID.
type KeyMap map[string]crypto.PublicKey

// PublicKey implements Keys.
func (m KeyMap) PublicKey(id string) (crypto.PublicKey, bool) {
	k, ok := m[id]
	return k, ok
}

// Mode says where a request carried its signature.
type Mode uint8

// The two ways to sign a request (§2.3).
const (
	ModeURL Mode = iota
	ModeCookies
)

// String returns "signed URL" or "signed cookies".
func (m Mode) String() string {
	if m == ModeCookies {
		return "signed cookies"
	}
	return "signed URL"
}

// Result describes a verified request, or as much of one as was examined
// before a rejection.
type Result struct {
	// Mode says whether the signature came from the query or the cookies.
	Mode Mode
	// KeyPairID is the trimmed key ID the request names.
	KeyPairID string
	// Hash is the hash algorithm the request names (SHA1 if none).
	Hash HashAlgorithm
	// Canned is true for an Expires (canned) policy.
	Canned bool
	// Resource is, for a canned policy, the URL rebuilt from the request
	// that was signed (§5), and for a custom policy its Resource pattern
	// ("" when the policy has none).
	Resource string
	// Policy is the policy in force: parsed from Policy, or made from
	// Expires and Resource for a canned policy. Nil if it could not be read.
	Policy *Policy
	// Query is the raw query with the signing parameters removed: what the
	// cache key and the origin request use (§13).
	Query string
}

// Expires returns when the policy stops admitting requests.
func (r *Result) Expires() time.Time {
	if r.Policy == nil {
		return time.Time{}
	}
	return time.Unix(r.Policy.DateLessThan, 0).UTC()
}

// Check is one step of an explanation: its name, whether it passed, and
// what was found.
type Check struct {
	Name   string
	OK     bool
	Detail string
}

// Verify checks a request against the trusted keys in the order of §11 and
// returns the result, or a *Rejection carrying the exact CloudFront code.
// It never panics on hostile input.
func Verify(req *Request, keys Keys) (*Result, error) {
	res, rej := verify(req, keys, nil)
	if rej != nil {
		return res, rej
	}
	return res, nil
}

// Explain runs the same checks as Verify and also returns them one by one,
// with details meant for a person (`keyfront verify`). The checks stop at
// the first failure, which is the one Verify reports.
func Explain(req *Request, keys Keys) (*Result, []Check) {
	t := &trace{}
	res, _ := verify(req, keys, t)
	return res, t.checks
}

// trace records checks for Explain; a nil *trace records nothing, so the
// edge's path formats no strings for passing checks.
type trace struct{ checks []Check }

// pass records a passing check. detail runs only when tracing: the edge's
// path formats no strings and boxes no values for checks that pass.
func (t *trace) pass(name string, detail func() string) {
	if t != nil {
		t.checks = append(t.checks, Check{Name: name, OK: true, Detail: detail()})
	}
}

func (t *trace) fail(name string, rej *Rejection) *Rejection {
	if t != nil {
		t.checks = append(t.checks, Check{Name: name, Detail: rej.Detail})
	}
	return rej
}

// credentials are the signing values a request carries, first occurrence
// of each (§2.1, §2.2).
type credentials struct {
	keyID, hash, policy, expires, signature          string
	hasKeyID, hasHash, hasPolicy, hasExpires, hasSig bool
}

// asciiSpace is what §3.2 trims from Key-Pair-Id.
const asciiSpace = " \t\n\v\f\r"

// set records a signing value unless one of that name was already seen: the
// first occurrence wins even when it is empty (§2.1, §2.2).
func (c *credentials) set(name, value string) {
	switch name {
	case "Key-Pair-Id", CookieKeyPairID:
		if !c.hasKeyID {
			c.keyID, c.hasKeyID = strings.Trim(value, asciiSpace), true
		}
	case "Hash-Algorithm", CookieHashAlgorithm:
		if !c.hasHash {
			c.hash, c.hasHash = value, true
		}
	case "Policy", CookiePolicy:
		if !c.hasPolicy {
			c.policy, c.hasPolicy = value, true
		}
	case "Expires", CookieExpires:
		if !c.hasExpires {
			c.expires, c.hasExpires = value, true
		}
	case "Signature", CookieSignature:
		if !c.hasSig {
			c.signature, c.hasSig = value, true
		}
	}
}

// splitRequestURI returns the raw path and query of a request-target.
func splitRequestURI(uri string) (path, query string) {
	if !strings.HasPrefix(uri, "/") {
		// Absolute form: scheme://authority/path?query (§5).
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
	if path == "" {
		path = "/"
	}
	return path, query
}

func verify(req *Request, keys Keys, t *trace) (*Result, *Rejection) {
	path, rawQuery := splitRequestURI(req.RequestURI)
	res := &Result{Query: rawQuery}
	var c credentials

	// Step 2: mode. Any signing parameter in the query makes it a signed
	// URL, and then cookies are not examined (§2.3).
	if HasSigningParams(rawQuery) {
		res.Mode = ModeURL
		for rest := rawQuery; rest != ""; {
			var item string
			item, rest, _ = strings.Cut(rest, "&")
			name, value, _ := strings.Cut(item, "=")
			name = percentDecode(name)
			if isSigningParam(name) {
				c.set(name, percentDecode(value))
			}
		}
		res.Query = StripQuery(rawQuery)
		t.pass("mode", func() string { return "signed URL (signing parameters in the query; cookies are not examined)" })
	} else {
		res.Mode = ModeCookies
		for _, h := range req.Cookies {
			readSigningCookies(h, &c)
		}
		t.pass("mode", func() string { return "signed cookies (no signing parameters in the query)" })
	}

	// Step 3: key ID.
	res.KeyPairID = c.keyID
	if c.keyID == "" {
		what := "the query has no Key-Pair-Id"
		if res.Mode == ModeCookies {
			what = "no Key-Pair-Id query parameter and no CloudFront-Key-Pair-Id cookie"
		}
		return res, t.fail("key-pair-id", reject(ReasonKeyIDMissing, what))
	}
	t.pass("key-pair-id", func() string { return c.keyID })

	// Step 4: hash algorithm.
	h, err := ParseHashAlgorithm(c.hash)
	if err != nil {
		return res, t.fail("hash-algorithm", reject(ReasonHashAlgUnsupported,
			fmt.Sprintf("hash algorithm %q is neither SHA1 nor SHA256", c.hash)))
	}
	res.Hash = h
	if t != nil {
		how := "named in the request"
		if c.hash == "" {
			how = "the default, no hash algorithm named"
		}
		t.pass("hash-algorithm", func() string { return fmt.Sprintf("%s (%s)", h, how) })
	}

	// Steps 5 and 6: the policy and the messages the signature may cover.
	var messageBuf [2][]byte // at most two candidates (§5)
	messages := messageBuf[:0]
	var withoutPort string // the canned resource of the second candidate
	switch {
	case c.hasPolicy:
		raw, err := DecodeBase64(c.policy)
		if err != nil || len(raw) == 0 {
			return res, t.fail("policy", reject(ReasonPolicyB64, "the Policy value is not CloudFront base64"))
		}
		p, err := ParsePolicy(raw)
		if err != nil {
			pe := &PolicyError{Reason: ReasonPolicyJSON, Detail: err.Error()}
			errors.As(err, &pe)
			return res, t.fail("policy", reject(pe.Reason, pe.Detail))
		}
		res.Policy, res.Resource = p, p.Resource
		messages = append(messages, raw)
		t.pass("policy", func() string { return fmt.Sprintf("custom policy %s", raw) })
	case c.hasExpires:
		e, ok := parseDigits(c.expires)
		if !ok {
			return res, t.fail("policy", reject(ReasonExpiresInvalid,
				fmt.Sprintf("Expires %q is not 1 to 19 digits of Unix seconds", c.expires)))
		}
		res.Canned = true
		res.Resource = rebuildURL(req.Scheme, req.Host, path, res.Query)
		res.Policy = &Policy{Resource: res.Resource, DateLessThan: e}
		messages = append(messages, appendCanned(nil, res.Resource, c.expires))
		// Liberal: a default port in Host may or may not have been signed (§5).
		if name, port := splitHostPort(req.Host); isDefaultPort(req.Scheme, port) {
			withoutPort = rebuildURL(req.Scheme, name, path, res.Query)
			messages = append(messages, appendCanned(nil, withoutPort, c.expires))
		}
		t.pass("policy", func() string { return fmt.Sprintf("canned policy %s", messages[0]) })
	default:
		what := "the query has neither Expires nor Policy"
		if res.Mode == ModeCookies {
			what = "neither a CloudFront-Expires nor a CloudFront-Policy cookie"
		}
		return res, t.fail("policy", reject(ReasonPolicyMissing, what))
	}

	// Step 7: key ID trusted. No key set trusts no key.
	var pub crypto.PublicKey
	ok := false
	if keys != nil {
		pub, ok = keys.PublicKey(c.keyID)
	}
	if !ok {
		return res, t.fail("key", reject(ReasonKeyUnknown,
			fmt.Sprintf("key %s is not one of the trusted public keys", c.keyID)))
	}
	t.pass("key", func() string { return fmt.Sprintf("%s is trusted (%s)", c.keyID, DescribeKey(pub)) })

	// Steps 8 to 10: the signature.
	if c.signature == "" {
		return res, t.fail("signature", reject(ReasonSignatureMissing, "the request carries no Signature"))
	}
	sig, err := DecodeBase64(c.signature)
	if err != nil {
		return res, t.fail("signature", reject(ReasonSignatureB64, "the Signature value is not CloudFront base64"))
	}
	matched, reason := verifyAny(pub, h, messages, sig)
	if reason != "" {
		return res, t.fail("signature", reject(reason, explainSignature(pub, h, messages, sig, reason, c.hash == "")))
	}
	if matched == 1 {
		// The URL was signed without the default port the viewer sent.
		res.Resource, res.Policy.Resource = withoutPort, withoutPort
	}
	t.pass("signature", func() string { return fmt.Sprintf("verifies with %s and key %s", h, c.keyID) })

	// Steps 11 to 14: the policy's conditions.
	p := res.Policy
	now := req.Now.Unix()
	if now >= p.DateLessThan {
		return res, t.fail("expiry", reject(ReasonExpired, fmt.Sprintf("expired at %s, %s ago (clock %s)",
			formatEpoch(p.DateLessThan), ago(now-p.DateLessThan), formatEpoch(now))))
	}
	t.pass("expiry", func() string {
		return fmt.Sprintf("valid until %s (%s from now)", formatEpoch(p.DateLessThan), ago(p.DateLessThan-now))
	})
	if p.HasDateGreaterThan() {
		if now <= p.DateGreaterThan {
			return res, t.fail("start", reject(ReasonNotYetValid, fmt.Sprintf("not valid until after %s, %s from now (clock %s)",
				formatEpoch(p.DateGreaterThan), ago(p.DateGreaterThan-now+1), formatEpoch(now))))
		}
		t.pass("start", func() string { return fmt.Sprintf("valid since %s", formatEpoch(p.DateGreaterThan)) })
	}
	if p.SourceIP != "" {
		if !p.AllowsIP(req.ViewerIP) {
			viewer := "unknown"
			if req.ViewerIP.IsValid() {
				viewer = req.ViewerIP.String()
			}
			return res, t.fail("ip-address", reject(ReasonIPMismatch,
				fmt.Sprintf("viewer address %s is not in the policy's AWS:SourceIp %s", viewer, p.SourceIP)))
		}
		t.pass("ip-address", func() string { return fmt.Sprintf("viewer address %s is in %s", req.ViewerIP, p.SourceIP) })
	}
	if !res.Canned && p.Resource != "" {
		if !MatchResource(p.Resource, req.Scheme, req.Host, path, res.Query) {
			return res, t.fail("resource", reject(ReasonResourceMismatch,
				fmt.Sprintf("resource pattern %s does not match the request %s", p.Resource,
					rebuildURL(req.Scheme, req.Host, path, res.Query))))
		}
		t.pass("resource", func() string {
			return fmt.Sprintf("pattern %s matches %s", p.Resource, rebuildURL(req.Scheme, req.Host, path, res.Query))
		})
	} else if !res.Canned {
		t.pass("resource", func() string { return "the policy has no Resource: every URL of a behavior trusting the key" })
	}
	return res, nil
}

// rebuildURL is the signed resource of §5: scheme://host path [?query].
func rebuildURL(scheme, host, path, query string) string {
	n := len(scheme) + 3 + len(host) + len(path)
	if query != "" {
		n += 1 + len(query)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String()
}

// readSigningCookies collects the signing cookies of one Cookie header; the
// first occurrence of a name wins (§2.2).
func readSigningCookies(header string, c *credentials) {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if !isSigningCookie(name) {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		c.set(name, percentDecode(value))
	}
}

// verifyAny returns the index of the message sig verifies over, or the
// reason it verifies over none.
func verifyAny(pub crypto.PublicKey, h HashAlgorithm, messages [][]byte, sig []byte) (int, Reason) {
	for i, m := range messages {
		if verifySignature(pub, h, m, sig) {
			return i, ""
		}
	}
	if _, ok := pub.(*ecdsa.PublicKey); ok && len(sig) == 64 && !(sig[0] == 0x30 && sig[1] == 62) {
		// 64 bytes that do not even start like a 64-byte DER SEQUENCE are
		// raw r||s (§9). A short DER signature can be 64 bytes too, and
		// r may begin with 0x30, so both header bytes are checked.
		return -1, ReasonSignatureNotDER
	}
	return -1, ReasonSignatureMismatch
}

// verifySignature verifies an RSASSA-PKCS1-v1_5 or ASN.1 DER ECDSA signature
// over msg (§9). There is no fallback to the other hash.
func verifySignature(pub crypto.PublicKey, h HashAlgorithm, msg, sig []byte) bool {
	var buf [sha256.Size]byte
	digest := h.digest(&buf, msg)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h.cryptoHash(), digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	return false
}

// explainSignature says why a signature failed, trying the other hash
// algorithm so the log and `keyfront verify` can name the likely mistake.
// It runs only for requests already refused.
func explainSignature(pub crypto.PublicKey, h HashAlgorithm, messages [][]byte, sig []byte, reason Reason, defaulted bool) string {
	if reason == ReasonSignatureNotDER {
		return "the ECDSA signature is 64 raw bytes (r||s); CloudFront needs ASN.1 DER"
	}
	other := SHA256
	if h == SHA256 {
		other = SHA1
	}
	for _, m := range messages {
		if verifySignature(pub, other, m, sig) {
			if defaulted {
				return fmt.Sprintf("the signature does not verify with %s (the default); it does with %s, but the request does not say Hash-Algorithm=%s", h, other, other)
			}
			return fmt.Sprintf("the signature does not verify with %s as the request says; it does with %s", h, other)
		}
	}
	return fmt.Sprintf("the signature does not verify with %s over %s: the URL, policy or expiry changed after signing, or it was signed with another key", h, messages[0])
}

// ago formats a number of seconds for a person.
func ago(sec int64) string {
	if sec < 0 {
		sec = -sec
	}
	d := time.Duration(sec) * time.Second
	switch {
	case d < time.Minute:
		return strconv.FormatInt(sec, 10) + " s"
	case d < 48*time.Hour:
		return d.String()
	}
	days := sec / 86400
	rest := time.Duration(sec%86400) * time.Second
	return strconv.FormatInt(days, 10) + " days " + rest.String()
}
