package controlapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"keyfront"
)

// DistributionConfig is the part of a distribution's configuration that the
// edge acts on (control-api.md §3.6). The stored configuration holds every
// element the model defines; this is the typed view of the subset keyfront
// uses, produced by ParseDistributionConfig.
type DistributionConfig struct {
	CallerReference   string
	Aliases           []string // alternate domain names (CNAMEs), as sent
	DefaultRootObject string   // "" when none
	Origins           []Origin
	// DefaultCacheBehavior applies when no CacheBehaviors entry matches;
	// its PathPattern is "*".
	DefaultCacheBehavior CacheBehavior
	// CacheBehaviors are matched in order; the first match wins.
	CacheBehaviors       []CacheBehavior
	CustomErrorResponses []CustomErrorResponse
	Comment              string
	Enabled              bool
	HTTPVersion          string // "http1.1", "http2", "http3" or "http2and3"
	PriceClass           string
	IsIPV6Enabled        bool
}

// Origin is where the edge fetches content from.
type Origin struct {
	ID         string
	DomainName string
	OriginPath string // "" or a path starting with "/"
	// CustomHeaders are added to every origin request.
	CustomHeaders []OriginHeader
	// Exactly one of S3 and Custom is set for the origins keyfront serves
	// (a VPC origin has neither).
	S3     *S3Origin
	Custom *CustomOrigin
	// ConnectionAttempts (1–3) and ConnectionTimeout (1–10 s) bound the
	// connection to the origin.
	ConnectionAttempts int
	ConnectionTimeout  time.Duration
	// OriginAccessControlID names the origin access control the edge signs
	// its origin requests with; "" for none.
	OriginAccessControlID string
}

// OriginHeader is a header the edge adds to origin requests.
type OriginHeader struct {
	Name, Value string
}

// S3Origin configures an S3 origin.
type S3Origin struct {
	OriginAccessIdentity string        // legacy OAI; "" with origin access control
	ReadTimeout          time.Duration // 0: the default
}

// CustomOrigin configures an HTTP(S) origin.
type CustomOrigin struct {
	HTTPPort, HTTPSPort int
	ProtocolPolicy      string   // "http-only", "match-viewer" or "https-only"
	SSLProtocols        []string // e.g. "TLSv1.2"
	ReadTimeout         time.Duration
	KeepaliveTimeout    time.Duration
}

// CacheBehavior says how requests whose path matches PathPattern are
// served.
type CacheBehavior struct {
	PathPattern          string // "*" for the default behavior
	TargetOriginID       string
	ViewerProtocolPolicy string // "allow-all", "https-only" or "redirect-to-https"
	// TrustedKeyGroups, when Enabled, restricts the behavior to requests
	// signed with a key of one of these groups (signed-urls.md §10).
	TrustedKeyGroups TrustedKeyGroups
	// TrustedSigners, when Enabled, trusts every public key of the account
	// ("self" or its account ID; signed-urls.md §10).
	TrustedSigners          TrustedSigners
	AllowedMethods          []string
	CachedMethods           []string
	Compress                bool
	SmoothStreaming         bool
	CachePolicyID           string // "" when ForwardedValues is used
	OriginRequestPolicyID   string
	ResponseHeadersPolicyID string
	// ForwardedValues is the legacy cache key setting; nil with a cache
	// policy. The TTLs apply only with ForwardedValues.
	ForwardedValues            *ForwardedValues
	MinTTL, DefaultTTL, MaxTTL time.Duration
}

// TrustedKeyGroups lists the key groups a behavior trusts.
type TrustedKeyGroups struct {
	Enabled bool
	Items   []keyfront.KeyGroupID
}

// TrustedSigners lists the accounts a behavior trusts (legacy).
type TrustedSigners struct {
	Enabled bool
	Items   []string
}

// Restricted reports whether the behavior requires signed URLs or cookies.
func (b *CacheBehavior) Restricted() bool {
	return b.TrustedKeyGroups.Enabled && len(b.TrustedKeyGroups.Items) > 0 ||
		b.TrustedSigners.Enabled && len(b.TrustedSigners.Items) > 0
}

