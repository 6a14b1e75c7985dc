package s3

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keyfront"
)

// Serving object bodies. http.ServeContent does Range and conditional
// requests by RFC 9110 and is what STYLE.md asks for; keyfront does the
// same evaluation itself (in the same order, with the same outcomes)
// because S3 differs where clients can see it: a failed precondition or an
// unsatisfiable range is an XML error (PreconditionFailed with the
// <Condition>, InvalidRange with <ActualObjectSize>), a request for several
// ranges gets the whole object rather than multipart/byteranges, and a
// missing Content-Type is binary/octet-stream, not sniffed. The body is
// then copied with io.CopyN from the file, which net/http turns into
// sendfile(2).

// conditionHeaders are the four conditional request headers, or their
// x-amz-copy-source-* counterparts.
type conditionHeaders struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
}

// evalConditions evaluates preconditions in the order of RFC 9110 §13.2.2,
// which S3 follows (GetObject: If-Match true and If-Unmodified-Since false
// gives 200; If-None-Match false and If-Modified-Since true gives 304). It
// returns 0 when the request proceeds, or 412 or 304 and the header that
// decided.
func evalConditions(c conditionHeaders, etag string, modified time.Time) (status int, header string) {
	modified = modified.Truncate(time.Second) // HTTP dates have whole seconds
	if c.ifMatch != "" {
		if !etagListMatch(c.ifMatch, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if c.ifUnmodifiedSince != "" {
		if t, err := http.ParseTime(c.ifUnmodifiedSince); err == nil && modified.After(t) {
			return http.StatusPreconditionFailed, "If-Unmodified-Since"
		}
	}
	if c.ifNoneMatch != "" {
		if etagListMatch(c.ifNoneMatch, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if c.ifModifiedSince != "" {
		if t, err := http.ParseTime(c.ifModifiedSince); err == nil && !modified.After(t) {
			return http.StatusNotModified, "If-Modified-Since"
		}
	}
	return 0, ""
}

// etagListMatch reports whether a comma-separated list of entity tags
// (quoted or not, weak or strong) names etag, or is "*".
func etagListMatch(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || unquoteETag(t) == etag {
			return true
		}
	}
	return false
}

// byteRange is the part of a body a response carries.
type byteRange struct {
	start, length int64
	partial       bool // a 206 with Content-Range
}

// errUnsatisfiable is parseRange's answer for a range outside the body.
var errUnsatisfiable = fmt.Errorf("range not satisfiable")

// parseRange interprets a Range header for a body of size bytes (RFC 9110
// §14.1.2): "bytes=first-last", "bytes=first-" and the suffix
// "bytes=-length". Anything it does not understand, several ranges
// included, is ignored as S3 ignores it: the whole body. A range that
// starts at or beyond the end, or a zero-length suffix, is
// errUnsatisfiable.
func parseRange(spec string, size int64) (byteRange, error) {
	full := byteRange{start: 0, length: size}
	rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "bytes=")
	if !ok || strings.Contains(rest, ",") {
		return full, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(rest), "-")
	if !ok {
		return full, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return full, nil
		}
		if n == 0 || size == 0 {
			return full, errUnsatisfiable
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n, partial: true}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return full, nil
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return full, nil
		}
	}
	if start >= size {
		return full, errUnsatisfiable
	}
	end = min(end, size-1)
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}

