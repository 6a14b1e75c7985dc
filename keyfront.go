// Package keyfront holds keyfront's domain types: the identifiers that travel
// on the wire and the one application error type that every plane turns into
// a response. It imports only the standard library; implementation packages
// depend on it, never the other way round.
package keyfront

import (
	"errors"
	"fmt"
)

// KeyPairID identifies a public key, as carried in Key-Pair-Id and
// CloudFront-Key-Pair-Id: "K" followed by 13 upper-case alphanumerics when
// keyfront generates it.
type KeyPairID string

// KeyGroupID identifies a key group: a lower-case UUID.
type KeyGroupID string

// DistributionID identifies a distribution: "E" followed by 13 upper-case
// alphanumerics.
type DistributionID string

// Error codes. Each HTTP package maps them to a status in exactly one place.
const (
	EINTERNAL     = "internal"     // a fault of keyfront or its dependencies
	EINVALID      = "invalid"      // the request or input is malformed
	ENOTFOUND     = "not_found"    // the named resource does not exist
	ECONFLICT     = "conflict"     // the resource exists or is in use
	EPRECONDITION = "precondition" // an If-Match or similar condition failed
	EUNAUTHORIZED = "unauthorized" // the caller is not authenticated
	EFORBIDDEN    = "forbidden"    // the caller may not do this
)

// Error is keyfront's application error. Code is one of the E* constants;
// Message is safe to show to a client; Op names the operation that failed
// ("sqlite: get key group") and Err the underlying cause, neither of which
// is shown to clients.
type Error struct {
	Code    string
	Message string
	Op      string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	switch {
	case e.Op != "" && msg != "":
		return e.Op + ": " + msg
	case e.Op != "":
		return e.Op + ": " + e.Code
	case msg != "":
		return msg
	}
	return e.Code
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted client-safe
// message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic text for any other error so that internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "An internal error occurred."
}