// ForwardedValues is the legacy cache key and origin request setting.
type ForwardedValues struct {
	QueryString          bool
	QueryStringCacheKeys []string
	Cookies              string // "none", "whitelist" or "all"
	CookieNames          []string
	Headers              []string
}

// CustomErrorResponse replaces an error response from the origin.
type CustomErrorResponse struct {
	ErrorCode        int
	ResponsePagePath string // "" for none
	ResponseCode     string // "" to keep ErrorCode
	// ErrorCachingMinTTL is how long the error is cached; 10 s when the
	// configuration leaves it out, as in CloudFront.
	ErrorCachingMinTTL time.Duration
}

// ParseDistributionConfig decodes and validates a DistributionConfig
// element (the bytes stored in keyfront.Distribution.Config, or a request
// body) and returns the typed subset. It applies the defaults and the
// checks that need no store (types, enums, Quantity/Items, TTL order,
// methods, origins); references to key groups and origin access controls
// are not checked.
func ParseDistributionConfig(b []byte) (*DistributionConfig, error) {
	n, err := decodeXML(b, shDistributionConfig, "DistributionConfig")
	if err != nil {
		return nil, err
	}
	applyDistributionDefaults(n)
	if err := validateDistributionConfig(n); err != nil {
		return nil, err
	}
	return typedDistributionConfig(n), nil
}

// ---- defaults ----

const (
	defaultTTL = 86400    // seconds (§3.5)
	maxTTL     = 31536000 // seconds
)

// applyDistributionDefaults fills what CloudFront fills on create and
// update so that GetDistributionConfig is complete (§3.5, from the CLI's
// recorded outputs). It is idempotent: a configuration read back and sent
// again is unchanged.
func applyDistributionDefaults(c *node) {
	qty0 := func(parent *node, name string) {
		if !parent.has(name) {
			parent.ensure(name).setInt("Quantity", 0)
		}
	}
	qty0(c, "Aliases")
	qty0(c, "OriginGroups")
	for _, o := range c.itemsOf("Origins") {
		o.defaultText("OriginPath", "")
		qty0(o, "CustomHeaders")
		if co := o.get("CustomOriginConfig"); co != nil {
			co.defaultText("OriginReadTimeout", "30")
			co.defaultText("OriginKeepaliveTimeout", "5")
		}
		o.defaultText("ConnectionAttempts", "3")
		o.defaultText("ConnectionTimeout", "10")
		if !o.has("OriginShield") {
			o.ensure("OriginShield").setBool("Enabled", false)
		}
		o.defaultText("OriginAccessControlId", "")
	}
	behaviorDefaults(c.get("DefaultCacheBehavior"))
	for _, b := range c.itemsOf("CacheBehaviors") {
		behaviorDefaults(b)
	}
	qty0(c, "CacheBehaviors")
	qty0(c, "CustomErrorResponses")
	lg := c.ensure("Logging")
	lg.defaultText("Enabled", "false")
	lg.defaultText("IncludeCookies", "false")
	lg.defaultText("Bucket", "")
	lg.defaultText("Prefix", "")
	c.defaultText("PriceClass", "PriceClass_All")
	vc := c.ensure("ViewerCertificate")
	source := "cloudfront"
	switch {
	case vc.str("ACMCertificateArn") != "":
		source = "acm"
		vc.defaultText("Certificate", vc.str("ACMCertificateArn"))
	case vc.str("IAMCertificateId") != "":
		source = "iam"
		vc.defaultText("Certificate", vc.str("IAMCertificateId"))
	}
	vc.defaultText("CloudFrontDefaultCertificate", strconv.FormatBool(source == "cloudfront"))
	vc.defaultText("MinimumProtocolVersion", "TLSv1")
	vc.defaultText("CertificateSource", source)
	if !c.has("Restrictions") {
		g := c.ensure("Restrictions").ensure("GeoRestriction")
		g.setText("RestrictionType", "none")
		g.setInt("Quantity", 0)
	}
	c.defaultText("WebACLId", "")
	c.defaultText("HttpVersion", "http2")
	c.defaultText("IsIPV6Enabled", "true")
}

