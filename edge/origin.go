package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"keyfront"
	"keyfront/model"
)

// origin is one origin of a distribution, ready to request.
type origin struct {
	id string
	// s3 is set for S3 origins, served by Config.OriginS3Endpoint
	// path-style under /bucket.
	s3     bool
	bucket string
	// host, ports and protocol are a custom origin's.
	host      string
	httpPort  int
	httpsPort int
	protocol  string // "http-only", "https-only" or "match-viewer"
	path      string // OriginPath: "" or "/prefix" without trailing slash
	headers   []model.OriginHeader

	connectTimeout time.Duration
	attempts       int
	readTimeout    time.Duration

	// signing is the SigningBehavior of the origin's origin access
	// control ("always", "no-override" or "never"); "" when it has none.
	signing string
}

// Defaults CloudFront applies (Developer Guide, origin connection timeout,
// attempts and response timeout).
const (
	defaultConnectTimeout = 10 * time.Second
	defaultAttempts       = 3
	defaultReadTimeout    = 30 * time.Second
)

func (s *Server) buildOrigin(dist *distribution, o *model.Origin, oacs map[string]*keyfront.OriginAccessControl) *origin {
	out := &origin{
		id:             o.ID,
		path:           strings.TrimSuffix(o.OriginPath, "/"),
		headers:        o.CustomHeaders,
		connectTimeout: o.ConnectionTimeout,
		attempts:       o.ConnectionAttempts,
		readTimeout:    defaultReadTimeout,
	}
	if out.connectTimeout <= 0 {
		out.connectTimeout = defaultConnectTimeout
	}
	if out.attempts <= 0 {
		out.attempts = defaultAttempts
	}
	if bucket, ok := s3Bucket(o.DomainName, s.cfg.S3Domain); ok {
		out.s3, out.bucket = true, bucket
		if o.S3 != nil && o.S3.ReadTimeout > 0 {
			out.readTimeout = o.S3.ReadTimeout
		}
	} else {
		// Any other DomainName is a custom origin (DESIGN.md), also with
		// S3OriginConfig: CloudFront then talks to it as S3 does, HTTPS
		// or HTTP as the viewer did, on the default ports.
		out.host = strings.ToLower(o.DomainName)
		out.httpPort, out.httpsPort, out.protocol = 80, 443, "match-viewer"
		if c := o.Custom; c != nil {
			out.httpPort, out.httpsPort, out.protocol = c.HTTPPort, c.HTTPSPort, c.ProtocolPolicy
			if c.ReadTimeout > 0 {
				out.readTimeout = c.ReadTimeout
			}
		}
	}
	if id := o.OriginAccessControlID; id != "" {
		oac := oacs[id]
		switch {
		case oac == nil:
			s.log.Warn("edge: origin names an origin access control that does not exist; its requests go unsigned",
				"distribution", dist.id, "origin", o.ID, "oac", id)
		case s.cfg.OriginSigner == nil && oac.SigningBehavior != "never":
			s.log.Warn("edge: no origin signer configured; origin requests go unsigned", "distribution", dist.id, "origin", o.ID)
		default:
			out.signing = oac.SigningBehavior
		}
	}
	return out
}

// s3Bucket returns the bucket an S3 origin's DomainName names:
// <bucket>.<s3Domain>, <bucket>.s3.amazonaws.com or
// <bucket>.s3.<region>.amazonaws.com (DESIGN.md, "Names on the wire").
func s3Bucket(domain, s3Domain string) (string, bool) {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if b, ok := strings.CutSuffix(d, "."+strings.ToLower(s3Domain)); ok && b != "" {
		return b, true
	}
	if b, ok := strings.CutSuffix(d, ".s3.amazonaws.com"); ok && b != "" {
		return b, true
	}
	if rest, ok := strings.CutSuffix(d, ".amazonaws.com"); ok {
		// <bucket>.s3.<region>
		if i := strings.LastIndex(rest, ".s3."); i > 0 && !strings.Contains(rest[i+4:], ".") && rest[i+4:] != "" {
			return rest[:i], true
		}
	}
	return "", false
}

// s3Endpoint is Config.OriginS3Endpoint, parsed.
type s3Endpoint struct {
	scheme, host, path string
}

func parseS3Endpoint(raw string) (*s3Endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("edge: Config.OriginS3Endpoint %q is not an http(s) URL", raw)
	}
	return &s3Endpoint{scheme: u.Scheme, host: u.Host, path: strings.TrimSuffix(u.EscapedPath(), "/")}, nil
}

// originClient sends origin requests: one connection pool for every
// origin, each dial bounded by the origin's ConnectionTimeout and retried
// ConnectionAttempts times.
type originClient struct {
	transport *http.Transport
}

type dialOptionsKey struct{}

type dialOptions struct {
	timeout  time.Duration
	attempts int
}

