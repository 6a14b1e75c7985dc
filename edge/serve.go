package edge

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keyfront"
	"keyfront/cache"
	"keyfront/reqbody"
	"keyfront/signing"
)

// ServeHTTP answers a viewer request (see the package documentation for
// the order of the steps).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Bound the viewer's body before anything else: a refused request's
	// unread body is then not waited for either (reqbody).
	body := reqbody.Watch(w, r, reqbody.Limits{Idle: s.cfg.BodyIdleTimeout})
	defer body.Detach()
	rq := s.newRequest(r)
	lw := &logWriter{ResponseWriter: w, start: rq.start}
	s.serve(lw, r, rq)
	s.finish(lw, r, rq)
}

func (s *Server) serve(w *logWriter, r *http.Request, rq *request) {
	act, e := s.decide(s.snap.Load(), r, rq, nil)
	switch act {
	case actRefuse:
		s.writeError(w, r, rq, e)
	case actHealth:
		// DESIGN.md: GET /healthz answers 200 on every listener.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Server", s.server)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "ok\n")
	case actRedirect:
		s.redirectHTTPS(w, r, rq)
	case actPreflight:
		s.answerPreflight(w, rq)
	case actServe:
		if s.cacheable(r, rq) {
			s.serveCached(w, r, rq)
			return
		}
		s.servePass(w, r, rq)
	}
}

// action is what the edge does with a viewer request once decide has
// judged it.
type action uint8

const (
	// actServe: answer from the cache or the origin.
	actServe action = iota
	// actRefuse: answer with decide's *edgeError.
	actRefuse
	// actRedirect: 301 to the https URL (redirect-to-https).
	actRedirect
	// actPreflight: answer a CORS preflight at the edge.
	actPreflight
	// actHealth: GET /healthz on a host that is no distribution's.
	actHealth
)

// decide judges a viewer request against a snapshot, before anything is
// fetched or written: limits, distribution, behavior, protocol, method,
// preflight, and the signed URL or cookies, in the order of the package
// documentation. It is the only place these decisions are made:
// ServeHTTP acts on its answer and Explain reports it, so the two cannot
// disagree. It fills rq (distribution, behavior, paths, the verified
// signature and the query and cookies to forward) and, when t is not nil
// (Explain), records each step in it.
func (s *Server) decide(snap *snapshot, r *http.Request, rq *request, t *trace) (action, *edgeError) {
	rq.hostHeader = r.Host
	// Limits first: nothing of an oversized request is looked at or
	// forwarded (signed-urls.md §10).
	reqBytes, urlBytes := requestSize(r, rq.scheme)
	rq.reqBytes = reqBytes
	if urlBytes > maxURLBytes || reqBytes > maxRequestBytes {
		rq.tooLarge = true
		if t != nil {
			t.tooLarge(urlBytes, reqBytes)
		}
		return actRefuse, &edgeError{kind: errTooLarge}
	}

	dist := snap.hosts[canonicalHost(r.Host)]
	if dist == nil || !dist.enabled {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			// Only on hosts that are no distribution's, whose paths are
			// viewers' to use.
			if t != nil {
				t.health(r.Host)
			}
			return actHealth, nil
		}
		if t != nil {
			t.unknownHost(r.Host, dist)
		}
		return actRefuse, &edgeError{kind: errUnknownHost}
	}
	rq.dist = dist
	if t != nil {
		t.host(r.Host, dist)
	}

	rq.rawPath, rq.rawQuery = splitTarget(r.RequestURI)
	rq.normPath = normalizePath(rq.rawPath)
	rq.path = rq.normPath
	if rq.path == "/" && dist.defaultRoot != "" {
		// The default root object replaces the root before the behavior
		// is chosen, so that the object's own behavior (and its
		// restrictions) applies to it. The signature still covers "/"
		// as the viewer sent it.
		rq.path = "/" + dist.defaultRoot
	}
	b := dist.match(rq.path)
	rq.beh = b
	rq.query = rq.rawQuery
	if t != nil {
		t.behavior(rq, dist, b)
	}

	if rq.scheme == "http" {
		switch b.viewerPolicy {
		case "redirect-to-https":
			if t != nil {
				t.redirect(s.redirectLocation(r, rq))
			}
			return actRedirect, nil
		case "https-only":
			if t != nil {
				t.httpsOnly()
			}
			return actRefuse, &edgeError{kind: errHTTPSOnly}
		}
	}
	if t != nil {
		t.protocol(rq.scheme, b)
	}
	if !b.allowed.has(r.Method) {
		if t != nil {
			t.method(r.Method, b, false)
		}
		return actRefuse, &edgeError{kind: errMethod}
	}
	if t != nil {
		t.method(r.Method, b, true)
	}
	if b.response != nil && b.response.preflight && isPreflight(r) {
		if t != nil {
			t.preflight()
		}
		return actPreflight, nil
	}

	if t != nil {
		t.restricted(snap, b)
	}
	if b.restricted {
		res, e := s.checkSignature(r, rq, t)
		if e != nil {
			return actRefuse, e
		}
		rq.signed = res
		// Neither the signing parameters nor the signing cookies go any
		// further: not into the cache key, not to the origin (§13).
		if res.Mode == signing.ModeURL {
			rq.query = signing.StripQuery(rq.rawQuery)
		}
		rq.stripCookies = true
	}
	return actServe, nil
}

