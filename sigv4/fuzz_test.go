package sigv4_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"keyfront/sigv4"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers to the parser
// and to Verify: neither may panic, and a header that parses must round-trip
// its parts. Seeds are in testdata/fuzz/FuzzParseAuthorization.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024")
	vs := map[string]*sigv4.Verifier{
		sigv4.ServiceS3:         newVerifier(sigv4.ServiceS3, signTime),
		sigv4.ServiceCloudFront: newVerifier(sigv4.ServiceCloudFront, signTime),
	}
	f.Fuzz(func(t *testing.T, value string) {
		a, err := sigv4.ParseAuthorization(value)
		if err == nil {
			if a.Algorithm != sigv4.Algorithm || a.Signature == "" || len(a.SignedHeaders) == 0 ||
				a.AccessKeyID+"/"+a.Date+"/"+a.Region+"/"+a.Service+"/"+a.Terminator != a.Credential {
				t.Fatalf("ParseAuthorization(%q) = %+v: inconsistent", value, a)
			}
		}
		for _, v := range vs {
			req, _ := http.NewRequest("GET", "http://h/b/k", nil)
			req.Header["Authorization"] = []string{value}
			req.Header.Set("X-Amz-Date", signTime.Format(sigv4.TimeFormat))
			req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptySHA256)
			if _, err := v.Verify(req); err == nil {
				t.Fatalf("Verify accepted a fuzzed header %q", value)
			} else if kindOf(err) == 0 {
				t.Fatalf("Verify(%q) returned %T, want *sigv4.Error", value, err)
			}
		}
	})
}

// FuzzChunkedBody feeds arbitrary bytes as an aws-chunked body (signed,
// with a CRC32 trailer): decoding must not panic or return io.EOF for
// anything but the one valid body.
func FuzzChunkedBody(f *testing.F) {
	spec := streamSpec{mode: sigv4.StreamingPayloadTrailer, data: []byte("hello, chunked world"), chunk: 8, trailer: sigv4.ChecksumCRC32}
	r, valid := encodeStream(f, spec)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte("0\r\n\r\n"))
	f.Add([]byte("ffffffffffffffff;chunk-signature=00\r\n"))
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := auth.Body(io.NopCloser(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(b)
		if err == nil && (!bytes.Equal(body, valid) || !bytes.Equal(got, spec.data)) {
			t.Fatalf("accepted a body that is not the signed one: %q", body)
		}
		if err != nil && kindOf(err) == 0 {
			t.Fatalf("error %T %v, want *sigv4.Error", err, err)
		}
	})
}
