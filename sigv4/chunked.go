package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
)

// This file decodes the aws-chunked content coding:
//
//	<hex size>;chunk-signature=<sig>\r\n<data>\r\n      (signed)
//	<hex size>\r\n<data>\r\n                            (unsigned)
//	...
//	0;chunk-signature=<sig>\r\n                         (final chunk)
//	[x-amz-checksum-crc32:<base64>\r\n                  (trailers)
//	 x-amz-trailer-signature:<sig>\r\n]                 (signed trailers)
//	\r\n
//
// Each chunk signature signs
//
//	AWS4-HMAC-SHA256-PAYLOAD\n<X-Amz-Date>\n<scope>\n<previous signature>\n
//	<hex SHA-256 of "">\n<hex SHA-256 of the chunk data>
//
// starting from the seed signature of the Authorization header (S3 API
// Reference, sigv4-streaming), and the trailer signature signs
//
//	AWS4-HMAC-SHA256-TRAILER\n<X-Amz-Date>\n<scope>\n<final chunk signature>\n
//	<hex SHA-256 of the trailing headers, each "name:value\n">
//
// (sigv4-streaming-trailers). The unsigned form is what the AWS SDKs send
// with STREAMING-UNSIGNED-PAYLOAD-TRAILER (aws-sdk-go-v2
// service/internal/checksum, aws_chunked_encoding.go).

const (
	// maxChunkLine bounds a chunk header or trailer line, keeping memory
	// constant: a signed header line is under 100 bytes.
	maxChunkLine = 4096
	// maxTrailers bounds the number of trailing header lines.
	maxTrailers = 16

	chunkStringPrefix   = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerStringPrefix = "AWS4-HMAC-SHA256-TRAILER"
	trailerSignatureKey = "x-amz-trailer-signature"
)

type chunkState uint8

const (
	stChunkHeader chunkState = iota
	stChunkData
	stDone
)

// chunkedReader decodes an aws-chunked body and checks its signatures. It
// returns io.EOF once the final chunk and the trailers have been read and
// verified.
type chunkedReader struct {
	br      *bufio.Reader
	service string
	signed  bool // chunk and trailer signatures present
	trailer bool // trailing headers follow the final chunk

	key     []byte
	amzDate string
	scope   string
	prev    string // previous signature, hex

	state     chunkState
	chunkLeft int64
	chunkSig  string
	chunkHash hash.Hash

	decoded int64
	want    int64 // x-amz-decoded-content-length, or -1

	declared []string          // trailer names from x-amz-trailer, lower case
	trailers map[string]string // trailing headers received, lower-case names
	err      error
}

func newChunkedReader(body io.Reader, a *Auth, want int64, declared []string) *chunkedReader {
	c := &chunkedReader{
		br:       bufio.NewReaderSize(body, maxChunkLine),
		service:  a.Service,
		signed:   a.PayloadHash == StreamingPayload || a.PayloadHash == StreamingPayloadTrailer,
		trailer:  a.PayloadHash == StreamingPayloadTrailer || a.PayloadHash == StreamingUnsignedPayloadTrailer,
		key:      a.key,
		amzDate:  a.amzDate,
		scope:    a.scope,
		prev:     a.Signature,
		want:     want,
		declared: declared,
		trailers: map[string]string{},
	}
	if c.signed {
		c.chunkHash = sha256.New()
	}
	return c
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for {
		switch c.state {
		case stDone:
			return 0, io.EOF
		case stChunkHeader:
			final, err := c.readChunkHeader()
			if err != nil {
				return 0, c.fail(err)
			}
			if final {
				if err := c.finish(); err != nil {
					return 0, c.fail(err)
				}
				c.state = stDone
				return 0, io.EOF
			}
			c.state = stChunkData
		case stChunkData:
			if len(p) == 0 {
				return 0, nil
			}
			if int64(len(p)) > c.chunkLeft {
				p = p[:c.chunkLeft]
			}
			n, err := c.br.Read(p)
			c.chunkLeft -= int64(n)
			c.decoded += int64(n)
			if c.chunkHash != nil {
				c.chunkHash.Write(p[:n])
			}
			if c.want >= 0 && c.decoded > c.want {
				return n, c.fail(errIncomplete(c.service, fmt.Sprintf("more than x-amz-decoded-content-length %d bytes", c.want)))
			}
			if c.chunkLeft == 0 {
				if err := c.endChunk(); err != nil {
					return n, c.fail(err)
				}
				c.state = stChunkHeader
				return n, nil
			}
			if err == io.EOF {
				return n, c.fail(errIncomplete(c.service, "body ends inside a chunk"))
			}
			if err != nil {
				return n, c.fail(err)
			}
			return n, nil
		}
	}
}

func (c *chunkedReader) fail(err error) error {
	c.err = err
	return err
}

// readLine returns one line without its CRLF. A line longer than
// maxChunkLine or a body that ends before the line does is an error. atEOF
// is true when the body ended cleanly before any byte of the line.
func (c *chunkedReader) readLine() (line string, atEOF bool, err error) {
	b, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(b) == 0:
		return "", true, nil
	case err == bufio.ErrBufferFull:
		return "", false, errIncomplete(c.service, "aws-chunked line too long")
	case err == io.EOF:
		return "", false, errIncomplete(c.service, "body ends inside an aws-chunked line")
	case err != nil:
		return "", false, err
	}
	b = bytes.TrimSuffix(b[:len(b)-1], []byte{'\r'})
	return string(b), false, nil
}