func behaviorDefaults(b *node) {
	if b == nil {
		return
	}
	for _, name := range []string{"TrustedSigners", "TrustedKeyGroups"} {
		if !b.has(name) {
			t := b.ensure(name)
			t.setBool("Enabled", false)
			t.setInt("Quantity", 0)
		}
	}
	if !b.has("AllowedMethods") {
		setQuantityItems(b.ensure("AllowedMethods"), []string{"HEAD", "GET"})
	}
	if am := b.get("AllowedMethods"); !am.has("CachedMethods") {
		setQuantityItems(am.ensure("CachedMethods"), []string{"HEAD", "GET"})
	}
	b.defaultText("SmoothStreaming", "false")
	b.defaultText("Compress", "false")
	for _, name := range []string{"LambdaFunctionAssociations", "FunctionAssociations"} {
		if !b.has(name) {
			b.ensure(name).setInt("Quantity", 0)
		}
	}
	b.defaultText("FieldLevelEncryptionId", "")
	fv := b.get("ForwardedValues")
	if fv == nil {
		return // TTLs come from the cache policy
	}
	for _, name := range []string{"Headers", "QueryStringCacheKeys"} {
		if !fv.has(name) {
			fv.ensure(name).setInt("Quantity", 0)
		}
	}
	b.defaultText("MinTTL", "0")
	lo, _ := b.integer("MinTTL")
	if !b.has("MaxTTL") {
		d, _ := b.integer("DefaultTTL")
		b.setInt("MaxTTL", max(maxTTL, d, lo))
	}
	if !b.has("DefaultTTL") {
		hi, _ := b.integer("MaxTTL")
		b.setInt("DefaultTTL", min(max(defaultTTL, lo), hi))
	}
}

// ---- validation that needs no store ----

// validateDistributionConfig applies the field rules of §3.5 and §7 that
// depend on the configuration alone.
func validateDistributionConfig(c *node) error {
	const p = "DistributionConfig"
	if err := checkCallerReference(p, c.str("CallerReference")); err != nil {
		return err
	}
	if err := checkComment(p, c.str("Comment")); err != nil {
		return err
	}
	if dro := c.str("DefaultRootObject"); strings.HasPrefix(dro, "/") {
		return errorf("InvalidDefaultRootObject", "DistributionConfig.DefaultRootObject %q must not start with a slash: use %q.", dro, strings.TrimLeft(dro, "/"))
	} else if len(dro) > 255 {
		return errorf("InvalidDefaultRootObject", "DistributionConfig.DefaultRootObject is longer than 255 characters.")
	}
	seenAlias := map[string]bool{}
	for _, a := range c.textsOf("Aliases") {
		la := strings.ToLower(a)
		if a == "" {
			return invalidArgument("DistributionConfig.Aliases: an alias is empty.")
		}
		if seenAlias[la] {
			return invalidArgument("DistributionConfig.Aliases lists %q twice.", a)
		}
		seenAlias[la] = true
	}
	seenOrigin := map[string]bool{}
	for i, o := range c.itemsOf("Origins") {
		op := fmt.Sprintf("DistributionConfig.Origins.Items[%d]", i)
		if err := validateOrigin(o, op); err != nil {
			return err
		}
		if seenOrigin[o.str("Id")] {
			return invalidArgument("%s.Id %q is used by another origin; origin IDs must be unique.", op, o.str("Id"))
		}
		seenOrigin[o.str("Id")] = true
	}
	if err := validateBehavior(c.get("DefaultCacheBehavior"), p+".DefaultCacheBehavior"); err != nil {
		return err
	}
	seenPattern := map[string]bool{}
	for i, b := range c.itemsOf("CacheBehaviors") {
		bp := fmt.Sprintf("DistributionConfig.CacheBehaviors.Items[%d]", i)
		pp := b.str("PathPattern")
		if pp == "" {
			return invalidArgument("%s.PathPattern must not be empty.", bp)
		}
		if seenPattern[pp] {
			return invalidArgument("%s.PathPattern %q is used by another cache behavior.", bp, pp)
		}
		seenPattern[pp] = true
		if err := validateBehavior(b, bp); err != nil {
			return err
		}
	}
	for i, e := range c.itemsOf("CustomErrorResponses") {
		ep := fmt.Sprintf("DistributionConfig.CustomErrorResponses.Items[%d]", i)
		code, _ := e.integer("ErrorCode")
		if code < 400 || code > 599 {
			return errorf("InvalidErrorCode", "%s.ErrorCode %d is not an HTTP error status (400–599).", ep, code)
		}
		if pp := e.str("ResponsePagePath"); pp != "" && !strings.HasPrefix(pp, "/") {
			return errorf("InvalidRelativePath", "%s.ResponsePagePath %q must start with a slash.", ep, pp)
		}
		if rc := e.str("ResponseCode"); rc != "" {
			if v, err := strconv.Atoi(rc); err != nil || v < 200 || v > 599 {
				return errorf("InvalidResponseCode", "%s.ResponseCode %q is not an HTTP status.", ep, rc)
			}
		}
	}
	return nil
}

