package main_test

import (
	"path/filepath"
	"strings"
	"testing"

	"keyfront/signing"
)

// TestVerify runs `keyfront verify` on URLs signed by `keyfront sign` and
// on tampered copies: exit 0 and "would be served" for a good one, exit 1
// with the failing check named for the rest.
func TestVerify(t *testing.T) {
	k := newKeyPair(t)
	other := newKeyPair(t)
	signArgs := []string{"--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01"}
	sign := func(u string, extra ...string) string {
		return mustRun(t, "", append(append([]string{"sign", "--url", u}, signArgs...), extra...)...)
	}
	canned := sign(h + "/image.jpg?size=large")
	custom := sign(h+"/document.pdf", "--ip-address", "192.0.2.0/24", "--date-greater-than", "2026-01-01")
	wildcard := sign(h+"/videos/a/b.m3u8", "--policy-resource", h+"/videos/*")
	sha256 := sign(h+"/image.jpg", "--hash-algorithm", "SHA256")
	port := sign("https://cdn.example.com:8443/caf%C3%A9/%7Euser/a%2Fb.txt?q=a+b&r=%41")

	cookieOut := mustRun(t, "", "sign-cookies", "--resource", h+"/private/*", "--key-pair-id", keyID, "--private-key", k.priv,
		"--date-less-than", "2030-01-01", "--output", "set-cookie")
	var cookieArgs []string
	for _, line := range strings.Split(strings.TrimSpace(cookieOut), "\n") {
		v, _, _ := strings.Cut(strings.TrimPrefix(line, "Set-Cookie: "), ";")
		cookieArgs = append(cookieArgs, "--cookie", v)
	}

	// Tampering: one character of the signature, the path, the expiry.
	flipped := flipSignature(t, canned)
	otherPath := strings.Replace(canned, "/image.jpg", "/imagf.jpg", 1)
	laterExpiry := strings.Replace(canned, "Expires=1893456000", "Expires=1893456001", 1)
	sha1Claimed := strings.TrimSuffix(sha256, "&Hash-Algorithm=SHA256")

	key := []string{"--public-key", k.pub, "--key-pair-id", keyID, "--now", "2027-01-01"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // lines (or parts) stdout must contain
	}{
		{"canned", append([]string{canned}, key...), 0, []string{"ok   signature:", "ok   expiry:", "would be served\n"}},
		{"custom inside range", append([]string{custom, "--viewer-ip", "192.0.2.99"}, key...), 0, []string{"ok   ip-address:", "ok   start:", "would be served"}},
		{"wildcard policy", append([]string{wildcard}, key...), 0, []string{"ok   resource:", "would be served"}},
		{"sha256", append([]string{sha256}, key...), 0, []string{"ok   hash-algorithm: SHA256", "would be served"}},
		{"raw bytes and port kept", append([]string{port}, key...), 0, []string{"would be served"}},
		{"url after flags", append(append([]string{}, key...), canned), 0, []string{"would be served"}},
		{"signed cookies", append(append([]string{h + "/private/x/y.ts?seg=1"}, cookieArgs...), key...), 0,
			[]string{"ok   mode: signed cookies", "would be served"}},
		{"public key as file URL", []string{canned, "--public-key", "file://" + k.pub, "--key-pair-id", keyID, "--now", "2027-01-01"}, 0,
			[]string{"would be served"}},

		{"expired", []string{canned, "--public-key", k.pub, "--key-pair-id", keyID, "--now", "2030-01-01T00:00:01"}, 1,
			[]string{"FAIL expiry: expired at 2030-01-01T00:00:00Z", "refused: 403 AccessDenied (expired)\n"}},
		{"expires exactly now", []string{canned, "--public-key", k.pub, "--key-pair-id", keyID, "--now", "1893456000"}, 1,
			[]string{"FAIL expiry:", "refused: 403 AccessDenied (expired)"}},
		{"not yet valid", []string{custom, "--viewer-ip", "192.0.2.99", "--public-key", k.pub, "--key-pair-id", keyID, "--now", "2025-12-31"}, 1,
			[]string{"FAIL start:", "refused: 403 AccessDenied (not_yet_valid)"}},
		{"wrong key", []string{canned, "--public-key", other.pub, "--key-pair-id", keyID, "--now", "2027-01-01"}, 1,
			[]string{"FAIL signature:", "refused: 403 AccessDenied (signature_mismatch)"}},
		{"unknown key id", []string{canned, "--public-key", k.pub, "--key-pair-id", "KOTHERKEY", "--now", "2027-01-01"}, 1,
			[]string{"FAIL key:", "refused: 403 InvalidKey (key_unknown)"}},
		{"tampered signature", append([]string{flipped}, key...), 1, []string{"FAIL signature:", "AccessDenied"}},
		{"tampered path", append([]string{otherPath}, key...), 1, []string{"FAIL signature:", "(signature_mismatch)"}},
		{"tampered expiry", append([]string{laterExpiry}, key...), 1, []string{"FAIL signature:", "(signature_mismatch)"}},
		{"hash algorithm dropped", append([]string{sha1Claimed}, key...), 1, []string{"FAIL signature:", "SHA256"}},
		{"ip mismatch", append([]string{custom, "--viewer-ip", "198.51.100.7"}, key...), 1,
			[]string{"FAIL ip-address: viewer address 198.51.100.7", "refused: 403 AccessDenied (ip_mismatch)"}},
		{"ip unknown", append([]string{custom}, key...), 1, []string{"FAIL ip-address:", "(ip_mismatch)"}},
		{"wildcard outside pattern", append([]string{strings.Replace(wildcard, "/videos/", "/audio/", 1)}, key...), 1,
			[]string{"FAIL resource:", "(resource_mismatch)"}},
		{"cookies outside resource", append(append([]string{h + "/public/x.ts"}, cookieArgs...), key...), 1,
			[]string{"FAIL resource:", "(resource_mismatch)"}},
		{"no signature at all", append([]string{h + "/image.jpg"}, key...), 1,
			[]string{"FAIL key-pair-id:", "refused: 403 MissingKey (key_id_missing)"}},
		{"malformed signature", append([]string{h + "/a.jpg?Expires=1893456000&Signature=%25%25%25&Key-Pair-Id=" + keyID}, key...), 1,
			[]string{"refused: 403 MalformedSignature"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", append([]string{"verify"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr %q, want nothing: a refusal is a verdict, not an error", r.stderr)
			}
			// Every check is one line, and the verdict is the last.
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			last := lines[len(lines)-1]
			if last != "would be served" && !strings.HasPrefix(last, "refused: 403 ") {
				t.Errorf("last line %q is not a verdict", last)
			}
			if fails := strings.Count(r.stdout, "\nFAIL "); fails > 1 || (fails == 1) != (tt.wantCode == 1) {
				t.Errorf("%d FAIL lines with exit %d:\n%s", fails, r.code, r.stdout)
			}
		})
	}
}

