package edge

import (
	"net/http"
	"strconv"
	"strings"

	"keyfront/signing"
)

// errKind is a response the edge makes itself instead of serving an object.
type errKind uint8

const (
	// errUnknownHost: no enabled distribution has the Host.
	errUnknownHost errKind = iota + 1
	// errHTTPSOnly: an http request to an https-only behavior.
	errHTTPSOnly
	// errMethod: a method the behavior's AllowedMethods leave out.
	errMethod
	// errTooLarge: the URL or the request exceeds CloudFront's limits.
	errTooLarge
	// errSigned: a signed URL or signed cookies were refused; the
	// rejection says which of the five codes.
	errSigned
	// errOriginConnect: the origin refused the connection, its name did
	// not resolve, or nothing is configured to reach it.
	errOriginConnect
	// errOriginTimeout: connecting to the origin or waiting for its
	// response took longer than the origin's timeouts.
	errOriginTimeout
	// errOriginResponse: the origin's answer was not usable HTTP.
	errOriginResponse
	// errViewerTimeout: the viewer stopped sending the request body for
	// longer than Config.BodyIdleTimeout.
	errViewerTimeout
)

// edgeError is an error response and what the log needs to know of it.
type edgeError struct {
	kind      errKind
	rejection *signing.Rejection // for errSigned
	resource  string             // for errSigned with a canned policy
	cause     error              // for the origin errors; never shown
}

// Messages of CloudFront's HTML error page, as captured: unknown host and
// other refused requests "Bad request." [aws-amplify/amplify-hosting#2734;
// phillhocking/aws-ghost#9], refused method [serverless-nextjs/
// serverless-next.js#454], 502 [EdOverflow/can-i-take-over-xyz#66], 504
// [chanzuckerberg/single-cell-data-portal#1250]. "CloudFront" in them is
// the product, replaced by Config.ServerHeader.
const (
	msgBadRequest  = "Bad request."
	msgMethod      = "This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests."
	msgNoConnect   = "CloudFront wasn't able to connect to the origin."
	msgTimeout     = "CloudFront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection."
	msgBadResponse = "CloudFront couldn't connect to the origin or the origin returned an incorrect response."
)

