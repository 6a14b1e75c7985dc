package signing_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"keyfront/signing"
)

// Keys generated once per test binary: RSA-2048 and ECDSA P-256, the two
// kinds CloudFront key groups accept (§10).
var (
	testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	testECKey = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

// Key IDs of the generated keys.
const (
	rsaKeyID = "KRSATEST2048"
	ecKeyID  = "KECDSATEST256"
)

// testKeys trusts both generated keys.
func testKeys() signing.KeyMap {
	return signing.KeyMap{rsaKeyID: testRSAKey().Public(), ecKeyID: testECKey().Public()}
}

// testNow is the clock of the tests that sign their own requests.
var testNow = time.Unix(1767290000, 0)

// testExpiry is an hour after testNow.
var testExpiry = testNow.Add(time.Hour)

// newSigner returns a Signer for one of the generated keys.
func newSigner(tb testing.TB, key crypto.Signer, h signing.HashAlgorithm) *signing.Signer {
	tb.Helper()
	id := rsaKeyID
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		id = ecKeyID
	}
	s, err := signing.NewSigner(id, key, h)
	if err != nil {
		tb.Fatalf("NewSigner(%s, %s): %v", id, h, err)
	}
	return s
}

// signURL signs rawURL with s under t or fails the test.
func signURL(tb testing.TB, s *signing.Signer, rawURL string, t signing.Terms) string {
	tb.Helper()
	u, err := s.SignURL(rawURL, t)
	if err != nil {
		tb.Fatalf("SignURL(%q): %v", rawURL, err)
	}
	return u
}

// request builds the Request a viewer fetching rawURL would make: scheme,
// Host and request-target cut from the string as is, never re-encoded (§5).
// The viewer is 192.0.2.1 and the clock is testNow.
func request(tb testing.TB, rawURL string, cookies ...string) *signing.Request {
	tb.Helper()
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		tb.Fatalf("request(%q): not an absolute URL", rawURL)
	}
	host, uri := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, uri = rest[:i], rest[i:]
		if uri[0] == '?' {
			uri = "/" + uri
		}
	}
	return &signing.Request{
		Scheme:     scheme,
		Host:       host,
		RequestURI: uri,
		Cookies:    cookies,
		ViewerIP:   netip.MustParseAddr("192.0.2.1"),
		Now:        testNow,
	}
}

// cookieHeader joins cookies as a browser's Cookie header does.
func cookieHeader(cookies []signing.Cookie) string {
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

// verdict is what Verify decided, reduced to what tests compare.
type verdict struct {
	Code   signing.Code
	Reason signing.Reason
}

func (v verdict) String() string {
	if v.Code == signing.OK {
		return "OK"
	}
	return v.Code.String() + "/" + string(v.Reason)
}

var ok = verdict{signing.OK, ""}

// denied is the verdict for a rejection with the given reason.
func denied(r signing.Reason) verdict { return verdict{r.Code(), r} }

// check runs Verify and returns its verdict, failing the test if the
// result breaks the function's contract: a rejection is a *Rejection whose
// Code is its Reason's, never OK; an admission has a Policy.
func check(tb testing.TB, req *signing.Request, keys signing.Keys) (verdict, *signing.Result) {
	tb.Helper()
	res, err := signing.Verify(req, keys)
	if res == nil {
		tb.Fatalf("Verify returned a nil Result (err %v)", err)
	}
	if err == nil {
		if res.Policy == nil {
			tb.Errorf("Verify admitted the request with a nil Policy")
		}
		return ok, res
	}
	var rej *signing.Rejection
	if !errors.As(err, &rej) {
		tb.Fatalf("Verify error %T %v is not a *signing.Rejection", err, err)
	}
	if rej.Code == signing.OK || rej.Code != rej.Reason.Code() {
		tb.Errorf("rejection %v: Code %v does not match Reason.Code() %v", rej, rej.Code, rej.Reason.Code())
	}
	return verdict{rej.Code, rej.Reason}, res
}

// wantVerdict runs Verify and compares its verdict with want.
func wantVerdict(tb testing.TB, req *signing.Request, keys signing.Keys, want verdict) *signing.Result {
	tb.Helper()
	got, res := check(tb, req, keys)
	if got != want {
		_, checks := signing.Explain(req, keys)
		tb.Errorf("Verify(%s://%s%s, cookies %q) = %v, want %v\nexplain: %+v", req.Scheme, req.Host, req.RequestURI, req.Cookies, got, want, checks)
	}
	return res
}
