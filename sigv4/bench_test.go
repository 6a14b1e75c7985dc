package sigv4_test

import (
	"bytes"
	"io"
	"testing"

	"keyfront/sigv4"
)

// BenchmarkVerify measures Verify on typical requests, with the derived
// signing key cache (the default) and without it (KeyCacheSize < 0).
func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct {
		name string
		sc   signedCase
	}{
		{"s3 GET header", signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://127.0.0.1:7082/bucket/photos/2024/img%20001.jpg",
			payload: sigv4.EmptySHA256, header: map[string]string{"Range": "bytes=0-1023", "X-Amz-Source-Arn": "arn:aws:cloudfront::123456789012:distribution/E1"}}},
		{"s3 GET presigned", signedCase{service: sigv4.ServiceS3, method: "GET", url: "http://127.0.0.1:7082/bucket/photos/2024/img%20001.jpg", presign: 3600e9}},
		{"cloudfront POST 2KiB", signedCase{service: sigv4.ServiceCloudFront, method: "POST", url: "http://127.0.0.1:7081/2020-05-31/key-group",
			body: string(bytes.Repeat([]byte("<Item>x</Item>"), 146))}},
	} {
		for _, cache := range []struct {
			name string
			size int
		}{{"cache", 0}, {"nocache", -1}} {
			b.Run(c.name+"/"+cache.name, func(b *testing.B) {
				r := c.sc.build(b)
				body, _ := io.ReadAll(r.Body)
				v := newVerifier(c.sc.service, signTime)
				v.KeyCacheSize = cache.size
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					r.Body = io.NopCloser(bytes.NewReader(body))
					if _, err := v.Verify(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkChunkedBody measures decoding and verifying a signed aws-chunked
// upload with a CRC32 trailer, in 64 KiB chunks as the SDKs send them.
func BenchmarkChunkedBody(b *testing.B) {
	data := randomData(8 << 20)
	r, body := encodeStream(b, streamSpec{mode: sigv4.StreamingPayloadTrailer, data: data, trailer: sigv4.ChecksumCRC32})
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rb, err := auth.Body(io.NopCloser(bytes.NewReader(body)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{rb}, buf); err != nil {
			b.Fatal(err)
		}
	}
}
