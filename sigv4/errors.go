package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Kind says which check a request failed. HTTP packages switch on it when
// they need to (S3 treats KindMissing as an anonymous request, for example);
// otherwise they render Error.Status, Error.Code and Error.Message as they are.
type Kind uint8

// The kinds, roughly in the order Verify and Body can produce them.
const (
	// KindMissing: the request carries no SigV4 authentication at all: no
	// Authorization header and no X-Amz-Algorithm / X-Amz-Credential /
	// X-Amz-Signature query parameter.
	KindMissing Kind = iota + 1
	// KindMalformed: the Authorization header, the presigned query parameters,
	// X-Amz-Date or X-Amz-Expires cannot be parsed, or use an algorithm other
	// than AWS4-HMAC-SHA256.
	KindMalformed
	// KindCredentialScope: the credential scope names another service, ends in
	// something other than aws4_request, or its date is not the request's.
	KindCredentialScope
	// KindRequestTimeTooSkewed: the signing time is further than
	// Verifier.MaxSkew from the server's clock (header form), or a presigned
	// URL's X-Amz-Date is further than MaxSkew in the future.
	KindRequestTimeTooSkewed
	// KindExpired: a presigned URL is used after X-Amz-Date + X-Amz-Expires.
	KindExpired
	// KindUnknownAccessKey: Credentials does not know the access key ID.
	KindUnknownAccessKey
	// KindInvalidToken: X-Amz-Security-Token does not match the credential's
	// session token.
	KindInvalidToken
	// KindUnsignedHeaders: host is not among the signed headers, or (S3
	// only) the request carries x-amz-* headers that are not.
	KindUnsignedHeaders
	// KindMissingContentSHA256: an S3 request in the header form lacks
	// x-amz-content-sha256.
	KindMissingContentSHA256
	// KindInvalidContentSHA256: x-amz-content-sha256 is neither a hex SHA-256
	// nor one of the sentinels this package understands.
	KindInvalidContentSHA256
	// KindBodyTooLarge: the server had to hash a body larger than
	// Verifier.MaxBodySize.
	KindBodyTooLarge
	// KindSignatureMismatch: the signature does not match the one computed
	// from the request and the secret.
	KindSignatureMismatch
	// KindContentSHA256Mismatch: the body does not hash to the value of
	// x-amz-content-sha256.
	KindContentSHA256Mismatch
	// KindChunkSignatureMismatch: an aws-chunked chunk or trailer signature
	// does not match.
	KindChunkSignatureMismatch
	// KindIncompleteBody: the body ended early, its aws-chunked framing is
	// broken, or its decoded length differs from x-amz-decoded-content-length.
	KindIncompleteBody
	// KindMalformedTrailer: the trailing headers of an aws-chunked body are
	// malformed, undeclared in x-amz-trailer, or missing.
	KindMalformedTrailer
	// KindInvalidChecksum: an x-amz-checksum-* header or trailer, the
	// x-amz-trailer header or Content-MD5 is malformed or names an
	// unsupported algorithm, or more than one checksum is sent.
	KindInvalidChecksum
	// KindBadDigest: the body does not match its x-amz-checksum-* value or
	// Content-MD5.
	KindBadDigest
	// KindInternal: Credentials failed, or the body could not be read.
	KindInternal
	// KindRequestTimeout: reading the body failed because a read deadline
	// passed (os.ErrDeadlineExceeded): the client stopped sending it for
	// longer than the server's idle body timeout.
	KindRequestTimeout
)

var kindNames = [...]string{
	KindMissing:                "missing authentication",
	KindMalformed:              "malformed authentication",
	KindCredentialScope:        "wrong credential scope",
	KindRequestTimeTooSkewed:   "request time too skewed",
	KindExpired:                "presigned request expired",
	KindUnknownAccessKey:       "unknown access key",
	KindInvalidToken:           "invalid security token",
	KindUnsignedHeaders:        "unsigned headers",
	KindMissingContentSHA256:   "missing x-amz-content-sha256",
	KindInvalidContentSHA256:   "invalid x-amz-content-sha256",
	KindBodyTooLarge:           "body too large",
	KindSignatureMismatch:      "signature does not match",
	KindContentSHA256Mismatch:  "x-amz-content-sha256 mismatch",
	KindChunkSignatureMismatch: "chunk signature does not match",
	KindIncompleteBody:         "incomplete body",
	KindMalformedTrailer:       "malformed trailer",
	KindInvalidChecksum:        "invalid checksum",
	KindBadDigest:              "bad digest",
	KindInternal:               "internal error",
	KindRequestTimeout:         "request body timed out",
}

