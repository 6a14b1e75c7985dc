package signing

import "strconv"

// Code is the error code CloudFront puts in the body of a 403 for a signed
// request (§11, §12). The zero value, OK, means the request is admitted.
type Code uint8

// The codes of §12, in the order the checks can first produce them.
const (
	OK Code = iota
	MissingKey
	InvalidKey
	MalformedSignature
	MalformedPolicy
	AccessDenied
)

var codeText = [...]struct{ code, message string }{
	OK:                 {"OK", ""},
	MissingKey:         {"MissingKey", "Missing Key-Pair-Id query parameter or cookie value"},
	InvalidKey:         {"InvalidKey", "Unknown Key"},
	MalformedSignature: {"MalformedSignature", "Could not unencode Signature"},
	MalformedPolicy:    {"MalformedPolicy", "Malformed Policy"},
	AccessDenied:       {"AccessDenied", "Access denied"},
}

// String returns the code as it appears in <Code>.
func (c Code) String() string {
	if int(c) < len(codeText) {
		return codeText[c].code
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Message returns the exact <Message> CloudFront sends with the code.
func (c Code) Message() string {
	if int(c) < len(codeText) {
		return codeText[c].message
	}
	return ""
}

var codeBodies = func() [len(codeText)][]byte {
	var b [len(codeText)][]byte
	for c := MissingKey; int(c) < len(codeText); c++ {
		b[c] = []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + c.String() +
			`</Code><Message>` + c.Message() + `</Message></Error>`)
	}
	return b
}()

// Body returns the exact 403 body for the code (§12): the XML declaration and
// the Error element on one line, no trailing newline. It returns nil for OK.
// The returned slice is shared and must not be modified.
func (c Code) Body() []byte {
	if int(c) < len(codeBodies) {
		return codeBodies[c]
	}
	return nil
}

// Reason is the precise, log-only cause of a rejection (§11): the viewer sees
// only the Code.
type Reason string

// Rejection reasons (§11). Each maps to exactly one Code.
const (
	ReasonKeyIDMissing          Reason = "key_id_missing"
	ReasonHashAlgUnsupported    Reason = "hash_alg_unsupported"
	ReasonPolicyB64             Reason = "policy_b64"
	ReasonExpiresInvalid        Reason = "expires_invalid"
	ReasonPolicyMissing         Reason = "policy_missing"
	ReasonPolicyJSON            Reason = "policy_json"
	ReasonPolicyStatementCount  Reason = "policy_statement_count"
	ReasonPolicyDLTMissing      Reason = "policy_dlt_missing"
	ReasonPolicyEpochInvalid    Reason = "policy_epoch_invalid"
	ReasonPolicyIPInvalid       Reason = "policy_ip_invalid"
	ReasonPolicyResourceInvalid Reason = "policy_resource_invalid"
	ReasonKeyUnknown            Reason = "key_unknown"
	ReasonSignatureMissing      Reason = "signature_missing"
	ReasonSignatureB64          Reason = "signature_b64"
	ReasonSignatureMismatch     Reason = "signature_mismatch"
	ReasonSignatureNotDER       Reason = "signature_not_der"
	ReasonExpired               Reason = "expired"
	ReasonNotYetValid           Reason = "not_yet_valid"
	ReasonIPMismatch            Reason = "ip_mismatch"
	ReasonResourceMismatch      Reason = "resource_mismatch"
)

// Code returns the viewer-facing code for the reason.
func (r Reason) Code() Code {
	switch r {
	case ReasonKeyIDMissing:
		return MissingKey
	case ReasonKeyUnknown:
		return InvalidKey
	case ReasonSignatureB64:
		return MalformedSignature
	case ReasonHashAlgUnsupported, ReasonPolicyB64, ReasonExpiresInvalid, ReasonPolicyMissing,
		ReasonPolicyJSON, ReasonPolicyStatementCount, ReasonPolicyDLTMissing,
		ReasonPolicyEpochInvalid, ReasonPolicyIPInvalid, ReasonPolicyResourceInvalid:
		return MalformedPolicy
	case "":
		return OK
	}
	return AccessDenied
}

// Rejection is the error Verify returns for a request it refuses: the
// viewer-facing Code, the log Reason, and a human explanation in Detail that
// may name keys and URLs (for logs and `keyfront verify`, never the body).
type Rejection struct {
	Code   Code
	Reason Reason
	Detail string
}

// Error returns "Code (reason): detail".
func (r *Rejection) Error() string {
	s := r.Code.String() + " (" + string(r.Reason) + ")"
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

func reject(reason Reason, detail string) *Rejection {
	return &Rejection{Code: reason.Code(), Reason: reason, Detail: detail}
}
