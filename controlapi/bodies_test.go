package controlapi_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront/controlapi"
)

// publicKeyBody is a CreatePublicKey body for key pem named name.
func publicKeyBody(name, pem string) string {
	return `<PublicKeyConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>` + name +
		`</CallerReference><Name>` + name + `</Name><EncodedKey>` + pem + `</EncodedKey></PublicKeyConfig>`
}

// signedCreatePublicKey signs a CreatePublicKey of body for srv, now, with
// payloadHash in the canonical request (sent as x-amz-content-sha256 when
// it is not the body's hash, as an S3-style client would).
func signedCreatePublicKey(tb testing.TB, srv *httptest.Server, body, payloadHash string) *http.Request {
	tb.Helper()
	req, err := http.NewRequest("POST", srv.URL+"/2020-05-31/public-key", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/xml")
	if payloadHash != sha256Hex(body) {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	creds, _ := credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "").Retrieve(context.Background())
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, "cloudfront", "us-east-1", time.Now()); err != nil {
		tb.Fatal(err)
	}
	return req
}

// createKeyInput is a CreatePublicKey of pem named name.
func createKeyInput(name, pem string) *cloudfront.CreatePublicKeyInput {
	return &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
		CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(pem)}}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// withBody returns a copy of a signed request carrying body instead: what
// an attacker who captured the request sends.
func withBody(req *http.Request, body string) *http.Request {
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}

// TestReplayWithAnotherBodyIsRefused replays captured CreatePublicKey
// requests with another key in their body, inside the clock-skew window:
// the signature covers the body received, so nothing is stored, whether
// the client signed the body's hash or S3's UNSIGNED-PAYLOAD.
func TestReplayWithAnotherBodyIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	original := publicKeyBody("admin", rsaPEM)
	swapped := publicKeyBody("attacker", ecPEM)
	tests := []struct {
		name    string
		payload string
		body    string
	}{
		{"signed body hash, body swapped", sha256Hex(original), swapped},
		{"unsigned payload, body swapped", "UNSIGNED-PAYLOAD", swapped},
		{"unsigned payload, original body", "UNSIGNED-PAYLOAD", original},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := withBody(signedCreatePublicKey(t, e.srv, original, tt.payload), tt.body)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got, want := resp.StatusCode, http.StatusForbidden; got != want {
				t.Fatalf("status = %d, want %d; body %s", got, want, b)
			}
			if !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
				t.Errorf("body = %s, want SignatureDoesNotMatch", b)
			}
			list, err := e.client.ListPublicKeys(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(list.PublicKeyList.Items); got != 0 {
				t.Fatalf("%d public keys stored after a refused replay, want 0", got)
			}
		})
	}
	// The captured request itself was good: the replays failed for their
	// bodies, not for anything else in them.
	resp, err := e.srv.Client().Do(signedCreatePublicKey(t, e.srv, original, sha256Hex(original)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusCreated; got != want {
		t.Fatalf("original request: status = %d, want %d", got, want)
	}
}

// slowRequest opens a connection to addr and sends the head of a request
// signed by a known access key (the signature is never reached), with a
// Content-Length larger than what it then sends: prefix, then one byte
// every interval until the connection fails or stop is closed.
type slowRequest struct {
	conn net.Conn
	resp chan slowResult
}

type slowResult struct {
	status int
	body   string
	closed bool // the server closed the connection after answering
	err    error
	at     time.Time
}

// startSlowRequest sends head (the request line and headers, without the
// blank line), a Content-Length of 1,000,000 and prefix, then trickles.
func startSlowRequest(tb testing.TB, addr, head, prefix string, interval time.Duration, stop <-chan struct{}) *slowRequest {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, head+"Content-Length: 1000000\r\n\r\n"+prefix); err != nil {
		tb.Fatal(err)
	}
	s := &slowRequest{conn: conn, resp: make(chan slowResult, 1)}
	if interval > 0 {
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if _, err := conn.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
	}
	go func() {
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			s.resp <- slowResult{err: err, at: time.Now()}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		at := time.Now()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = br.ReadByte()
		// EOF, or a reset when the server closed with unread bytes of
		// ours in its buffer; only our own read deadline means open.
		var ne net.Error
		open := err == nil || errors.As(err, &ne) && ne.Timeout()
		s.resp <- slowResult{status: resp.StatusCode, body: string(b), closed: !open, at: at}
	}()
	return s
}

// wait returns the answer, failing the test if none comes within limit.
func (s *slowRequest) wait(tb testing.TB, limit time.Duration) slowResult {
	tb.Helper()
	select {
	case r := <-s.resp:
		return r
	case <-time.After(limit):
		tb.Fatalf("no answer within %s", limit)
		return slowResult{}
	}
}

// cloudFrontHead is the head of a CreatePublicKey signed with the test
// access key at now. The signature is made up: the server must read the
// whole body before it can find that out.
func cloudFrontHead(host string, now time.Time) string {
	date := now.UTC().Format("20060102T150405Z")
	return "POST /2020-05-31/public-key HTTP/1.1\r\nHost: " + host + "\r\nX-Amz-Date: " + date + "\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=" + testAccessKey + "/" + date[:8] + "/us-east-1/cloudfront/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64) + "\r\n"
}

