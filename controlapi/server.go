package controlapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
	"keyfront/reqbody"
	"keyfront/sigv4"
)

// Config configures a Server.
type Config struct {
	// Store keeps the configuration. Required.
	Store keyfront.Store

	// Verifier, if not nil, authenticates every request with SigV4 for
	// the service "cloudfront" (control-api.md §12); its errors are
	// answered with their own status, code and message. It takes
	// precedence over Authenticate. The Server does not modify it. Its
	// MaxBodySize should be at least MaxBodyBytes: it reads the body first
	// (to hash it) and answers a larger one with its own 413.
	Verifier *sigv4.Verifier

	// Authenticate is consulted when Verifier is nil. It returns nil to
	// let the request through, a *sigv4.Error to answer with that error's
	// status, code and message (§12), or any other error to answer 403
	// AccessDenied. It may replace r.Body (as sigv4.Verifier.Verify does
	// after hashing it). If both Verifier and Authenticate are nil, every
	// request is refused with 403 MissingAuthenticationToken.
	Authenticate func(r *http.Request) error

	// AccountID is the 12-digit account used in ARNs and accepted in
	// TrustedSigners. Empty means model.DefaultAccountID.
	AccountID string

	// EdgeDomain is the suffix of distribution domain names: "d" + 13
	// lower-case alphanumerics + "." + EdgeDomain. Empty means
	// model.DefaultEdgeDomain.
	EdgeDomain string

	// BaseURL is this listener's URL ("http://127.0.0.1:7081"), the prefix
	// of Location headers (§2). Empty means "http://" + the request's Host.
	BaseURL string

	// Logger receives request failures: 5xx at Error, 4xx at Debug. Nil
	// discards.
	Logger *slog.Logger

	// Quotas bound the numbers of resources; zero fields mean CloudFront's
	// defaults (§7).
	Quotas Quotas

	// MaxBodyBytes bounds request bodies. Zero means 1 MiB. A larger body
	// gets 413 (BatchTooLarge for CreateInvalidation, RequestEntityTooLarge
	// otherwise).
	MaxBodyBytes int64

	// BodyIdleTimeout is how long the Server waits for the next bytes of a
	// request body before answering 408 RequestTimeoutException and
	// closing the connection; the wait starts over whenever bytes arrive.
	// Zero means reqbody.DefaultIdle (20 seconds).
	BodyIdleTimeout time.Duration

	// BodyTimeout bounds how long a whole request body may take to arrive,
	// however steadily it trickles: the Server buffers a body (up to
	// MaxBodyBytes) before it can check the signature over it, so a client
	// that only knows an access key ID must not hold that memory longer.
	// Zero means DefaultBodyTimeout (1 minute, 17 KB/s for a full 1 MiB
	// body; real bodies are a few kilobytes).
	BodyTimeout time.Duration

	// MaxPendingBodies bounds how many request bodies the Server reads and
	// buffers at once before their signatures are checked. A request with
	// a body that arrives while that many are being read is refused at
	// once, unread, with 400 Throttling "Rate exceeded" (CloudFront's
	// answer to a client calling too often, which the AWS SDKs and CLI
	// retry with backoff) and its connection is closed. Zero means
	// DefaultMaxPendingBodies (32: at most 32 MiB buffered for unverified
	// clients with the default MaxBodyBytes).
	MaxPendingBodies int

	// AllowAnyRSASize accepts RSA public keys of any size, not only 2048
	// bits (for tests with the published RSA-1024 vectors; §7).
	AllowAnyRSASize bool

	// NodeLiveTimeout is how long after its last report an edge node
	// still holds a distribution's Deployed and an invalidation's
	// Completed back (domain.ReadProgress). Zero means
	// domain.DefaultLiveTimeout (10 s).
	NodeLiveTimeout time.Duration

	// StatusWait is how long GetDistribution and GetInvalidation wait for
	// the live edges to catch up before they answer InProgress. An edge
	// applies a change within milliseconds in the same process and within
	// about a tenth of a second in another, while the AWS CLI's and SDKs'
	// waiters poll again only after 60 s (DistributionDeployed) or 20 s
	// (InvalidationCompleted; "delay" in botocore's
	// data/cloudfront/2020-05-31/waiters-2.json): answering the truth a
	// moment later saves them that. Zero means DefaultStatusWait;
	// negative means no wait.
	StatusWait time.Duration

	// Explain, if not nil, evaluates a viewer request as the edge would
	// decide it (edge.Server.Explain) for keyfront's own route POST
	// /keyfront/v1/verify, which `keyfront verify --endpoint` calls (see
	// verify.go). It returns a *keyfront.Error with code EINVALID for a
	// request no viewer could send. Nil means no edge runs in this
	// process: the route answers 501 NotImplemented.
	Explain func(ctx context.Context, req keyfront.VerifyRequest) (*keyfront.VerifyResult, error)

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// Rand is the source of randomness for IDs, ETags, domain names and
	// request IDs. Nil means crypto/rand. Tests set a deterministic reader
	// to get reproducible responses; it need not be safe for concurrent
	// use (the Server serialises reads).
	Rand io.Reader
}

