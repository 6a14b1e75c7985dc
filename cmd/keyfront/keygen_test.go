package main_test

import (
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"keyfront/signing"
)

func TestKeygen(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantHeader string // first line of the private key file
		wantKey    string // signing.DescribeKey
	}{
		{"default is RSA PKCS#1", nil, "-----BEGIN RSA PRIVATE KEY-----", "RSA-2048"},
		{"rsa pkcs8", []string{"--type", "rsa", "--format", "pkcs8"}, "-----BEGIN PRIVATE KEY-----", "RSA-2048"},
		{"ecdsa is SEC1", []string{"--type", "ecdsa"}, "-----BEGIN EC PRIVATE KEY-----", "ECDSA P-256"},
		{"ecdsa pkcs8", []string{"--type", "ecdsa", "--format", "pkcs8"}, "-----BEGIN PRIVATE KEY-----", "ECDSA P-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyPair(t, tt.args...)
			checkMode(t, k.priv, 0o600)
			checkMode(t, k.pub, 0o644)
			priv, pubPEM := readFile(t, k.priv), readFile(t, k.pub)
			if got, _, _ := strings.Cut(string(priv), "\n"); got != tt.wantHeader {
				t.Errorf("private key starts %q, want %q", got, tt.wantHeader)
			}
			if got, _, _ := strings.Cut(string(pubPEM), "\n"); got != "-----BEGIN PUBLIC KEY-----" {
				t.Errorf("public key starts %q, want -----BEGIN PUBLIC KEY-----", got)
			}
			key, err := signing.ParsePrivateKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := signing.ParsePublicKey(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			if got := signing.DescribeKey(key); got != tt.wantKey {
				t.Errorf("key is %s, want %s", got, tt.wantKey)
			}
			if err := signing.CheckCloudFrontKey(pub); err != nil {
				t.Error(err)
			}
			if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Error("the public key file does not hold the private key's public half")
			}
			openssl(t, "pkey", "-in", k.priv, "-noout")
			openssl(t, "pkey", "-pubin", "-in", k.pub, "-noout")
		})
	}
}

// TestKeygenLoadsInAWSCLI: the default key is the one `aws cloudfront sign`
// (CLI v1, python-rsa load_pkcs1) can load.
func TestKeygenLoadsInAWSCLI(t *testing.T) {
	aws := awsCLI(t)
	k := newKeyPair(t)
	out, err := runAWS(t, aws, "cloudfront", "sign", "--url", "https://d111111abcdef8.cloudfront.net/a.jpg",
		"--key-pair-id", keyID, "--private-key", "file://"+k.priv, "--date-less-than", "2030-01-01")
	if err != nil || !strings.Contains(out, "Signature=") {
		t.Fatalf("aws cloudfront sign with keygen's default key: %v, output %q", err, out)
	}
}

// openssl checks that openssl accepts a key file, when openssl is present.
func openssl(t *testing.T, args ...string) {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Log("openssl is not on PATH; not checked with openssl")
		return
	}
	if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		t.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

func TestKeygenNeverOverwrites(t *testing.T) {
	tests := []struct {
		name     string
		existing string // which of the two files exists beforehand
	}{
		{"private key exists", "private_key.pem"},
		{"public key exists", "public_key.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			priv, pub := filepath.Join(dir, "private_key.pem"), filepath.Join(dir, "public_key.pem")
			existing := filepath.Join(dir, tt.existing)
			writeFile(t, existing, []byte("original\n"), 0o644)

			r := run(t, "", "keygen", "--out", priv, "--pubout", pub)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if !strings.Contains(r.stderr, "already exists") || !strings.Contains(r.stderr, "--force") {
				t.Errorf("stderr %q does not say the file exists and how to overwrite it", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if got := string(readFile(t, existing)); got != "original\n" {
				t.Errorf("existing file now holds %q", got)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d files, want only the original", len(entries))
			}
		})
	}
}

func TestKeygenForce(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "private_key.pem"), filepath.Join(dir, "public_key.pem")
	writeFile(t, priv, []byte("original\n"), 0o644)
	writeFile(t, pub, []byte("original\n"), 0o644)

	mustRun(t, "", "keygen", "--out", priv, "--pubout", pub, "--force")

	// The mode of the new private key must not be inherited from the file
	// it replaced.
	checkMode(t, priv, 0o600)
	if _, err := signing.ParsePrivateKey(readFile(t, priv)); err != nil {
		t.Errorf("private key after --force: %v", err)
	}
	if _, err := signing.ParsePublicKey(readFile(t, pub)); err != nil {
		t.Errorf("public key after --force: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2 (no temporary files left)", len(entries))
	}
}

func TestKeygenUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "k.pem")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown type", []string{"--type", "dsa"}, `--type "dsa" is not supported`},
		{"pkcs1 for ecdsa", []string{"--type", "ecdsa", "--format", "pkcs1"}, "does not hold ECDSA keys"},
		{"sec1 for rsa", []string{"--format", "sec1"}, "does not hold RSA keys"},
		{"same file twice", []string{"--pubout", out}, "give two different files"},
		{"unknown flag", []string{"--bits", "4096"}, "unknown flag --bits"},
		{"positional argument", []string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", append([]string{"keygen", "--out", out}, tt.args...)...)
			checkFailure(t, r, 2, tt.want)
			if _, err := os.Stat(out); err == nil {
				t.Error("a key file was written despite the usage error")
			}
		})
	}
}

// checkFailure asserts a failed run: the exit status, one line on stderr
// containing want, and nothing on stdout.
func checkFailure(t *testing.T, r result, wantCode int, want string) {
	t.Helper()
	if r.code != wantCode {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, wantCode, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not contain %q", r.stderr, want)
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr has %d lines, want exactly one: %q", n, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
}
