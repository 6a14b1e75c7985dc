package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"keyfront"
)

// DistributionConfig is the part of a distribution's configuration that
// keyfront acts on (control-api.md §3.6). The stored configuration holds
// every element the model defines; this is the typed view of the subset
// keyfront uses, produced by DecodeStored and Canonical, and turned into
// XML by DistributionConfig.Canonical.
type DistributionConfig struct {
	CallerReference   string
	Aliases           []string // alternate domain names (CNAMEs), as sent
	DefaultRootObject string   // "" when none
	Origins           []Origin
	// OriginGroups are the IDs of the origin groups, which cache behaviors
	// may target like origins. keyfront keeps but does not serve them.
	OriginGroups []string
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

// Canonical is a DistributionConfig in the form keyfront stores it:
// decoded against the AWS API model, defaults applied, validated. XML
// holds every element the model defines, including those keyfront does
// not act on, so that what a client sent is returned faithfully; Config is
// the typed view of the subset keyfront uses.
type Canonical struct {
	Config *DistributionConfig
	// XML is the DistributionConfig element in canonical form (model
	// member order, no declaration or namespace): what
	// keyfront.Distribution.Config holds.
	XML []byte
}

// DecodeDistributionConfig decodes a DistributionConfig element (a
// CreateDistribution or UpdateDistribution body), applies CloudFront's
// defaults and the checks that need no store (types, enums,
// Quantity/Items, TTL order, methods, origins) and returns it in canonical
// form. References to origins, key groups and origin access controls,
// uniqueness and quotas need the store; the domain package checks them.
// Errors are *Error.
func DecodeDistributionConfig(b []byte) (*Canonical, error) {
	n, err := Decode(b, ShDistributionConfig, "DistributionConfig")
	if err != nil {
		return nil, err
	}
	return CanonicalFromNode(n)
}

// CanonicalFromNode is DecodeDistributionConfig for an element already
// decoded, such as the DistributionConfig of a DistributionConfigWithTags.
// It modifies n.
func CanonicalFromNode(n *Node) (*Canonical, error) {
	if n == nil || n.shape != ShDistributionConfig {
		return nil, invalidArgument("DistributionConfig is required.")
	}
	applyDistributionDefaults(n)
	if err := validateDistributionConfig(n); err != nil {
		return nil, err
	}
	return &Canonical{Config: typedDistributionConfig(n), XML: marshalElement("DistributionConfig", n)}, nil
}

// DecodeStored decodes a stored DistributionConfig (keyfront.Distribution
// .Config) into the typed view without applying defaults or validating:
// the control API did both when it accepted the configuration, and a
// reader of another version must serve what was accepted rather than judge
// it by its own rules. Only XML that does not parse is an error.
func DecodeStored(b []byte) (*DistributionConfig, error) {
	n, err := decode(b, ShDistributionConfig, "DistributionConfig", false)
	if err != nil {
		return nil, err
	}
	return typedDistributionConfig(n), nil
}

// StoredNode decodes a stored DistributionConfig into a tree, without
// validating it, for building responses from it.
func StoredNode(b []byte) (*Node, error) {
	return decode(b, ShDistributionConfig, "DistributionConfig", false)
}

// KeyGroupIDs returns the key groups that any cache behavior lists in
// TrustedKeyGroups, each once, the default behavior's first: what
// keyfront.Distribution.KeyGroupIDs holds.
func (c *DistributionConfig) KeyGroupIDs() []keyfront.KeyGroupID {
	var ids []keyfront.KeyGroupID
	for _, b := range c.Behaviors() {
		for _, id := range b.TrustedKeyGroups.Items {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// OriginAccessControlIDs returns the origin access controls that any
// origin uses, each once: what keyfront.Distribution.OriginAccessControlIDs
// holds.
func (c *DistributionConfig) OriginAccessControlIDs() []string {
	var ids []string
	for _, o := range c.Origins {
		if id := o.OriginAccessControlID; id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Behaviors returns the default cache behavior followed by the ordered
// ones.
func (c *DistributionConfig) Behaviors() []*CacheBehavior {
	out := make([]*CacheBehavior, 0, 1+len(c.CacheBehaviors))
	out = append(out, &c.DefaultCacheBehavior)
	for i := range c.CacheBehaviors {
		out = append(out, &c.CacheBehaviors[i])
	}
	return out
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
func applyDistributionDefaults(c *Node) {
	qty0 := func(parent *Node, name string) {
		if !parent.Has(name) {
			parent.Ensure(name).SetInt("Quantity", 0)
		}
	}
	qty0(c, "Aliases")
	qty0(c, "OriginGroups")
	for _, o := range c.ItemsOf("Origins") {
		o.DefaultText("OriginPath", "")
		qty0(o, "CustomHeaders")
		if co := o.Get("CustomOriginConfig"); co != nil {
			co.DefaultText("OriginReadTimeout", "30")
			co.DefaultText("OriginKeepaliveTimeout", "5")
		}
		o.DefaultText("ConnectionAttempts", "3")
		o.DefaultText("ConnectionTimeout", "10")
		if !o.Has("OriginShield") {
			o.Ensure("OriginShield").SetBool("Enabled", false)
		}
		o.DefaultText("OriginAccessControlId", "")
	}
	behaviorDefaults(c.Get("DefaultCacheBehavior"))
	for _, b := range c.ItemsOf("CacheBehaviors") {
		behaviorDefaults(b)
	}
	qty0(c, "CacheBehaviors")
	qty0(c, "CustomErrorResponses")
	lg := c.Ensure("Logging")
	lg.DefaultText("Enabled", "false")
	lg.DefaultText("IncludeCookies", "false")
	lg.DefaultText("Bucket", "")
	lg.DefaultText("Prefix", "")
	c.DefaultText("PriceClass", "PriceClass_All")
	vc := c.Ensure("ViewerCertificate")
	source := "cloudfront"
	switch {
	case vc.Str("ACMCertificateArn") != "":
		source = "acm"
		vc.DefaultText("Certificate", vc.Str("ACMCertificateArn"))
	case vc.Str("IAMCertificateId") != "":
		source = "iam"
		vc.DefaultText("Certificate", vc.Str("IAMCertificateId"))
	}
	vc.DefaultText("CloudFrontDefaultCertificate", strconv.FormatBool(source == "cloudfront"))
	vc.DefaultText("MinimumProtocolVersion", "TLSv1")
	vc.DefaultText("CertificateSource", source)
	if !c.Has("Restrictions") {
		g := c.Ensure("Restrictions").Ensure("GeoRestriction")
		g.SetText("RestrictionType", "none")
		g.SetInt("Quantity", 0)
	}
	c.DefaultText("WebACLId", "")
	c.DefaultText("HttpVersion", "http2")
	c.DefaultText("IsIPV6Enabled", "true")
}

func behaviorDefaults(b *Node) {
	if b == nil {
		return
	}
	for _, name := range []string{"TrustedSigners", "TrustedKeyGroups"} {
		if !b.Has(name) {
			t := b.Ensure(name)
			t.SetBool("Enabled", false)
			t.SetInt("Quantity", 0)
		}
	}
	if !b.Has("AllowedMethods") {
		b.Ensure("AllowedMethods").SetQuantityItems([]string{"HEAD", "GET"})
	}
	if am := b.Get("AllowedMethods"); !am.Has("CachedMethods") {
		am.Ensure("CachedMethods").SetQuantityItems([]string{"HEAD", "GET"})
	}
	b.DefaultText("SmoothStreaming", "false")
	b.DefaultText("Compress", "false")
	for _, name := range []string{"LambdaFunctionAssociations", "FunctionAssociations"} {
		if !b.Has(name) {
			b.Ensure(name).SetInt("Quantity", 0)
		}
	}
	b.DefaultText("FieldLevelEncryptionId", "")
	fv := b.Get("ForwardedValues")
	if fv == nil {
		return // TTLs come from the cache policy
	}
	for _, name := range []string{"Headers", "QueryStringCacheKeys"} {
		if !fv.Has(name) {
			fv.Ensure(name).SetInt("Quantity", 0)
		}
	}
	b.DefaultText("MinTTL", "0")
	lo, _ := b.Int("MinTTL")
	if !b.Has("MaxTTL") {
		d, _ := b.Int("DefaultTTL")
		b.SetInt("MaxTTL", max(maxTTL, d, lo))
	}
	if !b.Has("DefaultTTL") {
		hi, _ := b.Int("MaxTTL")
		b.SetInt("DefaultTTL", min(max(defaultTTL, lo), hi))
	}
}

// ---- validation that needs no store ----

// maxCommentLen bounds Comment in public key, key group and distribution
// configs (control-api.md §7).
const maxCommentLen = 128

// CheckComment checks the Comment of the configuration named path.
func CheckComment(path, c string) error {
	if utf8.RuneCountInString(c) > maxCommentLen {
		return invalidArgument("%s.Comment is longer than %d characters.", path, maxCommentLen)
	}
	return nil
}

// CheckCallerReference checks the CallerReference of the configuration
// named path: present, at most 128 characters.
func CheckCallerReference(path, ref string) error {
	if ref == "" {
		return invalidArgument("%s.CallerReference must not be empty.", path)
	}
	if utf8.RuneCountInString(ref) > 128 {
		return invalidArgument("%s.CallerReference is longer than 128 characters.", path)
	}
	return nil
}

// validateDistributionConfig applies the field rules of §3.5 and §7 that
// depend on the configuration alone.
func validateDistributionConfig(c *Node) error {
	const p = "DistributionConfig"
	if err := CheckCallerReference(p, c.Str("CallerReference")); err != nil {
		return err
	}
	if err := CheckComment(p, c.Str("Comment")); err != nil {
		return err
	}
	if dro := c.Str("DefaultRootObject"); strings.HasPrefix(dro, "/") {
		return errorf("InvalidDefaultRootObject", "DistributionConfig.DefaultRootObject %q must not start with a slash: use %q.", dro, strings.TrimLeft(dro, "/"))
	} else if len(dro) > 255 {
		return errorf("InvalidDefaultRootObject", "DistributionConfig.DefaultRootObject is longer than 255 characters.")
	}
	seenAlias := map[string]bool{}
	for _, a := range c.TextsOf("Aliases") {
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
	for i, o := range c.ItemsOf("Origins") {
		op := fmt.Sprintf("DistributionConfig.Origins.Items[%d]", i)
		if err := validateOrigin(o, op); err != nil {
			return err
		}
		if seenOrigin[o.Str("Id")] {
			return invalidArgument("%s.Id %q is used by another origin; origin IDs must be unique.", op, o.Str("Id"))
		}
		seenOrigin[o.Str("Id")] = true
	}
	if err := validateBehavior(c.Get("DefaultCacheBehavior"), p+".DefaultCacheBehavior"); err != nil {
		return err
	}
	seenPattern := map[string]bool{}
	for i, b := range c.ItemsOf("CacheBehaviors") {
		bp := fmt.Sprintf("DistributionConfig.CacheBehaviors.Items[%d]", i)
		pp := b.Str("PathPattern")
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
	for i, e := range c.ItemsOf("CustomErrorResponses") {
		ep := fmt.Sprintf("DistributionConfig.CustomErrorResponses.Items[%d]", i)
		code, _ := e.Int("ErrorCode")
		if code < 400 || code > 599 {
			return errorf("InvalidErrorCode", "%s.ErrorCode %d is not an HTTP error status (400–599).", ep, code)
		}
		if pp := e.Str("ResponsePagePath"); pp != "" && !strings.HasPrefix(pp, "/") {
			return errorf("InvalidRelativePath", "%s.ResponsePagePath %q must start with a slash.", ep, pp)
		}
		if rc := e.Str("ResponseCode"); rc != "" {
			if v, err := strconv.Atoi(rc); err != nil || v < 200 || v > 599 {
				return errorf("InvalidResponseCode", "%s.ResponseCode %q is not an HTTP status.", ep, rc)
			}
		}
	}
	return nil
}

func validateOrigin(o *Node, op string) error {
	if o.Str("Id") == "" {
		return invalidArgument("%s.Id must not be empty.", op)
	}
	if o.Str("DomainName") == "" {
		return invalidArgument("%s.DomainName must not be empty.", op)
	}
	if path := o.Str("OriginPath"); path != "" && (!strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/")) {
		return invalidArgument("%s.OriginPath %q must start with a slash and must not end with one.", op, path)
	}
	kinds := 0
	for _, name := range []string{"S3OriginConfig", "CustomOriginConfig", "VpcOriginConfig"} {
		if o.Has(name) {
			kinds++
		}
	}
	if kinds != 1 {
		return invalidArgument("%s must have exactly one of S3OriginConfig, CustomOriginConfig and VpcOriginConfig.", op)
	}
	if o.Str("OriginAccessControlId") != "" && o.Get("S3OriginConfig").Str("OriginAccessIdentity") != "" {
		return errorf("IllegalOriginAccessConfiguration", "%s has both an origin access control and an origin access identity; with OriginAccessControlId set, S3OriginConfig.OriginAccessIdentity must be empty.", op)
	}
	for i, h := range o.ItemsOf("CustomHeaders") {
		if h.Str("HeaderName") == "" {
			return invalidArgument("%s.CustomHeaders.Items[%d].HeaderName must not be empty.", op, i)
		}
	}
	if v, ok := o.Int("ConnectionAttempts"); ok && (v < 1 || v > 3) {
		return invalidArgument("%s.ConnectionAttempts must be 1, 2 or 3, not %d.", op, v)
	}
	if v, ok := o.Int("ConnectionTimeout"); ok && (v < 1 || v > 10) {
		return invalidArgument("%s.ConnectionTimeout must be 1 to 10 seconds, not %d.", op, v)
	}
	if co := o.Get("CustomOriginConfig"); co != nil {
		for _, name := range []string{"HTTPPort", "HTTPSPort"} {
			if v, _ := co.Int(name); v < 1 || v > 65535 {
				return invalidArgument("%s.CustomOriginConfig.%s %d is not a TCP port.", op, name, v)
			}
		}
		if v, ok := co.Int("OriginReadTimeout"); ok && (v < 1 || v > 180) {
			return errorf("InvalidOriginReadTimeout", "%s.CustomOriginConfig.OriginReadTimeout must be 1 to 180 seconds, not %d.", op, v)
		}
		if v, ok := co.Int("OriginKeepaliveTimeout"); ok && (v < 1 || v > 180) {
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

func validateBehavior(b *Node, bp string) error {
	if b.Str("TargetOriginId") == "" {
		return invalidArgument("%s.TargetOriginId must not be empty.", bp)
	}
	hasPolicy := b.Str("CachePolicyId") != ""
	fv := b.Get("ForwardedValues")
	switch {
	case !hasPolicy && fv == nil:
		return invalidArgument("%s must have a CachePolicyId or ForwardedValues.", bp)
	case hasPolicy && fv != nil:
		return invalidArgument("%s has both a CachePolicyId and ForwardedValues; use one.", bp)
	}
	if fv != nil {
		lo, _ := b.Int("MinTTL")
		def, _ := b.Int("DefaultTTL")
		hi, _ := b.Int("MaxTTL")
		if lo < 0 || def < 0 || hi < 0 || lo > def || def > hi {
			return errorf("InvalidTTLOrder", "%s: the TTLs must satisfy 0 ≤ MinTTL ≤ DefaultTTL ≤ MaxTTL; got %d, %d, %d.", bp, lo, def, hi)
		}
	}
	am := b.Get("AllowedMethods")
	allowed := methodSet(texts(am.Get("Items")))
	if !oneOf(allowed, methodSets) {
		return invalidArgument("%s.AllowedMethods must be GET, HEAD; GET, HEAD, OPTIONS; or all of GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE.", bp)
	}
	cached := methodSet(texts(am.Get("CachedMethods").Get("Items")))
	if !oneOf(cached, cachedMethodSets) {
		return invalidArgument("%s.AllowedMethods.CachedMethods must be GET, HEAD or GET, HEAD, OPTIONS.", bp)
	}
	for _, m := range cached {
		if !slices.Contains(allowed, m) {
			return invalidArgument("%s.AllowedMethods.CachedMethods lists %s, which AllowedMethods does not.", bp, m)
		}
	}
	for _, name := range []string{"TrustedKeyGroups", "TrustedSigners"} {
		t := b.Get(name)
		if t.Bool("Enabled") && len(texts(t.Get("Items"))) == 0 {
			return invalidArgument("%s.%s is enabled but lists nothing; disable it or list at least one.", bp, name)
		}
		for _, v := range texts(t.Get("Items")) {
			if v == "" {
				return invalidArgument("%s.%s lists an empty value.", bp, name)
			}
		}
	}
	return nil
}

// texts returns the texts of a list of scalars (nil-safe).
func texts(l *Node) []string { return l.Texts() }

// behaviors returns the default behavior followed by the ordered ones.
func behaviors(c *Node) []*Node {
	return append([]*Node{c.Get("DefaultCacheBehavior")}, c.ItemsOf("CacheBehaviors")...)
}

// ---- typed view ----

func seconds(n *Node, name string) time.Duration {
	v, _ := n.Int(name)
	return time.Duration(v) * time.Second
}

func typedDistributionConfig(c *Node) *DistributionConfig {
	d := &DistributionConfig{
		CallerReference:   c.Str("CallerReference"),
		Aliases:           c.TextsOf("Aliases"),
		DefaultRootObject: c.Str("DefaultRootObject"),
		Comment:           c.Str("Comment"),
		Enabled:           c.Bool("Enabled"),
		HTTPVersion:       c.Str("HttpVersion"),
		PriceClass:        c.Str("PriceClass"),
		IsIPV6Enabled:     c.Bool("IsIPV6Enabled"),
	}
	for _, g := range c.ItemsOf("OriginGroups") {
		d.OriginGroups = append(d.OriginGroups, g.Str("Id"))
	}
	for _, o := range c.ItemsOf("Origins") {
		to := Origin{
			ID:                    o.Str("Id"),
			DomainName:            o.Str("DomainName"),
			OriginPath:            o.Str("OriginPath"),
			ConnectionTimeout:     seconds(o, "ConnectionTimeout"),
			OriginAccessControlID: o.Str("OriginAccessControlId"),
		}
		attempts, _ := o.Int("ConnectionAttempts")
		to.ConnectionAttempts = int(attempts)
		for _, h := range o.ItemsOf("CustomHeaders") {
			to.CustomHeaders = append(to.CustomHeaders, OriginHeader{h.Str("HeaderName"), h.Str("HeaderValue")})
		}
		if s3 := o.Get("S3OriginConfig"); s3 != nil {
			to.S3 = &S3Origin{OriginAccessIdentity: s3.Str("OriginAccessIdentity"), ReadTimeout: seconds(s3, "OriginReadTimeout")}
		}
		if co := o.Get("CustomOriginConfig"); co != nil {
			http, _ := co.Int("HTTPPort")
			https, _ := co.Int("HTTPSPort")
			to.Custom = &CustomOrigin{
				HTTPPort:         int(http),
				HTTPSPort:        int(https),
				ProtocolPolicy:   co.Str("OriginProtocolPolicy"),
				SSLProtocols:     co.TextsOf("OriginSslProtocols"),
				ReadTimeout:      seconds(co, "OriginReadTimeout"),
				KeepaliveTimeout: seconds(co, "OriginKeepaliveTimeout"),
			}
		}
		d.Origins = append(d.Origins, to)
	}
	d.DefaultCacheBehavior = typedBehavior(c.Get("DefaultCacheBehavior"))
	d.DefaultCacheBehavior.PathPattern = "*"
	for _, b := range c.ItemsOf("CacheBehaviors") {
		d.CacheBehaviors = append(d.CacheBehaviors, typedBehavior(b))
	}
	for _, e := range c.ItemsOf("CustomErrorResponses") {
		code, _ := e.Int("ErrorCode")
		te := CustomErrorResponse{
			ErrorCode:          int(code),
			ResponsePagePath:   e.Str("ResponsePagePath"),
			ResponseCode:       e.Str("ResponseCode"),
			ErrorCachingMinTTL: 10 * time.Second,
		}
		if e.Has("ErrorCachingMinTTL") {
			te.ErrorCachingMinTTL = seconds(e, "ErrorCachingMinTTL")
		}
		d.CustomErrorResponses = append(d.CustomErrorResponses, te)
	}
	return d
}

func typedBehavior(b *Node) CacheBehavior {
	if b == nil {
		return CacheBehavior{} // only in a stored form that lost it
	}
	tb := CacheBehavior{
		TargetOriginID:          b.Str("TargetOriginId"),
		ViewerProtocolPolicy:    b.Str("ViewerProtocolPolicy"),
		Compress:                b.Bool("Compress"),
		SmoothStreaming:         b.Bool("SmoothStreaming"),
		CachePolicyID:           b.Str("CachePolicyId"),
		OriginRequestPolicyID:   b.Str("OriginRequestPolicyId"),
		ResponseHeadersPolicyID: b.Str("ResponseHeadersPolicyId"),
		AllowedMethods:          b.TextsOf("AllowedMethods"),
		MinTTL:                  seconds(b, "MinTTL"),
		DefaultTTL:              seconds(b, "DefaultTTL"),
		MaxTTL:                  seconds(b, "MaxTTL"),
	}
	if b.sh().memberIndex("PathPattern") >= 0 { // not in DefaultCacheBehavior
		tb.PathPattern = b.Str("PathPattern")
	}
	if am := b.Get("AllowedMethods"); am != nil {
		tb.CachedMethods = am.TextsOf("CachedMethods")
	}
	if t := b.Get("TrustedKeyGroups"); t != nil {
		tb.TrustedKeyGroups.Enabled = t.Bool("Enabled")
		for _, id := range texts(t.Get("Items")) {
			tb.TrustedKeyGroups.Items = append(tb.TrustedKeyGroups.Items, keyfront.KeyGroupID(id))
		}
	}
	if t := b.Get("TrustedSigners"); t != nil {
		tb.TrustedSigners.Enabled = t.Bool("Enabled")
		tb.TrustedSigners.Items = texts(t.Get("Items"))
	}
	if fv := b.Get("ForwardedValues"); fv != nil {
		cookies := fv.Get("Cookies")
		tb.ForwardedValues = &ForwardedValues{
			QueryString:          fv.Bool("QueryString"),
			QueryStringCacheKeys: fv.TextsOf("QueryStringCacheKeys"),
			Cookies:              cookies.Str("Forward"),
			CookieNames:          cookies.TextsOf("WhitelistedNames"),
			Headers:              fv.TextsOf("Headers"),
		}
	}
	return tb
}