// TestSlowBodiesAreCut opens connections that send a valid access key ID
// and then stall or trickle their bodies: each is answered 408
// RequestTimeoutException and closed within a few times the configured
// deadline, while a normal request is served meanwhile.
func TestSlowBodiesAreCut(t *testing.T) {
	const idle, total = 300 * time.Millisecond, 900 * time.Millisecond
	e := newEnv(t, func(c *controlapi.Config) {
		c.BodyIdleTimeout = idle
		c.BodyTimeout = total
		c.MaxPendingBodies = 100
	})
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	stop := make(chan struct{})
	defer close(stop)
	tests := []struct {
		name     string
		n        int
		interval time.Duration // 0: stalls after the first bytes
		limit    time.Duration
	}{
		// Idle deadline: nothing after the first 100 bytes.
		{name: "stalled", n: 20, limit: 10 * idle},
		// Slower than the idle deadline.
		{name: "trickling slower than idle", n: 10, interval: 2 * idle, limit: 10 * idle},
		// Faster than the idle deadline, but never done: the total
		// deadline cuts it.
		{name: "trickling within idle", n: 10, interval: idle / 3, limit: 5 * total},
	}
	type pending struct {
		name  string
		limit time.Duration
		req   *slowRequest
	}
	var all []pending
	start := time.Now()
	for _, tt := range tests {
		for i := 0; i < tt.n; i++ {
			all = append(all, pending{tt.name, tt.limit, startSlowRequest(t, addr, cloudFrontHead(addr, time.Now()), strings.Repeat("<", 100), tt.interval, stop)})
		}
	}

	// A normal request is served meanwhile.
	if _, err := e.client.CreatePublicKey(context.Background(), createKeyInput("during", rsaPEM)); err != nil {
		t.Fatalf("CreatePublicKey while slow bodies are pending: %v", err)
	}

	for i, p := range all {
		r := p.req.wait(t, p.limit+time.Second)
		if r.err != nil {
			t.Fatalf("%s #%d: %v", p.name, i, r.err)
		}
		if got, want := r.status, http.StatusRequestTimeout; got != want {
			t.Errorf("%s #%d: status = %d, want %d; body %s", p.name, i, got, want, r.body)
		}
		if !strings.Contains(r.body, "<Code>RequestTimeoutException</Code>") {
			t.Errorf("%s #%d: body = %s, want RequestTimeoutException", p.name, i, r.body)
		}
		if !r.closed {
			t.Errorf("%s #%d: connection left open after the timeout", p.name, i)
		}
		if took := r.at.Sub(start); took > p.limit {
			t.Errorf("%s #%d: answered after %s, want within %s", p.name, i, took, p.limit)
		}
	}
}

// TestPendingBodiesAreBounded fills Config.MaxPendingBodies with stalled
// bodies: the next request with a body is refused at once with 400
// Throttling, without its body being read, and its connection closed;
// once the stalled ones are gone, requests are served again.
func TestPendingBodiesAreBounded(t *testing.T) {
	const maxPending = 3
	e := newEnv(t, func(c *controlapi.Config) {
		c.BodyIdleTimeout = time.Minute
		c.MaxPendingBodies = maxPending
	})
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	var stalled []*slowRequest
	for i := 0; i < maxPending; i++ {
		stalled = append(stalled, startSlowRequest(t, addr, cloudFrontHead(addr, time.Now()), "<", 0, nil))
	}

	// The stalled requests take their places as soon as the server reads
	// their heads; until then a probe may still get one, and a stalled
	// request that comes while it does is refused: it is replaced.
	deadline := time.Now().Add(10 * time.Second)
	for {
		for i, st := range stalled {
			select {
			case <-st.resp:
				stalled[i] = startSlowRequest(t, addr, cloudFrontHead(addr, time.Now()), "<", 0, nil)
			default:
			}
		}
		_, err := e.client.CreatePublicKey(context.Background(), createKeyInput(fmt.Sprint("probe", time.Now().UnixNano()), "not a key"))
		if err != nil && strings.Contains(err.Error(), "Throttling") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Throttling with %d stalled bodies pending; last error %v", maxPending, err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// One more, whose body never comes: refused without being read.
	extra := startSlowRequest(t, addr, cloudFrontHead(addr, time.Now()), "<", 0, nil)
	r := extra.wait(t, 5*time.Second)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got, want := r.status, http.StatusBadRequest; got != want {
		t.Fatalf("status = %d, want %d; body %s", got, want, r.body)
	}
	for _, want := range []string{"<Type>Sender</Type>", "<Code>Throttling</Code>", "<Message>Rate exceeded</Message>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("body = %s, want %s in it", r.body, want)
		}
	}
	if !r.closed {
		t.Errorf("connection of the refused request left open")
	}

	// The stalled clients give up; their places are free again.
	for _, s := range stalled {
		s.conn.Close()
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		_, err := e.client.CreatePublicKey(context.Background(), createKeyInput(fmt.Sprint("after", time.Now().UnixNano()), rsaPEM))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CreatePublicKey after the stalled clients left: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
