package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"keyfront/sqlite"

	"go.yaml.in/yaml/v3"

	"keyfront/model"
)

// Config is the configuration of `keyfront serve`. Values come from, in
// increasing precedence: the defaults below, the YAML file named by
// --config, KEYFRONT_* environment variables, and flags.
type Config struct {
	// DataDir holds the metadata database, object data, the edge cache and
	// the generated credentials, private to the user keyfront runs as
	// (an existing directory is restricted to mode 0700) and locked by one
	// serve process at a time. Default "./keyfront-data".
	DataDir string `yaml:"data_dir"`
	// Roles are the planes this process runs: "api" (control API), "edge"
	// and "s3" (origin). Default: every plane this build provides.
	Roles []string `yaml:"roles"`
	// APIAddr is the control API's listen address. Default "127.0.0.1:7081".
	APIAddr string `yaml:"api_addr"`
	// EdgeAddr is the edge's plain-HTTP listen address. Default
	// "127.0.0.1:7080".
	EdgeAddr string `yaml:"edge_addr"`
	// EdgeTLSAddr is the edge's HTTPS listen address; it needs TLSCert and
	// TLSKey. Empty (the default) runs no TLS listener.
	EdgeTLSAddr string `yaml:"edge_tls_addr"`
	// TLSCert and TLSKey are PEM files of the edge's certificate chain and
	// private key.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// TrustedProxies are CIDR ranges of load balancers whose
	// X-Forwarded-For the edge believes. Empty (the default): the viewer
	// is always the TCP peer.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// OriginS3Endpoint is the S3 endpoint that serves S3 origins. Empty
	// means this process's own origin (role s3); set it when the edge runs
	// without the s3 role.
	OriginS3Endpoint string `yaml:"origin_s3_endpoint"`
	// CacheMaxBytes bounds the edge cache (memory and files together);
	// CacheMemoryBytes bounds its memory part. Defaults 1 GiB and 256 MiB.
	CacheMaxBytes    int64 `yaml:"cache_max_bytes"`
	CacheMemoryBytes int64 `yaml:"cache_memory_bytes"`
	// AccessLog is where the edge writes CloudFront-format access logs: a
	// file path, "-" for stdout, or empty (the default) for none.
	AccessLog string `yaml:"access_log"`
	// DebugHeaders adds X-Keyfront-Reason to refused signed requests. Off
	// by default: the precise reason helps attackers as much as users.
	DebugHeaders bool `yaml:"debug_headers"`
	// MetricsAddr serves Prometheus metrics at /metrics. Empty (the
	// default) serves none.
	MetricsAddr string `yaml:"metrics_addr"`
	// S3Addr is the origin's (S3 API) listen address. Default
	// "127.0.0.1:7082".
	S3Addr string `yaml:"s3_addr"`
	// S3Domain is the domain of virtual-hosted-style bucket names
	// (<bucket>.<S3Domain>). Default "s3.localhost".
	S3Domain string `yaml:"s3_domain"`
	// EdgeDomain is the domain distribution domain names end in. Default
	// "cloudfront.localhost", which curl and browsers resolve to loopback.
	EdgeDomain string `yaml:"edge_domain"`
	// AccessKeyID and SecretAccessKey are the administrator's credentials
	// for the control API and the origin: at least 3 and 8 characters
	// (MinIO's minimums); shorter than AWS's 20 and 40, serve warns that
	// they are weak. When both are empty, keyfront generates a pair on
	// first start and keeps it in the data directory.
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	// AccountID is the 12-digit account used in ARNs. Empty: generated on
	// first start and kept in the data directory.
	AccountID string `yaml:"account_id"`
	// LogFormat is "text" (default) or "json"; LogLevel is "debug",
	// "info" (default), "warn" or "error".
	LogFormat string `yaml:"log_format"`
	LogLevel  string `yaml:"log_level"`
	// BodyIdleTimeout is how long every listener waits for the next bytes
	// of a request body before answering a timeout (S3's 400
	// RequestTimeout on the origin, 408 on the control API and the edge)
	// and closing the connection. The wait starts over whenever bytes
	// arrive, so large uploads at any steady rate complete. A Go duration;
	// default "20s", S3's own.
	BodyIdleTimeout string `yaml:"body_idle_timeout"`
	// Quotas raise or lower CloudFront's default limits; zero keeps the
	// default.
	Quotas QuotaConfig `yaml:"quotas"`
	// Store is the path of the SQLite database that holds the
	// configuration. Empty (the default) means keyfront.db in DataDir. An
	// edge process with a data directory of its own names the control
	// plane's database here, so that every process on the host follows
	// the same store; it then takes the deployment's identity (account and
	// the secret its origin requests are signed with) from identity.json
	// next to that database. A postgres:// DSN is refused: PostgreSQL
	// support is not built yet.
	Store string `yaml:"store"`
	// NodeLiveTimeout is how long after an edge's last heartbeat the
	// control API still waits for it before saying Deployed or Completed;
	// an edge silent for longer is stale and no longer holds them back.
	// A Go duration; default "10s". It must exceed the edges' heartbeat
	// (1 s) and the clock skew between hosts.
	NodeLiveTimeout string `yaml:"node_live_timeout"`
	// FeedKeepRevisions is how many revisions of configuration changes
	// the store's change log keeps; an edge further behind than that
	// (one that was down) reloads its whole configuration instead of
	// catching up. Default 10000, about 1.3 MB of the database.
	FeedKeepRevisions int64 `yaml:"feed_keep_revisions"`
}

