package sigv4_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
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
// with a CRC32 trailer): decoding must not panic, and may end cleanly only
// for the signed body. The decoder tolerates framing that carries no
// content (a bare LF for CRLF, no final CRLF, leading zeros in a chunk
// size, white space around trailer names and values), so an accepted body must be the valid one once
// framing is normalised, and must decode to the signed data.
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
		if err == nil && (!bytes.Equal(normalizeFraming(body), normalizeFraming(valid)) || !bytes.Equal(got, spec.data)) {
			t.Fatalf("accepted a body that is not the signed one: %q", body)
		}
		if err != nil && kindOf(err) == 0 {
			t.Fatalf("error %T %v, want *sigv4.Error", err, err)
		}
	})
}

// normalizeFraming rewrites the line framing of an aws-chunked body to one
// form: LF line ends, chunk sizes in lower-case hex without leading zeros,
// lower-case trailer names, no white space around a trailer's ':' or at its ends,
// no trailing empty lines. Chunk data must not contain line breaks.
func normalizeFraming(b []byte) []byte {
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if size, ext, ok := strings.Cut(l, ";chunk-signature="); ok {
			// The size is hex: leading zeros and case are framing too.
			if n, err := strconv.ParseUint(size, 16, 63); err == nil {
				lines[i] = strconv.FormatUint(n, 16) + ";chunk-signature=" + ext
			}
			continue
		}
		if name, value, ok := strings.Cut(l, ":"); ok {
			lines[i] = strings.ToLower(strings.TrimSpace(name)) + ":" + strings.TrimSpace(value)
		}
	}
	return []byte(strings.TrimRight(strings.Join(lines, "\n"), "\n"))
}

// TestChunkedBodyFraming pins down the framing the aws-chunked decoder
// tolerates, which FuzzChunkedBody found: line ends and white space may
// vary, content may not.
func TestChunkedBodyFraming(t *testing.T) {
	spec := streamSpec{mode: sigv4.StreamingPayloadTrailer, data: []byte("hello, chunked world"), chunk: 8, trailer: sigv4.ChecksumCRC32}
	r, valid := encodeStream(t, spec)
	auth, err := newVerifier(sigv4.ServiceS3, signTime).Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	lf := strings.TrimRight(strings.ReplaceAll(string(valid), "\r\n", "\n"), "\n") + "\n"
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"as signed", string(valid), true},
		{"LF line ends, no final empty line", lf, true},
		{"trailer name in upper case, spaced", strings.Replace(string(valid), "x-amz-checksum-crc32:", "X-Amz-Checksum-CRC32 : ", 1), true},
		{"chunk size with leading zeros", "0000" + string(valid), true},
		{"one data byte changed", strings.Replace(string(valid), "hello", "jello", 1), false},
		{"LF framing, one data byte changed", strings.Replace(lf, "orld", "urld", 1), false},
		{"trailer value changed", strings.Replace(string(valid), "x-amz-checksum-crc32:", "x-amz-checksum-crc32:A", 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(t, auth, io.NopCloser(strings.NewReader(tc.body)))
			if tc.ok && (err != nil || !bytes.Equal(got, spec.data)) {
				t.Fatalf("got %q, %v; want %q", got, err, spec.data)
			}
			if !tc.ok && err == nil {
				t.Fatalf("accepted %q as %q", tc.body, got)
			}
		})
	}
}
