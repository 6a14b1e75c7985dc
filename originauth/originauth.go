// Package originauth is origin access control between keyfront's edge and
// its embedded S3 origin (DESIGN.md, "Origin access control between edge
// and embedded origin").
//
// At CloudFront, a distribution with an origin access control signs its
// requests to S3 as the service principal cloudfront.amazonaws.com, and S3
// learns which distribution is asking from AWS itself: a bucket policy
// tests it with the condition key AWS:SourceArn (CloudFront Developer
// Guide, private-content-restricting-access-to-s3). keyfront has no AWS
// behind it, so the edge says it in two request headers and signs them:
//
//	x-amz-source-arn:     arn:aws:cloudfront::<account>:distribution/<id>
//	x-amz-source-account: <account>
//
// Three pieces make that work, all here:
//
//   - DeriveCredential turns the deployment's secret into the service
//     credential, the same on the edge and the origin without being stored
//     or configured twice.
//   - Signer, on the edge, sets the two headers and signs the request with
//     SigV4 (service "s3") under that credential, using the AWS SDK's
//     signer.
//   - On the origin, Credentials maps the service credential's access key
//     to the principal {"Service": "cloudfront.amazonaws.com"} (and the
//     administrator's to the account), and Source reads the two headers of
//     a verified request only if its signature covers them.
//
// The headers are worth nothing without the signature: an anonymous
// request carrying them is anonymous, a request signed by another key does
// not get them read, and the S3 verifier refuses any x-amz-* header left
// out of the signed headers. Like any SigV4 request, a signed origin
// request can be replayed unchanged within the verifier's clock-skew
// window (15 minutes); changing its method, path, query or signed headers
// breaks the signature.
package originauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/iampolicy"
	"keyfront/sigv4"
)

// Header names the edge signs and the origin reads. The x-amz- prefix
// makes the S3 verifier refuse a request that carries them unsigned.
const (
	HeaderSourceArn     = "X-Amz-Source-Arn"
	HeaderSourceAccount = "X-Amz-Source-Account"
)

// ServicePrincipalName is the service principal origin requests are
// evaluated as, the one the CloudFront documentation's bucket policies
// name.
const ServicePrincipalName = "cloudfront.amazonaws.com"

// AccessKeyPrefix starts every access key ID DeriveCredential returns, so
// that logs show an origin request for what it is.
const AccessKeyPrefix = "KFOA"

// DeriveCredential returns the origin access control service credential
// of a deployment: an access key ID (AccessKeyPrefix and 16 upper-case
// base32 characters, 20 in all, the shape of an AWS access key ID) and a
// 40-character secret. Both are HMAC-SHA256 of fixed labels keyed by
// deploymentSecret, so the edge and the origin derive the same pair from
// the same secret, and knowing the pair does not reveal the secret (or let
// one derive credentials of another deployment). deploymentSecret should
// hold at least 128 bits of entropy; keyfront uses the administrator's
// secret access key unless configured otherwise.
func DeriveCredential(deploymentSecret string) (accessKeyID, secret string) {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(deploymentSecret))
		m.Write([]byte("keyfront origin access control v1: " + label))
		return m.Sum(nil)
	}
	id := base32.StdEncoding.EncodeToString(derive("access key id")[:10]) // 16 characters
	sec := base64.StdEncoding.EncodeToString(derive("secret access key")[:30])
	return AccessKeyPrefix + id, sec
}

// Key is an access key pair.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
}

// Credentials returns the credentials the origin's SigV4 verifier knows:
// the administrator's key, whose Principal is the account's root
// (iampolicy.AccountPrincipal(accountID): the bucket owner), and the
// service key, whose Principal is iampolicy.ServicePrincipal(
// ServicePrincipalName). A Key with an empty AccessKeyID is left out.
func Credentials(accountID string, owner, service Key) sigv4.StaticCredentials {
	c := sigv4.StaticCredentials{}
	if owner.AccessKeyID != "" {
		c[owner.AccessKeyID] = sigv4.Credential{SecretAccessKey: owner.SecretAccessKey, Principal: iampolicy.AccountPrincipal(accountID)}
	}
	if service.AccessKeyID != "" {
		c[service.AccessKeyID] = sigv4.Credential{SecretAccessKey: service.SecretAccessKey, Principal: iampolicy.ServicePrincipal(ServicePrincipalName)}
	}
	return c
}

// IsService reports whether a verified request was signed with the service
// credential: its sigv4.Auth.Principal is the principal Credentials gives
// the service key.
func IsService(auth *sigv4.Auth) bool {
	if auth == nil {
		return false
	}
	p, ok := auth.Principal.(iampolicy.Principal)
	return ok && p.Type == iampolicy.PrincipalService && strings.EqualFold(p.ID, ServicePrincipalName)
}

// Source returns the values of AWS:SourceArn and AWS:SourceAccount that a
// verified request carries: the HeaderSourceArn and HeaderSourceAccount
// headers, each only when the request was signed with the service
// credential (IsService), its signature covers the header (auth.Signed),
// and the header appears once. Otherwise the value is "", meaning the
// condition key is absent.
func Source(auth *sigv4.Auth, h http.Header) (sourceArn, sourceAccount string) {
	if !IsService(auth) {
		return "", ""
	}
	get := func(name string) string {
		if !auth.Signed(name) {
			return ""
		}
		if v := h.Values(name); len(v) == 1 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	return get(HeaderSourceArn), get(HeaderSourceAccount)
}

// Signer signs the edge's requests to the origin. It is safe for
// concurrent use.
type Signer struct {
	creds  aws.Credentials
	region string
	signer *v4.Signer

	// Now returns the signing time. Nil means time.Now. Tests set it.
	Now func() time.Time
}

// NewSigner returns a Signer for the service credential (from
// DeriveCredential) and the region the origin expects in the credential
// scope ("us-east-1" when empty; keyfront's verifier accepts any).
func NewSigner(accessKeyID, secret, region string) *Signer {
	if region == "" {
		region = "us-east-1"
	}
	return &Signer{
		creds:  aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret},
		region: region,
		// The S3 client's setting: the path is signed as sent, not
		// escaped again (sigv4/doc.go).
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
	}
}

// Sign sets HeaderSourceArn and HeaderSourceAccount to distributionARN and
// account and signs req with SigV4 for service "s3", in the Authorization
// header form. Call it last, once req's method, URL, Host and headers are
// final: every header present is signed (but User-Agent and the few others
// the AWS SDK's signer leaves out), including a forwarded Referer, which
// bucket policies test as aws:Referer.
//
// The payload is signed as UNSIGNED-PAYLOAD (the header
// X-Amz-Content-Sha256 says so), which is what S3 accepts for requests
// without a body, and allows streaming one. Any Authorization,
// X-Amz-Date and X-Amz-Security-Token already present are replaced.
func (s *Signer) Sign(ctx context.Context, req *http.Request, distributionARN, account string) error {
	if distributionARN == "" {
		return errors.New("originauth: sign: empty distribution ARN")
	}
	h := req.Header
	if h == nil {
		h = http.Header{}
		req.Header = h
	}
	h.Del("Authorization")
	h.Del("X-Amz-Date")
	h.Del("X-Amz-Security-Token")
	h.Set(HeaderSourceArn, distributionARN)
	if account != "" {
		h.Set(HeaderSourceAccount, account)
	} else {
		h.Del(HeaderSourceAccount)
	}
	h.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if err := s.signer.SignHTTP(ctx, s.creds, req, sigv4.UnsignedPayload, sigv4.ServiceS3, s.region, now()); err != nil {
		return errors.New("originauth: sign: " + err.Error())
	}
	return nil
}
