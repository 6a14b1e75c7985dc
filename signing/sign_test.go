package signing_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

func TestNewSigner(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		id      string
		key     crypto.Signer
		hash    signing.HashAlgorithm
		wantErr string
	}{
		{"RSA SHA1", "K2JCJMDEHXQW5F", testRSAKey(), signing.SHA1, ""},
		{"RSA SHA256", "K2JCJMDEHXQW5F", testRSAKey(), signing.SHA256, ""},
		{"ECDSA SHA256", "K2ECDSATEST", testECKey(), signing.SHA256, ""},
		{"legacy key pair ID", "APKAEIBAERJR2EXAMPLE", testRSAKey(), signing.SHA1, ""},
		{"lower-case ID", "kdfb19ygcr002", testRSAKey(), signing.SHA1, ""},
		{"ECDSA SHA1 refused", "K2ECDSATEST", testECKey(), signing.SHA1, "SHA256"},
		{"RSA-1024 refused", "K1TESTKEY", testRSA1024Key(), signing.SHA1, "RSA-1024"},
		{"P-384 refused", "K1", p384, signing.SHA256, "P-384"},
		{"Ed25519 refused", "K1", edKey, signing.SHA1, "ed25519"},
		{"empty ID", "", testRSAKey(), signing.SHA1, "empty"},
		{"ID with dash", "K-1", testRSAKey(), signing.SHA1, "letters and digits"},
		{"ID with space", "K 1", testRSAKey(), signing.SHA1, "letters and digits"},
		{"ID with quote", `K"1`, testRSAKey(), signing.SHA1, "letters and digits"},
		{"ID non-ASCII", "KÄ1", testRSAKey(), signing.SHA1, "letters and digits"},
		{"unknown hash", "K1", testRSAKey(), signing.HashAlgorithm(7), "hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signing.NewSigner(tt.id, tt.key, tt.hash)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewSigner: %v", err)
				}
				if s.KeyPairID() != tt.id || s.Hash() != tt.hash {
					t.Errorf("signer = %s %v, want %s %v", s.KeyPairID(), s.Hash(), tt.id, tt.hash)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewSigner = %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// §9: RSA PKCS#1 v1.5 (deterministic) and ECDSA ASN.1 DER.
func TestSignerSign(t *testing.T) {
	msg := []byte(vecP1)
	rs := newSigner(t, testRSAKey(), signing.SHA256)
	sig, err := rs.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(msg)
	want, err := rsa.SignPKCS1v15(nil, testRSAKey(), crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	if string(sig) != string(want) {
		t.Error("RSA SHA256 signature differs from rsa.SignPKCS1v15")
	}
	es := newSigner(t, testECKey(), signing.SHA256)
	sig, err = es.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&testECKey().PublicKey, d[:], sig) {
		t.Error("ECDSA signature does not verify with ecdsa.VerifyASN1")
	}
	if sig[0] != 0x30 || len(sig) < 8 || len(sig) > 72 {
		t.Errorf("ECDSA signature is not a DER SEQUENCE: % x", sig)
	}
}

// §14.2: parameter order, joining, and canned versus custom.
func TestSignURLForm(t *testing.T) {
	rsa1 := newSigner(t, testRSAKey(), signing.SHA1)
	rsa256 := newSigner(t, testRSAKey(), signing.SHA256)
	e := testExpiry
	es := strconv.FormatInt(e.Unix(), 10)
	cannedSig := func(resource string, h crypto.Hash) string {
		return rawSign(t, testRSAKey(), h, signing.CannedPolicy(resource, e.Unix()))
	}
	customURL := func(rawURL, policy string, h crypto.Hash, hashParam string) string {
		sep := "?"
		if strings.Contains(rawURL, "?") {
			sep = "&"
		}
		return rawURL + sep + "Policy=" + signing.EncodeBase64([]byte(policy)) + "&Signature=" + rawSign(t, testRSAKey(), h, []byte(policy)) + "&Key-Pair-Id=" + rsaKeyID + hashParam
	}
	tests := []struct {
		name   string
		signer *signing.Signer
		url    string
		terms  signing.Terms
		want   string
	}{
		{"canned", rsa1, site + "/a.jpg", signing.Terms{DateLessThan: e},
			site + "/a.jpg?Expires=" + es + "&Signature=" + cannedSig(site+"/a.jpg", crypto.SHA1) + "&Key-Pair-Id=" + rsaKeyID},
		{"canned with a query joins with &", rsa1, site + "/a.jpg?b=2&a=1", signing.Terms{DateLessThan: e},
			site + "/a.jpg?b=2&a=1&Expires=" + es + "&Signature=" + cannedSig(site+"/a.jpg?b=2&a=1", crypto.SHA1) + "&Key-Pair-Id=" + rsaKeyID},
		{"canned with a bare ? joins with &", rsa1, site + "/a.jpg?", signing.Terms{DateLessThan: e},
			site + "/a.jpg?&Expires=" + es + "&Signature=" + cannedSig(site+"/a.jpg?", crypto.SHA1) + "&Key-Pair-Id=" + rsaKeyID},
		{"canned SHA256: Hash-Algorithm last", rsa256, site + "/a.jpg", signing.Terms{DateLessThan: e},
			site + "/a.jpg?Expires=" + es + "&Signature=" + cannedSig(site+"/a.jpg", crypto.SHA256) + "&Key-Pair-Id=" + rsaKeyID + "&Hash-Algorithm=SHA256"},
		{"Resource equal to the URL stays canned", rsa1, site + "/a.jpg", signing.Terms{Resource: site + "/a.jpg", DateLessThan: e},
			site + "/a.jpg?Expires=" + es + "&Signature=" + cannedSig(site+"/a.jpg", crypto.SHA1) + "&Key-Pair-Id=" + rsaKeyID},
		{"canned over a literal *", rsa1, site + "/*", signing.Terms{DateLessThan: e},
			site + "/*?Expires=" + es + "&Signature=" + cannedSig(site+"/*", crypto.SHA1) + "&Key-Pair-Id=" + rsaKeyID},
		{"DateGreaterThan makes it custom", rsa1, vecH + "/video.mp4", signing.Terms{DateLessThan: time.Unix(vecExpires, 0), DateGreaterThan: time.Unix(1767200000, 0)},
			customURL(vecH+"/video.mp4", vecP1, crypto.SHA1, "")},
		{"IPAddress makes it custom", rsa256, vecH + "/document.pdf", signing.Terms{DateLessThan: time.Unix(vecExpires, 0), IPAddress: "192.168.0.0/24"},
			customURL(vecH+"/document.pdf", vecP2, crypto.SHA256, "&Hash-Algorithm=SHA256")},
		{"Resource other than the URL makes it custom", rsa1, vecH + "/images/photo1.jpg", signing.Terms{Resource: vecH + "/images/*", DateLessThan: time.Unix(vecExpires, 0)},
			customURL(vecH+"/images/photo1.jpg", string(signing.CannedPolicy(vecH+"/images/*", vecExpires)), crypto.SHA1, "")},
		{"custom with a query", rsa1, site + "/a?x=1", signing.Terms{DateLessThan: e, IPAddress: "192.0.2.1"},
			customURL(site+"/a?x=1", `{"Statement":[{"Resource":"`+site+`/a?x=1","Condition":{"DateLessThan":{"AWS:EpochTime":`+es+`},"IpAddress":{"AWS:SourceIp":"192.0.2.1/32"}}}]}`, crypto.SHA1, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := signURL(t, tt.signer, tt.url, tt.terms)
			if got != tt.want {
				t.Errorf("SignURL =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// The §17 policies come out of the signer byte for byte from the terms the
// AWS CLI was given (cli-vec).
func TestSignerReproducesVectorPolicies(t *testing.T) {
	s := newSigner(t, testRSAKey(), signing.SHA1)
	dltV, dgtV := time.Unix(vecExpires, 0), time.Unix(1767200000, 0)
	policyOf := func(signed string) string {
		t.Helper()
		_, rest, _ := strings.Cut(signed, "Policy=")
		v, _, _ := strings.Cut(rest, "&")
		raw, err := signing.DecodeBase64(v)
		if err != nil {
			t.Fatalf("Policy of %s: %v", signed, err)
		}
		return string(raw)
	}
	if got := policyOf(signURL(t, s, vecH+"/video.mp4", signing.Terms{DateLessThan: dltV, DateGreaterThan: dgtV})); got != vecP1 {
		t.Errorf("P1 = %s, want %s", got, vecP1)
	}
	if got := policyOf(signURL(t, s, vecH+"/document.pdf", signing.Terms{DateLessThan: dltV, IPAddress: "192.168.0.0/24"})); got != vecP2 {
		t.Errorf("P2 = %s, want %s", got, vecP2)
	}
	cookies, err := s.SignCookies(signing.Terms{Resource: vecH + "/*", DateLessThan: dltV, IPAddress: "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cookies[0]; got != (signing.Cookie{Name: "CloudFront-Policy", Value: vecP3Cookie}) {
		t.Errorf("P3 cookie = %+v, want CloudFront-Policy=%s", got, vecP3Cookie)
	}
	if got, want := policyOf(signURL(t, s, vecH+"/images/photo1.jpg", signing.Terms{Resource: vecH + "/images/*", DateLessThan: dltV})), string(signing.CannedPolicy(vecH+"/images/*", vecExpires)); got != want {
		t.Errorf("wildcard policy = %s, want %s", got, want)
	}
}

func TestSignURLRejects(t *testing.T) {
	s := newSigner(t, testRSAKey(), signing.SHA1)
	e := testExpiry
	tests := []struct {
		name    string
		url     string
		terms   signing.Terms
		wantErr string
	}{
		{"not http", "ftp://h/a", signing.Terms{DateLessThan: e}, "http"},
		{"no scheme", "//h/a", signing.Terms{DateLessThan: e}, "http"},
		{"relative", "/a", signing.Terms{DateLessThan: e}, "http"},
		{"upper-case scheme", "HTTPS://h/a", signing.Terms{DateLessThan: e}, "http"},
		{"no host", "https:///a", signing.Terms{DateLessThan: e}, "no host"},
		{"no host, query", "https://?a", signing.Terms{DateLessThan: e}, "no host"},
		{"empty after scheme", "https://", signing.Terms{DateLessThan: e}, "no host"},
		{"no path", "https://d111111abcdef8.cloudfront.net", signing.Terms{DateLessThan: e}, "sign that URL instead"},
		{"no path, query", "https://h.example?x=1", signing.Terms{DateLessThan: e}, "https://h.example/"},
		{"fragment", "https://h/a#b", signing.Terms{DateLessThan: e}, "fragment"},
		{"space", "https://h/a b", signing.Terms{DateLessThan: e}, "space"},
		{"quote", `https://h/a"`, signing.Terms{DateLessThan: e}, `'"'`},
		{"backslash", `https://h/a\`, signing.Terms{DateLessThan: e}, `'\\'`},
		{"non-ASCII", "https://h/é", signing.Terms{DateLessThan: e}, "non-ASCII"},
		{"control", "https://h/a\r\n", signing.Terms{DateLessThan: e}, "control"},
		{"has Expires", "https://h/a?Expires=1", signing.Terms{DateLessThan: e}, "Expires"},
		{"has Policy", "https://h/a?x=1&Policy", signing.Terms{DateLessThan: e}, "Policy"},
		{"has Signature", "https://h/a?Signature=x", signing.Terms{DateLessThan: e}, "Signature"},
		{"has Key-Pair-Id", "https://h/a?Key-Pair-Id=K", signing.Terms{DateLessThan: e}, "Key-Pair-Id"},
		{"has Hash-Algorithm", "https://h/a?Hash-Algorithm=SHA1", signing.Terms{DateLessThan: e}, "Hash-Algorithm"},
		{"has encoded Signature", "https://h/a?%53ignature=x", signing.Terms{DateLessThan: e}, "Signature"},
		{"no expiry", "https://h/a", signing.Terms{}, "expiry"},
		{"expiry before 1970", "https://h/a", signing.Terms{DateLessThan: time.Unix(-5, 0)}, "expiry"},
		{"custom without expiry", "https://h/a", signing.Terms{IPAddress: "192.0.2.1"}, "DateLessThan"},
		{"start equals expiry", "https://h/a", signing.Terms{DateLessThan: e, DateGreaterThan: e}, "before"},
		{"start after expiry", "https://h/a", signing.Terms{DateLessThan: e, DateGreaterThan: e.Add(time.Second)}, "before"},
		{"start equal in whole seconds", "https://h/a", signing.Terms{DateLessThan: e.Add(500 * time.Millisecond), DateGreaterThan: e}, "before"},
		{"IPv6", "https://h/a", signing.Terms{DateLessThan: e, IPAddress: "2001:db8::1"}, "IPv6"},
		{"bad CIDR", "https://h/a", signing.Terms{DateLessThan: e, IPAddress: "192.0.2.0/40"}, "not valid"},
		{"IP injection", "https://h/a", signing.Terms{DateLessThan: e, IPAddress: `1.2.3.4/32","x":"`}, "IP"},
		{"URL outside Resource", "https://h/b", signing.Terms{Resource: "https://h/a/*", DateLessThan: e}, "does not match"},
		{"URL on another host", "https://other/a/x", signing.Terms{Resource: "https://h/a/*", DateLessThan: e}, "does not match"},
		{"Resource with a quote", "https://h/a", signing.Terms{Resource: `https://h/*"`, DateLessThan: e}, `'"'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SignURL(tt.url, tt.terms)
			if err == nil {
				t.Fatalf("SignURL = %s, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SignURL error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
	// The resource check is a whole-string glob, as the AWS CLI's (§14.3).
	for _, tt := range []struct{ url, resource string }{
		{"https://h/a/b/c", "https://h/a/*"},
		{"https://h/a?x=1", "https://h/a*"},
		{"https://h/ab", "https://h/a?"},
		{"https://cdn.example.com/a", "https://*.example.com/*"},
	} {
		if _, err := s.SignURL(tt.url, signing.Terms{Resource: tt.resource, DateLessThan: e}); err != nil {
			t.Errorf("SignURL(%s, Resource %s): %v", tt.url, tt.resource, err)
		}
	}
}

// §14.2: cookie sets.
func TestSignCookies(t *testing.T) {
	e := testExpiry
	es := strconv.FormatInt(e.Unix(), 10)
	names := func(cs []signing.Cookie) string {
		var n []string
		for _, c := range cs {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		name   string
		signer *signing.Signer
		terms  signing.Terms
		want   string
	}{
		{"canned", newSigner(t, testRSAKey(), signing.SHA1), signing.Terms{Resource: site + "/a.jpg", DateLessThan: e},
			"CloudFront-Expires,CloudFront-Signature,CloudFront-Key-Pair-Id"},
		{"canned SHA256", newSigner(t, testRSAKey(), signing.SHA256), signing.Terms{Resource: site + "/a.jpg", DateLessThan: e},
			"CloudFront-Expires,CloudFront-Signature,CloudFront-Key-Pair-Id,CloudFront-Hash-Algorithm"},
		{"wildcard is custom", newSigner(t, testRSAKey(), signing.SHA1), signing.Terms{Resource: site + "/*", DateLessThan: e},
			"CloudFront-Policy,CloudFront-Signature,CloudFront-Key-Pair-Id"},
		{"start is custom", newSigner(t, testRSAKey(), signing.SHA1), signing.Terms{Resource: site + "/a.jpg", DateLessThan: e, DateGreaterThan: testNow.Add(-time.Minute)},
			"CloudFront-Policy,CloudFront-Signature,CloudFront-Key-Pair-Id"},
		{"IP is custom", newSigner(t, testRSAKey(), signing.SHA1), signing.Terms{Resource: site + "/a.jpg", DateLessThan: e, IPAddress: "192.0.2.0/24"},
			"CloudFront-Policy,CloudFront-Signature,CloudFront-Key-Pair-Id"},
		{"ECDSA custom", newSigner(t, testECKey(), signing.SHA256), signing.Terms{Resource: site + "/*", DateLessThan: e},
			"CloudFront-Policy,CloudFront-Signature,CloudFront-Key-Pair-Id,CloudFront-Hash-Algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := tt.signer.SignCookies(tt.terms)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(cs); got != tt.want {
				t.Errorf("cookie names = %s, want %s", got, tt.want)
			}
			if cs[0].Name == signing.CookieExpires && cs[0].Value != es {
				t.Errorf("CloudFront-Expires = %s, want %s", cs[0].Value, es)
			}
			if got, want := cs[2].Value, tt.signer.KeyPairID(); got != want {
				t.Errorf("CloudFront-Key-Pair-Id = %s, want %s", got, want)
			}
			if len(cs) == 4 && cs[3].Value != "SHA256" {
				t.Errorf("CloudFront-Hash-Algorithm = %s, want SHA256", cs[3].Value)
			}
		})
	}
	// A canned cookie's signature is the canned URL's signature (§17).
	s := newSigner(t, testRSAKey(), signing.SHA1)
	cs, err := s.SignCookies(signing.Terms{Resource: site + "/a.jpg", DateLessThan: e})
	if err != nil {
		t.Fatal(err)
	}
	if u := signURL(t, s, site+"/a.jpg", signing.Terms{DateLessThan: e}); !strings.Contains(u, "&Signature="+cs[1].Value+"&") {
		t.Errorf("cookie signature %s is not the URL's (%s)", cs[1].Value, u)
	}
	for _, bad := range []signing.Terms{
		{DateLessThan: e},
		{Resource: "https://h/a b", DateLessThan: e},
		{Resource: `https://h/*"`, DateLessThan: e},
		{Resource: "https://h/a"},
		{Resource: "https://h/*"},
		{Resource: "https://h/a", DateLessThan: e, IPAddress: "::1"},
		{Resource: "https://h/a", DateLessThan: e, DateGreaterThan: e},
	} {
		if got, err := s.SignCookies(bad); err == nil {
			t.Errorf("SignCookies(%+v) = %v, want an error", bad, got)
		}
	}
}

// Everything the signer makes verifies: {RSA SHA1, RSA SHA256, ECDSA
// SHA256} × {canned, custom} × {URL, cookies} (§1).
func TestSignedVerifies(t *testing.T) {
	signers := map[string]*signing.Signer{
		"RSA-SHA1":     newSigner(t, testRSAKey(), signing.SHA1),
		"RSA-SHA256":   newSigner(t, testRSAKey(), signing.SHA256),
		"ECDSA-SHA256": newSigner(t, testECKey(), signing.SHA256),
	}
	terms := map[string]signing.Terms{
		"canned":          {DateLessThan: testExpiry},
		"custom start":    {DateLessThan: testExpiry, DateGreaterThan: testNow.Add(-time.Minute)},
		"custom IP":       {DateLessThan: testExpiry, IPAddress: "192.0.2.0/24"},
		"custom bare IP":  {DateLessThan: testExpiry, IPAddress: "192.0.2.1"},
		"custom wildcard": {Resource: site + "/media/*", DateLessThan: testExpiry},
		"custom all":      {Resource: "https://*.cloudfront.net/media/*", DateLessThan: testExpiry, DateGreaterThan: testNow.Add(-time.Minute), IPAddress: "192.0.0.0/8"},
	}
	urls := []string{site + "/media/a.jpg", site + "/media/a%20b.jpg?size=large&x=%7E", site + "/media/?&&"}
	for sn, s := range signers {
		for tn, tm := range terms {
			for _, u := range urls {
				t.Run(sn+"/"+tn+"/url/"+u[len(site):], func(t *testing.T) {
					res := wantVerdict(t, request(t, signURL(t, s, u, tm)), testKeys(), ok)
					if res.Hash != s.Hash() || res.Canned != (tn == "canned") {
						t.Errorf("Result hash %v canned %v", res.Hash, res.Canned)
					}
				})
				t.Run(sn+"/"+tn+"/cookies/"+u[len(site):], func(t *testing.T) {
					ct := tm
					if ct.Resource == "" {
						ct.Resource = u
					}
					cs, err := s.SignCookies(ct)
					if err != nil {
						t.Fatal(err)
					}
					wantVerdict(t, request(t, u, cookieHeader(cs)), testKeys(), ok)
				})
			}
		}
	}
}

// Set-Cookie lines carry the attributes a browser needs.
func TestCookieAttributesSetCookie(t *testing.T) {
	c := signing.Cookie{Name: "CloudFront-Signature", Value: "ab-c~d_"}
	tests := []struct {
		name string
		a    signing.CookieAttributes
		want string
	}{
		{"defaults", signing.CookieAttributes{}, "CloudFront-Signature=ab-c~d_; Path=/"},
		{"all", signing.CookieAttributes{Domain: "d111111abcdef8.cloudfront.net", Path: "/media", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, Expires: time.Unix(vecExpires, 0)},
			"CloudFront-Signature=ab-c~d_; Path=/media; Domain=d111111abcdef8.cloudfront.net; Expires=Thu, 01 Jan 2026 18:00:00 GMT; HttpOnly; Secure; SameSite=Lax"},
		{"SameSite None", signing.CookieAttributes{Secure: true, SameSite: http.SameSiteNoneMode}, "CloudFront-Signature=ab-c~d_; Path=/; Secure; SameSite=None"},
	}
	for _, tt := range tests {
		if got := tt.a.SetCookie(c); got != tt.want {
			t.Errorf("%s: SetCookie = %q, want %q", tt.name, got, tt.want)
		}
	}
}
