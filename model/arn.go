package model

import "keyfront"

// Defaults that the control API, the edge and the command line share, so
// that they are written in one place (DESIGN.md, "Names on the wire").
const (
	// DefaultAccountID is the account in ARNs when none is configured.
	DefaultAccountID = "000000000000"
	// DefaultEdgeDomain is the suffix of distribution domain names when
	// none is configured: "d" + 13 lower-case alphanumerics + "." +
	// DefaultEdgeDomain. curl and browsers resolve *.localhost to loopback.
	DefaultEdgeDomain = "cloudfront.localhost"
)

// DistributionARN returns a distribution's ARN,
// arn:aws:cloudfront::<account>:distribution/<id> (control-api.md §4; the
// AWS:SourceArn an origin access control signs with).
func DistributionARN(account string, id keyfront.DistributionID) string {
	return "arn:aws:cloudfront::" + account + ":distribution/" + string(id)
}

// DistributionARNPrefix is what every distribution ARN of account starts
// with; the ID follows.
func DistributionARNPrefix(account string) string {
	return "arn:aws:cloudfront::" + account + ":distribution/"
}
