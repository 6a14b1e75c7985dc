package sigv4_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"keyfront/sigv4"
)

// seen is what a request to the fake origin carried and how it verified.
type seen struct {
	method        string
	contentSHA256 string
	encoding      string
	trailer       string
	checksumHdr   string
	body          []byte
	checksum      sigv4.Checksum
	hasChecksum   bool
	err           error
}

// fakeOrigin is an S3 endpoint that stores objects in memory and accepts
// only requests that pass Verify and Auth.Body.
type fakeOrigin struct {
	v *sigv4.Verifier

	mu      sync.Mutex // guards objects and log
	objects map[string][]byte
	log     []seen
}

func newFakeOrigin() *fakeOrigin {
	return &fakeOrigin{
		v:       &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: testCredentials()},
		objects: map[string][]byte{},
	}
}

func (o *fakeOrigin) last(t *testing.T) seen {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.log) == 0 {
		t.Fatal("no request reached the origin")
	}
	return o.log[len(o.log)-1]
}

func writeS3Error(w http.ResponseWriter, err error) {
	var e *sigv4.Error
	if !errors.As(err, &e) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>`)
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "<%s>", f.Name)
		xml.EscapeText(&b, []byte(f.Value))
		fmt.Fprintf(&b, "</%s>", f.Name)
	}
	b.WriteString("<RequestId>0</RequestId></Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	w.Write(b.Bytes())
}

func (o *fakeOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := seen{
		method:        r.Method,
		contentSHA256: r.Header.Get("X-Amz-Content-Sha256"),
		encoding:      r.Header.Get("Content-Encoding"),
		trailer:       r.Header.Get("X-Amz-Trailer"),
	}
	for name := range r.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-amz-checksum-") {
			s.checksumHdr = l
		}
	}
	defer func() {
		o.mu.Lock()
		o.log = append(o.log, s)
		o.mu.Unlock()
	}()
	auth, err := o.v.Verify(r)
	if err != nil {
		s.err = err
		writeS3Error(w, err)
		return
	}
	body, err := auth.Body(r.Body)
	if err != nil {
		s.err = err
		writeS3Error(w, err)
		return
	}
	data, err := io.ReadAll(body)
	if err != nil {
		s.err = err
		writeS3Error(w, err)
		return
	}
	s.body = data
	s.checksum, s.hasChecksum = body.Checksum()
	key := r.URL.Path
	switch {
	case r.Method == http.MethodPut:
		o.mu.Lock()
		o.objects[key] = data
		o.mu.Unlock()
		w.Header().Set("ETag", `"0"`)
	case r.Method == http.MethodGet && r.URL.Query().Has("list-type"):
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<ListBucketResult><Name>bucket</Name><Prefix>%s</Prefix><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`, r.URL.Query().Get("prefix"))
	case r.Method == http.MethodGet:
		o.mu.Lock()
		obj, ok := o.objects[key]
		o.mu.Unlock()
		if !ok {
			http.Error(w, "no such key", http.StatusNotFound)
			return
		}
		w.Write(obj)
	case r.Method == http.MethodPost && r.URL.Query().Has("delete"):
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<DeleteResult></DeleteResult>`))
	}
}

// s3Client returns an S3 client for srv with the integrity settings that
// config.LoadDefaultConfig resolves by default (request checksums and
// response validation "when supported"); s3.New alone leaves them unset,
// which computes no checksum at all.
func s3Client(srv *httptest.Server, optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(testAKID, testSecret, ""),
		HTTPClient:                 srv.Client(),
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}, optFns...)
}

// unseekable hides Seek from the SDK.
type unseekable struct{ io.Reader }

// TestS3ClientPutObject drives the real AWS SDK for Go S3 client, with its
// default integrity settings, against an origin that verifies everything.
// It also records what the client sends: over plain HTTP a signed payload
// hash with the checksum in a header; over TLS an unsigned aws-chunked body
// with the checksum in a trailer.
func TestS3ClientPutObject(t *testing.T) {
	const key = "dir/my file+ü%.txt"
	data := randomData(150_000)
	for _, tc := range []struct {
		name      string
		tls       bool
		body      func() io.Reader
		alg       types.ChecksumAlgorithm
		opt       func(*s3.Options)
		wantSHA   string // "hex" for a literal digest
		wantTrail string
		wantHdr   string
		wantAlg   sigv4.ChecksumAlgorithm
	}{
		{name: "http default", body: func() io.Reader { return bytes.NewReader(data) },
			wantSHA: "hex", wantHdr: "x-amz-checksum-crc32", wantAlg: sigv4.ChecksumCRC32},
		{name: "http crc64nvme", body: func() io.Reader { return bytes.NewReader(data) }, alg: types.ChecksumAlgorithmCrc64nvme,
			wantSHA: "hex", wantHdr: "x-amz-checksum-crc64nvme", wantAlg: sigv4.ChecksumCRC64NVME},
		{name: "http when required", body: func() io.Reader { return bytes.NewReader(data) },
			opt:     func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired },
			wantSHA: "hex"},
		{name: "https default", tls: true, body: func() io.Reader { return bytes.NewReader(data) },
			wantSHA: sigv4.StreamingUnsignedPayloadTrailer, wantTrail: "x-amz-checksum-crc32", wantAlg: sigv4.ChecksumCRC32},
		{name: "https sha256", tls: true, body: func() io.Reader { return bytes.NewReader(data) }, alg: types.ChecksumAlgorithmSha256,
			wantSHA: sigv4.StreamingUnsignedPayloadTrailer, wantTrail: "x-amz-checksum-sha256", wantAlg: sigv4.ChecksumSHA256},
		{name: "https crc32c unseekable", tls: true, body: func() io.Reader { return unseekable{bytes.NewReader(data)} }, alg: types.ChecksumAlgorithmCrc32c,
			wantSHA: sigv4.StreamingUnsignedPayloadTrailer, wantTrail: "x-amz-checksum-crc32c", wantAlg: sigv4.ChecksumCRC32C},
		{name: "https when required", tls: true, body: func() io.Reader { return bytes.NewReader(data) },
			opt:     func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired },
			wantSHA: sigv4.UnsignedPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin := newFakeOrigin()
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(origin)
			} else {
				srv = httptest.NewServer(origin)
			}
			defer srv.Close()
			var opts []func(*s3.Options)
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			client := s3Client(srv, opts...)
			in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: tc.body(), ChecksumAlgorithm: tc.alg}
			if _, ok := in.Body.(unseekable); ok {
				in.ContentLength = aws.Int64(int64(len(data)))
			}
			_, err := client.PutObject(context.Background(), in)
			s := origin.last(t)
			if err != nil {
				t.Fatalf("PutObject: %v (origin: %v)", err, s.err)
			}
			t.Logf("sent x-amz-content-sha256=%.20s… content-encoding=%q x-amz-trailer=%q checksum header=%q",
				s.contentSHA256, s.encoding, s.trailer, s.checksumHdr)
			if !bytes.Equal(s.body, data) {
				t.Fatalf("origin decoded %d bytes, want %d", len(s.body), len(data))
			}
			gotSHA := s.contentSHA256
			if len(gotSHA) == 64 {
				gotSHA = "hex"
			}
			if gotSHA != tc.wantSHA || s.trailer != tc.wantTrail || s.checksumHdr != tc.wantHdr {
				t.Errorf("client sent sha256=%s trailer=%q header=%q; want %s %q %q",
					gotSHA, s.trailer, s.checksumHdr, tc.wantSHA, tc.wantTrail, tc.wantHdr)
			}
			if tc.wantAlg != "" && (!s.hasChecksum || s.checksum.Algorithm != tc.wantAlg) {
				t.Errorf("verified checksum %v (%v), want %s", s.checksum, s.hasChecksum, tc.wantAlg)
			}
		})
	}
}

// TestS3ClientOtherOperations covers paths, queries and required checksums
// as the SDK serializes them.
func TestS3ClientOtherOperations(t *testing.T) {
	origin := newFakeOrigin()
	srv := httptest.NewServer(origin)
	defer srv.Close()
	client := s3Client(srv)
	ctx := context.Background()
	keys := []string{"a b/c+d", "ünï/cödé.txt", "x%2Fy", "q?uery&amp=1", "~tilde/*star*", "sp  ace"}
	for _, key := range keys {
		body := []byte("object " + key)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatalf("PutObject %q: %v (origin: %v)", key, err, origin.last(t).err)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %q: %v (origin: %v)", key, err, origin.last(t).err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, body) {
			t.Errorf("GetObject %q = %q", key, got)
		}
	}
	_, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("bucket"), Prefix: aws.String("a b/ü+"), Delimiter: aws.String("/"),
		StartAfter: aws.String("a b/c=d&e"), MaxKeys: aws.Int32(7),
	})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v (origin: %v)", err, origin.last(t).err)
	}
	_, err = client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bucket"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String(keys[0])}, {Key: aws.String(keys[1])}},
	}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v (origin: %v)", err, origin.last(t).err)
	}
	if s := origin.last(t); !s.hasChecksum {
		t.Errorf("DeleteObjects: no verified checksum (header %q)", s.checksumHdr)
	}
}

func TestS3PresignClient(t *testing.T) {
	origin := newFakeOrigin()
	srv := httptest.NewServer(origin)
	defer srv.Close()
	ctx := context.Background()
	client := s3Client(srv)
	const key = "shared/report 2024+final.pdf"
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: strings.NewReader("pdf")}); err != nil {
		t.Fatal(err)
	}
	presigned, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String(key), ResponseContentDisposition: aws.String(`attachment; filename="r.pdf"`),
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(presigned.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "pdf" {
		t.Fatalf("GET presigned URL: %d %q (origin: %v)", resp.StatusCode, got, origin.last(t).err)
	}

	// Presigned PUT: the SDK signs UNSIGNED-PAYLOAD.
	put, err := s3.NewPresignClient(client).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("up load")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("uploaded"))
	for k, vs := range put.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = vs
		}
	}
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT presigned URL: %d (origin: %v)", resp.StatusCode, origin.last(t).err)
	}
}

// TestS3ClientSeesTypedErrors: the SDK parses the error bodies built from
// *sigv4.Error into the codes S3 uses.
func TestS3ClientSeesTypedErrors(t *testing.T) {
	origin := newFakeOrigin()
	srv := httptest.NewServer(origin)
	defer srv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		creds aws.CredentialsProvider
		code  string
	}{
		{"wrong secret", credentials.NewStaticCredentialsProvider(testAKID, "nope", ""), "SignatureDoesNotMatch"},
		{"unknown key", credentials.NewStaticCredentialsProvider("AKIDUNKNOWN", "x", ""), "InvalidAccessKeyId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := s3Client(srv, func(o *s3.Options) { o.Credentials = tc.creds })
			_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k")})
			var apiErr interface{ ErrorCode() string }
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
				t.Fatalf("GetObject error %v, want code %s", err, tc.code)
			}
		})
	}
}
