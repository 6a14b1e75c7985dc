package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI drives the origin with the AWS CLI as a user would, with
// --endpoint-url: aws s3 mb/cp/ls/sync/rm/rb and aws s3api
// put-bucket-policy/get-bucket-policy/get-object --range, including a
// 24 MiB upload that the CLI sends as a multipart upload and downloads
// with ranged GETs, byte-identical both ways (cmd/keyfront repeats this
// with 200 MiB against keyfront serve). Skipped when aws is not on PATH,
// and under -short.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	if testing.Short() {
		t.Skip("moves 48 MiB through the AWS CLI; skipped with -short")
	}
	o := newOrigin(t)
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsPath, append([]string{"--endpoint-url", o.http.URL}, args...)...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+ownerAKID, "AWS_SECRET_ACCESS_KEY="+ownerSecret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
		cmd.Env = slicesWithout(cmd.Env, "AWS_PROFILE=", "AWS_SESSION_TOKEN=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		t.Logf("aws %s (%v)", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
		return out.String()
	}
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	run("s3", "mb", "s3://cli-bucket")
	if out := run("s3", "ls"); !strings.Contains(out, "cli-bucket") {
		t.Errorf("aws s3 ls: %q", out)
	}

	small := write("small file.txt", []byte("hello from the CLI\n"))
	run("s3", "cp", small, "s3://cli-bucket/docs/small file.txt")
	if got := o.mustGet(t, "cli-bucket", "docs/small file.txt"); string(got) != "hello from the CLI\n" {
		t.Errorf("object = %q", got)
	}
	if out := run("s3", "ls", "s3://cli-bucket/docs/"); !strings.Contains(out, "small file.txt") || !strings.Contains(out, " 19 ") {
		t.Errorf("aws s3 ls docs/: %q", out)
	}
	if out := run("s3", "ls", "s3://cli-bucket/"); !strings.Contains(out, "PRE docs/") {
		t.Errorf("aws s3 ls of the bucket: %q", out)
	}

	// 24 MiB: multipart up (8 MiB parts), ranged GETs down.
	bigPath := filepath.Join(dir, "big.bin")
	f, err := os.Create(bigPath)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for i := range 3 {
		chunk := randomBytes(uint64(100+i), 8<<20)
		f.Write(chunk)
		h.Write(chunk)
	}
	f.Close()
	want := h.Sum(nil)
	run("s3", "cp", bigPath, "s3://cli-bucket/big/24MiB.bin")
	out, err := o.ownerClientGetStream(t, "cli-bucket", "big/24MiB.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Fatal("24 MiB object uploaded by the CLI differs")
	}
	down := filepath.Join(dir, "down", "big.bin")
	run("s3", "cp", "s3://cli-bucket/big/24MiB.bin", down)
	if got := fileSHA256(t, down); !bytes.Equal(got, want) {
		t.Fatal("24 MiB object downloaded by the CLI differs")
	}
	os.Remove(down)
	os.Remove(bigPath)

	// sync both ways.
	for name, body := range map[string]string{"site/index.html": "<h1>hi</h1>", "site/css/a b.css": "body{}", "site/img/ü.png": "png"} {
		write(name, []byte(body))
	}
	run("s3", "sync", filepath.Join(dir, "site"), "s3://cli-bucket/site/")
	run("s3", "sync", "s3://cli-bucket/site/", filepath.Join(dir, "site-copy"))
	for _, name := range []string{"index.html", "css/a b.css", "img/ü.png"} {
		a, _ := os.ReadFile(filepath.Join(dir, "site", name))
		b, err := os.ReadFile(filepath.Join(dir, "site-copy", name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("sync round trip of %s: %q vs %q (%v)", name, a, b, err)
		}
	}
	// A second sync has nothing to do.
	if out := run("s3", "sync", filepath.Join(dir, "site"), "s3://cli-bucket/site/"); strings.Contains(out, "upload:") {
		t.Errorf("second sync uploaded again: %s", out)
	}

	// s3api: a policy and a ranged GET.
	policy := write("policy.json", []byte(seedOAC))
	run("s3api", "create-bucket", "--bucket", "content")
	run("s3api", "put-bucket-policy", "--bucket", "content", "--policy", "file://"+policy)
	var got struct{ Policy string }
	if err := json.Unmarshal([]byte(run("s3api", "get-bucket-policy", "--bucket", "content", "--output", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Policy != seedOAC {
		t.Errorf("get-bucket-policy = %q", got.Policy)
	}
	rangeOut := filepath.Join(dir, "range.out")
	meta := run("s3api", "get-object", "--bucket", "cli-bucket", "--key", "docs/small file.txt", "--range", "bytes=0-4", rangeOut, "--output", "json")
	if b, _ := os.ReadFile(rangeOut); string(b) != "hello" {
		t.Errorf("get-object --range: %q", b)
	}
	if !strings.Contains(meta, `"ContentRange": "bytes 0-4/19"`) {
		t.Errorf("get-object --range output: %s", meta)
	}

	run("s3", "rm", "s3://cli-bucket/docs/small file.txt")
	run("s3", "rm", "--recursive", "s3://cli-bucket/")
	if out := run("s3", "ls", "s3://cli-bucket/", "--recursive"); strings.TrimSpace(out) != "" {
		t.Errorf("objects left after rm --recursive: %s", out)
	}
	run("s3", "rb", "s3://cli-bucket")
	if out := run("s3", "ls"); strings.Contains(out, "cli-bucket") {
		t.Errorf("bucket still listed after rb: %s", out)
	}
}

// ownerClientGetStream returns the SHA-256 of an object, read as a stream.
func (o *origin) ownerClientGetStream(t *testing.T, bucket, key string) ([]byte, error) {
	req := o.newRequest(t, "GET", "/"+bucket+"/"+key, nil)
	signOwner(t, req)
	resp, err := o.http.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func fileSHA256(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return h.Sum(nil)
}

func slicesWithout(env []string, prefixes ...string) []string {
	out := env[:0:0]
	for _, e := range env {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(e, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}
