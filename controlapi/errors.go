package controlapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"keyfront"
	"keyfront/sigv4"
)

// apiError is a fault with a CloudFront error code (control-api.md §11).
// Handlers and the closures they run in Store transactions return it;
// writeError turns it into the response. Message is shown to the client.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errorf returns an *apiError with a formatted message.
func errorf(code, format string, args ...any) error {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Messages the model (or a captured AWS response) gives for the codes whose
// text clients may show verbatim (control-api.md §5, §10).
const (
	msgNoSuchPublicKey           = "The specified public key doesn't exist."
	msgNoSuchResource            = "A resource that was specified is not valid."
	msgNoSuchDistribution        = "The specified distribution does not exist."
	msgNoSuchInvalidation        = "The specified invalidation does not exist."
	msgNoSuchOAC                 = "The origin access control does not exist."
	msgNoSuchOrigin              = "No origin exists with the specified Origin Id."
	msgPublicKeyInUse            = "The specified public key is in use."
	msgResourceInUse             = "Cannot delete this resource because it is in use."
	msgTrustedKeyGroupNotExist   = "The specified key group does not exist."
	msgDistributionNotDisabled   = "The distribution you are trying to delete has not been disabled."
	msgInvalidIfMatch            = "The If-Match version is missing or not valid for the resource."
	msgPreconditionFailed        = "The request failed because it didn't meet the preconditions in one or more request-header fields."
	msgMissingBody               = "This operation requires a body. Ensure that the body is present and the Content-Type header is set."
	msgCNAMEAlreadyExists        = "One or more of the CNAMEs you provided are already associated with a different resource."
	msgTooManyPublicKeys         = "Processing your request will cause you to exceed the maximum number of CloudFront public keys allowed."
	msgPublicKeyNameExists       = "The name that you are using to create a CloudFront public key is associated with another public key in your account."
	msgPublicKeyCallerRefExists  = "The caller reference that you are using to create a CloudFront public key is associated with another public key in your account."
	msgDistributionCallerRefUsed = "The caller reference that you are using to create a distribution is associated with another distribution. Already exists: %s"
)

// errorStatus holds the status of the codes keyfront uses that the model
// does not define; every other code's status comes from the model
// (modelErrorStatus, generated). Together they are the package's only
// code→status table (STYLE.md, habit 3).
var errorStatus = map[string]int{
	"MalformedInput":                 http.StatusBadRequest,            // unmodelled; what CloudFront sends for unparsable XML
	"RequestEntityTooLarge":          http.StatusRequestEntityTooLarge, // body over Config.MaxBodyBytes
	"InvalidationBatchAlreadyExists": http.StatusConflict,              // §6 Choice
	"NotImplemented":                 http.StatusNotImplemented,        // §2 Choice
	"InternalError":                  http.StatusInternalServerError,
	"MissingAuthenticationToken":     http.StatusForbidden,  // no SigV4 at all (§12)
	"Throttling":                     http.StatusBadRequest, // Config.MaxPendingBodies reached (errBusy)
	"RequestTimeoutException":        http.StatusRequestTimeout,
}

// errRequestTimeout answers a body that stopped arriving (Config.BodyIdleTimeout,
// BodyTimeout) as other AWS services do: 408 RequestTimeoutException (AWS
// "Common Errors"; sigv4 answers the same when it is the one reading).
var errRequestTimeout = &apiError{Code: "RequestTimeoutException",
	Message: "Problems with the request at the HTTP level. Reading the Request timed out."}

// statusOf returns the HTTP status of a CloudFront error code.
func statusOf(code string) int {
	if s, ok := errorStatus[code]; ok {
		return s
	}
	if s, ok := modelErrorStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// fromDomain maps the code of a keyfront.Error that reached a handler
// unconverted (handlers normally convert store errors into the specific
// CloudFront code of the resource) to a CloudFront code.
var fromDomain = map[string]string{
	keyfront.EINVALID:      "InvalidArgument",
	keyfront.ENOTFOUND:     "NoSuchResource",
	keyfront.ECONFLICT:     "ResourceInUse",
	keyfront.EPRECONDITION: "PreconditionFailed",
	keyfront.EUNAUTHORIZED: "AccessDenied",
	keyfront.EFORBIDDEN:    "AccessDenied",
	keyfront.EINTERNAL:     "InternalError",
}

// writeError writes err as a CloudFront ErrorResponse (control-api.md §11):
// an *apiError with its code, a *sigv4.Error with the status, code and
// message the verifier chose (§12), a *keyfront.Error through fromDomain,
// anything else as a 500 whose details stay in the log. 5xx are logged at
// Error, 4xx at Debug.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status        int
		code, message string
		ae            *apiError
		se            *sigv4.Error
		ke            *keyfront.Error
	)
	switch {
	case errors.As(err, &ae):
		code, message = ae.Code, ae.Message
		status = statusOf(code)
	case errors.As(err, &se):
		status, code, message = se.Status, se.Code, se.Message
	case errors.As(err, &ke):
		code = fromDomain[keyfront.ErrorCode(err)]
		if code == "" {
			code = "InternalError"
		}
		message = keyfront.ErrorMessage(err)
		status = statusOf(code)
	default:
		code, message = "InternalError", "We encountered an internal error. Please try again."
		status = http.StatusInternalServerError
	}
	typ := "Sender"
	level := slog.LevelDebug
	if status >= 500 {
		typ, level = "Receiver", slog.LevelError
	}
	id := requestID(r)
	s.log.Log(r.Context(), level, "control API request failed",
		"method", r.Method, "path", r.URL.Path, "status", status, "code", code, "err", err, "request_id", id)

	var b []byte
	b = append(b, xmlHeader...)
	b = append(b, `<ErrorResponse xmlns="`+xmlNamespace+`"><Error><Type>`...)
	b = append(b, typ...)
	b = append(b, "</Type><Code>"...)
	b = appendEscaped(b, code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, message)
	b = append(b, "</Message></Error><RequestId>"...)
	b = append(b, id...)
	b = append(b, "</RequestId></ErrorResponse>"...)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(b)
}

// Errors for resources that do not exist, by kind (§10).
func noSuchPublicKey() error    { return errorf("NoSuchPublicKey", msgNoSuchPublicKey) }
func noSuchKeyGroup() error     { return errorf("NoSuchResource", msgNoSuchResource) }
func noSuchDistribution() error { return errorf("NoSuchDistribution", msgNoSuchDistribution) }
func noSuchInvalidation() error { return errorf("NoSuchInvalidation", msgNoSuchInvalidation) }
func noSuchOAC() error          { return errorf("NoSuchOriginAccessControl", msgNoSuchOAC) }

// notFound converts a store ENOTFOUND into the resource's error and leaves
// any other error as it is.
func notFound(err error, mk func() error) error {
	if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
		return mk()
	}
	return err
}

func invalidArgument(format string, args ...any) error {
	return errorf("InvalidArgument", format, args...)
}
