package s3

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"keyfront"
	"keyfront/sigv4"
)

// apiError is a fault with an S3 error code ("Error responses", S3 API
// Reference, ErrorResponses.html). Handlers return it; writeError turns it
// into the response. Message and Fields are shown to the client; Err is the
// cause, for logs only.
type apiError struct {
	Code    string
	Message string
	// Fields are extra elements of the <Error> body, in order, as S3 adds
	// them for some codes (<BucketName>, <Key>, <Condition>, ...).
	Fields []sigv4.Field
	Err    error
}

func (e *apiError) Error() string {
	s := e.Code + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *apiError) Unwrap() error { return e.Err }

// errorf returns an *apiError with a formatted message.
func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// with returns e with an extra field.
func (e *apiError) with(name, value string) *apiError {
	e.Fields = append(e.Fields, sigv4.Field{Name: name, Value: value})
	return e
}

// Messages of the codes keyfront uses, as S3 words them (ErrorResponses.html
// and real S3 responses).
const (
	msgAccessDenied       = "Access Denied"
	msgBucketExists       = "Your previous request to create the named bucket succeeded and you already own it."
	msgBucketNotEmpty     = "The bucket you tried to delete is not empty"
	msgEntityTooLarge     = "Your proposed upload exceeds the maximum allowed size"
	msgEntityTooSmall     = "Your proposed upload is smaller than the minimum allowed object size."
	msgInternal           = "We encountered an internal error. Please try again."
	msgInvalidBucketName  = "The specified bucket is not valid."
	msgInvalidPart        = "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
	msgInvalidPartOrder   = "The list of parts was not in ascending order. The parts list must be specified in order by part number."
	msgInvalidRange       = "The requested range is not satisfiable"
	msgKeyTooLong         = "Your key is too long"
	msgMalformedXML       = "The XML you provided was not well-formed or did not validate against our published schema"
	msgMetadataTooLarge   = "Your metadata headers exceed the maximum allowed metadata size"
	msgMethodNotAllowed   = "The specified method is not allowed against this resource."
	msgMissingLength      = "You must provide the Content-Length HTTP header."
	msgMissingBody        = "Request Body is empty"
	msgNoSuchBucket       = "The specified bucket does not exist"
	msgNoSuchBucketPolicy = "The bucket policy does not exist"
	msgNoSuchKey          = "The specified key does not exist."
	msgNoSuchUpload       = "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
	msgNotImplemented     = "A header you provided implies functionality that is not implemented"
	msgPreconditionFailed = "At least one of the pre-conditions you specified did not hold"
	msgPartNumber         = "Part number must be an integer between 1 and 10000, inclusive"
	msgCopySelf           = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
	msgAnonymousOverrides = "Request specific response headers cannot be used for anonymous GET requests."
	msgRequestTimeout     = "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."
)

// errorStatus maps every code keyfront answers with to its HTTP status
// (ErrorResponses.html). It is the package's only code→status table
// (STYLE.md, habit 3); *sigv4.Error carries its own status.
var errorStatus = map[string]int{
	"AccessDenied":              http.StatusForbidden,
	"BadDigest":                 http.StatusBadRequest,
	"BucketAlreadyOwnedByYou":   http.StatusConflict,
	"BucketNotEmpty":            http.StatusConflict,
	"EntityTooLarge":            http.StatusBadRequest,
	"EntityTooSmall":            http.StatusBadRequest,
	"IncompleteBody":            http.StatusBadRequest,
	"InternalError":             http.StatusInternalServerError,
	"InvalidArgument":           http.StatusBadRequest,
	"InvalidBucketName":         http.StatusBadRequest,
	"InvalidDigest":             http.StatusBadRequest,
	"InvalidLocationConstraint": http.StatusBadRequest,
	"InvalidPart":               http.StatusBadRequest,
	"InvalidPartNumber":         http.StatusRequestedRangeNotSatisfiable,
	"InvalidPartOrder":          http.StatusBadRequest,
	"InvalidRange":              http.StatusRequestedRangeNotSatisfiable,
	"InvalidRequest":            http.StatusBadRequest,
	"KeyTooLongError":           http.StatusBadRequest,
	"MalformedPolicy":           http.StatusBadRequest,
	"MalformedXML":              http.StatusBadRequest,
	"MaxMessageLengthExceeded":  http.StatusBadRequest,
	"MetadataTooLarge":          http.StatusBadRequest,
	"MethodNotAllowed":          http.StatusMethodNotAllowed,
	"MissingContentLength":      http.StatusLengthRequired,
	"MissingRequestBodyError":   http.StatusBadRequest,
	"NoSuchBucket":              http.StatusNotFound,
	"NoSuchBucketPolicy":        http.StatusNotFound,
	"NoSuchKey":                 http.StatusNotFound,
	"NoSuchUpload":              http.StatusNotFound,
	"NoSuchVersion":             http.StatusNotFound,
	"NotImplemented":            http.StatusNotImplemented,
	"PreconditionFailed":        http.StatusPreconditionFailed,
	"RequestTimeout":            http.StatusBadRequest,
}

