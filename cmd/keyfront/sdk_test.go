package main_test

import (
	"crypto/rsa"
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
)

// The AWS SDK for Go v2's feature/cloudfront/sign (v1.9.17, pinned in
// go.mod; spec §15) is the always-available oracle: it signs RSA-SHA1 only.
//
// Where its bytes are comparable with keyfront's, they are compared byte
// for byte: canned URLs, and custom policies whose only condition is
// DateLessThan. Where they cannot be (its custom policies order Condition
// members IpAddress, DateGreaterThan, DateLessThan; keyfront and the AWS CLI
// emit DateLessThan, IpAddress, DateGreaterThan; and its cookies always
// carry CloudFront-Policy, never CloudFront-Expires), the SDK's output is
// verified cryptographically with signing.Verify and `keyfront verify`.

const sdkHost = "https://d111111abcdef8.cloudfront.net"

func sdkRSAKey(t *testing.T, k keyPair) *rsa.PrivateKey {
	t.Helper()
	rk, ok := k.signer(t).(*rsa.PrivateKey)
	if !ok {
		t.Fatal("keygen did not make an RSA key")
	}
	return rk
}

// TestSignMatchesAWSSDKCanned compares canned URLs byte for byte.
func TestSignMatchesAWSSDKCanned(t *testing.T) {
	k := newKeyPair(t)
	sdk := sign.NewURLSigner(keyID, sdkRSAKey(t, k))
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		url  string
	}{
		{"plain", sdkHost + "/image.jpg"},
		{"existing query", sdkHost + "/image.jpg?size=large&license=yes"},
		{"percent-encoded path", sdkHost + "/my%20videos/%7Euser/clip.mp4"},
		{"http with port", "http://cdn.example.com:8080/a.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := sdk.Sign(tt.url, expires)
			if err != nil {
				t.Fatal(err)
			}
			got := mustRun(t, "", "sign", "--url", tt.url, "--key-pair-id", keyID, "--private-key", k.priv,
				"--date-less-than", strconv.FormatInt(expires.Unix(), 10))
			if got != want {
				t.Errorf("keyfront sign differs from the SDK's URLSigner.Sign\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

// TestSignMatchesAWSSDKCustom compares custom-policy URLs byte for byte
// where the policy bytes agree (Resource and DateLessThan only, the shape of
// a wildcard grant), and verifies the SDK's other custom URLs.
func TestSignMatchesAWSSDKCustom(t *testing.T) {
	k := newKeyPair(t)
	sdk := sign.NewURLSigner(keyID, sdkRSAKey(t, k))
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

	t.Run("wildcard resource byte-identical", func(t *testing.T) {
		for _, tt := range []struct{ url, pattern string }{
			{sdkHost + "/images/photo1.jpg", sdkHost + "/images/*"},
			{sdkHost + "/images/photo1.jpg?size=large", sdkHost + "/images/*"},
			{sdkHost + "/v/a.m3u8", "https://d111111abcdef8.cloudfront.net/v/?.m3u8"},
		} {
			want, err := sdk.SignWithPolicy(tt.url, sign.NewCannedPolicy(tt.pattern, expires))
			if err != nil {
				t.Fatal(err)
			}
			got := mustRun(t, "", "sign", "--url", tt.url, "--policy-resource", tt.pattern, "--key-pair-id", keyID,
				"--private-key", "file://"+k.priv, "--date-less-than", "2030-01-01")
			if got != want {
				t.Errorf("keyfront sign --policy-resource differs from the SDK's SignWithPolicy\n got: %q\nwant: %q", got, want)
			}
		}
	})

	t.Run("ip and start verified", func(t *testing.T) {
		const u = sdkHost + "/document.pdf?v=2"
		p := &sign.Policy{Statements: []sign.Statement{{
			Resource: u,
			Condition: sign.Condition{
				IPAddress:       &sign.IPAddress{SourceIP: "192.0.2.0/24"},
				DateGreaterThan: sign.NewAWSEpochTime(start),
				DateLessThan:    sign.NewAWSEpochTime(expires),
			},
		}}}
		signed, err := sdk.SignWithPolicy(u, p)
		if err != nil {
			t.Fatal(err)
		}
		mustVerify(t, requestFor(t, signed, nil, now, "192.0.2.7"), k.keys(t))
		out := mustRun(t, "", "verify", signed, "--public-key", k.pub, "--key-pair-id", keyID,
			"--now", now.Format(time.RFC3339), "--viewer-ip", "192.0.2.7")
		if !strings.HasSuffix(out, "would be served\n") {
			t.Errorf("keyfront verify of the SDK's URL:\n%s", out)
		}
		// keyfront's own URL for the same grant carries the same
		// conditions in another member order, and verifies too.
		ours := mustRun(t, "", "sign", "--url", u, "--key-pair-id", keyID, "--private-key", k.priv,
			"--date-less-than", "2030-01-01", "--date-greater-than", "2026-01-01", "--ip-address", "192.0.2.0/24")
		mustVerify(t, requestFor(t, ours, nil, now, "192.0.2.7"), k.keys(t))
	})
}

// TestAWSSDKCookiesVerify checks that cookies made by the SDK's
// CookieSigner are admitted by the edge's verifier, and that keyfront's
// custom cookies carry the same policy and signature as the SDK's for the
// same wildcard grant.
func TestAWSSDKCookiesVerify(t *testing.T) {
	k := newKeyPair(t)
	sdk := sign.NewCookieSigner(keyID, sdkRSAKey(t, k))
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

	header := func(t *testing.T, cookies []*http.Cookie) []string {
		t.Helper()
		var out []string
		for _, c := range cookies {
			out = append(out, c.Name+"="+c.Value)
		}
		return out
	}

	t.Run("canned-shaped policy", func(t *testing.T) {
		const u = sdkHost + "/video.mp4"
		cookies, err := sdk.Sign(u, expires)
		if err != nil {
			t.Fatal(err)
		}
		mustVerify(t, requestFor(t, u, header(t, cookies), now, ""), k.keys(t))
	})

	t.Run("custom policy with wildcard and ip", func(t *testing.T) {
		p := &sign.Policy{Statements: []sign.Statement{{
			Resource: sdkHost + "/private/*",
			Condition: sign.Condition{
				IPAddress:    &sign.IPAddress{SourceIP: "10.0.0.0/8"},
				DateLessThan: sign.NewAWSEpochTime(expires),
			},
		}}}
		cookies, err := sdk.SignWithPolicy(p)
		if err != nil {
			t.Fatal(err)
		}
		mustVerify(t, requestFor(t, sdkHost+"/private/a/b.ts?x=1", header(t, cookies), now, "10.9.8.7"), k.keys(t))
		args := []string{"verify", sdkHost + "/private/a/b.ts", "--public-key", k.pub, "--key-pair-id", keyID,
			"--now", "2027-06-01", "--viewer-ip", "10.9.8.7"}
		for _, c := range header(t, cookies) {
			args = append(args, "--cookie", c)
		}
		if out := mustRun(t, "", args...); !strings.HasSuffix(out, "would be served\n") {
			t.Errorf("keyfront verify of the SDK's cookies:\n%s", out)
		}
	})

	t.Run("wildcard cookies byte-identical", func(t *testing.T) {
		const pattern = sdkHost + "/private/*"
		cookies, err := sdk.SignWithPolicy(sign.NewCannedPolicy(pattern, expires))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, c := range cookies {
			want[c.Name] = c.Value
		}
		out := mustRun(t, "", "sign-cookies", "--resource", pattern, "--key-pair-id", keyID,
			"--private-key", k.priv, "--date-less-than", "2030-01-01")
		var got map[string]string
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("sign-cookies output is not JSON: %v\n%s", err, out)
		}
		if !maps.Equal(got, want) {
			t.Errorf("keyfront sign-cookies differs from the SDK's SignWithPolicy\n got: %v\nwant: %v", got, want)
		}
	})
}
