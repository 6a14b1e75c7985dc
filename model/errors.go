package model

import "fmt"

// Error is a fault with a CloudFront error code (control-api.md §11), such
// as InvalidArgument, NoSuchDistribution or PreconditionFailed. The model's
// decoder and validation and the write rules that build on them return it;
// an HTTP package turns it into a response with the status its code has
// (ErrorStatus for the codes the AWS model defines). Message is safe to
// show to a client.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errorf(code, format string, args ...any) error {
	return Errorf(code, format, args...)
}

func invalidArgument(format string, args ...any) error {
	return Errorf("InvalidArgument", format, args...)
}
