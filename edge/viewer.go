package edge

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"keyfront/signing"
)

// request is what the edge learns about one viewer request as it goes.
type request struct {
	id    string
	start time.Time // monotonic, for time-taken
	now   time.Time // Config.Now at arrival, for checks and the log date

	peer     netip.AddrPort // the TCP peer
	viewerIP netip.Addr     // the viewer, per TrustedProxies (§8)
	scheme   string         // "http" or "https"
	reqBytes int            // request line and headers, as CloudFront counts them
	// hostHeader is the Host as the viewer sent it.
	hostHeader string
	// tooLarge marks a request refused for its size, which CloudFront
	// does not log (standard-logs-reference, "How requests are logged
	// when the request URL or headers exceed the maximum size").
	tooLarge bool

	dist *distribution
	beh  *behavior

	rawPath  string // as on the request line
	rawQuery string
	normPath string // normalised
	path     string // normalised, after DefaultRootObject
	query    string // without signing parameters on restricted behaviors

	// stripCookies says the signing cookies must not reach the origin
	// (restricted behaviors, §13).
	stripCookies bool
	// signed is the verified signature, nil on unrestricted behaviors.
	signed *signing.Result

	// result and detailed are x-edge-result-type and
	// x-edge-detailed-result-type of the access log; cacheResult the
	// label of the requests metric.
	result   string
	detailed string
	ttfb     time.Duration
}

// distID returns the distribution's ID for logs and metrics, "-" before
// one is known.
func (rq *request) distID() string {
	if rq.dist == nil {
		return "-"
	}
	return string(rq.dist.id)
}

// newRequest starts a request: its ID, clock, viewer address and scheme.
func (s *Server) newRequest(r *http.Request) *request {
	now := s.now()
	rq := &request{id: newRequestID(), start: time.Now(), now: now, scheme: "http"}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		rq.peer = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	rq.viewerIP = rq.peer.Addr()
	trusted := s.trusted(rq.viewerIP)
	if trusted {
		rq.viewerIP = s.forwardedFor(r.Header.Values("X-Forwarded-For"), rq.viewerIP)
	}
	if r.TLS != nil {
		rq.scheme = "https"
	} else if trusted && strings.EqualFold(strings.TrimSpace(lastListItem(r.Header.Get("X-Forwarded-Proto"))), "https") {
		// Behind a trusted TLS terminator the viewer's scheme is the
		// terminator's (signed-urls.md §5).
		rq.scheme = "https"
	}
	return rq
}

// trusted reports whether an address is inside Config.TrustedProxies.
func (s *Server) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor returns the viewer address of a request whose TCP peer is a
// trusted proxy: walking X-Forwarded-For from the right, the first hop
// outside TrustedProxies (signed-urls.md §8; DESIGN.md). Hops to its left
// were written by the viewer and prove nothing. If every hop is trusted,
// the left-most is the viewer; if a hop does not parse, the walk stops at
// the last trusted address, which is the best a trusted proxy vouched for.
func (s *Server) forwardedFor(headers []string, peer netip.Addr) netip.Addr {
	viewer := peer
	for i := len(headers) - 1; i >= 0; i-- {
		h := headers[i]
		for h != "" {
			var hop string
			if j := strings.LastIndexByte(h, ','); j >= 0 {
				hop, h = h[j+1:], h[:j]
			} else {
				hop, h = h, ""
			}
			hop = strings.TrimSpace(hop)
			if hop == "" {
				continue
			}
			a, ok := parseHop(hop)
			if !ok {
				return viewer
			}
			viewer = a
			if !s.trusted(a) {
				return viewer
			}
		}
	}
	return viewer
}

// parseHop parses one X-Forwarded-For entry: an address, possibly with a
// port or in brackets.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

func lastListItem(s string) string {
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		return s[i+1:]
	}
	return s
}

// newRequestID returns an X-Amz-Cf-Id: 40 random bytes in URL-safe
// base64, 56 characters ending in "==", the shape CloudFront's have.
func newRequestID() string {
	var b [40]byte
	rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// CloudFront's limits (signed-urls.md §10; Developer Guide,
// RequestAndResponseBehaviorCustomOrigin, "Maximum length of a request and
// maximum length of a URL").
const (
	maxURLBytes     = 8192
	maxRequestBytes = 20480
)

// requestSize returns the size of the request line and headers as they
// were sent (give or take header case), which CloudFront's 20,480-byte
// limit counts, and the length of the URL CloudFront constructs from the
// request (scheme, Host and request-target).
func requestSize(r *http.Request, scheme string) (request, url int) {
	request = len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	request += len("Host: ") + len(r.Host) + 2
	for name, values := range r.Header {
		for _, v := range values {
			request += len(name) + 2 + len(v) + 2
		}
	}
	request += 2
	url = len(scheme) + len("://") + len(r.Host) + len(r.RequestURI)
	return request, url
}