func validateOrigin(o *node, op string) error {
	if o.str("Id") == "" {
		return invalidArgument("%s.Id must not be empty.", op)
	}
	if o.str("DomainName") == "" {
		return invalidArgument("%s.DomainName must not be empty.", op)
	}
	if path := o.str("OriginPath"); path != "" && (!strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/")) {
		return invalidArgument("%s.OriginPath %q must start with a slash and must not end with one.", op, path)
	}
	kinds := 0
	for _, name := range []string{"S3OriginConfig", "CustomOriginConfig", "VpcOriginConfig"} {
		if o.has(name) {
			kinds++
		}
	}
	if kinds != 1 {
		return invalidArgument("%s must have exactly one of S3OriginConfig, CustomOriginConfig and VpcOriginConfig.", op)
	}
	if o.str("OriginAccessControlId") != "" && o.get("S3OriginConfig").str("OriginAccessIdentity") != "" {
		return errorf("IllegalOriginAccessConfiguration", "%s has both an origin access control and an origin access identity; with OriginAccessControlId set, S3OriginConfig.OriginAccessIdentity must be empty.", op)
	}
	for i, h := range o.itemsOf("CustomHeaders") {
		if h.str("HeaderName") == "" {
			return invalidArgument("%s.CustomHeaders.Items[%d].HeaderName must not be empty.", op, i)
		}
	}
	if v, ok := o.integer("ConnectionAttempts"); ok && (v < 1 || v > 3) {
		return invalidArgument("%s.ConnectionAttempts must be 1, 2 or 3, not %d.", op, v)
	}
	if v, ok := o.integer("ConnectionTimeout"); ok && (v < 1 || v > 10) {
		return invalidArgument("%s.ConnectionTimeout must be 1 to 10 seconds, not %d.", op, v)
	}
	if co := o.get("CustomOriginConfig"); co != nil {
		for _, name := range []string{"HTTPPort", "HTTPSPort"} {
			if v, _ := co.integer(name); v < 1 || v > 65535 {
				return invalidArgument("%s.CustomOriginConfig.%s %d is not a TCP port.", op, name, v)
			}
		}
		if v, ok := co.integer("OriginReadTimeout"); ok && (v < 1 || v > 180) {
			return errorf("InvalidOriginReadTimeout", "%s.CustomOriginConfig.OriginReadTimeout must be 1 to 180 seconds, not %d.", op, v)
		}
		if v, ok := co.integer("OriginKeepaliveTimeout"); ok && (v < 1 || v > 180) {
			return errorf("InvalidOriginKeepaliveTimeout", "%s.CustomOriginConfig.OriginKeepaliveTimeout must be 1 to 180 seconds, not %d.", op, v)
		}
	}
	return nil
}

