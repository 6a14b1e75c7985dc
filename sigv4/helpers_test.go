package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/sigv4"
)

// Test credentials. The second pair has a session token.
const (
	testAKID   = "AKIDEXAMPLEKEYFRONT1"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

	tokenAKID   = "ASIAEXAMPLETEMPORARY"
	tokenSecret = "temporarysecret/with+chars"
	tokenValue  = "FwoGZXIvYXdzEJr//////////wEaDExampleSessionToken=="
)

// signTime is the signing time of most tests; the verifier's clock is set
// to it unless a test says otherwise.
var signTime = time.Date(2024, 3, 9, 12, 30, 45, 0, time.UTC)

type principal string

func testCredentials() sigv4.StaticCredentials {
	return sigv4.StaticCredentials{
		testAKID:  {SecretAccessKey: testSecret, Principal: principal("admin")},
		tokenAKID: {SecretAccessKey: tokenSecret, SessionToken: tokenValue, Principal: principal("temporary")},
	}
}

func newVerifier(service string, now time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{
		Service:     service,
		Credentials: testCredentials(),
		Now:         func() time.Time { return now },
	}
}

func sdkCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sdkOptions are the signer options the AWS SDK for Go uses per service:
// the S3 client signs the path as sent (DisableURIPathEscaping); the others
// escape it again.
func sdkOptions(service string) func(*v4.SignerOptions) {
	return func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = service == sigv4.ServiceS3
	}
}

// sdkSign signs req in the header form the way the SDK clients do: S3 sends
// X-Amz-Content-Sha256 (the S3 client's ContentSHA256Header middleware),
// other services do not.
func sdkSign(tb testing.TB, req *http.Request, creds aws.Credentials, service, region, payloadHash string, at time.Time) {
	tb.Helper()
	if service == sigv4.ServiceS3 {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, at, sdkOptions(service)); err != nil {
		tb.Fatalf("SignHTTP: %v", err)
	}
}

// sdkPresign presigns req for expires and returns a request for the signed
// URL carrying the headers the signer says must be sent.
func sdkPresign(tb testing.TB, req *http.Request, creds aws.Credentials, service, region string, expires time.Duration, at time.Time) *http.Request {
	tb.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	req.URL.RawQuery = q.Encode()
	// S3 presigns UNSIGNED-PAYLOAD; other services the hash of the (empty)
	// body, as botocore's SigV4QueryAuth does.
	payload := sigv4.UnsignedPayload
	if service != sigv4.ServiceS3 {
		payload = sigv4.EmptySHA256
	}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payload, service, region, at, sdkOptions(service))
	if err != nil {
		tb.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(req.Method, u, req.Body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range hdr {
		if strings.EqualFold(k, "Host") {
			continue
		}
		for _, v := range vs {
			out.Header.Add(k, v)
		}
	}
	return out
}

// onWire serializes a client request as net/http sends it and parses it back
// as a server would, so Verify sees RequestURI, Host and headers exactly as
// they arrive.
func onWire(tb testing.TB, req *http.Request) *http.Request {
	tb.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		tb.Fatalf("writing request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		tb.Fatalf("reading request back: %v\n%s", err, buf.String())
	}
	return sr
}

// kindOf returns the Kind of a *sigv4.Error, or 0.
func kindOf(err error) sigv4.Kind {
	var e *sigv4.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// readBody reads an Auth.Body to the end.
func readBody(tb testing.TB, a *sigv4.Auth, body io.ReadCloser) ([]byte, error) {
	tb.Helper()
	b, err := a.Body(body)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return io.ReadAll(b)
}
