package sigv4

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// Body is a request payload reader that enforces what the signature and the
// integrity headers promise about the bytes:
//
//   - a hex x-amz-content-sha256: the SHA-256 of the body (fails with
//     KindContentSHA256Mismatch);
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: the aws-chunked framing
//     is decoded and each chunk signature, chained from the seed signature,
//     is checked, then the trailer signature (KindChunkSignatureMismatch,
//     KindIncompleteBody, KindMalformedTrailer);
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER: the framing is decoded;
//   - x-amz-checksum-* in a header or declared in x-amz-trailer, and
//     Content-MD5: the digest of the decoded bytes (KindBadDigest);
//   - x-amz-decoded-content-length: the decoded length (KindIncompleteBody).
//
// Read returns the decoded payload. It returns io.EOF only after every
// check has passed; any failure is an *Error returned at the point it is
// detected and on every later Read. Bytes of a chunk reach the caller
// before that chunk's signature is checked, so a caller must treat what it
// has read as provisional until io.EOF (the S3 origin writes to a temporary
// file and renames it only then). Memory use does not depend on the body's
// size.
type Body struct {
	src     io.Reader
	closer  io.Closer
	service string
	chunked *chunkedReader // nil unless aws-chunked

	sha     hash.Hash // for a hex x-amz-content-sha256
	wantSHA string

	sum       hash.Hash // x-amz-checksum-* from a header or trailer
	sumAlg    ChecksumAlgorithm
	sumWant   string // from the header; empty when it comes in the trailer
	sumFromTr bool

	md5     hash.Hash
	md5Want []byte

	n        int64
	err      error
	verified bool
}

var _ io.ReadCloser = (*Body)(nil)

// BodyOption changes what Auth.Body checks.
type BodyOption func(*bodyConfig)

type bodyConfig struct {
	ignoreChecksumHeaders bool
}

// IgnoreChecksumHeaders makes Auth.Body leave x-amz-checksum-* request
// headers alone. Use it for CompleteMultipartUpload, where they carry the
// whole object's checksum rather than the request body's. Checksums in
// aws-chunked trailers are still verified.
func IgnoreChecksumHeaders() BodyOption {
	return func(c *bodyConfig) { c.ignoreChecksumHeaders = true }
}

// Body returns a reader that decodes and verifies the request payload, as
// described on Body. Pass the request's body; Body takes ownership of it
// and closes it on Close.
//
// It fails at once, before reading, when the integrity headers themselves
// are wrong: more than one checksum, an unsupported or malformed
// x-amz-checksum-* value or x-amz-trailer, a malformed Content-MD5 or
// x-amz-decoded-content-length.
func (a *Auth) Body(body io.ReadCloser, opts ...BodyOption) (*Body, error) {
	var cfg bodyConfig
	for _, o := range opts {
		o(&cfg)
	}
	svc := a.Service
	if body == nil {
		body = io.NopCloser(strings.NewReader(""))
	}
	b := &Body{src: body, closer: body, service: svc}

	// Checksums sent as headers.
	var headerSums []Checksum
	for name, vals := range a.header {
		if cfg.ignoreChecksumHeaders {
			break
		}
		alg, ok := checksumFromHeader(name)
		if !ok {
			l := strings.ToLower(name)
			if strings.HasPrefix(l, "x-amz-checksum-") && l != "x-amz-checksum-mode" &&
				l != "x-amz-checksum-type" && l != "x-amz-checksum-algorithm" {
				return nil, errInvalidChecksum(svc, "unsupported "+l,
					fmt.Sprintf("The algorithm of %s is not supported.", l))
			}
			continue
		}
		if len(vals) != 1 || !alg.validValue(vals[0]) {
			return nil, errInvalidChecksum(svc, fmt.Sprintf("%s %q", alg.Header(), vals),
				fmt.Sprintf("Value for %s header is invalid.", alg.Header()))
		}
		headerSums = append(headerSums, Checksum{alg, vals[0]})
	}

	// Trailers declared in x-amz-trailer.
	var declared []string
	streaming := a.PayloadHash == StreamingPayload || a.PayloadHash == StreamingPayloadTrailer ||
		a.PayloadHash == StreamingUnsignedPayloadTrailer
	if t := strings.Join(a.header.Values("X-Amz-Trailer"), ","); t != "" {
		if !streaming || a.PayloadHash == StreamingPayload {
			return nil, errTrailer(svc, fmt.Sprintf("x-amz-trailer %q with x-amz-content-sha256 %s", t, a.PayloadHash))
		}
		for _, name := range strings.Split(t, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			alg, ok := checksumFromHeader(name)
			if !ok {
				return nil, errInvalidChecksum(svc, fmt.Sprintf("x-amz-trailer %q", t),
					"The value specified in the x-amz-trailer header is not supported")
			}
			declared = append(declared, name)
			b.sumAlg, b.sumFromTr = alg, true
		}
	}
	if len(headerSums)+len(declared) > 1 {
		return nil, errInvalidChecksum(svc, "more than one checksum",
			"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if len(headerSums) == 1 {
		b.sumAlg, b.sumWant = headerSums[0].Algorithm, headerSums[0].Value
	}
	if b.sumAlg != "" {
		b.sum = b.sumAlg.New()
	}

	if v := a.header.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			e := errInvalidChecksum(svc, fmt.Sprintf("Content-MD5 %q", v), "The Content-MD5 you specified was invalid.")
			e.Code = "InvalidDigest"
			return nil, e
		}
		b.md5, b.md5Want = md5.New(), want
	}

	switch {
	case streaming:
		want := int64(-1)
		if v := a.header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errIncomplete(svc, fmt.Sprintf("x-amz-decoded-content-length %q", v))
			}
			want = n
		}
		cr := newChunkedReader(body, a, want, declared)
		b.src, b.chunked = cr, cr
	case isHexSHA256(a.PayloadHash) && !a.bodyVerified:
		b.sha, b.wantSHA = sha256.New(), strings.ToLower(a.PayloadHash)
	}
	return b, nil
}