// Method sets CloudFront accepts (§7).
var (
	methodSets = [][]string{
		{"GET", "HEAD"},
		{"GET", "HEAD", "OPTIONS"},
		{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"},
	}
	cachedMethodSets = methodSets[:2]
)

func methodSet(items []string) []string {
	s := slices.Clone(items)
	slices.Sort(s)
	return slices.Compact(s)
}

func oneOf(set []string, sets [][]string) bool {
	for _, s := range sets {
		if slices.Equal(set, s) {
			return true
		}
	}
	return false
}

func validateBehavior(b *node, bp string) error {
	if b.str("TargetOriginId") == "" {
		return invalidArgument("%s.TargetOriginId must not be empty.", bp)
	}
	hasPolicy := b.str("CachePolicyId") != ""
	fv := b.get("ForwardedValues")
	switch {
	case !hasPolicy && fv == nil:
		return invalidArgument("%s must have a CachePolicyId or ForwardedValues.", bp)
	case hasPolicy && fv != nil:
		return invalidArgument("%s has both a CachePolicyId and ForwardedValues; use one.", bp)
	}
	if fv != nil {
		lo, _ := b.integer("MinTTL")
		def, _ := b.integer("DefaultTTL")
		hi, _ := b.integer("MaxTTL")
		if lo < 0 || def < 0 || hi < 0 || lo > def || def > hi {
			return errorf("InvalidTTLOrder", "%s: the TTLs must satisfy 0 ≤ MinTTL ≤ DefaultTTL ≤ MaxTTL; got %d, %d, %d.", bp, lo, def, hi)
		}
	}
	am := b.get("AllowedMethods")
	allowed := methodSet(textsOfList(am.get("Items")))
	if !oneOf(allowed, methodSets) {
		return invalidArgument("%s.AllowedMethods must be GET, HEAD; GET, HEAD, OPTIONS; or all of GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE.", bp)
	}
	cached := methodSet(textsOfList(am.get("CachedMethods").get("Items")))
	if !oneOf(cached, cachedMethodSets) {
		return invalidArgument("%s.AllowedMethods.CachedMethods must be GET, HEAD or GET, HEAD, OPTIONS.", bp)
	}
	for _, m := range cached {
		if !slices.Contains(allowed, m) {
			return invalidArgument("%s.AllowedMethods.CachedMethods lists %s, which AllowedMethods does not.", bp, m)
		}
	}
	for _, name := range []string{"TrustedKeyGroups", "TrustedSigners"} {
		t := b.get(name)
		if t.boolean("Enabled") && len(textsOfList(t.get("Items"))) == 0 {
			return invalidArgument("%s.%s is enabled but lists nothing; disable it or list at least one.", bp, name)
		}
		for _, v := range textsOfList(t.get("Items")) {
			if v == "" {
				return invalidArgument("%s.%s lists an empty value.", bp, name)
			}
		}
	}
	return nil
}

// textsOfList returns the texts of a list of scalars (nil-safe).
func textsOfList(l *node) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l.items))
	for i, it := range l.items {
		out[i] = it.text
	}
	return out
}

// behaviors returns the default behavior followed by the ordered ones.
func behaviors(c *node) []*node {
	return append([]*node{c.get("DefaultCacheBehavior")}, c.itemsOf("CacheBehaviors")...)
}

// ---- typed view ----

func seconds(n *node, name string) time.Duration {
	v, _ := n.integer(name)
	return time.Duration(v) * time.Second
}