// String returns a short lower-case description of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Field is one extra element of an error body, such as S3's <StringToSign>
// or <RequestTime>, in the order the service emits it.
type Field struct {
	Name  string
	Value string
}

// Error is the error Verify and Body return. Status, Code and Message are
// what the service the Verifier speaks for (S3, or CloudFront and the other
// AWS REST/query services) answers for the same fault, so that an HTTP
// package can render them unchanged; Fields are the extra elements S3 puts
// in its <Error> body. Message and Fields may echo request data back to the
// client that sent it, as AWS does: the canonical request, which holds the
// signed headers' values, X-Amz-Security-Token included when it was signed.
// So send them, but do not log them. They never contain a secret key or a
// derived signing key.
//
// Error() is meant for logs: it names the kind and the precise reason and
// leaves out the echoed request data.
type Error struct {
	Kind    Kind
	Service string // the Verifier's Service: which vocabulary Code/Message use
	Status  int    // HTTP status code
	Code    string // AWS error code, e.g. "SignatureDoesNotMatch"
	Message string // AWS error message, safe to send to the client
	Fields  []Field

	// CanonicalRequest and StringToSign are set on KindSignatureMismatch.
	// S3 returns them in Fields; the CloudFront message includes them.
	CanonicalRequest string
	StringToSign     string

	// Reason says precisely why, for logs. Err is an underlying cause, if any.
	Reason string
	Err    error
}

var _ error = (*Error)(nil)

