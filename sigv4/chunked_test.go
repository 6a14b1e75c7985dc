package sigv4_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront/sigv4"
)

// The S3 API Reference's chunked upload examples (sigv4-streaming,
// sigv4-streaming-trailers): 66560 bytes of 'a' in a 65536-byte and a
// 1024-byte chunk, with the documented seed, chunk and trailer signatures.
func TestAWSDocumentationChunkedUpload(t *testing.T) {
	a := strings.Repeat("a", 65536)
	b := strings.Repeat("a", 1024)
	for _, tc := range []struct {
		name, header, body string
	}{
		{
			name: "signed chunks",
			header: "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
				"Content-Length: 66824\r\n" +
				"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n",
			body: "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + a + "\r\n" +
				"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + b + "\r\n" +
				"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n",
		},
		{
			name: "signed chunks and trailer",
			header: "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER\r\n" +
				"x-amz-trailer: x-amz-checksum-crc32c\r\n" +
				"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e\r\n",
			body: "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" + a + "\r\n" +
				"400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" + b + "\r\n" +
				"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
				"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
				"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := tc.header
			if !strings.Contains(header, "Content-Length") {
				header += "Content-Length: " + strconv.Itoa(len(tc.body)) + "\r\n"
			}
			raw := "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
				"Host: s3.amazonaws.com\r\n" +
				"x-amz-date: 20130524T000000Z\r\n" +
				"x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
				"Content-Encoding: aws-chunked\r\n" +
				"x-amz-decoded-content-length: 66560\r\n" + header + "\r\n" + tc.body
			r := readRaw(t, raw)
			auth, err := docVerifier().Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			body, err := auth.Body(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			if err != nil {
				t.Fatalf("reading body: %v", err)
			}
			if string(got) != a+b {
				t.Fatalf("decoded %d bytes, want 66560 of 'a'", len(got))
			}
			if strings.Contains(tc.header, "x-amz-trailer") {
				c, ok := body.Checksum()
				if !ok || c.Algorithm != sigv4.ChecksumCRC32C || c.Value != "sOO8/Q==" {
					t.Errorf("Checksum() = %v, %v; want CRC32C sOO8/Q==", c, ok)
				}
			}
		})
	}
}

// streamSpec describes an aws-chunked upload to build.
type streamSpec struct {
	mode        string // x-amz-content-sha256
	data        []byte
	chunk       int
	region      string
	trailer     sigv4.ChecksumAlgorithm // "" for none
	checksum    string                  // trailer value; "" means the right one
	decodedLen  int                     // x-amz-decoded-content-length; -1 omits it; 0 means len(data)
	extraHeader map[string]string
}

// encodeStream builds a signed request with an aws-chunked body. Chunk
// signatures come from the AWS SDK for Go's StreamSigner, chained from the
// seed signature that SignHTTP puts in the Authorization header. The
// trailer signature, which the Go SDK cannot produce, is computed here as
// sigv4-streaming-trailers describes (checked against AWS's own example by
// TestAWSDocumentationChunkedUpload).
func encodeStream(tb testing.TB, s streamSpec) (*http.Request, []byte) {
	tb.Helper()
	if s.region == "" {
		s.region = "eu-central-1"
	}
	if s.chunk == 0 {
		s.chunk = 64 * 1024
	}
	newReq := func(length int) *http.Request {
		req, _ := http.NewRequest("PUT", "http://127.0.0.1:7082/bucket/streamed%20object.bin", nil)
		req.Header.Set("Content-Encoding", "aws-chunked")
		switch {
		case s.decodedLen == 0:
			req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(s.data)))
		case s.decodedLen > 0:
			req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(s.decodedLen))
		}
		if s.trailer != "" {
			req.Header.Set("X-Amz-Trailer", s.trailer.Header())
		}
		for k, v := range s.extraHeader {
			req.Header.Set(k, v)
		}
		req.ContentLength = int64(length)
		return req
	}
	// The encoded length does not depend on the signatures' values, and the
	// SDK signs Content-Length, so encode once to learn it.
	dummy := encodeBody(tb, s, strings.Repeat("0", 64))
	req := newReq(len(dummy))
	sdkSign(tb, req, sdkCreds(), sigv4.ServiceS3, s.region, s.mode, signTime)
	seed := req.Header.Get("Authorization")
	seed = seed[strings.LastIndex(seed, "=")+1:]
	body := encodeBody(tb, s, seed)
	req.Body = io.NopCloser(bytes.NewReader(body))
	return onWire(tb, req), body
}

