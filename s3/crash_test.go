//go:build unix

package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"keyfront/originauth"
	s3origin "keyfront/s3"
	"keyfront/sigv4"
	"keyfront/sqlite"
)

// The crash test runs this test binary again as a child that serves the
// origin on the data directory named by crashDirEnv until the parent
// kills it.
const crashDirEnv = "KEYFRONT_S3_CRASH_DIR"

// crashChild serves an origin and prints "addr HOST:PORT" once it listens.
func crashChild(dir string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "keyfront.db"))
	if err != nil {
		fail(err)
	}
	creds := originauth.Credentials(account, originauth.Key{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret}, originauth.Key{})
	srv := s3origin.NewServer(s3origin.Config{
		Store: db, DataDir: dir, Owner: s3origin.Owner{AccountID: account, AccessKeyID: ownerAKID},
		Verifier: &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: creds},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("addr %s\n", l.Addr())
	// The parent kills the child long before this; the deadline only
	// stops an orphan.
	time.AfterFunc(60*time.Second, func() { os.Exit(3) })
	fail(http.Serve(l, srv))
}

// slowReader hands out its bytes 32 KiB at a time with a pause, so that
// uploads are in flight when the child dies.
type slowReader struct {
	r     io.Reader
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), 32<<10)])
}

// crashContent is the body the test writes under key, whichever attempt.
func crashContent(key string, size int) []byte {
	var seed uint64
	for _, c := range []byte(key) {
		seed = seed*131 + uint64(c)
	}
	return randomBytes(seed, size)
}

// crashSize picks a size for the n-th object of a worker: workers 0 and 1
// write small objects quickly, 2 to 4 write megabytes slowly.
func crashSize(worker, n int) int {
	if worker < 2 {
		return 1 + (n*7919)%100_000
	}
	return 1<<20 + (n*104729)%(2<<20)
}

// TestCrashDuringUploads kills (SIGKILL) an origin while PUTs and
// multipart uploads are in flight, twice, and checks after each restart
// that every acknowledged object reads back identical, that every object
// listed is whole (its bytes hash to its ETag), and that Sweep removes
// what the crash left and nothing else.
func TestCrashDuringUploads(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	acked := map[string]int{} // key → size
	for cycle := range 2 {
		for k, v := range runCrashCycle(t, dir, cycle) {
			acked[k] = v
		}
		checkAfterCrash(t, dir, acked)
	}
	t.Logf("%d uploads acknowledged across 2 kills", len(acked))
}

// runCrashCycle starts a child, uploads until enough are acknowledged,
// kills it mid-flight and returns the acknowledged keys and sizes.
func runCrashCycle(t *testing.T, dir string, cycle int) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringUploads$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stall := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer stall.Stop()
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "addr ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not start: %q %v\n%s", line, err, &stderr)
	}
	base := "http://" + addr
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(base), UsePathStyle: true,
		Credentials: (&origin{}).ownerCreds(), Retryer: aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported})
	ctx := context.Background()
	if cycle == 0 {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("crash")}); err != nil {
			t.Fatal(err)
		}
	}

	var (
		mu   sync.Mutex // guards done
		done = map[string]int{}
		wg   sync.WaitGroup
	)
	ack := func(key string, size int) {
		mu.Lock()
		done[key] = size
		mu.Unlock()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(done)
	}
	for w := range 5 {
		wg.Go(func() {
			for n := 0; ; n++ {
				key := fmt.Sprintf("c%d/w%d/%d", cycle, w, n)
				size := crashSize(w, n)
				data := crashContent(key, size)
				var body io.Reader = bytes.NewReader(data)
				if w >= 2 {
					body = &slowReader{r: body, pause: time.Millisecond}
				}
				req, _ := http.NewRequest("PUT", base+"/crash/"+key, body)
				req.ContentLength = int64(size)
				signOwner(t, req)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the child is dead
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					return
				}
				ack(key, size)
			}
		})
	}
	// One multipart upload after another, of three parts.
	wg.Go(func() {
		for n := 0; ; n++ {
			key := fmt.Sprintf("c%d/mp/%d", cycle, n)
			size := 2*s3origin.MinPartSize + 1000
			data := crashContent(key, size)
			create, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String(key)})
			if err != nil {
				return
			}
			var parts []types.CompletedPart
			for i, off := int32(1), 0; off < size; i, off = i+1, off+s3origin.MinPartSize {
				p, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("crash"), Key: aws.String(key), UploadId: create.UploadId,
					PartNumber: aws.Int32(i), Body: bytes.NewReader(data[off:min(off+s3origin.MinPartSize, size)])})
				if err != nil {
					return
				}
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: p.ETag})
			}
			_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("crash"), Key: aws.String(key),
				UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			if err != nil {
				return
			}
			ack(key, size)
		}
	})

	// Kill once enough have been acknowledged, or after a while.
	deadline := time.Now().Add(10 * time.Second)
	for count() < 60+20*cycle && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, &stderr)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, &stderr)
	}
	wg.Wait()
	if len(done) < 10 {
		t.Fatalf("only %d uploads acknowledged before the kill\n%s", len(done), &stderr)
	}
	return done
}

// checkAfterCrash reopens the data directory in this process and checks
// it.
func checkAfterCrash(t *testing.T, dir string, acked map[string]int) {
	t.Helper()
	tmpFiles := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(dir, "objects"), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
				n++
			}
			return nil
		})
		return n
	}
	leftovers := tmpFiles()
	o := openOrigin(t, dir)
	removed, err := o.srv.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	t.Logf("after the kill: %d temporary files; Sweep removed %d files", leftovers, removed)
	if tmpFiles() != 0 {
		t.Error("temporary files left after Sweep")
	}
	c := o.ownerClient()
	ctx := context.Background()
	for key, size := range acked {
		got := o.mustGet(t, "crash", key)
		if len(got) != size || !bytes.Equal(got, crashContent(key, size)) {
			t.Errorf("acknowledged object %s: %d bytes, want %d, intact", key, len(got), size)
		}
	}
	// Every object listed, acknowledged or not (the kill may fall between
	// commit and response), is whole.
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("crash")})
	listed := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range page.Contents {
			listed++
			key := aws.ToString(obj.Key)
			got := o.mustGet(t, "crash", key)
			if int64(len(got)) != aws.ToInt64(obj.Size) || !bytes.Equal(got, crashContent(key, len(got))) {
				t.Errorf("listed object %s is not whole: %d bytes, listed as %d", key, len(got), aws.ToInt64(obj.Size))
				continue
			}
			etag := strings.Trim(aws.ToString(obj.ETag), `"`)
			if !strings.Contains(etag, "-") {
				sum := md5.Sum(got)
				if hex.EncodeToString(sum[:]) != etag {
					t.Errorf("listed object %s: body does not hash to its ETag", key)
				}
			}
		}
	}
	if listed < len(acked) {
		t.Errorf("%d objects listed, fewer than the %d acknowledged", listed, len(acked))
	}
	// Close before the next child opens the database.
	o.http.Close()
	o.store.Close()
}

func (o *origin) ownerCreds() aws.CredentialsProvider {
	return aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret}, nil
	}))
}