// Error returns "sigv4: <kind>: <reason>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sigv4: ")
	b.WriteString(e.Kind.String())
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Field returns the value of the named extra field, or "".
func (e *Error) Field(name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// wire is one service's rendering of a fault.
type wire struct {
	status int
	code   string
	msg    string
	fields []Field
}

// newError picks the S3 rendering for service s3 and the general AWS one
// (which CloudFront uses) for every other service.
func newError(service string, kind Kind, reason string, general, s3 wire) *Error {
	w := general
	if service == ServiceS3 {
		w = s3
	}
	return &Error{
		Kind:    kind,
		Service: service,
		Status:  w.status,
		Code:    w.code,
		Message: w.msg,
		Fields:  w.fields,
		Reason:  reason,
	}
}

// Messages. Where a message is quoted from a real AWS response the source is
// named; "ours" marks wording AWS does not document.
const (
	// AWS "Common Errors" for query/REST-XML services; the message is what
	// IAM/STS/CloudFront-style front ends send.
	msgMissingToken = "Request is missing Authentication Token"
	// Real CloudFront/STS responses (e.g. aws/aws-cli issues): same text.
	msgInvalidClientTokenID = "The security token included in the request is invalid."
	// IAM User Guide, "Troubleshoot signed requests" (signature-v4-troubleshooting).
	msgGeneralSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	// S3 error body, SignatureDoesNotMatch.
	msgS3Signature = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	// S3 error codes list.
	msgS3InvalidAccessKey = "The AWS Access Key Id you provided does not exist in our records."
	msgS3InvalidToken     = "The provided token is malformed or otherwise invalid."
	msgS3AccessDenied     = "Access Denied"
	// Real S3 responses (RequestTimeTooSkewed, e.g. aws-sdk-net users'
	// reports); the S3 error list says "server's time" instead.
	msgS3Skewed = "The difference between the request time and the current time is too large."
	// Real S3 responses for expired presigned URLs.
	msgS3Expired     = "Request has expired"
	msgS3NotYetValid = "Request is not valid yet"
	// Real S3 response (s3tools/s3cmd#812 and others).
	msgS3ContentSHA = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgS3BadSHA     = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
	msgS3MissingSHA = "Missing required header for this request: x-amz-content-sha256"
	msgS3Unsigned   = "There were headers present in the request which were not signed"
	// S3 error codes list: IncompleteBody.
	msgS3Incomplete = "You did not provide the number of bytes specified by the Content-Length HTTP header."
	msgS3Trailer    = "The request contained trailing data that was not well-formed or did not conform to our published schema."
	msgS3QueryParts = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgS3HeaderMal  = "The authorization header is malformed; "
	msgS3CredShape  = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgS3Internal   = "We encountered an internal error. Please try again."
	// Real S3 responses (aws/aws-sdk-go-v2#2657 and many others).
	msgS3RequestTimeout = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."
	// AWS "Common Errors", RequestTimeoutException.
	msgRequestTimeout = "Problems with the request at the HTTP level. Reading the Request timed out."
)

// Errors for each kind. Each takes the details its messages need.

func errMissing(service string) *Error {
	return newError(service, KindMissing, "no Authorization header or X-Amz-Algorithm query parameter",
		wire{http.StatusForbidden, "MissingAuthenticationToken", msgMissingToken, nil},
		wire{http.StatusForbidden, "AccessDenied", msgS3AccessDenied, nil})
}

// errMalformedHeader reports an Authorization header that cannot be parsed.
// general is the IncompleteSignature message; s3detail follows S3's
// "The authorization header is malformed; " prefix.
func errMalformedHeader(service, reason, general, s3detail string) *Error {
	return newError(service, KindMalformed, reason,
		wire{http.StatusBadRequest, "IncompleteSignature", general, nil},
		wire{http.StatusBadRequest, "AuthorizationHeaderMalformed", msgS3HeaderMal + s3detail, nil})
}

// errMalformedQuery reports presigned query parameters that cannot be parsed.
func errMalformedQuery(service, reason, message string) *Error {
	return newError(service, KindMalformed, reason,
		wire{http.StatusBadRequest, "IncompleteSignature", message, nil},
		wire{http.StatusBadRequest, "AuthorizationQueryParametersError", message, nil})
}

// errUnsupportedAuth reports an authorization scheme other than SigV4
// HMAC-SHA256 (SigV2, SigV4a, bearer tokens...). S3 answers InvalidArgument
// "Unsupported Authorization Type" with ArgumentName Authorization.
func errUnsupportedAuth(service, scheme string) *Error {
	return newError(service, KindMalformed, fmt.Sprintf("unsupported authorization scheme %q", scheme),
		wire{http.StatusBadRequest, "IncompleteSignature", fmt.Sprintf("Unsupported authorization algorithm %q; use AWS4-HMAC-SHA256.", scheme), nil},
		wire{http.StatusBadRequest, "InvalidArgument", "Unsupported Authorization Type",
			[]Field{{"ArgumentName", "Authorization"}, {"ArgumentValue", scheme}}})
}

func errTwoMechanisms(service string) *Error {
	const msg = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	return newError(service, KindMalformed, "both an Authorization header and presigned query parameters",
		wire{http.StatusBadRequest, "IncompleteSignature", msg, nil},
		wire{http.StatusBadRequest, "InvalidArgument", msg,
			[]Field{{"ArgumentName", "Authorization"}}})
}

// errScope reports a credential scope for another service, terminator or
// date. The general messages are those of the IAM troubleshooting guide;
// the S3 ones are S3's AuthorizationHeaderMalformed /
// AuthorizationQueryParametersError texts.
func errScope(service string, presigned bool, reason, general, s3detail string) *Error {
	s3 := wire{http.StatusBadRequest, "AuthorizationHeaderMalformed", msgS3HeaderMal + s3detail, nil}
	if presigned {
		s3 = wire{http.StatusBadRequest, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; " + s3detail, nil}
	}
	return newError(service, KindCredentialScope, reason,
		wire{http.StatusForbidden, "SignatureDoesNotMatch", general, nil}, s3)
}

// amzTime formats t as X-Amz-Date does.
func amzTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// skewMinutes renders d as AWS does in "(… - 15 min.)".
func skewMinutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%s", d)
}

// errSkewed reports a header-form request signed too far from now. The
// general messages are CloudFront's own ("Signature expired: 20190929T171351Z
// is now earlier than 20190929T171436Z (20190929T171936Z - 5 min.)", a real
// 403 SignatureDoesNotMatch quoted in amimoto-ami/c3-cloudfront-clear-cache#41);
// S3 answers RequestTimeTooSkewed with the times and the allowed skew.
func errSkewed(service string, signed, now time.Time, maxSkew time.Duration) *Error {
	var general string
	if signed.Before(now) {
		general = fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			amzTime(signed), amzTime(now.Add(-maxSkew)), amzTime(now), skewMinutes(maxSkew))
	} else {
		general = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
			amzTime(signed), amzTime(now.Add(maxSkew)), amzTime(now), skewMinutes(maxSkew))
	}
	return newError(service, KindRequestTimeTooSkewed,
		fmt.Sprintf("signed at %s, server time %s, allowed skew %s", amzTime(signed), amzTime(now), maxSkew),
		wire{http.StatusForbidden, "SignatureDoesNotMatch", general, nil},
		wire{http.StatusForbidden, "RequestTimeTooSkewed", msgS3Skewed, []Field{
			{"RequestTime", amzTime(signed)},
			{"ServerTime", now.UTC().Format(time.RFC3339)},
			{"MaxAllowedSkewMilliseconds", fmt.Sprint(maxSkew.Milliseconds())},
		}})
}

