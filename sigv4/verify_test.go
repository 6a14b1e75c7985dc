package sigv4_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"keyfront/sigv4"
)

// signedCase is a request the AWS SDK for Go signs and Verify must accept.
type signedCase struct {
	name    string
	service string
	region  string
	method  string
	url     string
	header  map[string]string
	body    string
	// payload is the payload hash to sign with; "" means the SHA-256 of
	// body. Only S3 can use anything else.
	payload string
	presign time.Duration // > 0: presigned URL with this X-Amz-Expires
	creds   aws.Credentials
}

func (c signedCase) build(tb testing.TB) *http.Request {
	tb.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, c.url, body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	creds := c.creds
	if creds.AccessKeyID == "" {
		creds = sdkCreds()
	}
	region := c.region
	if region == "" {
		region = "us-east-1"
	}
	if c.presign > 0 {
		return onWire(tb, sdkPresign(tb, req, creds, c.service, region, c.presign, signTime))
	}
	payload := c.payload
	if payload == "" {
		payload = hashHex([]byte(c.body))
	}
	sdkSign(tb, req, creds, c.service, region, payload, signTime)
	return onWire(tb, req)
}

func signedCases() []signedCase {
	const cf, s3 = sigv4.ServiceCloudFront, sigv4.ServiceS3
	const cfURL = "http://127.0.0.1:7081/2020-05-31"
	const s3URL = "http://127.0.0.1:7082"
	keyGroup := `<?xml version="1.0" encoding="UTF-8"?><KeyGroupConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>kg</Name><Items><PublicKey>K2JCJMDEHXQW5F</PublicKey></Items></KeyGroupConfig>`
	return []signedCase{
		{name: "cloudfront list distributions", service: cf, method: "GET", url: cfURL + "/distribution?MaxItems=100&Marker="},
		{name: "cloudfront create key group", service: cf, method: "POST", url: cfURL + "/key-group", body: keyGroup,
			header: map[string]string{"Content-Type": "application/xml"}},
		{name: "cloudfront WithTags valueless parameter", service: cf, method: "POST", url: cfURL + "/distribution?WithTags", body: "<x/>"},
		{name: "cloudfront tagging ARN with reserved characters", service: cf, method: "POST",
			url: cfURL + "/tagging?Operation=Tag&Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FEDFDVBD6EXAMPLE", body: "<Tags/>"},
		{name: "cloudfront region eu-west-1", service: cf, region: "eu-west-1", method: "GET", url: cfURL + "/key-group"},
		{name: "cloudfront If-Match and padded header", service: cf, method: "DELETE", url: cfURL + "/public-key/K2JCJMDEHXQW5F",
			header: map[string]string{"If-Match": "E2QWRUHAPOMQZL", "X-Custom": "  a   b  "}},
		{name: "cloudfront session token", service: cf, method: "GET", url: cfURL + "/public-key",
			creds: aws.Credentials{AccessKeyID: tokenAKID, SecretAccessKey: tokenSecret, SessionToken: tokenValue}},
		{name: "cloudfront percent in path", service: cf, method: "GET", url: cfURL + "/public-key/K%20X"},

		{name: "s3 get key with space", service: s3, method: "GET", url: s3URL + "/bucket/my%20key.txt", payload: sigv4.EmptySHA256},
		{name: "s3 put key with unicode", service: s3, region: "eu-central-1", method: "PUT", url: s3URL + "/bucket/%C3%A9t%C3%A9/caf%C3%A9.txt",
			body: "hello", header: map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Colour": "blue"}},
		{name: "s3 key with raw plus", service: s3, method: "GET", url: s3URL + "/bucket/a+b", payload: sigv4.EmptySHA256},
		{name: "s3 key with encoded plus", service: s3, method: "GET", url: s3URL + "/bucket/a%2Bb", payload: sigv4.EmptySHA256},
		{name: "s3 key with encoded slash", service: s3, method: "GET", url: s3URL + "/bucket/a%2Fb", payload: sigv4.EmptySHA256},
		{name: "s3 key with reserved characters", service: s3, method: "GET", url: s3URL + "/bucket/a%21%27%28%29%2A%3B%3D%40%24~", payload: sigv4.EmptySHA256},
		{name: "s3 list objects v2", service: s3, region: "ap-southeast-2", method: "GET",
			url: s3URL + "/bucket?list-type=2&prefix=photos%2F2024&delimiter=%2F&encoding-type=url", payload: sigv4.EmptySHA256},
		{name: "s3 valueless subresource", service: s3, method: "GET", url: s3URL + "/bucket?acl", payload: sigv4.EmptySHA256},
		{name: "s3 repeated parameter", service: s3, method: "GET", url: s3URL + "/bucket?b=2&a=1&b=1", payload: sigv4.EmptySHA256},
		{name: "s3 query with plus as space", service: s3, method: "GET", url: s3URL + "/bucket?prefix=a+b%2Bc", payload: sigv4.EmptySHA256},
		{name: "s3 virtual host", service: s3, method: "GET", url: "http://bucket.s3.localhost:7082/key", payload: sigv4.EmptySHA256},
		{name: "s3 unsigned payload", service: s3, method: "PUT", url: s3URL + "/bucket/k", body: "data", payload: sigv4.UnsignedPayload},
		{name: "s3 session token", service: s3, method: "GET", url: s3URL + "/bucket/k", payload: sigv4.EmptySHA256,
			creds: aws.Credentials{AccessKeyID: tokenAKID, SecretAccessKey: tokenSecret, SessionToken: tokenValue}},
		{name: "s3 signed source arn", service: s3, method: "GET", url: s3URL + "/bucket/k", payload: sigv4.EmptySHA256,
			header: map[string]string{"X-Amz-Source-Arn": "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}},

		{name: "s3 presigned get", service: s3, method: "GET", url: s3URL + "/bucket/my%20photo.jpg?response-content-type=image%2Fjpeg", presign: time.Hour},
		{name: "s3 presigned put with content type", service: s3, region: "us-west-2", method: "PUT", url: s3URL + "/bucket/up+load.bin",
			header: map[string]string{"Content-Type": "application/octet-stream"}, presign: 15 * time.Minute},
		{name: "s3 presigned one week", service: s3, method: "GET", url: s3URL + "/bucket/k", presign: sigv4.MaxPresignExpires},
		{name: "s3 presigned session token", service: s3, method: "GET", url: s3URL + "/bucket/k", presign: time.Minute,
			creds: aws.Credentials{AccessKeyID: tokenAKID, SecretAccessKey: tokenSecret, SessionToken: tokenValue}},
		{name: "cloudfront presigned", service: cf, method: "GET", url: cfURL + "/distribution", presign: time.Minute},
	}
}

func TestVerifyAcceptsSDKSignatures(t *testing.T) {
	for _, c := range signedCases() {
		t.Run(c.name, func(t *testing.T) {
			r := c.build(t)
			auth, err := newVerifier(c.service, signTime).Verify(r)
			if err != nil {
				var e *sigv4.Error
				if errors.As(err, &e) && e.CanonicalRequest != "" {
					t.Logf("canonical request:\n%s", e.CanonicalRequest)
				}
				t.Fatalf("Verify: %v", err)
			}
			wantAKID := testAKID
			if c.creds.AccessKeyID != "" {
				wantAKID = c.creds.AccessKeyID
			}
			region := c.region
			if region == "" {
				region = "us-east-1"
			}
			if got, want := auth.AccessKeyID, wantAKID; got != want {
				t.Errorf("AccessKeyID = %q, want %q", got, want)
			}
			if got, want := auth.Region, region; got != want {
				t.Errorf("Region = %q, want %q", got, want)
			}
			if got, want := auth.Presigned, c.presign > 0; got != want {
				t.Errorf("Presigned = %v, want %v", got, want)
			}
			if !auth.Time.Equal(signTime) {
				t.Errorf("Time = %v, want %v", auth.Time, signTime)
			}
			if !auth.Signed("Host") {
				t.Errorf("Signed(Host) = false")
			}
			body, err := readBody(t, auth, r.Body)
			if err != nil {
				t.Fatalf("reading body: %v", err)
			}
			if got, want := string(body), c.body; got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
		})
	}
}

func TestVerifyReturnsPrincipal(t *testing.T) {
	c := signedCases()[0]
	c.creds = aws.Credentials{AccessKeyID: tokenAKID, SecretAccessKey: tokenSecret, SessionToken: tokenValue}
	auth, err := newVerifier(c.service, signTime).Verify(c.build(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := auth.Principal, any(principal("temporary")); got != want {
		t.Errorf("Principal = %v, want %v", got, want)
	}
	if got, want := auth.SessionToken, tokenValue; got != want {
		t.Errorf("SessionToken = %q, want %q", got, want)
	}
}

// TestCanonicalURIPerService pins the rule the clients follow: S3 signs the
// path as sent, other services encode it once more.
func TestCanonicalURIPerService(t *testing.T) {
	for _, tc := range []struct {
		name, service, path, want string
	}{
		{"s3 keeps encoding", sigv4.ServiceS3, "/bucket/a%20b", "/bucket/a%20b"},
		{"s3 keeps dot segments", sigv4.ServiceS3, "/bucket/./a/../b", "/bucket/./a/../b"},
		{"s3 keeps double slash", sigv4.ServiceS3, "/bucket//k", "/bucket//k"},
		{"cloudfront double encodes", sigv4.ServiceCloudFront, "/2020-05-31/public-key/K%20X", "/2020-05-31/public-key/K%2520X"},
		{"cloudfront normalizes", sigv4.ServiceCloudFront, "/2020-05-31/./a/../distribution", "/2020-05-31/distribution"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A request signed with the wrong canonical URI fails and the
			// error shows the canonical request Verify built.
			req, _ := http.NewRequest("GET", "http://h"+tc.path, nil)
			req.URL.RawPath = tc.path
			req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptySHA256)
			req.Header.Set("X-Amz-Date", signTime.Format(sigv4.TimeFormat))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/20240309/us-east-1/"+tc.service+
				"/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000")
			_, err := newVerifier(tc.service, signTime).Verify(onWire(t, req))
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Kind != sigv4.KindSignatureMismatch {
				t.Fatalf("Verify = %v, want KindSignatureMismatch", err)
			}
			lines := strings.Split(e.CanonicalRequest, "\n")
			if got := lines[1]; got != tc.want {
				t.Errorf("canonical URI = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestGoSDKUnnormalizedPath: the Go SDK does not remove dot segments for
// non-S3 services, botocore does; Verify accepts both.
func TestGoSDKUnnormalizedPath(t *testing.T) {
	c := signedCase{service: sigv4.ServiceCloudFront, method: "GET", url: "http://127.0.0.1:7081/2020-05-31//distribution/./x"}
	if _, err := newVerifier(c.service, signTime).Verify(c.build(t)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// mutation changes a signed request; Verify (or reading the body) must then
// fail with kind.
type mutation struct {
	name   string
	mutate func(r *http.Request)
	kind   sigv4.Kind
	// atBody: the failure shows when the body is read, not in Verify.
	atBody bool
}

func setAuthorization(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

func TestVerifyRejectsMutations(t *testing.T) {
	base := map[string]signedCase{
		sigv4.ServiceCloudFront: {service: sigv4.ServiceCloudFront, method: "POST", url: "http://127.0.0.1:7081/2020-05-31/key-group?a=1",
			body: "<KeyGroupConfig/>", header: map[string]string{"Content-Type": "application/xml"}},
		sigv4.ServiceS3: {service: sigv4.ServiceS3, method: "PUT", url: "http://127.0.0.1:7082/bucket/key%20one?a=1",
			body: "object body", header: map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Owner": "me"}},
	}
	common := []mutation{
		{"method", func(r *http.Request) { r.Method = "PATCH" }, sigv4.KindSignatureMismatch, false},
		{"path", func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "/key", "/kez", 1) }, sigv4.KindSignatureMismatch, false},
		{"query value", func(r *http.Request) { r.URL.RawQuery = "a=2" }, sigv4.KindSignatureMismatch, false},
		{"query added", func(r *http.Request) { r.URL.RawQuery += "&b=1" }, sigv4.KindSignatureMismatch, false},
		{"signed header", func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }, sigv4.KindSignatureMismatch, false},
		{"host", func(r *http.Request) { r.Host = "evil.example" }, sigv4.KindSignatureMismatch, false},
		{"date", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(time.Second).Format(sigv4.TimeFormat))
		}, sigv4.KindSignatureMismatch, false},
		{"region", func(r *http.Request) { setAuthorization(r, "/us-east-1/", "/us-west-2/") }, sigv4.KindSignatureMismatch, false},
		{"service", func(r *http.Request) {
			setAuthorization(r, "/s3/aws4_request", "/sts/aws4_request")
			setAuthorization(r, "/cloudfront/aws4_request", "/sts/aws4_request")
		}, sigv4.KindCredentialScope, false},
		{"terminator", func(r *http.Request) { setAuthorization(r, "aws4_request", "aws5_request") }, sigv4.KindCredentialScope, false},
		{"scope date", func(r *http.Request) { setAuthorization(r, "/20240309/", "/20240308/") }, sigv4.KindCredentialScope, false},
		{"signed headers list", func(r *http.Request) { setAuthorization(r, "SignedHeaders=content-length;", "SignedHeaders=") }, sigv4.KindSignatureMismatch, false},
		{"signature", func(r *http.Request) { setAuthorization(r, "Signature=", "Signature=0") }, sigv4.KindSignatureMismatch, false},
		{"unknown access key", func(r *http.Request) { setAuthorization(r, testAKID, "AKIDNOTKNOWN") }, sigv4.KindUnknownAccessKey, false},
		{"authorization removed", func(r *http.Request) { r.Header.Del("Authorization") }, sigv4.KindMissing, false},
		{"clock", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", signTime.Add(16*time.Minute).Format(sigv4.TimeFormat))
		}, sigv4.KindRequestTimeTooSkewed, false},
	}
	perService := map[string][]mutation{
		sigv4.ServiceCloudFront: {
			{"body", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("<KeyGroupConfig/>x")) }, sigv4.KindSignatureMismatch, false},
		},
		sigv4.ServiceS3: {
			{"body", func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("object bodY")) }, sigv4.KindContentSHA256Mismatch, true},
			{"content sha256 header", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload) }, sigv4.KindSignatureMismatch, false},
			{"content sha256 removed", func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, sigv4.KindMissingContentSHA256, false},
			{"content sha256 garbage", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "md5") }, sigv4.KindInvalidContentSHA256, false},
			{"unsigned x-amz header", func(r *http.Request) { r.Header.Set("X-Amz-Source-Arn", "arn:aws:cloudfront::1:distribution/E1") }, sigv4.KindUnsignedHeaders, false},
			{"signed meta header", func(r *http.Request) { r.Header.Set("X-Amz-Meta-Owner", "you") }, sigv4.KindSignatureMismatch, false},
			{"path double encoded", func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "%20", "%2520", 1) }, sigv4.KindSignatureMismatch, false},
		},
	}
	for service, c := range base {
		muts := append(append([]mutation{}, common...), perService[service]...)
		for _, m := range muts {
			t.Run(service+"/"+m.name, func(t *testing.T) {
				r := c.build(t)
				m.mutate(r)
				auth, err := newVerifier(service, signTime).Verify(r)
				if m.atBody {
					if err != nil {
						t.Fatalf("Verify: %v, want success until the body is read", err)
					}
					_, err = readBody(t, auth, r.Body)
				}
				if got := kindOf(err); got != m.kind {
					t.Fatalf("error = %v (kind %v), want kind %v", err, got, m.kind)
				}
			})
		}
	}
}

