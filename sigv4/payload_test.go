package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/sigv4"
)

// cfCreatePublicKey is the body of a captured CreatePublicKey; cfSwapped
// is the body an attacker puts in its place.
const (
	cfCreatePublicKey = `<PublicKeyConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>a</CallerReference><Name>admin</Name><EncodedKey>KEY-A</EncodedKey></PublicKeyConfig>`
	cfSwapped         = `<PublicKeyConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>b</CallerReference><Name>evil</Name><EncodedKey>KEY-B</EncodedKey></PublicKeyConfig>`
)

// signCloudFront signs a CreatePublicKey over body with payloadHash in the
// canonical request and, when header is set, sends that value as a signed
// x-amz-content-sha256 header.
func signCloudFront(tb testing.TB, body, payloadHash string, header bool) *http.Request {
	tb.Helper()
	req, err := http.NewRequest("POST", "http://127.0.0.1:7081/2020-05-31/public-key", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if header {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds(), req, payloadHash, sigv4.ServiceCloudFront, "us-east-1", signTime); err != nil {
		tb.Fatal(err)
	}
	return onWire(tb, req)
}

// TestVerifyCloudFrontPayloadIsTheBody checks that a CloudFront request's
// signature covers the body it arrives with, whatever x-amz-content-sha256
// says: UNSIGNED-PAYLOAD and the streaming forms are S3's alone.
func TestVerifyCloudFrontPayloadIsTheBody(t *testing.T) {
	tests := []struct {
		name    string
		payload string // signed in the canonical request
		header  bool   // and sent as x-amz-content-sha256
		body    string // the body that arrives
		wantOK  bool
	}{
		{name: "body hash", payload: hashHex([]byte(cfCreatePublicKey)), body: cfCreatePublicKey, wantOK: true},
		{name: "body hash in header", payload: hashHex([]byte(cfCreatePublicKey)), header: true, body: cfCreatePublicKey, wantOK: true},
		{name: "body hash, body swapped", payload: hashHex([]byte(cfCreatePublicKey)), body: cfSwapped},
		{name: "body hash in header, body swapped", payload: hashHex([]byte(cfCreatePublicKey)), header: true, body: cfSwapped},
		{name: "unsigned payload", payload: sigv4.UnsignedPayload, header: true, body: cfCreatePublicKey},
		{name: "unsigned payload, body swapped", payload: sigv4.UnsignedPayload, header: true, body: cfSwapped},
		{name: "unsigned payload without the header", payload: sigv4.UnsignedPayload, body: cfSwapped},
		{name: "streaming payload", payload: sigv4.StreamingPayload, header: true, body: cfCreatePublicKey},
		{name: "streaming unsigned trailer", payload: sigv4.StreamingUnsignedPayloadTrailer, header: true, body: cfCreatePublicKey},
		{name: "empty payload hash, body added", payload: sigv4.EmptySHA256, body: cfSwapped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signCloudFront(t, cfCreatePublicKey, tt.payload, tt.header)
			r.Body = io.NopCloser(strings.NewReader(tt.body))
			r.ContentLength = int64(len(tt.body))
			auth, err := newVerifier(sigv4.ServiceCloudFront, signTime).Verify(r)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got, want := auth.PayloadHash, hashHex([]byte(tt.body)); got != want {
					t.Errorf("PayloadHash = %s, want the body's %s", got, want)
				}
				got, _ := io.ReadAll(r.Body)
				if string(got) != tt.body {
					t.Errorf("body after Verify = %q, want %q", got, tt.body)
				}
				return
			}
			var e *sigv4.Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %v, want a *sigv4.Error", err)
			}
			// What other AWS services answer (apache/opendal-reqsign#346).
			if got, want := fmt.Sprint(e.Kind, e.Status, " ", e.Code), fmt.Sprint(sigv4.KindSignatureMismatch, 403, " SignatureDoesNotMatch"); got != want {
				t.Errorf("error = %s, want %s", got, want)
			}
			// The canonical request in the message names the hash the
			// server computed, so a developer sees what went wrong.
			if want := hashHex([]byte(tt.body)); !strings.HasSuffix(e.CanonicalRequest, "\n"+want) {
				t.Errorf("canonical request ends %q, want the body's hash %s", e.CanonicalRequest[max(0, len(e.CanonicalRequest)-70):], want)
			}
		})
	}
}

// TestVerifyS3KeepsUnsignedPayload checks that S3, unlike the other
// services, still accepts UNSIGNED-PAYLOAD (sigv4-auth-using-authorization-header).
func TestVerifyS3KeepsUnsignedPayload(t *testing.T) {
	req, err := http.NewRequest("PUT", "http://127.0.0.1:7082/bucket/k", strings.NewReader("data"))
	if err != nil {
		t.Fatal(err)
	}
	sdkSign(t, req, sdkCreds(), sigv4.ServiceS3, "us-east-1", sigv4.UnsignedPayload, signTime)
	r := onWire(t, req)
	r.Body = io.NopCloser(strings.NewReader("other"))
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got, want := auth.PayloadHash, sigv4.UnsignedPayload; got != want {
		t.Errorf("PayloadHash = %s, want %s", got, want)
	}
}

// deadlineBody fails as a net/http body does once a read deadline set with
// http.ResponseController.SetReadDeadline has passed.
type deadlineBody struct{ sent bool }

func (b *deadlineBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, "<Public"), nil
	}
	return 0, fmt.Errorf("read tcp 127.0.0.1:7081->127.0.0.1:5555: %w", os.ErrDeadlineExceeded)
}

func (b *deadlineBody) Close() error { return nil }

// TestRequestTimeout checks how a body that stops arriving is reported:
// S3's RequestTimeout, and the common AWS RequestTimeoutException for the
// other services.
func TestRequestTimeout(t *testing.T) {
	t.Run("cloudfront", func(t *testing.T) {
		r := signCloudFront(t, cfCreatePublicKey, hashHex([]byte(cfCreatePublicKey)), false)
		r.Body = &deadlineBody{}
		_, err := newVerifier(sigv4.ServiceCloudFront, signTime).Verify(r)
		var e *sigv4.Error
		if !errors.As(err, &e) {
			t.Fatalf("Verify = %v, want a *sigv4.Error", err)
		}
		if got, want := fmt.Sprint(e.Kind, " ", e.Status, " ", e.Code), "request body timed out 408 RequestTimeoutException"; got != want {
			t.Errorf("error = %s, want %s", got, want)
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("error %v does not wrap os.ErrDeadlineExceeded", err)
		}
	})
	t.Run("s3", func(t *testing.T) {
		req, err := http.NewRequest("PUT", "http://127.0.0.1:7082/bucket/k", strings.NewReader("<Public"))
		if err != nil {
			t.Fatal(err)
		}
		sdkSign(t, req, sdkCreds(), sigv4.ServiceS3, "us-east-1", sigv4.UnsignedPayload, signTime)
		r := onWire(t, req)
		auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		b, err := auth.Body(&deadlineBody{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(b)
		var e *sigv4.Error
		if !errors.As(err, &e) {
			t.Fatalf("reading the body: %v, want a *sigv4.Error", err)
		}
		if got, want := fmt.Sprint(e.Status, " ", e.Code, " ", e.Message), "400 RequestTimeout Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."; got != want {
			t.Errorf("error = %s, want %s", got, want)
		}
	})
}