func newOriginClient(tlsConfig *tls.Config) *originClient {
	t := &http.Transport{
		Proxy: nil, // origin requests never go through an environment proxy
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			o, _ := ctx.Value(dialOptionsKey{}).(dialOptions)
			if o.timeout <= 0 {
				o.timeout = defaultConnectTimeout
			}
			if o.attempts <= 0 {
				o.attempts = 1
			}
			var err error
			for range o.attempts {
				d := net.Dialer{Timeout: o.timeout, KeepAlive: 30 * time.Second}
				var c net.Conn
				if c, err = d.DialContext(ctx, network, addr); err == nil {
					return c, nil
				}
				if ctx.Err() != nil {
					break
				}
			}
			return nil, err
		},
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: defaultConnectTimeout,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		// CloudFront talks HTTP/1.1 to origins (Developer Guide,
		// RequestAndResponseBehaviorCustomOrigin, HTTP version), and the
		// edge relays bodies as the origin encoded them.
		DisableCompression: true,
	}
	return &originClient{transport: t}
}

func (c *originClient) close() { c.transport.CloseIdleConnections() }

// fetchKind says what an origin request is for.
type fetchKind uint8

const (
	// fetchFill: a GET whose response the cache stores; the viewer's
	// Range and conditional headers are not forwarded (the cache answers
	// them from the whole object).
	fetchFill fetchKind = iota
	// fetchPass: the viewer's own request, relayed: its method, Range,
	// conditional headers and body.
	fetchPass
)

// errReadTimeout is the cause of an origin request canceled because the
// origin sent nothing for its OriginReadTimeout.
var errReadTimeout = errors.New("origin read timeout")

// originError is an origin request that produced no response.
type originError struct {
	kind errKind // errOriginConnect, errOriginTimeout or errOriginResponse
	err  error
}

func (e *originError) Error() string { return e.err.Error() }
func (e *originError) Unwrap() error { return e.err }

// fetch sends the origin request for rq and returns the response with a
// body that enforces the origin's read timeout between reads. The
// conditional headers, if any, are added to fill requests (revalidation).
func (s *Server) fetch(ctx context.Context, r *http.Request, rq *request, kind fetchKind, conditional http.Header) (*http.Response, error) {
	if err := s.unreachable(rq.beh); err != nil {
		return nil, &originError{kind: errOriginConnect, err: err}
	}
	o := rq.beh.origin
	target, host := s.originURL(o, rq)
	method := http.MethodGet
	var body io.ReadCloser
	contentLength := int64(0)
	if kind == fetchPass {
		method = r.Method
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			body, contentLength = r.Body, r.ContentLength
		}
	}

	ctx = context.WithValue(ctx, dialOptionsKey{}, dialOptions{timeout: o.connectTimeout, attempts: o.attempts})
	ctx, cancel := context.WithCancelCause(ctx)
	// The origin response timeout runs from when the request is written
	// to the first byte of the response, and then between reads
	// (Developer Guide, origin response timeout).
	timer := time.AfterFunc(time.Hour, func() { cancel(errReadTimeout) })
	timer.Stop()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { timer.Reset(o.readTimeout) },
	})

	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		cancel(nil)
		return nil, &originError{kind: errOriginConnect, err: err}
	}
	req.ContentLength = contentLength
	req.Host = host
	req.Header = s.originHeaders(r, rq, kind, o)
	for k, v := range conditional {
		req.Header[k] = v
	}
	if o.signing == "always" || o.signing == "no-override" && req.Header.Get("Authorization") == "" {
		req.Header.Del("Authorization")
		if err := s.cfg.OriginSigner.Sign(ctx, req, rq.dist.arn, s.cfg.AccountID); err != nil {
			cancel(nil)
			return nil, &originError{kind: errOriginConnect, err: err}
		}
	}

	start := time.Now()
	resp, err := s.origins.transport.RoundTrip(req)
	s.metrics.originLatency.WithLabelValues(rq.distID()).Observe(time.Since(start).Seconds())
	if err != nil {
		timer.Stop()
		cause := context.Cause(ctx)
		cancel(nil)
		return nil, classifyOriginError(err, cause)
	}
	timer.Stop()
	resp.Body = &timeoutBody{rc: resp.Body, timer: timer, d: o.readTimeout, cancel: cancel, ctx: ctx}
	return resp, nil
}

// classifyOriginError sorts a failed origin round trip into 502 or 504,
// as CloudFront does: a refused connection, an unknown name or a broken
// answer is 502; a connection or response that timed out is 504
// (Developer Guide, http-502-bad-gateway, http-504-gateway-timeout).
func classifyOriginError(err, cause error) error {
	if errors.Is(cause, errReadTimeout) {
		return &originError{kind: errOriginTimeout, err: errReadTimeout}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		if op.Timeout() {
			return &originError{kind: errOriginTimeout, err: err}
		}
		return &originError{kind: errOriginConnect, err: err}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &originError{kind: errOriginConnect, err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &originError{kind: errOriginTimeout, err: err}
	}
	return &originError{kind: errOriginResponse, err: err}
}

// timeoutBody enforces the origin response timeout between reads of a
// body and releases the request's context when closed.
type timeoutBody struct {
	rc     io.ReadCloser
	timer  *time.Timer
	d      time.Duration
	cancel context.CancelCauseFunc
	ctx    context.Context
	once   sync.Once
}

func (b *timeoutBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.d)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), errReadTimeout) {
		err = fmt.Errorf("edge: origin body: %w", errReadTimeout)
	}
	return n, err
}

