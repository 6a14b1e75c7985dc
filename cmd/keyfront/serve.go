package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"keyfront"
	"keyfront/cache"
	"keyfront/controlapi"
	"keyfront/edge"
	"keyfront/originauth"
	"keyfront/s3"
	"keyfront/sigv4"
	"keyfront/sqlite"
)

// shutdownGrace is how long serve lets in-flight requests finish after
// SIGINT or SIGTERM before closing their connections.
const shutdownGrace = 10 * time.Second

// controlAPIMaxBody bounds a control API request body. The largest real
// bodies, distribution configs, are tens of kilobytes.
const controlAPIMaxBody = 1 << 20

// Plane names, as the banner and OnListen report them.
const (
	planeAPI      = "control API"
	planeEdge     = "edge"
	planeEdgeTLS  = "edge (TLS)"
	planeOrigin   = "origin (S3)"
	planeMetrics  = "metrics"
	defaultRegion = "us-east-1"
)

// serveCommand runs keyfront's planes: the control API, the edge and the
// S3 origin, in one process or each alone (--roles).
type serveCommand struct {
	m          *Main
	fs         *flagSet
	configFile string
	flagValues map[string]*string // flag name → value, applied over file and environment
	demo       bool
	cfg        Config
}

// serveFlags are the string flags of serve: name, argument, help and how
// each sets the configuration. Every one has a KEYFRONT_* variable and a
// config file key of the same meaning.
var serveFlags = []struct {
	name, arg, usage string
	def              func(Config) string
	set              func(*Config, string)
}{
	{"data-dir", "DIR", "data directory (env KEYFRONT_DATA_DIR)", func(c Config) string { return c.DataDir }, func(c *Config, v string) { c.DataDir = v }},
	{"roles", "LIST", "comma-separated planes to run: api, edge, s3 (env KEYFRONT_ROLES)", func(c Config) string { return strings.Join(c.Roles, ",") }, func(c *Config, v string) { c.Roles = splitList(v) }},
	{"api-addr", "ADDR", "control API listen address; port 0 picks a free port (env KEYFRONT_API_ADDR)", func(c Config) string { return c.APIAddr }, func(c *Config, v string) { c.APIAddr = v }},
	{"edge-addr", "ADDR", "edge (viewer) HTTP listen address (env KEYFRONT_EDGE_ADDR)", func(c Config) string { return c.EdgeAddr }, func(c *Config, v string) { c.EdgeAddr = v }},
	{"edge-tls-addr", "ADDR", "edge HTTPS listen address; needs --tls-cert and --tls-key (env KEYFRONT_EDGE_TLS_ADDR)", func(c Config) string { return c.EdgeTLSAddr }, func(c *Config, v string) { c.EdgeTLSAddr = v }},
	{"tls-cert", "FILE", "PEM certificate chain for --edge-tls-addr (env KEYFRONT_TLS_CERT)", func(c Config) string { return c.TLSCert }, func(c *Config, v string) { c.TLSCert = v }},
	{"tls-key", "FILE", "PEM private key for --edge-tls-addr (env KEYFRONT_TLS_KEY)", func(c Config) string { return c.TLSKey }, func(c *Config, v string) { c.TLSKey = v }},
	{"s3-addr", "ADDR", "origin (S3 API) listen address (env KEYFRONT_S3_ADDR)", func(c Config) string { return c.S3Addr }, func(c *Config, v string) { c.S3Addr = v }},
	{"edge-domain", "DOMAIN", "domain that distribution domain names end in (env KEYFRONT_EDGE_DOMAIN)", func(c Config) string { return c.EdgeDomain }, func(c *Config, v string) { c.EdgeDomain = v }},
	{"s3-domain", "DOMAIN", "domain of virtual-hosted-style bucket names, <bucket>.DOMAIN (env KEYFRONT_S3_DOMAIN)", func(c Config) string { return c.S3Domain }, func(c *Config, v string) { c.S3Domain = v }},
	{"origin-s3-endpoint", "URL", "S3 endpoint serving S3 origins when this process has no s3 role (env KEYFRONT_ORIGIN_S3_ENDPOINT)", func(c Config) string { return c.OriginS3Endpoint }, func(c *Config, v string) { c.OriginS3Endpoint = v }},
	{"trusted-proxies", "CIDRS", "comma-separated load balancer ranges whose X-Forwarded-For is believed (env KEYFRONT_TRUSTED_PROXIES)", func(c Config) string { return strings.Join(c.TrustedProxies, ",") }, func(c *Config, v string) { c.TrustedProxies = splitList(v) }},
	{"access-log", "FILE", "CloudFront-format access log: a file, - for stdout (env KEYFRONT_ACCESS_LOG)", func(c Config) string { return c.AccessLog }, func(c *Config, v string) { c.AccessLog = v }},
	{"metrics-addr", "ADDR", "serve Prometheus metrics at http://ADDR/metrics (env KEYFRONT_METRICS_ADDR)", func(c Config) string { return c.MetricsAddr }, func(c *Config, v string) { c.MetricsAddr = v }},
	{"log-format", "FORMAT", "log format: text or json (env KEYFRONT_LOG_FORMAT)", func(c Config) string { return c.LogFormat }, func(c *Config, v string) { c.LogFormat = v }},
	{"log-level", "LEVEL", "log level: debug, info, warn or error (env KEYFRONT_LOG_LEVEL)", func(c Config) string { return c.LogLevel }, func(c *Config, v string) { c.LogLevel = v }},
	{"store", "PATH", "SQLite database holding the configuration, shared by every process of a host; default DIR/keyfront.db of --data-dir (env KEYFRONT_STORE)", func(c Config) string { return c.Store }, func(c *Config, v string) { c.Store = v }},
	{"node-live-timeout", "DURATION", "how long an edge that stopped reporting still holds Deployed and Completed back (env KEYFRONT_NODE_LIVE_TIMEOUT)", func(c Config) string { return c.NodeLiveTimeout }, func(c *Config, v string) { c.NodeLiveTimeout = v }},
	{"body-idle-timeout", "DURATION", "how long a request body may pause before the listener answers a timeout and closes the connection (env KEYFRONT_BODY_IDLE_TIMEOUT)", func(c Config) string { return c.BodyIdleTimeout }, func(c *Config, v string) { c.BodyIdleTimeout = v }},
}