// QuotaConfig overrides control API quotas. Zero means CloudFront's default.
type QuotaConfig struct {
	PublicKeys               int `yaml:"public_keys"`
	KeyGroups                int `yaml:"key_groups"`
	Distributions            int `yaml:"distributions"`
	DistributionsPerKeyGroup int `yaml:"distributions_per_key_group"`
}

// availableRoles are the planes this build of keyfront serves.
var availableRoles = []string{"api", "edge", "s3"}

// defaultConfig returns the built-in defaults.
func defaultConfig() Config {
	return Config{
		DataDir:          "./keyfront-data",
		Roles:            append([]string(nil), availableRoles...),
		APIAddr:          "127.0.0.1:7081",
		EdgeAddr:         "127.0.0.1:7080",
		S3Addr:           "127.0.0.1:7082",
		S3Domain:         "s3.localhost",
		EdgeDomain:       model.DefaultEdgeDomain,
		LogFormat:        "text",
		CacheMaxBytes:    1 << 30,
		CacheMemoryBytes: 256 << 20,
		LogLevel:         "info",
		BodyIdleTimeout:  "20s",
		NodeLiveTimeout:  "10s",

		FeedKeepRevisions: sqlite.DefaultKeepRevisions,
	}
}

// loadConfigFile merges a YAML file into c. Unknown keys are errors, so a
// misspelt setting is reported rather than silently ignored.
func loadConfigFile(c *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %v", path, err)
	}
	return nil
}

// envVars maps KEYFRONT_* variables to the settings they set.
var envVars = []struct {
	name string
	set  func(c *Config, v string)
}{
	{"KEYFRONT_DATA_DIR", func(c *Config, v string) { c.DataDir = v }},
	{"KEYFRONT_ROLES", func(c *Config, v string) { c.Roles = splitList(v) }},
	{"KEYFRONT_API_ADDR", func(c *Config, v string) { c.APIAddr = v }},
	{"KEYFRONT_EDGE_DOMAIN", func(c *Config, v string) { c.EdgeDomain = v }},
	{"KEYFRONT_S3_ADDR", func(c *Config, v string) { c.S3Addr = v }},
	{"KEYFRONT_EDGE_ADDR", func(c *Config, v string) { c.EdgeAddr = v }},
	{"KEYFRONT_EDGE_TLS_ADDR", func(c *Config, v string) { c.EdgeTLSAddr = v }},
	{"KEYFRONT_TLS_CERT", func(c *Config, v string) { c.TLSCert = v }},
	{"KEYFRONT_TLS_KEY", func(c *Config, v string) { c.TLSKey = v }},
	{"KEYFRONT_TRUSTED_PROXIES", func(c *Config, v string) { c.TrustedProxies = splitList(v) }},
	{"KEYFRONT_ORIGIN_S3_ENDPOINT", func(c *Config, v string) { c.OriginS3Endpoint = v }},
	{"KEYFRONT_ACCESS_LOG", func(c *Config, v string) { c.AccessLog = v }},
	{"KEYFRONT_METRICS_ADDR", func(c *Config, v string) { c.MetricsAddr = v }},
	{"KEYFRONT_S3_DOMAIN", func(c *Config, v string) { c.S3Domain = v }},
	{"KEYFRONT_ACCESS_KEY_ID", func(c *Config, v string) { c.AccessKeyID = v }},
	{"KEYFRONT_SECRET_ACCESS_KEY", func(c *Config, v string) { c.SecretAccessKey = v }},
	{"KEYFRONT_ACCOUNT_ID", func(c *Config, v string) { c.AccountID = v }},
	{"KEYFRONT_LOG_FORMAT", func(c *Config, v string) { c.LogFormat = v }},
	{"KEYFRONT_LOG_LEVEL", func(c *Config, v string) { c.LogLevel = v }},
	{"KEYFRONT_BODY_IDLE_TIMEOUT", func(c *Config, v string) { c.BodyIdleTimeout = v }},
	{"KEYFRONT_STORE", func(c *Config, v string) { c.Store = v }},
	{"KEYFRONT_NODE_LIVE_TIMEOUT", func(c *Config, v string) { c.NodeLiveTimeout = v }},
}

