package s3_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkGetObject measures GetObject through the whole origin (HTTP
// over loopback, SigV4 or policy evaluation, a store read, the body from
// its file) for objects of 1 KiB, 1 MiB and 64 MiB: as the owner with a
// presigned URL (the signature is verified on every request) and
// anonymously under a public-read policy (the policy is evaluated on every
// request). Clients run in parallel (GOMAXPROCS goroutines, keep-alive).
// MB/s counts object bytes; req/s is reported too.
func BenchmarkGetObject(b *testing.B) {
	o := newOrigin(b)
	o.mustCreateBucket(b, "bench")
	o.mustPutPolicy(b, "bench", publicRead("bench"))
	for _, size := range []int{1 << 10, 1 << 20, 64 << 20} {
		key := fmt.Sprintf("obj-%d", size)
		o.mustPut(b, "bench", key, randomBytes(uint64(size), size))
		presigned, err := s3.NewPresignClient(o.ownerClient()).PresignGetObject(context.Background(),
			&s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)}, s3.WithPresignExpires(time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []struct{ name, url string }{
			{"presigned", presigned.URL},
			{"anonymous", o.http.URL + "/bench/" + key},
		} {
			b.Run(fmt.Sprintf("%s/%s", sizeName(size), mode.name), func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				defer client.CloseIdleConnections()
				b.SetBytes(int64(size))
				b.ReportAllocs()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					buf := make([]byte, 256<<10)
					for pb.Next() {
						resp, err := client.Get(mode.url)
						if err != nil {
							b.Error(err)
							return
						}
						n, err := io.CopyBuffer(io.Discard, resp.Body, buf)
						resp.Body.Close()
						if err != nil || resp.StatusCode != 200 || n != int64(size) {
							b.Errorf("GET: %d, %d bytes, %v", resp.StatusCode, n, err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			})
		}
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkPutObject measures PutObject of 1 MiB through the SDK (with
// its default checksums), including the fsyncs that make it durable.
func BenchmarkPutObject(b *testing.B) {
	o := newOrigin(b)
	o.mustCreateBucket(b, "bench")
	data := randomBytes(1, 1<<20)
	c := o.ownerClient()
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint(i)),
			Body: bytesReader(data)})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func bytesReader(b []byte) io.ReadSeeker { return &readSeeker{b: b} }

type readSeeker struct {
	b   []byte
	off int64
}

func (r *readSeeker) Read(p []byte) (int, error) {
	if r.off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += int64(n)
	return n, nil
}

func (r *readSeeker) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		r.off = off
	case io.SeekCurrent:
		r.off += off
	case io.SeekEnd:
		r.off = int64(len(r.b)) + off
	}
	return r.off, nil
}