// redirectHTTPS answers an http request to a redirect-to-https behavior
// with 301 and the https URL (Developer Guide, ViewerProtocolPolicy).
func (s *Server) redirectHTTPS(w http.ResponseWriter, r *http.Request, rq *request) {
	rq.result, rq.detailed = "Redirect", "Redirect"
	h := w.Header()
	h.Set("Location", s.redirectLocation(r, rq))
	h.Set("Server", s.server)
	h.Set("Via", s.via)
	h.Set("X-Amz-Cf-Id", rq.id)
	h.Set("X-Cache", "Redirect from cloudfront")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusMovedPermanently)
}

// redirectLocation is the https URL a redirect-to-https behavior sends an
// http request to: the same host (without the port the viewer used for
// http) on the edge's TLS port, the raw path and query. The port is left
// out when it is 443 and when the edge has no TLS listener: CloudFront
// redirects to https on the default port, and keyfront without a TLS
// listener of its own can only be reached over https through a
// terminator, which listens there (Config.HTTPSPort).
func (s *Server) redirectLocation(r *http.Request, rq *request) string {
	host := stripPort(r.Host)
	if p := s.cfg.HTTPSPort; p != 0 && p != 443 {
		host += ":" + strconv.Itoa(p)
	}
	loc := "https://" + host + rq.rawPath
	if rq.rawQuery != "" {
		loc += "?" + rq.rawQuery
	}
	return loc
}

// cacheable reports whether the request may be answered from the cache:
// a cache is configured, the behavior caches, the method is one of its
// CachedMethods (GET or HEAD: OPTIONS is relayed), and a HEAD or a Range
// request finds its object already stored (on a miss they are relayed, so
// that neither a HEAD nor a byte range of a large object fetches the whole
// of it).
func (s *Server) cacheable(r *http.Request, rq *request) bool {
	if s.cfg.Cache == nil || rq.beh.policy.noCache || !rq.beh.cached.has(r.Method) {
		return false
	}
	switch r.Method {
	case http.MethodGet:
		if r.Header.Get("Range") == "" {
			return true
		}
	case http.MethodHead:
	default:
		return false
	}
	e, ok := s.cfg.Cache.GetStale(s.cacheKey(r, rq))
	if !ok {
		return false
	}
	fresh := e.Fresh(s.now())
	e.Close()
	return fresh
}

