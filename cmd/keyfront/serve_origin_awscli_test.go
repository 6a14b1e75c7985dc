package main_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeOriginAWSCLI drives the origin of a real `keyfront serve` with
// the AWS CLI as a user would: aws s3 mb/cp/ls/sync/rm and aws s3api
// put-bucket-policy/get-object --range, including a 200 MiB file that the
// CLI uploads as a multipart upload and downloads with ranged GETs,
// byte-identical both ways.
func TestServeOriginAWSCLI(t *testing.T) {
	awsPath := awsCLI(t)
	if testing.Short() {
		t.Skip("moves 400 MiB through the AWS CLI; skipped with -short")
	}
	srv := startServe(t, t.TempDir(), nil)
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsPath, append([]string{"--endpoint-url", srv.s3URL}, args...)...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+e2eAccessKey, "AWS_SECRET_ACCESS_KEY="+e2eSecretKey, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}

	run("s3", "mb", "s3://downloads")
	if out := run("s3", "ls"); !strings.Contains(out, "downloads") {
		t.Errorf("aws s3 ls = %q, want the new bucket", out)
	}

	big := filepath.Join(dir, "big.bin")
	want := writeRandomFile(t, big, 200<<20)
	run("s3", "cp", big, "s3://downloads/releases/app-1.0.bin")
	down := filepath.Join(dir, "down.bin")
	run("s3", "cp", "s3://downloads/releases/app-1.0.bin", down)
	if got := sha256File(t, down); !bytes.Equal(got, want) {
		t.Fatal("the 200 MiB file differs after a round trip through aws s3 cp")
	}
	os.Remove(big)
	os.Remove(down)
	var head struct{ ETag string }
	if err := json.Unmarshal([]byte(run("s3api", "head-object", "--bucket", "downloads", "--key", "releases/app-1.0.bin", "--output", "json")), &head); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(head.ETag, `-25"`) {
		t.Errorf("ETag %s, want a multipart ETag of 25 parts", head.ETag)
	}

	site := filepath.Join(dir, "site")
	for name, body := range map[string]string{"index.html": "<h1>hi</h1>", "css/a b.css": "body{}"} {
		os.MkdirAll(filepath.Dir(filepath.Join(site, name)), 0o700)
		writeFile(t, filepath.Join(site, name), []byte(body), 0o600)
	}
	run("s3", "sync", site, "s3://downloads/site/")
	if out := run("s3", "ls", "--recursive", "s3://downloads/site/"); !strings.Contains(out, "site/css/a b.css") || !strings.Contains(out, "site/index.html") {
		t.Errorf("aws s3 ls --recursive after sync = %q", out)
	}

	policy := filepath.Join(dir, "policy.json")
	writeFile(t, policy, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly",`+
		`"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject",`+
		`"Resource":"arn:aws:s3:::downloads/*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::`+e2eAccount+`:distribution/EDFDVBD6EXAMPLE"}}}]}`), 0o600)
	run("s3api", "put-bucket-policy", "--bucket", "downloads", "--policy", "file://"+policy)
	rangeOut := filepath.Join(dir, "range.out")
	meta := run("s3api", "get-object", "--bucket", "downloads", "--key", "site/index.html", "--range", "bytes=0-3", rangeOut, "--output", "json")
	if b, _ := os.ReadFile(rangeOut); string(b) != "<h1>" || !strings.Contains(meta, `"ContentRange": "bytes 0-3/11"`) {
		t.Errorf("get-object --range: %q, %s", b, meta)
	}

	run("s3", "rm", "--recursive", "s3://downloads/")
	if out := run("s3", "ls", "--recursive", "s3://downloads/"); strings.TrimSpace(out) != "" {
		t.Errorf("objects left after aws s3 rm --recursive: %s", out)
	}
}

// writeRandomFile writes n pseudo-random bytes to path and returns their
// SHA-256.
func writeRandomFile(t *testing.T, path string, n int) []byte {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	r := rand.NewChaCha8([32]byte{'k', 'e', 'y', 'f', 'r', 'o', 'n', 't'})
	if _, err := io.CopyN(io.MultiWriter(f, h), r, int64(n)); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

func sha256File(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}
