package edge

import "net/http"

// responsePolicy is what a behavior's managed response headers policy
// adds to every response the viewer gets, including the edge's own 403s,
// so that a browser player can read them (signed-urls.md §12; issue 5).
type responsePolicy struct {
	cors      bool // Access-Control-Allow-Origin: *
	preflight bool // answer CORS preflight requests at the edge
	security  bool // the SecurityHeadersPolicy set
}

// Managed response headers policy IDs (Developer Guide,
// using-managed-response-headers-policies).
const (
	rhpCORSAndSecurity          = "e61eb60c-9c35-4d20-a928-2b84e02af89c"
	rhpCORSWithPreflight        = "5cc3b908-e619-4b99-88e5-2cf7f45965bd"
	rhpCORSPreflightAndSecurity = "eaab4381-ed33-4a86-88ca-d9558dc6cd63"
	rhpSecurityHeaders          = "67f7725c-6f97-4210-82d7-5512b31e9d03"
	rhpSimpleCORS               = "60669652-455b-4ae9-85a4-c4c02393f86c"
)

func newResponsePolicy(id string) *responsePolicy {
	switch id {
	case rhpSimpleCORS:
		return &responsePolicy{cors: true}
	case rhpCORSWithPreflight:
		return &responsePolicy{cors: true, preflight: true}
	case rhpCORSAndSecurity:
		return &responsePolicy{cors: true, security: true}
	case rhpCORSPreflightAndSecurity:
		return &responsePolicy{cors: true, preflight: true, security: true}
	case rhpSecurityHeaders:
		return &responsePolicy{security: true}
	}
	return nil
}

// apply adds the policy's headers to h. The managed policies do not
// override the origin: a header the origin sent is kept.
func (p *responsePolicy) apply(h http.Header) {
	if p == nil {
		return
	}
	set := func(k, v string) {
		if h.Get(k) == "" {
			h.Set(k, v)
		}
	}
	if p.cors {
		set("Access-Control-Allow-Origin", "*")
		if p.preflight {
			set("Access-Control-Expose-Headers", "*")
		}
	}
	if p.security {
		set("Strict-Transport-Security", "max-age=31536000")
		set("X-Content-Type-Options", "nosniff")
		set("X-Frame-Options", "SAMEORIGIN")
		set("X-XSS-Protection", "1; mode=block")
		set("Referrer-Policy", "strict-origin-when-cross-origin")
	}
}

// isPreflight reports whether r is a CORS preflight request (Fetch
// standard, CORS-preflight request).
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// answerPreflight answers a CORS preflight at the edge, before any
// signature check: browsers send preflights without credentials, so a
// player using signed cookies could never pass one otherwise, and the
// answer reveals nothing about any object.
func (s *Server) answerPreflight(w http.ResponseWriter, rq *request) {
	h := w.Header()
	rq.beh.response.apply(h)
	h.Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
	h.Set("Access-Control-Allow-Headers", "*")
	h.Set("Access-Control-Max-Age", "600")
	h.Set("Server", s.server)
	h.Set("Via", s.via)
	h.Set("X-Amz-Cf-Id", rq.id)
	h.Set("Content-Length", "0")
	rq.result, rq.detailed = "Hit", "Hit"
	w.WriteHeader(http.StatusOK)
}