// cacheKey returns the key an object is stored under: the distribution,
// the normalised path, and the query string, headers and cookies the
// behavior's policy includes — never the signing parameters or signing
// cookies (§13), which are gone from rq.query and filtered here. Aliases
// of one distribution share its objects.
func (s *Server) cacheKey(r *http.Request, rq *request) string {
	pol := rq.beh.policy
	var b strings.Builder
	b.Grow(len(rq.dist.id) + len(rq.path) + len(rq.query) + 2)
	b.WriteString(string(rq.dist.id))
	b.WriteString(rq.path)
	if q := filterQuery(rq.query, pol.keyQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	if pol.keyHeaders.mode == selectListed {
		for _, name := range pol.keyHeaders.names {
			b.WriteString("\x00h:")
			b.WriteString(name)
			b.WriteByte('=')
			if name == "Host" {
				b.WriteString(strings.ToLower(r.Host))
				continue
			}
			b.WriteString(strings.Join(r.Header.Values(name), ","))
		}
	}
	if pol.keyCookies.mode != selectNone {
		b.WriteString("\x00c:")
		b.WriteString(filterCookies(r.Header["Cookie"], pol.keyCookies, true))
	}
	return b.String()
}

// invalidationPath is the Path the cache matches invalidations against:
// "/" + the distribution ID + the normalised path, and "?" + the query
// when the key includes query string parameters (cache.Response.Path).
// The distribution ID keeps one distribution's invalidations off another's
// objects in a cache they share.
func invalidationPath(rq *request) string {
	p := "/" + string(rq.dist.id) + rq.path
	if q := filterQuery(rq.query, rq.beh.policy.keyQuery); q != "" {
		p += "?" + q
	}
	return p
}

// purgePattern turns an invalidation path of a distribution into the
// cache's pattern (see invalidationPath).
func purgePattern(dist keyfront.DistributionID, path string, wildcard bool) string {
	p := "/" + string(dist) + path
	if wildcard {
		p += "*"
	}
	return p
}

// serveCached answers from the cache, filling it from the origin once for
// all concurrent misses of the same key.
func (s *Server) serveCached(w *logWriter, r *http.Request, rq *request) {
	key := s.cacheKey(r, rq)
	c := s.cfg.Cache
	var originStatus int
	e, res, err := c.Fill(r.Context(), key, func(ctx context.Context) (*cache.Response, error) {
		// Revalidate an expired copy rather than fetch it again: a 304
		// makes it a RefreshHit.
		var cond http.Header
		if old, ok := c.GetStale(key); ok {
			cond = validators(old.Header)
			old.Close()
		}
		resp, err := s.fetch(ctx, r, rq, fetchFill, cond)
		if err != nil {
			return nil, err
		}
		originStatus = resp.StatusCode
		h := s.responseHeaders(resp.Header, rq)
		var ttl time.Duration
		pol := rq.beh.policy
		now := s.now()
		if resp.StatusCode >= 400 {
			minTTL, ok := rq.dist.errorTTL[resp.StatusCode]
			if !ok {
				minTTL = 10 * time.Second
			}
			ttl = cache.ErrorTTL(resp.Header, resp.StatusCode, minTTL)
		} else {
			ttl = cache.TTL(resp.Header, resp.StatusCode, pol.minTTL, pol.defaultTTL, pol.maxTTL, now)
		}
		return &cache.Response{Status: resp.StatusCode, Header: h, Body: resp.Body, Path: invalidationPath(rq), TTL: ttl}, nil
	})
	if err != nil {
		var oe *originError
		if errors.As(err, &oe) {
			rq.detailed = originDetail(oe.kind)
			s.writeError(w, r, rq, &edgeError{kind: oe.kind, cause: oe.err})
			return
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			// The viewer went away while waiting for another's fill.
			rq.result, rq.detailed = "Error", "ClientCommError"
			return
		}
		s.writeError(w, r, rq, &edgeError{kind: errOriginResponse, cause: err})
		return
	}
	defer e.Close()
	switch res {
	case cache.Hit, cache.Coalesced:
		rq.result = "Hit"
	case cache.RefreshHit:
		rq.result = "RefreshHit"
	default:
		rq.result = "Miss"
	}
	if e.Status >= 400 || originStatus >= 400 {
		rq.result = "Error"
	}
	rq.detailed = rq.result
	h := w.Header()
	h.Set("Server", s.server)
	h.Set("X-Cache", rq.result+" from cloudfront")
	h.Set("Via", s.via)
	h.Set("X-Amz-Cf-Id", rq.id)
	// Set first: the stored object's own headers replace them, as the
	// managed policies let the origin's headers win.
	rq.beh.response.apply(h)
	e.ServeHTTP(w, r)
}

// validators returns the conditional headers that revalidate a stored
// object: If-None-Match from its ETag, If-Modified-Since from its
// Last-Modified.
func validators(h http.Header) http.Header {
	out := http.Header{}
	if v := h.Get("ETag"); v != "" {
		out.Set("If-None-Match", v)
	}
	if v := h.Get("Last-Modified"); v != "" {
		out.Set("If-Modified-Since", v)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// servePass relays the request to the origin and the response to the
// viewer without storing it.
func (s *Server) servePass(w *logWriter, r *http.Request, rq *request) {
	resp, err := s.fetch(r.Context(), r, rq, fetchPass, nil)
	if err != nil {
		var oe *originError
		if !errors.As(err, &oe) {
			oe = &originError{kind: errOriginResponse, err: err}
		}
		if body, _ := r.Body.(*reqbody.Body); body.TimedOut() {
			// The viewer, not the origin, stalled (and net/http has
			// cancelled the request's context for it).
			rq.detailed = "ClientCommError"
			s.writeError(w, r, rq, &edgeError{kind: errViewerTimeout, cause: err})
			return
		}
		if r.Context().Err() != nil {
			rq.result, rq.detailed = "Error", "ClientCommError"
			return
		}
		rq.detailed = originDetail(oe.kind)
		s.writeError(w, r, rq, &edgeError{kind: oe.kind, cause: oe.err})
		return
	}
	defer resp.Body.Close()
	rq.result = "Miss"
	if resp.StatusCode >= 400 {
		rq.result = "Error"
	}
	rq.detailed = rq.result
	h := w.Header()
	for k, v := range s.responseHeaders(resp.Header, rq) {
		h[k] = v
	}
	if h.Get("Server") == "" {
		h.Set("Server", s.server)
	}
	h.Set("X-Cache", rq.result+" from cloudfront")
	h.Set("Via", s.via)
	h.Set("X-Amz-Cf-Id", rq.id)
	rq.beh.response.apply(h)
	if resp.ContentLength >= 0 && r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		// Headers are out: all that is left is to cut the response
		// short, which the viewer sees as a truncated body.
		rq.detailed = "OriginCommError"
		s.log.Warn("edge: origin body failed", "request_id", rq.id, "distribution", rq.distID(), "err", err)
	}
}

// originDetail is x-edge-detailed-result-type for a failed origin request.
func originDetail(k errKind) string {
	switch k {
	case errOriginTimeout:
		return "OriginReadTimeout"
	case errOriginConnect:
		return "OriginConnectError"
	}
	return "OriginCommError"
}

// Response header fields the edge does not relay: hop-by-hop fields and
// its own.
var neverRelay = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Via": true, "X-Cache": true, "X-Amz-Cf-Id": true, "X-Amz-Cf-Pop": true,
}

// responseHeaders returns the origin's response header fields the viewer
// gets: all but hop-by-hop fields and the edge's own, and Set-Cookie only
// when the behavior forwards cookies (Developer Guide, "HTTP response
// headers that CloudFront removes or replaces").
func (s *Server) responseHeaders(in http.Header, rq *request) http.Header {
	out := make(http.Header, len(in))
	for k, v := range in {
		if neverRelay[k] {
			continue
		}
		if k == "Set-Cookie" && rq.beh.policy.fwdCookies.mode == selectNone {
			continue
		}
		out[k] = v
	}
	return out
}