func typedDistributionConfig(c *node) *DistributionConfig {
	d := &DistributionConfig{
		CallerReference:   c.str("CallerReference"),
		Aliases:           c.textsOf("Aliases"),
		DefaultRootObject: c.str("DefaultRootObject"),
		Comment:           c.str("Comment"),
		Enabled:           c.boolean("Enabled"),
		HTTPVersion:       c.str("HttpVersion"),
		PriceClass:        c.str("PriceClass"),
		IsIPV6Enabled:     c.boolean("IsIPV6Enabled"),
	}
	for _, o := range c.itemsOf("Origins") {
		to := Origin{
			ID:                    o.str("Id"),
			DomainName:            o.str("DomainName"),
			OriginPath:            o.str("OriginPath"),
			ConnectionTimeout:     seconds(o, "ConnectionTimeout"),
			OriginAccessControlID: o.str("OriginAccessControlId"),
		}
		attempts, _ := o.integer("ConnectionAttempts")
		to.ConnectionAttempts = int(attempts)
		for _, h := range o.itemsOf("CustomHeaders") {
			to.CustomHeaders = append(to.CustomHeaders, OriginHeader{h.str("HeaderName"), h.str("HeaderValue")})
		}
		if s3 := o.get("S3OriginConfig"); s3 != nil {
			to.S3 = &S3Origin{OriginAccessIdentity: s3.str("OriginAccessIdentity"), ReadTimeout: seconds(s3, "OriginReadTimeout")}
		}
		if co := o.get("CustomOriginConfig"); co != nil {
			http, _ := co.integer("HTTPPort")
			https, _ := co.integer("HTTPSPort")
			to.Custom = &CustomOrigin{
				HTTPPort:         int(http),
				HTTPSPort:        int(https),
				ProtocolPolicy:   co.str("OriginProtocolPolicy"),
				SSLProtocols:     co.textsOf("OriginSslProtocols"),
				ReadTimeout:      seconds(co, "OriginReadTimeout"),
				KeepaliveTimeout: seconds(co, "OriginKeepaliveTimeout"),
			}
		}
		d.Origins = append(d.Origins, to)
	}
	d.DefaultCacheBehavior = typedBehavior(c.get("DefaultCacheBehavior"))
	d.DefaultCacheBehavior.PathPattern = "*"
	for _, b := range c.itemsOf("CacheBehaviors") {
		d.CacheBehaviors = append(d.CacheBehaviors, typedBehavior(b))
	}
	for _, e := range c.itemsOf("CustomErrorResponses") {
		code, _ := e.integer("ErrorCode")
		te := CustomErrorResponse{
			ErrorCode:          int(code),
			ResponsePagePath:   e.str("ResponsePagePath"),
			ResponseCode:       e.str("ResponseCode"),
			ErrorCachingMinTTL: 10 * time.Second,
		}
		if e.has("ErrorCachingMinTTL") {
			te.ErrorCachingMinTTL = seconds(e, "ErrorCachingMinTTL")
		}
		d.CustomErrorResponses = append(d.CustomErrorResponses, te)
	}
	return d
}

func typedBehavior(b *node) CacheBehavior {
	tb := CacheBehavior{
		TargetOriginID:          b.str("TargetOriginId"),
		ViewerProtocolPolicy:    b.str("ViewerProtocolPolicy"),
		Compress:                b.boolean("Compress"),
		SmoothStreaming:         b.boolean("SmoothStreaming"),
		CachePolicyID:           b.str("CachePolicyId"),
		OriginRequestPolicyID:   b.str("OriginRequestPolicyId"),
		ResponseHeadersPolicyID: b.str("ResponseHeadersPolicyId"),
		AllowedMethods:          b.textsOf("AllowedMethods"),
		MinTTL:                  seconds(b, "MinTTL"),
		DefaultTTL:              seconds(b, "DefaultTTL"),
		MaxTTL:                  seconds(b, "MaxTTL"),
	}
	if b.sh().memberIndex("PathPattern") >= 0 { // not in DefaultCacheBehavior
		tb.PathPattern = b.str("PathPattern")
	}
	if am := b.get("AllowedMethods"); am != nil {
		tb.CachedMethods = am.textsOf("CachedMethods")
	}
	if t := b.get("TrustedKeyGroups"); t != nil {
		tb.TrustedKeyGroups.Enabled = t.boolean("Enabled")
		for _, id := range textsOfList(t.get("Items")) {
			tb.TrustedKeyGroups.Items = append(tb.TrustedKeyGroups.Items, keyfront.KeyGroupID(id))
		}
	}
	if t := b.get("TrustedSigners"); t != nil {
		tb.TrustedSigners.Enabled = t.boolean("Enabled")
		tb.TrustedSigners.Items = textsOfList(t.get("Items"))
	}
	if fv := b.get("ForwardedValues"); fv != nil {
		cookies := fv.get("Cookies")
		tb.ForwardedValues = &ForwardedValues{
			QueryString:          fv.boolean("QueryString"),
			QueryStringCacheKeys: fv.textsOf("QueryStringCacheKeys"),
			Cookies:              cookies.str("Forward"),
			CookieNames:          cookies.textsOf("WhitelistedNames"),
			Headers:              fv.textsOf("Headers"),
		}
	}
	return tb
}
