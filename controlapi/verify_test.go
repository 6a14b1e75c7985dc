package controlapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront"
	"keyfront/controlapi"
)

// verifyCall posts body to keyfront's verify route, signed with SigV4 as
// `keyfront verify --endpoint` signs it (secret "" sends it unsigned).
func verifyCall(t *testing.T, e *testEnv, method, body, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/keyfront/v1/verify", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cloudfront", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestVerifyRoute(t *testing.T) {
	var (
		mu  sync.Mutex
		got []keyfront.VerifyRequest
	)
	answer := &keyfront.VerifyResult{
		Status: 403, Code: "InvalidKey", Reason: "key_unknown", Detail: "key K1 is in key group old",
		Time: time.Unix(1767290000, 0).UTC(), ServerClock: true, Distribution: "EDISTRIBUTION1", PathPattern: "*", DefaultBehavior: true,
		Restricted: true, TrustedKeyGroups: []string{"signers (g1)"},
		Checks: []keyfront.Check{{Name: "host", OK: true, Detail: "h"}, {Name: "key", Detail: "key K1 is in key group old"}},
	}
	e := newEnv(t, func(c *controlapi.Config) {
		c.Explain = func(ctx context.Context, req keyfront.VerifyRequest) (*keyfront.VerifyResult, error) {
			mu.Lock()
			got = append(got, req)
			mu.Unlock()
			if req.URL == "bad" {
				return nil, keyfront.Errorf(keyfront.EINVALID, "URL %q must be absolute", req.URL)
			}
			return answer, nil
		}
	})

	calls := func() []keyfront.VerifyRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]keyfront.VerifyRequest(nil), got...)
	}

	body := `{"url":"http://d1.cloudfront.localhost:7080/a.txt?Expires=1&Signature=x&Key-Pair-Id=K1","method":"HEAD",` +
		`"cookies":["a=b; CloudFront-Policy=p"],"viewerIp":"192.0.2.7","time":"2026-01-02T03:04:05Z"}`
	status, resp := verifyCall(t, e, http.MethodPost, body, testSecretKey)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, resp)
	}
	var res keyfront.VerifyResult
	if err := json.Unmarshal([]byte(resp), &res); err != nil {
		t.Fatalf("answer is not a VerifyResult: %v\n%s", err, resp)
	}
	if res.Code != "InvalidKey" || res.Status != 403 || len(res.Checks) != 2 || res.Checks[1].OK || res.TrustedKeyGroups[0] != "signers (g1)" || !res.Time.Equal(answer.Time) {
		t.Errorf("answer %+v, want %+v", res, answer)
	}
	want := keyfront.VerifyRequest{URL: "http://d1.cloudfront.localhost:7080/a.txt?Expires=1&Signature=x&Key-Pair-Id=K1", Method: "HEAD",
		Cookies: []string{"a=b; CloudFront-Policy=p"}, ViewerIP: netip.MustParseAddr("192.0.2.7"), Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if c := calls(); len(c) != 1 || c[0].URL != want.URL || c[0].Method != want.Method || strings.Join(c[0].Cookies, "|") != want.Cookies[0] ||
		c[0].ViewerIP != want.ViewerIP || !c[0].Time.Equal(want.Time) {
		t.Errorf("Explain got %+v, want %+v", c, want)
	}

	// Only url is required; the rest keep their zero values.
	if status, resp := verifyCall(t, e, http.MethodPost, `{"url":"http://h/"}`, testSecretKey); status != http.StatusOK {
		t.Errorf("url only: %d %s", status, resp)
	} else if c := calls(); len(c) != 2 {
		t.Errorf("Explain called %d times, want 2", len(c))
	} else if r := c[1]; r.ViewerIP.IsValid() || !r.Time.IsZero() || r.Method != "" {
		t.Errorf("url only decoded as %+v", r)
	}

	for _, tc := range []struct {
		name, method, body, secret string
		status                     int
		code, message              string
	}{
		{"unsigned", http.MethodPost, body, "", 403, "MissingAuthenticationToken", ""},
		{"wrong secret", http.MethodPost, body, "not-the-secret", 403, "SignatureDoesNotMatch", ""},
		{"not JSON", http.MethodPost, `<Verify/>`, testSecretKey, 400, "MalformedInput", "must be a JSON object"},
		{"unknown field", http.MethodPost, `{"url":"http://h/","headers":{}}`, testSecretKey, 400, "MalformedInput", `unknown field "headers"`},
		{"two objects", http.MethodPost, `{"url":"http://h/"}{}`, testSecretKey, 400, "MalformedInput", "one JSON object"},
		{"bad viewer IP", http.MethodPost, `{"url":"http://h/","viewerIp":"10.0.0"}`, testSecretKey, 400, "MalformedInput", ""},
		{"no url", http.MethodPost, `{"method":"GET"}`, testSecretKey, 400, "InvalidArgument", "The url field is required"},
		{"edge refuses the input", http.MethodPost, `{"url":"bad"}`, testSecretKey, 400, "InvalidArgument", `URL "bad" must be absolute`},
		{"GET", http.MethodGet, "", testSecretKey, 501, "NotImplemented", "GET /keyfront/v1/verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, resp := verifyCall(t, e, tc.method, tc.body, tc.secret)
			if status != tc.status || !strings.Contains(resp, "<Code>"+tc.code+"</Code>") || !strings.Contains(resp, tc.message) {
				t.Errorf("got %d %s\nwant %d %s %q", status, resp, tc.status, tc.code, tc.message)
			}
		})
	}
}

// TestVerifyRouteWithoutEdge: a control API with no edge in its process
// says so, rather than guessing.
func TestVerifyRouteWithoutEdge(t *testing.T) {
	e := newEnv(t, nil)
	status, resp := verifyCall(t, e, http.MethodPost, `{"url":"http://h/"}`, testSecretKey)
	if status != http.StatusNotImplemented || !strings.Contains(resp, "<Code>NotImplemented</Code>") ||
		!strings.Contains(resp, "keyfront verify --endpoint needs the edge role in the same process") {
		t.Errorf("got %d %s, want 501 NotImplemented naming the edge role", status, resp)
	}
}