func newServeCommand(m *Main) command {
	c := &serveCommand{m: m, flagValues: map[string]*string{}}
	c.fs = newFlagSet("serve", "keyfront serve [--config FILE] [--data-dir DIR] [--roles api,edge,s3] [--store PATH]\n"+
		"                 [--api-addr ADDR] [--edge-addr ADDR] [--s3-addr ADDR]\n"+
		"                 [--edge-tls-addr ADDR --tls-cert FILE --tls-key FILE]\n"+
		"                 [--edge-domain cloudfront.localhost] [--s3-domain s3.localhost]",
		"Run keyfront: the CloudFront-compatible control API (--api-addr), the edge that serves private\n"+
			"content to signed URLs and cookies (--edge-addr), and the S3-compatible origin (--s3-addr), with their\n"+
			"state in --data-dir, which is private to the user keyfront runs as (mode 0700) and used by one keyfront\n"+
			"at a time. On first start keyfront generates administrator credentials, stores them in the data\n"+
			"directory (mode 0600) and prints them once, with the export lines for the AWS CLI.\n"+
			"SIGINT or SIGTERM stop it gracefully. Settings come from flags, then KEYFRONT_* environment variables,\n"+
			"then the --config file, then defaults.")
	c.fs.StringVar(&c.configFile, "config", "", "YAML configuration `FILE`; its keys are the flag names with _ for -, plus account_id, quotas, cache_max_bytes, cache_memory_bytes, debug_headers, feed_keep_revisions")
	c.fs.BoolVar(&c.demo, "demo", false, "set up a demonstration on first start: a private bucket and object, a key pair, key group,\n"+
		"origin access control, distribution with restricted viewer access and bucket policy; print a signed URL and\n"+
		"the commands to try (needs the roles api, edge and s3; on later starts only prints)")
	def := defaultConfig()
	for _, f := range serveFlags {
		v := new(string)
		c.fs.StringVar(v, f.name, f.def(def), "`"+f.arg+"`: "+f.usage)
		c.flagValues[f.name] = v
	}
	return c
}

