package main_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bodyIdle is the --body-idle-timeout of the tests below: short, so that
// they stay fast, and generous bounds are still small.
const bodyIdle = 400 * time.Millisecond

// stalledAnswer is what a server answered a request whose body stalled.
type stalledAnswer struct {
	status int
	body   string
	closed bool          // the server closed the connection after answering
	after  time.Duration // from sending the head to the answer
	err    error
}

// sendStalled sends head (request line and headers, ending in the blank
// line) and the first bytes of a body its Content-Length says is far
// longer, then nothing more; it returns the server's answer.
func sendStalled(tb testing.TB, addr, head, prefix string) <-chan stalledAnswer {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	start := time.Now()
	if _, err := io.WriteString(conn, head+prefix); err != nil {
		tb.Fatal(err)
	}
	out := make(chan stalledAnswer, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			out <- stalledAnswer{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a := stalledAnswer{status: resp.StatusCode, body: string(b), after: time.Since(start)}
		_, err = br.ReadByte()
		var ne net.Error
		a.closed = err != nil && !(errors.As(err, &ne) && ne.Timeout())
		out <- a
	}()
	return out
}

// signedHead signs req with the e2e credentials over payloadHash and
// returns its head as it goes on the wire, with Content-Length n.
func signedHead(tb testing.TB, req *http.Request, service, payloadHash string, n int) string {
	tb.Helper()
	if service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	creds := aws.Credentials{AccessKeyID: e2eAccessKey, SecretAccessKey: e2eSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, "us-east-1", time.Now(),
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" }); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.Method, req.URL.RequestURI(), req.URL.Host, n)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// TestServeSlowBodiesAreCut opens stalled uploads to every listener of a
// real `keyfront serve`, each authenticated by the administrator's access
// key where the plane checks signatures before reading: each is answered
// in its plane's words and closed within a few times --body-idle-timeout,
// while normal requests are served meanwhile.
func TestServeSlowBodiesAreCut(t *testing.T) {
	ctx := context.Background()
	srv := startServe(t, t.TempDir(), nil, "--body-idle-timeout", bodyIdle.String())
	s3c := s3Client(srv.s3URL, e2eAccessKey, e2eSecretKey)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }

	type stalled struct {
		plane      string
		answer     <-chan stalledAnswer
		wantStatus int
		wantInBody string
	}
	var all []stalled
	const perPlane = 10
	for i := 0; i < perPlane; i++ {
		// Control API: it must read the body before it can check the
		// signature, so a known access key ID is enough to be read.
		req, _ := http.NewRequest("POST", srv.apiURL+"/2020-05-31/public-key", nil)
		head := signedHead(t, req, "cloudfront", strings.Repeat("0", 64), 1_000_000)
		all = append(all, stalled{"control API", sendStalled(t, host(srv.apiURL), head, "<PublicKeyConfig"),
			http.StatusRequestTimeout, "<Code>RequestTimeoutException</Code>"})

		// Origin: a correctly signed streaming upload that stops.
		req, _ = http.NewRequest("PUT", fmt.Sprintf("%s/uploads/stalled-%d", srv.s3URL, i), nil)
		head = signedHead(t, req, "s3", "UNSIGNED-PAYLOAD", 1_000_000)
		all = append(all, stalled{"origin", sendStalled(t, host(srv.s3URL), head, strings.Repeat("x", 100)),
			http.StatusBadRequest, "<Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.</Message>"})

		// Edge: refused before its body is read (no such distribution);
		// net/http would otherwise wait for the rest of it.
		head = "POST /upload HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.localhost\r\nContent-Length: 100000\r\n\r\n"
		all = append(all, stalled{"edge", sendStalled(t, host(srv.edgeURL), head, strings.Repeat("x", 100)),
			http.StatusForbidden, "Bad request."})
	}

	// Normal requests are served meanwhile.
	cf := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	if _, err := cf.ListDistributions(ctx, &cloudfront.ListDistributionsInput{}); err != nil {
		t.Errorf("ListDistributions while slow bodies are pending: %v", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("normal"),
		Body: strings.NewReader("served")}); err != nil {
		t.Errorf("PutObject while slow bodies are pending: %v", err)
	}

	limit := 10 * bodyIdle
	for _, s := range all {
		var a stalledAnswer
		select {
		case a = <-s.answer:
		case <-time.After(limit + 5*time.Second):
			t.Fatalf("%s: no answer to a stalled body", s.plane)
		}
		if a.err != nil {
			t.Errorf("%s: %v", s.plane, a.err)
			continue
		}
		if a.status != s.wantStatus || !strings.Contains(a.body, s.wantInBody) {
			t.Errorf("%s: %d %s, want %d with %q", s.plane, a.status, a.body, s.wantStatus, s.wantInBody)
		}
		if !a.closed {
			t.Errorf("%s: connection left open after a stalled body", s.plane)
		}
		if a.after > limit {
			t.Errorf("%s: answered after %s, want within %s (--body-idle-timeout %s)", s.plane, a.after, limit, bodyIdle)
		}
	}
	// Nothing of a stalled upload was stored.
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("uploads")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(list.Contents); got != 1 {
		t.Errorf("%d objects in the bucket, want only the normal one", got)
	}
}

// throttledConn writes at a modest steady rate: chunk bytes, then a pause,
// so that the server sees bytes far more often than its idle deadline but
// the whole upload lasts many times longer.
type throttledConn struct {
	net.Conn
	chunk int
	pause time.Duration
}

func (c *throttledConn) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), c.chunk)
		m, err := c.Conn.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
		time.Sleep(c.pause)
	}
	return n, nil
}

// TestServeSlowSteadyMultipartUpload uploads a multipart object to the
// origin at a steady rate, so that it takes several times
// --body-idle-timeout while bytes never pause that long: the idle deadline
// moves on as bytes arrive and the upload succeeds.
func TestServeSlowSteadyMultipartUpload(t *testing.T) {
	ctx := context.Background()
	srv := startServe(t, t.TempDir(), nil, "--body-idle-timeout", bodyIdle.String())
	dialer := &net.Dialer{}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &throttledConn{Conn: conn, chunk: 64 << 10, pause: 20 * time.Millisecond}, nil
	}}
	defer transport.CloseIdleConnections()
	c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.s3URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(e2eAccessKey, e2eSecretKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: transport},
	})
	bucket, key := aws.String("slow"), aws.String("steady.bin")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 5<<20+512<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var parts []s3types.CompletedPart
	for i, p := range [][]byte{data[:5<<20], data[5<<20:]} {
		n := int32(i + 1)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	took := time.Since(start)
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if took < 3*bodyIdle {
		t.Fatalf("the parts took %s, not several times --body-idle-timeout %s: the test proves nothing", took, bodyIdle)
	}
	got, err := s3Client(srv.s3URL, e2eAccessKey, e2eSecretKey).GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(b, data) {
		t.Errorf("object read back: %d bytes, want the %d uploaded", len(b), len(data))
	}
	t.Logf("uploaded %d bytes in %s with --body-idle-timeout %s", len(data), took, bodyIdle)
}
