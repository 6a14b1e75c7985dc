package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"keyfront/controlapi"
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

// serveCommand runs keyfront's planes: the control API and the origin.
type serveCommand struct {
	m          *Main
	fs         *flagSet
	configFile string
	flagValues map[string]*string // flag name → value, applied over file and environment
	cfg        Config
}

func newServeCommand(m *Main) command {
	c := &serveCommand{m: m, flagValues: map[string]*string{}}
	c.fs = newFlagSet("serve", "keyfront serve [--config FILE] [--data-dir DIR] [--roles api,s3] [--api-addr ADDR] [--s3-addr ADDR] [--edge-domain DOMAIN] [--s3-domain DOMAIN]",
		"Run keyfront: the CloudFront-compatible control API on --api-addr and the S3-compatible origin on\n"+
			"--s3-addr, with their state in --data-dir.\n"+
			"On first start keyfront generates administrator credentials, stores them in the data directory (mode 0600)\n"+
			"and prints them once, with the export lines for the AWS CLI. SIGINT or SIGTERM stop it gracefully.\n"+
			"Settings come from flags, then KEYFRONT_* environment variables, then the --config file, then defaults.")
	c.fs.StringVar(&c.configFile, "config", "", "YAML configuration `FILE` (keys: data_dir, roles, api_addr, edge_domain, account_id, log_format, log_level, quotas)")
	def := defaultConfig()
	for _, f := range []struct{ name, arg, usage, def string }{
		{"data-dir", "DIR", "data directory (env KEYFRONT_DATA_DIR)", def.DataDir},
		{"roles", "LIST", "comma-separated planes to run (env KEYFRONT_ROLES)", strings.Join(def.Roles, ",")},
		{"api-addr", "ADDR", "control API listen address; port 0 picks a free port (env KEYFRONT_API_ADDR)", def.APIAddr},
		{"s3-addr", "ADDR", "origin (S3 API) listen address (env KEYFRONT_S3_ADDR)", def.S3Addr},
		{"s3-domain", "DOMAIN", "domain of virtual-hosted-style bucket names, <bucket>.DOMAIN (env KEYFRONT_S3_DOMAIN)", def.S3Domain},
		{"edge-domain", "DOMAIN", "domain that distribution domain names end in (env KEYFRONT_EDGE_DOMAIN)", def.EdgeDomain},
		{"log-format", "FORMAT", "log format: text or json (env KEYFRONT_LOG_FORMAT)", def.LogFormat},
		{"log-level", "LEVEL", "log level: debug, info, warn or error (env KEYFRONT_LOG_LEVEL)", def.LogLevel},
	} {
		v := new(string)
		c.fs.StringVar(v, f.name, f.def, "`"+f.arg+"`: "+f.usage)
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
	set := map[string]func(string){
		"data-dir":    func(v string) { cfg.DataDir = v },
		"roles":       func(v string) { cfg.Roles = splitList(v) },
		"api-addr":    func(v string) { cfg.APIAddr = v },
		"s3-addr":     func(v string) { cfg.S3Addr = v },
		"s3-domain":   func(v string) { cfg.S3Domain = v },
		"edge-domain": func(v string) { cfg.EdgeDomain = v },
		"log-format":  func(v string) { cfg.LogFormat = v },
		"log-level":   func(v string) { cfg.LogLevel = v },
	}
	for name, apply := range set {
		if c.fs.isSet(name) {
			apply(*c.flagValues[name])
		}
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
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

func (c *serveCommand) run(ctx context.Context) error {
	cfg := c.cfg
	log := c.logger()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	id, generated, err := loadIdentity(cfg.DataDir, &cfg)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "keyfront.db"))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()

	var servers []*http.Server
	var urls []struct{ plane, url string }
	errc := make(chan error, 3)
	if cfg.hasRole("api") {
		ln, err := net.Listen("tcp", cfg.APIAddr)
		if err != nil {
			return fmt.Errorf("control API: listen on %s: %w (choose another --api-addr)", cfg.APIAddr, err)
		}
		base := "http://" + ln.Addr().String()
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
			BaseURL:      base,
			Logger:       log.With("plane", "api"),
			Quotas: controlapi.Quotas{
				PublicKeys:               cfg.Quotas.PublicKeys,
				KeyGroups:                cfg.Quotas.KeyGroups,
				Distributions:            cfg.Quotas.Distributions,
				DistributionsPerKeyGroup: cfg.Quotas.DistributionsPerKeyGroup,
			},
		})
		srv := newHTTPServer(withHealthz(api), log)
		servers = append(servers, srv)
		urls = append(urls, struct{ plane, url string }{"control API", base})
		go func() { errc <- serveListener(srv, ln) }()
	}

	if cfg.hasRole("s3") {
		ln, err := net.Listen("tcp", cfg.S3Addr)
		if err != nil {
			return fmt.Errorf("origin: listen on %s: %w (choose another --s3-addr)", cfg.S3Addr, err)
		}
		svcKey, svcSecret := originauth.DeriveCredential(id.DeploymentSecret)
		origin := s3.NewServer(s3.Config{
			Store:   store,
			DataDir: cfg.DataDir,
			Verifier: &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: originauth.Credentials(id.AccountID,
				originauth.Key{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey},
				originauth.Key{AccessKeyID: svcKey, SecretAccessKey: svcSecret})},
			Owner:  s3.Owner{AccountID: id.AccountID, AccessKeyID: id.AccessKeyID},
			Domain: cfg.S3Domain,
			Logger: log.With("plane", "s3"),
		})
		if n, err := origin.Sweep(ctx); err != nil {
			ln.Close()
			return fmt.Errorf("origin: clean up object files: %w", err)
		} else if n > 0 {
			log.Info("removed object files no object refers to", "plane", "s3", "files", n)
		}
		srv := newHTTPServer(origin, log)
		servers = append(servers, srv)
		urls = append(urls, struct{ plane, url string }{"origin (S3)", "http://" + ln.Addr().String()})
		go func() { errc <- serveListener(srv, ln) }()
	}

	c.printBanner(cfg, id, generated, urls)
	for _, u := range urls {
		log.Info("listening", "plane", u.plane, "url", u.url)
		if c.m.OnListen != nil {
			c.m.OnListen(u.plane, u.url)
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
	for _, s := range servers {
		if serr := s.Shutdown(sctx); serr != nil {
			log.Warn("shutdown", "err", serr)
		}
	}
	if cerr := store.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	log.Info("stopped")
	return err
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

// printBanner tells the user where keyfront listens and how to reach it
// with the AWS CLI. The secret is printed only when it was generated just
// now; afterwards the banner says where it is kept.
func (c *serveCommand) printBanner(cfg Config, id identity, generated bool, urls []struct{ plane, url string }) {
	w := c.m.Stdout
	fmt.Fprintf(w, "keyfront %s\n", version)
	for _, u := range urls {
		fmt.Fprintf(w, "  %-12s %s\n", u.plane, u.url)
	}
	fmt.Fprintf(w, "  %-12s %s\n", "data dir", cfg.DataDir)
	fmt.Fprintf(w, "  %-12s %s\n", "account", id.AccountID)
	if !isLoopback(cfg.APIAddr) {
		fmt.Fprintf(w, "  note: the control API listens beyond this machine (%s); requests still need the credentials below\n", cfg.APIAddr)
	}
	secret := id.SecretAccessKey
	switch {
	case generated:
		fmt.Fprintf(w, "\nGenerated administrator credentials (shown once; kept in %s, mode 0600):\n",
			filepath.Join(cfg.DataDir, identityFile))
	case cfg.AccessKeyID != "":
		fmt.Fprintf(w, "\nAdministrator credentials from KEYFRONT_ACCESS_KEY_ID / KEYFRONT_SECRET_ACCESS_KEY:\n")
		secret = "<your KEYFRONT_SECRET_ACCESS_KEY>"
	default:
		fmt.Fprintf(w, "\nAdministrator credentials are in %s (mode 0600):\n", filepath.Join(cfg.DataDir, identityFile))
		secret = "<secret_access_key from that file>"
	}
	fmt.Fprintf(w, "  export AWS_ACCESS_KEY_ID=%s\n", id.AccessKeyID)
	fmt.Fprintf(w, "  export AWS_SECRET_ACCESS_KEY=%s\n", secret)
	fmt.Fprintf(w, "  export AWS_DEFAULT_REGION=us-east-1\n")
	for _, u := range urls {
		switch u.plane {
		case "control API":
			fmt.Fprintf(w, "  aws --endpoint-url %s cloudfront list-distributions\n", u.url)
		case "origin (S3)":
			fmt.Fprintf(w, "  aws --endpoint-url %s s3 ls\n", u.url)
		}
	}
	fmt.Fprintln(w)
}
