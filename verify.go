package keyfront

import (
	"net/netip"
	"time"
)

// VerifyRequest is a viewer request to evaluate as the edge would decide
// it, without serving it (`keyfront verify --endpoint`). It travels as
// JSON between the command line and the control API, and from there to
// the edge of the same process.
type VerifyRequest struct {
	// URL is the viewer's absolute URL exactly as it would be requested:
	// scheme, Host with its port, and the raw path and query, which are
	// never re-encoded (the signature covers them byte for byte). A
	// fragment is ignored. Required.
	URL string `json:"url"`

	// Method is the request method. Empty means GET.
	Method string `json:"method,omitempty"`

	// Cookies are the values of the request's Cookie headers, in order,
	// each "NAME=VALUE; NAME=VALUE". Empty means no Cookie header.
	Cookies []string `json:"cookies,omitempty"`

	// ViewerIP is the viewer's address, checked against a policy's
	// AWS:SourceIp. The zero value means unknown, which no IP condition
	// admits.
	ViewerIP netip.Addr `json:"viewerIp,omitzero"`

	// Time is when to evaluate the request. The zero value means now, by
	// the edge's clock.
	Time time.Time `json:"time,omitzero"`
}

// Check is one step of a verification: its name, whether it passed, and
// what was found, in words meant for a person. The edge's steps are, in
// order, size and request (only when they fail), host, behavior,
// protocol, method, preflight, restricted, then on restricted behaviors
// the signature steps mode, key-pair-id, hash-algorithm, policy, key,
// signature, expiry, start, ip-address and resource (signed-urls.md §11),
// and last origin.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// VerifyResult is the edge's verdict on a VerifyRequest and the checks
// that led to it. Checks stop at the first failure, the one the verdict
// reports.
type VerifyResult struct {
	// Served says the edge would pass the request to its cache or
	// origin. What the origin then answers (a bucket policy's 403, a 404)
	// is not evaluated.
	Served bool `json:"served"`

	// Status is the HTTP status the edge answers with: 200 when Served,
	// 301 for a redirect to https, 403 for a refusal, 413 for a request
	// over CloudFront's limits, 400 for a request-target no HTTP server
	// accepts, 502 when the behavior's origin cannot be reached at all.
	Status int `json:"status"`

	// Code is the <Code> of the edge's 403 XML body for a refused signed
	// URL or signed cookies (MissingKey, InvalidKey, MalformedSignature,
	// MalformedPolicy, AccessDenied). Empty when the edge answers with an
	// HTML page or serves the request.
	Code string `json:"code,omitempty"`

	// Reason is the precise, log-only cause of a refusal: a signing
	// reason such as "expired" or "key_unknown" (signed-urls.md §11), or
	// one of the edge's: "too_large", "bad_request", "unknown_host",
	// "distribution_disabled", "https_only", "redirect_to_https",
	// "method_not_allowed", "no_origin". Empty when served.
	Reason string `json:"reason,omitempty"`

	// Detail says the same as Reason in words, naming keys, groups and
	// URLs.
	Detail string `json:"detail,omitempty"`

	// Location is the target of a redirect (Status 301).
	Location string `json:"location,omitempty"`

	// Time is the time the request was evaluated at, and ServerClock
	// says whether it was the edge's clock rather than VerifyRequest.Time.
	Time        time.Time `json:"time"`
	ServerClock bool      `json:"serverClock"`

	// Distribution is the ID of the distribution the Host selected and
	// DomainName its domain name; both are empty for an unknown host.
	Distribution DistributionID `json:"distribution,omitempty"`
	DomainName   string         `json:"domainName,omitempty"`

	// PathPattern is the matched cache behavior's PathPattern, "*" for
	// the default behavior; DefaultBehavior says which it was. Empty
	// before a behavior is chosen.
	PathPattern     string `json:"pathPattern,omitempty"`
	DefaultBehavior bool   `json:"defaultBehavior,omitempty"`

	// Restricted says the behavior requires signed URLs or cookies;
	// TrustedKeyGroups then names the key groups it trusts, each as
	// "name (id)", and TrustsAccount says TrustedSigners makes it trust
	// every public key of the account.
	Restricted       bool     `json:"restricted,omitempty"`
	TrustedKeyGroups []string `json:"trustedKeyGroups,omitempty"`
	TrustsAccount    bool     `json:"trustsAccount,omitempty"`

	// Checks are the steps in the order the edge takes them.
	Checks []Check `json:"checks"`
}