func TestVerifyWrongSecret(t *testing.T) {
	for _, service := range []string{sigv4.ServiceCloudFront, sigv4.ServiceS3} {
		t.Run(service, func(t *testing.T) {
			r := signedCase{service: service, method: "GET", url: "http://h/x", payload: sigv4.EmptySHA256}.build(t)
			v := newVerifier(service, signTime)
			v.Credentials = sigv4.StaticCredentials{testAKID: {SecretAccessKey: testSecret + "x"}}
			if got, want := kindOf(mustFail(t, v, r)), sigv4.KindSignatureMismatch; got != want {
				t.Errorf("kind = %v, want %v", got, want)
			}
		})
	}
}

func TestVerifySessionTokenMismatch(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256,
		creds: aws.Credentials{AccessKeyID: tokenAKID, SecretAccessKey: tokenSecret, SessionToken: "stale-token"}}.build(t)
	err := mustFail(t, newVerifier(sigv4.ServiceS3, signTime), r)
	if got, want := kindOf(err), sigv4.KindInvalidToken; got != want {
		t.Errorf("kind = %v, want %v", got, want)
	}
}

func mustFail(tb testing.TB, v *sigv4.Verifier, r *http.Request) error {
	tb.Helper()
	_, err := v.Verify(r)
	if err == nil {
		tb.Fatal("Verify succeeded, want an error")
	}
	return err
}

