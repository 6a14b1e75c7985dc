package edge_test

import (
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyfront/edge"
	"keyfront/signing"
)

// The exact 403 bodies of signed-urls.md §12.
var wantBodies = map[string]string{
	"MissingKey":         `<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>`,
	"InvalidKey":         `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidKey</Code><Message>Unknown Key</Message></Error>`,
	"MalformedSignature": `<?xml version="1.0" encoding="UTF-8"?><Error><Code>MalformedSignature</Code><Message>Could not unencode Signature</Message></Error>`,
	"MalformedPolicy":    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>MalformedPolicy</Code><Message>Malformed Policy</Message></Error>`,
	"AccessDenied":       `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>`,
}

// checkRejection asserts the exact response of §12 for code.
func checkRejection(t *testing.T, resp *http.Response, body, code string) {
	t.Helper()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403 %s; body %s", resp.StatusCode, code, body)
	}
	want := wantBodies[code]
	if resp.Request.Method == http.MethodHead {
		if body != "" {
			t.Errorf("HEAD got a body: %q", body)
		}
	} else if body != want {
		t.Errorf("body:\n got %s\nwant %s", body, want)
	}
	for name, value := range map[string]string{
		"Content-Type":   "text/xml",
		"Content-Length": strconv.Itoa(len(want)),
		"X-Cache":        "Error from cloudfront",
		"Server":         "keyfront",
		"Via":            "1.1 test-node (keyfront)",
	} {
		if got := resp.Header.Get(name); got != value {
			t.Errorf("%s: %q, want %q", name, got, value)
		}
	}
	if id := resp.Header.Get("X-Amz-Cf-Id"); len(id) != 56 || !strings.HasSuffix(id, "==") {
		t.Errorf("X-Amz-Cf-Id %q is not CloudFront-shaped", id)
	}
	var names []string
	for k := range resp.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	if got, want := strings.Join(names, " "), "Content-Length Content-Type Date Server Via X-Amz-Cf-Id X-Cache"; got != want {
		t.Errorf("headers %s, want exactly %s", got, want)
	}
}

func TestRejections(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "secret")
	base := "http://" + host1 + "/a.txt"
	valid := signURL(t, keyA, base)
	_, query, _ := strings.Cut(valid, "?")
	sig := param(query, "Signature")
	tampered := strings.Replace(valid, sig, flip(sig), 1)
	malformedPolicy := base + "?Policy=" + signing.EncodeBase64([]byte(`{"Statement":[]}`)) + "&Signature=" + sig + "&Key-Pair-Id=" + keyA
	cookieValid := signCookies(t, keyA, base)

	for _, tc := range []struct {
		name, url, cookie, code string
		method                  string
	}{
		{name: "url/MissingKey", url: base, code: "MissingKey"},
		{name: "url/MissingKey empty Key-Pair-Id", url: base + "?Expires=1767293600&Signature=" + sig + "&Key-Pair-Id=", code: "MissingKey"},
		{name: "url/InvalidKey", url: signURL(t, "KUNKNOWNKEY000", base), code: "InvalidKey"},
		{name: "url/InvalidKey key of no trusted group", url: signURL(t, keyB, base), code: "InvalidKey"},
		{name: "url/MalformedSignature", url: base + "?Expires=1767293600&Signature=!!!!&Key-Pair-Id=" + keyA, code: "MalformedSignature"},
		{name: "url/MalformedPolicy", url: malformedPolicy, code: "MalformedPolicy"},
		{name: "url/MalformedPolicy hash", url: valid + "&Hash-Algorithm=MD5", code: "MalformedPolicy"},
		{name: "url/AccessDenied tampered", url: tampered, code: "AccessDenied"},
		{name: "url/AccessDenied other path", url: strings.Replace(valid, "/a.txt", "/b.txt", 1), code: "AccessDenied"},
		{name: "url/AccessDenied added param", url: valid + "&x=1", code: "AccessDenied"},
		{name: "url/HEAD", url: base, code: "MissingKey", method: http.MethodHead},
		{name: "cookie/MissingKey", url: base, cookie: "session=1", code: "MissingKey"},
		{name: "cookie/InvalidKey", url: base, cookie: signCookies(t, "KUNKNOWNKEY000", base), code: "InvalidKey"},
		{name: "cookie/MalformedSignature", url: base, cookie: "CloudFront-Expires=1767293600; CloudFront-Signature=!!!!; CloudFront-Key-Pair-Id=" + keyA, code: "MalformedSignature"},
		{name: "cookie/MalformedPolicy", url: base, cookie: "CloudFront-Policy=%%%%; CloudFront-Signature=" + sig + "; CloudFront-Key-Pair-Id=" + keyA, code: "MalformedPolicy"},
		{name: "cookie/AccessDenied other URL", url: "http://" + host1 + "/b.txt", cookie: cookieValid, code: "AccessDenied"},
		{name: "cookie/AccessDenied tampered", url: base, cookie: strings.Replace(cookieValid, sig, flip(sig), 1), code: "AccessDenied"},
		{name: "cookie/HEAD", url: base, cookie: "x=1", code: "MissingKey", method: http.MethodHead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			var h []string
			if tc.cookie != "" {
				h = []string{"Cookie", tc.cookie}
			}
			resp := e.do(method, tc.url, h...)
			checkRejection(t, resp, readAll(t, resp), tc.code)
		})
	}
	if n := e.origin.count(); n != 0 {
		t.Errorf("the origin got %d requests for refused viewers", n)
	}

	// Expiry, judged by the edge's clock.
	e.clock.advance(2 * time.Hour)
	resp, body := e.get(valid)
	checkRejection(t, resp, body, "AccessDenied")
}

// flip changes one character of a CloudFront-base64 signature in its
// middle, so that it still decodes but no longer verifies.
func flip(sig string) string {
	b := []byte(sig)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// param returns a raw query parameter's value.
func param(query, name string) string {
	for _, item := range strings.Split(query, "&") {
		if n, v, _ := strings.Cut(item, "="); n == name {
			return v
		}
	}
	return ""
}

func TestDebugHeaders(t *testing.T) {
	e := newEnv(t, withConfig(func(c *edge.Config) { c.DebugHeaders = true }))
	e.basicSetup()
	base := "http://" + host1 + "/a.txt"
	e.clock.advance(2 * time.Hour)
	resp, body := e.get(signURL(t, keyA, base))
	if body != wantBodies["AccessDenied"] {
		t.Errorf("body %s", body)
	}
	if got := resp.Header.Get("X-Keyfront-Reason"); got != "expired" {
		t.Errorf("X-Keyfront-Reason %q, want expired", got)
	}
	if got := resp.Header.Get("X-Keyfront-Resource"); got != base {
		t.Errorf("X-Keyfront-Resource %q, want %q", got, base)
	}
}

func TestSignedSuccessStripsCredentials(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) {
		d.Default.QueryString = true
		d.Default.Cookies = "all"
		d.Default.Headers = []string{"Referer"}
	})
	e.origin.put("/a.txt", "secret")
	for i, tc := range []struct {
		name, url, cookie string
	}{
		{name: "canned URL", url: signURL(t, keyA, "http://"+host1+"/a.txt?v=0&w=2")},
		{name: "custom URL SHA256 ECDSA", url: mustSign(t, signer(t, keyEC, signing.SHA256), "http://"+host1+"/a.txt?v=1&w=2",
			signing.Terms{Resource: "http://" + host1 + "/*", DateLessThan: testNow.Add(time.Hour)})},
		{name: "cookies", url: "http://" + host1 + "/a.txt?v=2&w=2", cookie: "theme=dark; " + signCookies(t, keyA, "http://"+host1+"/*") + "; lang=en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{"Referer", "https://example.com/player"}
			if tc.cookie != "" {
				h = append(h, "Cookie", tc.cookie)
			}
			resp, body := e.get(tc.url, h...)
			if resp.StatusCode != http.StatusOK || body != "secret" {
				t.Fatalf("got %d %q", resp.StatusCode, body)
			}
			if x := resp.Header.Get("X-Cache"); x != "Miss from cloudfront" {
				t.Errorf("X-Cache %q", x)
			}
			got := e.origin.last(t)
			if want := "/a.txt?v=" + strconv.Itoa(i) + "&w=2"; got.RequestURI != want {
				t.Errorf("origin request-target %q, want %q", got.RequestURI, want)
			}
			for _, p := range []string{"Expires", "Signature", "Key-Pair-Id", "Policy", "Hash-Algorithm"} {
				if strings.Contains(got.RequestURI, p+"=") {
					t.Errorf("origin got %s: %s", p, got.RequestURI)
				}
			}
			if c := got.Header.Get("Cookie"); strings.Contains(c, "CloudFront-") {
				t.Errorf("origin got signing cookies: %q", c)
			}
			if tc.cookie != "" {
				if c := got.Header.Get("Cookie"); c != "theme=dark; lang=en" {
					t.Errorf("origin Cookie %q, want the viewer's other cookies", c)
				}
			}
			if r := got.Header.Get("Referer"); r != "https://example.com/player" {
				t.Errorf("origin Referer %q", r)
			}
			if ua := got.Header.Get("User-Agent"); ua != "Amazon CloudFront" {
				t.Errorf("origin User-Agent %q", ua)
			}
			if got.Header.Get("X-Amz-Cf-Id") != resp.Header.Get("X-Amz-Cf-Id") {
				t.Errorf("origin X-Amz-Cf-Id %q, viewer's %q", got.Header.Get("X-Amz-Cf-Id"), resp.Header.Get("X-Amz-Cf-Id"))
			}
		})
	}
}

func mustSign(tb testing.TB, s *signing.Signer, url string, terms signing.Terms) string {
	tb.Helper()
	u, err := s.SignURL(url, terms)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestURLWinsOverCookies(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "secret")
	base := "http://" + host1 + "/a.txt"
	// A broken URL signature fails even with valid cookies (§2.3).
	resp, body := e.get(base+"?Key-Pair-Id="+keyA, "Cookie", signCookies(t, keyA, base))
	checkRejection(t, resp, body, "MalformedPolicy")
	// A valid URL passes even with broken cookies.
	resp, body = e.get(signURL(t, keyA, base), "Cookie", "CloudFront-Key-Pair-Id=nope")
	if resp.StatusCode != 200 || body != "secret" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

// The §17 vectors through the edge, on the vectors' own distribution
// domain and keys (signed-urls.md §17, "Edge test cases to derive"). The
// edge sits behind a trusted TLS terminator, which tells it the scheme and
// the viewer's address.
func TestVectors(t *testing.T) {
	e := newEnv(t, withConfig(func(c *edge.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}))
	const (
		vecHost = "d111111abcdef8.cloudfront.net"
		vecH    = "https://" + vecHost
		rsaPEM  = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9V3AbaAks3cqqpghX4dF3i4rg\nrZROm11G7HAG5ewFCEs20DSs4DtRcEQQzHXX2MjkP9pwz8y4YACthCr/nRIuP2BH\nS4NnGzmsY34Up+snMDPgudNi7PwrcRyAnKrOHELOwU5RX5N9oMuzqpC0207bSBjF\nmrAQEBy4WyWbLQ6drwIDAQAB\n-----END PUBLIC KEY-----\n"
		ecPEM   = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEu9ASuRjljtB5UHKHZcGDihuOTYO3\nHWoCGMkYGVBCHd4LBWONyrUD3ICi1ENTTzicrhXGArZIuOtFLDldU4U8Tw==\n-----END PUBLIC KEY-----\n"
		p1      = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/video.mp4","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"DateGreaterThan":{"AWS:EpochTime":1767200000}}}]}`
		p2      = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/document.pdf","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"IpAddress":{"AWS:SourceIp":"192.168.0.0/24"}}}]}`
		p3      = `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}`
	)
	wildcard := string(signing.CannedPolicy(vecH+"/images/*", 1767290400))
	e.putPEMKey("K1TESTKEY", rsaPEM)
	e.putPEMKey("K2ECDSATEST", ecPEM)
	e.putGroup(group, "K1TESTKEY", "K2ECDSATEST")
	e.putDist(dist1, dist{Domain: vecHost, Origins: []orig{e.customOrigin("o")},
		Default: beh{Target: "o", KeyGroups: []string{group}, QueryString: true}})
	for _, p := range []string{"/image.jpg", "/video.mp4", "/document.pdf", "/images/photo1.jpg", "/private/index.html"} {
		e.origin.put(p, "object "+p)
	}

	type vector struct {
		id      string
		key     string
		sha256  bool
		canned  bool
		policy  string
		url     string
		viewer  string
		cookies bool
		sig     string
	}
	vectors := []vector{
		{id: "canned-policy-url-basic", key: "K1TESTKEY", canned: true, url: vecH + "/image.jpg",
			sig: "iONoMLnhiCy9q1~WB9GkR2DiHz18I85i3o6kZ64REf-fCSOg-AyXEZiq7fJuS~DT-kbZXjVpgIQqI4sCTcBW9XpO6dyJ5sh8Igk3V~OVncS9acGVnI~ZhHBWiGhU8GmkEMAhn6R2RGO-wKGClrXdJGEUE26XoALdHUzHbmU6AGI_"},
		{id: "canned-policy-url-basic-sha256", key: "K1TESTKEY", sha256: true, canned: true, url: vecH + "/image.jpg",
			sig: "LiC~LakvNvZtR~AsTcirQ0CAsy-YIZmpHmI9uImK4xJmrhVdJULhWmRt3bXO7qqw2gJDECZN-xC~bKWEKcJ9Vgs1IgpRdMkY6XGDKZ1XHBdNbd~0v5UiRf4zXwVMRqoynkQPQcihkze7RkDBsOoYHh9jDdtO1iDm0QZ1Qp~cxro_"},
		{id: "canned-policy-url-existing-params", key: "K1TESTKEY", canned: true, url: vecH + "/image.jpg?size=large",
			sig: "kx5dxV5cSW50EuCMtYi9JI0D5H97if~zNqwKxZtS7FPc3NV5oi~zCb45ti8ve-YDYw45hzN4lceF6zhW~STVWa7r7fC9wi5XBG1T6ZT2b9R0wMWmGxsy9uVGXFn6JqcjQMsq09MnWrPezK0qFQ2X6pV1nGQqLQZ2sgO~FSlEoCo_"},
		{id: "canned-policy-url-existing-params-sha256", key: "K1TESTKEY", sha256: true, canned: true, url: vecH + "/image.jpg?size=large",
			sig: "g8vzqbTu5PxBzAXD3zowGFNHNlyaGZn7thMiCk27sTfvdy5CMAbECVz-aucgqrKYmqsz1xY7ZoxoMxOizzXWzfzTyJ6k38YwW6QMyJWT7B8pHStQrq0DGFSCnXqgRDXUDzkpIe8mHqyRWtgnFbdFQlbPweykfl7Eo4RJadveryQ_"},
		{id: "custom-policy-url-with-active-date", key: "K1TESTKEY", policy: p1, url: vecH + "/video.mp4",
			sig: "aF0WSOV6dkNn-D0HJ~-EwLG69-4QZZ9dv1PgAZEsER~WXkaNa1pBM2aTVXrskBWVHUU6hc1nD6ZKYgBS5Sb9JluFVT0MbQWR~DrtUGu8ugCsnfzUe6ov38nFPBwQICY~jnoQZEXxO2ZkQrluOO4~jWOpqAGrCw5tkdHAnb9gHYQ_"},
		{id: "custom-policy-url-with-active-date-sha256", key: "K1TESTKEY", sha256: true, policy: p1, url: vecH + "/video.mp4",
			sig: "RKoXpBb3IFyONXBnGGPj6021LmYyaphTYom0DsDID20xlCaK8gvNpcbYw493LloPhtDdGTdyadyuR59ok8eSPpJReRGbHbw8FDjGSXE9JWsVayzI7t7ZPGfPtKgK~ij0AekXDNQNFNUdwuSE0aR5nQmuPhw7CfDHCMpTWmoKPgE_"},
		{id: "custom-policy-url-with-ip-range", key: "K1TESTKEY", policy: p2, url: vecH + "/document.pdf", viewer: "192.168.0.7",
			sig: "fq~vePR~kmc5kWDveZOJ3j6PSYRsHSSanN1shBBpj2rQwvVQPU8e9MRwUDizOYHLnuAXQG89Xm7kXL03HIX0uzELcY2Q6Bw68BcGQHq-nyC2U6h0Uv277pg~FIwatR84y1FZiswIVmZwfPmpkvR0X~1skuooCPGiztAXREe-hsg_"},
		{id: "custom-policy-url-with-ip-range-sha256", key: "K1TESTKEY", sha256: true, policy: p2, url: vecH + "/document.pdf", viewer: "192.168.0.7",
			sig: "aKDzeIIfHviQRbCu9jxlFpOenTNQHMnt8HL2V2cqYP0vqc-KpRBuez2k4LZAzmfH0sIiQuDMZZc1D149XYRVAjEZoqr3vzGzWmrpzZJV-CSHs-Scau1cCNdVXqswj~QX8SzOZtGsRSKb4bomqOWxSIUu~Sybjf5b12GXBcYRCH4_"},
		{id: "custom-policy-url-with-wildcard", key: "K1TESTKEY", policy: wildcard, url: vecH + "/images/photo1.jpg",
			sig: "nP~GtuBVUSEUDMXW1ZTGTx~BUQfjl7FsWBQBKwnTNhHlBAeYlzdbMGMphViPQbjawdYt1Z~iBHDr0ctooQyhEdsXwZPQKmRJQm3yIxmbvnuCzB2qdMDVGRKH8l3PnfAJErrgUVIzb6m3KUdtIDvSkLV~Mb0tyQJwZ6QE4BdlEmQ_"},
		{id: "custom-policy-url-with-wildcard-sha256", key: "K1TESTKEY", sha256: true, policy: wildcard, url: vecH + "/images/photo1.jpg",
			sig: "FoaoRDqA7H91xD8CL2zk2Ztm6WVx3kIunCdqvzwMCUdsduwVWEH8elbBZc2qqWy3ZixDBBEHegeJnZbgp~nHTsYtr~jv6R-8~BnmmvH3KNyjH7wgyKKtzKpteNXYacWgHYabkoreyHC4ek~JMjGo1o0gTiIeL8YCV3ueKK3Lqtk_"},
		{id: "custom-policy-cookies", key: "K1TESTKEY", policy: p3, url: vecH + "/private/index.html", viewer: "10.1.2.3", cookies: true,
			sig: "r28Jnd0t9aq7cu0k9jGWl4L0YsRxgueZtGRw5oEEspU9-eIPGM~ZGMQh36~5HpKC5c67cZjDgJcsqrCacmTHMZZx613gbeYAsx2-hEatU8URiuNHnVp4hPV3HqtbuZ6Din9iEZUpOBYVg6DWGEFJRCQ7SPouBhhJdYDZZOPHGpA_"},
		{id: "custom-policy-cookies-sha256", key: "K1TESTKEY", sha256: true, policy: p3, url: vecH + "/private/index.html", viewer: "10.1.2.3", cookies: true,
			sig: "OzeonPh-NS8g3trdsFAo5LrMBEx1ef05GvdmWuLai6AaBLP63PVJRUGySYmGfQ-NqQ02geWzo7aZS7XFtkr4X1z9VTbQMfmzZftbuRXoP5ZDhFzVnSX3DeoEW8jP3BrOLHJsKwFCY5alIR4zO6LpqFmR5vVmqMYpRcbafg3~X18_"},
		{id: "ecdsa-canned-policy-url", key: "K2ECDSATEST", canned: true, url: vecH + "/video.mp4",
			sig: "MEQCIDS3JTjLLIRne5G3fDjf6MwgCmckmYVlJhqGVMl0Q4reAiBjXw1FMf9j03wqAHeE4LfRPjOVkp-jWhmDfHVwd7kkpA__"},
	}
	// request builds the viewer request of a vector: the URL (or
	// cookies) and the trusted proxy's headers.
	request := func(v vector, sig, viewer string) (string, []string) {
		h := []string{"X-Forwarded-Proto", "https"}
		if viewer == "" {
			viewer = "203.0.113.9"
		}
		h = append(h, "X-Forwarded-For", viewer)
		url := strings.Replace(v.url, vecH, "http://"+vecHost, 1) // dialled plainly; the proxy says https
		if v.cookies {
			c := "CloudFront-Policy=" + signing.EncodeBase64([]byte(v.policy)) + "; CloudFront-Signature=" + sig + "; CloudFront-Key-Pair-Id=" + v.key
			if v.sha256 {
				c += "; CloudFront-Hash-Algorithm=SHA256"
			}
			return url, append(h, "Cookie", c)
		}
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		if v.canned {
			url += sep + "Expires=1767290400"
		} else {
			url += sep + "Policy=" + signing.EncodeBase64([]byte(v.policy))
		}
		url += "&Signature=" + sig + "&Key-Pair-Id=" + v.key
		if v.sha256 {
			url += "&Hash-Algorithm=SHA256"
		}
		return url, h
	}
	for _, v := range vectors {
		t.Run(v.id, func(t *testing.T) {
			e.clock.set(time.Unix(1767290000, 0))
			url, h := request(v, v.sig, v.viewer)
			resp, body := e.get(url, h...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			path, _, _ := strings.Cut(strings.TrimPrefix(v.url, vecH), "?")
			if want := "object " + path; body != want {
				t.Errorf("body %q, want %q", body, want)
			}

			// Flipped signature byte → AccessDenied.
			url, h = request(v, flip(v.sig), v.viewer)
			resp, body = e.get(url, h...)
			checkRejection(t, resp, body, "AccessDenied")

			// At DateLessThan → AccessDenied.
			e.clock.set(time.Unix(1767290400, 0))
			url, h = request(v, v.sig, v.viewer)
			resp, body = e.get(url, h...)
			checkRejection(t, resp, body, "AccessDenied")
		})
	}

	t.Run("P2 from outside the range", func(t *testing.T) {
		e.clock.set(time.Unix(1767290000, 0))
		url, h := request(vectors[6], vectors[6].sig, "192.168.1.7")
		resp, body := e.get(url, h...)
		checkRejection(t, resp, body, "AccessDenied")
	})
	t.Run("P1 before its start", func(t *testing.T) {
		e.clock.set(time.Unix(1767200000, 0))
		url, h := request(vectors[4], vectors[4].sig, "")
		resp, body := e.get(url, h...)
		checkRejection(t, resp, body, "AccessDenied")
	})
	t.Run("unknown key", func(t *testing.T) {
		e.clock.set(time.Unix(1767290000, 0))
		v := vectors[0]
		v.key = "K3UNKNOWN"
		url, h := request(v, v.sig, "")
		resp, body := e.get(url, h...)
		checkRejection(t, resp, body, "InvalidKey")
	})
	t.Run("Signature=%%%", func(t *testing.T) {
		e.clock.set(time.Unix(1767290000, 0))
		resp := rawRequest(t, e, "GET /image.jpg?Expires=1767290400&Signature=%%%&Key-Pair-Id=K1TESTKEY HTTP/1.1\r\nHost: "+vecHost+"\r\nX-Forwarded-Proto: https\r\n\r\n")
		checkRejection(t, resp, readAll(t, resp), "MalformedSignature")
	})
}

// With a managed CORS response headers policy, a browser player can read
// the 403 and pass the preflight, which carries no credentials.
func TestCORSOnRestrictedBehavior(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) {
		d.Default.ResponsePolicy = "5cc3b908-e619-4b99-88e5-2cf7f45965bd" // CORS-With-Preflight
		d.Default.Methods = []string{"GET", "HEAD", "OPTIONS"}
	})
	e.origin.put("/a.m3u8", "#EXTM3U")
	resp := e.do(http.MethodOptions, "http://"+host1+"/a.m3u8", "Origin", "https://player.example.com", "Access-Control-Request-Method", "GET")
	readAll(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := e.get("http://"+host1+"/a.m3u8", "Origin", "https://player.example.com")
	if resp.StatusCode != 403 || body != wantBodies["MissingKey"] || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("403: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = e.get(signURL(t, keyA, "http://"+host1+"/a.m3u8"), "Origin", "https://player.example.com")
	if resp.StatusCode != 200 || body != "#EXTM3U" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("200: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if n := e.origin.count(); n != 1 {
		t.Errorf("origin requests %d, want 1", n)
	}
}
