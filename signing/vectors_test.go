package signing_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

// The published test vectors of spec §17, from the AWS CLI's shared
// CloudFront signing test cases [cli-vec] and smithy-rs [rs-sign].

// vecH is the distribution URL of every vector.
const vecH = "https://d111111abcdef8.cloudfront.net"

// vecExpires is E of §17; vecNow is the clock of its derived edge cases.
const (
	vecExpires = 1767290400
	vecNow     = 1767290000
)

// The public keys of §17: RSA-1024 K1TESTKEY and ECDSA P-256 K2ECDSATEST.
const (
	vecRSAPublicKey = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9V3AbaAks3cqqpghX4dF3i4rg
rZROm11G7HAG5ewFCEs20DSs4DtRcEQQzHXX2MjkP9pwz8y4YACthCr/nRIuP2BH
S4NnGzmsY34Up+snMDPgudNi7PwrcRyAnKrOHELOwU5RX5N9oMuzqpC0207bSBjF
mrAQEBy4WyWbLQ6drwIDAQAB
-----END PUBLIC KEY-----
`
	vecECPublicKey = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEu9ASuRjljtB5UHKHZcGDihuOTYO3
HWoCGMkYGVBCHd4LBWONyrUD3ICi1ENTTzicrhXGArZIuOtFLDldU4U8Tw==
-----END PUBLIC KEY-----
`
)

