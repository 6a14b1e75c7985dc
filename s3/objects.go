package s3

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"keyfront"
	"keyfront/sigv4"
)

// body is a request payload whose integrity headers are checked as it is
// read: a *sigv4.Body for signed requests, an *anonymousBody otherwise.
type body interface {
	io.ReadCloser
	// Checksum returns the verified x-amz-checksum-* value, once the body
	// has been read to io.EOF.
	Checksum() (sigv4.Checksum, bool)
}

// requestBody returns the request's payload. For a signed request it is
// sigv4's verifying reader (payload hash, aws-chunked chunk signatures,
// checksums, Content-MD5); for an anonymous one, a reader that checks
// Content-MD5 and an x-amz-checksum-* header. Either returns io.EOF only
// once every check has passed.
func (s *Server) requestBody(q *request, opts ...sigv4.BodyOption) (body, error) {
	if q.auth != nil {
		b, err := q.auth.Body(q.r.Body, opts...)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return newAnonymousBody(q.r)
}

// anonymousBody checks Content-MD5 and one x-amz-checksum-* header of an
// unsigned request's body (S3 User Guide, checking-object-integrity).
// aws-chunked bodies must be signed.
type anonymousBody struct {
	r       io.ReadCloser
	md5     hash.Hash
	md5Want []byte
	sum     hash.Hash
	alg     sigv4.ChecksumAlgorithm
	sumWant string
	done    bool
}

var checksumAlgorithms = []sigv4.ChecksumAlgorithm{sigv4.ChecksumCRC32, sigv4.ChecksumCRC32C, sigv4.ChecksumCRC64NVME, sigv4.ChecksumSHA1, sigv4.ChecksumSHA256}

func newAnonymousBody(r *http.Request) (*anonymousBody, error) {
	if strings.Contains(strings.ToLower(r.Header.Get("Content-Encoding")), "aws-chunked") ||
		strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return nil, errorf("InvalidRequest", "aws-chunked uploads must be signed.")
	}
	b := &anonymousBody{r: r.Body}
	if b.r == nil {
		b.r = http.NoBody
	}
	if v := r.Header.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return nil, errorf("InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		b.md5, b.md5Want = md5.New(), want
	}
	for _, a := range checksumAlgorithms {
		if v := r.Header.Get(a.Header()); v != "" {
			if b.sum != nil {
				return nil, errorf("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			b.sum, b.alg, b.sumWant = a.New(), a, v
		}
	}
	return b, nil
}

func (b *anonymousBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		if b.md5 != nil {
			b.md5.Write(p[:n])
		}
		if b.sum != nil {
			b.sum.Write(p[:n])
		}
	}
	if err == io.EOF {
		if b.md5 != nil && subtle.ConstantTimeCompare(b.md5.Sum(nil), b.md5Want) != 1 {
			return n, errorf("BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
		if b.sum != nil && base64.StdEncoding.EncodeToString(b.sum.Sum(nil)) != b.sumWant {
			return n, errorf("BadDigest", "The %s you specified did not match the calculated checksum.", b.alg)
		}
		b.done = true
	}
	return n, err
}

func (b *anonymousBody) Close() error { return b.r.Close() }

func (b *anonymousBody) Checksum() (sigv4.Checksum, bool) {
	if !b.done || b.sum == nil {
		return sigv4.Checksum{}, false
	}
	return sigv4.Checksum{Algorithm: b.alg, Value: b.sumWant}, true
}

// objectHeaders collects what S3 stores of a PUT's headers (PutObject,
// "Request Syntax"): the standard headers, with aws-chunked removed from
// Content-Encoding, and x-amz-meta-* user metadata, at most
// MaxMetadataSize bytes of names and values.
func objectHeaders(h http.Header) (keyfront.ObjectHeaders, error) {
	oh := keyfront.ObjectHeaders{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    sigv4.StripAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	size := 0
	for name, vals := range h {
		l := strings.ToLower(name)
		meta, ok := strings.CutPrefix(l, "x-amz-meta-")
		if !ok || meta == "" {
			continue
		}
		v := strings.Join(vals, ",")
		size += len(meta) + len(v)
		if oh.Metadata == nil {
			oh.Metadata = make(map[string]string)
		}
		oh.Metadata[meta] = v
	}
	if size > MaxMetadataSize {
		return oh, errorf("MetadataTooLarge", msgMetadataTooLarge).with("Size", itoa(size)).with("MaxSizeAllowed", itoa(MaxMetadataSize))
	}
	return oh, nil
}

// declaredLength returns the payload length a request announces:
// x-amz-decoded-content-length for aws-chunked bodies, else
// Content-Length, which S3 requires (411 MissingContentLength).
func declaredLength(r *http.Request, max int64) (int64, error) {
	n := r.ContentLength
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return 0, errorf("InvalidArgument", "x-amz-decoded-content-length is not a length.")
		}
	}
	if n < 0 {
		return 0, errorf("MissingContentLength", msgMissingLength)
	}
	if n > max {
		return 0, errorf("EntityTooLarge", msgEntityTooLarge).with("ProposedSize", strconv.FormatInt(n, 10)).with("MaxSizeAllowed", strconv.FormatInt(max, 10))
	}
	return n, nil
}

// storedChecksum is the checksum of a whole body as S3 keeps it.
func storedChecksum(c sigv4.Checksum, ok bool) keyfront.Checksum {
	if !ok {
		return keyfront.Checksum{}
	}
	return keyfront.Checksum{Algorithm: string(c.Algorithm), Value: c.Value, Type: "FULL_OBJECT"}
}

// setChecksumHeaders sets x-amz-checksum-<algorithm> and
// x-amz-checksum-type for a stored checksum.
func setChecksumHeaders(h http.Header, c keyfront.Checksum) {
	if c.Algorithm == "" {
		return
	}
	h.Set(sigv4.ChecksumAlgorithm(c.Algorithm).Header(), c.Value)
	if c.Type != "" {
		h.Set("X-Amz-Checksum-Type", c.Type)
	}
}

// writeCondition is a conditional write's If-Match or If-None-Match
// (S3 User Guide, conditional-writes.html).
type writeCondition struct {
	ifMatch     string // an ETag, unquoted; "" for none
	ifNoneMatch bool   // If-None-Match: *
}

func parseWriteCondition(h http.Header) (writeCondition, error) {
	var c writeCondition
	if v := h.Get("If-None-Match"); v != "" {
		if strings.TrimSpace(v) != "*" {
			return c, errorf("NotImplemented", msgNotImplemented).with("Header", "If-None-Match")
		}
		c.ifNoneMatch = true
	}
	if v := h.Get("If-Match"); v != "" {
		c.ifMatch = unquoteETag(v)
	}
	return c, nil
}

// check tests the condition against the current object, nil if none.
func (c writeCondition) check(key string, cur *keyfront.Object) error {
	switch {
	case c.ifNoneMatch && cur != nil:
		return errorf("PreconditionFailed", msgPreconditionFailed).with("Condition", "If-None-Match")
	case c.ifMatch != "" && cur == nil:
		return noSuchKey(key)
	case c.ifMatch != "" && c.ifMatch != "*" && c.ifMatch != cur.ETag:
		return errorf("PreconditionFailed", msgPreconditionFailed).with("Condition", "If-Match")
	}
	return nil
}

// commitObject puts o in the store if cond holds, and returns the body ID
// of the object it replaced ("" if none).
func (s *Server) commitObject(q *request, o *keyfront.Object, cond writeCondition) (replaced string, err error) {
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		replaced = ""
		cur, err := tx.GetObject(q.ctx(), o.Bucket, o.Key)
		switch keyfront.ErrorCode(err) {
		case "":
			replaced = cur.BodyID
		case keyfront.ENOTFOUND:
			cur = nil
		default:
			return err
		}
		if err := cond.check(o.Key, cur); err != nil {
			return err
		}
		err = tx.PutObject(q.ctx(), o)
		return notFound(err, func() *apiError { return noSuchBucket(o.Bucket) })
	})
	return replaced, err
}

