package controlapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront"
	"keyfront/controlapi"
	"keyfront/inmem"
	"keyfront/sigv4"
)

const (
	testAccessKey = "AKIDKEYFRONTTEST"
	testSecretKey = "keyfront-test-secret"
	testAccountID = "123456789012"
)

// testEnv is a Server on an httptest listener with an in-memory store and a
// CloudFront client that signs with the SDK's SigV4 signer.
type testEnv struct {
	srv    *httptest.Server
	store  *inmem.Store
	client *cloudfront.Client
}

// newEnv starts a server; edit adjusts its Config.
func newEnv(tb testing.TB, edit func(*controlapi.Config)) *testEnv {
	tb.Helper()
	e := &testEnv{store: inmem.New()}
	cfg := controlapi.Config{
		Store: e.store,
		Verifier: &sigv4.Verifier{
			Service:     sigv4.ServiceCloudFront,
			Credentials: sigv4.StaticCredentials{testAccessKey: {SecretAccessKey: testSecretKey}},
		},
		AccountID:  testAccountID,
		EdgeDomain: "cloudfront.localhost",
	}
	if edit != nil {
		edit(&cfg)
	}
	e.srv = httptest.NewServer(controlapi.NewServer(cfg))
	tb.Cleanup(e.srv.Close)
	e.client = newClient(e.srv, testAccessKey, testSecretKey)
	return e
}

func newClient(srv *httptest.Server, akid, secret string) *cloudfront.Client {
	return cloudfront.New(cloudfront.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   srv.Client(),
	})
}

// Test keys: fixed PEM files, so that golden responses are stable.
var (
	rsaPEM     = readTestdata("keys/rsa2048.pem")
	ecPEM      = readTestdata("keys/ecp256.pem")
	rsa1024PEM = readTestdata("keys/rsa1024.pem")
	ec384PEM   = readTestdata("keys/ecp384.pem")
)

func readTestdata(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// pkcs1PEM returns rsaPEM as an "RSA PUBLIC KEY" (PKCS#1) block.
func pkcs1PEM() string {
	block, _ := pem.Decode([]byte(rsaPEM))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub.(*rsa.PublicKey))}))
}

// privatePEM returns a PKCS#8 private key: what users upload by mistake.
func privatePEM() string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// createKey uploads the RSA test key under name.
func (e *testEnv) createKey(tb testing.TB, name string) *cloudfront.CreatePublicKeyOutput {
	tb.Helper()
	out, err := e.client.CreatePublicKey(context.Background(), &cloudfront.CreatePublicKeyInput{
		PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String("ref-" + name),
			Name:            aws.String(name),
			EncodedKey:      aws.String(rsaPEM),
		},
	})
	if err != nil {
		tb.Fatalf("CreatePublicKey %s: %v", name, err)
	}
	return out
}

// createKeyGroup creates a key group of the given public keys.
func (e *testEnv) createKeyGroup(tb testing.TB, name string, keys ...string) *cloudfront.CreateKeyGroupOutput {
	tb.Helper()
	out, err := e.client.CreateKeyGroup(context.Background(), &cloudfront.CreateKeyGroupInput{
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String(name), Items: keys},
	})
	if err != nil {
		tb.Fatalf("CreateKeyGroup %s: %v", name, err)
	}
	return out
}

// distConfig is a small valid configuration: one S3 origin, the default
// behavior trusting keyGroups (if any).
func distConfig(ref string, keyGroups ...string) *types.DistributionConfig {
	b := &types.DefaultCacheBehavior{
		TargetOriginId:       aws.String("s3-origin"),
		ViewerProtocolPolicy: types.ViewerProtocolPolicyRedirectToHttps,
		CachePolicyId:        aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"),
	}
	if len(keyGroups) > 0 {
		b.TrustedKeyGroups = &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(int32(len(keyGroups))), Items: keyGroups}
	}
	return &types.DistributionConfig{
		CallerReference: aws.String(ref),
		Comment:         aws.String("test " + ref),
		Enabled:         aws.Bool(true),
		Origins: &types.Origins{Quantity: aws.Int32(1), Items: []types.Origin{{
			Id:             aws.String("s3-origin"),
			DomainName:     aws.String("bucket.s3.localhost"),
			S3OriginConfig: &types.S3OriginConfig{OriginAccessIdentity: aws.String("")},
		}}},
		DefaultCacheBehavior: b,
	}
}

func (e *testEnv) createDistribution(tb testing.TB, cfg *types.DistributionConfig) *cloudfront.CreateDistributionOutput {
	tb.Helper()
	out, err := e.client.CreateDistribution(context.Background(), &cloudfront.CreateDistributionInput{DistributionConfig: cfg})
	if err != nil {
		tb.Fatalf("CreateDistribution %s: %v", aws.ToString(cfg.CallerReference), err)
	}
	return out
}

// wantAPIError checks that err is target's type (a *types.X) and returns
// the error's code for further checks.
func wantErr[T error](tb testing.TB, err error) T {
	tb.Helper()
	var target T
	if err == nil {
		tb.Fatalf("got no error, want %T", target)
	}
	if !errors.As(err, &target) {
		tb.Fatalf("got %v, want %T", err, target)
	}
	return target
}

// rawRequest sends an unsigned request to a server whose Authenticate lets
// everything through, and returns status, headers and body.
func rawRequest(tb testing.TB, srv *httptest.Server, method, path, body string, header map[string]string) (*http.Response, string) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(b)
}

// fixedClock returns a clock that starts at a fixed time and advances one
// second per call, so that orderings by time are deterministic.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 11, 22, 9, 41, 7, 123e6, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// newUnsignedServer serves store without authentication, for raw requests.
func newUnsignedServer(tb testing.TB, store *inmem.Store) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(controlapi.NewServer(controlapi.Config{
		Store:        store,
		Authenticate: func(*http.Request) error { return nil },
		AccountID:    testAccountID,
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// putNode reports an edge node that has applied the store's revision as it
// is now plus ahead (a negative ahead: behind), seen now.
func (e *testEnv) putNode(tb testing.TB, id string, ahead keyfront.Revision) {
	tb.Helper()
	err := e.store.Update(context.Background(), func(tx keyfront.Tx) error {
		rev, err := tx.Revision(context.Background())
		if err != nil {
			return err
		}
		return tx.PutNode(context.Background(), &keyfront.Node{ID: id, Revision: max(rev+ahead, 0), LastSeen: time.Now()})
	})
	if err != nil {
		tb.Fatal(err)
	}
}
