package controlapi

import (
	"errors"
	"log/slog"
	"net/http"

	"keyfront"
	"keyfront/model"
	"keyfront/sigv4"
)

// errorf returns a *model.Error, the error type whose code writeError
// sends as it is: the model's decoder and the domain rules return it too.
func errorf(code, format string, args ...any) error {
	return model.Errorf(code, format, args...)
}

// msgMissingBody is what CloudFront says of a request without the body an
// operation needs (control-api.md §10).
const msgMissingBody = "This operation requires a body. Ensure that the body is present and the Content-Type header is set."

// errorStatus holds the status of the codes keyfront uses that the model
// does not define; every other code's status comes from the model
// (model.ErrorStatus, generated). Together they are the package's only
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
var errRequestTimeout = &model.Error{Code: "RequestTimeoutException",
	Message: "Problems with the request at the HTTP level. Reading the Request timed out."}

// statusOf returns the HTTP status of a CloudFront error code.
func statusOf(code string) int {
	if s, ok := errorStatus[code]; ok {
		return s
	}
	if s, ok := model.ErrorStatus[code]; ok {
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
// a *model.Error (from the decoder, the domain rules or this package) with
// its code, a *sigv4.Error with the status, code and
// message the verifier chose (§12), a *keyfront.Error through fromDomain,
// anything else as a 500 whose details stay in the log. 5xx are logged at
// Error, 4xx at Debug.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status        int
		code, message string
		ae            *model.Error
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
	b = append(b, model.XMLHeader...)
	b = append(b, `<ErrorResponse xmlns="`+model.Namespace+`"><Error><Type>`...)
	b = append(b, typ...)
	b = append(b, "</Type><Code>"...)
	b = model.AppendEscaped(b, code)
	b = append(b, "</Code><Message>"...)
	b = model.AppendEscaped(b, message)
	b = append(b, "</Message></Error><RequestId>"...)
	b = append(b, id...)
	b = append(b, "</RequestId></ErrorResponse>"...)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(b)
}

func invalidArgument(format string, args ...any) error {
	return errorf("InvalidArgument", format, args...)
}
