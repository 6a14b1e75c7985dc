package edge

import (
	"crypto/sha256"
	"net/http"
	"slices"
	"strings"
	"time"

	"keyfront"
	"keyfront/model"
	"keyfront/signing"
)

// snapshot is an immutable view of the configuration: everything a
// request needs, parsed. Server.snap points to the current one; the feed
// (feed.go) builds the next one from it and what changed.
type snapshot struct {
	// revision is the store revision whose configuration this is.
	revision keyfront.Revision
	// hosts maps a lower-case host name without port (a distribution's
	// domain name or one of its Aliases) to its distribution.
	hosts map[string]*distribution
	dists map[keyfront.DistributionID]*distribution
	// known summarises the hosts of enabled distributions, for the log
	// line of a request whose Host is none of them. It is computed on
	// first use: sorting every host name at each change would make a
	// change cost grow with the number of distributions, for a log line
	// most snapshots never write.
	known func() knownHosts
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

	// hosts are the canonical host names the distribution claims: its
	// domain name and Aliases.
	hosts []string
	// The records the distribution was built from besides its own: the
	// key groups its behaviors name, the origin access controls its
	// origins name, and whether a behavior trusts every key of the
	// account (TrustedSigners). A change to one of them rebuilds it.
	groupDeps []keyfront.KeyGroupID
	oacDeps   []string
	selfDep   bool
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

// buildDistribution builds a distribution from its record, its decoded
// configuration and the records it refers to. Problems in it (a key that
// does not parse, a missing origin) are logged and confined to it.
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
	for _, h := range append([]string{d.DomainName}, cfg.Aliases...) {
		if h = canonicalHost(h); h != "" && !slices.Contains(dist.hosts, h) {
			dist.hosts = append(dist.hosts, h)
		}
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
		if id := o.OriginAccessControlID; id != "" && !slices.Contains(dist.oacDeps, id) {
			dist.oacDeps = append(dist.oacDeps, id)
		}
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
		// Every group a behavior names, trusted or not yet: rebuilding a
		// distribution more often than needed costs little, missing one
		// would leave a removed key accepted.
		for _, g := range cb.TrustedKeyGroups.Items {
			if !slices.Contains(dist.groupDeps, g) {
				dist.groupDeps = append(dist.groupDeps, g)
			}
		}
		dist.selfDep = dist.selfDep || trustsAccount(cb, s.cfg.AccountID)
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
		if keys[id] != nil && s.state.parsed[id].err == nil {
			sorted = append(sorted, id)
		}
	}
	slices.Sort(sorted)
	m := make(signing.KeyMap, len(sorted))
	h := sha256.New()
	for _, id := range sorted {
		m[string(id)] = s.state.parsed[id].key
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
