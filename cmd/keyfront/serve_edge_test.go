package main_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfsign "github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront/signing"
)

// seedSite is the seed walkthrough set up against a real keyfront serve:
// a private bucket, keys in a trusted and an untrusted group, an origin
// access control, a distribution with restricted viewer access, and the
// bucket policy that admits only that distribution with the site's Referer.
type seedSite struct {
	srv        *server
	cf         *cloudfront.Client
	s3         *s3.Client
	viewer     *http.Client // dials the edge whatever the URL's host
	host       string       // the distribution's Host as viewers send it, port included
	distID     string
	distARN    string
	groupID    string
	oacID      string
	rsaKey     keyPair // in the trusted group
	ecKey      keyPair // in the trusted group
	otherKey   keyPair // in a group the behavior does not trust
	rsaID      string
	ecID       string
	otherID    string
	segments   map[string][]byte
	refererOK  string
	bucketName string
}

func newSeedSite(t *testing.T) *seedSite {
	t.Helper()
	ctx := context.Background()
	st := &seedSite{srv: startServe(t, t.TempDir(), nil), bucketName: "videos", refererOK: "https://www.example.com/player"}
	st.cf = cloudfrontClient(st.srv.apiURL, e2eAccessKey, e2eSecretKey)
	st.s3 = s3Client(st.srv.s3URL, e2eAccessKey, e2eSecretKey)
	edgeAddr := strings.TrimPrefix(st.srv.edgeURL, "http://")
	st.viewer = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, edgeAddr)
		},
	}}

	if _, err := st.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &st.bucketName}); err != nil {
		t.Fatal(err)
	}
	st.segments = map[string][]byte{}
	for i := 1; i <= 3; i++ {
		key := fmt.Sprintf("hls/seg%d.ts", i)
		body := bytes.Repeat([]byte(fmt.Sprintf("segment %d ", i)), 100*i)
		st.segments["/"+key] = body
		if _, err := st.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &st.bucketName, Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}

	st.rsaKey, st.ecKey, st.otherKey = newKeyPair(t), newKeyPair(t, "--type", "ecdsa"), newKeyPair(t)
	upload := func(name string, k keyPair) string {
		out, err := st.cf.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(string(readFile(t, k.pub)))}})
		if err != nil {
			t.Fatalf("CreatePublicKey %s: %v", name, err)
		}
		return *out.PublicKey.Id
	}
	st.rsaID, st.ecID, st.otherID = upload("rsa", st.rsaKey), upload("ecdsa", st.ecKey), upload("other", st.otherKey)
	group := func(name string, ids ...string) string {
		out, err := st.cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String(name), Items: ids}})
		if err != nil {
			t.Fatalf("CreateKeyGroup %s: %v", name, err)
		}
		return *out.KeyGroup.Id
	}
	st.groupID = group("signers", st.rsaID, st.ecID)
	group("untrusted", st.otherID)
	oac, err := st.cf.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: &types.OriginAccessControlConfig{
		Name: aws.String("videos-oac"), OriginAccessControlOriginType: types.OriginAccessControlOriginTypesS3,
		SigningBehavior: types.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: types.OriginAccessControlSigningProtocolsSigv4}})
	if err != nil {
		t.Fatal(err)
	}
	st.oacID = *oac.OriginAccessControl.Id
	dc := seedDistributionConfig(st.groupID, st.oacID, true)
	dc.DefaultCacheBehavior.ViewerProtocolPolicy = types.ViewerProtocolPolicyAllowAll
	// As on CloudFront, Referer reaches the origin only when an origin
	// request policy forwards it: the managed UserAgentRefererHeaders.
	dc.DefaultCacheBehavior.OriginRequestPolicyId = aws.String(userAgentRefererHeaders)
	d, err := st.cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: dc})
	if err != nil {
		t.Fatal(err)
	}
	st.distID, st.distARN = *d.Distribution.Id, *d.Distribution.ARN
	_, port, _ := net.SplitHostPort(edgeAddr)
	st.host = *d.Distribution.DomainName + ":" + port

	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::videos/*",` +
		`"Condition":{"StringEquals":{"AWS:SourceArn":"` + st.distARN + `"},"StringLike":{"aws:Referer":"https://www.example.com/*"}}}]}`
	if _, err := st.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &st.bucketName, Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	// The edge follows the store by polling; wait until it knows the
	// distribution (an unknown host gets an HTML error page instead).
	waitFor(t, "the distribution reaches the edge", func() bool {
		_, body := st.get(t, st.url("/hls/seg1.ts"), "")
		return bytes.Equal(body, signing.MissingKey.Body())
	})
	return st
}

// url returns the viewer URL of path on the distribution.
func (st *seedSite) url(path string) string { return "http://" + st.host + path }

// get fetches rawURL from the edge with the site's Referer and any cookies.
func (st *seedSite) get(t *testing.T, rawURL, referer string, cookies ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The request-target must reach the edge byte for byte as signed.
	if u, err := url.Parse(rawURL); err == nil {
		req.URL.Opaque = "//" + u.Host + strings.SplitN(strings.TrimPrefix(rawURL, "http://"+u.Host), "#", 2)[0]
		req.URL.RawQuery = ""
		if i := strings.IndexByte(req.URL.Opaque, '?'); i >= 0 {
			req.URL.Opaque, req.URL.RawQuery = req.URL.Opaque[:i], req.URL.Opaque[i+1:]
		}
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	for _, c := range cookies {
		req.Header.Add("Cookie", c)
	}
	resp, err := st.viewer.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

func (st *seedSite) signer(t *testing.T, k keyPair, id string, h signing.HashAlgorithm) *signing.Signer {
	t.Helper()
	s, err := signing.NewSigner(id, k.signer(t), h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signURL(t *testing.T, s *signing.Signer, u string, terms signing.Terms) string {
	t.Helper()
	out, err := s.SignURL(u, terms)
	if err != nil {
		t.Fatalf("SignURL %s: %v", u, err)
	}
	return out
}

// want403 checks an edge refusal: CloudFront's exact bytes for code.
func want403(t *testing.T, what string, resp *http.Response, body []byte, code signing.Code) {
	t.Helper()
	if resp.StatusCode != http.StatusForbidden || !bytes.Equal(body, code.Body()) {
		t.Errorf("%s: %d %q, want 403 %q", what, resp.StatusCode, body, code.Body())
		return
	}
	if got := resp.Header.Get("Content-Type"); got != "text/xml" {
		t.Errorf("%s: Content-Type %q, want text/xml", what, got)
	}
	if got := resp.Header.Get("X-Cache"); got != "Error from cloudfront" {
		t.Errorf("%s: X-Cache %q, want Error from cloudfront", what, got)
	}
}

// TestServeSeedEndToEnd is the seed walkthrough against a real keyfront
// serve: everything is set up through the control API and the S3 API,
// then viewers fetch through the edge.
func TestServeSeedEndToEnd(t *testing.T) {
	st := newSeedSite(t)
	ctx := context.Background()
	seg1, seg2 := st.url("/hls/seg1.ts"), st.url("/hls/seg2.ts")
	rsaSHA1 := st.signer(t, st.rsaKey, st.rsaID, signing.SHA1)
	future := time.Now().Add(time.Hour)

	resp, body := st.get(t, seg1, st.refererOK)
	want403(t, "unsigned", resp, body, signing.MissingKey)

	// A URL signed by the AWS SDK for Go v2.
	priv := st.rsaKey.signer(t).(*rsa.PrivateKey)
	sdkURL, err := cfsign.NewURLSigner(st.rsaID, priv).Sign(seg1, future)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = st.get(t, sdkURL, st.refererOK)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, st.segments["/hls/seg1.ts"]) {
		t.Fatalf("SDK-signed URL: %d %q, want 200 and the segment", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Cache"); got != "Miss from cloudfront" {
		t.Errorf("first fetch X-Cache = %q, want Miss from cloudfront", got)
	}
	resp, body = st.get(t, sdkURL, st.refererOK)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Cache") != "Hit from cloudfront" || !bytes.Equal(body, st.segments["/hls/seg1.ts"]) {
		t.Errorf("second fetch: %d, X-Cache %q; want 200 Hit from cloudfront", resp.StatusCode, resp.Header.Get("X-Cache"))
	}

	// A URL signed by the AWS CLI.
	if awsPath, err := exec.LookPath("aws"); err == nil {
		cliURL, err := runAWS(t, awsPath, "cloudfront", "sign", "--url", seg2, "--key-pair-id", st.rsaID,
			"--private-key", "file://"+st.rsaKey.priv, "--date-less-than", future.UTC().Format("2006-01-02T15:04:05"))
		if err != nil {
			t.Fatal(err)
		}
		resp, body = st.get(t, cliURL, st.refererOK)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, st.segments["/hls/seg2.ts"]) {
			t.Errorf("aws cloudfront sign URL: %d %q, want 200", resp.StatusCode, body)
		}
	} else {
		t.Log("aws not on PATH: the AWS CLI-signed URL case is not run")
	}

	// SHA256 and ECDSA signatures.
	for name, s := range map[string]*signing.Signer{
		"RSA SHA256":   st.signer(t, st.rsaKey, st.rsaID, signing.SHA256),
		"ECDSA SHA256": st.signer(t, st.ecKey, st.ecID, signing.SHA256),
	} {
		resp, body = st.get(t, signURL(t, s, seg2, signing.Terms{DateLessThan: future}), st.refererOK)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, st.segments["/hls/seg2.ts"]) {
			t.Errorf("%s: %d %q, want 200", name, resp.StatusCode, body)
		}
	}

	// Each refusal with its exact 403.
	valid := signURL(t, rsaSHA1, seg1, signing.Terms{DateLessThan: future})
	tamperedSig := strings.Replace(valid, "Signature=", "Signature=A", 1)
	otherSigner := st.signer(t, st.otherKey, st.otherID, signing.SHA1)
	refusals := []struct {
		name string
		url  string
		code signing.Code
	}{
		{"expired", signURL(t, rsaSHA1, seg1, signing.Terms{DateLessThan: time.Now().Add(-time.Minute)}), signing.AccessDenied},
		{"not yet valid", signURL(t, rsaSHA1, seg1, signing.Terms{DateLessThan: future, DateGreaterThan: time.Now().Add(30 * time.Minute)}), signing.AccessDenied},
		{"wrong IP", signURL(t, rsaSHA1, seg1, signing.Terms{DateLessThan: future, IPAddress: "192.0.2.0/24"}), signing.AccessDenied},
		{"tampered signature", tamperedSig, signing.AccessDenied},
		{"tampered path", strings.Replace(valid, "/hls/seg1.ts", "/hls/seg2.ts", 1), signing.AccessDenied},
		{"unknown key", strings.Replace(valid, "Key-Pair-Id="+st.rsaID, "Key-Pair-Id=KNOSUCHKEY00000", 1), signing.InvalidKey},
		{"key of an untrusted group", signURL(t, otherSigner, seg1, signing.Terms{DateLessThan: future}), signing.InvalidKey},
		{"malformed policy", seg1 + "?Policy=bm90LWpzb24_&Signature=AAAA&Key-Pair-Id=" + st.rsaID, signing.MalformedPolicy},
		{"malformed signature", seg1 + "?Expires=2000000000&Signature=%%%25&Key-Pair-Id=" + st.rsaID, signing.MalformedSignature},
	}
	for _, r := range refusals {
		resp, body := st.get(t, r.url, st.refererOK)
		want403(t, r.name, resp, body, r.code)
	}

	// Signed cookies: canned for one URL, custom with a wildcard for all.
	cookieHeader := func(s *signing.Signer, terms signing.Terms) string {
		cs, err := s.SignCookies(terms)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, c := range cs {
			parts = append(parts, c.Name+"="+c.Value)
		}
		return strings.Join(parts, "; ")
	}
	canned := cookieHeader(rsaSHA1, signing.Terms{Resource: seg3(st), DateLessThan: future})
	resp, body = st.get(t, seg3(st), st.refererOK, canned)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, st.segments["/hls/seg3.ts"]) {
		t.Errorf("canned cookies: %d %q, want 200", resp.StatusCode, body)
	}
	wildcard := cookieHeader(rsaSHA1, signing.Terms{Resource: st.url("/hls/*"), DateLessThan: future})
	for path, want := range st.segments {
		resp, body = st.get(t, st.url(path), st.refererOK, wildcard)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Errorf("wildcard cookies for %s: %d, want 200", path, resp.StatusCode)
		}
	}
	// URL and cookies together: the URL decides.
	resp, body = st.get(t, tamperedSig, st.refererOK, wildcard)
	want403(t, "bad URL with good cookies", resp, body, signing.AccessDenied)

	// The bucket's own 403s: wrong or missing Referer, anonymous S3 access.
	// Referer is not part of the cache key (as on CloudFront), so these
	// use objects no viewer fetched yet.
	for i, ref := range []string{"", "https://evil.example.net/"} {
		key := fmt.Sprintf("referer/%d.bin", i)
		if _, err := st.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &st.bucketName, Key: &key, Body: strings.NewReader("private")}); err != nil {
			t.Fatal(err)
		}
		resp, body = st.get(t, signURL(t, rsaSHA1, st.url("/"+key), signing.Terms{DateLessThan: future}), ref)
		if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("<Code>AccessDenied</Code>")) || bytes.Equal(body, signing.AccessDenied.Body()) {
			t.Errorf("Referer %q: %d %q, want the bucket's 403 AccessDenied", ref, resp.StatusCode, body)
		}
	}
	anon, err := http.Get(st.srv.s3URL + "/videos/hls/seg1.ts")
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous S3 GET = %d, want 403", anon.StatusCode)
	}

	// A second distribution on the same bucket: its OAC signature names
	// another SourceArn, so the bucket refuses it.
	dc := seedDistributionConfig(st.groupID, st.oacID, true)
	dc.DefaultCacheBehavior.OriginRequestPolicyId = aws.String(userAgentRefererHeaders)
	dc.CallerReference = aws.String("second")
	dc.DefaultCacheBehavior.TrustedKeyGroups = &types.TrustedKeyGroups{Enabled: aws.Bool(false), Quantity: aws.Int32(0)}
	dc.DefaultCacheBehavior.ViewerProtocolPolicy = types.ViewerProtocolPolicyAllowAll
	d2, err := st.cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: dc})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(st.host)
	host2 := *d2.Distribution.DomainName + ":" + port
	waitFor(t, "the second distribution reaches the edge", func() bool {
		_, body := st.get(t, "http://"+host2+"/hls/seg1.ts", st.refererOK)
		return bytes.Contains(body, []byte("<Code>AccessDenied</Code>"))
	})
	resp, body = st.get(t, "http://"+host2+"/hls/seg1.ts", st.refererOK)
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("<Code>AccessDenied</Code>")) || bytes.Equal(body, signing.AccessDenied.Body()) {
		t.Errorf("second distribution: %d %q, want the bucket's 403", resp.StatusCode, body)
	}

	// Revocation: remove the RSA key from the group; within a second its
	// URLs are refused with InvalidKey, the ECDSA key still works.
	kg, err := st.cf.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: &st.groupID})
	if err != nil {
		t.Fatal(err)
	}
	kg.KeyGroupConfig.Items = []string{st.ecID}
	if _, err := st.cf.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: &st.groupID, IfMatch: kg.ETag, KeyGroupConfig: kg.KeyGroupConfig}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removed key is refused", func() bool {
		resp, body := st.get(t, valid, st.refererOK)
		return resp.StatusCode == http.StatusForbidden && bytes.Equal(body, signing.InvalidKey.Body())
	})
	ecURL := signURL(t, st.signer(t, st.ecKey, st.ecID, signing.SHA256), seg1, signing.Terms{DateLessThan: future})
	if resp, _ := st.get(t, ecURL, st.refererOK); resp.StatusCode != http.StatusOK {
		t.Errorf("ECDSA key still in the group: %d, want 200", resp.StatusCode)
	}
}

// userAgentRefererHeaders is the managed origin request policy that
// forwards User-Agent and Referer.
const userAgentRefererHeaders = "acba4595-bd28-49b8-b9fe-13317c0390fa"

func seg3(st *seedSite) string { return st.url("/hls/seg3.ts") }

// waitFor polls cond until it holds, failing after 10 s. Configuration
// reaches the edge within a second; the margin absorbs a loaded machine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