// The custom policies of §17, exact bytes.
const (
	vecP1 = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/video.mp4","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"DateGreaterThan":{"AWS:EpochTime":1767200000}}}]}`
	vecP2 = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/document.pdf","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"IpAddress":{"AWS:SourceIp":"192.168.0.0/24"}}}]}`
	vecP3 = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}`
	vecP4 = `{"Statement":[{"Resource":"https://example.com/file\",\"Resource\":\"*\",\"x\":\"","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`

	// vecP3Cookie is P3's CloudFront-Policy value as §17 publishes it.
	vecP3Cookie = `eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMTExMTExYWJjZGVmOC5jbG91ZGZyb250Lm5ldC8qIiwiQ29uZGl0aW9uIjp7IkRhdGVMZXNzVGhhbiI6eyJBV1M6RXBvY2hUaW1lIjoxNzY3MjkwNDAwfSwiSXBBZGRyZXNzIjp7IkFXUzpTb3VyY2VJcCI6IjEwLjAuMC4wLzgifX19XX0_`
)

// vector is one row of the §17 table.
type vector struct {
	id     string
	keyID  string
	sha256 bool
	// expires is set for a canned policy: the request carries Expires and
	// the edge rebuilds canned(url).
	canned bool
	// policy is the custom policy's exact bytes.
	policy string
	// url is the request URL the derived edge case serves with 200.
	url string
	// viewer is an address inside the policy's IP range.
	viewer string
	sig    string
}

var vectors = []vector{
	{id: "canned-policy-url-basic", keyID: "K1TESTKEY", canned: true, url: vecH + "/image.jpg",
		sig: "iONoMLnhiCy9q1~WB9GkR2DiHz18I85i3o6kZ64REf-fCSOg-AyXEZiq7fJuS~DT-kbZXjVpgIQqI4sCTcBW9XpO6dyJ5sh8Igk3V~OVncS9acGVnI~ZhHBWiGhU8GmkEMAhn6R2RGO-wKGClrXdJGEUE26XoALdHUzHbmU6AGI_"},
	{id: "canned-policy-url-basic-sha256", keyID: "K1TESTKEY", sha256: true, canned: true, url: vecH + "/image.jpg",
		sig: "LiC~LakvNvZtR~AsTcirQ0CAsy-YIZmpHmI9uImK4xJmrhVdJULhWmRt3bXO7qqw2gJDECZN-xC~bKWEKcJ9Vgs1IgpRdMkY6XGDKZ1XHBdNbd~0v5UiRf4zXwVMRqoynkQPQcihkze7RkDBsOoYHh9jDdtO1iDm0QZ1Qp~cxro_"},
	{id: "canned-policy-url-existing-params", keyID: "K1TESTKEY", canned: true, url: vecH + "/image.jpg?size=large",
		sig: "kx5dxV5cSW50EuCMtYi9JI0D5H97if~zNqwKxZtS7FPc3NV5oi~zCb45ti8ve-YDYw45hzN4lceF6zhW~STVWa7r7fC9wi5XBG1T6ZT2b9R0wMWmGxsy9uVGXFn6JqcjQMsq09MnWrPezK0qFQ2X6pV1nGQqLQZ2sgO~FSlEoCo_"},
	{id: "canned-policy-url-existing-params-sha256", keyID: "K1TESTKEY", sha256: true, canned: true, url: vecH + "/image.jpg?size=large",
		sig: "g8vzqbTu5PxBzAXD3zowGFNHNlyaGZn7thMiCk27sTfvdy5CMAbECVz-aucgqrKYmqsz1xY7ZoxoMxOizzXWzfzTyJ6k38YwW6QMyJWT7B8pHStQrq0DGFSCnXqgRDXUDzkpIe8mHqyRWtgnFbdFQlbPweykfl7Eo4RJadveryQ_"},
	{id: "custom-policy-url-with-active-date", keyID: "K1TESTKEY", policy: vecP1, url: vecH + "/video.mp4",
		sig: "aF0WSOV6dkNn-D0HJ~-EwLG69-4QZZ9dv1PgAZEsER~WXkaNa1pBM2aTVXrskBWVHUU6hc1nD6ZKYgBS5Sb9JluFVT0MbQWR~DrtUGu8ugCsnfzUe6ov38nFPBwQICY~jnoQZEXxO2ZkQrluOO4~jWOpqAGrCw5tkdHAnb9gHYQ_"},
	{id: "custom-policy-url-with-active-date-sha256", keyID: "K1TESTKEY", sha256: true, policy: vecP1, url: vecH + "/video.mp4",
		sig: "RKoXpBb3IFyONXBnGGPj6021LmYyaphTYom0DsDID20xlCaK8gvNpcbYw493LloPhtDdGTdyadyuR59ok8eSPpJReRGbHbw8FDjGSXE9JWsVayzI7t7ZPGfPtKgK~ij0AekXDNQNFNUdwuSE0aR5nQmuPhw7CfDHCMpTWmoKPgE_"},
	{id: "custom-policy-url-with-ip-range", keyID: "K1TESTKEY", policy: vecP2, url: vecH + "/document.pdf", viewer: "192.168.0.7",
		sig: "fq~vePR~kmc5kWDveZOJ3j6PSYRsHSSanN1shBBpj2rQwvVQPU8e9MRwUDizOYHLnuAXQG89Xm7kXL03HIX0uzELcY2Q6Bw68BcGQHq-nyC2U6h0Uv277pg~FIwatR84y1FZiswIVmZwfPmpkvR0X~1skuooCPGiztAXREe-hsg_"},
	{id: "custom-policy-url-with-ip-range-sha256", keyID: "K1TESTKEY", sha256: true, policy: vecP2, url: vecH + "/document.pdf", viewer: "192.168.0.7",
		sig: "aKDzeIIfHviQRbCu9jxlFpOenTNQHMnt8HL2V2cqYP0vqc-KpRBuez2k4LZAzmfH0sIiQuDMZZc1D149XYRVAjEZoqr3vzGzWmrpzZJV-CSHs-Scau1cCNdVXqswj~QX8SzOZtGsRSKb4bomqOWxSIUu~Sybjf5b12GXBcYRCH4_"},
	{id: "custom-policy-url-with-wildcard", keyID: "K1TESTKEY", policy: string(signing.CannedPolicy(vecH+"/images/*", vecExpires)), url: vecH + "/images/photo1.jpg",
		sig: "nP~GtuBVUSEUDMXW1ZTGTx~BUQfjl7FsWBQBKwnTNhHlBAeYlzdbMGMphViPQbjawdYt1Z~iBHDr0ctooQyhEdsXwZPQKmRJQm3yIxmbvnuCzB2qdMDVGRKH8l3PnfAJErrgUVIzb6m3KUdtIDvSkLV~Mb0tyQJwZ6QE4BdlEmQ_"},
	{id: "custom-policy-url-with-wildcard-sha256", keyID: "K1TESTKEY", sha256: true, policy: string(signing.CannedPolicy(vecH+"/images/*", vecExpires)), url: vecH + "/images/photo1.jpg",
		sig: "FoaoRDqA7H91xD8CL2zk2Ztm6WVx3kIunCdqvzwMCUdsduwVWEH8elbBZc2qqWy3ZixDBBEHegeJnZbgp~nHTsYtr~jv6R-8~BnmmvH3KNyjH7wgyKKtzKpteNXYacWgHYabkoreyHC4ek~JMjGo1o0gTiIeL8YCV3ueKK3Lqtk_"},
	{id: "custom-policy-cookies", keyID: "K1TESTKEY", policy: vecP3, url: vecH + "/private/index.html", viewer: "10.1.2.3",
		sig: "r28Jnd0t9aq7cu0k9jGWl4L0YsRxgueZtGRw5oEEspU9-eIPGM~ZGMQh36~5HpKC5c67cZjDgJcsqrCacmTHMZZx613gbeYAsx2-hEatU8URiuNHnVp4hPV3HqtbuZ6Din9iEZUpOBYVg6DWGEFJRCQ7SPouBhhJdYDZZOPHGpA_"},
	{id: "custom-policy-cookies-sha256", keyID: "K1TESTKEY", sha256: true, policy: vecP3, url: vecH + "/private/index.html", viewer: "10.1.2.3",
		sig: "OzeonPh-NS8g3trdsFAo5LrMBEx1ef05GvdmWuLai6AaBLP63PVJRUGySYmGfQ-NqQ02geWzo7aZS7XFtkr4X1z9VTbQMfmzZftbuRXoP5ZDhFzVnSX3DeoEW8jP3BrOLHJsKwFCY5alIR4zO6LpqFmR5vVmqMYpRcbafg3~X18_"},
	{id: "ecdsa-canned-policy-url", keyID: "K2ECDSATEST", canned: true, url: vecH + "/video.mp4",
		sig: "MEQCIDS3JTjLLIRne5G3fDjf6MwgCmckmYVlJhqGVMl0Q4reAiBjXw1FMf9j03wqAHeE4LfRPjOVkp-jWhmDfHVwd7kkpA__"},
}

// vecP4Sig is json-injection-resource-url's signature over P4.
const vecP4Sig = "MNP0XV-bmzo5xrYyBU8m8mR3Yd0XdoB6UFAjxEt2R4VaNYtgvVYyIuI9hzD7KXX-GdBJUyqWG7wQIUJeBbEhPz7WzGKhlM1NqRW9EPGK-BwYjiLfDagfv-SHjOvIvNaWAhkaAkAlDJQ7qwzbogLAEsxboR9Ae47b6sSqBPxognM_"

func vecKeys(tb testing.TB) signing.KeyMap {
	tb.Helper()
	rsaPub, err := signing.ParsePublicKey([]byte(vecRSAPublicKey))
	if err != nil {
		tb.Fatalf("ParsePublicKey(K1TESTKEY): %v", err)
	}
	ecPub, err := signing.ParsePublicKey([]byte(vecECPublicKey))
	if err != nil {
		tb.Fatalf("ParsePublicKey(K2ECDSATEST): %v", err)
	}
	return signing.KeyMap{"K1TESTKEY": rsaPub, "K2ECDSATEST": ecPub}
}

// urlParams returns the signing parameters of v in the emitted order
// (§14.2): Expires|Policy, Signature, Key-Pair-Id, Hash-Algorithm.
func (v vector) urlParams(sig, keyID string) string {
	var b strings.Builder
	if v.canned {
		b.WriteString("Expires=1767290400")
	} else {
		b.WriteString("Policy=" + signing.EncodeBase64([]byte(v.policy)))
	}
	b.WriteString("&Signature=" + sig + "&Key-Pair-Id=" + keyID)
	if v.sha256 {
		b.WriteString("&Hash-Algorithm=SHA256")
	}
	return b.String()
}

// signedURL is the vector's request as a signed URL.
func (v vector) signedURL() string { return v.signedURLWith(v.url, v.sig, v.keyID) }

func (v vector) signedURLWith(rawURL, sig, keyID string) string {
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	return rawURL + sep + v.urlParams(sig, keyID)
}

// cookies is the vector as signed cookies (§2.2, §17 expected cookie sets).
func (v vector) cookies() string {
	var c []signing.Cookie
	if v.canned {
		c = append(c, signing.Cookie{Name: signing.CookieExpires, Value: "1767290400"})
	} else {
		c = append(c, signing.Cookie{Name: signing.CookiePolicy, Value: signing.EncodeBase64([]byte(v.policy))})
	}
	c = append(c, signing.Cookie{Name: signing.CookieSignature, Value: v.sig}, signing.Cookie{Name: signing.CookieKeyPairID, Value: v.keyID})
	if v.sha256 {
		c = append(c, signing.Cookie{Name: signing.CookieHashAlgorithm, Value: "SHA256"})
	}
	return cookieHeader(c)
}

// at sets the request's clock and viewer for the derived edge cases.
func (v vector) at(req *signing.Request, now int64) *signing.Request {
	req.Now = time.Unix(now, 0)
	if v.viewer != "" {
		req.ViewerIP = netip.MustParseAddr(v.viewer)
	}
	return req
}

func TestVectorKeys(t *testing.T) {
	keys := vecKeys(t)
	if got, want := signing.DescribeKey(keys["K1TESTKEY"]), "RSA-1024"; got != want {
		t.Errorf("K1TESTKEY is %s, want %s", got, want)
	}
	if got, want := signing.DescribeKey(keys["K2ECDSATEST"]), "ECDSA P-256"; got != want {
		t.Errorf("K2ECDSATEST is %s, want %s", got, want)
	}
}

func TestVectorP3CookieValue(t *testing.T) {
	if got, want := signing.EncodeBase64([]byte(vecP3)), vecP3Cookie; got != want {
		t.Errorf("EncodeBase64(P3) = %s, want %s", got, want)
	}
	raw, err := signing.DecodeBase64(vecP3Cookie)
	if err != nil || string(raw) != vecP3 {
		t.Errorf("DecodeBase64(P3 cookie) = %q, %v; want P3", raw, err)
	}
}

// Every published vector verifies, as a signed URL and as signed cookies
// (§17 "Edge test cases to derive": served with 200 when the request URL
// equals the resource and the viewer is inside the IP range).
func TestVectorsVerify(t *testing.T) {
	keys := vecKeys(t)
	for _, v := range vectors {
		t.Run(v.id+"/url", func(t *testing.T) {
			res := wantVerdict(t, v.at(request(t, v.signedURL()), vecNow), keys, ok)
			if got, want := res.Mode, signing.ModeURL; got != want {
				t.Errorf("Mode = %v, want %v", got, want)
			}
			wantHash := signing.SHA1
			if v.sha256 {
				wantHash = signing.SHA256
			}
			if res.Hash != wantHash || res.Canned != v.canned || res.KeyPairID != v.keyID {
				t.Errorf("Result = hash %v canned %v key %q, want %v %v %q", res.Hash, res.Canned, res.KeyPairID, wantHash, v.canned, v.keyID)
			}
			if got, want := res.Expires(), time.Unix(vecExpires, 0).UTC(); !got.Equal(want) {
				t.Errorf("Expires() = %v, want %v", got, want)
			}
			_, wantQuery, _ := strings.Cut(v.url, "?")
			if res.Query != wantQuery {
				t.Errorf("Query = %q, want %q (signing parameters stripped)", res.Query, wantQuery)
			}
			if v.canned {
				if got, want := string(signing.CannedPolicy(res.Resource, vecExpires)), string(signing.CannedPolicy(v.url, vecExpires)); got != want {
					t.Errorf("rebuilt canned policy %s, want %s", got, want)
				}
			}
		})
		t.Run(v.id+"/cookies", func(t *testing.T) {
			res := wantVerdict(t, v.at(request(t, v.url, v.cookies()), vecNow), keys, ok)
			if got, want := res.Mode, signing.ModeCookies; got != want {
				t.Errorf("Mode = %v, want %v", got, want)
			}
		})
	}
}

// The derived edge cases of §17 that fail.
func TestVectorsDerivedRejections(t *testing.T) {
	keys := vecKeys(t)
	p1, p2 := vectors[4], vectors[6]
	if p1.policy != vecP1 || p2.policy != vecP2 {
		t.Fatal("vector table order changed")
	}
	tests := []struct {
		name string
		req  *signing.Request
		want verdict
	}{
		{"P2 from 192.168.0.7", withIP(request(t, p2.signedURL()), "192.168.0.7"), ok},
		{"P2 from 192.168.1.7", withIP(request(t, p2.signedURL()), "192.168.1.7"), denied(signing.ReasonIPMismatch)},
		{"P2 from ::ffff:192.168.0.7", withIP(request(t, p2.signedURL()), "::ffff:192.168.0.7"), ok},
		{"P2 from IPv6", withIP(request(t, p2.signedURL()), "2001:db8::7"), denied(signing.ReasonIPMismatch)},
		{"P2 with no known viewer", withIP(request(t, p2.signedURL()), ""), denied(signing.ReasonIPMismatch)},
		{"P1 at its DateGreaterThan", p1.at(request(t, p1.signedURL()), 1767200000), denied(signing.ReasonNotYetValid)},
		{"P1 a second after its DateGreaterThan", p1.at(request(t, p1.signedURL()), 1767200001), ok},
		{"P1 before its DateGreaterThan", p1.at(request(t, p1.signedURL()), 1767100000), denied(signing.ReasonNotYetValid)},
		{"Signature=%%%", p1.at(request(t, p1.signedURLWith(p1.url, "%%%", p1.keyID)), vecNow), denied(signing.ReasonSignatureB64)},
		{"unknown key", p1.at(request(t, p1.signedURLWith(p1.url, p1.sig, "K9UNKNOWN")), vecNow), denied(signing.ReasonKeyUnknown)},
		{"no parameters, no cookies", request(t, vecH+"/video.mp4"), denied(signing.ReasonKeyIDMissing)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantVerdict(t, tt.req, keys, tt.want)
		})
	}
}

func withIP(req *signing.Request, ip string) *signing.Request {
	req.ViewerIP = netip.Addr{}
	if ip != "" {
		req.ViewerIP = netip.MustParseAddr(ip)
	}
	return req
}

// Expiry boundary: valid strictly before DateLessThan (§7).
func TestVectorsExpiryBoundary(t *testing.T) {
	keys := vecKeys(t)
	for _, v := range vectors {
		t.Run(v.id, func(t *testing.T) {
			wantVerdict(t, v.at(request(t, v.signedURL()), vecExpires-1), keys, ok)
			wantVerdict(t, v.at(request(t, v.signedURL()), vecExpires), keys, denied(signing.ReasonExpired))
			wantVerdict(t, v.at(request(t, v.url, v.cookies()), vecExpires), keys, denied(signing.ReasonExpired))
			wantVerdict(t, v.at(request(t, v.signedURL()), vecExpires+86400), keys, denied(signing.ReasonExpired))
		})
	}
}

// A one-bit change in the signature, policy, resource, expiry or key ID
// fails with the right code (issue 2 acceptance).
func TestVectorsOneBitChanges(t *testing.T) {
	keys := vecKeys(t)
	for _, v := range vectors {
		t.Run(v.id+"/signature", func(t *testing.T) {
			sig, err := signing.DecodeBase64(v.sig)
			if err != nil {
				t.Fatal(err)
			}
			for i := range len(sig) * 8 {
				bad := flipBit(sig, i)
				req := v.at(request(t, v.signedURLWith(v.url, signing.EncodeBase64(bad), v.keyID)), vecNow)
				if got, want := mustVerdict(t, req, keys), denied(signing.ReasonSignatureMismatch); got != want {
					t.Fatalf("signature bit %d flipped: %v, want %v", i, got, want)
				}
			}
		})
		if !v.canned {
			t.Run(v.id+"/policy", func(t *testing.T) {
				for i := range len(v.policy) * 8 {
					bad := v
					bad.policy = string(flipBit([]byte(v.policy), i))
					got := mustVerdict(t, bad.at(request(t, bad.signedURL()), vecNow), keys)
					// A flip either breaks the JSON or changes the signed
					// bytes; it never passes.
					if got.Code != signing.MalformedPolicy && got != denied(signing.ReasonSignatureMismatch) {
						t.Fatalf("policy bit %d flipped (%q): %v, want MalformedPolicy or AccessDenied/signature_mismatch", i, bad.policy, got)
					}
				}
			})
		}
		t.Run(v.id+"/expires", func(t *testing.T) {
			if !v.canned {
				// For a custom policy the expiry lives in the signed policy.
				bad := v
				bad.policy = strings.Replace(v.policy, "1767290400", "1767290401", 1)
				wantVerdict(t, bad.at(request(t, bad.signedURL()), vecNow), keys, denied(signing.ReasonSignatureMismatch))
				return
			}
			u := strings.Replace(v.signedURL(), "Expires=1767290400", "Expires=1767290401", 1)
			wantVerdict(t, v.at(request(t, u), vecNow), keys, denied(signing.ReasonSignatureMismatch))
			u = strings.Replace(v.signedURL(), "Expires=1767290400", "Expires=1767290400x", 1)
			wantVerdict(t, v.at(request(t, u), vecNow), keys, denied(signing.ReasonExpiresInvalid))
		})
		t.Run(v.id+"/key-id", func(t *testing.T) {
			other := "K2ECDSATEST"
			if v.keyID == other {
				other = "K1TESTKEY"
			}
			wantVerdict(t, v.at(request(t, v.signedURLWith(v.url, v.sig, other)), vecNow), keys, denied(signing.ReasonSignatureMismatch))
			wantVerdict(t, v.at(request(t, v.signedURLWith(v.url, v.sig, string(flipBit([]byte(v.keyID), 0)))), vecNow), keys, denied(signing.ReasonKeyUnknown))
			wantVerdict(t, v.at(request(t, v.signedURLWith(v.url, v.sig, "")), vecNow), keys, denied(signing.ReasonKeyIDMissing))
		})
		t.Run(v.id+"/resource", func(t *testing.T) {
			// For a canned policy the resource is rebuilt from the request,
			// so the signature breaks; for a custom policy the signature
			// holds and the pattern refuses the request.
			want := denied(signing.ReasonResourceMismatch)
			if v.canned {
				want = denied(signing.ReasonSignatureMismatch)
			}
			path := v.url[len(vecH):]
			p, q, hasQ := strings.Cut(path, "?")
			withQuery := func(p string) string {
				if hasQ {
					return p + "?" + q
				}
				return p
			}
			changes := map[string]string{
				"path":            vecH + withQuery(p[:len(p)-1]+string(p[len(p)-1]^1)),
				"path case":       vecH + withQuery(strings.ToUpper(p[:2])+p[2:]),
				"query added":     vecH + p + "?" + strings.TrimPrefix(q+"&", "&") + "x=1",
				"host":            "https://d111111abcdef9.cloudfront.net" + path,
				"scheme":          "http://d111111abcdef8.cloudfront.net" + path,
				"host port":       "https://d111111abcdef8.cloudfront.net:8443" + path,
				"path encoded":    vecH + withQuery(fmt.Sprintf("/%%%02X", p[1])+p[2:]),
				"trailing slash":  vecH + withQuery(p+"/"),
				"dot segment":     vecH + withQuery("/."+p),
				"percent-encoded": vecH + withQuery(strings.Replace(p, ".", "%2E", 1)),
				"query dropped":   "",
			}
			if hasQ {
				changes["query dropped"] = vecH + p
			}
			switch {
			case v.policy == vecP3:
				// P3 grants H/*: only the host and scheme changes leave it.
				changes = map[string]string{"host": changes["host"], "scheme": changes["scheme"]}
			case strings.Contains(v.policy, "/images/*"):
				// Still under /images/, or a query (exception a).
				for _, k := range []string{"path", "query added", "trailing slash", "percent-encoded", "host port"} {
					delete(changes, k)
				}
				changes["outside"] = vecH + "/image/photo1.jpg"
			case !v.canned:
				delete(changes, "host port") // a pattern without ':' ignores the port (§6)
			}
			for name, u := range changes {
				if u == "" {
					continue
				}
				if got := mustVerdict(t, v.at(request(t, v.signedURLWith(u, v.sig, v.keyID)), vecNow), keys); got != want {
					t.Errorf("%s changed (%s): %v, want %v", name, u, got, want)
				}
			}
		})
	}
}

// mustVerdict is check without the explanation on mismatch.
func mustVerdict(tb testing.TB, req *signing.Request, keys signing.Keys) verdict {
	tb.Helper()
	v, _ := check(tb, req, keys)
	return v
}

// flipBit returns a copy of b with bit i flipped.
func flipBit(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i/8] ^= 1 << (i % 8)
	return c
}

