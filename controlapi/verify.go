package controlapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"keyfront"
)

// handleVerify serves keyfront's own operation, not part of CloudFront's
// API:
//
//	POST /keyfront/v1/verify
//	Content-Type: application/json
//
//	{"url": "https://d….cloudfront.localhost:7080/hls/seg1.ts?Expires=…",
//	 "method": "GET", "cookies": ["CloudFront-Policy=…; …"],
//	 "viewerIp": "192.0.2.10", "time": "2026-01-01T00:00:00Z"}
//
// Only url is required (keyfront.VerifyRequest says what each field
// means). It is authenticated like every other operation (SigV4, service
// "cloudfront") and answers 200 with a keyfront.VerifyResult as JSON: the
// edge's verdict on the request, its status and code, and each check,
// whether the request would be served or not. Errors are CloudFront
// ErrorResponse XML as elsewhere: 400 MalformedInput for a body that is
// not that JSON, 400 InvalidArgument for a request no viewer could send,
// and 501 NotImplemented when no edge runs in this process
// (Config.Explain is nil), since only an edge holds the configuration as
// it serves it.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Explain == nil {
		return errorf("NotImplemented", "keyfront verify --endpoint needs the edge role in the same process as the control API, and this process runs no edge; run it against a keyfront serve whose --roles include both api and edge.")
	}
	b, err := s.readBody(r, "RequestEntityTooLarge")
	if err != nil {
		return err
	}
	var req keyfront.VerifyRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return errorf("MalformedInput", "The body must be a JSON object with the fields url, method, cookies, viewerIp and time: %v.", err)
	}
	if dec.More() {
		return errorf("MalformedInput", "The body must hold one JSON object.")
	}
	if strings.TrimSpace(req.URL) == "" {
		return invalidArgument("The url field is required: the viewer's absolute URL.")
	}
	res, err := s.cfg.Explain(r.Context(), req)
	if err != nil {
		return err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return nil
}