// DefaultStatusWait is Config.StatusWait's default.
const DefaultStatusWait = time.Second

// Defaults of the Config fields that bound request bodies.
const (
	DefaultBodyTimeout      = time.Minute
	DefaultMaxPendingBodies = 32
)

// Quotas are the resource limits of §7 (domain.Quotas). A zero field means
// the CloudFront default.
type Quotas = domain.Quotas

// Server is the CloudFront 2020-05-31 control API as an http.Handler. It
// keeps no state of its own: it decodes a request, runs one operation of
// the domain rules inside a Store transaction, so that concurrent updates
// with the same ETag have exactly one winner (§5), and encodes the result.
type Server struct {
	cfg   Config
	store keyfront.Store
	rules *domain.Rules
	log   *slog.Logger
	now   func() time.Time
	rand  io.Reader
	mux   *http.ServeMux
	// pending holds one token per request body being read before its
	// signature is checked (Config.MaxPendingBodies).
	pending chan struct{}
	// busyRefused counts requests refused for want of a token since
	// busyLogged (unix nanoseconds), when the last warning was logged.
	busyRefused atomic.Int64
	busyLogged  atomic.Int64
}

// NewServer returns a Server for c. It panics if c.Store is nil.
func NewServer(c Config) *Server {
	if c.Store == nil {
		panic("controlapi: Config.Store is nil")
	}
	s := &Server{cfg: c, store: c.Store, log: c.Logger, now: c.Now, rand: c.Rand}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	} else {
		s.rand = &lockedReader{r: s.rand}
	}
	if s.cfg.AccountID == "" {
		s.cfg.AccountID = model.DefaultAccountID
	}
	if s.cfg.EdgeDomain == "" {
		s.cfg.EdgeDomain = model.DefaultEdgeDomain
	}
	s.rules = domain.New(domain.Config{
		AccountID:       s.cfg.AccountID,
		EdgeDomain:      s.cfg.EdgeDomain,
		Quotas:          c.Quotas,
		AllowAnyRSASize: c.AllowAnyRSASize,
		NodeLiveTimeout: c.NodeLiveTimeout,
		Now:             s.now,
		Rand:            s.rand,
	})
	if s.cfg.MaxBodyBytes <= 0 {
		s.cfg.MaxBodyBytes = 1 << 20
	}
	if s.cfg.StatusWait == 0 {
		s.cfg.StatusWait = DefaultStatusWait
	}
	if s.cfg.BodyTimeout <= 0 {
		s.cfg.BodyTimeout = DefaultBodyTimeout
	}
	if s.cfg.MaxPendingBodies <= 0 {
		s.cfg.MaxPendingBodies = DefaultMaxPendingBodies
	}
	s.pending = make(chan struct{}, s.cfg.MaxPendingBodies)
	s.cfg.BaseURL = strings.TrimRight(s.cfg.BaseURL, "/")
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