// errNotYetValid reports a presigned URL whose X-Amz-Date lies beyond the
// allowed skew in the future. S3: 403 AccessDenied "Request is not valid yet".
func errNotYetValid(service string, signed, now time.Time, maxSkew time.Duration) *Error {
	e := errSkewed(service, signed, now, maxSkew)
	if service == ServiceS3 {
		e.Code, e.Message, e.Fields = "AccessDenied", msgS3NotYetValid, nil
	}
	return e
}

// errExpired reports a presigned URL used after its expiry. S3's body
// carries X-Amz-Expires, Expires and ServerTime.
func errExpired(service string, expires time.Time, seconds int64, now time.Time) *Error {
	return newError(service, KindExpired,
		fmt.Sprintf("expired at %s, server time %s", amzTime(expires), amzTime(now)),
		wire{http.StatusForbidden, "SignatureDoesNotMatch",
			fmt.Sprintf("Signature expired: %s is now earlier than %s", amzTime(expires), amzTime(now)), nil},
		wire{http.StatusForbidden, "AccessDenied", msgS3Expired, []Field{
			{"X-Amz-Expires", fmt.Sprint(seconds)},
			{"Expires", expires.UTC().Format(time.RFC3339)},
			{"ServerTime", now.UTC().Format(time.RFC3339)},
		}})
}

func errUnknownKey(service, accessKeyID string) *Error {
	return newError(service, KindUnknownAccessKey, fmt.Sprintf("access key %q is not known", accessKeyID),
		wire{http.StatusForbidden, "InvalidClientTokenId", msgInvalidClientTokenID, nil},
		wire{http.StatusForbidden, "InvalidAccessKeyId", msgS3InvalidAccessKey,
			[]Field{{"AWSAccessKeyId", accessKeyID}}})
}

func errInvalidToken(service, accessKeyID string) *Error {
	return newError(service, KindInvalidToken, fmt.Sprintf("X-Amz-Security-Token does not match the session token of %q", accessKeyID),
		wire{http.StatusForbidden, "InvalidClientTokenId", msgInvalidClientTokenID, nil},
		wire{http.StatusBadRequest, "InvalidToken", msgS3InvalidToken, nil})
}

// errUnsignedHeaders reports x-amz-* headers left out of SignedHeaders (S3
// requires every one to be signed) or a missing host.
func errUnsignedHeaders(service string, names []string) *Error {
	list := strings.Join(names, ", ")
	return newError(service, KindUnsignedHeaders, "not signed: "+list,
		wire{http.StatusBadRequest, "IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", nil},
		wire{http.StatusForbidden, "AccessDenied", msgS3Unsigned, []Field{{"HeadersNotSigned", list}}})
}

func errMissingContentSHA256(service string) *Error {
	return newError(service, KindMissingContentSHA256, "no x-amz-content-sha256 header",
		wire{http.StatusBadRequest, "IncompleteSignature", msgS3MissingSHA, nil},
		wire{http.StatusBadRequest, "InvalidRequest", msgS3MissingSHA, nil})
}