// Read reads decoded payload bytes; see Body.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.src.Read(p)
	if n > 0 {
		b.n += int64(n)
		if b.sha != nil {
			b.sha.Write(p[:n])
		}
		if b.sum != nil {
			b.sum.Write(p[:n])
		}
		if b.md5 != nil {
			b.md5.Write(p[:n])
		}
	}
	switch {
	case err == io.EOF:
		err = b.finish()
	case err != nil:
		var se *Error
		if !errors.As(err, &se) {
			err = bodyReadError(b.service, err)
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// finish runs the end-of-body checks and returns io.EOF if they pass.
func (b *Body) finish() error {
	if b.sha != nil {
		got := hex.EncodeToString(b.sha.Sum(nil))
		if got != b.wantSHA {
			return errContentSHA256(b.service, b.wantSHA, got)
		}
	}
	if b.sum != nil {
		want := b.sumWant
		if b.sumFromTr {
			want = b.chunked.trailers[b.sumAlg.Header()]
			if !b.sumAlg.validValue(want) {
				return errInvalidChecksum(b.service, fmt.Sprintf("trailer %s %q", b.sumAlg.Header(), want),
					fmt.Sprintf("Value for %s trailing header is invalid.", b.sumAlg.Header()))
			}
		}
		got := sum64(b.sum)
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return errBadDigest(b.service, fmt.Sprintf("%s: sent %s, body has %s", b.sumAlg, want, got),
				fmt.Sprintf("The %s you specified did not match the calculated checksum.", b.sumAlg))
		}
	}
	if b.md5 != nil {
		if got := b.md5.Sum(nil); subtle.ConstantTimeCompare(got, b.md5Want) != 1 {
			return errBadDigest(b.service, "Content-MD5 mismatch",
				"The Content-MD5 you specified did not match what we received.")
		}
	}
	b.verified = true
	return io.EOF
}

// Close closes the underlying request body.
func (b *Body) Close() error { return b.closer.Close() }

// Len returns the number of decoded bytes read so far.
func (b *Body) Len() int64 { return b.n }

// Verified reports whether the whole body has been read and every check
// passed.
func (b *Body) Verified() bool { return b.verified }

// Checksum returns the x-amz-checksum-* value the client sent, in a header
// or a trailer, once the body has been read to io.EOF and matched it. ok is
// false before that, or when the client sent no such checksum.
func (b *Body) Checksum() (c Checksum, ok bool) {
	if !b.verified || b.sum == nil {
		return Checksum{}, false
	}
	return Checksum{b.sumAlg, sum64(b.sum)}, true
}

// StripAWSChunked removes the aws-chunked coding from a Content-Encoding
// value, which S3 does not store with the object ("aws-chunked,gzip" →
// "gzip"; sigv4-streaming).
func StripAWSChunked(contentEncoding string) string {
	var keep []string
	for _, c := range strings.Split(contentEncoding, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !strings.EqualFold(c, "aws-chunked") {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, ",")
}