func (c *serveCommand) flags() *flagSet  { return c.fs }
func (c *serveCommand) usageStatus() int { return statusUsage }

// parse builds the configuration in precedence order: defaults, file,
// environment, flags given on the command line.
func (c *serveCommand) parse(args []string) error {
	if _, err := c.fs.parse(args, 0); err != nil {
		return err
	}
	cfg := defaultConfig()
	if c.configFile != "" {
		if err := loadConfigFile(&cfg, c.configFile); err != nil {
			return usagef("%v", err)
		}
	}
	applyEnv(&cfg, c.m.Getenv)
	for _, f := range serveFlags {
		if c.fs.isSet(f.name) {
			f.set(&cfg, *c.flagValues[f.name])
		}
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	if c.demo && !(cfg.hasRole("api") && cfg.hasRole("edge") && cfg.hasRole("s3")) {
		return usagef("--demo needs the roles api, edge and s3 in this process (--roles api,edge,s3)")
	}
	c.cfg = cfg
	return nil
}

func (c *serveCommand) logger() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(c.m.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(c.m.Stderr, opts))
}

// listener is one plane's socket and the server that will serve it.
type listener struct {
	plane string
	ln    net.Listener
	url   string
	srv   *http.Server
}

// listen opens every listener the roles need before any plane is built,
// so that a taken port fails fast and each plane can learn the others'
// URLs (the edge needs the origin's).
func (c *serveCommand) listen() (map[string]*listener, error) {
	cfg := c.cfg
	want := []struct{ plane, role, addr, flag string }{
		{planeAPI, "api", cfg.APIAddr, "--api-addr"},
		{planeEdge, "edge", cfg.EdgeAddr, "--edge-addr"},
		{planeEdgeTLS, "edge", cfg.EdgeTLSAddr, "--edge-tls-addr"},
		{planeOrigin, "s3", cfg.S3Addr, "--s3-addr"},
		{planeMetrics, "edge", cfg.MetricsAddr, "--metrics-addr"},
		{planeMetrics, "api", cfg.MetricsAddr, "--metrics-addr"},
	}
	out := map[string]*listener{}
	for _, w := range want {
		if !cfg.hasRole(w.role) || w.addr == "" || out[w.plane] != nil {
			continue
		}
		ln, err := net.Listen("tcp", w.addr)
		if err != nil {
			for _, l := range out {
				l.ln.Close()
			}
			return nil, fmt.Errorf("%s: listen on %s: %w (choose another %s)", w.plane, w.addr, err, w.flag)
		}
		scheme := "http://"
		if w.plane == planeEdgeTLS {
			scheme = "https://"
		}
		out[w.plane] = &listener{plane: w.plane, ln: ln, url: scheme + ln.Addr().String()}
	}
	return out, nil
}