// P4 is an escaping signer's output (§17): the verifier accepts the bytes,
// finds one Resource, and matches nothing but that literal.
func TestVectorP4JSONInjection(t *testing.T) {
	keys := vecKeys(t)
	p, err := signing.ParsePolicy([]byte(vecP4))
	if err != nil {
		t.Fatalf("ParsePolicy(P4): %v", err)
	}
	const literal = `https://example.com/file","Resource":"*","x":"`
	if p.Resource != literal {
		t.Errorf("P4 Resource = %q, want %q", p.Resource, literal)
	}
	v := vector{keyID: "K1TESTKEY", policy: vecP4, sig: vecP4Sig}
	for _, u := range []string{
		vecH + "/image.jpg",
		"https://example.com/file",
		"https://example.com/anything",
		"https://example.com/file%22,%22Resource%22:%22*%22,%22x%22:%22",
	} {
		req := v.at(request(t, v.signedURLWith(u, v.sig, v.keyID)), vecNow)
		wantVerdict(t, req, keys, denied(signing.ReasonResourceMismatch))
	}
	// The literal itself (quotes sent raw on the request line) is the only
	// URL it grants.
	req := request(t, v.signedURLWith("https://example.com/file\",\"Resource\":\"*\",\"x\":\"", v.sig, v.keyID))
	req.Now = time.Unix(vecNow, 0)
	wantVerdict(t, req, keys, ok)
}