// routes registers every operation of control-api.md §2.
func (s *Server) routes() {
	const p = "/2020-05-31"
	h := func(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
		s.mux.Handle(pattern, s.api(fn))
	}
	h("POST "+p+"/public-key", s.handlePublicKeyCreate)
	h("GET "+p+"/public-key", s.handlePublicKeyList)
	h("GET "+p+"/public-key/{Id}", s.handlePublicKeyGet)
	h("GET "+p+"/public-key/{Id}/config", s.handlePublicKeyGetConfig)
	h("PUT "+p+"/public-key/{Id}/config", s.handlePublicKeyUpdate)
	h("DELETE "+p+"/public-key/{Id}", s.handlePublicKeyDelete)

	h("POST "+p+"/key-group", s.handleKeyGroupCreate)
	h("GET "+p+"/key-group", s.handleKeyGroupList)
	h("GET "+p+"/key-group/{Id}", s.handleKeyGroupGet)
	h("GET "+p+"/key-group/{Id}/config", s.handleKeyGroupGetConfig)
	h("PUT "+p+"/key-group/{Id}", s.handleKeyGroupUpdate) // no /config (§2)
	h("DELETE "+p+"/key-group/{Id}", s.handleKeyGroupDelete)

	h("POST "+p+"/distribution", s.handleDistributionCreate) // and ?WithTags
	h("GET "+p+"/distribution", s.handleDistributionList)
	h("GET "+p+"/distribution/{Id}", s.handleDistributionGet)
	h("GET "+p+"/distribution/{Id}/config", s.handleDistributionGetConfig)
	h("PUT "+p+"/distribution/{Id}/config", s.handleDistributionUpdate)
	h("DELETE "+p+"/distribution/{Id}", s.handleDistributionDelete)
	h("GET "+p+"/distributionsByKeyGroupId/{KeyGroupId}", s.handleDistributionListByKeyGroup)

	h("POST "+p+"/origin-access-control", s.handleOriginAccessControlCreate)
	h("GET "+p+"/origin-access-control", s.handleOriginAccessControlList)
	h("GET "+p+"/origin-access-control/{Id}", s.handleOriginAccessControlGet)
	h("GET "+p+"/origin-access-control/{Id}/config", s.handleOriginAccessControlGetConfig)
	h("PUT "+p+"/origin-access-control/{Id}/config", s.handleOriginAccessControlUpdate)
	h("DELETE "+p+"/origin-access-control/{Id}", s.handleOriginAccessControlDelete)

	h("POST "+p+"/distribution/{DistributionId}/invalidation", s.handleInvalidationCreate)
	h("GET "+p+"/distribution/{DistributionId}/invalidation", s.handleInvalidationList)
	h("GET "+p+"/distribution/{DistributionId}/invalidation/{Id}", s.handleInvalidationGet)

	h("GET "+p+"/tagging", s.handleTagsList)
	h("POST "+p+"/tagging", s.handleTagsUpdate) // ?Operation=Tag|Untag

	// keyfront's own, outside CloudFront's /2020-05-31 namespace so that
	// no CloudFront operation can ever collide with it (verify.go).
	h("POST /keyfront/v1/verify", s.handleVerify)

	// Everything else, including other methods on the paths above (§2).
	s.mux.HandleFunc("/", s.handleNotImplemented)
}

// lockedReader serialises reads from a Config.Rand that may not be safe
// for concurrent use.
type lockedReader struct {
	mu sync.Mutex // guards r
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

type ctxKey int

const requestIDKey ctxKey = 0

// ServeHTTP implements http.Handler. Every response carries
// x-amzn-RequestId (§1).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := s.newRequestID()
	// Header names as CloudFront writes them (§1); clients match them
	// case-insensitively, so the spelling is cosmetic but exact.
	w.Header()["x-amzn-RequestId"] = []string{id}
	body := reqbody.Watch(w, r, reqbody.Limits{Idle: s.cfg.BodyIdleTimeout, Total: s.cfg.BodyTimeout})
	defer body.Detach()
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
	s.mux.ServeHTTP(w, r)
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// api adapts a handler that returns an error, authenticating the request
// first (check order: route, then SigV4; §10).
func (s *Server) api(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := r.Body.(*reqbody.Body)
		if err := s.authenticateBounded(r, body); err != nil {
			if body.TimedOut() || errors.Is(err, errBusy) {
				// What is left of the body cannot be told from a next
				// request.
				w.Header().Set("Connection", "close")
			}
			s.writeError(w, r, err)
			return
		}
		if err := fn(w, r); err != nil {
			if body.TimedOut() {
				w.Header().Set("Connection", "close")
			}
			s.writeError(w, r, err)
		}
	})
}

// errBusy refuses a request with a body while Config.MaxPendingBodies
// others are being read. "Rate exceeded" is CloudFront's own 400
// Throttling (Type Sender), as real responses show (mdn/kuma#6177,
// spacecatninja/craft-imager-x#19); botocore's retry handler retries it
// with backoff (_retry.json, "throttling").
var errBusy = &model.Error{Code: "Throttling", Message: "Rate exceeded"}

