package edge

import (
	"bufio"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"keyfront"
	"keyfront/signing"
	"keyfront/sqlite"
)

// FuzzDecide runs the edge's one decision function on arbitrary
// request-targets, Host headers, cookies, methods and viewer addresses,
// against a distribution whose default behavior and "/img/*.jpg" require
// signatures from a key group of one RSA and one ECDSA key, and whose
// "/public/*" does not. The property is the edge's reason to exist: it
// never serves a restricted path without a valid signature.
//
//   - When decide serves a request routed to a restricted behavior, an
//     independent check accepts its signature: signing.Verify with the
//     two public keys parsed here (not the snapshot's), for the request as
//     sent; and a custom policy's Resource also matches the normalised
//     path, the object the edge fetches.
//   - When it serves a request on the unrestricted behavior, the object the
//     origin fetches is under /public/ as the origin reads the path
//     (percent-decoded once, dot segments resolved).
//   - Served restricted requests forward no signing parameters or cookies.
//   - Explain's verdict (no signature memo) is ServeHTTP's (with it).
//
// The seeds are valid signed URLs and cookies (canned and custom, RSA and
// ECDSA, SHA1 and SHA256) so that the fuzzer starts next to the boundary,
// and the path tricks of security_test.go.
func FuzzDecide(f *testing.F) {
	s, keys := fuzzEdge(f)
	rsaSigner := fuzzSigner(f, fuzzKeyRSA, fuzzRSAPrivate, signing.SHA1)
	rsa256 := fuzzSigner(f, fuzzKeyRSA, fuzzRSAPrivate, signing.SHA256)
	ecSigner := fuzzSigner(f, fuzzKeyEC, fuzzECPrivate, signing.SHA256)
	until := fuzzNow.Add(time.Hour)
	base := "https://" + fuzzHost
	sign := func(sg *signing.Signer, u string, t signing.Terms) string {
		out, err := sg.SignURL(u, t)
		if err != nil {
			f.Fatal(err)
		}
		return strings.TrimPrefix(out, base)
	}
	cookies := func(sg *signing.Signer, t signing.Terms) string {
		cs, err := sg.SignCookies(t)
		if err != nil {
			f.Fatal(err)
		}
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = c.Name + "=" + c.Value
		}
		return strings.Join(parts, "; ")
	}
	const (
		https = 1 << iota
		hostUpper
		hostPort
		methodHead
		methodPost
	)
	for _, seed := range []struct {
		sel    uint8
		uri    string
		cookie string
		header string
		viewer uint32
	}{
		{https, sign(rsaSigner, base+"/private/a.txt", signing.Terms{DateLessThan: until}), "", "", 0xc0000201},
		{https, sign(ecSigner, base+"/img/cat.jpg?size=large", signing.Terms{DateLessThan: until}), "", "", 0xc0000201},
		{https | hostUpper, sign(rsa256, base+"/img/x/y.jpg", signing.Terms{Resource: base + "/img/*", DateLessThan: until}), "", "", 0xc0000201},
		{https, sign(rsaSigner, base+"/v/seg1.ts", signing.Terms{Resource: base + "/v/*", DateLessThan: until, IPAddress: "192.0.2.0/24"}), "", "", 0xc0000201},
		{https, sign(ecSigner, base+"/", signing.Terms{DateLessThan: until, DateGreaterThan: fuzzNow.Add(-time.Hour)}), "", "", 0xc0000201},
		{https, "/private/a.txt", cookies(rsaSigner, signing.Terms{Resource: base + "/private/*", DateLessThan: until}), "", 0xc0000201},
		{https | hostPort, "/img/a.jpg", cookies(ecSigner, signing.Terms{Resource: "https://*/*", DateLessThan: until}), "", 0x0a000001},
		{https, "/x/../private/a.txt?b=1", cookies(rsaSigner, signing.Terms{Resource: base + "/x/*", DateLessThan: until}), "", 0xc0000201},
		{https, "/public/a.txt", "", "", 0},
		{0, "/public/..%2Fprivate/a.txt", "", "", 0},
		{0, "/public/%2e%2e/private/a.txt", "", "", 0},
		{https, "/public//../private/a.txt", "", "", 0},
		{https | methodHead, "/public/%2E%2E%2fimg/a.jpg", "", "", 0},
		{https | methodPost, "/public/a", "", "Origin: https://example.com", 0},
		{https, "http://" + fuzzHost + "/private/a.txt", "", "", 0},
		{https, "/healthz", "", "", 0},
	} {
		f.Add(seed.sel, seed.uri, seed.cookie, seed.header, seed.viewer)
	}
	f.Fuzz(func(t *testing.T, sel uint8, uri, cookie, header string, viewer uint32) {
		scheme := "http"
		if sel&https != 0 {
			scheme = "https"
		}
		host := fuzzHost
		if sel&hostUpper != 0 {
			host = strings.ToUpper(host)
		}
		if sel&hostPort != 0 {
			host += ":443"
		}
		method := http.MethodGet
		switch {
		case sel&methodHead != 0:
			method = http.MethodHead
		case sel&methodPost != 0:
			method = http.MethodOptions
		}
		raw := method + " " + uri + " HTTP/1.1\r\nHost: " + host + "\r\n"
		if cookie != "" {
			raw += "Cookie: " + cookie + "\r\n"
		}
		if header != "" {
			raw += header + "\r\n"
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + "\r\n")))
		if err != nil {
			return // net/http answers 400 before the edge sees it
		}
		ip := netip.AddrFrom4([4]byte{byte(viewer >> 24), byte(viewer >> 16), byte(viewer >> 8), byte(viewer)})
		snap := s.snap.Load()
		rq := &request{id: "-", now: fuzzNow, scheme: scheme, viewerIP: ip}
		act, e := s.decide(snap, r, rq, nil)
		if (act == actRefuse) != (e != nil) {
			t.Fatalf("decide = %v with error %v", act, e)
		}
		// Explain's path: no memo, a trace.
		rq2 := &request{id: "-", now: fuzzNow, scheme: scheme, viewerIP: ip}
		if act2, _ := s.decide(snap, r, rq2, &trace{}); act2 != act {
			t.Fatalf("decide with the memo = %v, without = %v: %s %s", act, act2, method, uri)
		}
		if act != actServe {
			return
		}
		b := rq.beh
		if b == nil || rq.dist == nil {
			t.Fatalf("served without a behavior: %s", uri)
		}
		if !b.restricted {
			if p := originPath(rq.path); p != "/public" && !strings.HasPrefix(p, "/public/") {
				t.Fatalf("served %s %q unsigned on %q: the origin fetches %q", method, uri, b.pattern, p)
			}
			return
		}
		req := &signing.Request{Scheme: scheme, Host: r.Host, RequestURI: r.RequestURI, Cookies: r.Header["Cookie"], ViewerIP: ip, Now: fuzzNow}
		res, err := signing.Verify(req, keys)
		if err != nil {
			t.Fatalf("served restricted %s %q (cookies %q) that signing.Verify refuses: %v", method, uri, cookie, err)
		}
		query := rq.rawQuery
		if res.Mode == signing.ModeURL {
			query = signing.StripQuery(query)
		}
		if p := res.Policy; !res.Canned && p.Resource != "" && !signing.MatchResource(p.Resource, scheme, r.Host, rq.normPath, query) &&
			originPath(rq.rawPath) != originPath(rq.normPath) {
			t.Fatalf("served %q: the policy's resource %s does not match the fetched path %s", uri, p.Resource, rq.normPath)
		}
		if signing.HasSigningParams(rq.query) || !rq.stripCookies {
			t.Fatalf("served %q forwarding query %q, stripCookies %v", uri, rq.query, rq.stripCookies)
		}
	})
}

