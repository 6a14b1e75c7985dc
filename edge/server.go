package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"keyfront"
	"keyfront/cache"
	"keyfront/model"
)

// OriginSigner signs the edge's requests to an origin that has an origin
// access control (*originauth.Signer implements it). Sign is called last,
// once the request's method, URL and headers are final.
type OriginSigner interface {
	Sign(ctx context.Context, req *http.Request, distributionARN, account string) error
}

// Config configures a Server. Store and NodeID are required.
type Config struct {
	// Store holds distributions, key groups, public keys and origin access
	// controls. Required.
	Store keyfront.Store

	// AccountID is the 12-digit account used in distribution ARNs (the
	// AWS:SourceArn origin requests carry) and accepted in TrustedSigners.
	// Empty means model.DefaultAccountID, as in the control API.
	AccountID string

	// EdgeDomain is the suffix of distribution domain names. It is only
	// documentary here: hosts are matched against each distribution's
	// stored DomainName and Aliases. Empty means model.DefaultEdgeDomain.
	EdgeDomain string

	// Cache stores origin responses; a *cache.Cache. Nil disables caching:
	// every request goes to the origin and X-Cache says Miss (or Error).
	Cache Cache

	// OriginS3Endpoint is the URL of the S3 endpoint that serves S3
	// origins (DomainName <bucket>.<S3Domain>, <bucket>.s3.amazonaws.com or
	// <bucket>.s3.<region>.amazonaws.com), e.g. "http://127.0.0.1:7082".
	// Requests go to it path-style: /<bucket><OriginPath><path>. Empty
	// means S3 origins are unreachable (502).
	OriginS3Endpoint string

	// S3Domain is the suffix of virtual-hosted bucket names, as
	// s3.Config.Domain. Empty means "s3.localhost".
	S3Domain string

	// OriginSigner signs requests to origins that have an origin access
	// control whose SigningBehavior is "always" or "no-override". Nil
	// sends every origin request unsigned.
	OriginSigner OriginSigner

	// OriginTLS configures TLS to custom HTTPS origins. Nil means the
	// system roots and Go's defaults.
	OriginTLS *tls.Config

	// TrustedProxies lists the peers whose X-Forwarded-For (and
	// X-Forwarded-Proto) the edge believes: for a request from such a peer
	// the viewer is the right-most X-Forwarded-For hop outside these
	// prefixes. Empty means the viewer is always the TCP peer (DESIGN.md).
	TrustedProxies []netip.Prefix

	// HTTPSPort is the port of the edge's TLS listener, used in the
	// Location of redirect-to-https answers:
	// "https://<host>:<HTTPSPort><path>?<query>", without the port when
	// it is 443. 0 means the edge has no TLS listener: the Location then
	// names no port, as CloudFront's always do, so the viewer goes to
	// port 443 (where a TLS terminator may forward to this edge), and a
	// distribution whose behaviors want https is logged with a warning
	// when its configuration is loaded, unless TrustedProxies is set.
	HTTPSPort int

	// DebugHeaders adds X-Keyfront-Reason (and, for canned policies,
	// X-Keyfront-Resource) to signed-request rejections (signed-urls.md
	// §12). The body never changes. Off by default: the reason helps
	// attackers as much as users.
	DebugHeaders bool

	// ServerHeader is the Server header of responses the edge makes
	// itself, and the product named in Via. Empty means "keyfront";
	// "CloudFront" imitates CloudFront.
	ServerHeader string

	// NodeID identifies this edge: it is the ID of the node the edge
	// registers and heartbeats in the store (keyfront.Node), it names the
	// edge in Via ("1.1 <NodeID> (<ServerHeader>)") and it is the
	// x-edge-location of the access log. Required. Keep it across
	// restarts (keyfront serve keeps it in the data directory's node-id
	// file): a restarted edge with the same NodeID purges only the
	// invalidations created while it was down, one with a new NodeID its
	// whole cache.
	NodeID string

	// HeartbeatInterval is how often the edge writes its node to the
	// store when nothing changes, so that the control plane knows it is
	// live; it also writes it right after applying a new revision. Zero
	// means DefaultHeartbeatInterval (1 second). The control plane's live
	// timeout must be several times longer.
	HeartbeatInterval time.Duration

	// AccessLog receives one line per request in CloudFront's standard
	// log format, after a "#Version: 1.0" and "#Fields:" header written by
	// NewServer. Nil writes no access log.
	AccessLog io.Writer

	// LogSignatures writes Signature and Policy query values into the
	// access log as received. The zero value replaces them with "-"
	// (signed-urls.md §13, edge.log_redact_signatures defaults to on).
	LogSignatures bool

	// Logger receives rejections (at Info, with the precise reason),
	// origin failures (Warn) and configuration problems. Nil discards.
	Logger *slog.Logger

	// Now returns the current time, for signature checks, TTLs and logs.
	// Nil means time.Now.
	Now func() time.Time

	// SignatureMemoSize bounds the number of remembered successful
	// signature checks (signed-urls.md §16). Zero means 65,536; a negative
	// value disables the memo.
	SignatureMemoSize int

	// BodyIdleTimeout is how long the edge waits for the next bytes of a
	// viewer's request body (relayed to the origin for PUT, POST and the
	// other methods a behavior may allow) before answering 408 and closing
	// the connection; the wait starts over whenever bytes arrive. Zero
	// means reqbody.DefaultIdle (20 seconds).
	BodyIdleTimeout time.Duration

	// Metrics is the registry the edge's Prometheus collectors are
	// registered with. Nil means a new registry, served by
	// MetricsHandler.
	Metrics *prometheus.Registry
}

