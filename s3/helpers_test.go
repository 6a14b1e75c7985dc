package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"keyfront/originauth"
	s3origin "keyfront/s3"
	"keyfront/sigv4"
	"keyfront/sqlite"
)

// The test deployment.
const (
	account     = "111122223333"
	ownerAKID   = "AKIAKEYFRONTOWNER001"
	ownerSecret = "ownerSecret/K7MDENG+bPxRfiCYEXAMPLEKEY"
	deployment  = "deployment-secret-of-the-tests-0123456789"
	distID      = "EDFDVBD6EXAMPLE"
	distARN     = "arn:aws:cloudfront::" + account + ":distribution/" + distID
	otherARN    = "arn:aws:cloudfront::" + account + ":distribution/EOTHERDIST0001"
)

// service is the origin access control credential of the deployment.
var serviceAKID, serviceSecret = originauth.DeriveCredential(deployment)

// origin is a Server on a real SQLite store, behind an httptest server.
type origin struct {
	srv     *s3origin.Server
	http    *httptest.Server
	dataDir string
	store   *sqlite.DB
}

type originOption func(*s3origin.Config)

// newOrigin starts an origin in a fresh temporary directory.
func newOrigin(tb testing.TB, opts ...originOption) *origin {
	tb.Helper()
	dir := tb.TempDir()
	return openOrigin(tb, dir, opts...)
}

// openOrigin starts an origin on the data directory dir.
func openOrigin(tb testing.TB, dir string, opts ...originOption) *origin {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "keyfront.db"))
	if err != nil {
		tb.Fatal(err)
	}
	creds := originauth.Credentials(account,
		originauth.Key{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret},
		originauth.Key{AccessKeyID: serviceAKID, SecretAccessKey: serviceSecret})
	cfg := s3origin.Config{
		Store:    db,
		DataDir:  dir,
		Verifier: &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: creds},
		Owner:    s3origin.Owner{AccountID: account, AccessKeyID: ownerAKID},
		Logger:   testLogger(tb),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv := s3origin.NewServer(cfg)
	hs := httptest.NewServer(srv)
	o := &origin{srv: srv, http: hs, dataDir: dir, store: db}
	tb.Cleanup(func() {
		hs.Close()
		db.Close()
	})
	return o
}

// testLogger logs to the test at Debug when -v and KEYFRONT_TEST_LOG are
// set, and discards otherwise.
func testLogger(tb testing.TB) *slog.Logger {
	if os.Getenv("KEYFRONT_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// clientConfig says how a test's SDK client is set up.
type clientConfig struct {
	name string
	// explicit sets the integrity options to "when supported", as
	// config.LoadDefaultConfig resolves them; without it, s3.New leaves
	// them unset and the client computes no checksum at all.
	explicit bool
}

var clientConfigs = []clientConfig{{"explicit checksums", true}, {"s3.New defaults", false}}

// client returns an SDK S3 client for the origin, signing as the owner.
func (o *origin) client(cc clientConfig, optFns ...func(*s3.Options)) *s3.Client {
	return o.clientAs(ownerAKID, ownerSecret, cc, optFns...)
}

func (o *origin) clientAs(akid, secret string, cc clientConfig, optFns ...func(*s3.Options)) *s3.Client {
	opts := s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(o.http.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		HTTPClient:   o.http.Client(),
		Retryer:      aws.NopRetryer{},
	}
	if cc.explicit {
		opts.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		opts.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	}
	return s3.New(opts, optFns...)
}

// ownerClient is the owner's client with explicit checksum settings.
func (o *origin) ownerClient() *s3.Client { return o.client(clientConfigs[0]) }

// mustCreateBucket creates a bucket as the owner.
func (o *origin) mustCreateBucket(tb testing.TB, name string) {
	tb.Helper()
	if _, err := o.ownerClient().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// mustPut puts an object as the owner.
func (o *origin) mustPut(tb testing.TB, bucket, key string, data []byte) {
	tb.Helper()
	_, err := o.ownerClient().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		tb.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

// mustGet reads an object as the owner.
func (o *origin) mustGet(tb testing.TB, bucket, key string) []byte {
	tb.Helper()
	out, err := o.ownerClient().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		tb.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		tb.Fatalf("GetObject %s/%s: reading body: %v", bucket, key, err)
	}
	return b
}

// mustPutPolicy sets a bucket policy as the owner.
func (o *origin) mustPutPolicy(tb testing.TB, bucket, policy string) {
	tb.Helper()
	_, err := o.ownerClient().PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)})
	if err != nil {
		tb.Fatalf("PutBucketPolicy: %v", err)
	}
}

// do sends a raw request to the origin.
func (o *origin) do(tb testing.TB, req *http.Request) (*http.Response, []byte) {
	tb.Helper()
	resp, err := o.http.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

func (o *origin) newRequest(tb testing.TB, method, path string, body io.Reader) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, o.http.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// signAs signs req in the header form with UNSIGNED-PAYLOAD, as the S3
// client would. Call it after setting every header.
func signAs(tb testing.TB, req *http.Request, akid, secret string) {
	tb.Helper()
	req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
		req, sigv4.UnsignedPayload, "s3", "us-east-1", time.Now(), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		tb.Fatal(err)
	}
}

func signOwner(tb testing.TB, req *http.Request) {
	tb.Helper()
	signAs(tb, req, ownerAKID, ownerSecret)
}

// publicRead is a policy that lets anyone read a bucket's objects.
func publicRead(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
}

// errorBody is an S3 <Error> document.
type errorBody struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	Resource  string `xml:"Resource"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
	Key       string `xml:"Key"`
	Bucket    string `xml:"BucketName"`
	Condition string `xml:"Condition"`
	Size      string `xml:"ActualObjectSize"`
}

func parseError(tb testing.TB, body []byte) errorBody {
	tb.Helper()
	var e errorBody
	if err := xml.Unmarshal(body, &e); err != nil {
		tb.Fatalf("error body %q: %v", body, err)
	}
	return e
}

// errorCode returns the S3 error code an SDK call failed with, "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}

// httpStatus returns the HTTP status of an SDK error, 0 if none.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// randomBytes returns n deterministic pseudo-random bytes for seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// pinnedDialer returns an HTTP client that connects every request to addr,
// whatever its host name, so that virtual-hosted-style names such as
// bucket.s3.localhost reach the test server.
func pinnedClient(addr string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}