func TestClockSkewBoundaries(t *testing.T) {
	for _, service := range []string{sigv4.ServiceCloudFront, sigv4.ServiceS3} {
		for _, tc := range []struct {
			name string
			now  time.Time
			kind sigv4.Kind // 0: accepted
		}{
			{"exactly 15 min later", signTime.Add(15 * time.Minute), 0},
			{"15 min and 1 s later", signTime.Add(15*time.Minute + time.Second), sigv4.KindRequestTimeTooSkewed},
			{"exactly 15 min earlier", signTime.Add(-15 * time.Minute), 0},
			{"15 min and 1 s earlier", signTime.Add(-15*time.Minute - time.Second), sigv4.KindRequestTimeTooSkewed},
			{"a day later", signTime.Add(24 * time.Hour), sigv4.KindRequestTimeTooSkewed},
		} {
			t.Run(service+"/"+tc.name, func(t *testing.T) {
				r := signedCase{service: service, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}.build(t)
				_, err := newVerifier(service, tc.now).Verify(r)
				if got := kindOf(err); got != tc.kind {
					t.Fatalf("Verify = %v, want kind %v", err, tc.kind)
				}
			})
		}
	}
}

func TestCustomMaxSkew(t *testing.T) {
	r := signedCase{service: sigv4.ServiceCloudFront, method: "GET", url: "http://h/x"}.build(t)
	v := newVerifier(sigv4.ServiceCloudFront, signTime.Add(6*time.Minute))
	v.MaxSkew = 5 * time.Minute
	err := mustFail(t, v, r)
	var e *sigv4.Error
	errors.As(err, &e)
	// CloudFront's own wording, with its 5-minute window.
	want := "Signature expired: 20240309T123045Z is now earlier than 20240309T123145Z (20240309T123645Z - 5 min.)"
	if e.Code != "SignatureDoesNotMatch" || e.Message != want {
		t.Errorf("got %s %q, want SignatureDoesNotMatch %q", e.Code, e.Message, want)
	}
}

