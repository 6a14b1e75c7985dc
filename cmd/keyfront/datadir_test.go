//go:build unix

package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	cli "keyfront/cmd/keyfront"
	"keyfront/signing"
)

// TestServeDataDirIsPrivate runs keyfront with every role and its demo on
// a data directory, stores an object through the origin and fetches one
// large enough for the edge to cache it in a file, then checks that every
// file keyfront created is mode 0600 and every directory 0700: while it
// runs (the SQLite log and shared memory exist then) and after it stopped.
func TestServeDataDirIsPrivate(t *testing.T) {
	// Under the usual umask, a file created with the default mode 0666
	// would come out 0644.
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"new data directory", func(*testing.T, string) {}},
		{"created beforehand with mode 0755", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"created beforehand with mode 0777", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			tt.prepare(t, dir)
			srv := startServe(t, dir, nil, "--demo")
			useEveryPlane(t, srv, dir)
			checkPrivateTree(t, dir, []string{"keyfront.db", "keyfront.db-wal", "keyfront.db-shm", "identity.json",
				"keyfront.lock", "node-id", "objects", "cache", "demo/private_key.pem", "demo/public_key.pem", "demo/demo.json"})
			if got := srv.stop(); got != 0 {
				t.Fatalf("serve exited with %d:\n%s", got, srv.stderr)
			}
			checkPrivateTree(t, dir, []string{"keyfront.db", "identity.json", "keyfront.lock", "node-id"})
		})
	}
}