func encodeBody(tb testing.TB, s streamSpec, seed string) []byte {
	tb.Helper()
	signed := s.mode != sigv4.StreamingUnsignedPayloadTrailer
	seedBytes, err := hex.DecodeString(seed)
	if err != nil {
		tb.Fatal(err)
	}
	ss := v4.NewStreamSigner(sdkCreds(), sigv4.ServiceS3, s.region, seedBytes)
	var out bytes.Buffer
	prev := seed
	writeChunk := func(p []byte) {
		fmt.Fprintf(&out, "%x", len(p))
		if signed {
			sig, err := ss.GetSignature(context.Background(), nil, p, signTime)
			if err != nil {
				tb.Fatal(err)
			}
			prev = hex.EncodeToString(sig)
			out.WriteString(";chunk-signature=" + prev)
		}
		out.WriteString("\r\n")
		out.Write(p)
		if len(p) > 0 {
			out.WriteString("\r\n")
		}
	}
	for off := 0; off < len(s.data); off += s.chunk {
		writeChunk(s.data[off:min(off+s.chunk, len(s.data))])
	}
	writeChunk(nil)
	if s.trailer != "" {
		value := s.checksum
		if value == "" {
			h := s.trailer.New()
			h.Write(s.data)
			value = base64.StdEncoding.EncodeToString(h.Sum(nil))
		}
		line := s.trailer.Header() + ":" + value
		out.WriteString(line + "\r\n")
		if signed {
			out.WriteString("x-amz-trailer-signature:" + trailerSignature(prev, s.region, line+"\n") + "\r\n")
		}
	}
	out.WriteString("\r\n")
	return out.Bytes()
}

// trailerSignature signs canonical trailing headers (sigv4-streaming-trailers).
func trailerSignature(prev, region, canonical string) string {
	mac := func(k []byte, s string) []byte {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	date := signTime.Format("20060102")
	key := mac(mac(mac(mac([]byte("AWS4"+testSecret), date), region), "s3"), "aws4_request")
	sum := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + signTime.Format(sigv4.TimeFormat) + "\n" + date + "/" + region + "/s3/aws4_request\n" + prev + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(mac(key, sts))
}

func randomData(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

func TestStreamingRoundTrip(t *testing.T) {
	for _, s := range []struct {
		name string
		spec streamSpec
	}{
		{"signed, one chunk", streamSpec{mode: sigv4.StreamingPayload, data: randomData(1000)}},
		{"signed, exact multiple of chunk size", streamSpec{mode: sigv4.StreamingPayload, data: randomData(3 * 8192), chunk: 8192}},
		{"signed, many small chunks", streamSpec{mode: sigv4.StreamingPayload, data: randomData(100_000), chunk: 8192, region: "us-west-2"}},
		{"signed, empty body", streamSpec{mode: sigv4.StreamingPayload, data: nil}},
		{"signed, no decoded length", streamSpec{mode: sigv4.StreamingPayload, data: randomData(5000), chunk: 1000, decodedLen: -1}},
		{"signed trailer crc32", streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(70_000), trailer: sigv4.ChecksumCRC32}},
		{"signed trailer crc32c", streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(9000), chunk: 4096, trailer: sigv4.ChecksumCRC32C}},
		{"signed trailer crc64nvme", streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(9000), trailer: sigv4.ChecksumCRC64NVME}},
		{"signed trailer sha1", streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(9000), trailer: sigv4.ChecksumSHA1}},
		{"signed trailer sha256", streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(9000), trailer: sigv4.ChecksumSHA256}},
		{"unsigned trailer crc32", streamSpec{mode: sigv4.StreamingUnsignedPayloadTrailer, data: randomData(200_000), trailer: sigv4.ChecksumCRC32}},
		{"unsigned trailer crc64nvme", streamSpec{mode: sigv4.StreamingUnsignedPayloadTrailer, data: randomData(10), trailer: sigv4.ChecksumCRC64NVME}},
		{"signed with checksum header", streamSpec{mode: sigv4.StreamingPayload, data: []byte("hello"),
			extraHeader: map[string]string{"X-Amz-Checksum-Crc32": "NhCmhg=="}}},
	} {
		t.Run(s.name, func(t *testing.T) {
			r, _ := encodeStream(t, s.spec)
			auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			got, err := readBody(t, auth, r.Body)
			if err != nil {
				t.Fatalf("reading body: %v", err)
			}
			if !bytes.Equal(got, s.spec.data) {
				t.Fatalf("decoded %d bytes, want %d (equal %v)", len(got), len(s.spec.data), bytes.Equal(got, s.spec.data))
			}
		})
	}
}

// TestStreamingTampering changes a signed aws-chunked body after signing.
// The error must come when the bad part is read, not earlier and not only
// at the end.
func TestStreamingTampering(t *testing.T) {
	data := randomData(4 * 1000)
	base := streamSpec{mode: sigv4.StreamingPayloadTrailer, data: data, chunk: 1000, trailer: sigv4.ChecksumCRC32}
	for _, tc := range []struct {
		name string
		spec *streamSpec // nil: base
		edit func(body []byte) []byte
		kind sigv4.Kind
		// readOK is the number of decoded bytes delivered before the error;
		// -1 skips the check.
		readOK int
	}{
		{"flipped byte in chunk 2", nil, func(b []byte) []byte {
			i := bytes.Index(b, data[1000:1010])
			b[i+500] ^= 1
			return b
		}, sigv4.KindChunkSignatureMismatch, 2000},
		{"chunk signature altered", nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte("chunk-signature=")) + len("chunk-signature=")
			b[i] ^= 1
			return b
		}, sigv4.KindChunkSignatureMismatch, 1000},
		{"chunks swapped", nil, func(b []byte) []byte {
			// Every chunk has the same framing length; swap 2 and 3.
			c := splitChunks(b)
			c[1], c[2] = c[2], c[1]
			return bytes.Join(c, nil)
		}, sigv4.KindChunkSignatureMismatch, 2000},
		{"truncated inside chunk 3", nil, func(b []byte) []byte {
			i := bytes.Index(b, data[2000:2010])
			return b[:i+10]
		}, sigv4.KindIncompleteBody, 2010},
		{"truncated before final chunk", nil, func(b []byte) []byte {
			return b[:bytes.LastIndex(b, []byte("\r\n0;chunk-signature"))+2]
		}, sigv4.KindIncompleteBody, 4000},
		{"chunk size lies", nil, func(b []byte) []byte {
			return bytes.Replace(b, []byte("3e8;"), []byte("3e7;"), 1)
		}, sigv4.KindIncompleteBody, -1},
		{"chunk size not hex", nil, func(b []byte) []byte {
			return bytes.Replace(b, []byte("3e8;"), []byte("3x8;"), 1)
		}, sigv4.KindIncompleteBody, 0},
		{"chunk signature missing", nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte(";chunk-signature="))
			return append(append([]byte{}, b[:i]...), b[i+17+64:]...)
		}, sigv4.KindChunkSignatureMismatch, 0},
		{"trailer signature altered", nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:")
			b[i] ^= 1
			return b
		}, sigv4.KindChunkSignatureMismatch, 4000},
		{"trailer signature missing", nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:"))
			return append(b[:i], "\r\n"...)
		}, sigv4.KindChunkSignatureMismatch, 4000},
		{"trailer missing", nil, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-checksum-crc32:"))
			return append(b[:i], "\r\n"...)
		}, sigv4.KindMalformedTrailer, 4000},
		{"undeclared trailer", nil, func(b []byte) []byte {
			return bytes.Replace(b, []byte("x-amz-checksum-crc32:"), []byte("x-amz-meta-x:1\r\nx-amz-checksum-crc32:"), 1)
		}, sigv4.KindMalformedTrailer, 4000},
		{"data after final chunk", &streamSpec{mode: sigv4.StreamingPayload, data: data, chunk: 1000}, func(b []byte) []byte {
			return append(b[:len(b)-2], "garbage\r\n"...)
		}, sigv4.KindIncompleteBody, 4000},
		{"bad trailing checksum, validly signed", &streamSpec{mode: sigv4.StreamingPayloadTrailer, data: data, chunk: 1000,
			trailer: sigv4.ChecksumCRC32, checksum: "AAAAAA=="}, nil, sigv4.KindBadDigest, 4000},
		{"malformed trailing checksum", &streamSpec{mode: sigv4.StreamingPayloadTrailer, data: data, chunk: 1000,
			trailer: sigv4.ChecksumSHA256, checksum: "not base64"}, nil, sigv4.KindInvalidChecksum, 4000},
		{"bad unsigned trailing checksum", &streamSpec{mode: sigv4.StreamingUnsignedPayloadTrailer, data: data, chunk: 1000,
			trailer: sigv4.ChecksumCRC64NVME, checksum: "AAAAAAAAAAA="}, nil, sigv4.KindBadDigest, 4000},
		{"decoded length too short", &streamSpec{mode: sigv4.StreamingPayload, data: data, chunk: 1000, decodedLen: 3999}, nil,
			sigv4.KindIncompleteBody, -1},
		{"decoded length too long", &streamSpec{mode: sigv4.StreamingPayload, data: data, chunk: 1000, decodedLen: 4001}, nil,
			sigv4.KindIncompleteBody, 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := base
			if tc.spec != nil {
				spec = *tc.spec
			}
			r, body := encodeStream(t, spec)
			if tc.edit != nil {
				body = tc.edit(append([]byte{}, body...))
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			b, err := auth.Body(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(b)
			if k := kindOf(err); k != tc.kind {
				t.Fatalf("read %d bytes, error %v (kind %v), want kind %v", len(got), err, k, tc.kind)
			}
			if tc.readOK >= 0 && len(got) != tc.readOK {
				t.Errorf("read %d bytes before the error, want %d", len(got), tc.readOK)
			}
			// The error sticks.
			if _, err2 := b.Read(make([]byte, 10)); !errors.Is(err2, err) {
				t.Errorf("next Read = %v, want the same error", err2)
			}
			if b.Verified() {
				t.Error("Verified() = true after an error")
			}
		})
	}
}

// splitChunks splits an aws-chunked body into its chunks (header, data and
// CRLF each); the last element holds the final chunk and trailers.
func splitChunks(b []byte) [][]byte {
	var out [][]byte
	for {
		eol := bytes.Index(b, []byte("\r\n"))
		size, _ := strconv.ParseInt(string(bytes.SplitN(b[:eol], []byte(";"), 2)[0]), 16, 64)
		if size == 0 {
			return append(out, b)
		}
		n := eol + 2 + int(size) + 2
		out = append(out, b[:n])
		b = b[n:]
	}
}

// TestStreamingSplitReads feeds the body one byte at a time, so every line
// and chunk boundary falls between reads.
func TestStreamingSplitReads(t *testing.T) {
	spec := streamSpec{mode: sigv4.StreamingPayloadTrailer, data: randomData(3000), chunk: 700, trailer: sigv4.ChecksumSHA256}
	r, _ := encodeStream(t, spec)
	r.Body = io.NopCloser(oneByteReader{r.Body})
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.Body(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	buf := make([]byte, 3)
	for {
		n, err := b.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), spec.data) {
		t.Fatal("decoded body differs")
	}
	c, ok := b.Checksum()
	sum := sha256.Sum256(spec.data)
	if !ok || c.Algorithm != sigv4.ChecksumSHA256 || c.Value != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("Checksum() = %v, %v", c, ok)
	}
}

// TestStreamingMemoryIsConstant decodes a 16 MiB signed upload and checks
// that the decoder allocates a small fraction of that: it holds one line
// and the hash states, never a chunk or the body. (Allocation, not time, is
// measured.)
func TestStreamingMemoryIsConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MiB upload")
	}
	data := randomData(16 << 20)
	r, body := encodeStream(t, streamSpec{mode: sigv4.StreamingPayloadTrailer, data: data, trailer: sigv4.ChecksumCRC32})
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := auth.Body(io.NopCloser(bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{b}, buf)
	runtime.ReadMemStats(&after)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("decoded %d bytes, %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("decoding 16 MiB allocated %d bytes, want under 2 MiB", alloc)
	} else {
		t.Logf("decoding 16 MiB allocated %d bytes", alloc)
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func TestChecksumCheckValues(t *testing.T) {
	// Check values of "123456789" for each algorithm (CRC catalogue; FIPS
	// 180 for the SHAs).
	for alg, want := range map[sigv4.ChecksumAlgorithm]string{
		sigv4.ChecksumCRC32:     "cbf43926",
		sigv4.ChecksumCRC32C:    "e3069283",
		sigv4.ChecksumCRC64NVME: "ae8b14860a799888",
		sigv4.ChecksumSHA1:      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		sigv4.ChecksumSHA256:    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	} {
		h := alg.New()
		h.Write([]byte("123456789"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s = %s, want %s", alg, got, want)
		}
		if got, want := alg.Size(), len(want)/2; got != want {
			t.Errorf("%s.Size() = %d, want %d", alg, got, want)
		}
	}
}

// TestChecksumHeaders covers checksums sent as headers with a plain body.
func TestChecksumHeaders(t *testing.T) {
	body := []byte("The quick brown fox")
	sum := func(alg sigv4.ChecksumAlgorithm, b []byte) string {
		h := alg.New()
		h.Write(b)
		return base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	md := md5.Sum(body)
	goodMD5 := base64.StdEncoding.EncodeToString(md[:])
	for _, tc := range []struct {
		name    string
		header  map[string]string
		kind    sigv4.Kind // of Body() or of reading it
		atStart bool       // the error comes from Body(), before reading
	}{
		{"crc32 ok", map[string]string{"X-Amz-Checksum-Crc32": sum(sigv4.ChecksumCRC32, body)}, 0, false},
		{"crc32c ok", map[string]string{"X-Amz-Checksum-Crc32c": sum(sigv4.ChecksumCRC32C, body)}, 0, false},
		{"crc64nvme ok", map[string]string{"X-Amz-Checksum-Crc64nvme": sum(sigv4.ChecksumCRC64NVME, body)}, 0, false},
		{"sha1 ok", map[string]string{"X-Amz-Checksum-Sha1": sum(sigv4.ChecksumSHA1, body)}, 0, false},
		{"sha256 ok", map[string]string{"X-Amz-Checksum-Sha256": sum(sigv4.ChecksumSHA256, body)}, 0, false},
		{"content-md5 ok", map[string]string{"Content-Md5": goodMD5}, 0, false},
		{"mode header ignored", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"}, 0, false},
		{"crc32 wrong", map[string]string{"X-Amz-Checksum-Crc32": sum(sigv4.ChecksumCRC32, []byte("other"))}, sigv4.KindBadDigest, false},
		{"sha256 wrong", map[string]string{"X-Amz-Checksum-Sha256": sum(sigv4.ChecksumSHA256, nil)}, sigv4.KindBadDigest, false},
		{"content-md5 wrong", map[string]string{"Content-Md5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, sigv4.KindBadDigest, false},
		{"crc32 not base64", map[string]string{"X-Amz-Checksum-Crc32": "!!!"}, sigv4.KindInvalidChecksum, true},
		{"crc32 wrong length", map[string]string{"X-Amz-Checksum-Crc32": sum(sigv4.ChecksumSHA1, body)}, sigv4.KindInvalidChecksum, true},
		{"two checksums", map[string]string{"X-Amz-Checksum-Crc32": sum(sigv4.ChecksumCRC32, body), "X-Amz-Checksum-Sha1": sum(sigv4.ChecksumSHA1, body)}, sigv4.KindInvalidChecksum, true},
		{"unknown algorithm", map[string]string{"X-Amz-Checksum-Xxhash64": "AAAAAAAAAAA="}, sigv4.KindInvalidChecksum, true},
		{"content-md5 malformed", map[string]string{"Content-Md5": "abc"}, sigv4.KindInvalidChecksum, true},
		{"trailer without streaming", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, sigv4.KindMalformedTrailer, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := signedCase{service: sigv4.ServiceS3, method: "PUT", url: "http://h/b/k", body: string(body), header: tc.header}
			r := c.build(t)
			auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			b, err := auth.Body(r.Body)
			if tc.atStart {
				if got := kindOf(err); got != tc.kind {
					t.Fatalf("Body() = %v, want kind %v", err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(b)
			if got := kindOf(err); got != tc.kind {
				t.Fatalf("reading = %v, want kind %v", err, tc.kind)
			}
			if tc.kind == sigv4.KindBadDigest {
				var e *sigv4.Error
				errors.As(err, &e)
				if e.Code != "BadDigest" || e.Status != http.StatusBadRequest {
					t.Errorf("got %d %s, want 400 BadDigest", e.Status, e.Code)
				}
				if strings.HasPrefix(tc.name, "crc32") && e.Message != "The CRC32 you specified did not match the calculated checksum." {
					t.Errorf("message %q", e.Message)
				}
			}
		})
	}
}

// TestIgnoreChecksumHeaders: in CompleteMultipartUpload x-amz-checksum-*
// is the object's checksum, not the XML body's.
func TestIgnoreChecksumHeaders(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "POST", url: "http://h/b/k?uploadId=1",
		body: "<CompleteMultipartUpload/>", header: map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}}.build(t)
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.Body(r.Body, sigv4.IgnoreChecksumHeaders())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(b); err != nil {
		t.Fatalf("reading: %v", err)
	}
	if _, ok := b.Checksum(); ok {
		t.Error("Checksum() reports a checksum that was ignored")
	}
}

// TestContentSHA256MismatchBody pins S3's XAmzContentSHA256Mismatch body.
func TestContentSHA256MismatchBody(t *testing.T) {
	r := signedCase{service: sigv4.ServiceS3, method: "PUT", url: "http://h/b/k", body: "abc"}.build(t)
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = readBody(t, auth, io.NopCloser(strings.NewReader("abd")))
	var e *sigv4.Error
	if !errors.As(err, &e) || e.Code != "XAmzContentSHA256Mismatch" || e.Status != 400 {
		t.Fatalf("error %v, want 400 XAmzContentSHA256Mismatch", err)
	}
	if got, want := e.Field("ClientComputedContentSHA256"), hashHex([]byte("abc")); got != want {
		t.Errorf("ClientComputedContentSHA256 = %s, want %s", got, want)
	}
	if got, want := e.Field("S3ComputedContentSHA256"), hashHex([]byte("abd")); got != want {
		t.Errorf("S3ComputedContentSHA256 = %s, want %s", got, want)
	}
}