// partRange is the part of an object GetObject's partNumber selects: one
// part of a multipart object (206), or the whole of an object put in one
// piece, which is its part 1 (200).
func partRange(o *keyfront.Object, v string, withRange bool) (byteRange, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxParts {
		return byteRange{}, invalidArgument("partNumber", v, msgPartNumber)
	}
	if withRange {
		return byteRange{}, errorf("InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	}
	count := max(len(o.PartSizes), 1)
	if n > count {
		return byteRange{}, errorf("InvalidPartNumber", "The requested partnumber is not satisfiable").
			with("PartNumberRequested", v).with("ActualPartCount", strconv.Itoa(count))
	}
	if len(o.PartSizes) == 0 {
		return byteRange{length: o.Size}, nil
	}
	var start int64
	for _, s := range o.PartSizes[:n-1] {
		start += s
	}
	return byteRange{start: start, length: o.PartSizes[n-1], partial: true}, nil
}

// ifRangeHolds reports whether an If-Range header lets the Range apply:
// it names the current ETag, or the exact Last-Modified date.
func ifRangeHolds(v, etag string, modified time.Time) bool {
	if v == "" {
		return true
	}
	if t, err := http.ParseTime(v); err == nil {
		return modified.Truncate(time.Second).Equal(t)
	}
	return !strings.HasPrefix(strings.TrimSpace(v), "W/") && unquoteETag(v) == etag
}

// serveObject answers GetObject or HeadObject for o, whose body is f.
func (s *Server) serveObject(w http.ResponseWriter, q *request, o *keyfront.Object, f io.ReadSeeker, head bool) error {
	h := w.Header()
	etag := quoteETag(o.ETag)
	r := q.r
	status, cond := evalConditions(conditionHeaders{
		ifMatch:           r.Header.Get("If-Match"),
		ifNoneMatch:       r.Header.Get("If-None-Match"),
		ifModifiedSince:   r.Header.Get("If-Modified-Since"),
		ifUnmodifiedSince: r.Header.Get("If-Unmodified-Since"),
	}, o.ETag, o.LastModified)
	switch status {
	case http.StatusPreconditionFailed:
		return errorf("PreconditionFailed", msgPreconditionFailed).with("Condition", cond)
	case http.StatusNotModified:
		h.Set("ETag", etag)
		h.Set("Last-Modified", lastModifiedHTTP(o.LastModified))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}

	rng := byteRange{length: o.Size}
	if v := q.query.Get("partNumber"); v != "" {
		var err error
		if rng, err = partRange(o, v, r.Header.Get("Range") != ""); err != nil {
			return err
		}
		if len(o.PartSizes) > 0 {
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(o.PartSizes)))
		}
	} else if spec := r.Header.Get("Range"); spec != "" && ifRangeHolds(r.Header.Get("If-Range"), o.ETag, o.LastModified) {
		var err error
		if rng, err = parseRange(spec, o.Size); err != nil {
			return errorf("InvalidRange", msgInvalidRange).with("RangeRequested", spec).with("ActualObjectSize", strconv.FormatInt(o.Size, 10))
		}
	}

	setStoredHeaders(h, o)
	for _, ov := range responseOverrides {
		if v := q.query.Get(ov.param); v != "" {
			h.Set(ov.header, v)
		}
	}
	h.Set("ETag", etag)
	h.Set("Last-Modified", lastModifiedHTTP(o.LastModified))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(rng.length, 10))
	status = http.StatusOK
	if rng.partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.start+rng.length-1, o.Size))
	} else if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		// GetObject returns the checksum of the whole object only.
		setChecksumHeaders(h, o.Checksum)
	}
	w.WriteHeader(status)
	if head || rng.length == 0 {
		return nil
	}
	if rng.start > 0 {
		if _, err := f.Seek(rng.start, io.SeekStart); err != nil {
			s.log.Error("s3: seeking object body", "bucket", o.Bucket, "key", o.Key, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	if _, err := io.CopyN(w, f, rng.length); err != nil {
		// The status line is out: all that is left is to cut the
		// response short, which the client sees as a truncated body.
		s.debug(q, "s3: sending object body", "bucket", o.Bucket, "key", o.Key, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// setStoredHeaders sets the headers S3 returns from what was stored with
// the object: Content-Type (binary/octet-stream when none was given, as
// S3 does), the other standard headers, and x-amz-meta-*.
func setStoredHeaders(h http.Header, o *keyfront.Object) {
	ct := o.Headers.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	for _, kv := range []struct{ name, value string }{
		{"Content-Encoding", o.Headers.ContentEncoding},
		{"Content-Disposition", o.Headers.ContentDisposition},
		{"Content-Language", o.Headers.ContentLanguage},
		{"Cache-Control", o.Headers.CacheControl},
		{"Expires", o.Headers.Expires},
	} {
		if kv.value != "" {
			h.Set(kv.name, kv.value)
		}
	}
	for k, v := range o.Headers.Metadata {
		h["X-Amz-Meta-"+k] = []string{v}
	}
}
