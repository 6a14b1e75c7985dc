package edge

import (
	"crypto/sha256"
	"errors"
	"hash"
	"net/http"
	"strings"
	"sync"

	"keyfront/signing"
)

// checkSignature verifies the signed URL or signed cookies of a request to
// a restricted behavior (signed-urls.md §11) against exactly the keys of
// the behavior, as of the current snapshot.
//
// Successful checks are remembered (§16): the memo key is a hash of the
// behavior's key-set fingerprint and every signing credential the request
// carries, so a hit means "these credentials were verified under this very
// key set". A hit still re-checks, per request, everything that depends on
// the request rather than the credentials: expiry, start, viewer address,
// and the resource (the rebuilt URL for a canned policy, the Resource
// pattern for a custom one). A hit that fails any of them, and every miss,
// runs signing.Verify, which gives the exact rejection. Failures are never
// remembered. Either way, checkNormalised then holds a custom policy to
// the path the edge will actually serve.
//
// For Explain (t not nil) the memo is neither read nor written: the
// verdict is then signing.Verify's own, which the tests compare with what
// ServeHTTP, memo and all, answers. signing.Explain adds the steps one by
// one; it stops at the failure Verify reports.
func (s *Server) checkSignature(r *http.Request, rq *request, t *trace) (*signing.Result, *edgeError) {
	b := rq.beh
	req := signing.Request{
		Scheme:     rq.scheme,
		Host:       r.Host,
		RequestURI: r.RequestURI,
		Cookies:    r.Header["Cookie"],
		ViewerIP:   rq.viewerIP,
		Now:        rq.now,
	}
	if t != nil {
		res, checks := signing.Explain(&req, b.keys)
		t.signature(&req, res, checks)
	}
	var key memoKey
	useMemo := s.memo != nil && t == nil
	if useMemo {
		key = credentialKey(b.keySet, rq.rawQuery, req.Cookies)
		if res, ok := s.memo.get(key, rq.now.Unix()); ok {
			if revalidate(res, &req, rq) {
				s.metrics.memo.WithLabelValues("hit").Inc()
				return res, traceNormalised(res, &req, rq, t)
			}
		}
		s.metrics.memo.WithLabelValues("miss").Inc()
	}
	res, err := signing.Verify(&req, b.keys)
	if err != nil {
		rej := &signing.Rejection{}
		if !errors.As(err, &rej) {
			rej = &signing.Rejection{Code: signing.AccessDenied, Reason: signing.ReasonSignatureMismatch, Detail: err.Error()}
		}
		e := &edgeError{kind: errSigned, rejection: rej}
		if res != nil && res.Canned {
			e.resource = res.Resource
		}
		return nil, e
	}
	if useMemo && res.Policy != nil {
		s.memo.put(key, res, res.Policy.DateLessThan)
	}
	return res, traceNormalised(res, &req, rq, t)
}

// traceNormalised is checkNormalised, recording a refusal for Explain.
func traceNormalised(res *signing.Result, req *signing.Request, rq *request, t *trace) *edgeError {
	e := checkNormalised(res, req, rq)
	if e != nil && t != nil {
		t.fail("resource", string(e.rejection.Reason), e.rejection.Detail)
	}
	return e
}

// checkNormalised refuses a custom policy's request whose raw path matched
// the policy's Resource (§6) but whose normalised path, the one the edge
// routes, caches and fetches, does not: "/x/../secret" matches
// "https://host/x/*" and would otherwise fetch "/secret" (route.go,
// normalizePath). Paths that normalise without changing their segments
// are not re-checked.
func checkNormalised(res *signing.Result, req *signing.Request, rq *request) *edgeError {
	p := res.Policy
	if res.Canned || p == nil || p.Resource == "" || !restructures(rq.rawPath) {
		return nil
	}
	query := rq.rawQuery
	if res.Mode == signing.ModeURL {
		query = signing.StripQuery(query)
	}
	if signing.MatchResource(p.Resource, req.Scheme, req.Host, rq.normPath, query) {
		return nil
	}
	return &edgeError{kind: errSigned, rejection: &signing.Rejection{
		Code: signing.AccessDenied, Reason: signing.ReasonResourceMismatch,
		Detail: "the path " + rq.rawPath + " normalises to " + rq.normPath + ", which the policy's resource " + p.Resource + " does not match",
	}}
}

// revalidate re-checks a remembered result against the request: the
// checks of signed-urls.md §11 steps 11 to 14, which depend on the time,
// the viewer and the URL rather than on the credentials.
func revalidate(res *signing.Result, req *signing.Request, rq *request) bool {
	p := res.Policy
	now := req.Now.Unix()
	if p == nil || now >= p.DateLessThan {
		return false
	}
	if p.HasDateGreaterThan() && now <= p.DateGreaterThan {
		return false
	}
	if p.SourceIP != "" && !p.AllowsIP(req.ViewerIP) {
		return false
	}
	query := rq.rawQuery
	if res.Mode == signing.ModeURL {
		query = signing.StripQuery(query)
	}
	if res.Canned {
		// The canned message is the rebuilt URL: the remembered
		// signature covers this request only if it rebuilds the same
		// (§4.1, §5), with or without a default port.
		if rebuiltEquals(res.Resource, req.Scheme, req.Host, rq.rawPath, query) {
			return true
		}
		name, port, ok := strings.Cut(req.Host, ":")
		if ok && (req.Scheme == "https" && port == "443" || req.Scheme == "http" && port == "80") {
			return rebuiltEquals(res.Resource, req.Scheme, name, rq.rawPath, query)
		}
		return false
	}
	if p.Resource != "" {
		return signing.MatchResource(p.Resource, req.Scheme, req.Host, rq.rawPath, query)
	}
	return true
}

