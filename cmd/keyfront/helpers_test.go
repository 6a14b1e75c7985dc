package main_test

import (
	"bytes"
	"context"
	"crypto"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cli "keyfront/cmd/keyfront"
	"keyfront/signing"
)

// keyID is the public key ID the tests sign under.
const keyID = "K2JCJMDEHXQW5F"

// result is what one keyfront invocation produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// run runs keyfront in process with args and stdin, as a shell would.
func run(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	m := cli.NewMain()
	code := m.Run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs keyfront and fails the test unless it exits 0.
func mustRun(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	r := run(tb, stdin, args...)
	if r.code != 0 {
		tb.Fatalf("keyfront %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// keyPair is a key made by `keyfront keygen` in a test's temporary
// directory.
type keyPair struct {
	priv, pub string // file paths
}

// newKeyPair runs `keyfront keygen` with extra args in a fresh directory.
func newKeyPair(tb testing.TB, args ...string) keyPair {
	tb.Helper()
	dir := tb.TempDir()
	k := keyPair{priv: filepath.Join(dir, "private_key.pem"), pub: filepath.Join(dir, "public_key.pem")}
	mustRun(tb, "", append([]string{"keygen", "--out", k.priv, "--pubout", k.pub}, args...)...)
	return k
}

// signer parses the private key with the signing package.
func (k keyPair) signer(tb testing.TB) crypto.Signer {
	tb.Helper()
	s, err := signing.ParsePrivateKey(readFile(tb, k.priv))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// keys returns the public key as the only trusted key, under keyID.
func (k keyPair) keys(tb testing.TB) signing.KeyMap {
	tb.Helper()
	pub, err := signing.ParsePublicKey(readFile(tb, k.pub))
	if err != nil {
		tb.Fatal(err)
	}
	return signing.KeyMap{keyID: pub}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeFile(tb testing.TB, path string, data []byte, mode os.FileMode) {
	tb.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		tb.Fatal(err)
	}
}

// requestFor builds the request a viewer makes when it fetches rawURL
// (absolute, as signed) with cookies, at now, from ip.
func requestFor(tb testing.TB, rawURL string, cookies []string, now time.Time, ip string) *signing.Request {
	tb.Helper()
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		tb.Fatalf("not an absolute URL: %s", rawURL)
	}
	host, uri := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, uri = rest[:i], rest[i:]
	}
	req := &signing.Request{Scheme: scheme, Host: host, RequestURI: uri, Now: now}
	if len(cookies) > 0 {
		req.Cookies = []string{strings.Join(cookies, "; ")}
	}
	if ip != "" {
		req.ViewerIP = netip.MustParseAddr(ip)
	}
	return req
}

// mustVerify fails the test unless the edge's verifier admits req.
func mustVerify(tb testing.TB, req *signing.Request, keys signing.Keys) {
	tb.Helper()
	if _, err := signing.Verify(req, keys); err != nil {
		tb.Fatalf("signing.Verify(%s%s): %v", req.Host, req.RequestURI, err)
	}
}