// applyEnv sets every setting whose KEYFRONT_* variable is non-empty.
func applyEnv(c *Config, getenv func(string) string) {
	for _, e := range envVars {
		if v := getenv(e.name); v != "" {
			e.set(c, v)
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Lengths of configured administrator credentials. Below the minimums
// serve refuses to start; between them and AWS's lengths it starts with a
// warning. The minimums are MinIO's (internal/auth/credentials.go in
// minio/minio: accessKeyMinLen = 3, secretKeyMinLen = 8; its server says
// "Access key length should be at least 3, and secret key length at least
// 8 characters"), so the short pairs that test suites and development
// setups already use with self-hosted S3 servers, such as FOOBARKEY /
// FOOBARSECRET, work here too. AWS issues 20-character access key IDs and
// 40-character secrets (AKIAIOSFODNN7EXAMPLE /
// wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html),
// which is also what keyfront generates.
const (
	minAccessKeyIDLen = 3
	minSecretKeyLen   = 8
	awsAccessKeyIDLen = 20
	awsSecretKeyLen   = 40
)

// weakCredentials reports whether configured administrator credentials
// are shorter than the ones AWS issues.
func (c *Config) weakCredentials() bool {
	return c.AccessKeyID != "" && (len(c.AccessKeyID) < awsAccessKeyIDLen || len(c.SecretAccessKey) < awsSecretKeyLen)
}

// Validate reports the first setting that cannot work, naming it and what
// it should be.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("data_dir is empty: set --data-dir to a directory keyfront may create")
	}
	if len(c.Roles) == 0 {
		return fmt.Errorf("roles is empty: name at least one of %s", strings.Join(availableRoles, ", "))
	}
	for _, r := range c.Roles {
		if !contains(availableRoles, r) {
			return fmt.Errorf("roles: unknown role %q; available roles: %s", r, strings.Join(availableRoles, ", "))
		}
	}
	for _, a := range []struct{ name, value, example string }{
		{"api_addr", c.APIAddr, "127.0.0.1:7081"}, {"s3_addr", c.S3Addr, "127.0.0.1:7082"},
		{"edge_addr", c.EdgeAddr, "127.0.0.1:7080"}, {"edge_tls_addr", c.EdgeTLSAddr, "127.0.0.1:7443"},
		{"metrics_addr", c.MetricsAddr, "127.0.0.1:9090"},
	} {
		if a.value == "" && a.name != "api_addr" && a.name != "s3_addr" && a.name != "edge_addr" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.value); err != nil {
			return fmt.Errorf("%s %q is not host:port (e.g. %s, or 127.0.0.1:0 for any free port)", a.name, a.value, a.example)
		}
	}
	if c.EdgeTLSAddr != "" && (c.TLSCert == "" || c.TLSKey == "") {
		return errors.New("edge_tls_addr needs tls_cert and tls_key (--tls-cert, --tls-key): PEM files of the certificate chain and its private key")
	}
	if _, err := c.trustedProxies(); err != nil {
		return err
	}
	if c.OriginS3Endpoint != "" && !strings.HasPrefix(c.OriginS3Endpoint, "http://") && !strings.HasPrefix(c.OriginS3Endpoint, "https://") {
		return fmt.Errorf("origin_s3_endpoint %q must be an http:// or https:// URL", c.OriginS3Endpoint)
	}
	if c.hasRole("edge") && !c.hasRole("s3") && c.OriginS3Endpoint == "" {
		return errors.New("roles: an edge without the s3 role needs origin_s3_endpoint (--origin-s3-endpoint) to reach S3 origins")
	}
	if c.FeedKeepRevisions <= 0 {
		return fmt.Errorf("feed_keep_revisions (%d) must be a positive number of revisions (default %d)", c.FeedKeepRevisions, sqlite.DefaultKeepRevisions)
	}
	if c.CacheMaxBytes <= 0 || c.CacheMemoryBytes < 0 || c.CacheMemoryBytes > c.CacheMaxBytes {
		return fmt.Errorf("cache_max_bytes (%d) must be positive and at least cache_memory_bytes (%d)", c.CacheMaxBytes, c.CacheMemoryBytes)
	}
	if c.S3Domain == "" || strings.ContainsAny(c.S3Domain, "/: ") {
		return fmt.Errorf("s3_domain %q is not a domain name", c.S3Domain)
	}
	if c.EdgeDomain == "" || strings.ContainsAny(c.EdgeDomain, "/: ") {
		return fmt.Errorf("edge_domain %q is not a domain name", c.EdgeDomain)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("access key: set both KEYFRONT_ACCESS_KEY_ID and KEYFRONT_SECRET_ACCESS_KEY, or neither to use generated credentials")
	}
	if c.AccessKeyID != "" && len(c.AccessKeyID) < minAccessKeyIDLen {
		return fmt.Errorf("access_key_id (KEYFRONT_ACCESS_KEY_ID) has %d characters, fewer than %d: set a longer one, or unset both it and the secret to have keyfront generate a pair",
			len(c.AccessKeyID), minAccessKeyIDLen)
	}
	if c.SecretAccessKey != "" && len(c.SecretAccessKey) < minSecretKeyLen {
		return fmt.Errorf("secret_access_key (KEYFRONT_SECRET_ACCESS_KEY) has %d characters, fewer than %d: set a longer one, or unset both it and the access key ID to have keyfront generate a pair",
			len(c.SecretAccessKey), minSecretKeyLen)
	}
	if c.AccountID != "" && !accountIDPattern.MatchString(c.AccountID) {
		return fmt.Errorf("account_id %q must be 12 digits", c.AccountID)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log_format %q: use text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level %q: use debug, info, warn or error", c.LogLevel)
	}
	if _, err := c.bodyIdleTimeout(); err != nil {
		return err
	}
	if _, err := c.nodeLiveTimeout(); err != nil {
		return err
	}
	if err := c.validateStore(); err != nil {
		return err
	}
	for name, v := range map[string]int{"public_keys": c.Quotas.PublicKeys, "key_groups": c.Quotas.KeyGroups,
		"distributions": c.Quotas.Distributions, "distributions_per_key_group": c.Quotas.DistributionsPerKeyGroup} {
		if v < 0 {
			return fmt.Errorf("quotas.%s is %d: use a positive number, or 0 for CloudFront's default", name, v)
		}
	}
	return nil
}

