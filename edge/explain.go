package edge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"keyfront"
	"keyfront/signing"
)

// ExplainRequest is the request Explain evaluates: the viewer's URL exactly
// as requested, method, cookies, viewer address and time (see
// keyfront.VerifyRequest). It is the root package's type so that Explain
// can serve controlapi.Config.Explain as it is.
type ExplainRequest = keyfront.VerifyRequest

// Explanation is Explain's answer: the verdict the edge would give (status,
// Code and reason) and each check that led to it (see
// keyfront.VerifyResult).
type Explanation = keyfront.VerifyResult

// Edge reasons of an Explanation, beside the signing package's reasons
// (signed-urls.md §11) for refused signed requests.
const (
	reasonTooLarge    = "too_large"
	reasonBadRequest  = "bad_request"
	reasonUnknownHost = "unknown_host"
	reasonDisabled    = "distribution_disabled"
	reasonHTTPSOnly   = "https_only"
	reasonRedirect    = "redirect_to_https"
	reasonMethod      = "method_not_allowed"
	reasonNoOrigin    = "no_origin"
	reasonPreflight   = "preflight"
	reasonHealthCheck = "health_check"
)

// defaultPattern is the PathPattern an Explanation names for the default
// cache behavior.
const defaultPattern = "*"

// Explain evaluates a request exactly as ServeHTTP would decide it, against
// the current configuration, and says why: which distribution the Host
// selects, which cache behavior the path matches, whether the protocol and
// method are allowed, whether the behavior is restricted and which key
// groups it trusts, then each signature check (signing.Explain) against
// exactly that behavior's keys, with keyfront's own diagnoses: the key
// group an untrusted key is in, which part of a Resource pattern does not
// match, the clock an expiry was judged by.
//
// The verdict comes from the same decision function ServeHTTP acts on, so
// the two cannot disagree; Explain only skips the signature memo, which
// never changes a verdict (signed-urls.md §16). Nothing is fetched: a
// request the edge would pass on is reported as served with status 200,
// whatever the cache or origin would answer. The request has no headers
// beyond Host and Cookie: it is never a CORS preflight, and its size
// against CloudFront's 20,480-byte limit counts only those.
//
// It returns a *keyfront.Error with code EINVALID if the request is not
// one a viewer could send: a URL that is not absolute http(s), an empty
// host, a method that is not an HTTP token.
func (s *Server) Explain(ctx context.Context, in ExplainRequest) (*Explanation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scheme, host, uri, err := signing.SplitURL(in.URL)
	if err != nil {
		return nil, keyfront.Errorf(keyfront.EINVALID, "%v", err)
	}
	method := in.Method
	if method == "" {
		method = http.MethodGet
	}
	if !isToken(method) {
		return nil, keyfront.Errorf(keyfront.EINVALID, "method %q is not an HTTP method, e.g. GET", method)
	}
	ex := &Explanation{Time: in.Time.UTC(), ServerClock: in.Time.IsZero()}
	if ex.ServerClock {
		ex.Time = s.now().UTC()
	}
	t := &trace{serverClock: ex.ServerClock}

	// net/http answers 400 itself, before any handler, to a request-target
	// it cannot parse (a bad escape in the path); the edge never sees it.
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		t.fail("request", reasonBadRequest, fmt.Sprintf("the request-target %s does not parse (%v): the HTTP server answers 400 before the edge sees it", uri, unwrapURLError(err)))
		ex.Status, ex.Reason, ex.Detail = http.StatusBadRequest, reasonBadRequest, t.detail
		ex.Checks = t.checks
		return ex, nil
	}
	r := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
		Host:       host,
		RequestURI: uri,
	}
	for _, c := range in.Cookies {
		r.Header.Add("Cookie", c)
	}
	rq := &request{id: "-", now: ex.Time, scheme: scheme, viewerIP: in.ViewerIP.Unmap()}
	snap := s.snap.Load()
	act, e := s.decide(snap, r, rq, t)

	if rq.dist != nil {
		ex.Distribution, ex.DomainName = rq.dist.id, rq.dist.domain
	}
	if b := rq.beh; b != nil {
		ex.PathPattern, ex.DefaultBehavior = b.pattern, b.isDefault
		if b.isDefault {
			ex.PathPattern = defaultPattern
		}
		ex.Restricted, ex.TrustsAccount = b.restricted, b.trustSelf
		for _, g := range b.groups {
			ex.TrustedKeyGroups = append(ex.TrustedKeyGroups, groupName(snap, g))
		}
	}
	switch act {
	case actServe:
		if err := s.unreachable(rq.beh); err != nil {
			t.fail("origin", reasonNoOrigin, err.Error()+": a request the cache cannot answer gets 502")
			ex.Status, ex.Reason, ex.Detail = http.StatusBadGateway, reasonNoOrigin, t.detail
			break
		}
		t.pass("origin", describeOrigin(rq.beh.origin)+"; what it answers (a bucket policy's 403, a 404) is not evaluated here")
		ex.Served, ex.Status = true, http.StatusOK
	case actRefuse:
		ex.Status = e.status()
		if e.kind == errSigned {
			ex.Code, ex.Reason = e.rejection.Code.String(), string(e.rejection.Reason)
			// The failing check's detail, with keyfront's diagnosis.
			ex.Detail = e.rejection.Detail
			if d := t.failed(); d != "" {
				ex.Detail = d
			} else {
				t.fail("signature", ex.Reason, ex.Detail)
			}
		} else {
			ex.Reason, ex.Detail = t.reason, t.detail
		}
	case actRedirect:
		ex.Status, ex.Reason, ex.Detail = http.StatusMovedPermanently, reasonRedirect, t.detail
		ex.Location = s.redirectLocation(r, rq)
	case actPreflight:
		ex.Status, ex.Reason, ex.Detail = http.StatusOK, reasonPreflight, "a CORS preflight: the edge answers it itself"
	case actHealth:
		ex.Status, ex.Reason, ex.Detail = http.StatusOK, reasonHealthCheck, "the edge answers its health check"
	}
	ex.Checks = t.checks
	return ex, nil
}

