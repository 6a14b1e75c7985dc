package sigv4

import (
	"fmt"
	"strings"
)

// Authorization is a parsed SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
//	    SignedHeaders=host;range;x-amz-date, Signature=fe5f80f7...
//
// (S3 API Reference, sigv4-auth-using-authorization-header). ParseAuthorization
// checks only the syntax; Verify checks the scope, the time and the
// signature.
type Authorization struct {
	Algorithm string // always Algorithm when ParseAuthorization succeeds

	Credential  string // as sent: AKID/date/region/service/terminator
	AccessKeyID string
	Date        string // yyyymmdd, unchecked
	Region      string
	Service     string
	Terminator  string // "aws4_request" in a valid request

	// SignedHeaders lists the signed header names in the order sent, and
	// SignedHeadersRaw is the value as sent, which is what the client put in
	// its canonical request.
	SignedHeaders    []string
	SignedHeadersRaw string

	Signature string
}

// parseError describes why an Authorization header does not parse, in the
// two vocabularies Verify answers with.
type parseError struct {
	reason  string
	general string // IncompleteSignature message, without the "Authorization=" suffix
	s3      string // S3 AuthorizationHeaderMalformed detail, after "...malformed; "
	scheme  string // the scheme, when unsupported is set
	// unsupported: the header is not SigV4 HMAC-SHA256 at all.
	unsupported bool
}

func (e *parseError) Error() string { return "sigv4: malformed Authorization header: " + e.reason }

// credentialShape is the general message for a Credential without five
// parts, as IAM and STS word it.
func credentialShape(cred string) string {
	return fmt.Sprintf("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", cred)
}

// ParseAuthorization parses the value of an Authorization header in the
// SigV4 HMAC-SHA256 form. Components are separated by a comma and optional
// white space: botocore and the Go SDK send ", ", some of AWS's own examples
// a bare ",". Each of Credential, SignedHeaders and Signature must appear
// exactly once; unknown components are errors.
func ParseAuthorization(value string) (*Authorization, error) {
	a, perr := parseAuthorization(value)
	if perr != nil {
		return nil, perr
	}
	return a, nil
}

func parseAuthorization(value string) (*Authorization, *parseError) {
	value = strings.TrimSpace(value)
	scheme, rest, _ := strings.Cut(value, " ")
	if scheme != Algorithm {
		return nil, &parseError{reason: fmt.Sprintf("scheme %q", scheme), scheme: scheme, unsupported: true}
	}
	a := &Authorization{Algorithm: Algorithm}
	var seenCred, seenHeaders, seenSig bool
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, &parseError{
				reason:  fmt.Sprintf("component %q has no '='", part),
				general: fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, value),
				s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
			}
		}
		var dup bool
		switch k {
		case "Credential":
			dup, seenCred, a.Credential = seenCred, true, v
		case "SignedHeaders":
			dup, seenHeaders, a.SignedHeadersRaw = seenHeaders, true, v
		case "Signature":
			dup, seenSig, a.Signature = seenSig, true, v
		default:
			return nil, &parseError{
				reason:  fmt.Sprintf("unknown component %q", k),
				general: fmt.Sprintf("'%s' is not a valid component of the Authorization header: '%s'.", k, value),
				s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
			}
		}
		if dup {
			return nil, &parseError{
				reason:  fmt.Sprintf("component %q repeated", k),
				general: fmt.Sprintf("Authorization header has more than one '%s' parameter. Authorization=%s", k, value),
				s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
			}
		}
	}
	var missing []string
	var general strings.Builder
	// IAM/STS list the missing parts in this order.
	for _, m := range []struct {
		seen bool
		name string
	}{{seenCred, "Credential"}, {seenSig, "Signature"}, {seenHeaders, "SignedHeaders"}} {
		if !m.seen {
			missing = append(missing, m.name)
			fmt.Fprintf(&general, "Authorization header requires '%s' parameter. ", m.name)
		}
	}
	if len(missing) > 0 {
		return nil, &parseError{
			reason:  "missing " + strings.Join(missing, ", "),
			general: general.String(),
			s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
		}
	}
	if perr := a.splitCredential(); perr != nil {
		return nil, perr
	}
	if perr := a.splitSignedHeaders(); perr != nil {
		return nil, perr
	}
	if a.Signature == "" {
		return nil, &parseError{
			reason:  "empty Signature",
			general: "Authorization header requires 'Signature' parameter. ",
			s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
		}
	}
	return a, nil
}

// splitCredential splits AKID/date/region/service/terminator. An access
// key ID never contains '/', so there must be exactly five non-empty parts.
func (a *Authorization) splitCredential() *parseError {
	parts := strings.Split(a.Credential, "/")
	if len(parts) != 5 {
		return &parseError{reason: fmt.Sprintf("credential %q", a.Credential), general: credentialShape(a.Credential), s3: msgS3CredShape}
	}
	for _, p := range parts {
		if p == "" {
			return &parseError{reason: fmt.Sprintf("credential %q", a.Credential), general: credentialShape(a.Credential), s3: msgS3CredShape}
		}
	}
	a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	return nil
}

// splitSignedHeaders splits the ';'-separated list. Names are kept as sent
// (clients send them lower-case and sorted); an empty name is an error.
func (a *Authorization) splitSignedHeaders() *parseError {
	a.SignedHeaders = strings.Split(a.SignedHeadersRaw, ";")
	for _, h := range a.SignedHeaders {
		if h == "" || strings.TrimSpace(h) != h {
			return &parseError{
				reason:  fmt.Sprintf("SignedHeaders %q", a.SignedHeadersRaw),
				general: fmt.Sprintf("Authorization header requires 'SignedHeaders' parameter with a valid list of header names, got '%s'. ", a.SignedHeadersRaw),
				s3:      "the authorization header requires three components: Credential, SignedHeaders, and Signature.",
			}
		}
	}
	return nil
}