// flipSignature changes one character in the middle of a URL's Signature.
func flipSignature(t *testing.T, u string) string {
	t.Helper()
	i := strings.Index(u, "Signature=")
	if i < 0 {
		t.Fatalf("no Signature in %s", u)
	}
	j := i + len("Signature=") + 20
	c := byte('A')
	if u[j] == 'A' {
		c = 'B'
	}
	return u[:j] + string(c) + u[j+1:]
}

// TestVerifySpecVectors runs `keyfront verify` on the published vectors of
// spec §17, made by the AWS CLI's and SDKs' test suites with their test
// keys, at the spec's now = 1767290000.
func TestVerifySpecVectors(t *testing.T) {
	const (
		rsaPub = "testdata/verify/test-rsa-key-public.pem"
		ecPub  = "testdata/verify/test-ecdsa-key-public.pem"
		tail   = "&Key-Pair-Id=K1TESTKEY"
	)
	p1 := `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/video.mp4","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"DateGreaterThan":{"AWS:EpochTime":1767200000}}}]}`
	p2 := `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/document.pdf","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"IpAddress":{"AWS:SourceIp":"192.168.0.0/24"}}}]}`
	wild := string(signing.CannedPolicy(h+"/images/*", 1767290400))
	b64 := func(s string) string { return signing.EncodeBase64([]byte(s)) }

	tests := []struct {
		name     string
		url      string
		keyFile  string
		keyID    string
		extra    []string
		wantCode int
		want     string
	}{
		{"canned-policy-url-basic", h + "/image.jpg?Expires=1767290400&Signature=iONoMLnhiCy9q1~WB9GkR2DiHz18I85i3o6kZ64REf-fCSOg-AyXEZiq7fJuS~DT-kbZXjVpgIQqI4sCTcBW9XpO6dyJ5sh8Igk3V~OVncS9acGVnI~ZhHBWiGhU8GmkEMAhn6R2RGO-wKGClrXdJGEUE26XoALdHUzHbmU6AGI_" + tail,
			rsaPub, "K1TESTKEY", nil, 0, "would be served"},
		{"canned-policy-url-basic-sha256", h + "/image.jpg?Expires=1767290400&Signature=LiC~LakvNvZtR~AsTcirQ0CAsy-YIZmpHmI9uImK4xJmrhVdJULhWmRt3bXO7qqw2gJDECZN-xC~bKWEKcJ9Vgs1IgpRdMkY6XGDKZ1XHBdNbd~0v5UiRf4zXwVMRqoynkQPQcihkze7RkDBsOoYHh9jDdtO1iDm0QZ1Qp~cxro_" + tail + "&Hash-Algorithm=SHA256",
			rsaPub, "K1TESTKEY", nil, 0, "would be served"},
		{"canned-policy-url-existing-params", h + "/image.jpg?size=large&Expires=1767290400&Signature=kx5dxV5cSW50EuCMtYi9JI0D5H97if~zNqwKxZtS7FPc3NV5oi~zCb45ti8ve-YDYw45hzN4lceF6zhW~STVWa7r7fC9wi5XBG1T6ZT2b9R0wMWmGxsy9uVGXFn6JqcjQMsq09MnWrPezK0qFQ2X6pV1nGQqLQZ2sgO~FSlEoCo_" + tail,
			rsaPub, "K1TESTKEY", nil, 0, "would be served"},
		{"custom-policy-url-with-active-date", h + "/video.mp4?Policy=" + b64(p1) + "&Signature=aF0WSOV6dkNn-D0HJ~-EwLG69-4QZZ9dv1PgAZEsER~WXkaNa1pBM2aTVXrskBWVHUU6hc1nD6ZKYgBS5Sb9JluFVT0MbQWR~DrtUGu8ugCsnfzUe6ov38nFPBwQICY~jnoQZEXxO2ZkQrluOO4~jWOpqAGrCw5tkdHAnb9gHYQ_" + tail,
			rsaPub, "K1TESTKEY", nil, 0, "would be served"},
		{"custom-policy-url-with-ip-range inside", h + "/document.pdf?Policy=" + b64(p2) + "&Signature=fq~vePR~kmc5kWDveZOJ3j6PSYRsHSSanN1shBBpj2rQwvVQPU8e9MRwUDizOYHLnuAXQG89Xm7kXL03HIX0uzELcY2Q6Bw68BcGQHq-nyC2U6h0Uv277pg~FIwatR84y1FZiswIVmZwfPmpkvR0X~1skuooCPGiztAXREe-hsg_" + tail,
			rsaPub, "K1TESTKEY", []string{"--viewer-ip", "192.168.0.7"}, 0, "would be served"},
		{"custom-policy-url-with-ip-range outside", h + "/document.pdf?Policy=" + b64(p2) + "&Signature=fq~vePR~kmc5kWDveZOJ3j6PSYRsHSSanN1shBBpj2rQwvVQPU8e9MRwUDizOYHLnuAXQG89Xm7kXL03HIX0uzELcY2Q6Bw68BcGQHq-nyC2U6h0Uv277pg~FIwatR84y1FZiswIVmZwfPmpkvR0X~1skuooCPGiztAXREe-hsg_" + tail,
			rsaPub, "K1TESTKEY", []string{"--viewer-ip", "192.168.1.7"}, 1, "refused: 403 AccessDenied (ip_mismatch)"},
		{"custom-policy-url-with-wildcard", h + "/images/photo1.jpg?Policy=" + b64(wild) + "&Signature=nP~GtuBVUSEUDMXW1ZTGTx~BUQfjl7FsWBQBKwnTNhHlBAeYlzdbMGMphViPQbjawdYt1Z~iBHDr0ctooQyhEdsXwZPQKmRJQm3yIxmbvnuCzB2qdMDVGRKH8l3PnfAJErrgUVIzb6m3KUdtIDvSkLV~Mb0tyQJwZ6QE4BdlEmQ_" + tail,
			rsaPub, "K1TESTKEY", nil, 0, "would be served"},
		{"custom-policy-cookies", h + "/any/thing.ts", rsaPub, "K1TESTKEY", []string{"--viewer-ip", "10.1.2.3",
			"--cookie", "CloudFront-Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMTExMTExYWJjZGVmOC5jbG91ZGZyb250Lm5ldC8qIiwiQ29uZGl0aW9uIjp7IkRhdGVMZXNzVGhhbiI6eyJBV1M6RXBvY2hUaW1lIjoxNzY3MjkwNDAwfSwiSXBBZGRyZXNzIjp7IkFXUzpTb3VyY2VJcCI6IjEwLjAuMC4wLzgifX19XX0_",
			"--cookie", "CloudFront-Signature=r28Jnd0t9aq7cu0k9jGWl4L0YsRxgueZtGRw5oEEspU9-eIPGM~ZGMQh36~5HpKC5c67cZjDgJcsqrCacmTHMZZx613gbeYAsx2-hEatU8URiuNHnVp4hPV3HqtbuZ6Din9iEZUpOBYVg6DWGEFJRCQ7SPouBhhJdYDZZOPHGpA_",
			"--cookie", "CloudFront-Key-Pair-Id=K1TESTKEY"}, 0, "would be served"},
		{"ecdsa-canned-policy-url", h + "/video.mp4?Expires=1767290400&Signature=MEQCIDS3JTjLLIRne5G3fDjf6MwgCmckmYVlJhqGVMl0Q4reAiBjXw1FMf9j03wqAHeE4LfRPjOVkp-jWhmDfHVwd7kkpA__&Key-Pair-Id=K2ECDSATEST",
			ecPub, "K2ECDSATEST", nil, 0, "would be served"},
		{"canned at expiry", h + "/image.jpg?Expires=1767290400&Signature=iONoMLnhiCy9q1~WB9GkR2DiHz18I85i3o6kZ64REf-fCSOg-AyXEZiq7fJuS~DT-kbZXjVpgIQqI4sCTcBW9XpO6dyJ5sh8Igk3V~OVncS9acGVnI~ZhHBWiGhU8GmkEMAhn6R2RGO-wKGClrXdJGEUE26XoALdHUzHbmU6AGI_" + tail,
			rsaPub, "K1TESTKEY", []string{"--now", "1767290400"}, 1, "refused: 403 AccessDenied (expired)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", tt.url, "--public-key", filepath.FromSlash(tt.keyFile), "--key-pair-id", tt.keyID,
				"--now", "1767290000"}, tt.extra...)
			r := run(t, "", args...)
			if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("exit %d (want %d), stdout lacks %q?\n%s%s", r.code, tt.wantCode, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	k := newKeyPair(t)
	const u = h + "/a.jpg?Expires=1893456000&Signature=abc&Key-Pair-Id=" + keyID
	key := []string{"--public-key", k.pub, "--key-pair-id", keyID}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", key, "missing the URL to verify"},
		{"two urls", append([]string{u, u}, key...), "unexpected argument"},
		{"endpoint and public key", append([]string{u, "--endpoint", "http://127.0.0.1:7081"}, key...), "mutually exclusive"},
		{"method without endpoint", append([]string{u, "--method", "POST"}, key...), "--method needs --endpoint"},
		{"no public key", []string{u, "--key-pair-id", keyID}, "the following arguments are required: --public-key"},
		{"no key pair id", []string{u, "--public-key", k.pub}, "the following arguments are required: --key-pair-id"},
		{"relative url", append([]string{"/a.jpg"}, key...), "must be absolute"},
		{"ftp url", append([]string{"ftp://example.com/a"}, key...), "must start with https:// or http://"},
		{"no host", append([]string{"https:///a.jpg"}, key...), "has no host"},
		{"bad now", append([]string{u, "--now", "yesterday"}, key...), `--now "yesterday" is not a date`},
		{"bad viewer ip", append([]string{u, "--viewer-ip", "10.0.0"}, key...), `--viewer-ip "10.0.0" is not an IP address`},
		{"cookie without value", append([]string{u, "--cookie", "CloudFront-Policy"}, key...), "is not NAME=VALUE"},
		{"public key missing", []string{u, "--public-key", "/nonexistent/pub.pem", "--key-pair-id", keyID}, "does not exist"},
		{"private key as public key", []string{u, "--public-key", k.priv, "--key-pair-id", keyID}, "found a private key where a public key was expected"},
		{"unknown flag", append([]string{u, "--verbose"}, key...), "unknown flag --verbose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFailure(t, run(t, "", append([]string{"verify"}, tt.args...)...), 2, tt.want)
		})
	}
}