// trace records decide's steps for Explain, in order. Only Explain makes
// one: ServeHTTP passes nil, so its path formats nothing.
type trace struct {
	checks []keyfront.Check
	// reason and detail are the failing step's.
	reason, detail string
	// serverClock says the request is judged by the edge's clock.
	serverClock bool
	// snap, dist and beh are what decide chose, for the diagnoses.
	snap *snapshot
	dist *distribution
	beh  *behavior
}

func (t *trace) pass(name, detail string) {
	t.checks = append(t.checks, keyfront.Check{Name: name, OK: true, Detail: detail})
}

func (t *trace) fail(name, reason, detail string) {
	t.checks = append(t.checks, keyfront.Check{Name: name, Detail: detail})
	t.reason, t.detail = reason, detail
}

// failed returns the detail of the failing check, "" if none failed.
func (t *trace) failed() string {
	for _, c := range t.checks {
		if !c.OK {
			return c.Detail
		}
	}
	return ""
}

func (t *trace) tooLarge(urlBytes, reqBytes int) {
	if urlBytes > maxURLBytes {
		t.fail("size", reasonTooLarge, fmt.Sprintf("the URL is %d bytes, over CloudFront's limit of %d: 413 and the connection is closed", urlBytes, maxURLBytes))
		return
	}
	t.fail("size", reasonTooLarge, fmt.Sprintf("the request line and headers are %d bytes, over CloudFront's limit of %d: 413 and the connection is closed", reqBytes, maxRequestBytes))
}

func (t *trace) health(host string) {
	t.pass("host", fmt.Sprintf("no enabled distribution has the host %s; the edge answers GET /healthz itself there", host))
}

func (t *trace) unknownHost(host string, d *distribution) {
	if d != nil {
		t.dist = d
		t.fail("host", reasonDisabled, fmt.Sprintf("%s is distribution %s (%s), which is disabled", host, d.id, d.domain))
		return
	}
	t.fail("host", reasonUnknownHost, fmt.Sprintf("no distribution has the domain name or alias %s (hosts are matched without the port)", canonicalHost(host)))
}

func (t *trace) host(host string, d *distribution) {
	t.dist = d
	what := "distribution"
	if canonicalHost(host) != d.domain {
		what = "an alias of distribution"
	}
	t.pass("host", fmt.Sprintf("%s is %s %s (%s)", host, what, d.id, d.domain))
}