// authenticateBounded authenticates r, holding one of Config.MaxPendingBodies
// tokens while a request with a body is read and hashed, before anyone
// knows who sent it. With no token free it refuses the request at once
// with errBusy and abandons its body unread, so that neither memory nor
// this goroutine waits on a client that has only shown an access key ID.
func (s *Server) authenticateBounded(r *http.Request, body *reqbody.Body) error {
	if body == nil {
		return s.authenticate(r)
	}
	select {
	case s.pending <- struct{}{}:
	default:
		body.Abandon()
		s.warnBusy(r)
		return errBusy
	}
	defer func() { <-s.pending }()
	return s.authenticate(r)
}

// busyWarnEvery is the least time between two warnings about requests
// refused for want of a pending-body token, so that a flood of them does
// not flood the log too (each is still logged at Debug by writeError).
const busyWarnEvery = 10 * time.Second

func (s *Server) warnBusy(r *http.Request) {
	n := s.busyRefused.Add(1)
	now, last := time.Now().UnixNano(), s.busyLogged.Load()
	if now-last < int64(busyWarnEvery) || !s.busyLogged.CompareAndSwap(last, now) {
		return
	}
	s.busyRefused.Add(-n)
	s.log.Warn("control API busy: too many request bodies being read before authentication; refusing with Throttling",
		"max_pending_bodies", cap(s.pending), "refused", n, "last_remote_addr", r.RemoteAddr, "request_id", requestID(r))
}

func (s *Server) authenticate(r *http.Request) error {
	switch {
	case s.cfg.Verifier != nil:
		_, err := s.cfg.Verifier.Verify(r) // a *sigv4.Error or nil
		return err
	case s.cfg.Authenticate != nil:
		err := s.cfg.Authenticate(r)
		if err == nil {
			return nil
		}
		var se *sigv4.Error
		if errors.As(err, &se) {
			return err
		}
		s.log.Debug("control API authentication failed", "err", err, "request_id", requestID(r))
		return errorf("AccessDenied", "Access denied.")
	}
	return errorf("MissingAuthenticationToken", "Request is missing Authentication Token")
}

func (s *Server) handleNotImplemented(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, errorf("NotImplemented", "keyfront does not implement %s %s.", r.Method, r.URL.Path))
}

// ---- request helpers ----

// readBody reads the request body up to Config.MaxBodyBytes. tooLarge is
// the code for a larger body.
func (s *Server) readBody(r *http.Request, tooLarge string) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	limit := s.cfg.MaxBodyBytes
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, errRequestTimeout
	}
	if err != nil {
		return nil, errorf("MalformedInput", "Reading the request body failed: %v.", err)
	}
	if int64(len(b)) > limit {
		return nil, errorf(tooLarge, "The request body is larger than %d bytes.", limit)
	}
	return b, nil
}

// decodeBody reads and decodes the request body as shape root, answering
// MissingBody for an empty one (§10).
func (s *Server) decodeBody(r *http.Request, root model.ShapeID, rootName, tooLarge string) (*model.Node, error) {
	b, err := s.readBody(r, tooLarge)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errorf("MissingBody", msgMissingBody)
	}
	return model.Decode(b, root, rootName)
}

// ifMatch returns the request's If-Match value with quotes and a W/
// prefix stripped (§5 Choice).
func ifMatch(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

// maxItemsDefault is the page size when MaxItems is absent, and the most
// a page holds (§9).
const maxItemsDefault = 100

// pageParams parses Marker and MaxItems (§9).
func pageParams(r *http.Request) (marker string, maxItems int, err error) {
	q := r.URL.Query()
	marker = q.Get("Marker")
	maxItems = maxItemsDefault
	if v := q.Get("MaxItems"); v != "" {
		n, perr := strconv.Atoi(strings.TrimSpace(v))
		if perr != nil || n < 1 {
			return "", 0, invalidArgument("MaxItems must be a positive integer, not %q.", v)
		}
		maxItems = min(n, maxItemsDefault)
	}
	return marker, maxItems, nil
}

// ---- response helpers ----

// writeXML writes a response whose body is n as root element name. etag
// and location are set when not empty (§1).
func (s *Server) writeXML(w http.ResponseWriter, status int, name string, n *model.Node, etag, location string) error {
	body := model.MarshalRoot(name, n)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if etag != "" {
		h["ETag"] = []string{etag} // unquoted (§1)
	}
	if location != "" {
		h.Set("Location", location)
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	if err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return nil
}

// writeNoContent answers 204 with no body and no Content-Type (§1).
func writeNoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// location returns the Location of a created resource (§2).
func (s *Server) location(r *http.Request, path string) string {
	base := s.cfg.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/2020-05-31/" + path
}
