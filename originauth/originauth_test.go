package originauth_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/iampolicy"
	"keyfront/originauth"
	"keyfront/sigv4"
)

const (
	account     = "111122223333"
	distARN     = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"
	ownerAKID   = "AKIAOWNER00000000001"
	ownerSecret = "owner/secret+key"
	deployment  = "the deployment's secret, 128 bits at least"
)

var signTime = time.Date(2025, 3, 9, 12, 30, 45, 0, time.UTC)

func TestDeriveCredential(t *testing.T) {
	akid, secret := originauth.DeriveCredential(deployment)
	if !regexp.MustCompile(`^KFOA[A-Z2-7]{16}$`).MatchString(akid) {
		t.Errorf("access key ID %q does not have the shape of one", akid)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`).MatchString(secret) {
		t.Errorf("secret %q is not 40 base64 characters", secret)
	}
	akid2, secret2 := originauth.DeriveCredential(deployment)
	if akid2 != akid || secret2 != secret {
		t.Error("DeriveCredential is not deterministic")
	}
	for _, other := range []string{"", deployment + " ", "another deployment"} {
		a, s := originauth.DeriveCredential(other)
		if a == akid || s == secret {
			t.Errorf("secret %q derives the same credential", other)
		}
	}
}

// verify runs the origin's verifier on a request as it would arrive.
func verify(t *testing.T, req *http.Request) (*sigv4.Auth, error) {
	t.Helper()
	akid, secret := originauth.DeriveCredential(deployment)
	v := &sigv4.Verifier{
		Service: sigv4.ServiceS3,
		Credentials: originauth.Credentials(account,
			originauth.Key{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret},
			originauth.Key{AccessKeyID: akid, SecretAccessKey: secret}),
		Now: func() time.Time { return signTime },
	}
	return v.Verify(req)
}

func newSigner() *originauth.Signer {
	akid, secret := originauth.DeriveCredential(deployment)
	s := originauth.NewSigner(akid, secret, "")
	s.Now = func() time.Time { return signTime }
	return s
}

func edgeRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", "http://127.0.0.1:7082"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSignAndSource(t *testing.T) {
	req := edgeRequest(t, "/content/img/a%20b%2Bc.png")
	// What a viewer sent and the edge forwards must not survive.
	req.Header.Set(originauth.HeaderSourceArn, "arn:aws:cloudfront::999999999999:distribution/EVIEWERFORGED")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=forged")
	req.Header.Set("Referer", "https://www.example.com/page.html")
	if err := newSigner().Sign(context.Background(), req, distARN, account); err != nil {
		t.Fatal(err)
	}
	auth, err := verify(t, req)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !originauth.IsService(auth) {
		t.Errorf("Principal = %v, want the service principal", auth.Principal)
	}
	if p, _ := auth.Principal.(iampolicy.Principal); p != iampolicy.ServicePrincipal("cloudfront.amazonaws.com") {
		t.Errorf("Principal = %+v", p)
	}
	arn, acct := originauth.Source(auth, req.Header)
	if arn != distARN || acct != account {
		t.Errorf("Source = %q, %q; want %q, %q", arn, acct, distARN, account)
	}
	if !auth.Signed("referer") {
		t.Error("the forwarded Referer is not signed")
	}
	if auth.PayloadHash != sigv4.UnsignedPayload {
		t.Errorf("payload hash %q", auth.PayloadHash)
	}
}

func TestSourceGivesNothingUnsigned(t *testing.T) {
	tests := []struct {
		name string
		req  func(t *testing.T) (*http.Request, *sigv4.Auth)
	}{
		{"anonymous request with the headers", func(t *testing.T) (*http.Request, *sigv4.Auth) {
			req := edgeRequest(t, "/content/index.html")
			req.Header.Set(originauth.HeaderSourceArn, distARN)
			req.Header.Set(originauth.HeaderSourceAccount, account)
			return req, nil
		}},
		{"owner's signature over the headers", func(t *testing.T) (*http.Request, *sigv4.Auth) {
			req := edgeRequest(t, "/content/index.html")
			req.Header.Set(originauth.HeaderSourceArn, distARN)
			req.Header.Set(originauth.HeaderSourceAccount, account)
			req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret},
				req, sigv4.UnsignedPayload, "s3", "us-east-1", signTime, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			if err != nil {
				t.Fatal(err)
			}
			auth, err := verify(t, req)
			if err != nil {
				t.Fatal(err)
			}
			return req, auth
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, auth := tc.req(t)
			if arn, acct := originauth.Source(auth, req.Header); arn != "" || acct != "" {
				t.Errorf("Source = %q, %q; want nothing", arn, acct)
			}
		})
	}
}

// TestTamperedRequestsFail: the headers are only as good as the
// signature, and the verifier refuses any change.
func TestTamperedRequestsFail(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(*http.Request) *http.Request
		kind   sigv4.Kind
	}{
		{"source ARN changed", func(r *http.Request) *http.Request {
			r.Header.Set(originauth.HeaderSourceArn, "arn:aws:cloudfront::111122223333:distribution/EOTHER")
			return r
		}, sigv4.KindSignatureMismatch},
		{"source ARN repeated", func(r *http.Request) *http.Request {
			r.Header.Add(originauth.HeaderSourceArn, distARN)
			return r
		}, sigv4.KindSignatureMismatch},
		{"unsigned x-amz header added", func(r *http.Request) *http.Request {
			r.Header.Set("X-Amz-Source-Vpc", "vpc-1")
			return r
		}, sigv4.KindUnsignedHeaders},
		{"path changed", func(r *http.Request) *http.Request {
			r2, _ := http.NewRequest("GET", "http://127.0.0.1:7082/content/other.html", nil)
			r2.Header = r.Header
			return r2
		}, sigv4.KindSignatureMismatch},
		{"method changed", func(r *http.Request) *http.Request {
			r.Method = "DELETE"
			return r
		}, sigv4.KindSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := edgeRequest(t, "/content/index.html")
			if err := newSigner().Sign(context.Background(), req, distARN, account); err != nil {
				t.Fatal(err)
			}
			_, err := verify(t, tc.tamper(req))
			se, ok := err.(*sigv4.Error)
			if !ok || se.Kind != tc.kind {
				t.Errorf("Verify: %v, want kind %v", err, tc.kind)
			}
		})
	}
}

func TestSignNeedsARN(t *testing.T) {
	if err := newSigner().Sign(context.Background(), edgeRequest(t, "/x"), "", account); err == nil {
		t.Error("Sign with no distribution ARN succeeded")
	}
}

func TestCredentialsOwner(t *testing.T) {
	c := originauth.Credentials(account, originauth.Key{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret}, originauth.Key{})
	cred, err := c.LookupAccessKey(context.Background(), ownerAKID)
	if err != nil {
		t.Fatal(err)
	}
	if cred.Principal != iampolicy.AccountPrincipal(account) || cred.SecretAccessKey != ownerSecret {
		t.Errorf("owner credential %+v", cred)
	}
	if len(c) != 1 {
		t.Errorf("%d credentials, want the owner's only", len(c))
	}
}