// rebuiltEquals reports whether url equals scheme://host path[?query]
// without building the string.
func rebuiltEquals(url, scheme, host, path, query string) bool {
	for _, part := range [...]string{scheme, "://", host, path} {
		if !strings.HasPrefix(url, part) {
			return false
		}
		url = url[len(part):]
	}
	if query == "" {
		return url == ""
	}
	return len(url) == 1+len(query) && url[0] == '?' && url[1:] == query
}

// memoKey identifies a set of signing credentials under one key set.
type memoKey [sha256.Size]byte

var hashPool = sync.Pool{New: func() any { return sha256.New() }}

// credentialKey hashes the key set's fingerprint with every credential a
// request carries: in URL mode each raw query item whose name is, or may
// decode to, a signing parameter name; in cookie mode each raw cookie
// pair whose name is a signing cookie name. That is a superset of what
// signing.Verify reads (the first occurrence of each name, decoded), in
// order, so two requests with the same key present Verify with the same
// credentials. The mode is signing's own: any signing parameter in the
// query makes it a signed URL (§2.3).
func credentialKey(keySet [32]byte, rawQuery string, cookies []string) memoKey {
	h := hashPool.Get().(hash.Hash)
	h.Reset()
	h.Write(keySet[:])
	if signing.HasSigningParams(rawQuery) {
		h.Write([]byte{'U'})
		for rest := rawQuery; rest != ""; {
			var item string
			item, rest, _ = strings.Cut(rest, "&")
			name, _, _ := strings.Cut(item, "=")
			if isSigningParamName(name) || strings.IndexByte(name, '%') >= 0 {
				// '&' cannot occur inside an item: it delimits them.
				h.Write([]byte(item))
				h.Write([]byte{'&'})
			}
		}
	} else {
		h.Write([]byte{'C'})
		for _, header := range cookies {
			for rest := header; rest != ""; {
				var part string
				part, rest, _ = strings.Cut(rest, ";")
				name, _, _ := strings.Cut(part, "=")
				if isSigningCookieName(strings.TrimSpace(name)) {
					// ';' cannot occur inside a pair: it delimits them.
					h.Write([]byte(part))
					h.Write([]byte{';'})
				}
			}
		}
	}
	var k memoKey
	h.Sum(k[:0])
	hashPool.Put(h)
	return k
}

func isSigningParamName(name string) bool {
	switch name {
	case "Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm":
		return true
	}
	return false
}

func isSigningCookieName(name string) bool {
	switch name {
	case signing.CookieExpires, signing.CookiePolicy, signing.CookieSignature, signing.CookieKeyPairID, signing.CookieHashAlgorithm:
		return true
	}
	return false
}

// memo remembers successful signature checks until their policy expires
// (signed-urls.md §16). It is bounded: a full shard first drops expired
// entries, then an arbitrary quarter of the rest.
type memo struct {
	shards   [16]memoShard
	perShard int
}

type memoShard struct {
	mu sync.Mutex // guards m
	m  map[memoKey]memoEntry
}

type memoEntry struct {
	res     *signing.Result // shared and never modified
	expires int64           // the policy's DateLessThan, Unix seconds
}

func newMemo(size int) *memo {
	m := &memo{perShard: max(1, size/len(memo{}.shards))}
	for i := range m.shards {
		m.shards[i].m = make(map[memoKey]memoEntry)
	}
	return m
}

func (m *memo) shard(k memoKey) *memoShard { return &m.shards[k[0]&15] }

// get returns the remembered result for k unless it has expired at now.
func (m *memo) get(k memoKey, now int64) (*signing.Result, bool) {
	sh := m.shard(k)
	sh.mu.Lock()
	e, ok := sh.m[k]
	if ok && now >= e.expires {
		delete(sh.m, k)
		ok = false
	}
	sh.mu.Unlock()
	return e.res, ok
}

// put remembers a successful check until expires.
func (m *memo) put(k memoKey, res *signing.Result, expires int64) {
	sh := m.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[k]; !ok && len(sh.m) >= m.perShard {
		sh.evict(m.perShard)
	}
	sh.m[k] = memoEntry{res: detach(res), expires: expires}
}

// detach returns a copy of res that shares no memory with the request it
// came from: KeyPairID and Query are substrings of the request-target, so
// a remembered result would otherwise keep each request's whole URL alive.
// Query is dropped rather than copied: one entry serves every request with
// the same credentials, whatever the rest of its query, and a hit takes
// the query from the request at hand.
func detach(res *signing.Result) *signing.Result {
	c := *res
	c.KeyPairID = strings.Clone(res.KeyPairID)
	c.Resource = strings.Clone(res.Resource)
	c.Query = ""
	return &c
}

// evict makes room in a full shard: the entries whose policy expired
// soonest are likeliest dead, but finding them costs a sort; dropping a
// quarter at random (map order) is O(n) and keeps hot entries with
// probability 3/4, refilled by the next request that needs them.
func (sh *memoShard) evict(limit int) {
	drop := max(1, limit/4)
	for k := range sh.m {
		delete(sh.m, k)
		drop--
		if drop == 0 {
			return
		}
	}
}