func (t *trace) behavior(rq *request, d *distribution, b *behavior) {
	t.beh = b
	path := rq.rawPath
	if rq.normPath != rq.rawPath {
		path += " (normalised " + rq.normPath + ")"
	}
	if rq.path != rq.normPath {
		path += " (the default root object " + rq.path + ")"
	}
	if b.isDefault {
		t.pass("behavior", fmt.Sprintf("path %s matches no cache behavior's PathPattern: the default behavior (*) applies", path))
		return
	}
	n := slices.Index(d.behaviors, b) + 1
	t.pass("behavior", fmt.Sprintf("path %s matches PathPattern %s (cache behavior %d of %d)", path, b.pattern, n, len(d.behaviors)-1))
}

func (t *trace) redirect(location string) {
	t.fail("protocol", reasonRedirect, "the behavior redirects http to https (redirect-to-https): 301 to "+location)
}

func (t *trace) httpsOnly() {
	t.fail("protocol", reasonHTTPSOnly, "the behavior accepts only https (https-only) and the request is http")
}

func (t *trace) protocol(scheme string, b *behavior) {
	t.pass("protocol", fmt.Sprintf("%s is allowed (%s)", scheme, b.viewerPolicy))
}

func (t *trace) method(m string, b *behavior, ok bool) {
	if ok {
		t.pass("method", fmt.Sprintf("%s is allowed (%s)", m, b.allowed))
		return
	}
	t.fail("method", reasonMethod, fmt.Sprintf("%s is not among the behavior's AllowedMethods (%s)", m, b.allowed))
}

func (t *trace) preflight() {
	t.pass("preflight", "a CORS preflight: the edge answers it before any signature check")
}

func (t *trace) restricted(snap *snapshot, b *behavior) {
	t.snap = snap
	if !b.restricted {
		t.pass("restricted", "no: the behavior trusts no key group, so no signature is checked (signing parameters, if any, reach the origin)")
		return
	}
	var trusts []string
	if len(b.groups) > 0 {
		names := make([]string, len(b.groups))
		for i, g := range b.groups {
			names[i] = groupName(snap, g)
		}
		kind := "key group "
		if len(names) > 1 {
			kind = "key groups "
		}
		trusts = append(trusts, kind+strings.Join(names, ", "))
	}
	if b.trustSelf {
		trusts = append(trusts, "every public key of the account (TrustedSigners)")
	}
	if len(trusts) == 0 {
		trusts = append(trusts, "signers of another account, which keyfront does not know")
	}
	ids := make([]string, 0, len(b.keys))
	for id := range b.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	keys := "no usable key"
	if len(ids) > 0 {
		keys = strings.Join(ids, ", ")
	}
	t.pass("restricted", fmt.Sprintf("yes: a signed URL or signed cookies are required; the behavior trusts %s; its keys: %s", strings.Join(trusts, " and "), keys))
}

// signature records signing.Explain's checks, adding keyfront's
// diagnoses to the failing one.
func (t *trace) signature(req *signing.Request, res *signing.Result, checks []signing.Check) {
	for _, c := range checks {
		detail := c.Detail
		if !c.OK {
			switch c.Name {
			case "key":
				detail = t.keyDiagnosis(res.KeyPairID)
			case "resource":
				if res.Policy != nil {
					path, _ := splitTarget(req.RequestURI)
					detail += "; " + resourceHint(res.Policy.Resource, req.Scheme, req.Host, path, res.Query)
				}
			}
		}
		if (c.Name == "expiry" || c.Name == "start") && t.serverClock {
			detail = strings.Replace(detail, "(clock ", "(server clock ", 1)
		}
		if c.OK {
			t.pass(c.Name, detail)
		} else {
			t.checks = append(t.checks, keyfront.Check{Name: c.Name, Detail: detail})
		}
	}
}