func TestPresignedExpiry(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		kind sigv4.Kind
	}{
		{"at signing", signTime, 0},
		{"last second", signTime.Add(time.Hour), 0},
		{"one second late", signTime.Add(time.Hour + time.Second), sigv4.KindExpired},
		{"15 min early", signTime.Add(-15 * time.Minute), 0},
		{"too early", signTime.Add(-15*time.Minute - time.Second), sigv4.KindRequestTimeTooSkewed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", presign: time.Hour}.build(t)
			_, err := newVerifier(sigv4.ServiceS3, tc.now).Verify(r)
			if got := kindOf(err); got != tc.kind {
				t.Fatalf("Verify = %v, want kind %v", err, tc.kind)
			}
		})
	}
}

func TestPresignedMutations(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(q string) string
		kind sigv4.Kind
	}{
		{"signature", func(q string) string { return strings.Replace(q, "X-Amz-Signature=", "X-Amz-Signature=f", 1) }, sigv4.KindSignatureMismatch},
		{"expires", func(q string) string { return strings.Replace(q, "X-Amz-Expires=3600", "X-Amz-Expires=3601", 1) }, sigv4.KindSignatureMismatch},
		{"expires over a week", func(q string) string { return strings.Replace(q, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1) }, sigv4.KindMalformed},
		{"expires negative", func(q string) string { return strings.Replace(q, "X-Amz-Expires=3600", "X-Amz-Expires=-1", 1) }, sigv4.KindMalformed},
		{"expires not a number", func(q string) string { return strings.Replace(q, "X-Amz-Expires=3600", "X-Amz-Expires=1h", 1) }, sigv4.KindMalformed},
		{"algorithm", func(q string) string {
			return strings.Replace(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", 1)
		}, sigv4.KindMalformed},
		{"no signed headers", func(q string) string { return strings.Replace(q, "X-Amz-SignedHeaders=host", "", 1) }, sigv4.KindMalformed},
		{"repeated signature", func(q string) string { return q + "&X-Amz-Signature=00" }, sigv4.KindMalformed},
		{"extra parameter", func(q string) string { return q + "&versionId=2" }, sigv4.KindSignatureMismatch},
		{"credential shape", func(q string) string { return strings.Replace(q, "%2Faws4_request", "", 1) }, sigv4.KindMalformed},
		{"service", func(q string) string { return strings.Replace(q, "%2Fs3%2F", "%2Fsts%2F", 1) }, sigv4.KindCredentialScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", presign: time.Hour}.build(t)
			r.URL.RawQuery = tc.edit(r.URL.RawQuery)
			r.RequestURI = r.URL.Path + "?" + r.URL.RawQuery
			err := mustFail(t, newVerifier(sigv4.ServiceS3, signTime), r)
			if got := kindOf(err); got != tc.kind {
				t.Fatalf("Verify = %v, want kind %v", err, tc.kind)
			}
		})
	}
}