// originPath is the object a path names to an origin that decodes it once
// (as S3 does) and resolves dot segments.
func originPath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return path.Clean("/" + p)
}

const (
	fuzzHost   = "d111111abcdef8.cloudfront.localhost"
	fuzzKeyRSA = "KFUZZRSAAAAAAA"
	fuzzKeyEC  = "KFUZZECDSAAAAA"
	fuzzGroup  = "fffffff0-1111-2222-3333-444444444444"
)

// fuzzNow is the edge's clock in FuzzDecide.
var fuzzNow = time.Unix(1767290000, 0).UTC()

// fuzzEdge builds an edge on a SQLite store holding the fuzz
// distribution, and returns it with the key group's public keys, parsed
// independently of the edge.
func fuzzEdge(f *testing.F) (*Server, signing.KeyMap) {
	f.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, f.TempDir()+"/keyfront.db")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	keys := signing.KeyMap{}
	err = db.Update(ctx, func(tx keyfront.Tx) error {
		for id, priv := range map[string]string{fuzzKeyRSA: fuzzRSAPrivate, fuzzKeyEC: fuzzECPrivate} {
			pub := publicKeyPEM(f, priv)
			k, err := signing.ParsePublicKey([]byte(pub))
			if err != nil {
				return err
			}
			keys[id] = k
			if err := tx.PutPublicKey(ctx, &keyfront.PublicKey{ID: keyfront.KeyPairID(id), ETag: "E" + id, Name: id,
				EncodedKey: pub, CreatedTime: fuzzNow, CallerReference: id}); err != nil {
				return err
			}
		}
		if err := tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: fuzzGroup, ETag: "EG", Name: "fuzz",
			Items: []keyfront.KeyPairID{fuzzKeyRSA, fuzzKeyEC}, LastModifiedTime: fuzzNow}); err != nil {
			return err
		}
		return tx.PutDistribution(ctx, &keyfront.Distribution{ID: "EFUZZDISTRIB01", ETag: "ED", Status: "Deployed",
			DomainName: fuzzHost, Enabled: true, Config: []byte(fuzzDistConfig), LastModifiedTime: fuzzNow, CallerReference: "fuzz"})
	})
	if err != nil {
		f.Fatal(err)
	}
	s, err := NewServer(Config{Store: db, NodeID: "fuzz-node", Now: func() time.Time { return fuzzNow }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	return s, keys
}

// fuzzDistConfig: "/public/*" unrestricted, "/img/*.jpg" and the default
// behavior restricted to the key group, default root object index.html.
const fuzzDistConfig = `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">` +
	`<CallerReference>fuzz</CallerReference><Aliases><Quantity>0</Quantity></Aliases>` +
	`<DefaultRootObject>index.html</DefaultRootObject>` +
	`<Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id><DomainName>127.0.0.1</DomainName>` +
	`<CustomOriginConfig><HTTPPort>9</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig>` +
	`</Origin></Items></Origins>` +
	`<DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId>` + fuzzTrusted + `<ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>` + fuzzForwarded + `</DefaultCacheBehavior>` +
	`<CacheBehaviors><Quantity>2</Quantity><Items>` +
	`<CacheBehavior><PathPattern>/public/*</PathPattern><TargetOriginId>o1</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>` +
	`<AllowedMethods><Quantity>3</Quantity><Items><Method>GET</Method><Method>HEAD</Method><Method>OPTIONS</Method></Items>` +
	`<CachedMethods><Quantity>2</Quantity><Items><Method>GET</Method><Method>HEAD</Method></Items></CachedMethods></AllowedMethods>` +
	fuzzForwarded + `<ResponseHeadersPolicyId>60669652-455b-4ae9-85a4-c4c02393f86c</ResponseHeadersPolicyId></CacheBehavior>` +
	`<CacheBehavior><PathPattern>img/*.jpg</PathPattern><TargetOriginId>o1</TargetOriginId>` + fuzzTrusted + `<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>` + fuzzForwarded + `</CacheBehavior>` +
	`</Items></CacheBehaviors><Comment></Comment><Enabled>true</Enabled></DistributionConfig>`

const fuzzTrusted = `<TrustedKeyGroups><Enabled>true</Enabled><Quantity>1</Quantity><Items><KeyGroup>` + fuzzGroup + `</KeyGroup></Items></TrustedKeyGroups>`

const fuzzForwarded = `<ForwardedValues><QueryString>true</QueryString><Cookies><Forward>all</Forward></Cookies>` +
	`<Headers><Quantity>0</Quantity></Headers><QueryStringCacheKeys><Quantity>0</Quantity></QueryStringCacheKeys></ForwardedValues>` +
	`<MinTTL>0</MinTTL><DefaultTTL>86400</DefaultTTL><MaxTTL>31536000</MaxTTL>`

func fuzzSigner(f *testing.F, id, priv string, h signing.HashAlgorithm) *signing.Signer {
	f.Helper()
	k, err := signing.ParsePrivateKey([]byte(priv))
	if err != nil {
		f.Fatal(err)
	}
	s, err := signing.NewSigner(id, k, h)
	if err != nil {
		f.Fatal(err)
	}
	return s
}

func publicKeyPEM(f *testing.F, priv string) string {
	f.Helper()
	k, err := signing.ParsePrivateKey([]byte(priv))
	if err != nil {
		f.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	if err != nil {
		f.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Fixed test keys, so that the signed URLs in testdata/fuzz/FuzzDecide
// stay valid. They sign nothing outside these tests.
const fuzzRSAPrivate = `-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAzShqMEqxcxJYoB5S+MQtf6nfm1ZmE1LdZQOWPkH/AIT2Od2K
nUHhlFl4Wz/9I6zmKyCgI7bY3CM19gUY0kFfBRESnQ483VmaXbWof1aNaFN6SzBT
YUd0GDh4OAp7BzFLJB1gKYw6E4C1qxu/jhsgLT2anEmwmE76/zn+efrMr8tuDwE5
Ps0shg6WYo8Wbl1zr/pDkjArkl29g3ZOxqyooua4w1Tw0Ac3yq3+pnWBWO5yGdvU
t5fUq4R6rcExMks5lQR9HYFTvMIqlkTmCnfZ7rb+OxdHG7qUgB42wOF7gOrubMDO
XimejMlv8iShyVp6ErIXt4hDjLULNguGd5rFnwIDAQABAoIBAASMYIMI782PV/mR
hXLB0Hz2q6vASAXgeAWf4mo+2Ds38ZoVRhI4ATJXL3TdWebGzh7+j/KwkfEPG7FK
HnT79cOP2zMa0nnNoygqP0OT0fpMXPFRhrtXhbMoT+MX/0yIwBmVjgyiH3dQCsh9
fyJgRDcJpNRF7Q1PwSHOEaoaMHkTl3qEHh8B+9BHXtVKkq3tL/YlUQvfdR8rS+dl
QXpkfvXbfltsu2S4C+B/0BDvb5mxyncNSlUYqrhL7UTn/iI75rk2SLME97D/3uT9
MRb8JAhhlXtyVGqZz7p2dSyvIf3DXm24A8UFxJeCRlMyMBGKZk/30qxeuv0NBcv7
biNvsBUCgYEA7e4SRawqARsHadQrFZC9ZIr3ss9YZiyKljaM7Wd6y2Zyru/2ARx2
8mHA0TtRpUEjpo41THw0qzSp4YQVNu+iflkOapywmKTj5L+a3YjmOyHTE5l3hu7d
UPhTWCqBF5GQWUQGYNdAw8Ep4Vkwl5Ub7YJVAT1Cg/xtP6BSvuOoD10CgYEA3L0s
5BwdAZ05/nIABvXiGmTtTvOn0taSDa/GkpFLTUncK6ctx1BaiA8I5nUN9yvt6NAt
MBNT4bAtxAPZLAbkPnQsYyVfvPcPusRhikHHSrqBcuk5MtlRG8pssb7Smru0uj1/
No5qScGMOJrE3qTs2HhgqKjYJjnzuujmm8cK5SsCgYEAzM8oT2054yW/JewLAk9L
mKa/Pd6aO6mPymo+uYVgAIK5qbjJzH8SLObUscccKuJ9q7uySZqJQ+7bZVLraBSz
jYtfi4pBwcP+oEQHLTfQ54ngRnjOmQo43KBGLhi4cu9MkGqsCuR/zYITaPX7jCBA
oByWy7BN94ttB14cnFEfs8kCgYEAxVEZisMSrrmz+J5BJfev6LYlZ3jooNCLeE6T
K7tTW8BVXnQvuMY8VvlRlGg4VqVfIsjMS/hK+Ch7kId8Hx3981H3x5zGCu2yktou
8t6/3i3/vw95wNl/5l65cN3J9uUptX15dPQzUMEBriuzJe65hPt+M+XSacFN/Ntq
IP/43kcCgYBT9SPDl3hsoecAjXiXoo1ttCELOPQIUIR25pPc0g316YHFmpu+W2SC
vJo2Dtri1XbqYgjZhulVpQBCi8qCbrj7IS78zTf8lsOX9zS6TV9RDh0FmCeX60EX
2nUogyMGlIB3v+RsQTEPyoBHUUHGpcnC7t5pd+0uBhC41rrgoeI87g==
-----END RSA PRIVATE KEY-----`

const fuzzECPrivate = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEINTQMc8e7GlvstbeMMLn8VKLB9vvetmZSKNPP08Fyi3woAoGCCqGSM49
AwEHoUQDQgAEN4fNtq0bP5LERtKLZ2kjBxcEW0+zih2cuUKdOkpTMp7sftY1LjG3
TUYD1IzMOxGgjPUMCvYx5yTtzq9lTnNVQQ==
-----END EC PRIVATE KEY-----`