func (c *serveCommand) run(ctx context.Context) error {
	cfg := c.cfg
	log := c.logger()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The data directory is made private and locked before anything in it
	// is read or written: two processes on one directory would wipe each
	// other's edge cache and sweep each other's object files.
	dd, err := openDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer dd.Close()
	if dd.tightened != 0 {
		log.Info("made the data directory private to this user", "dir", cfg.DataDir,
			"was", fmt.Sprintf("%04o", dd.tightened), "now", fmt.Sprintf("%04o", privateDirMode))
	}
	if cfg.weakCredentials() {
		log.Warn("weak administrator credentials: AWS access key IDs have 20 characters and secrets 40; "+
			"set longer KEYFRONT_ACCESS_KEY_ID and KEYFRONT_SECRET_ACCESS_KEY, or unset both to have keyfront generate a pair",
			"access_key_id_chars", len(cfg.AccessKeyID), "secret_chars", len(cfg.SecretAccessKey))
	}
	var (
		id        identity
		generated bool
	)
	if dir, shared := cfg.sharedStore(); shared {
		// A process following another directory's store is part of that
		// deployment: it takes its identity and never generates one.
		id, err = loadSharedIdentity(dir, &cfg)
	} else {
		id, generated, err = loadIdentity(cfg.DataDir, &cfg)
	}
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if cfg.hasRole("edge") && cfg.EdgeTLSAddr != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("edge TLS: load --tls-cert %s and --tls-key %s: %w", cfg.TLSCert, cfg.TLSKey, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	store, err := sqlite.OpenWith(ctx, cfg.storePath(), sqlite.Options{KeepRevisions: cfg.FeedKeepRevisions})
	if err != nil {
		return fmt.Errorf("open store %s: %w", cfg.storePath(), err)
	}
	defer store.Close()
	lns, err := c.listen()
	if err != nil {
		return err
	}
	var closers []io.Closer
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}()

	svcKey, svcSecret := originauth.DeriveCredential(id.DeploymentSecret)
	if l := lns[planeOrigin]; l != nil {
		origin := s3.NewServer(s3.Config{
			Store:   store,
			DataDir: cfg.DataDir,
			Verifier: &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: originauth.Credentials(id.AccountID,
				originauth.Key{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey},
				originauth.Key{AccessKeyID: svcKey, SecretAccessKey: svcSecret})},
			Owner:  s3.Owner{AccountID: id.AccountID, AccessKeyID: id.AccessKeyID},
			Domain: cfg.S3Domain,
			Region: defaultRegion,
			Logger: log.With("plane", "s3"),

			BodyIdleTimeout: cfg.mustBodyIdleTimeout(),
		})
		if n, err := origin.Sweep(ctx); err != nil {
			closeListeners(lns)
			return fmt.Errorf("origin: clean up object files: %w", err)
		} else if n > 0 {
			log.Info("removed object files no object refers to", "plane", "s3", "files", n)
		}
		l.srv = newHTTPServer(origin, log)
	}

	var edgeMetrics http.Handler
	var reloadEdge func(context.Context) error
	var explain func(context.Context, keyfront.VerifyRequest) (*keyfront.VerifyResult, error)
	if l := lns[planeEdge]; l != nil {
		edgeSrv, err := c.newEdge(ctx, store, id, svcKey, svcSecret, lns, log, &closers)
		if err != nil {
			closeListeners(lns)
			return err
		}
		reloadEdge, explain = edgeSrv.Reload, edgeSrv.Explain
		l.srv = newHTTPServer(withEdgeHealthz(edgeSrv), log)
		if t := lns[planeEdgeTLS]; t != nil {
			t.srv = newHTTPServer(withEdgeHealthz(edgeSrv), log)
			t.srv.TLSConfig = tlsConfig
			t.ln = tls.NewListener(t.ln, tlsConfig)
		}
		edgeMetrics = edgeSrv.MetricsHandler()
	}

	var nodes *nodeWatch
	if l := lns[planeAPI]; l != nil {
		api := controlapi.NewServer(controlapi.Config{
			Store: store,
			Verifier: &sigv4.Verifier{
				Service:     sigv4.ServiceCloudFront,
				Credentials: sigv4.StaticCredentials{id.AccessKeyID: {SecretAccessKey: id.SecretAccessKey}},
				MaxBodySize: controlAPIMaxBody,
			},
			MaxBodyBytes: controlAPIMaxBody,
			AccountID:    id.AccountID,
			EdgeDomain:   cfg.EdgeDomain,
			BaseURL:      l.url,
			Logger:       log.With("plane", "api"),
			Explain:      explain,

			NodeLiveTimeout: cfg.mustNodeLiveTimeout(),
			Quotas: controlapi.Quotas{
				PublicKeys:               cfg.Quotas.PublicKeys,
				KeyGroups:                cfg.Quotas.KeyGroups,
				Distributions:            cfg.Quotas.Distributions,
				DistributionsPerKeyGroup: cfg.Quotas.DistributionsPerKeyGroup,
			},

			BodyIdleTimeout: cfg.mustBodyIdleTimeout(),
		})
		l.srv = newHTTPServer(withHealthz(api), log)
		nodes = newNodeWatch(store, cfg.mustNodeLiveTimeout(), log.With("plane", "api"))
		go nodes.run(ctx)
	}
	if m := lns[planeMetrics]; m != nil {
		m.srv = newHTTPServer(metricsMux(edgeMetrics, nodes), log)
	}

	errc := make(chan error, len(lns))
	ordered := orderedListeners(lns)
	for _, l := range ordered {
		go func() { errc <- serveListener(l.srv, l.ln) }()
	}
	c.printBanner(cfg, id, generated, ordered)
	if generated {
		if err := markSecretShown(cfg.DataDir); err != nil {
			log.Warn("could not record that the generated secret was shown; the next start shows it again", "err", err)
		}
	}
	urls := map[string]string{}
	for _, l := range ordered {
		log.Info("listening", "plane", l.plane, "url", l.url)
		urls[l.plane] = l.url
	}
	if c.demo {
		if err := c.runDemo(ctx, id, urls, reloadEdge, explain); err != nil {
			log.Error("demo setup failed", "err", err)
			fmt.Fprintf(c.m.Stderr, "keyfront serve: %v\n", err)
		}
	}
	for _, l := range ordered {
		if c.m.OnListen != nil {
			c.m.OnListen(l.plane, l.url)
		}
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", shutdownGrace)
	case err = <-errc:
		log.Error("listener failed", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, l := range ordered {
		if serr := l.srv.Shutdown(sctx); serr != nil {
			log.Warn("shutdown", "plane", l.plane, "err", serr)
		}
	}
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i].Close()
	}
	closers = nil
	if cerr := store.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	log.Info("stopped")
	return err
}