// status is the HTTP status of an edge error. With writeError it holds
// the only table from an edge error to its status and body:
//
//	errUnknownHost     403  HTML "Bad request."
//	errHTTPSOnly       403  HTML "Bad request."
//	errMethod          403  HTML method not allowed
//	errTooLarge        413  HTML "Bad request.", connection closed
//	errSigned          403  XML of signed-urls.md §12 for the rejection's code
//	errOriginConnect   502  HTML
//	errOriginResponse  502  HTML
//	errOriginTimeout   504  HTML
//	errViewerTimeout   408  HTML "Bad request.", connection closed
//
// Explain reports the same status without writing anything.
func (e *edgeError) status() int {
	switch e.kind {
	case errUnknownHost, errHTTPSOnly, errMethod, errSigned:
		return http.StatusForbidden
	case errTooLarge:
		return http.StatusRequestEntityTooLarge
	case errViewerTimeout:
		return http.StatusRequestTimeout
	case errOriginTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

// writeError answers a request the edge refuses or cannot serve, with the
// status of edgeError.status and the body that goes with it.
//
// Every error carries Server, Via, X-Amz-Cf-Id, X-Cache: Error from
// cloudfront and an exact Content-Length; HEAD gets the headers without
// the body. It also logs the error: signed-request rejections at Info with
// the precise reason (the body never has it, signed-urls.md §12), origin
// failures at Warn, the rest at Debug.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, rq *request, e *edgeError) {
	status := e.status()
	var (
		body  []byte
		ctype = "text/html"
	)
	switch e.kind {
	case errUnknownHost, errHTTPSOnly:
		body = s.errorPage(status, msgBadRequest, rq.id)
	case errMethod:
		body = s.errorPage(status, msgMethod, rq.id)
	case errTooLarge:
		body = s.errorPage(status, msgBadRequest, rq.id)
		// CloudFront "returns HTTP status code 413 … and then terminates
		// the TCP connection to the viewer" (Developer Guide,
		// RequestAndResponseBehaviorCustomOrigin; signed-urls.md §10).
		// net/http closes the connection after a response that says so.
		w.Header().Set("Connection", "close")
	case errSigned:
		body, ctype = e.rejection.Code.Body(), "text/xml"
		if s.cfg.DebugHeaders {
			w.Header().Set("X-Keyfront-Reason", string(e.rejection.Reason))
			if e.resource != "" {
				w.Header().Set("X-Keyfront-Resource", e.resource)
			}
		}
	case errViewerTimeout:
		// CloudFront documents no answer for a viewer that stalls its
		// upload; keyfront answers 408 (RFC 9110 §15.5.9: the server
		// "would like to close this unused connection") and closes the
		// connection, whose unread rest cannot be told from a request.
		body = s.errorPage(status, msgBadRequest, rq.id)
		w.Header().Set("Connection", "close")
	case errOriginConnect:
		body = s.errorPage(status, msgNoConnect, rq.id)
	case errOriginResponse:
		body = s.errorPage(status, msgBadResponse, rq.id)
	case errOriginTimeout:
		body = s.errorPage(status, msgTimeout, rq.id)
	default:
		body = s.errorPage(status, msgBadResponse, rq.id)
	}

	switch e.kind {
	case errSigned:
		s.metrics.rejections.WithLabelValues(e.rejection.Code.String()).Inc()
		s.log.Info("edge: signed request refused", "request_id", rq.id, "distribution", rq.distID(),
			"code", e.rejection.Code.String(), "reason", string(e.rejection.Reason), "detail", e.rejection.Detail,
			"uri", redactQuery(r.RequestURI))
	case errOriginConnect, errOriginTimeout, errOriginResponse:
		s.log.Warn("edge: origin request failed", "request_id", rq.id, "distribution", rq.distID(),
			"status", status, "err", e.cause)
	case errUnknownHost:
		s.logUnknownHost(r, rq)
	default:
		s.log.Debug("edge: request refused", "request_id", rq.id, "host", r.Host, "status", status)
	}

	rq.result = "Error"
	if rq.detailed == "" {
		rq.detailed = "Error"
	}
	h := w.Header()
	if rq.beh != nil {
		// A player must be able to read the 403 (signed-urls.md §12).
		rq.beh.response.apply(h)
	}
	h.Set("Server", s.server)
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Cache", "Error from cloudfront")
	h.Set("Via", s.via)
	h.Set("X-Amz-Cf-Id", rq.id)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errorPage renders CloudFront's HTML error page (captured in
// serverless-nextjs/serverless-next.js#454 and chanzuckerberg/
// single-cell-data-portal#1250), naming Config.ServerHeader as the
// product.
func (s *Server) errorPage(status int, message, requestID string) []byte {
	product := s.server
	message = strings.ReplaceAll(message, "CloudFront", product)
	var b strings.Builder
	b.Grow(1024)
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">` + "\n")
	b.WriteString(`<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">` + "\n")
	b.WriteString("<TITLE>ERROR: The request could not be satisfied</TITLE>\n")
	b.WriteString("</HEAD><BODY>\n")
	b.WriteString("<H1>" + strconv.Itoa(status) + " ERROR</H1>\n")
	b.WriteString("<H2>The request could not be satisfied.</H2>\n")
	b.WriteString(`<HR noshade size="1px">` + "\n")
	b.WriteString(message + "\n")
	b.WriteString("We can't connect to the server for this app or website at this time. There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.\n")
	b.WriteString(`<BR clear="all">` + "\n")
	b.WriteString("If you provide content to customers through " + product + ", you can find steps to troubleshoot and help prevent this error by reviewing the " + product + " documentation.\n")
	b.WriteString(`<BR clear="all">` + "\n")
	b.WriteString(`<HR noshade size="1px">` + "\n")
	b.WriteString("<PRE>\n")
	b.WriteString("Generated by " + strings.ToLower(product) + " (" + product + ")\n")
	b.WriteString("Request ID: " + requestID + "\n")
	b.WriteString("</PRE>\n")
	b.WriteString("<ADDRESS>\n</ADDRESS>\n")
	b.WriteString("</BODY></HTML>")
	return []byte(b.String())
}
