package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Names and values fixed by the SigV4 specification.
const (
	// Algorithm is the only signing algorithm Verify accepts.
	Algorithm = "AWS4-HMAC-SHA256"
	// TimeFormat is the layout of X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	// DateFormat is the layout of the date in the credential scope.
	DateFormat = "20060102"

	// ServiceS3 and ServiceCloudFront are the signing names keyfront's
	// origin and control API verify.
	ServiceS3         = "s3"
	ServiceCloudFront = "cloudfront"

	// EmptySHA256 is the hex SHA-256 of an empty payload.
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// Values of x-amz-content-sha256 other than a hex digest (S3 API
	// Reference, sigv4-auth-using-authorization-header).
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

	// DefaultMaxSkew is the clock skew Verify allows when Verifier.MaxSkew
	// is zero: AWS's 15 minutes.
	DefaultMaxSkew = 15 * time.Minute
	// DefaultMaxBodySize is Verifier.MaxBodySize when zero.
	DefaultMaxBodySize = 1 << 20
	// DefaultKeyCacheSize is Verifier.KeyCacheSize when zero.
	DefaultKeyCacheSize = 64
	// MaxPresignExpires is the longest X-Amz-Expires S3 accepts: a week,
	// because a signing key is valid for at most seven days
	// (sigv4-query-string-auth).
	MaxPresignExpires = 7 * 24 * time.Hour

	terminator = "aws4_request"
)

// Verifier checks AWS Signature Version 4 on incoming requests for one
// service. Its zero value is not usable: set Service and Credentials. A
// Verifier must not be copied after first use; it is safe for concurrent use.
type Verifier struct {
	// Service is the signing name the credential scope must name: "s3" or
	// "cloudfront". It also selects S3's rules (path signed as sent,
	// x-amz-content-sha256 required, every x-amz-* header signed) and the
	// vocabulary of Error.Code and Error.Message.
	Service string

	// Credentials looks up the secret for an access key ID. Required.
	Credentials Credentials

	// MaxSkew is how far the signing time may be from the server's clock.
	// Zero means DefaultMaxSkew (15 minutes). A request exactly MaxSkew
	// away is accepted.
	MaxSkew time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// MaxBodySize bounds the body Verify reads into memory when the service
	// is not s3 and the server must hash the payload itself (the CloudFront
	// API's clients send no x-amz-content-sha256; control-api.md §12). Zero
	// means DefaultMaxBodySize; a larger body fails with KindBodyTooLarge.
	MaxBodySize int64

	// KeyCacheSize bounds the number of derived signing keys kept, one per
	// access key, date, region and service. Zero means DefaultKeyCacheSize;
	// negative disables the cache.
	KeyCacheSize int

	keys keyCache
}

// Auth describes a request whose signature Verify has accepted.
type Auth struct {
	AccessKeyID string
	// Principal is Credential.Principal of the access key.
	Principal any

	// The credential scope: Date is yyyymmdd, Region whatever the client
	// signed for, Service the Verifier's.
	Date    string
	Region  string
	Service string

	// Time is the signing time (X-Amz-Date, or the Date header).
	Time time.Time
	// Presigned is true for the query-string form; Expires is then
	// Time + X-Amz-Expires.
	Presigned bool
	Expires   time.Time

	// SignedHeaders are the names of the headers the signature covers, as
	// the client listed them. Use Signed to ask about one.
	SignedHeaders []string
	// SessionToken is X-Amz-Security-Token, if any.
	SessionToken string
	// PayloadHash is the payload hash the canonical request used: a hex
	// digest, UNSIGNED-PAYLOAD or one of the STREAMING-* values for S3;
	// the hex SHA-256 of the body Verify read for every other service.
	PayloadHash string
	// Signature is the request's signature in hex: the seed signature of an
	// aws-chunked body.
	Signature string

	key     []byte // derived signing key; never exported or logged
	scope   string
	amzDate string
	header  http.Header
	// bodyVerified is set when Verify already hashed the whole body.
	bodyVerified bool
}

