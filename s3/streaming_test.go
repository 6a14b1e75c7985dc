package s3_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"keyfront/sigv4"
)

// chunkedPut builds a PUT whose body is aws-chunked (S3 API Reference,
// sigv4-streaming): signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
// chained from the seed signature with the SDK's StreamSigner, or
// unsigned chunks with a CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-
// TRAILER). corrupt, if not nil, changes the encoded body after signing.
func chunkedPut(t *testing.T, o *origin, path string, data []byte, mode string, corrupt func([]byte)) *http.Request {
	t.Helper()
	const chunk = 64 << 10
	signed := mode == sigv4.StreamingPayload
	now := time.Now().UTC()
	encode := func(seed string) []byte {
		var out bytes.Buffer
		seedBytes, _ := hex.DecodeString(seed)
		ss := v4.NewStreamSigner(aws.Credentials{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret}, "s3", "us-east-1", seedBytes)
		write := func(p []byte) {
			fmt.Fprintf(&out, "%x", len(p))
			if signed {
				sig, err := ss.GetSignature(context.Background(), nil, p, now)
				if err != nil {
					t.Fatal(err)
				}
				out.WriteString(";chunk-signature=" + hex.EncodeToString(sig))
			}
			out.WriteString("\r\n")
			out.Write(p)
			if len(p) > 0 {
				out.WriteString("\r\n")
			}
		}
		for off := 0; off < len(data); off += chunk {
			write(data[off:min(off+chunk, len(data))])
		}
		write(nil)
		if !signed {
			sum := crc32.ChecksumIEEE(data)
			b := []byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)}
			out.WriteString("x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString(b) + "\r\n")
		}
		out.WriteString("\r\n")
		return out.Bytes()
	}
	length := len(encode(strings.Repeat("0", 64)))
	req := o.newRequest(t, "PUT", path, nil)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	if !signed {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	req.ContentLength = int64(length)
	req.Header.Set("X-Amz-Content-Sha256", mode)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret},
		req, mode, "s3", "us-east-1", now, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	body := encode(auth[strings.LastIndex(auth, "=")+1:])
	if corrupt != nil {
		corrupt(body)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return req
}

// bodyFiles counts the files under the origin's objects directory.
func bodyFiles(t *testing.T, o *origin) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(o.dataDir, "objects"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestStreamingUploads: an aws-chunked body is stored only when every
// chunk signature and the trailer verified; bytes handed out before a bad
// chunk never become an object, and leave no file behind.
func TestStreamingUploads(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "stream")
	data := randomBytes(7, 300_000) // five chunks
	tests := []struct {
		name     string
		mode     string
		corrupt  func([]byte)
		wantCode string
	}{
		{"signed chunks", sigv4.StreamingPayload, nil, ""},
		{"unsigned chunks, CRC32 trailer", sigv4.StreamingUnsignedPayloadTrailer, nil, ""},
		{"signed, fourth chunk altered", sigv4.StreamingPayload, func(b []byte) { b[3*(64<<10)+500] ^= 1 }, "SignatureDoesNotMatch"},
		{"unsigned, last byte altered", sigv4.StreamingUnsignedPayloadTrailer, func(b []byte) {
			i := bytes.LastIndex(b, []byte("\r\n0\r\n"))
			b[i-1] ^= 1
		}, "BadDigest"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := fmt.Sprintf("obj%d", i)
			before := bodyFiles(t, o)
			resp, body := o.do(t, chunkedPut(t, o, "/stream/"+key, data, tc.mode, tc.corrupt))
			if tc.wantCode == "" {
				if resp.StatusCode != 200 {
					t.Fatalf("PUT: %d %s", resp.StatusCode, body)
				}
				if got := o.mustGet(t, "stream", key); !bytes.Equal(got, data) {
					t.Errorf("stored %d bytes, want %d", len(got), len(data))
				}
				if tc.mode == sigv4.StreamingUnsignedPayloadTrailer && resp.Header.Get("X-Amz-Checksum-Crc32") == "" {
					t.Error("the trailer's checksum is not echoed")
				}
				return
			}
			if resp.StatusCode < 400 || parseError(t, body).Code != tc.wantCode {
				t.Fatalf("PUT: %d %s, want %s", resp.StatusCode, body, tc.wantCode)
			}
			_, err := o.ownerClient().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("stream"), Key: aws.String(key)})
			if httpStatus(err) != 404 {
				t.Errorf("object visible after a failed upload: %v", err)
			}
			if after := bodyFiles(t, o); after != before {
				t.Errorf("%d body files after a failed upload, %d before", after, before)
			}
		})
	}
}

// newTLSOrigin is newOrigin behind TLS, where the SDK sends unsigned
// aws-chunked bodies with trailing checksums.
func newTLSOrigin(t *testing.T) *origin {
	t.Helper()
	o := newOrigin(t)
	ts := httptest.NewUnstartedServer(o.http.Config.Handler)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	o.http = ts
	return o
}

func TestOverTLS(t *testing.T) {
	o := newTLSOrigin(t)
	o.mustCreateBucket(t, "secure")
	ctx := context.Background()
	data := randomBytes(8, 1_000_000)
	for _, cc := range clientConfigs {
		for _, alg := range []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmSha256} {
			t.Run(cc.name+"/"+string(alg), func(t *testing.T) {
				key := cc.name + string(alg)
				put, err := o.client(cc).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"), Key: aws.String(key),
					Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
				if err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				if (cc.explicit || alg != "") && putChecksum(put) == "" {
					t.Error("no checksum echoed")
				}
				if got := o.mustGet(t, "secure", key); !bytes.Equal(got, data) {
					t.Error("object differs")
				}
			})
		}
	}
	// aws:SecureTransport is true here.
	o.mustPutPolicy(t, "secure", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
		"Resource":"arn:aws:s3:::secure/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get(o.http.URL + "/secure/" + clientConfigs[0].name)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("anonymous GET over TLS with a SecureTransport policy: %d", resp.StatusCode)
	}
}

// TestSweep: files no record names are removed, bodies of objects and of
// parts of uploads in progress are kept.
func TestSweep(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "sweep")
	o.mustPut(t, "sweep", "kept", []byte("kept"))
	c := o.ownerClient()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sweep"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("sweep"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")}); err != nil {
		t.Fatal(err)
	}
	objects := filepath.Join(o.dataDir, "objects")
	strays := []string{
		filepath.Join(objects, "ab", "ab"+strings.Repeat("0", 30)),      // renamed, never committed
		filepath.Join(objects, "cd", ".tmp-cd"+strings.Repeat("1", 30)), // being written when killed
	}
	for _, p := range strays {
		if err := osMkdirWrite(p); err != nil {
			t.Fatal(err)
		}
	}
	before := bodyFiles(t, o)
	removed, err := o.srv.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if removed != len(strays) || bodyFiles(t, o) != before-len(strays) {
		t.Errorf("Sweep removed %d files (%d → %d), want the %d strays", removed, before, bodyFiles(t, o), len(strays))
	}
	if got := string(o.mustGet(t, "sweep", "kept")); got != "kept" {
		t.Errorf("object after Sweep: %q", got)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("sweep"), Key: aws.String("mp"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("ListParts after Sweep: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sweep"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: lp.Parts[0].ETag}}}}); err != nil {
		t.Fatalf("completing an upload whose part survived Sweep: %v", err)
	}
	if got := string(o.mustGet(t, "sweep", "mp")); got != "part" {
		t.Errorf("multipart object: %q", got)
	}
}

func osMkdirWrite(p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, []byte("stray"), 0o600)
}
