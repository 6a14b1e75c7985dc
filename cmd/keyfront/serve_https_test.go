package main_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

// selfSignedCert writes a certificate for *.cloudfront.localhost and
// 127.0.0.1, and its key, into dir, and returns their paths and a pool
// that trusts it.
func selfSignedCert(t *testing.T, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "keyfront test edge"},
		DNSNames:              []string{"*.cloudfront.localhost", "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	writeFile(t, keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

// dialing returns a client that connects to addr whatever the URL's host,
// as curl does for *.localhost, trusting pool for https, and that does not
// follow redirects.
func dialing(addr string, pool *x509.CertPool) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
			TLSClientConfig: &tls.Config{RootCAs: pool},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// redirectSite starts keyfront serve with args and creates, with the AWS
// SDK for Go v2, the seed distribution, whose default behavior is
// redirect-to-https and trusts a key group. It returns the server, the
// distribution's domain name and ID, and a client for the plain listener
// once the edge redirects.
func redirectSite(t *testing.T, args ...string) (srv *server, domain, distID string, plain *http.Client) {
	t.Helper()
	srv = startServe(t, t.TempDir(), nil, args...)
	cf := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	s := createSeed(t, context.Background(), cf, string(readFile(t, newKeyPair(t).pub)))
	plain = dialing(strings.TrimPrefix(srv.edgeURL, "http://"), nil)
	waitFor(t, "the distribution reaches the edge", func() bool {
		resp, err := plain.Get("http://" + s.domainName + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusMovedPermanently
	})
	return srv, s.domainName, s.distID, plain
}

// TestServeRedirectToTLSListener: with --edge-tls-addr, an http request to
// a redirect-to-https behavior gets 301 to the TLS listener's port, and
// that Location is served there over https (the behavior's signature
// check answers, not another redirect). No warning is logged.
func TestServeRedirectToTLSListener(t *testing.T) {
	certPath, keyPath, pool := selfSignedCert(t, t.TempDir())
	srv, domain, _, plain := redirectSite(t, "--edge-tls-addr", "127.0.0.1:0", "--tls-cert", certPath, "--tls-key", keyPath)
	if srv.edgeTLSURL == "" {
		t.Fatal("no TLS listener was reported")
	}
	tlsAddr := strings.TrimPrefix(srv.edgeTLSURL, "https://")
	_, tlsPort, _ := net.SplitHostPort(tlsAddr)
	_, httpPort, _ := net.SplitHostPort(strings.TrimPrefix(srv.edgeURL, "http://"))

	resp, err := plain.Get("http://" + domain + ":" + httpPort + "/hls/a%20b.ts?x=1&y=%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("status %d, want 301", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if want := "https://" + domain + ":" + tlsPort + "/hls/a%20b.ts?x=1&y=%2F"; loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}

	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = dialing(tlsAddr, pool).Get(u.String())
	if err != nil {
		t.Fatalf("GET %s over the TLS listener: %v", loc, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !bytes.Equal(body, signing.MissingKey.Body()) {
		t.Errorf("GET %s: %d %q, want the restricted behavior's 403 MissingKey", loc, resp.StatusCode, body)
	}
	if resp.TLS == nil {
		t.Error("the Location was not served over TLS")
	}
	if strings.Contains(srv.stderr.String(), "no TLS listener") {
		t.Errorf("warned about a missing TLS listener while there is one:\n%s", srv.stderr)
	}
}

// TestServeRedirectWithoutTLSListener: without --edge-tls-addr the
// distribution is accepted and redirects to https on the default port, as
// CloudFront does, and the edge warns once that it has no TLS listener.
func TestServeRedirectWithoutTLSListener(t *testing.T) {
	srv, domain, distID, plain := redirectSite(t)
	_, httpPort, _ := net.SplitHostPort(strings.TrimPrefix(srv.edgeURL, "http://"))
	for range 3 {
		resp, err := plain.Get("http://" + domain + ":" + httpPort + "/hls/a.ts?x=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently {
			t.Fatalf("status %d, want 301", resp.StatusCode)
		}
		if got, want := resp.Header.Get("Location"), "https://"+domain+"/hls/a.ts?x=1"; got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
	}
	var warnings []string
	for _, line := range strings.Split(srv.stderr.String(), "\n") {
		if strings.Contains(line, "no TLS listener") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings about the missing TLS listener, want 1:\n%s", len(warnings), srv.stderr)
	}
	for _, want := range []string{"level=WARN", "distribution=" + distID, "redirect-to-https", "--edge-tls-addr"} {
		if !strings.Contains(warnings[0], want) {
			t.Errorf("warning lacks %q:\n%s", want, warnings[0])
		}
	}
}

// TestServeAWSCLIRedirectToHTTPS: a redirect-to-https distribution made
// with `aws cloudfront create-distribution` redirects to the TLS
// listener's port, which serves it.
func TestServeAWSCLIRedirectToHTTPS(t *testing.T) {
	aws := awsCLI(t)
	certPath, keyPath, pool := selfSignedCert(t, t.TempDir())
	srv := startServe(t, t.TempDir(), nil, "--edge-tls-addr", "127.0.0.1:0", "--tls-cert", certPath, "--tls-key", keyPath)
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "dist.json"), map[string]any{
		"CallerReference": "cli-redirect",
		"Comment":         "http goes to https",
		"Enabled":         true,
		"Origins": map[string]any{"Quantity": 1, "Items": []any{map[string]any{
			"Id": "site", "DomainName": "site.s3.localhost",
			"S3OriginConfig": map[string]any{"OriginAccessIdentity": ""},
		}}},
		"DefaultCacheBehavior": map[string]any{
			"TargetOriginId":       "site",
			"ViewerProtocolPolicy": "redirect-to-https",
			"CachePolicyId":        "658327ea-f89d-4fab-a63d-7e88639e58f6",
		},
	})
	var created struct{ Distribution struct{ DomainName string } }
	if err := awsControl(t, aws, srv.apiURL, &created, "create-distribution", "--distribution-config", "file://"+filepath.Join(dir, "dist.json")); err != nil {
		t.Fatal(err)
	}
	domain := created.Distribution.DomainName
	tlsAddr := strings.TrimPrefix(srv.edgeTLSURL, "https://")
	_, tlsPort, _ := net.SplitHostPort(tlsAddr)
	plain := dialing(strings.TrimPrefix(srv.edgeURL, "http://"), nil)
	var loc string
	waitFor(t, "the distribution reaches the edge", func() bool {
		resp, err := plain.Get("http://" + domain + "/index.html?v=2")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc = resp.Header.Get("Location")
		return resp.StatusCode == http.StatusMovedPermanently
	})
	if want := "https://" + domain + ":" + tlsPort + "/index.html?v=2"; loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}
	resp, err := dialing(tlsAddr, pool).Get(loc)
	if err != nil {
		t.Fatalf("GET %s: %v", loc, err)
	}
	resp.Body.Close()
	// No bucket "site": the origin's 404, relayed over https.
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Amz-Cf-Id") == "" {
		t.Errorf("GET %s: %d, want the origin's 404 through the edge", loc, resp.StatusCode)
	}
}