func TestPresignedWithAuthorizationHeader(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", presign: time.Hour}.build(t)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	err := mustFail(t, newVerifier(sigv4.ServiceS3, signTime), r)
	var e *sigv4.Error
	if !errors.As(err, &e) || e.Kind != sigv4.KindMalformed || e.Code != "InvalidArgument" {
		t.Fatalf("Verify = %v, want KindMalformed InvalidArgument", err)
	}
}

func TestUnsignedRequestIsMissing(t *testing.T) {
	for _, tc := range []struct{ service, code string }{
		{sigv4.ServiceCloudFront, "MissingAuthenticationToken"},
		{sigv4.ServiceS3, "AccessDenied"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://h/b/k?X-Amz-Date=20240309T123045Z", nil)
			err := mustFail(t, newVerifier(tc.service, signTime), onWire(t, req))
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Kind != sigv4.KindMissing || e.Code != tc.code || e.Status != http.StatusForbidden {
				t.Fatalf("Verify = %#v, want KindMissing %s 403", err, tc.code)
			}
		})
	}
}

func TestMalformedAuthorization(t *testing.T) {
	const cred = "Credential=" + testAKID + "/20240309/us-east-1/s3/aws4_request"
	const sig = "Signature=" + "d2a6f1c0b3b1f2a8d2a6f1c0b3b1f2a8d2a6f1c0b3b1f2a8d2a6f1c0b3b1f2a8"
	for _, tc := range []struct {
		name, value string
		s3Code      string
		cfCode      string
	}{
		{"sigv2", "AWS " + testAKID + ":frJIUN8DYpKDtOLCwo//yllqDzg=", "InvalidArgument", "IncompleteSignature"},
		{"sigv4a", "AWS4-ECDSA-P256-SHA256 " + cred + ", SignedHeaders=host, " + sig, "InvalidArgument", "IncompleteSignature"},
		{"bearer", "Bearer abc", "InvalidArgument", "IncompleteSignature"},
		{"algorithm only", "AWS4-HMAC-SHA256", "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"empty", "", "InvalidArgument", "IncompleteSignature"},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"no signed headers", "AWS4-HMAC-SHA256 " + cred + ", " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"no credential", "AWS4-HMAC-SHA256 SignedHeaders=host, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"missing equals", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"unknown component", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig + ", Extra=1", "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"repeated component", "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"four part credential", "AWS4-HMAC-SHA256 Credential=AKID/20240309/us-east-1/s3, SignedHeaders=host, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"six part credential", "AWS4-HMAC-SHA256 Credential=A/K/20240309/us-east-1/s3/aws4_request, SignedHeaders=host, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"empty credential part", "AWS4-HMAC-SHA256 Credential=/20240309/us-east-1/s3/aws4_request, SignedHeaders=host, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"empty signed header name", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"empty signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=", "AuthorizationHeaderMalformed", "IncompleteSignature"},
		{"lower-case keys", "AWS4-HMAC-SHA256 credential=x, signedheaders=host, signature=y", "AuthorizationHeaderMalformed", "IncompleteSignature"},
	} {
		for _, service := range []string{sigv4.ServiceS3, sigv4.ServiceCloudFront} {
			t.Run(service+"/"+tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", "http://h/b/k", nil)
				req.Header.Set("Authorization", tc.value)
				req.Header.Set("X-Amz-Date", signTime.Format(sigv4.TimeFormat))
				req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptySHA256)
				r := onWire(t, req)
				if tc.value == "" {
					r.Header["Authorization"] = []string{""}
				}
				err := mustFail(t, newVerifier(service, signTime), r)
				var e *sigv4.Error
				if !errors.As(err, &e) || e.Kind != sigv4.KindMalformed {
					t.Fatalf("Verify = %v, want KindMalformed", err)
				}
				want := tc.cfCode
				if service == sigv4.ServiceS3 {
					want = tc.s3Code
				}
				if e.Code != want || e.Status != http.StatusBadRequest {
					t.Errorf("code %d %s (%q), want 400 %s", e.Status, e.Code, e.Message, want)
				}
			})
		}
	}
}

