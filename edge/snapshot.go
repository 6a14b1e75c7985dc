package edge

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"slices"
	"strings"
	"time"

	"keyfront"
	"keyfront/model"
	"keyfront/signing"
)

// storeState is what one read of the store returns: every record the edge
// uses, and a fingerprint of their IDs and ETags.
type storeState struct {
	dists       []*keyfront.Distribution
	groups      []*keyfront.KeyGroup
	keys        []*keyfront.PublicKey
	oacs        []*keyfront.OriginAccessControl
	fingerprint [32]byte
}

// readStore lists the configuration in one read transaction. It is what
// the poller runs every ReloadInterval, so it parses nothing.
func readStore(ctx context.Context, st keyfront.Store) (*storeState, error) {
	var s storeState
	err := st.View(ctx, func(tx keyfront.Tx) error {
		var err error
		if s.dists, err = tx.ListDistributions(ctx, keyfront.Page{}); err != nil {
			return err
		}
		if s.groups, err = tx.ListKeyGroups(ctx, keyfront.Page{}); err != nil {
			return err
		}
		if s.keys, err = tx.ListPublicKeys(ctx, keyfront.Page{}); err != nil {
			return err
		}
		s.oacs, err = tx.ListOriginAccessControls(ctx, keyfront.Page{})
		return err
	})
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	field := func(kind byte, parts ...string) {
		h.Write([]byte{kind})
		for _, p := range parts {
			var n [4]byte
			binary.BigEndian.PutUint32(n[:], uint32(len(p)))
			h.Write(n[:])
			h.Write([]byte(p))
		}
	}
	for _, d := range s.dists {
		field('d', string(d.ID), d.ETag, boolString(d.Enabled))
	}
	for _, g := range s.groups {
		field('g', string(g.ID), g.ETag)
	}
	for _, k := range s.keys {
		// A key's material never changes under one ID (UpdatePublicKey
		// cannot change EncodedKey), but hashing it costs nothing here.
		field('k', string(k.ID), k.ETag, k.EncodedKey)
	}
	for _, o := range s.oacs {
		field('o', o.ID, o.ETag, o.SigningBehavior)
	}
	h.Sum(s.fingerprint[:0])
	return &s, nil
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// snapshot is an immutable view of the configuration: everything a
// request needs, parsed. Server.snap points to the current one.
type snapshot struct {
	fingerprint [32]byte
	// hosts maps a lower-case host name without port (a distribution's
	// domain name or one of its Aliases) to its distribution.
	hosts map[string]*distribution
	dists map[keyfront.DistributionID]*distribution
	// known summarises the hosts of enabled distributions, for the log
	// line of a request whose Host is none of them.
	known knownHosts
	// groups and keys are the account's key groups and public keys (nil
	// error: the key parsed), for Explain to say where an untrusted key
	// is; requests use only each behavior's keys.
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup
	keys   map[keyfront.KeyPairID]error
}

// distribution is one distribution as the edge serves it.
type distribution struct {
	id          keyfront.DistributionID
	arn         string
	domain      string // the distribution's domain name, for the access log
	enabled     bool
	defaultRoot string // "" or an escaped path without leading slash
	// behaviors are the CacheBehaviors in order, then the default one.
	behaviors []*behavior
	// errorTTL is ErrorCachingMinTTL by status, from CustomErrorResponses.
	errorTTL map[int]time.Duration
}

// match returns the first behavior whose PathPattern matches the
// normalised path; the default behavior matches everything.
func (d *distribution) match(path string) *behavior {
	for _, b := range d.behaviors {
		if b.isDefault || matchPathPattern(b.pattern, path) {
			return b
		}
	}
	return d.behaviors[len(d.behaviors)-1]
}

// behavior is one cache behavior, ready to apply.
type behavior struct {
	pattern      string // with a leading "/"
	isDefault    bool
	viewerPolicy string // "allow-all", "https-only" or "redirect-to-https"
	allowed      methodSet
	cached       methodSet
	// restricted says the behavior requires signed URLs or cookies; keys
	// are then exactly the public keys of its trusted key groups (or of
	// the account, for TrustedSigners), and keySet their fingerprint.
	restricted bool
	keys       signing.KeyMap
	keySet     [32]byte
	origin     *origin // nil when TargetOriginId names no origin
	targetID   string
	policy     *requestPolicy
	response   *responsePolicy // nil without a managed response headers policy

	// groups are the enabled TrustedKeyGroups as configured, and
	// trustSelf says TrustedSigners trusts the account's keys; Explain
	// names them.
	groups    []keyfront.KeyGroupID
	trustSelf bool
}

// methodSet is a set of HTTP methods.
type methodSet uint8

const (
	mGET methodSet = 1 << iota
	mHEAD
	mOPTIONS
	mPUT
	mPOST
	mPATCH
	mDELETE
)

func methodBit(m string) methodSet {
	switch m {
	case http.MethodGet:
		return mGET
	case http.MethodHead:
		return mHEAD
	case "OPTIONS":
		return mOPTIONS
	case "PUT":
		return mPUT
	case "POST":
		return mPOST
	case "PATCH":
		return mPATCH
	case "DELETE":
		return mDELETE
	}
	return 0
}

func newMethodSet(ms []string) methodSet {
	var s methodSet
	for _, m := range ms {
		s |= methodBit(strings.ToUpper(m))
	}
	if s == 0 {
		s = mGET | mHEAD // CloudFront's default
	}
	return s
}

func (s methodSet) has(m string) bool {
	b := methodBit(m)
	return b != 0 && s&b != 0
}

// parseCache keeps what is expensive to rebuild across snapshots: parsed
// distribution configurations by ID and ETag, parsed public keys by ID and
// PEM. Guarded by Server.reloadMu.
type parseCache struct {
	configs map[keyfront.DistributionID]parsedConfig
	keys    map[keyfront.KeyPairID]parsedKey
}

type parsedConfig struct {
	etag string
	cfg  *model.DistributionConfig
	err  error
}

type parsedKey struct {
	pem string
	key crypto.PublicKey
	err error
}

// build turns a store read into a snapshot. Problems in one distribution
// (an unparseable configuration, a key that does not parse, a missing
// origin) are logged and confined to it.
func (s *Server) build(st *storeState) *snapshot {
	if s.parsed.configs == nil {
		s.parsed.configs = map[keyfront.DistributionID]parsedConfig{}
		s.parsed.keys = map[keyfront.KeyPairID]parsedKey{}
	}

	// Public keys, parsed once per ID and PEM (signed-urls.md §10).
	keys := make(map[keyfront.KeyPairID]*keyfront.PublicKey, len(st.keys))
	seenKeys := make(map[keyfront.KeyPairID]bool, len(st.keys))
	for _, k := range st.keys {
		keys[k.ID] = k
		seenKeys[k.ID] = true
		if pk, ok := s.parsed.keys[k.ID]; ok && pk.pem == k.EncodedKey {
			continue
		}
		pub, err := signing.ParsePublicKey([]byte(k.EncodedKey))
		if err != nil {
			s.log.Warn("edge: public key does not parse; it verifies nothing", "key", k.ID, "err", err)
		}
		s.parsed.keys[k.ID] = parsedKey{pem: k.EncodedKey, key: pub, err: err}
	}
	for id := range s.parsed.keys {
		if !seenKeys[id] {
			delete(s.parsed.keys, id)
		}
	}
	groups := make(map[keyfront.KeyGroupID]*keyfront.KeyGroup, len(st.groups))
	for _, g := range st.groups {
		groups[g.ID] = g
	}
	oacs := make(map[string]*keyfront.OriginAccessControl, len(st.oacs))
	for _, o := range st.oacs {
		oacs[o.ID] = o
	}

	snap := &snapshot{
		fingerprint: st.fingerprint,
		hosts:       map[string]*distribution{},
		dists:       map[keyfront.DistributionID]*distribution{},
		groups:      groups,
		keys:        make(map[keyfront.KeyPairID]error, len(keys)),
	}
	for id := range keys {
		snap.keys[id] = s.parsed.keys[id].err
	}
	seenDists := map[keyfront.DistributionID]bool{}
	for _, d := range st.dists {
		seenDists[d.ID] = true
		pc, ok := s.parsed.configs[d.ID]
		changed := !ok || pc.etag != d.ETag
		if changed {
			// What the control API stored is served as it was accepted,
			// not judged again by this edge's rules: an edge of another
			// version must not drop a distribution the API took.
			cfg, err := model.DecodeStored(d.Config)
			pc = parsedConfig{etag: d.ETag, cfg: cfg, err: err}
			s.parsed.configs[d.ID] = pc
			if err != nil {
				s.log.Warn("edge: distribution configuration does not parse; the distribution is not served", "distribution", d.ID, "err", err)
			}
		}
		if pc.err != nil {
			continue
		}
		dist := s.buildDistribution(d, pc.cfg, keys, groups, oacs)
		if changed {
			// Once per configuration (ETag), not per request or reload.
			s.warnHTTPSWithoutTLS(dist)
		}
		snap.dists[d.ID] = dist
		for _, h := range append([]string{d.DomainName}, pc.cfg.Aliases...) {
			h = canonicalHost(h)
			if h == "" {
				continue
			}
			if other, taken := snap.hosts[h]; taken && other.id < dist.id {
				// The control API keeps aliases unique; if two
				// distributions claim one anyway, the lower ID wins so
				// that the choice is stable.
				continue
			}
			snap.hosts[h] = dist
		}
	}
	for id := range s.parsed.configs {
		if !seenDists[id] {
			delete(s.parsed.configs, id)
		}
	}
	snap.known = newKnownHosts(snap.hosts)
	return snap
}

func (s *Server) buildDistribution(d *keyfront.Distribution, cfg *model.DistributionConfig,
	keys map[keyfront.KeyPairID]*keyfront.PublicKey, groups map[keyfront.KeyGroupID]*keyfront.KeyGroup,
	oacs map[string]*keyfront.OriginAccessControl) *distribution {
	dist := &distribution{
		id:       d.ID,
		arn:      model.DistributionARN(s.cfg.AccountID, d.ID),
		domain:   strings.ToLower(d.DomainName),
		enabled:  d.Enabled && cfg.Enabled,
		errorTTL: map[int]time.Duration{},
	}
	if cfg.DefaultRootObject != "" {
		dist.defaultRoot = escapePath(cfg.DefaultRootObject)
	}
	for _, e := range cfg.CustomErrorResponses {
		dist.errorTTL[e.ErrorCode] = e.ErrorCachingMinTTL
	}
	origins := map[string]*origin{}
	for i := range cfg.Origins {
		o := &cfg.Origins[i]
		origins[o.ID] = s.buildOrigin(dist, o, oacs)
	}
	add := func(cb *model.CacheBehavior, isDefault bool) {
		b := &behavior{
			pattern:      patternWithSlash(cb.PathPattern),
			isDefault:    isDefault,
			viewerPolicy: cb.ViewerProtocolPolicy,
			allowed:      newMethodSet(cb.AllowedMethods),
			cached:       newMethodSet(cb.CachedMethods),
			restricted:   cb.Restricted(),
			origin:       origins[cb.TargetOriginID],
			targetID:     cb.TargetOriginID,
			policy:       newRequestPolicy(cb),
			response:     newResponsePolicy(cb.ResponseHeadersPolicyID),
		}
		if b.origin == nil {
			s.log.Warn("edge: cache behavior targets no origin of the distribution; its requests get 502",
				"distribution", d.ID, "path_pattern", cb.PathPattern, "target", cb.TargetOriginID)
		}
		if b.restricted {
			b.keys, b.keySet = s.trustedKeys(cb, keys, groups)
			if cb.TrustedKeyGroups.Enabled {
				b.groups = cb.TrustedKeyGroups.Items
			}
			b.trustSelf = trustsAccount(cb, s.cfg.AccountID)
		}
		dist.behaviors = append(dist.behaviors, b)
	}
	for i := range cfg.CacheBehaviors {
		add(&cfg.CacheBehaviors[i], false)
	}
	add(&cfg.DefaultCacheBehavior, true)
	return dist
}

// trustedKeys returns the keys a restricted behavior accepts: the public
// keys of its enabled TrustedKeyGroups as stored now, plus every public key
// of the account if TrustedSigners is enabled with "self" or the account ID
// (signed-urls.md §10). The fingerprint names the set, so that a signature
// check remembered under one set is never reused under another.
func (s *Server) trustedKeys(cb *model.CacheBehavior, keys map[keyfront.KeyPairID]*keyfront.PublicKey,
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup) (signing.KeyMap, [32]byte) {
	ids := map[keyfront.KeyPairID]bool{}
	if cb.TrustedKeyGroups.Enabled {
		for _, gid := range cb.TrustedKeyGroups.Items {
			g := groups[gid]
			if g == nil {
				continue
			}
			for _, kid := range g.Items {
				ids[kid] = true
			}
		}
	}
	if trustsAccount(cb, s.cfg.AccountID) {
		for kid := range keys {
			ids[kid] = true
		}
	}
	sorted := make([]keyfront.KeyPairID, 0, len(ids))
	for id := range ids {
		if keys[id] != nil && s.parsed.keys[id].err == nil {
			sorted = append(sorted, id)
		}
	}
	slices.Sort(sorted)
	m := make(signing.KeyMap, len(sorted))
	h := sha256.New()
	for _, id := range sorted {
		m[string(id)] = s.parsed.keys[id].key
		h.Write([]byte(id))
		h.Write([]byte{0})
		pemSum := sha256.Sum256([]byte(keys[id].EncodedKey))
		h.Write(pemSum[:])
	}
	var fp [32]byte
	h.Sum(fp[:0])
	return m, fp
}

// trustsAccount reports whether a behavior's TrustedSigners trusts every
// public key of the account: enabled, naming "self" or the account ID.
func trustsAccount(cb *model.CacheBehavior, account string) bool {
	if !cb.TrustedSigners.Enabled {
		return false
	}
	for _, who := range cb.TrustedSigners.Items {
		if who == "self" || who == account {
			return true
		}
	}
	return false
}

// canonicalHost returns a host as the edge indexes it: lower case, without
// port or a trailing dot (DNS names are case-insensitive, and "name." is
// the same name).
func canonicalHost(h string) string {
	h = stripPort(h)
	h = strings.TrimSuffix(h, ".")
	return strings.ToLower(h)
}

// stripPort removes a ":port" suffix from a Host value, leaving IPv6
// literals in brackets intact.
func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		return h[:i]
	}
	return h
}