// readChunkHeader reads "<hex size>[;chunk-signature=<sig>]" and reports
// whether it is the final, zero-length chunk.
func (c *chunkedReader) readChunkHeader() (final bool, err error) {
	line, atEOF, err := c.readLine()
	if err != nil {
		return false, err
	}
	if atEOF {
		return false, errIncomplete(c.service, "body ends before the final chunk")
	}
	sizeStr, ext, hasExt := strings.Cut(line, ";")
	if sizeStr == "" || len(sizeStr) > 16 {
		return false, errIncomplete(c.service, fmt.Sprintf("bad chunk size %q", sizeStr))
	}
	size, err := strconv.ParseUint(sizeStr, 16, 63)
	if err != nil {
		return false, errIncomplete(c.service, fmt.Sprintf("bad chunk size %q", sizeStr))
	}
	if c.signed {
		sig, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !hasExt || !ok || sig == "" {
			return false, errChunkSignature(c.service, fmt.Sprintf("chunk header %q has no chunk-signature", line))
		}
		c.chunkSig = sig
		c.chunkHash.Reset()
	}
	c.chunkLeft = int64(size)
	if size == 0 {
		// The final chunk's signature covers empty data.
		if err := c.verifyChunk(); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *chunkedReader) endChunk() error {
	line, atEOF, err := c.readLine()
	if err != nil {
		return err
	}
	if atEOF || line != "" {
		return errIncomplete(c.service, "chunk data is not followed by CRLF")
	}
	return c.verifyChunk()
}

func (c *chunkedReader) verifyChunk() error {
	if !c.signed {
		return nil
	}
	sts := chunkStringPrefix + "\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev + "\n" +
		EmptySHA256 + "\n" + hex.EncodeToString(c.chunkHash.Sum(nil))
	sig := hex.EncodeToString(hmacSHA256(c.key, sts))
	if !hmac.Equal([]byte(sig), []byte(c.chunkSig)) {
		return errChunkSignature(c.service, fmt.Sprintf("chunk ending at decoded byte %d: signature does not match", c.decoded))
	}
	c.prev = sig
	return nil
}

// finish reads what follows the final chunk: nothing but a CRLF, or the
// trailing headers, then checks trailers and the decoded length.
func (c *chunkedReader) finish() error {
	if !c.trailer {
		// The final CRLF may be missing; the final chunk's signature has
		// already sealed the payload.
		line, atEOF, err := c.readLine()
		if err != nil {
			return err
		}
		if !atEOF && line != "" {
			return errIncomplete(c.service, "data after the final chunk")
		}
	} else if err := c.readTrailers(); err != nil {
		return err
	}
	if c.want >= 0 && c.decoded != c.want {
		return errIncomplete(c.service, fmt.Sprintf("decoded %d bytes, x-amz-decoded-content-length is %d", c.decoded, c.want))
	}
	return nil
}

// readTrailers reads "name:value" lines up to an empty line or the end of
// the body. One empty line straight after the final chunk is tolerated,
// since some clients put the CRLF that ends a chunk there too.
func (c *chunkedReader) readTrailers() error {
	var sig string
	lines := 0
	for {
		line, atEOF, err := c.readLine()
		if err != nil {
			return err
		}
		if atEOF {
			break
		}
		if line == "" {
			if lines == 0 && len(c.trailers) == 0 && sig == "" {
				lines++
				continue
			}
			break
		}
		lines++
		if lines > maxTrailers {
			return errTrailer(c.service, "too many trailing headers")
		}
		if sig != "" {
			return errTrailer(c.service, "trailing header after x-amz-trailer-signature")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return errTrailer(c.service, fmt.Sprintf("trailing line %q has no ':'", line))
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if name == trailerSignatureKey {
			if !c.signed {
				return errTrailer(c.service, "x-amz-trailer-signature in an unsigned payload")
			}
			if value == "" {
				return errChunkSignature(c.service, "empty x-amz-trailer-signature")
			}
			sig = value
			continue
		}
		if !c.isDeclared(name) {
			return errTrailer(c.service, fmt.Sprintf("trailing header %q not declared in x-amz-trailer", name))
		}
		if _, dup := c.trailers[name]; dup {
			return errTrailer(c.service, fmt.Sprintf("trailing header %q repeated", name))
		}
		c.trailers[name] = value
	}
	for _, name := range c.declared {
		if _, ok := c.trailers[name]; !ok {
			return errTrailer(c.service, fmt.Sprintf("declared trailing header %q missing", name))
		}
	}
	if !c.signed {
		return nil
	}
	if sig == "" {
		return errChunkSignature(c.service, "no x-amz-trailer-signature")
	}
	return c.verifyTrailer(sig)
}

func (c *chunkedReader) isDeclared(name string) bool {
	for _, d := range c.declared {
		if d == name {
			return true
		}
	}
	return false
}

// verifyTrailer checks the trailer signature, chained from the final
// chunk's. The trailing headers are hashed as "name:value\n" each, sorted
// by name.
func (c *chunkedReader) verifyTrailer(sig string) error {
	names := make([]string, 0, len(c.trailers))
	for n := range c.trailers {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		io.WriteString(h, n+":"+c.trailers[n]+"\n")
	}
	sts := trailerStringPrefix + "\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev + "\n" + hex.EncodeToString(h.Sum(nil))
	want := hex.EncodeToString(hmacSHA256(c.key, sts))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errChunkSignature(c.service, "trailer signature does not match")
	}
	return nil
}