func TestMissingDate(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}.build(t)
	r.Header.Del("X-Amz-Date")
	if got, want := kindOf(mustFail(t, newVerifier(sigv4.ServiceS3, signTime), r)), sigv4.KindMalformed; got != want {
		t.Errorf("kind = %v, want %v", got, want)
	}
}

// TestErrorVocabulary pins the wire code and message per service for the
// failures HTTP packages render most.
func TestErrorVocabulary(t *testing.T) {
	type want struct {
		status        int
		code, message string
	}
	for _, tc := range []struct {
		name   string
		mutate func(r *http.Request)
		now    time.Time
		s3, cf want
	}{
		{"signature", func(r *http.Request) { setAuthorization(r, "Signature=", "Signature=0") }, signTime,
			want{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
			want{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}},
		{"unknown key", func(r *http.Request) { setAuthorization(r, testAKID, "AKIDNOTKNOWN") }, signTime,
			want{403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."},
			want{403, "InvalidClientTokenId", "The security token included in the request is invalid."}},
		{"skew", func(*http.Request) {}, signTime.Add(time.Hour),
			want{403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."},
			want{403, "SignatureDoesNotMatch", "Signature expired: 20240309T123045Z is now earlier than 20240309T131545Z (20240309T133045Z - 15 min.)"}},
		{"future", func(*http.Request) {}, signTime.Add(-time.Hour),
			want{403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."},
			want{403, "SignatureDoesNotMatch", "Signature not yet current: 20240309T123045Z is still later than 20240309T114545Z (20240309T113045Z + 15 min.)"}},
		{"service", func(r *http.Request) {
			setAuthorization(r, "/s3/aws4_request", "/iam/aws4_request")
			setAuthorization(r, "/cloudfront/aws4_request", "/iam/aws4_request")
		}, signTime,
			want{400, "AuthorizationHeaderMalformed", `The authorization header is malformed; incorrect service "iam". This endpoint belongs to "s3".`},
			want{403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'cloudfront'."}},
	} {
		for _, service := range []string{sigv4.ServiceS3, sigv4.ServiceCloudFront} {
			t.Run(service+"/"+tc.name, func(t *testing.T) {
				r := signedCase{service: service, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}.build(t)
				tc.mutate(r)
				err := mustFail(t, newVerifier(service, tc.now), r)
				var e *sigv4.Error
				if !errors.As(err, &e) {
					t.Fatalf("error %T, want *sigv4.Error", err)
				}
				w := tc.cf
				if service == sigv4.ServiceS3 {
					w = tc.s3
				}
				msg := e.Message
				if service == sigv4.ServiceCloudFront && tc.name == "signature" {
					msg, _, _ = strings.Cut(msg, "\n")
				}
				if e.Status != w.status || e.Code != w.code || msg != w.message {
					t.Errorf("got %d %s %q\nwant %d %s %q", e.Status, e.Code, msg, w.status, w.code, w.message)
				}
			})
		}
	}
}

func TestSignatureMismatchCarriesCanonicalRequest(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k?x=1", payload: sigv4.EmptySHA256}.build(t)
	setAuthorization(r, "Signature=", "Signature=0")
	var e *sigv4.Error
	if !errors.As(mustFail(t, newVerifier(sigv4.ServiceS3, signTime), r), &e) {
		t.Fatal("not a *sigv4.Error")
	}
	wantCanonical := "GET\n/b/k\nx=1\nhost:h\nx-amz-content-sha256:" + sigv4.EmptySHA256 + "\nx-amz-date:20240309T123045Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + sigv4.EmptySHA256
	if got := e.Field("CanonicalRequest"); got != wantCanonical {
		t.Errorf("CanonicalRequest =\n%s\nwant\n%s", got, wantCanonical)
	}
	if !strings.HasPrefix(e.Field("StringToSign"), "AWS4-HMAC-SHA256\n20240309T123045Z\n20240309/us-east-1/s3/aws4_request\n") {
		t.Errorf("StringToSign = %q", e.Field("StringToSign"))
	}
	if got := e.Field("StringToSignBytes"); !strings.HasPrefix(got, "41 57 53 34 2d") {
		t.Errorf("StringToSignBytes = %.20q", got)
	}
	for _, s := range []string{e.Error(), e.Message} {
		if strings.Contains(s, testSecret) {
			t.Errorf("error text contains the secret: %q", s)
		}
	}
	if strings.Contains(e.Error(), "\n") {
		t.Errorf("Error() = %q: should be one line for logs", e.Error())
	}
}

// TestCloudFrontBodyRestored: Verify hashes the body for CloudFront and the
// handler still reads all of it.
func TestCloudFrontBodyRestored(t *testing.T) {
	body := strings.Repeat("<Item/>", 1000)
	r := signedCase{service: sigv4.ServiceCloudFront, method: "POST", url: "http://h/2020-05-31/distribution", body: body}.build(t)
	if _, err := newVerifier(sigv4.ServiceCloudFront, signTime).Verify(r); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != body {
		t.Fatalf("body after Verify: %d bytes, %v; want %d bytes", len(got), err, len(body))
	}
}

func TestCloudFrontBodyTooLarge(t *testing.T) {
	r := signedCase{service: sigv4.ServiceCloudFront, method: "POST", url: "http://h/2020-05-31/distribution", body: strings.Repeat("x", 101)}.build(t)
	v := newVerifier(sigv4.ServiceCloudFront, signTime)
	v.MaxBodySize = 100
	if got, want := kindOf(mustFail(t, v, r)), sigv4.KindBodyTooLarge; got != want {
		t.Errorf("kind = %v, want %v", got, want)
	}
}

func TestCredentialsFailure(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}.build(t)
	v := newVerifier(sigv4.ServiceS3, signTime)
	storeErr := errors.New("database is locked")
	v.Credentials = sigv4.CredentialsFunc(func(context.Context, string) (sigv4.Credential, error) { return sigv4.Credential{}, storeErr })
	err := mustFail(t, v, r)
	if got, want := kindOf(err), sigv4.KindInternal; got != want {
		t.Errorf("kind = %v, want %v", got, want)
	}
	if !errors.Is(err, storeErr) {
		t.Errorf("error %v does not wrap the store's error", err)
	}
}

// TestKeyCacheSecretRotation: a cached signing key is not reused once the
// secret changes.
func TestKeyCacheSecretRotation(t *testing.T) {
	secret := testSecret
	v := newVerifier(sigv4.ServiceS3, signTime)
	v.Credentials = sigv4.CredentialsFunc(func(context.Context, string) (sigv4.Credential, error) {
		return sigv4.Credential{SecretAccessKey: secret}, nil
	})
	c := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}
	if _, err := v.Verify(c.build(t)); err != nil {
		t.Fatal(err)
	}
	secret = "rotated"
	if got, want := kindOf(mustFail(t, v, c.build(t))), sigv4.KindSignatureMismatch; got != want {
		t.Errorf("after rotation kind = %v, want %v", got, want)
	}
}

// TestDateHeaderParsed: without X-Amz-Date, Verify takes the time from
// Date (botocore signs that way when the request has a Date header; the
// botocore cross-check covers a full signature). Here the signed header
// x-amz-date is gone, so the signature fails, but not as malformed.
func TestDateHeaderParsed(t *testing.T) {
	signed := signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://h/b/k", payload: sigv4.EmptySHA256}.build(t)
	signed.Header.Del("X-Amz-Date")
	signed.Header.Set("Date", signTime.Format(http.TimeFormat))
	_, err := newVerifier(sigv4.ServiceS3, signTime).Verify(signed)
	if got, want := kindOf(err), sigv4.KindSignatureMismatch; got != want {
		t.Fatalf("Verify = %v, want kind %v", err, want)
	}
	signed.Header.Set("Date", "yesterday")
	if got, want := kindOf(mustFail(t, newVerifier(sigv4.ServiceS3, signTime), signed)), sigv4.KindMalformed; got != want {
		t.Fatalf("bad Date: kind %v, want %v", got, want)
	}
}

func TestStripAWSChunked(t *testing.T) {
	for in, want := range map[string]string{
		"aws-chunked":       "",
		"aws-chunked,gzip":  "gzip",
		"gzip, aws-chunked": "gzip",
		"AWS-CHUNKED":       "",
		"gzip,br":           "gzip,br",
	} {
		if got := sigv4.StripAWSChunked(in); got != want {
			t.Errorf("StripAWSChunked(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	a, err := sigv4.ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-date,Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator, strings.Join(a.SignedHeaders, ","), a.Signature}
	want := []string{"AKIAIOSFODNN7EXAMPLE", "20130524", "us-east-1", "s3", "aws4_request", "host,range,x-amz-date", "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("part %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestAWSDocumentationGetObject checks the canonical request against the
// worked example of sig-v4-header-based-auth ("GET Object").
func TestAWSDocumentationGetObject(t *testing.T) {
	raw := "GET /test.txt HTTP/1.1\r\n" +
		"Host: examplebucket.s3.amazonaws.com\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n" +
		"Range: bytes=0-9\r\n" +
		"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n" +
		"x-amz-date: 20130524T000000Z\r\n\r\n"
	r := readRaw(t, raw)
	v := docVerifier()
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func readRaw(tb testing.TB, raw string) *http.Request {
	tb.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// docVerifier verifies with the credentials and clock of the S3 API
// Reference examples.
func docVerifier() *sigv4.Verifier {
	return &sigv4.Verifier{
		Service: sigv4.ServiceS3,
		Credentials: sigv4.StaticCredentials{
			"AKIAIOSFODNN7EXAMPLE": {SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		},
		Now: func() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) },
	}
}

// TestMaxBytesReader: a limit the HTTP layer sets with http.MaxBytesReader
// surfaces as KindBodyTooLarge, from Verify (CloudFront) and from Body (S3).
func TestMaxBytesReader(t *testing.T) {
	t.Run("cloudfront", func(t *testing.T) {
		r := signedCase{service: sigv4.ServiceCloudFront, method: "POST", url: "http://h/2020-05-31/key-group", body: strings.Repeat("x", 100)}.build(t)
		r.Body = http.MaxBytesReader(nil, r.Body, 50)
		if got, want := kindOf(mustFail(t, newVerifier(sigv4.ServiceCloudFront, signTime), r)), sigv4.KindBodyTooLarge; got != want {
			t.Errorf("kind = %v, want %v", got, want)
		}
	})
	t.Run("s3", func(t *testing.T) {
		r := signedCase{service: sigv4.ServiceS3, method: "PUT", url: "http://h/b/k", body: strings.Repeat("x", 100)}.build(t)
		auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readBody(t, auth, http.MaxBytesReader(nil, r.Body, 50))
		if got, want := kindOf(err), sigv4.KindBodyTooLarge; got != want {
			t.Errorf("kind = %v, want %v", got, want)
		}
	})
}