// newEdge builds the edge plane: its node ID and cache in the data
// directory, its origin signer, access log, and the goroutine that follows
// the store.
func (c *serveCommand) newEdge(ctx context.Context, store keyfront.Store, id identity, svcKey, svcSecret string,
	lns map[string]*listener, log *slog.Logger, closers *[]io.Closer) (*edge.Server, error) {
	cfg := c.cfg
	nodeID, err := loadNodeID(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	objCache, err := cache.New(cache.Config{
		Dir:            filepath.Join(cfg.DataDir, "cache"),
		MaxBytes:       cfg.CacheMaxBytes,
		MaxMemoryBytes: cfg.CacheMemoryBytes,
		Logger:         log.With("plane", "edge"),
	})
	if err != nil {
		return nil, fmt.Errorf("edge cache: %w", err)
	}
	*closers = append(*closers, objCache)
	var accessLog io.Writer
	switch cfg.AccessLog {
	case "":
	case "-":
		accessLog = c.m.Stdout
	default:
		f, err := os.OpenFile(cfg.AccessLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
		*closers = append(*closers, f)
		accessLog = f
	}
	originURL := cfg.OriginS3Endpoint
	if l := lns[planeOrigin]; l != nil && originURL == "" {
		originURL = l.url
	}
	httpsPort := 0
	if t := lns[planeEdgeTLS]; t != nil {
		_, port, _ := net.SplitHostPort(t.ln.Addr().String())
		httpsPort, _ = strconv.Atoi(port)
	}
	proxies, _ := cfg.trustedProxies() // validated in parse
	srv, err := edge.NewServer(edge.Config{
		Store:            store,
		NodeID:           nodeID,
		AccountID:        id.AccountID,
		EdgeDomain:       cfg.EdgeDomain,
		Cache:            objCache,
		OriginS3Endpoint: originURL,
		S3Domain:         cfg.S3Domain,
		OriginSigner:     originauth.NewSigner(svcKey, svcSecret, defaultRegion),
		TrustedProxies:   proxies,
		HTTPSPort:        httpsPort,
		DebugHeaders:     cfg.DebugHeaders,
		AccessLog:        accessLog,
		Logger:           log.With("plane", "edge"),
		BodyIdleTimeout:  cfg.mustBodyIdleTimeout(),
	})
	if err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	srv.Start(ctx)
	*closers = append(*closers, srv)
	return srv, nil
}

// orderedListeners lists the listeners in the banner's order.
func orderedListeners(lns map[string]*listener) []*listener {
	var out []*listener
	for _, p := range []string{planeEdge, planeEdgeTLS, planeAPI, planeOrigin, planeMetrics} {
		if l := lns[p]; l != nil {
			out = append(out, l)
		}
	}
	return out
}

func closeListeners(lns map[string]*listener) {
	for _, l := range lns {
		l.ln.Close()
	}
}

// serveListener serves until Shutdown, which is not an error.
func serveListener(srv *http.Server, ln net.Listener) error {
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// withHealthz answers GET /healthz with 200 once the plane is serving, so
// that load balancers and scripts can wait for it.
func withHealthz(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "ok\n")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withEdgeHealthz answers GET /healthz on the edge when the request names
// the listener by address (Host an IP literal or localhost), as load
// balancers do; a request for a distribution's domain name or alias always
// reaches the distribution, so no content path is ever shadowed.
func withEdgeHealthz(h http.Handler) http.Handler {
	health := withHealthz(http.NotFoundHandler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		if r.URL.Path == "/healthz" && (host == "localhost" || net.ParseIP(host) != nil) {
			health.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// printBanner tells the user where keyfront listens and how to reach it
// with the AWS CLI. The secret is printed only while generated credentials
// have not been shown by an earlier start (see loadIdentity); afterwards
// the banner says where it is kept.
func (c *serveCommand) printBanner(cfg Config, id identity, generated bool, lns []*listener) {
	w := c.m.Stdout
	fmt.Fprintf(w, "keyfront %s\n", version)
	for _, l := range lns {
		fmt.Fprintf(w, "  %-12s %s\n", l.plane, l.url)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "data dir", cfg.DataDir)
	if cfg.Store != "" {
		fmt.Fprintf(w, "  %-12s %s\n", "store", cfg.Store)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "account", id.AccountID)
	for _, l := range lns {
		if !isLoopback(l.ln.Addr().String()) && l.plane != planeEdge && l.plane != planeEdgeTLS {
			fmt.Fprintf(w, "  note: the %s listens beyond this machine (%s); requests still need the credentials below\n", l.plane, l.ln.Addr())
		}
	}
	secret := id.SecretAccessKey
	idDir, _ := cfg.sharedStore() // where identity.json is
	switch {
	case generated:
		fmt.Fprintf(w, "\nGenerated administrator credentials (shown on this start only; kept in %s, mode 0600):\n",
			filepath.Join(cfg.DataDir, identityFile))
	case cfg.AccessKeyID != "":
		fmt.Fprintf(w, "\nAdministrator credentials from KEYFRONT_ACCESS_KEY_ID / KEYFRONT_SECRET_ACCESS_KEY:\n")
		secret = "<your KEYFRONT_SECRET_ACCESS_KEY>"
	default:
		fmt.Fprintf(w, "\nAdministrator credentials are in %s (mode 0600):\n", filepath.Join(idDir, identityFile))
		secret = "<secret_access_key from that file>"
	}
	fmt.Fprintf(w, "  export AWS_ACCESS_KEY_ID=%s\n", id.AccessKeyID)
	fmt.Fprintf(w, "  export AWS_SECRET_ACCESS_KEY=%s\n", secret)
	fmt.Fprintf(w, "  export AWS_DEFAULT_REGION=%s\n", defaultRegion)
	for _, l := range lns {
		switch l.plane {
		case planeAPI:
			fmt.Fprintf(w, "  aws --endpoint-url %s cloudfront list-distributions\n", l.url)
		case planeOrigin:
			fmt.Fprintf(w, "  aws --endpoint-url %s s3 ls\n", l.url)
		}
	}
	fmt.Fprintln(w)
}