// Signed reports whether the named header is covered by the signature.
// Names compare case-insensitively. Callers that trust a header (the S3
// origin trusting the edge's x-amz-source-arn, say) must check this.
func (a *Auth) Signed(name string) bool {
	for _, h := range a.SignedHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// Scope returns the credential scope: date/region/service/aws4_request.
func (a *Auth) Scope() string { return a.scope }

// String describes the authentication for logs, without secrets.
func (a *Auth) String() string {
	form := "header"
	if a.Presigned {
		form = "presigned"
	}
	return fmt.Sprintf("SigV4 %s %s/%s (%s)", form, a.AccessKeyID, a.scope, a.PayloadHash)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// signed is what both forms of authentication yield once parsed.
type signed struct {
	raw              string // Authorization header value, for messages
	presigned        bool
	akid             string
	date             string
	region           string
	service          string
	term             string
	credential       string
	signedHeaders    []string
	signedHeadersRaw string
	signature        string
	amzDate          string
	t                time.Time
	expires          int64 // seconds, presigned only
	token            string
}

// Verify checks the SigV4 signature of r, in the Authorization header form
// or the presigned query form, and returns who signed. It fails with an
// *Error whose Kind says which check failed.
//
// Checks, in order: the form parses; the credential scope names
// v.Service, "aws4_request" and the request's date (any region is
// accepted); the signing time is within MaxSkew of now (header form) or the
// presigned URL is current; the access key is known and the session token,
// if the credential has one, matches; host is signed, and for S3 every
// x-amz-* header; the signature matches, compared in constant time.
//
// The payload hash in the canonical request is, for S3, the
// x-amz-content-sha256 header, which S3 requires, or for a presigned URL
// X-Amz-Content-Sha256 from the query (or a signed header), else
// UNSIGNED-PAYLOAD. For every other service it is always the SHA-256 of
// the body as received: Verify reads the body (up to MaxBodySize), hashes
// it, and puts an equivalent body back in r.Body, so handlers read it as
// usual. An x-amz-content-sha256 header is then only a header: a request
// signed over UNSIGNED-PAYLOAD, a STREAMING-* value or any hash but its
// body's fails with KindSignatureMismatch, so that nobody can replay a
// captured signature with another body.
//
// For S3, Verify does not read the body: wrap it with Auth.Body, which
// checks a literal x-amz-content-sha256, decodes and verifies aws-chunked
// uploads, and verifies x-amz-checksum-* and Content-MD5.
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	svc := v.Service
	params := parseQuery(r.URL.RawQuery)
	authz := r.Header.Values("Authorization")
	presigned := hasParam(params, "X-Amz-Algorithm") || hasParam(params, "X-Amz-Credential") || hasParam(params, "X-Amz-Signature")
	switch {
	case len(authz) == 0 && !presigned:
		return nil, errMissing(svc)
	case len(authz) > 0 && presigned:
		return nil, errTwoMechanisms(svc)
	case len(authz) > 1:
		return nil, errMalformedHeader(svc, "more than one Authorization header",
			"Authorization header may appear only once.",
			"the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}

	var s *signed
	var err error
	if presigned {
		s, err = v.parsePresigned(params)
	} else {
		s, err = v.parseHeader(r, authz[0])
	}
	if err != nil {
		return nil, err
	}
	if err := v.checkScope(s); err != nil {
		return nil, err
	}
	if err := v.checkTime(s); err != nil {
		return nil, err
	}
	if v.Credentials == nil {
		return nil, errInternal(svc, "Verifier.Credentials is nil", nil)
	}
	cred, err := v.Credentials.LookupAccessKey(r.Context(), s.akid)
	if err != nil {
		if errors.Is(err, ErrUnknownAccessKey) {
			return nil, errUnknownKey(svc, s.akid)
		}
		return nil, errInternal(svc, "looking up access key", err)
	}
	if cred.SessionToken != "" && subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(s.token)) != 1 {
		return nil, errInvalidToken(svc, s.akid)
	}
	if err := v.checkSignedHeaders(r, s); err != nil {
		return nil, err
	}

	payloadHash, bodyHash, err := v.payloadHash(r, s, params)
	if err != nil {
		return nil, err
	}

	// Build the canonical request and compare signatures. For non-S3
	// services two canonical URIs may be plausible (see canonicalURIs).
	skip := ""
	if s.presigned {
		skip = "X-Amz-Signature"
	}
	query := canonicalQuery(params, skip)
	scope := s.date + "/" + s.region + "/" + s.service + "/" + terminator
	key := v.keys.signingKey(v.cacheSize(), s.akid, cred.SecretAccessKey, s.date, s.region, s.service)
	var firstCanonical, firstSTS string
	ok := false
	for i, uri := range canonicalURIs(svc, wirePath(r)) {
		canonical := canonicalRequest(r, uri, query, s.signedHeaders, s.signedHeadersRaw, payloadHash)
		sts := stringToSign(s.amzDate, scope, canonical)
		sig := hex.EncodeToString(hmacSHA256(key, sts))
		if hmac.Equal([]byte(sig), []byte(s.signature)) {
			ok = true
			break
		}
		if i == 0 {
			firstCanonical, firstSTS = canonical, sts
		}
	}
	if !ok {
		e := errSignature(svc, s.akid, s.signature, firstCanonical, firstSTS)
		if claimed := r.Header.Get("X-Amz-Content-Sha256"); bodyHash != "" && claimed != "" && !strings.EqualFold(claimed, bodyHash) {
			// The likely cause, for the log: the client signed what the
			// header claims, which is not this body (or is S3's
			// UNSIGNED-PAYLOAD).
			e.Reason += fmt.Sprintf("; x-amz-content-sha256 %q is not the body's SHA-256 %s", claimed, bodyHash)
		}
		return nil, e
	}

	a := &Auth{
		AccessKeyID:   s.akid,
		Principal:     cred.Principal,
		Date:          s.date,
		Region:        s.region,
		Service:       s.service,
		Time:          s.t,
		Presigned:     s.presigned,
		SignedHeaders: s.signedHeaders,
		SessionToken:  s.token,
		PayloadHash:   payloadHash,
		Signature:     s.signature,
		key:           key,
		scope:         scope,
		amzDate:       s.amzDate,
		header:        r.Header,
		bodyVerified:  bodyHash != "",
	}
	if s.presigned {
		a.Expires = s.t.Add(time.Duration(s.expires) * time.Second)
	}
	return a, nil
}

func (v *Verifier) cacheSize() int {
	switch {
	case v.KeyCacheSize < 0:
		return -1
	case v.KeyCacheSize == 0:
		return DefaultKeyCacheSize
	}
	return v.KeyCacheSize
}

func hasParam(params []queryParam, name string) bool {
	for _, p := range params {
		if p.name == name {
			return true
		}
	}
	return false
}

// parseHeader parses the Authorization header form and its date.
func (v *Verifier) parseHeader(r *http.Request, value string) (*signed, error) {
	svc := v.Service
	a, perr := parseAuthorization(value)
	if perr != nil {
		if perr.unsupported {
			return nil, errUnsupportedAuth(svc, perr.scheme)
		}
		// IAM/STS append the header to "requires" messages.
		msg := perr.general
		if strings.HasPrefix(msg, "Authorization header requires") {
			msg += "Authorization=" + value
		}
		return nil, errMalformedHeader(svc, perr.reason, msg, perr.s3)
	}
	s := &signed{
		raw:              value,
		akid:             a.AccessKeyID,
		date:             a.Date,
		region:           a.Region,
		service:          a.Service,
		term:             a.Terminator,
		credential:       a.Credential,
		signedHeaders:    a.SignedHeaders,
		signedHeadersRaw: a.SignedHeadersRaw,
		signature:        a.Signature,
		token:            r.Header.Get("X-Amz-Security-Token"),
	}
	// X-Amz-Date wins over Date (botocore _set_necessary_date_headers; the
	// SigV4 spec allows either).
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		t, err := time.Parse(TimeFormat, d)
		if err != nil {
			return nil, newError(svc, KindMalformed, fmt.Sprintf("X-Amz-Date %q", d),
				wire{http.StatusBadRequest, "IncompleteSignature",
					fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", d), nil},
				wire{http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", nil})
		}
		s.t, s.amzDate = t, d
	} else if d := r.Header.Get("Date"); d != "" {
		t, err := parseHTTPDate(d)
		if err != nil {
			return nil, newError(svc, KindMalformed, fmt.Sprintf("Date %q", d),
				wire{http.StatusBadRequest, "IncompleteSignature",
					fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", d), nil},
				wire{http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", nil})
		}
		s.t, s.amzDate = t.UTC(), amzTime(t)
	} else {
		return nil, newError(svc, KindMalformed, "no X-Amz-Date or Date header",
			wire{http.StatusBadRequest, "IncompleteSignature",
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + value, nil},
			wire{http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", nil})
	}
	return s, nil
}

// parsePresigned parses the query-string form (S3 API Reference,
// sigv4-query-string-auth). Each parameter must appear exactly once.
func (v *Verifier) parsePresigned(params []queryParam) (*signed, error) {
	svc := v.Service
	get := map[string]string{
		"X-Amz-Algorithm": "", "X-Amz-Credential": "", "X-Amz-Signature": "",
		"X-Amz-Date": "", "X-Amz-SignedHeaders": "", "X-Amz-Expires": "",
		"X-Amz-Security-Token": "",
	}
	seen := map[string]bool{}
	for _, p := range params {
		if _, ok := get[p.name]; !ok {
			continue
		}
		if seen[p.name] {
			return nil, errMalformedQuery(svc, "repeated "+p.name,
				fmt.Sprintf("The query parameter %s may appear only once.", p.name))
		}
		seen[p.name] = true
		get[p.name] = p.value
	}
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if get[name] == "" {
			return nil, errMalformedQuery(svc, "missing "+name, msgS3QueryParts)
		}
	}
	if alg := get["X-Amz-Algorithm"]; alg != Algorithm {
		return nil, errMalformedQuery(svc, fmt.Sprintf("X-Amz-Algorithm %q", alg), `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	a := &Authorization{Credential: get["X-Amz-Credential"], SignedHeadersRaw: get["X-Amz-SignedHeaders"]}
	if perr := a.splitCredential(); perr != nil {
		return nil, errMalformedQuery(svc, perr.reason, "Error parsing the X-Amz-Credential parameter; "+msgS3CredShape)
	}
	if perr := a.splitSignedHeaders(); perr != nil {
		return nil, errMalformedQuery(svc, perr.reason, "X-Amz-SignedHeaders must be a ';'-separated list of header names.")
	}
	d := get["X-Amz-Date"]
	t, err := time.Parse(TimeFormat, d)
	if err != nil {
		return nil, errMalformedQuery(svc, fmt.Sprintf("X-Amz-Date %q", d),
			`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	expStr := get["X-Amz-Expires"]
	exp, err := strconv.ParseInt(expStr, 10, 64)
	switch {
	case err != nil:
		return nil, errMalformedQuery(svc, fmt.Sprintf("X-Amz-Expires %q", expStr), "X-Amz-Expires should be a number")
	case exp < 0:
		return nil, errMalformedQuery(svc, fmt.Sprintf("X-Amz-Expires %d", exp), "X-Amz-Expires must be non-negative")
	case exp > int64(MaxPresignExpires/time.Second):
		// Real S3 message (aws/aws-cli#5464).
		return nil, errMalformedQuery(svc, fmt.Sprintf("X-Amz-Expires %d", exp),
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	return &signed{
		presigned:        true,
		akid:             a.AccessKeyID,
		date:             a.Date,
		region:           a.Region,
		service:          a.Service,
		term:             a.Terminator,
		credential:       a.Credential,
		signedHeaders:    a.SignedHeaders,
		signedHeadersRaw: a.SignedHeadersRaw,
		signature:        get["X-Amz-Signature"],
		amzDate:          d,
		t:                t,
		expires:          exp,
		token:            get["X-Amz-Security-Token"],
	}, nil
}

// checkScope checks terminator, service and date of the credential scope.
// General services list every problem in one message (as IAM/STS do); S3
// reports the first.
func (v *Verifier) checkScope(s *signed) error {
	var general []string
	var s3detail, reason string
	add := func(g, s3, r string) {
		general = append(general, g)
		if s3detail == "" {
			s3detail, reason = s3, r
		}
	}
	if s.service != v.Service {
		add(fmt.Sprintf("Credential should be scoped to correct service: '%s'.", v.Service),
			fmt.Sprintf("incorrect service %q. This endpoint belongs to %q.", s.service, v.Service),
			fmt.Sprintf("scope service %q, want %q", s.service, v.Service))
	}
	if s.term != terminator {
		add(fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", s.term),
			fmt.Sprintf("incorrect terminal %q. This endpoint uses %q.", s.term, terminator),
			fmt.Sprintf("scope terminator %q", s.term))
	}
	if want := s.amzDate[:8]; s.date != want {
		add(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.date, want, s.amzDate),
			fmt.Sprintf("Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", s.date, want),
			fmt.Sprintf("scope date %q, request date %q", s.date, want))
	}
	if len(general) == 0 {
		return nil
	}
	if s.presigned && v.Service == ServiceS3 && strings.HasPrefix(s3detail, "Invalid credential date") {
		// S3 words the date mismatch of a presigned URL without the prefix.
		e := errScope(v.Service, true, reason, strings.Join(general, " "), s3detail)
		e.Message = s3detail
		return e
	}
	return errScope(v.Service, s.presigned, reason, strings.Join(general, " "), s3detail)
}

// checkTime applies the clock-skew window to the header form, and the
// expiry (and a skew window for the future) to presigned URLs.
func (v *Verifier) checkTime(s *signed) error {
	now := v.now()
	skew := v.maxSkew()
	if s.presigned {
		if s.t.Sub(now) > skew {
			return errNotYetValid(v.Service, s.t, now, skew)
		}
		expires := s.t.Add(time.Duration(s.expires) * time.Second)
		if now.After(expires) {
			return errExpired(v.Service, expires, s.expires, now)
		}
		return nil
	}
	if d := now.Sub(s.t); d > skew || d < -skew {
		return errSkewed(v.Service, s.t, now, skew)
	}
	return nil
}

// checkSignedHeaders requires host to be signed (create-signed-request:
// "the host header is required") and, for S3, every x-amz-* header present
// (S3 answers AccessDenied "There were headers present in the request which
// were not signed"). The latter matters to keyfront: the origin trusts
// x-amz-source-arn only because the edge signed it.
func (v *Verifier) checkSignedHeaders(r *http.Request, s *signed) error {
	in := func(name string) bool {
		for _, h := range s.signedHeaders {
			if strings.EqualFold(h, name) {
				return true
			}
		}
		return false
	}
	if !in("host") {
		return errUnsignedHeaders(v.Service, []string{"host"})
	}
	if v.Service != ServiceS3 {
		return nil
	}
	var missing []string
	for name := range r.Header {
		l := strings.ToLower(name)
		if strings.HasPrefix(l, "x-amz-") && !in(l) {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return errUnsignedHeaders(v.Service, missing)
	}
	return nil
}

// payloadHash decides the last line of the canonical request. bodyHash is
// non-empty when Verify hashed the body itself.
func (v *Verifier) payloadHash(r *http.Request, s *signed, params []queryParam) (payloadHash, bodyHash string, err error) {
	svc := v.Service
	header := r.Header.Get("X-Amz-Content-Sha256")
	if svc == ServiceS3 {
		if s.presigned {
			// sigv4-query-string-auth: "UNSIGNED-PAYLOAD", unless the URL
			// (or a signed header) names a hash.
			for _, p := range params {
				if p.name == "X-Amz-Content-Sha256" {
					if !validS3PayloadHash(p.value) {
						return "", "", errInvalidContentSHA256(svc, p.value)
					}
					return p.value, "", nil
				}
			}
			for _, h := range s.signedHeaders {
				if strings.EqualFold(h, "x-amz-content-sha256") && header != "" {
					return header, "", nil
				}
			}
			return UnsignedPayload, "", nil
		}
		switch {
		case header == "":
			return "", "", errMissingContentSHA256(svc)
		case !validS3PayloadHash(header):
			return "", "", errInvalidContentSHA256(svc, header)
		}
		return header, "", nil
	}
	// General services: the payload line is the SHA-256 of the body as
	// received (control-api.md §12), presigned or not (botocore
	// SigV4QueryAuth signs the body's hash too; only S3SigV4QueryAuth uses
	// UNSIGNED-PAYLOAD). x-amz-content-sha256 is never taken in its place:
	// UNSIGNED-PAYLOAD and the STREAMING-* forms are S3's alone, and other
	// AWS services answer a request signed over them SignatureDoesNotMatch
	// (apache/opendal-reqsign#346; aws-sdk-go v4.go sets the header only
	// for s3 and glacier). Trusting the header would let anyone replay a
	// captured request with another body within the clock-skew window.
	sum, err := v.hashBody(r)
	if err != nil {
		return "", "", err
	}
	return sum, sum, nil
}

// hashBody reads r.Body up to MaxBodySize, hashes it and puts back a reader
// over the same bytes that closes the original body.
func (v *Verifier) hashBody(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return EmptySHA256, nil
	}
	limit := v.MaxBodySize
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return "", bodyReadError(v.Service, err)
	}
	if int64(len(buf)) > limit {
		return "", errBodyTooLarge(v.Service, limit)
	}
	r.Body = replayBody{bytes.NewReader(buf), r.Body}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), nil
}

// bodyReadError converts an error reading the request body: a limit set by
// http.MaxBytesReader becomes KindBodyTooLarge, a read deadline that
// passed (os.ErrDeadlineExceeded: the server's idle body timeout)
// KindRequestTimeout, anything else (the client went away, Content-Length
// lied) KindIncompleteBody.
func bodyReadError(service string, err error) *Error {
	var tooBig *http.MaxBytesError
	if errors.Is(err, os.ErrDeadlineExceeded) {
		e := errRequestTimeout(service)
		e.Err = err
		return e
	}
	if errors.As(err, &tooBig) {
		e := errBodyTooLarge(service, tooBig.Limit)
		e.Err = err
		return e
	}
	e := errIncomplete(service, "reading body")
	e.Err = err
	return e
}

// parseHTTPDate parses a Date header. Besides the forms net/http accepts
// (RFC 1123 with "GMT", RFC 850, asctime), it takes RFC 1123 with a numeric
// zone, which botocore sends: email.utils.formatdate gives
// "Sat, 09 Mar 2024 12:30:45 -0000".
func parseHTTPDate(d string) (time.Time, error) {
	if t, err := http.ParseTime(d); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC1123Z, d)
}

// replayBody serves buffered bytes and closes the original body.
type replayBody struct {
	io.Reader
	io.Closer
}

// validS3PayloadHash reports whether S3 accepts v as x-amz-content-sha256.
// The SigV4a (ECDSA) streaming forms are left out: Verify does not accept
// SigV4a signatures.
func validS3PayloadHash(v string) bool {
	switch v {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return isHexSHA256(v)
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
