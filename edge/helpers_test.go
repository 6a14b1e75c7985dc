package edge_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyfront"
	"keyfront/cache"
	"keyfront/edge"
	"keyfront/model"
	"keyfront/signing"
	"keyfront/sqlite"
)

// Keys generated once per test binary: RSA-2048 and ECDSA P-256, what key
// groups accept (signed-urls.md §10).
var (
	rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	rsaKey2 = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	ecKey = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

const (
	keyA  = "KAAAAAAAAAAAAA" // rsaKey
	keyB  = "KBBBBBBBBBBBBB" // rsaKey2
	keyEC = "KECECECECECECE" // ecKey
	group = "11111111-2222-3333-4444-555555555555"
	dist1 = keyfront.DistributionID("EDISTRIBUTION1")
	host1 = "d111111abcdef8.cloudfront.localhost"
)

// testNow is the fake clock's start: the §17 vectors' "now".
var testNow = time.Unix(1767290000, 0).UTC()

func publicPEM(tb testing.TB, k crypto.Signer) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// clock is a settable clock shared by the edge and the cache.
type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.t.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.t.Add(int64(d)) }

// originRequest is what a fake origin received.
type originRequest struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
}

// object is what the fake origin answers for a path.
type object struct {
	status int
	header http.Header
	body   string
}

// fakeOrigin is a recording httptest origin serving configured objects.
type fakeOrigin struct {
	*httptest.Server
	mu       sync.Mutex // guards objects and requests
	objects  map[string]object
	requests []originRequest
	// gate, when set, holds every request until it is closed.
	gate chan struct{}
	// arrived receives a value as each request arrives.
	arrived chan struct{}
}

func newFakeOrigin(tb testing.TB) *fakeOrigin {
	o := &fakeOrigin{objects: map[string]object{}, arrived: make(chan struct{}, 1024)}
	o.Server = httptest.NewServer(http.HandlerFunc(o.serve))
	tb.Cleanup(o.Close)
	return o
}

func (o *fakeOrigin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, originRequest{Method: r.Method, RequestURI: r.RequestURI, Host: r.Host, Header: r.Header.Clone()})
	gate := o.gate
	obj, ok := o.objects[r.URL.Path]
	o.mu.Unlock()
	select {
	case o.arrived <- struct{}{}:
	default:
	}
	if gate != nil {
		<-gate
	}
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	for k, v := range obj.header {
		w.Header()[k] = v
	}
	if obj.status == 0 || obj.status == http.StatusOK {
		http.ServeContent(w, r, "", time.Unix(1767000000, 0), strings.NewReader(obj.body))
		return
	}
	w.WriteHeader(obj.status)
	io.WriteString(w, obj.body)
}

func (o *fakeOrigin) put(path, body string, header ...string) {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	o.mu.Lock()
	o.objects[path] = object{header: h, body: body}
	o.mu.Unlock()
}

func (o *fakeOrigin) putStatus(path string, status int, body string) {
	o.mu.Lock()
	o.objects[path] = object{status: status, body: body, header: http.Header{}}
	o.mu.Unlock()
}

func (o *fakeOrigin) received() []originRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]originRequest(nil), o.requests...)
}

func (o *fakeOrigin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.requests)
}

func (o *fakeOrigin) last(tb testing.TB) originRequest {
	tb.Helper()
	rs := o.received()
	if len(rs) == 0 {
		tb.Fatal("the origin received no request")
	}
	return rs[len(rs)-1]
}

// port returns the fake origin's TCP port.
func (o *fakeOrigin) port() int {
	return int(netip.MustParseAddrPort(o.Listener.Addr().String()).Port())
}

// syncBuffer is a concurrency-safe bytes.Buffer for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one edge on a real SQLite store (or the store withStore gives)
// with a fake origin and a real cache, listening on loopback.
type env struct {
	t      testing.TB
	store  keyfront.Store
	cfg    edge.Config // the edge's configuration, for a restart
	clock  *clock
	origin *fakeOrigin
	cache  *cache.Cache
	edge   *edge.Server
	srv    *httptest.Server
	alog   *syncBuffer
	client *http.Client
	// inflight counts requests inside the edge's handler.
	inflight atomic.Int64
}

type envOption func(*env, *edge.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "keyfront.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, store: db, clock: newClock(testNow), origin: newFakeOrigin(t), alog: &syncBuffer{}}
	e.cache, err = cache.New(cache.Config{Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cache.Close() })
	cfg := edge.Config{
		Store:        db,
		AccountID:    "123456789012",
		Cache:        e.cache,
		Now:          e.clock.now,
		AccessLog:    e.alog,
		NodeID:       "test-node",
		DebugHeaders: false,
	}
	for _, o := range opts {
		o(e, &cfg)
	}
	e.cfg = cfg
	e.edge, err = edge.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.edge.Close() })
	startEdge(t, e)
	return e
}

// startEdge serves e.edge on loopback and makes e.client talk to it.
func startEdge(t testing.TB, e *env) {
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.inflight.Add(1)
		defer e.inflight.Add(-1)
		e.edge.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	addr := e.srv.Listener.Addr().String()
	e.client = &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			},
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(e.client.CloseIdleConnections)
}

func withConfig(f func(*edge.Config)) envOption {
	return func(_ *env, c *edge.Config) { f(c) }
}

// withStore runs the edge on st instead of a new SQLite store.
func withStore(st keyfront.Store) envOption {
	return func(e *env, c *edge.Config) { e.store, c.Store = st, st }
}

// withS3Endpoint makes the fake origin the S3 endpoint.
func withS3Endpoint() envOption {
	return func(e *env, c *edge.Config) { c.OriginS3Endpoint = e.origin.URL }
}

// update runs fn in a store transaction and reloads the edge.
func (e *env) update(fn func(ctx context.Context, tx keyfront.Tx) error) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.store.Update(ctx, func(tx keyfront.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatal(err)
	}
	if err := e.edge.Reload(ctx); err != nil {
		e.t.Fatal(err)
	}
}

var etagSeq atomic.Int64

func nextETag() string { return fmt.Sprintf("E%d", etagSeq.Add(1)) }

// putKey stores a public key.
func (e *env) putKey(id string, k crypto.Signer) {
	e.t.Helper()
	pemText := publicPEM(e.t, k)
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutPublicKey(ctx, &keyfront.PublicKey{ID: keyfront.KeyPairID(id), ETag: nextETag(), Name: id,
			EncodedKey: pemText, CreatedTime: testNow, CallerReference: id})
	})
}

// putPEMKey stores a public key from its PEM.
func (e *env) putPEMKey(id, pemText string) {
	e.t.Helper()
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutPublicKey(ctx, &keyfront.PublicKey{ID: keyfront.KeyPairID(id), ETag: nextETag(), Name: id,
			EncodedKey: pemText, CreatedTime: testNow, CallerReference: id})
	})
}

// putGroup stores a key group.
func (e *env) putGroup(id string, keys ...string) {
	e.t.Helper()
	items := make([]keyfront.KeyPairID, len(keys))
	for i, k := range keys {
		items[i] = keyfront.KeyPairID(k)
	}
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: keyfront.KeyGroupID(id), ETag: nextETag(), Name: id,
			Items: items, LastModifiedTime: testNow})
	})
}

// putDist stores a distribution.
func (e *env) putDist(id keyfront.DistributionID, d dist) {
	e.t.Helper()
	enabled := !d.Disabled
	cfg := d.stored(e.t)
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutDistribution(ctx, &keyfront.Distribution{ID: id, ETag: nextETag(), Status: "Deployed",
			DomainName: d.Domain, Enabled: enabled, Aliases: d.Aliases, Config: cfg,
			LastModifiedTime: testNow, CallerReference: string(id)})
	})
}