func errInvalidContentSHA256(service, value string) *Error {
	return newError(service, KindInvalidContentSHA256, fmt.Sprintf("x-amz-content-sha256 %q", value),
		// Ours, and never sent: general services hash the body themselves
		// and take x-amz-content-sha256 for an ordinary header.
		wire{http.StatusBadRequest, "InvalidRequest", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.", nil},
		wire{http.StatusBadRequest, "InvalidArgument", msgS3BadSHA, []Field{
			{"ArgumentName", "x-amz-content-sha256"}, {"ArgumentValue", value}}})
}

// errBodyTooLarge: the body a general service must hash is over the limit.
// 413 and the code are ours; AWS publishes no limit for CloudFront.
func errBodyTooLarge(service string, limit int64) *Error {
	msg := fmt.Sprintf("The request body is larger than %d bytes.", limit)
	return newError(service, KindBodyTooLarge, fmt.Sprintf("body over %d bytes", limit),
		wire{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", msg, nil},
		wire{http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", nil})
}

// errSignature reports a signature mismatch. S3's body carries the canonical
// request and string to sign, also as space-separated hex bytes; general
// services append them to the message ("The Canonical String for this
// request should have been ...", as STS, API Gateway and others do).
func errSignature(service, accessKeyID, provided, canonical, sts string) *Error {
	general := msgGeneralSignature +
		"\n\nThe Canonical String for this request should have been\n'" + canonical +
		"'\n\nThe String-to-Sign should have been\n'" + sts + "'\n"
	e := newError(service, KindSignatureMismatch, fmt.Sprintf("signature does not match for access key %q", accessKeyID),
		wire{http.StatusForbidden, "SignatureDoesNotMatch", general, nil},
		wire{http.StatusForbidden, "SignatureDoesNotMatch", msgS3Signature, []Field{
			{"AWSAccessKeyId", accessKeyID},
			{"StringToSign", sts},
			{"SignatureProvided", provided},
			{"StringToSignBytes", hexBytes(sts)},
			{"CanonicalRequest", canonical},
			{"CanonicalRequestBytes", hexBytes(canonical)},
		}})
	e.CanonicalRequest, e.StringToSign = canonical, sts
	return e
}

// hexBytes renders s as S3 does in <StringToSignBytes>: "41 57 53 34 ...".
func hexBytes(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[s[i]>>4], digits[s[i]&0xf])
	}
	return string(b)
}

// errContentSHA256 reports a body that does not hash to x-amz-content-sha256.
// A general service would have hashed the body itself and found the
// signature wrong, hence SignatureDoesNotMatch there.
func errContentSHA256(service, claimed, computed string) *Error {
	return newError(service, KindContentSHA256Mismatch,
		fmt.Sprintf("x-amz-content-sha256 %s, body hashes to %s", claimed, computed),
		wire{http.StatusForbidden, "SignatureDoesNotMatch", msgGeneralSignature, nil},
		wire{http.StatusBadRequest, "XAmzContentSHA256Mismatch", msgS3ContentSHA, []Field{
			{"ClientComputedContentSHA256", claimed},
			{"S3ComputedContentSHA256", computed},
		}})
}

// errChunkSignature: S3 answers a bad chunk or trailer signature with
// SignatureDoesNotMatch.
func errChunkSignature(service, reason string) *Error {
	return newError(service, KindChunkSignatureMismatch, reason,
		wire{http.StatusForbidden, "SignatureDoesNotMatch", msgGeneralSignature, nil},
		wire{http.StatusForbidden, "SignatureDoesNotMatch", msgS3Signature, nil})
}

// errRequestTimeout: the client stopped sending its body. S3 answers 400
// RequestTimeout with this message after about 20 seconds of silence
// (real responses, e.g. aws/aws-sdk-go-v2#2657; AWS knowledge center,
// s3-socket-connection-timeout-error); other AWS services list 408
// RequestTimeoutException, "Reading the Request timed out", among their
// common errors (e.g. Lambda API Reference, CommonErrors).
func errRequestTimeout(service string) *Error {
	return newError(service, KindRequestTimeout, "no body bytes within the read deadline",
		wire{http.StatusRequestTimeout, "RequestTimeoutException", msgRequestTimeout, nil},
		wire{http.StatusBadRequest, "RequestTimeout", msgS3RequestTimeout, nil})
}

func errIncomplete(service, reason string) *Error {
	return newError(service, KindIncompleteBody, reason,
		wire{http.StatusBadRequest, "IncompleteBody", msgS3Incomplete, nil},
		wire{http.StatusBadRequest, "IncompleteBody", msgS3Incomplete, nil})
}

func errTrailer(service, reason string) *Error {
	return newError(service, KindMalformedTrailer, reason,
		wire{http.StatusBadRequest, "MalformedTrailerError", msgS3Trailer, nil},
		wire{http.StatusBadRequest, "MalformedTrailerError", msgS3Trailer, nil})
}

// errInvalidChecksum: S3 answers InvalidRequest, e.g. "Value for
// x-amz-checksum-crc32 header is invalid."
func errInvalidChecksum(service, reason, message string) *Error {
	return newError(service, KindInvalidChecksum, reason,
		wire{http.StatusBadRequest, "InvalidRequest", message, nil},
		wire{http.StatusBadRequest, "InvalidRequest", message, nil})
}

// errBadDigest: S3 answers 400 BadDigest "The CRC32 you specified did not
// match the calculated checksum." (real responses, e.g. aws/aws-sdk-ruby#3322)
// and, for Content-MD5, "The Content-MD5 you specified did not match what we
// received." (S3 error codes list).
func errBadDigest(service, reason, message string) *Error {
	return newError(service, KindBadDigest, reason,
		wire{http.StatusBadRequest, "BadDigest", message, nil},
		wire{http.StatusBadRequest, "BadDigest", message, nil})
}

func errInternal(service, reason string, err error) *Error {
	e := newError(service, KindInternal, reason,
		wire{http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", nil},
		wire{http.StatusInternalServerError, "InternalError", msgS3Internal, nil})
	e.Err = err
	return e
}