// handleObjectPut is PutObject (PUT /<bucket>/<key>). The body streams to
// a new body file; the object appears, replacing any other of its key,
// only once the whole body has arrived and verified.
func (s *Server) handleObjectPut(w http.ResponseWriter, q *request) error {
	if err := checkKey(q.key); err != nil {
		return err
	}
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutObject", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	hdrs, err := objectHeaders(q.r.Header)
	if err != nil {
		return err
	}
	if _, err := declaredLength(q.r, MaxObjectSize); err != nil {
		return err
	}
	cond, err := parseWriteCondition(q.r.Header)
	if err != nil {
		return err
	}
	body, err := s.requestBody(q)
	if err != nil {
		return err
	}
	defer body.Close()
	nb, err := s.bodies.write(body, MaxObjectSize, false)
	if err != nil {
		return err
	}
	o := &keyfront.Object{
		Bucket: q.bucket, Key: q.key, BodyID: nb.ID, Size: nb.Size, ETag: hex.EncodeToString(nb.MD5),
		LastModified: s.nowMilli(), Headers: hdrs, Checksum: storedChecksum(body.Checksum()),
	}
	replaced, err := s.commitObject(q, o, cond)
	if err != nil {
		s.discard(nb)
		return err
	}
	s.bodies.release(nb.ID)
	if replaced != "" {
		s.bodies.remove(replaced)
	}
	h := w.Header()
	h.Set("ETag", quoteETag(o.ETag))
	setChecksumHeaders(h, o.Checksum)
	w.WriteHeader(http.StatusOK)
	return nil
}