// Server is the edge: an http.Handler for viewer requests. Create it with
// NewServer, call Start to follow configuration changes, and Close when
// done. It is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	server  string // Server header
	via     string // Via header value
	proxies []netip.Prefix
	memo    *memo
	origins *originClient
	metrics *metrics
	alog    *accessLog
	s3      *s3Endpoint
	hostLog hostLog // which unknown-Host refusals are logged

	snap atomic.Pointer[snapshot]
	// applied is the revision the edge has applied: its snapshot is that
	// revision's configuration and every invalidation up to it is
	// purged. It is what the node reports.
	applied atomic.Int64

	// reloadMu serialises the application of changes and guards state.
	reloadMu sync.Mutex
	state    configState
	// reportMu serialises the node's reports.
	reportMu sync.Mutex

	// cancel and done stop and await the goroutine Start runs.
	startOnce sync.Once
	started   bool // set inside startOnce
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// NewServer returns a Server for c after loading the configuration from
// c.Store once, purging from c.Cache the invalidations created since its
// node last reported (or everything, when that cannot be known; see
// Config.NodeID), and registering its node at the revision loaded. It
// returns an error if c is unusable or the store cannot be read or
// written.
func NewServer(c Config) (*Server, error) {
	if c.Store == nil {
		return nil, errors.New("edge: Config.Store is required")
	}
	if c.AccountID == "" {
		c.AccountID = model.DefaultAccountID
	}
	if c.EdgeDomain == "" {
		c.EdgeDomain = model.DefaultEdgeDomain
	}
	if c.S3Domain == "" {
		c.S3Domain = "s3.localhost"
	}
	if c.ServerHeader == "" {
		c.ServerHeader = "keyfront"
	}
	if c.NodeID == "" {
		return nil, errNoNodeID
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if cc, ok := c.Cache.(*cache.Cache); ok && cc == nil {
		c.Cache = nil // a nil *cache.Cache means no cache, as a nil Cache does
	}
	if c.SignatureMemoSize == 0 {
		c.SignatureMemoSize = 1 << 16
	}
	s := &Server{
		cfg:     c,
		log:     c.Logger,
		now:     c.Now,
		server:  c.ServerHeader,
		via:     "1.1 " + c.NodeID + " (" + c.ServerHeader + ")",
		proxies: c.TrustedProxies,
		done:    make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if c.OriginS3Endpoint != "" {
		ep, err := parseS3Endpoint(c.OriginS3Endpoint)
		if err != nil {
			return nil, err
		}
		s.s3 = ep
	}
	if c.SignatureMemoSize > 0 {
		s.memo = newMemo(c.SignatureMemoSize)
	}
	s.origins = newOriginClient(c.OriginTLS)
	reg := c.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newMetrics(reg, c.Cache, s.Revision)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if c.AccessLog != nil {
		s.alog = newAccessLog(c.AccessLog, !c.LogSignatures)
		if err := s.alog.writeHeader(); err != nil {
			return nil, fmt.Errorf("edge: write access log header: %w", err)
		}
	}
	ctx := context.Background()
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	if err := s.report(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Start follows the store: it applies each change as the store commits it
// and heartbeats the edge's node every Config.HeartbeatInterval, until ctx
// ends or Close is called. It returns at once; calling it again, or after
// Close, does nothing.
func (s *Server) Start(ctx context.Context) {
	s.startOnce.Do(func() {
		s.started = true
		ctx, s.cancel = context.WithCancel(ctx)
		go s.follow(ctx)
	})
}

// Close stops following the store and waits for that to end. It does not
// close the Cache, the Store or the access log writer, which the caller
// owns, and leaves the node in the store: a restarted edge with the same
// NodeID is the same node, and the control plane stops counting one that
// no longer heartbeats once its live timeout passes.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// After this Do, Start can no longer begin following, and
		// started says whether it did.
		s.startOnce.Do(func() {})
		if s.started {
			s.cancel()
			<-s.done
		}
		s.origins.close()
	})
	return nil
}

// Reload applies at once every change the store committed before the call,
// as Start does when the store wakes it, and reports the node if the edge
// advanced. Requests that began earlier finish with the snapshot they
// started with. On an error the edge keeps what it served.
func (s *Server) Reload(ctx context.Context) error {
	advanced, err := s.sync(ctx)
	if err != nil || !advanced {
		return err
	}
	return s.report(ctx)
}

// Revision returns the store revision the edge has applied: it serves the
// configuration as of that revision and has purged every invalidation
// created up to it. It is the revision its node reports, and the metric
// keyfront_edge_config_revision.
func (s *Server) Revision() keyfront.Revision {
	return keyfront.Revision(s.applied.Load())
}

// Purge removes the cached objects of a distribution whose paths match
// one of paths, each starting with "/" and possibly ending in "*"
// (CreateInvalidation's Paths), and returns when they are gone. The edge
// purges every invalidation it finds in the store by itself; Purge is for
// an operator's tool that must empty this edge's cache of some paths now.
func (s *Server) Purge(ctx context.Context, dist keyfront.DistributionID, paths []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.purge(dist, paths)
	return nil
}

// purge removes the cached objects of dist whose paths match paths.
func (s *Server) purge(dist keyfront.DistributionID, paths []string) {
	if s.cfg.Cache == nil {
		return
	}
	for _, p := range paths {
		body, wildcard := strings.CutSuffix(p, "*")
		// Invalidation paths name objects as viewers request them; the
		// cache holds normalised paths (route.go), so the path part is
		// normalised the same way. A query string stays as given.
		path, query, hasQuery := strings.Cut(body, "?")
		norm := normalizePath(path)
		if strings.HasSuffix(path, "/") && !strings.HasSuffix(norm, "/") {
			norm += "/"
		}
		if hasQuery {
			norm += "?" + query
		}
		n := s.cfg.Cache.Purge(purgePattern(dist, norm, wildcard))
		s.log.Debug("edge: purge", "distribution", dist, "path", p, "entries", n)
	}
}

// MetricsHandler returns the handler that serves the edge's Prometheus
// metrics (and those of any other collector registered with
// Config.Metrics), for the lead to mount, e.g. at /metrics.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }
