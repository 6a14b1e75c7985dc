package s3

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"keyfront"
	"keyfront/iampolicy"
	"keyfront/reqbody"
	"keyfront/sigv4"
)

// Limits S3 enforces ("Amazon S3 multipart upload limits", S3 User Guide,
// qfacts.html; "Object key naming", object-keys.html; "Working with object
// metadata", UsingMetadata.html).
const (
	// MaxObjectSize is the largest single PUT, copy or part: 5 GiB.
	MaxObjectSize = 5 << 30
	// MinPartSize is the smallest part but the last: 5 MiB.
	MinPartSize = 5 << 20
	// MaxParts is the most parts an upload may have.
	MaxParts = 10000
	// MaxKeyLength is the longest key, in bytes of UTF-8: 1,024.
	MaxKeyLength = 1024
	// MaxMetadataSize bounds the user metadata (x-amz-meta-* names and
	// values) of a PUT: 2 KB.
	MaxMetadataSize = 2 << 10
	// maxListKeys is the most keys, uploads or parts one list returns.
	maxListKeys = 1000
	// maxDeleteKeys is the most keys one DeleteObjects may name.
	maxDeleteKeys = 1000
	// maxXMLBody bounds the XML bodies keyfront reads (DeleteObjects with
	// 1,000 keys of 1,024 bytes, CompleteMultipartUpload with 10,000
	// parts): 4 MiB.
	maxXMLBody = 4 << 20
)

// Owner is the account that owns every bucket: its requests are always
// allowed, whatever a bucket policy says (iampolicy.Policy.Evaluate).
type Owner struct {
	// AccountID is the 12-digit account ID (KEYFRONT_ACCOUNT_ID). A request
	// whose credential's Principal is iampolicy.AccountPrincipal(AccountID)
	// is the owner's.
	AccountID string
	// AccessKeyID is the administrator's access key: requests signed with
	// it are the owner's whatever their credential's Principal. Empty
	// means no key is the owner's by ID.
	AccessKeyID string
}

// Config configures a Server.
type Config struct {
	// Store keeps buckets and object metadata. Required; the Tx its View
	// and Update pass must implement keyfront.ObjectTx (the SQLite store's
	// does), or every request fails with 500 InternalError.
	Store keyfront.Store

	// DataDir is the directory under which object bodies are kept, in
	// DataDir/objects. Required. One Server at a time may use it: Sweep
	// removes body files no record names.
	DataDir string

	// Verifier checks SigV4 on every request that carries it (header or
	// presigned form); requests that carry none are anonymous. Required;
	// its Service must be "s3". Its Credentials decide who signed: a
	// Credential.Principal should be an iampolicy.Principal
	// (originauth.Credentials builds such credentials for the owner and
	// the edge's origin access control).
	Verifier *sigv4.Verifier

	// Owner is the account whose requests are always allowed.
	Owner Owner

	// Domain is the suffix of virtual-hosted-style requests: a request to
	// Host <bucket>.<Domain> addresses <bucket>; any other Host is
	// path-style. Empty means "s3.localhost".
	Domain string

	// Region is reported by GetBucketLocation and HeadBucket for buckets
	// created without a location constraint. Empty means "us-east-1".
	Region string

	// Logger receives request failures (5xx at Error, 4xx and policy
	// denials at Debug) and storage faults. Nil discards.
	Logger *slog.Logger

	// Now returns the current time, for Last-Modified and the condition
	// keys aws:CurrentTime and aws:EpochTime. Nil means time.Now. (The
	// Verifier has its own clock.)
	Now func() time.Time

	// BodyIdleTimeout is how long the Server waits for the next bytes of a
	// request body before answering 400 RequestTimeout, as S3 does, and
	// closing the connection. The wait starts over whenever bytes arrive,
	// so an upload of any size at any steady rate completes. Zero means
	// reqbody.DefaultIdle (20 seconds, S3's own).
	BodyIdleTimeout time.Duration
}

// Server is the embedded S3-compatible origin as an http.Handler. Create
// it with NewServer; it is safe for concurrent use.
type Server struct {
	cfg      Config
	store    keyfront.Store
	log      *slog.Logger
	now      func() time.Time
	domain   string // "." + Config.Domain, lower case
	bodies   *bodies
	policies policyCache
}

// NewServer returns a Server for c. It panics if Store, DataDir or
// Verifier is missing, as a wiring mistake. It does no I/O: body
// directories are created as needed; call Sweep once at start-up to remove
// what a crash left behind.
func NewServer(c Config) *Server {
	switch {
	case c.Store == nil:
		panic("s3: Config.Store is nil")
	case c.DataDir == "":
		panic("s3: Config.DataDir is empty")
	case c.Verifier == nil:
		panic("s3: Config.Verifier is nil")
	}
	if c.Domain == "" {
		c.Domain = "s3.localhost"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	s := &Server{cfg: c, store: c.Store, log: c.Logger, now: c.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.domain = "." + strings.ToLower(strings.Trim(c.Domain, "."))
	s.bodies = newBodies(c.DataDir, s.log)
	return s
}

// request is one S3 request as the handlers see it.
type request struct {
	r      *http.Request
	query  url.Values
	bucket string // "" for the service (ListBuckets)
	key    string // "" for bucket operations
	// auth is the verified signature, nil for an anonymous request.
	auth *sigv4.Auth
	// principal is who the bucket policy sees; owner is true for the
	// bucket owner, whom no policy is asked about.
	principal iampolicy.Principal
	owner     bool
	// conds caches the global condition keys (conditions.go).
	conds *iampolicy.Context
}

func (q *request) ctx() context.Context { return q.r.Context() }

// handler is an S3 operation. It writes a successful response and returns
// nil, or returns an error for writeError, having written nothing.
type handler func(w http.ResponseWriter, q *request) error

// route picks the operation for a request from its method, whether it
// names a bucket and a key, and its subresource query parameters (S3 API
// Reference, one page per operation). It is the package's one routing
// table. S3's routes do not fit http.ServeMux patterns: operations differ
// by query parameters alone, and ServeMux would clean keys such as
// "a//b" or "../x" that S3 keeps as they are.
func (s *Server) route(q *request) handler {
	r, has := q.r, q.query.Has
	for name := range q.query {
		if unsupportedSubresources[name] {
			return s.handleNotImplemented
		}
	}
	switch {
	case q.bucket == "" && q.key != "": // "//key"
		return s.handleInvalidBucketName
	case q.bucket == "":
		if r.Method == http.MethodGet {
			return s.handleBucketList
		}
	case q.key == "":
		switch r.Method {
		case http.MethodGet:
			switch {
			case has("policy"):
				return s.handleBucketPolicyGet
			case has("location"):
				return s.handleBucketLocationGet
			case has("uploads"):
				return s.handleUploadList
			case q.query.Get("list-type") == "2":
				return s.handleObjectListV2
			}
			return s.handleObjectListV1
		case http.MethodHead:
			return s.handleBucketHead
		case http.MethodPut:
			if has("policy") {
				return s.handleBucketPolicyPut
			}
			return s.handleBucketCreate
		case http.MethodDelete:
			if has("policy") {
				return s.handleBucketPolicyDelete
			}
			return s.handleBucketDelete
		case http.MethodPost:
			if has("delete") {
				return s.handleObjectDeleteMany
			}
		}
	default:
		switch r.Method {
		case http.MethodGet:
			if has("uploadId") {
				return s.handlePartList
			}
			return s.handleObjectGet
		case http.MethodHead:
			return s.handleObjectHead
		case http.MethodPut:
			switch {
			case has("partNumber") || has("uploadId"):
				if r.Header.Get("X-Amz-Copy-Source") != "" {
					return s.handlePartCopy
				}
				return s.handlePartUpload
			case r.Header.Get("X-Amz-Copy-Source") != "":
				return s.handleObjectCopy
			}
			return s.handleObjectPut
		case http.MethodDelete:
			if has("uploadId") {
				return s.handleUploadAbort
			}
			return s.handleObjectDelete
		case http.MethodPost:
			switch {
			case has("uploads"):
				return s.handleUploadCreate
			case has("uploadId"):
				return s.handleUploadComplete
			}
		}
	}
	return s.handleMethodNotAllowed
}

// unsupportedSubresources are S3 subresources keyfront does not
// implement; a request naming one gets 501 NotImplemented rather than
// being taken for a plain GET or PUT of the bucket or object.
var unsupportedSubresources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "attributes": true, "cors": true,
	"encryption": true, "intelligent-tiering": true, "inventory": true, "legal-hold": true,
	"lifecycle": true, "logging": true, "metadataTable": true, "metrics": true,
	"notification": true, "object-lock": true, "ownershipControls": true, "policyStatus": true,
	"publicAccessBlock": true, "replication": true, "requestPayment": true, "restore": true,
	"retention": true, "select": true, "session": true, "tagging": true, "torrent": true,
	"versioning": true, "versions": true, "website": true,
}

func (s *Server) handleNotImplemented(w http.ResponseWriter, q *request) error {
	return errorf("NotImplemented", msgNotImplemented)
}

func (s *Server) handleInvalidBucketName(w http.ResponseWriter, q *request) error {
	return errorf("InvalidBucketName", msgInvalidBucketName).with("BucketName", q.bucket)
}

func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, q *request) error {
	return errorf("MethodNotAllowed", msgMethodNotAllowed).with("Method", q.r.Method).with("ResourceType", resourceType(q))
}

func resourceType(q *request) string {
	switch {
	case q.bucket == "":
		return "SERVICE"
	case q.key == "":
		return "BUCKET"
	}
	return "OBJECT"
}

type ctxKey int