// handleObjectGet is GetObject (GET /<bucket>/<key>).
func (s *Server) handleObjectGet(w http.ResponseWriter, q *request) error {
	return s.getObject(w, q, false)
}

// handleObjectHead is HeadObject (HEAD /<bucket>/<key>), authorized as
// s3:GetObject like GetObject.
func (s *Server) handleObjectHead(w http.ResponseWriter, q *request) error {
	return s.getObject(w, q, true)
}

// responseOverrides maps GetObject's response-* query parameters to the
// headers they set.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// openAttempts bounds how often getObject re-reads an object's record
// whose body vanished between the read and the open (an overwrite or
// delete committed in between).
const openAttempts = 3

// loadObject reads the bucket and the object (nil when there is none) in
// one transaction.
func (s *Server) loadObject(q *request, bucket, key string) (*keyfront.Bucket, *keyfront.Object, error) {
	var b *keyfront.Bucket
	var o *keyfront.Object
	err := s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		if b, err = getBucket(q.ctx(), tx, bucket); err != nil {
			return err
		}
		o, err = tx.GetObject(q.ctx(), bucket, key)
		if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
			o, err = nil, nil
		}
		return err
	})
	return b, o, err
}

// missingObject is the error for a key with no object: 404 NoSuchKey to
// callers who may list the bucket, 403 AccessDenied to the others, so that
// they learn nothing of which keys exist (GetObject, "Permissions").
func (s *Server) missingObject(q *request, b *keyfront.Bucket, key string) error {
	if q.owner || s.allowed(q, b, "s3:ListBucket", bucketARN(b.Name), nil) {
		return noSuchKey(key)
	}
	return accessDenied()
}

// openObject loads an object the request may read and opens its body,
// retrying when the body was replaced in between.
func (s *Server) openObject(q *request, bucket, key, action string) (*keyfront.Object, readSeekCloser, error) {
	for range openAttempts {
		b, o, err := s.loadObject(q, bucket, key)
		if err != nil {
			return nil, nil, err
		}
		if err := s.authorize(q, b, action, objectARN(bucket, key), nil); err != nil {
			return nil, nil, err
		}
		if o == nil {
			return nil, nil, s.missingObject(q, b, key)
		}
		f, err := s.bodies.open(o.BodyID)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return o, f, nil
	}
	return nil, nil, internalError(fmt.Errorf("s3: body of %s/%s kept vanishing", bucket, key))
}

type readSeekCloser interface {
	io.ReadSeeker
	io.Closer
}

func (s *Server) getObject(w http.ResponseWriter, q *request, head bool) error {
	if err := checkKey(q.key); err != nil {
		return err
	}
	// GetObject: the response-* parameters "cannot be used with an
	// unsigned (anonymous) request".
	for _, o := range responseOverrides {
		if q.query.Has(o.param) && q.auth == nil {
			return errorf("InvalidRequest", msgAnonymousOverrides)
		}
	}
	o, f, err := s.openObject(q, q.bucket, q.key, "s3:GetObject")
	if err != nil {
		return err
	}
	defer f.Close()
	return s.serveObject(w, q, o, f, head)
}

