package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/sigv4"
)

// An S3 handler verifies the signature, then reads the body through
// Auth.Body so that x-amz-content-sha256 (or aws-chunked signatures) and
// checksums are enforced, and renders *sigv4.Error as S3 does.
func ExampleVerifier() {
	now := time.Date(2024, 3, 9, 12, 30, 45, 0, time.UTC)
	v := &sigv4.Verifier{
		Service: sigv4.ServiceS3,
		Credentials: sigv4.StaticCredentials{
			"AKIDEXAMPLE": {SecretAccessKey: "secret", Principal: "admin"},
		},
		Now: func() time.Time { return now },
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, err := v.Verify(r)
		var body *sigv4.Body
		if err == nil {
			body, err = auth.Body(r.Body)
		}
		var data []byte
		if err == nil {
			data, err = io.ReadAll(body) // a real origin streams to a temporary file
		}
		var e *sigv4.Error
		if errors.As(err, &e) {
			w.WriteHeader(e.Status)
			fmt.Fprintf(w, "%s: %s", e.Code, e.Message)
			return
		}
		fmt.Fprintf(w, "stored %q for %v", data, auth.Principal)
	}))
	defer srv.Close()

	put := func(body, sent string) {
		req, _ := http.NewRequest("PUT", srv.URL+"/bucket/hello.txt", strings.NewReader(sent))
		payload := hashHex([]byte(body))
		req.Header.Set("X-Amz-Content-Sha256", payload)
		v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
			req, payload, "s3", "us-east-1", now, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(msg))
	}
	put("hello", "hello")
	put("hello", "jello")
	// Output:
	// 200 stored "hello" for admin
	// 400 XAmzContentSHA256Mismatch: The provided 'x-amz-content-sha256' header does not match what was computed.
}