// fromDomain maps the code of a keyfront.Error that reached writeError
// unconverted (handlers normally convert store errors into the specific
// S3 code, NoSuchBucket or NoSuchKey) to an S3 code.
var fromDomain = map[string]string{
	keyfront.EINVALID:      "InvalidArgument",
	keyfront.ECONFLICT:     "InvalidRequest",
	keyfront.EPRECONDITION: "PreconditionFailed",
	keyfront.EUNAUTHORIZED: "AccessDenied",
	keyfront.EFORBIDDEN:    "AccessDenied",
}

// Common errors.
func accessDenied() *apiError { return errorf("AccessDenied", msgAccessDenied) }
func internalError(err error) error {
	return &apiError{Code: "InternalError", Message: msgInternal, Err: err}
}
func noSuchBucket(name string) *apiError {
	return errorf("NoSuchBucket", msgNoSuchBucket).with("BucketName", name)
}
func noSuchKey(key string) *apiError { return errorf("NoSuchKey", msgNoSuchKey).with("Key", key) }
func noSuchUpload(id string) *apiError {
	return errorf("NoSuchUpload", msgNoSuchUpload).with("UploadId", id)
}
func invalidArgument(name, value, format string, args ...any) *apiError {
	return errorf("InvalidArgument", format, args...).with("ArgumentName", name).with("ArgumentValue", value)
}
func malformedXML(err error) *apiError {
	return &apiError{Code: "MalformedXML", Message: msgMalformedXML, Err: err}
}

// notFound converts a store ENOTFOUND into the resource's error and leaves
// any other error as it is.
func notFound(err error, mk func() *apiError) error {
	if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
		return mk()
	}
	return err
}

// writeError writes err as an S3 error response: an *apiError with its
// code, a *sigv4.Error with the status, code, message and fields the
// verifier chose, a *keyfront.Error through fromDomain, anything else as a
// 500 whose details stay in the log. The body is S3's
// <Error><Code/><Message/>[fields]<Resource/><RequestId/><HostId/></Error>;
// HEAD responses carry none, as S3's do not. 5xx are logged at Error, 4xx
// at Debug.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status        int
		code, message string
		fields        []sigv4.Field
		ae            *apiError
		se            *sigv4.Error
		ke            *keyfront.Error
	)
	switch {
	case errors.As(err, &ae):
		code, message, fields = ae.Code, ae.Message, ae.Fields
	case errors.As(err, &se):
		status, code, message, fields = se.Status, se.Code, se.Message, se.Fields
	case errors.As(err, &ke) && fromDomain[ke.Code] != "":
		code, message = fromDomain[ke.Code], keyfront.ErrorMessage(err)
	default:
		code, message = "InternalError", msgInternal
	}
	if status == 0 {
		status = errorStatus[code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	ids := requestIDs(r)
	s.log.Log(r.Context(), level, "s3 request failed",
		"method", r.Method, "path", r.URL.Path, "status", status, "code", code, "err", err, "request_id", ids.request)

	h := w.Header()
	// Headers describing an object that were set before the failure do
	// not describe this response.
	for _, name := range []string{"ETag", "Last-Modified", "Content-Range", "Content-Encoding", "Content-Disposition",
		"Content-Language", "Cache-Control", "Expires", "Accept-Ranges", "Content-Length"} {
		h.Del(name)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	b := make([]byte, 0, 512)
	b = append(b, xmlHeader...)
	b = append(b, "<Error><Code>"...)
	b = appendEscaped(b, code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, message)
	b = append(b, "</Message>"...)
	for _, f := range fields {
		b = append(b, '<')
		b = append(b, f.Name...)
		b = append(b, '>')
		b = appendEscaped(b, f.Value)
		b = append(b, "</"...)
		b = append(b, f.Name...)
		b = append(b, '>')
	}
	b = append(b, "<Resource>"...)
	b = appendEscaped(b, r.URL.Path)
	b = append(b, "</Resource><RequestId>"...)
	b = append(b, ids.request...)
	b = append(b, "</RequestId><HostId>"...)
	b = append(b, ids.host...)
	b = append(b, "</HostId></Error>"...)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