// keyDiagnosis says why a key ID is not among the matched behavior's
// trusted keys: no such key, a key that does not parse, or a key in a key
// group this behavior does not trust (and which behaviors do).
func (t *trace) keyDiagnosis(kid string) string {
	b, snap := t.beh, t.snap
	id := keyfront.KeyPairID(kid)
	var trusts []string
	for _, g := range b.groups {
		trusts = append(trusts, groupName(snap, g))
	}
	if b.trustSelf {
		trusts = append(trusts, "every public key of the account")
	}
	trusted := "the behavior trusts no key group"
	if len(trusts) > 0 {
		trusted = "the behavior trusts " + strings.Join(trusts, ", ")
	}
	perr, exists := snap.keys[id]
	if !exists {
		return fmt.Sprintf("no public key of this account has the ID %s (%s)", kid, trusted)
	}
	var in, inTrusted []string
	for gid, g := range snap.groups {
		if slices.Contains(g.Items, id) {
			in = append(in, groupName(snap, gid))
			if slices.Contains(b.groups, gid) {
				inTrusted = append(inTrusted, groupName(snap, gid))
			}
		}
	}
	slices.Sort(in)
	switch {
	case perr != nil:
		return fmt.Sprintf("key %s does not parse (%v), so it verifies nothing", kid, perr)
	case len(inTrusted) > 0:
		// Trusted and parsed, yet not among the behavior's keys: the
		// configuration changed between two reads.
		return fmt.Sprintf("key %s is in key group %s, which the behavior trusts, but the edge's configuration does not have it yet", kid, strings.Join(inTrusted, ", "))
	}
	msg := fmt.Sprintf("key %s is in no key group (%s)", kid, trusted)
	if len(in) == 1 {
		msg = fmt.Sprintf("key %s is in key group %s, which this behavior does not trust (%s)", kid, in[0], trusted)
	} else if len(in) > 1 {
		msg = fmt.Sprintf("key %s is in key groups %s, which this behavior does not trust (%s)", kid, strings.Join(in, ", "), trusted)
	}
	var others []string
	for _, ob := range t.dist.behaviors {
		if ob != b && ob.keys[kid] != nil {
			if ob.isDefault {
				others = append(others, "the default behavior (*)")
			} else {
				others = append(others, ob.pattern)
			}
		}
	}
	if len(others) > 0 {
		msg += "; of this distribution, " + strings.Join(others, ", ") + " trust it"
	}
	return msg
}

// groupName names a key group for a person: "name (id)", or the ID and
// "(no such key group)" for a trusted group that does not exist.
func groupName(snap *snapshot, id keyfront.KeyGroupID) string {
	g := snap.groups[id]
	if g == nil {
		return string(id) + " (no such key group)"
	}
	return g.Name + " (" + string(id) + ")"
}

// resourceHint says which section of a custom policy's Resource pattern
// (signed-urls.md §6) does not match the request: the protocol, the
// domain, or the path and query.
func resourceHint(pattern, scheme, host, path, query string) string {
	protoPat, rest, ok := strings.Cut(pattern, "://")
	if !ok {
		return "the pattern has no protocol:// section and does not start with *"
	}
	if !signing.MatchResource(protoPat+"://*", scheme, host, path, query) {
		return fmt.Sprintf("the pattern's protocol %s does not match the request's %s", protoPat, scheme)
	}
	domPat, tail := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		domPat, tail = rest[:i], rest[i:]
	}
	if !signing.MatchResource("*://"+domPat+"/*", scheme, host, path, query) {
		how := "compared without the port"
		if strings.Contains(domPat, ":") {
			how = "port included"
		}
		return fmt.Sprintf("the pattern's host %s does not match the request's host %s (%s)", domPat, host, how)
	}
	if tail == "" {
		tail = "/"
	}
	hint := fmt.Sprintf("the pattern's path %s does not match the request's path %s", tail, path)
	if query != "" {
		hint += " and query ?" + query
		if !strings.HasSuffix(tail, "*") && !strings.Contains(tail, "?") {
			hint += " (a pattern without a trailing * or a query admits no query string)"
		}
	}
	return hint
}

// describeOrigin names the origin a behavior's requests go to.
func describeOrigin(o *origin) string {
	if o.s3 {
		return fmt.Sprintf("the request goes to the cache or S3 origin %s (bucket %s)", o.id, o.bucket)
	}
	return fmt.Sprintf("the request goes to the cache or custom origin %s (%s)", o.id, o.host)
}

// String lists the methods in CloudFront's order, e.g. "GET, HEAD".
func (s methodSet) String() string {
	names := [...]string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
	var out []string
	for i, n := range names {
		if s&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2), as a
// method must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// unwrapURLError returns the cause inside a *url.Error, whose own message
// repeats the URL.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
