package signing_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"

	"keyfront/signing"
)

// Cross-checks with aws-sdk-go-v2 feature/cloudfront/sign v1.9.17, the
// compatibility reference of §15 (RSA or ECDSA with SHA-1 only).

// With the same RSA-2048 key and inputs, the SDK's canned URL and ours are
// byte-identical (issue 2 acceptance).
func TestSDKCannedURLIdentical(t *testing.T) {
	sdk := sign.NewURLSigner(rsaKeyID, testRSAKey())
	ours := newSigner(t, testRSAKey(), signing.SHA1)
	for _, u := range []string{
		vecH + "/image.jpg",
		vecH + "/image.jpg?size=large",
		vecH + "/a/b%20c.mp4?x=1&y=2&z=%7E",
		"http://cdn.example.com:8080/p",
		vecH + "/",
	} {
		for _, exp := range []time.Time{testExpiry, time.Unix(vecExpires, 0), time.Unix(2147483648, 0)} {
			want, err := sdk.Sign(u, exp)
			if err != nil {
				t.Fatalf("SDK Sign(%s): %v", u, err)
			}
			got := signURL(t, ours, u, signing.Terms{DateLessThan: exp})
			if got != want {
				t.Errorf("SignURL(%s, %d) =\n%s\nSDK:\n%s", u, exp.Unix(), got, want)
			}
			req := request(t, got)
			req.Now = exp.Add(-time.Second)
			wantVerdict(t, req, testKeys(), ok)
		}
	}
}

// The SDK's custom-policy URLs (its own member order) verify with ours.
func TestSDKCustomURLVerifies(t *testing.T) {
	start := testNow.Add(-time.Minute)
	tests := []struct {
		name   string
		url    string
		policy *sign.Policy
		req    string // request URL, if not url
		ip     string
	}{
		{"start", site + "/a.jpg", sdkPolicy(site+"/a.jpg", testExpiry, &start, ""), "", ""},
		{"IP", site + "/a.jpg?x=1", sdkPolicy(site+"/a.jpg?x=1", testExpiry, nil, "192.0.2.0/24"), "", "192.0.2.9"},
		{"wildcard", site + "/media/a.jpg", sdkPolicy(site+"/media/*", testExpiry, nil, ""), "", ""},
		{"everything", site + "/media/a.jpg", sdkPolicy("https://*.cloudfront.net/media/*", testExpiry, &start, "192.0.2.9/32"), "", "192.0.2.9"},
		{"canned shape", site + "/a.jpg", sign.NewCannedPolicy(site+"/a.jpg", testExpiry), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := sign.NewURLSigner(rsaKeyID, testRSAKey()).SignWithPolicy(tt.url, tt.policy)
			if err != nil {
				t.Fatalf("SDK SignWithPolicy: %v", err)
			}
			if !strings.Contains(u, "?Policy=") && !strings.Contains(u, "&Policy=") {
				t.Fatalf("SDK URL %s has no Policy", u)
			}
			req := request(t, u)
			if tt.ip != "" {
				withIP(req, tt.ip)
			}
			wantVerdict(t, req, testKeys(), ok)
			// And outside the window, it is refused like ours.
			req.Now = testExpiry
			wantVerdict(t, req, testKeys(), denied(signing.ReasonExpired))
		})
	}
}

// The SDK signs with any crypto.Signer and SHA-1: an ECDSA SHA-1 URL, which
// the edge must accept (§9).
func TestSDKECDSASHA1Verifies(t *testing.T) {
	u, err := sign.NewURLSigner(ecKeyID, testECKey()).Sign(site+"/video.mp4", testExpiry)
	if err != nil {
		t.Fatalf("SDK Sign: %v", err)
	}
	res := wantVerdict(t, request(t, u), testKeys(), ok)
	if res.Hash != signing.SHA1 {
		t.Errorf("Hash = %v, want SHA1", res.Hash)
	}
}

// The SDK's cookies: CookieSigner.Sign sends a canned-shaped policy as
// CloudFront-Policy (§2.2, §15), which is a custom policy to the edge.
func TestSDKCookiesVerify(t *testing.T) {
	cs := sign.NewCookieSigner(rsaKeyID, testRSAKey())
	canned, err := cs.Sign(site+"/a.jpg", testExpiry)
	if err != nil {
		t.Fatal(err)
	}
	if canned[0].Name != "CloudFront-Policy" {
		t.Fatalf("SDK canned cookie is %s, want CloudFront-Policy", canned[0].Name)
	}
	wild, err := cs.SignWithPolicy(sdkPolicy(site+"/media/*", testExpiry, nil, "192.0.2.0/24"))
	if err != nil {
		t.Fatal(err)
	}
	header := func(cs []*http.Cookie) string {
		var parts []string
		for _, c := range cs {
			parts = append(parts, c.Name+"="+c.Value)
		}
		return strings.Join(parts, "; ")
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"Sign", request(t, site+"/a.jpg", header(canned)), ok},
		{"Sign, other URL", request(t, site+"/b.jpg", header(canned)), denied(signing.ReasonResourceMismatch)},
		{"SignWithPolicy", withIP(request(t, site+"/media/x/y.mp4?t=1", header(wild)), "192.0.2.1"), ok},
		{"SignWithPolicy, other IP", withIP(request(t, site+"/media/x.mp4", header(wild)), "198.51.100.1"), denied(signing.ReasonIPMismatch)},
	})
	// And what a browser would send back from the SDK's Set-Cookie lines.
	var sent []string
	for _, c := range canned {
		parsed, err := http.ParseSetCookie(c.String())
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, parsed.Name+"="+parsed.Value)
	}
	wantVerdict(t, request(t, site+"/a.jpg", strings.Join(sent, "; ")), testKeys(), ok)
}

func sdkPolicy(resource string, dlt time.Time, dgt *time.Time, ip string) *sign.Policy {
	p := &sign.Policy{Statements: []sign.Statement{{
		Resource:  resource,
		Condition: sign.Condition{DateLessThan: sign.NewAWSEpochTime(dlt)},
	}}}
	if dgt != nil {
		p.Statements[0].Condition.DateGreaterThan = sign.NewAWSEpochTime(*dgt)
	}
	if ip != "" {
		p.Statements[0].Condition.IPAddress = &sign.IPAddress{SourceIP: ip}
	}
	return p
}