// handleObjectDelete is DeleteObject (DELETE /<bucket>/<key>): 204 whether
// or not there was an object.
func (s *Server) handleObjectDelete(w http.ResponseWriter, q *request) error {
	if err := checkKey(q.key); err != nil {
		return err
	}
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:DeleteObject", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	removed, err := s.deleteObjects(q, []string{q.key})
	if err != nil {
		return err
	}
	s.bodies.remove(removed...)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObjects deletes keys of q.bucket in one transaction and returns
// the bodies to remove once it has committed.
func (s *Server) deleteObjects(q *request, keys []string) (bodies []string, err error) {
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		bodies = bodies[:0]
		if _, err := getBucket(q.ctx(), tx, q.bucket); err != nil {
			return err
		}
		for _, key := range keys {
			o, err := tx.GetObject(q.ctx(), q.bucket, key)
			switch keyfront.ErrorCode(err) {
			case keyfront.ENOTFOUND:
				continue
			case "":
			default:
				return err
			}
			if err := tx.DeleteObject(q.ctx(), q.bucket, key); err != nil {
				return err
			}
			bodies = append(bodies, o.BodyID)
		}
		return nil
	})
	return bodies, err
}

// handleObjectDeleteMany is DeleteObjects (POST /<bucket>?delete): up to
// 1,000 keys, each authorized as s3:DeleteObject on its own; the refused
// ones are reported as errors in the result, the others deleted together.
// Quiet leaves the deleted keys out of the result.
func (s *Server) handleObjectDeleteMany(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	body, err := s.requestBody(q)
	if err != nil {
		return err
	}
	defer body.Close()
	in, err := readDeleteRequest(body)
	if err != nil {
		return err
	}
	out := deleteResult{Xmlns: xmlNamespace}
	var keys []string
	for _, o := range in.Objects {
		if err := checkKey(o.Key); err != nil || o.Key == "" {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: "InvalidArgument", Message: "Invalid key."})
			continue
		}
		if !q.owner && !s.allowed(q, b, "s3:DeleteObject", objectARN(b.Name, o.Key), nil) {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: "AccessDenied", Message: msgAccessDenied})
			continue
		}
		keys = append(keys, o.Key)
	}
	removed, err := s.deleteObjects(q, keys)
	if err != nil {
		return err
	}
	s.bodies.remove(removed...)
	if !in.Quiet {
		for _, k := range keys {
			out.Deleted = append(out.Deleted, deletedObject{Key: k})
		}
	}
	return writeXML(w, out)
}

// copySource parses x-amz-copy-source: "<bucket>/<key>" or
// "/<bucket>/<key>", URL-encoded, optionally with "?versionId=null"
// (CopyObject, "Request Syntax"). keyfront keeps no versions.
func copySource(v string) (bucket, key string, err error) {
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		vals, _ := url.ParseQuery(query)
		if id := vals.Get("versionId"); id != "" && id != "null" {
			return "", "", errorf("NoSuchVersion", "The specified version does not exist.")
		}
	}
	path, err = url.PathUnescape(path)
	if err != nil {
		return "", "", invalidArgument("x-amz-copy-source", v, "Invalid copy source encoding.")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", invalidArgument("x-amz-copy-source", v, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	if err := checkKey(key); err != nil {
		return "", "", err
	}
	return bucket, key, nil
}

// checkCopyConditions applies x-amz-copy-source-if-match,
// -if-none-match, -if-unmodified-since and -if-modified-since to the
// source (CopyObject): a failure is 412 PreconditionFailed.
func checkCopyConditions(h http.Header, src *keyfront.Object) error {
	status, cond := evalConditions(conditionHeaders{
		ifMatch:           h.Get("X-Amz-Copy-Source-If-Match"),
		ifNoneMatch:       h.Get("X-Amz-Copy-Source-If-None-Match"),
		ifModifiedSince:   h.Get("X-Amz-Copy-Source-If-Modified-Since"),
		ifUnmodifiedSince: h.Get("X-Amz-Copy-Source-If-Unmodified-Since"),
	}, src.ETag, src.LastModified)
	if status != 0 {
		return errorf("PreconditionFailed", msgPreconditionFailed).with("Condition", "x-amz-copy-source-"+strings.ToLower(cond))
	}
	return nil
}