func (c *Config) hasRole(r string) bool { return contains(c.Roles, r) }

// mustBodyIdleTimeout returns BodyIdleTimeout of a validated Config.
func (c *Config) mustBodyIdleTimeout() time.Duration {
	d, _ := c.bodyIdleTimeout()
	return d
}

// bodyIdleTimeout parses BodyIdleTimeout.
func (c *Config) bodyIdleTimeout() (time.Duration, error) {
	d, err := time.ParseDuration(c.BodyIdleTimeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("body_idle_timeout %q is not a positive duration: use e.g. 20s, 500ms or 2m", c.BodyIdleTimeout)
	}
	return d, nil
}

// mustNodeLiveTimeout returns NodeLiveTimeout of a validated Config.
func (c *Config) mustNodeLiveTimeout() time.Duration {
	d, _ := c.nodeLiveTimeout()
	return d
}

// nodeLiveTimeout parses NodeLiveTimeout.
func (c *Config) nodeLiveTimeout() (time.Duration, error) {
	d, err := time.ParseDuration(c.NodeLiveTimeout)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("node_live_timeout %q is not a positive duration: use e.g. 10s or 1m, longer than the edges' 1 s heartbeat", c.NodeLiveTimeout)
	}
	return d, nil
}

// validateStore refuses a store setting keyfront cannot open.
func (c *Config) validateStore() error {
	lower := strings.ToLower(c.Store)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return errors.New("store: PostgreSQL support is not built yet; set store (--store) to the path of a SQLite database file, or leave it empty for keyfront.db in the data directory")
	case strings.Contains(c.Store, "://"):
		return fmt.Errorf("store %q: use the path of a SQLite database file (e.g. /var/lib/keyfront/keyfront.db), or leave it empty for keyfront.db in the data directory", c.Store)
	}
	return nil
}

// storePath returns the SQLite database to open.
func (c *Config) storePath() string {
	if c.Store == "" {
		return filepath.Join(c.DataDir, storeFile)
	}
	return c.Store
}

// storeFile is the name of the default database in the data directory.
const storeFile = "keyfront.db"

// sharedStore reports whether the store is another directory's database,
// whose directory then holds the deployment's identity.
func (c *Config) sharedStore() (dir string, shared bool) {
	if c.Store == "" {
		return c.DataDir, false
	}
	dir = filepath.Dir(c.Store)
	a, errA := filepath.Abs(dir)
	b, errB := filepath.Abs(c.DataDir)
	if errA == nil && errB == nil && a == b {
		return c.DataDir, false
	}
	return dir, true
}

// trustedProxies parses TrustedProxies; a bare address is a /32 or /128.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("trusted_proxies: %q is not an IP address or CIDR range", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isLoopback reports whether a listen address only accepts local
// connections, for the banner's warning about exposed listeners.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