func (b *timeoutBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		b.timer.Stop()
		b.cancel(nil)
	})
	return err
}

// unreachable says why a behavior's requests cannot reach any origin,
// whatever the request: it targets no origin of the distribution, or an S3
// origin while no S3 endpoint is configured. Such requests get 502 (from
// fetch) unless the cache answers them. Nil means the origin can be tried.
func (s *Server) unreachable(b *behavior) error {
	switch {
	case b.origin == nil:
		return fmt.Errorf("cache behavior targets %q, which is not an origin of the distribution", b.targetID)
	case b.origin.s3 && s.s3 == nil:
		return errors.New("no S3 endpoint is configured for S3 origins")
	}
	return nil
}

// originURL returns the URL and Host of the origin request for rq, whose
// behavior's origin is reachable (unreachable).
func (s *Server) originURL(o *origin, rq *request) (target, host string) {
	query := filterQuery(rq.query, rq.beh.policy.fwdQuery)
	var b strings.Builder
	if o.s3 {
		b.WriteString(s.s3.scheme)
		b.WriteString("://")
		b.WriteString(s.s3.host)
		b.WriteString(s.s3.path)
		b.WriteByte('/')
		b.WriteString(o.bucket)
		host = s.s3.host
	} else {
		scheme, port := "https", o.httpsPort
		switch o.protocol {
		case "http-only":
			scheme, port = "http", o.httpPort
		case "match-viewer":
			if rq.scheme == "http" {
				scheme, port = "http", o.httpPort
			}
		}
		b.WriteString(scheme)
		b.WriteString("://")
		h := o.host
		if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
			h = "[" + h + "]" // an IPv6 literal
		}
		if scheme == "http" && port != 80 || scheme == "https" && port != 443 {
			h += ":" + strconv.Itoa(port)
		}
		b.WriteString(h)
		host = h
		if rq.beh.policy.fwdHeaders.has("Host") {
			// A custom origin may be told the viewer's Host (Developer
			// Guide, request headers table: "Host … Yes (custom)").
			host = rq.hostHeader
		}
	}
	b.WriteString(o.path)
	b.WriteString(rq.path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String(), host
}

// Header fields the edge never forwards: hop-by-hop fields (RFC 9110
// §7.6.1), what CloudFront removes or replaces (request headers table),
// and what the edge sets itself.
var neverForward = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Host": true, "Expect": true, "Http2-Settings": true, "X-Forwarded-Proto": true, "X-Real-Ip": true,
	"X-Amz-Cf-Id": true, "Via": true, "X-Forwarded-For": true, "Cookie": true, "Content-Length": true,
	"Accept-Encoding": true, "X-Http-Method-Override": true,
}

// passHeaders are forwarded when the viewer's request is relayed rather
// than filled: the cache answers these itself from whole objects.
var passHeaders = map[string]bool{
	"Range": true, "If-Range": true, "If-Match": true, "If-None-Match": true,
	"If-Modified-Since": true, "If-Unmodified-Since": true,
}

// bodyHeaders describe a request body and travel with it.
var bodyHeaders = map[string]bool{"Content-Type": true, "Content-Md5": true, "Content-Encoding": true}

// originHeaders builds the header of an origin request (see the package
// documentation, "Forwarding").
func (s *Server) originHeaders(r *http.Request, rq *request, kind fetchKind, o *origin) http.Header {
	pol := rq.beh.policy
	out := make(http.Header, 8)
	hasBody := kind == fetchPass && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody
	for name, values := range r.Header {
		if neverForward[name] || strings.HasPrefix(name, "X-Amz-") || strings.HasPrefix(name, "X-Edge-") {
			continue
		}
		ok := pol.fwdHeaders.has(name) ||
			kind == fetchPass && passHeaders[name] ||
			hasBody && bodyHeaders[name]
		if kind == fetchFill && passHeaders[name] {
			ok = false
		}
		if name == "Authorization" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			pol.fwdHeaders.mode != selectListed {
			// CloudFront removes Authorization from GET and HEAD unless
			// the policy names it (Developer Guide, add-origin-custom-
			// headers, "forward the Authorization header").
			ok = false
		}
		if ok {
			out[name] = values
		}
	}
	if !pol.fwdHeaders.has("User-Agent") {
		out.Set("User-Agent", "Amazon CloudFront")
	}
	if c := filterCookies(r.Header["Cookie"], pol.fwdCookies, rq.stripCookies); c != "" {
		out.Set("Cookie", c)
	}
	xff := strings.Join(r.Header.Values("X-Forwarded-For"), ", ")
	if peer := rq.peer.Addr(); peer.IsValid() {
		if xff != "" {
			xff += ", "
		}
		xff += peer.String()
	}
	if xff != "" {
		out.Set("X-Forwarded-For", xff)
	}
	out.Set("Via", s.via)
	out.Set("X-Amz-Cf-Id", rq.id)
	for _, h := range o.headers {
		out.Set(h.Name, h.Value)
	}
	return out
}