// patternWithSlash gives a PathPattern its optional leading slash: "the
// behavior is the same with or without the leading /" (API reference,
// CacheBehavior.PathPattern).
func patternWithSlash(p string) string {
	if p == "" || p == "*" {
		return "/*"
	}
	if !strings.HasPrefix(p, "/") {
		return "/" + p
	}
	return p
}

// warnHTTPSWithoutTLS warns about a distribution whose cache behaviors
// want viewers on https (redirect-to-https, https-only) when this edge has
// no TLS listener (Config.HTTPSPort is 0). CloudFront accepts such a
// configuration and so does keyfront: the edge may sit behind a TLS
// terminator on port 443, and a listener may be added later. But a
// newcomer who runs only the plain listener sees every http request
// redirected to https on port 443, where nothing answers, or refused with
// 403; the warning says why. With TrustedProxies configured a terminator
// is the documented deployment (docs/deploy.md) and nothing is logged.
func (s *Server) warnHTTPSWithoutTLS(d *distribution) {
	if s.cfg.HTTPSPort != 0 || len(s.proxies) > 0 {
		return
	}
	var which []string
	for _, b := range d.behaviors {
		if b.viewerPolicy != "redirect-to-https" && b.viewerPolicy != "https-only" {
			continue
		}
		pattern := b.pattern
		if b.isDefault {
			pattern = "default (" + defaultPattern + ")"
		}
		which = append(which, pattern+" "+b.viewerPolicy)
	}
	if len(which) == 0 {
		return
	}
	s.log.Warn("edge: cache behaviors send viewers to https but this edge has no TLS listener",
		"distribution", string(d.id), "behaviors", strings.Join(which, ", "),
		"effect", "http requests get 301 to https://<host>/<path> on port 443 (redirect-to-https) or 403 (https-only)",
		"fix", "serve https with --edge-tls-addr, --tls-cert and --tls-key, or put a TLS terminator on port 443 in front and name it in trusted_proxies, or set ViewerProtocolPolicy to allow-all")
}