const idsKey ctxKey = 0

// ids are a request's x-amz-request-id and x-amz-id-2.
type ids struct {
	request string
	host    string
}

func requestIDs(r *http.Request) ids {
	v, _ := r.Context().Value(idsKey).(ids)
	return v
}

// newIDs returns a request ID (16 upper-case hex digits, as S3's) and a
// host ID (base64, as S3's x-amz-id-2).
func newIDs() ids {
	var b [32]byte
	rand.Read(b[:])
	return ids{
		request: strings.ToUpper(hex.EncodeToString(b[:8])),
		host:    base64.StdEncoding.EncodeToString(b[8:]),
	}
}

// ServeHTTP implements http.Handler. Every response carries
// x-amz-request-id, x-amz-id-2 and Server: keyfront.
//
// GET /healthz without credentials answers 200 "ok" (DESIGN.md: every
// listener has it); a bucket named healthz therefore cannot be listed
// anonymously in the path style.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newIDs()
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{id.request}
	h["X-Amz-Id-2"] = []string{id.host}
	h["Server"] = []string{"keyfront"}
	body := reqbody.Watch(w, r, reqbody.Limits{Idle: s.cfg.BodyIdleTimeout})
	defer body.Detach()
	r = r.WithContext(context.WithValue(r.Context(), idsKey, id))

	q := &request{r: r, query: r.URL.Query()}
	q.bucket, q.key = s.split(r)
	if r.Method == http.MethodGet && r.URL.Path == "/healthz" && r.URL.RawQuery == "" &&
		r.Header.Get("Authorization") == "" && !s.virtualHost(r) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
		return
	}
	if err := s.authenticate(q); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.route(q)(w, q); err != nil {
		if body.TimedOut() {
			// "Idle connections will be closed": what is left of the
			// body cannot be told from a next request.
			h.Set("Connection", "close")
		}
		s.writeError(w, r, err)
	}
}

// hostname returns the request's Host without the port, in lower case.
func hostname(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

func (s *Server) virtualHost(r *http.Request) bool {
	return strings.HasSuffix(hostname(r), s.domain) && len(hostname(r)) > len(s.domain)
}

// split returns the bucket and key a request addresses: virtual-hosted
// style when the Host is <bucket>.<Domain>, path style (/<bucket>/<key>)
// otherwise (S3 User Guide, VirtualHosting.html). The key is the rest of
// the path after one "/", percent-decoded once and otherwise untouched:
// "//a", "../b" and "%2e%2e/" are keys like any other, never cleaned.
func (s *Server) split(r *http.Request) (bucket, key string) {
	path := r.URL.Path
	if host := hostname(r); strings.HasSuffix(host, s.domain) && len(host) > len(s.domain) {
		return host[:len(host)-len(s.domain)], strings.TrimPrefix(path, "/")
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// checkKey enforces S3's rules for object keys: UTF-8, 1 to 1,024 bytes.
func checkKey(key string) error {
	switch {
	case len(key) > MaxKeyLength:
		return errorf("KeyTooLongError", msgKeyTooLong).
			with("MaxSizeAllowed", "1024").with("Size", itoa(len(key)))
	case !utf8.ValidString(key):
		return errorf("InvalidArgument", "Object key is not valid UTF-8.")
	}
	return nil
}

// view and update run fn in a store transaction as a keyfront.ObjectTx.
func (s *Server) view(ctx context.Context, fn func(keyfront.ObjectTx) error) error {
	return s.store.View(ctx, func(tx keyfront.Tx) error { return withObjectTx(tx, fn) })
}

func (s *Server) update(ctx context.Context, fn func(keyfront.ObjectTx) error) error {
	return s.store.Update(ctx, func(tx keyfront.Tx) error { return withObjectTx(tx, fn) })
}

var errNoObjectTx = &keyfront.Error{Code: keyfront.EINTERNAL, Op: "s3",
	Err: errors.New("the store's transactions do not implement keyfront.ObjectTx")}

func withObjectTx(tx keyfront.Tx, fn func(keyfront.ObjectTx) error) error {
	otx, ok := tx.(keyfront.ObjectTx)
	if !ok {
		return errNoObjectTx
	}
	return fn(otx)
}

// getBucket returns the named bucket, or NoSuchBucket.
func getBucket(ctx context.Context, tx keyfront.ObjectTx, name string) (*keyfront.Bucket, error) {
	b, err := tx.GetBucket(ctx, name)
	if err != nil {
		return nil, notFound(err, func() *apiError { return noSuchBucket(name) })
	}
	return b, nil
}

// bucketARN and objectARN are the resources of bucket and object actions
// in bucket policies (DESIGN.md, "Names on the wire").
func bucketARN(bucket string) string      { return "arn:aws:s3:::" + bucket }
func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// nowMilli returns the server's time truncated to the millisecond, the
// precision the store keeps.
func (s *Server) nowMilli() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