// copyChecksum is what CopyObject and UploadPartCopy compute while they
// copy: the algorithm the request asks for (x-amz-checksum-algorithm), if
// any.
func copyChecksum(h http.Header) (sigv4.ChecksumAlgorithm, hash.Hash, error) {
	v := strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm"))
	if v == "" {
		return "", nil, nil
	}
	alg := sigv4.ChecksumAlgorithm(v)
	hh := alg.New()
	if hh == nil {
		return "", nil, invalidArgument("x-amz-checksum-algorithm", v, "Checksum algorithm provided is unsupported.")
	}
	return alg, hh, nil
}

// handleObjectCopy is CopyObject (PUT /<bucket>/<key> with
// x-amz-copy-source), authorized as s3:GetObject on the source and
// s3:PutObject on the destination. x-amz-metadata-directive COPY (the
// default) keeps the source's headers and metadata, REPLACE takes the
// request's. The copy is a new body file; the result is a single-part
// object with the MD5 of its bytes as ETag.
func (s *Server) handleObjectCopy(w http.ResponseWriter, q *request) error {
	if err := checkKey(q.key); err != nil {
		return err
	}
	srcBucket, srcKey, err := copySource(q.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	directive := strings.ToUpper(q.r.Header.Get("X-Amz-Metadata-Directive"))
	switch directive {
	case "", "COPY", "REPLACE":
	default:
		return invalidArgument("x-amz-metadata-directive", directive, "Unknown metadata directive.")
	}
	if srcBucket == q.bucket && srcKey == q.key && directive != "REPLACE" {
		return errorf("InvalidRequest", msgCopySelf)
	}
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutObject", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	alg, sum, err := copyChecksum(q.r.Header)
	if err != nil {
		return err
	}
	cond, err := parseWriteCondition(q.r.Header)
	if err != nil {
		return err
	}
	src, f, err := s.openObject(q, srcBucket, srcKey, "s3:GetObject")
	if err != nil {
		return err
	}
	defer f.Close()
	if err := checkCopyConditions(q.r.Header, src); err != nil {
		return err
	}
	if src.Size > MaxObjectSize {
		return errorf("InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: %d", int64(MaxObjectSize))
	}
	hdrs := src.Headers
	if directive == "REPLACE" {
		if hdrs, err = objectHeaders(q.r.Header); err != nil {
			return err
		}
	}
	var hashes []hash.Hash
	if sum != nil {
		hashes = append(hashes, sum)
	}
	nb, err := s.bodies.write(ctxReader{q.ctx(), f}, MaxObjectSize, false, hashes...)
	if err != nil {
		return err
	}
	o := &keyfront.Object{
		Bucket: q.bucket, Key: q.key, BodyID: nb.ID, Size: nb.Size, ETag: hex.EncodeToString(nb.MD5),
		LastModified: s.nowMilli(), Headers: hdrs,
	}
	switch {
	case sum != nil:
		o.Checksum = keyfront.Checksum{Algorithm: string(alg), Value: base64.StdEncoding.EncodeToString(sum.Sum(nil)), Type: "FULL_OBJECT"}
	case src.Checksum.Type == "FULL_OBJECT":
		o.Checksum = src.Checksum // the same bytes
	}
	replaced, err := s.commitObject(q, o, cond)
	if err != nil {
		s.discard(nb)
		return err
	}
	s.bodies.release(nb.ID)
	if replaced != "" {
		s.bodies.remove(replaced)
	}
	res := copyObjectResult{Xmlns: xmlNamespace, ETag: quoteETag(o.ETag), LastModified: xmlTime(o.LastModified),
		ChecksumType: o.Checksum.Type, checksumXML: newChecksumXML(o.Checksum)}
	return writeXML(w, res)
}

// lastModifiedHTTP is an object's Last-Modified header value; HTTP dates
// have whole seconds.
func lastModifiedHTTP(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