// basicSetup stores keys A and EC in group, and a distribution on host1
// whose default behavior trusts the group and targets the fake origin.
func (e *env) basicSetup(mod ...func(*dist)) {
	e.t.Helper()
	e.putKey(keyA, rsaKey())
	e.putKey(keyEC, ecKey())
	e.putGroup(group, keyA, keyEC)
	d := dist{
		Domain:  host1,
		Origins: []orig{e.customOrigin("o1")},
		Default: beh{Target: "o1", KeyGroups: []string{group}},
	}
	for _, m := range mod {
		m(&d)
	}
	e.putDist(dist1, d)
}

// customOrigin is an http-only custom origin pointing at the fake origin.
func (e *env) customOrigin(id string) orig {
	return orig{ID: id, Domain: "127.0.0.1", HTTPPort: e.origin.port(), Protocol: "http-only"}
}

// do sends a request to the edge. url is the viewer's URL: its host is
// sent as Host while the connection goes to the edge's listener.
func (e *env) do(method, url string, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// get sends a GET and returns the response with its body read.
func (e *env) get(url string, header ...string) (*http.Response, string) {
	e.t.Helper()
	resp := e.do(http.MethodGet, url, header...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, string(b)
}

// signer returns a signing.Signer for one of the test keys.
func signer(tb testing.TB, id string, h signing.HashAlgorithm) *signing.Signer {
	tb.Helper()
	var k crypto.Signer
	switch id {
	case keyA:
		k = rsaKey()
	case keyB:
		k = rsaKey2()
	case keyEC:
		k = ecKey()
		h = signing.SHA256
	default:
		k = rsaKey() // a key ID the edge does not know, signed with key A
	}
	s, err := signing.NewSigner(id, k, h)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// signURL signs url with key id until testNow+1h.
func signURL(tb testing.TB, id, url string) string {
	tb.Helper()
	u, err := signer(tb, id, signing.SHA1).SignURL(url, signing.Terms{DateLessThan: testNow.Add(time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// signCookies returns a Cookie header granting resource with key id.
func signCookies(tb testing.TB, id, resource string) string {
	tb.Helper()
	cs, err := signer(tb, id, signing.SHA1).SignCookies(signing.Terms{Resource: resource, DateLessThan: testNow.Add(time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

// dist describes a distribution configuration for the tests.
type dist struct {
	Domain      string
	Aliases     []string
	Disabled    bool
	DefaultRoot string
	Origins     []orig
	Default     beh
	Behaviors   []beh
	// ErrorTTL adds a CustomErrorResponse with that ErrorCachingMinTTL
	// (seconds) for ErrorCode.
	ErrorCode, ErrorTTL int
}

type orig struct {
	ID, Domain, Path string
	HTTPPort         int
	Protocol         string // custom origin protocol policy; "" with S3 makes an S3 origin
	S3               bool
	OAC              string
	Headers          [][2]string
	ConnectTimeout   int
	ReadTimeout      int
	Attempts         int
}

type beh struct {
	Pattern, Target string
	ViewerPolicy    string
	KeyGroups       []string
	TrustSelf       bool
	Methods         []string
	QueryString     bool
	QueryKeys       []string
	Cookies         string
	CookieNames     []string
	Headers         []string
	CachePolicy     string
	RequestPolicy   string
	ResponsePolicy  string
	MinTTL          int
	DefaultTTL      int
	MaxTTL          int
}

func (b beh) config() model.CacheBehavior {
	c := model.CacheBehavior{
		PathPattern:             b.Pattern,
		TargetOriginID:          b.Target,
		ViewerProtocolPolicy:    b.ViewerPolicy,
		CachePolicyID:           b.CachePolicy,
		OriginRequestPolicyID:   b.RequestPolicy,
		ResponseHeadersPolicyID: b.ResponsePolicy,
	}
	if c.ViewerProtocolPolicy == "" {
		c.ViewerProtocolPolicy = "allow-all"
	}
	if len(b.KeyGroups) > 0 {
		c.TrustedKeyGroups.Enabled = true
		for _, g := range b.KeyGroups {
			c.TrustedKeyGroups.Items = append(c.TrustedKeyGroups.Items, keyfront.KeyGroupID(g))
		}
	}
	if b.TrustSelf {
		c.TrustedSigners = model.TrustedSigners{Enabled: true, Items: []string{"self"}}
	}
	if len(b.Methods) > 0 {
		c.AllowedMethods = b.Methods
		c.CachedMethods = []string{"GET", "HEAD"}
	}
	if b.CachePolicy == "" {
		c.ForwardedValues = &model.ForwardedValues{
			QueryString:          b.QueryString,
			QueryStringCacheKeys: b.QueryKeys,
			Cookies:              b.Cookies,
			Headers:              b.Headers,
		}
		if b.Cookies == "whitelist" {
			c.ForwardedValues.CookieNames = b.CookieNames
		}
		c.MinTTL = time.Duration(b.MinTTL) * time.Second
		c.DefaultTTL = time.Duration(b.DefaultTTL) * time.Second
		c.MaxTTL = time.Duration(b.MaxTTL) * time.Second
	}
	return c
}

func (o orig) config() model.Origin {
	c := model.Origin{
		ID:                    o.ID,
		DomainName:            o.Domain,
		OriginPath:            o.Path,
		ConnectionAttempts:    o.Attempts,
		ConnectionTimeout:     time.Duration(o.ConnectTimeout) * time.Second,
		OriginAccessControlID: o.OAC,
	}
	for _, h := range o.Headers {
		c.CustomHeaders = append(c.CustomHeaders, model.OriginHeader{Name: h[0], Value: h[1]})
	}
	readTimeout := time.Duration(o.ReadTimeout) * time.Second
	if o.S3 {
		c.S3 = &model.S3Origin{ReadTimeout: readTimeout}
		return c
	}
	c.Custom = &model.CustomOrigin{HTTPPort: o.HTTPPort, HTTPSPort: 443, ProtocolPolicy: o.Protocol, ReadTimeout: readTimeout}
	if c.Custom.HTTPPort == 0 {
		c.Custom.HTTPPort = 80
	}
	if c.Custom.ProtocolPolicy == "" {
		c.Custom.ProtocolPolicy = "http-only"
	}
	return c
}

// config returns the distribution's configuration as Go values.
func (d dist) config() *model.DistributionConfig {
	c := &model.DistributionConfig{
		CallerReference:      "test",
		Aliases:              d.Aliases,
		DefaultRootObject:    d.DefaultRoot,
		DefaultCacheBehavior: d.Default.config(),
		Enabled:              !d.Disabled,
		IsIPV6Enabled:        true,
	}
	for _, o := range d.Origins {
		c.Origins = append(c.Origins, o.config())
	}
	for _, b := range d.Behaviors {
		c.CacheBehaviors = append(c.CacheBehaviors, b.config())
	}
	if d.ErrorCode != 0 {
		c.CustomErrorResponses = []model.CustomErrorResponse{{ErrorCode: d.ErrorCode, ErrorCachingMinTTL: time.Duration(d.ErrorTTL) * time.Second}}
	}
	return c
}

// stored returns the distribution's configuration as the control API
// stores it: canonical XML, defaults applied, validated by the model.
func (d dist) stored(tb testing.TB) []byte {
	tb.Helper()
	c, err := d.config().Canonical()
	if err != nil {
		tb.Fatalf("distribution configuration: %v", err)
	}
	return c.XML
}

// rawRequest writes a request to the edge byte for byte, as a client that
// does not re-encode anything would, and reads the response.
func rawRequest(t *testing.T, e *env, raw string) *http.Response {
	t.Helper()
	resp, _ := rawExchange(t, e, raw)
	return resp
}

// rawExchange is rawRequest that also returns the connection, for tests
// that look at what happens to it after the response.
func rawExchange(t *testing.T, e *env, raw string) (*http.Response, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(raw, " ")
	req, _ := http.NewRequest(method, "http://raw/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, conn
}