// useEveryPlane makes keyfront write to every part of its data directory:
// an object through the origin, and a signed request for an object over
// the edge cache's memory limit (1 MiB), which the edge keeps in a file.
func useEveryPlane(t *testing.T, srv *server, dir string) {
	t.Helper()
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789abcdef"), (2<<20)/16)
	if _, err := s3Client(srv.s3URL, e2eAccessKey, e2eSecretKey).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("keyfront-demo"), Key: aws.String("large.bin"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	var demo struct {
		KeyPairID  string `json:"key_pair_id"`
		DomainName string `json:"domain_name"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "demo", "demo.json")), &demo); err != nil {
		t.Fatal(err)
	}
	key, err := signing.ParsePrivateKey(readFile(t, filepath.Join(dir, "demo", "private_key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.NewSigner(demo.KeyPairID, key, signing.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.edgeURL, "http://"))
	signed, err := signer.SignURL("http://"+demo.DomainName+":"+port+"/large.bin", signing.Terms{DateLessThan: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	edgeAddr := strings.TrimPrefix(srv.edgeURL, "http://")
	viewer := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, edgeAddr)
	}}}
	resp, err := viewer.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("GET %s through the edge: %d, %d bytes; want 200 and the %d bytes stored", signed, resp.StatusCode, len(got), len(body))
	}
	waitFor(t, "a cache file for the large object", func() bool {
		ents, _ := os.ReadDir(filepath.Join(dir, "cache"))
		return len(ents) > 0
	})
}

// checkPrivateTree walks dir and fails t for every directory not 0700 and
// every other entry not a regular file with mode 0600. present are paths
// under dir that must exist, so that the walk checks what it means to.
func checkPrivateTree(t *testing.T, dir string, present []string) {
	t.Helper()
	for _, p := range present {
		if _, err := os.Lstat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s missing: %v", p, err)
		}
	}
	var files, dirs int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a temporary file renamed or removed meanwhile
		}
		if err != nil {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch mode := info.Mode(); {
		case mode.IsDir():
			dirs++
			if got, want := mode.Perm(), os.FileMode(0o700); got != want {
				t.Errorf("directory %s: mode %04o, want %04o", rel, got, want)
			}
		case mode.IsRegular():
			files++
			if got, want := mode.Perm(), os.FileMode(0o600); got != want {
				t.Errorf("file %s: mode %04o, want %04o", rel, got, want)
			}
		default:
			t.Errorf("%s: %v, want only regular files and directories", rel, mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d directories and %d files checked", dirs, files)
}

// serveRefused runs a keyfront serve that is expected not to start, with
// its own environment. If it starts listening after all, the test fails
// and the server is stopped at once rather than left serving.
func serveRefused(tb testing.TB, env map[string]string, args ...string) result {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	m := cli.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	m.OnListen = func(plane, url string) {
		tb.Errorf("keyfront %s started its %s at %s; want it refused", strings.Join(args, " "), plane, url)
		cancel()
	}
	code := m.Run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestServeRefusesDataDirOfAnotherUser runs serve on a directory owned by
// someone else, which it may not make private: root can only test this.
func TestServeRefusesDataDirOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a directory owned by another user")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	r := serveRefused(t, nil, "serve", "--data-dir", dir, "--api-addr", "127.0.0.1:0", "--roles", "api")
	if r.code != 1 || !strings.Contains(r.stderr, "belongs to uid 65534") || !strings.Contains(r.stderr, "chown") {
		t.Errorf("status %d, stderr %q; want 1 and an error naming the owner and chown", r.code, r.stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("serve wrote %d entries into a directory it refused", len(ents))
	}
}

// TestServeLocksDataDir starts a keyfront serve process, then a second
// serve on the same data directory, which must refuse to start and name
// the first one's PID; after the first is killed with SIGKILL, the data
// directory is free again.
func TestServeLocksDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a child process; skipped in -short mode")
	}
	dir := t.TempDir()
	_, child := startChildServe(t, dir)
	if got, want := strings.TrimSpace(string(readFile(t, filepath.Join(dir, "keyfront.lock")))), strconv.Itoa(child.Process.Pid); got != want {
		t.Errorf("keyfront.lock holds %q, want the PID %s", got, want)
	}
	env := map[string]string{"KEYFRONT_ACCESS_KEY_ID": e2eAccessKey, "KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey}
	second := func() result {
		return serveRefused(t, env, "serve", "--data-dir", dir, "--api-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0", "--edge-addr", "127.0.0.1:0")
	}
	r := second()
	for _, want := range []string{fmt.Sprintf("PID %d", child.Process.Pid), dir, "--data-dir", "one data directory each"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("second serve's error lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != 1 || r.stdout != "" {
		t.Errorf("second serve: status %d, stdout %q; want 1 and no banner", r.code, r.stdout)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	srv := startServe(t, dir, nil)
	if _, err := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey).ListPublicKeys(context.Background(), &cloudfront.ListPublicKeysInput{}); err != nil {
		t.Errorf("after kill -9 of the first process: %v", err)
	}
	if got, want := strings.TrimSpace(string(readFile(t, filepath.Join(dir, "keyfront.lock")))), strconv.Itoa(os.Getpid()); got != want {
		t.Errorf("keyfront.lock holds %q, want this process's PID %s", got, want)
	}
	// flock belongs to an open file, not to a process: a second serve in
	// this same process is refused too.
	if r := second(); r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("PID %d", os.Getpid())) {
		t.Errorf("second serve in the same process: status %d, stderr %q; want 1 and this PID", r.code, r.stderr)
	}
}

// TestServeCredentialLengths checks the rule for configured credentials:
// MinIO's minimums (access key 3 characters, secret 8) or serve refuses to
// start; shorter than AWS's 20 and 40, it starts and warns.
func TestServeCredentialLengths(t *testing.T) {
	tests := []struct {
		name        string
		akid, sk    string
		refused     string // text of the refusal; empty if serve starts
		wantWarning bool
	}{
		{"access key ID too short", "ab", "FOOBARSECRET", "access_key_id (KEYFRONT_ACCESS_KEY_ID) has 2 characters, fewer than 3", false},
		{"secret too short", "test", "test", "secret_access_key (KEYFRONT_SECRET_ACCESS_KEY) has 4 characters, fewer than 8", false},
		{"MinIO's minimums", "abc", "12345678", "", true},
		{"test suite credentials", "FOOBARKEY", "FOOBARSECRET", "", true},
		{"secret shorter than AWS's", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG", "", true},
		{"AWS's lengths", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"KEYFRONT_ACCESS_KEY_ID": tt.akid, "KEYFRONT_SECRET_ACCESS_KEY": tt.sk}
			if tt.refused != "" {
				r := serveRefused(t, env, "serve", "--data-dir", dir, "--api-addr", "127.0.0.1:0", "--roles", "api")
				if r.code != 2 || !strings.Contains(r.stderr, tt.refused) || strings.Contains(r.stderr, tt.sk) {
					t.Errorf("status %d, stderr %q; want 2 and %q, without the secret", r.code, r.stderr, tt.refused)
				}
				if _, err := os.Stat(dir); err == nil {
					t.Errorf("the data directory was created despite the refusal")
				}
				return
			}
			srv := startServe(t, dir, env)
			if _, err := cloudfrontClient(srv.apiURL, tt.akid, tt.sk).ListPublicKeys(context.Background(), &cloudfront.ListPublicKeysInput{}); err != nil {
				t.Errorf("ListPublicKeys with %s: %v", tt.akid, err)
			}
			srv.stop()
			log := srv.stderr.String()
			if got := strings.Contains(log, "weak administrator credentials"); got != tt.wantWarning {
				t.Errorf("warning about weak credentials logged: %v, want %v; log:\n%s", got, tt.wantWarning, log)
			}
			if strings.Contains(log, tt.sk) {
				t.Errorf("the secret appears in the log")
			}
		})
	}
}

// TestServeShowsGeneratedSecretUntilAStartSucceeds makes the first start
// fail after the credentials are generated (its control API port is
// taken): the next start must still print the secret, and the one after
// must not.
func TestServeShowsGeneratedSecretUntilAStartSucceeds(t *testing.T) {
	dir := t.TempDir()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	r := serveRefused(t, map[string]string{}, "serve", "--data-dir", dir, "--api-addr", taken.Addr().String(),
		"--s3-addr", "127.0.0.1:0", "--edge-addr", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "--api-addr") {
		t.Fatalf("first start on a taken port: status %d, stderr %q; want 1 and advice to choose another --api-addr", r.code, r.stderr)
	}
	var id struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "identity.json")), &id); err != nil {
		t.Fatal(err)
	}
	if id.SecretAccessKey == "" || strings.Contains(r.stdout, id.SecretAccessKey) {
		t.Fatalf("first start: secret %q generated and printed by a start that failed:\n%s", id.SecretAccessKey, r.stdout)
	}
	taken.Close()

	srv := startServe(t, dir, map[string]string{})
	banner := srv.stdout.String()
	if got, want := exportedValue(t, banner, "AWS_SECRET_ACCESS_KEY"), id.SecretAccessKey; got != want {
		t.Errorf("second start, the first to succeed: export AWS_SECRET_ACCESS_KEY=%s, want the generated secret %s", got, want)
	}
	if got, want := exportedValue(t, banner, "AWS_ACCESS_KEY_ID"), id.AccessKeyID; got != want {
		t.Errorf("second start: export AWS_ACCESS_KEY_ID=%s, want %s", got, want)
	}
	srv.stop()

	srv = startServe(t, dir, map[string]string{})
	if banner := srv.stdout.String(); strings.Contains(banner, id.SecretAccessKey) || !strings.Contains(banner, id.AccessKeyID) {
		t.Errorf("third start: the banner must name the access key and not print the secret again:\n%s", banner)
	}
}
