package s3

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keyfront"
	"keyfront/sigv4"
)

// Multipart upload (S3 User Guide, mpuoverview.html): each part is a body
// file of its own, recorded as a keyfront.Part; CompleteMultipartUpload
// concatenates the listed parts into one new body, then, in one store
// transaction, puts the object and deletes the upload with its parts.

// newUploadID returns an upload ID that sorts after those made before it:
// the creation time in hex nanoseconds, then 64 random bits.
func newUploadID(now time.Time) string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%016x", uint64(now.UnixNano())) + hex.EncodeToString(b[:])
}

// multipartETag is S3's ETag of a multipart object: the MD5 of the
// concatenated binary MD5s of the parts, "-", and the number of parts.
func multipartETag(parts []*keyfront.Part) (string, error) {
	h := md5.New()
	for _, p := range parts {
		b, err := hex.DecodeString(p.ETag)
		if err != nil {
			return "", fmt.Errorf("part %d has ETag %q: %w", p.Number, p.ETag, err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type
// of CreateMultipartUpload. The type defaults to COMPOSITE, except for
// CRC64NVME, which has only FULL_OBJECT; the SHA algorithms have only
// COMPOSITE (S3 User Guide, checking-object-integrity, "Using part-level
// checksums for multipart uploads").
func uploadChecksum(h http.Header) (alg sigv4.ChecksumAlgorithm, typ string, err error) {
	v := strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm"))
	typ = strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if v == "" {
		if typ != "" {
			return "", "", invalidArgument("x-amz-checksum-type", typ, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	alg = sigv4.ChecksumAlgorithm(v)
	if alg.New() == nil {
		return "", "", invalidArgument("x-amz-checksum-algorithm", v, "Checksum algorithm provided is unsupported.")
	}
	switch {
	case typ == "" && alg == sigv4.ChecksumCRC64NVME:
		typ = "FULL_OBJECT"
	case typ == "":
		typ = "COMPOSITE"
	case typ != "FULL_OBJECT" && typ != "COMPOSITE":
		return "", "", invalidArgument("x-amz-checksum-type", typ, "Value for x-amz-checksum-type header is invalid.")
	case typ == "FULL_OBJECT" && (alg == sigv4.ChecksumSHA1 || alg == sigv4.ChecksumSHA256),
		typ == "COMPOSITE" && alg == sigv4.ChecksumCRC64NVME:
		return "", "", errorf("InvalidRequest", "The %s checksum type cannot be used with the %s checksum algorithm.", typ, alg)
	}
	return alg, typ, nil
}

// handleUploadCreate is CreateMultipartUpload (POST
// /<bucket>/<key>?uploads), authorized as s3:PutObject.
func (s *Server) handleUploadCreate(w http.ResponseWriter, q *request) error {
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
	alg, typ, err := uploadChecksum(q.r.Header)
	if err != nil {
		return err
	}
	now := s.nowMilli()
	u := &keyfront.Upload{ID: newUploadID(s.now()), Bucket: q.bucket, Key: q.key, Initiated: now,
		Headers: hdrs, ChecksumAlgorithm: string(alg), ChecksumType: typ}
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		return notFound(tx.PutUpload(q.ctx(), u), func() *apiError { return noSuchBucket(q.bucket) })
	})
	if err != nil {
		return err
	}
	if alg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", string(alg))
		w.Header().Set("X-Amz-Checksum-Type", typ)
	}
	return writeXML(w, initiateMultipartUploadResult{Xmlns: xmlNamespace, Bucket: q.bucket, Key: q.key, UploadID: u.ID})
}

// getUpload returns the upload named by the request's uploadId if it is
// one of the request's bucket and key, or NoSuchUpload.
func getUpload(q *request, tx keyfront.ObjectTx) (*keyfront.Upload, error) {
	id := q.query.Get("uploadId")
	u, err := tx.GetUpload(q.ctx(), id)
	if err != nil {
		return nil, notFound(err, func() *apiError { return noSuchUpload(id) })
	}
	if u.Bucket != q.bucket || u.Key != q.key {
		return nil, noSuchUpload(id)
	}
	return u, nil
}

// loadUpload reads the bucket and the upload in one transaction.
func (s *Server) loadUpload(q *request) (*keyfront.Bucket, *keyfront.Upload, error) {
	var b *keyfront.Bucket
	var u *keyfront.Upload
	err := s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		if b, err = getBucket(q.ctx(), tx, q.bucket); err != nil {
			return err
		}
		u, err = getUpload(q, tx)
		return err
	})
	return b, u, err
}

// partNumber reads the partNumber parameter: 1 to 10,000.
func partNumber(q *request) (int, error) {
	v := q.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxParts {
		return 0, invalidArgument("partNumber", v, msgPartNumber)
	}
	return n, nil
}

// commitPart records a part and returns the body of the part it replaced.
func (s *Server) commitPart(q *request, p *keyfront.Part) (replaced string, err error) {
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		replaced = ""
		if _, err := getUpload(q, tx); err != nil {
			return err
		}
		old, err := tx.GetPart(q.ctx(), p.UploadID, p.Number)
		switch keyfront.ErrorCode(err) {
		case "":
			replaced = old.BodyID
		case keyfront.ENOTFOUND:
		default:
			return err
		}
		return tx.PutPart(q.ctx(), p)
	})
	return replaced, err
}

// partChecksum settles the checksum of a part: the one the client sent
// and the body verified, if any, which must be of the upload's algorithm;
// otherwise the one computed while writing (computed is nil when the
// upload has no algorithm).
func partChecksum(u *keyfront.Upload, sent sigv4.Checksum, ok bool, computed hash.Hash) (keyfront.Checksum, error) {
	if ok && u.ChecksumAlgorithm != "" && string(sent.Algorithm) != u.ChecksumAlgorithm {
		return keyfront.Checksum{}, errorf("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(u.ChecksumAlgorithm), strings.ToLower(string(sent.Algorithm)))
	}
	switch {
	case computed != nil:
		return keyfront.Checksum{Algorithm: u.ChecksumAlgorithm, Value: base64.StdEncoding.EncodeToString(computed.Sum(nil)), Type: u.ChecksumType}, nil
	case ok:
		return keyfront.Checksum{Algorithm: string(sent.Algorithm), Value: sent.Value}, nil
	}
	return keyfront.Checksum{}, nil
}

// handlePartUpload is UploadPart (PUT
// /<bucket>/<key>?partNumber=N&uploadId=ID), authorized as s3:PutObject.
// Uploading a part number again replaces the part.
func (s *Server) handlePartUpload(w http.ResponseWriter, q *request) error {
	n, err := partNumber(q)
	if err != nil {
		return err
	}
	b, u, err := s.loadUpload(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutObject", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	if _, err := declaredLength(q.r, MaxObjectSize); err != nil {
		return err
	}
	body, err := s.requestBody(q)
	if err != nil {
		return err
	}
	defer body.Close()
	var computed hash.Hash
	var hashes []hash.Hash
	if u.ChecksumAlgorithm != "" {
		computed = sigv4.ChecksumAlgorithm(u.ChecksumAlgorithm).New()
		hashes = append(hashes, computed)
	}
	nb, err := s.bodies.write(body, MaxObjectSize, false, hashes...)
	if err != nil {
		return err
	}
	sent, ok := body.Checksum()
	sum, err := partChecksum(u, sent, ok, computed)
	if err != nil {
		s.discard(nb)
		return err
	}
	p := &keyfront.Part{UploadID: u.ID, Number: n, BodyID: nb.ID, Size: nb.Size,
		ETag: hex.EncodeToString(nb.MD5), LastModified: s.nowMilli(), Checksum: sum}
	replaced, err := s.commitPart(q, p)
	if err != nil {
		s.discard(nb)
		return err
	}
	s.bodies.release(nb.ID)
	s.bodies.remove(replaced)
	w.Header().Set("ETag", quoteETag(p.ETag))
	if sum.Algorithm != "" {
		w.Header().Set(sigv4.ChecksumAlgorithm(sum.Algorithm).Header(), sum.Value)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// copyRange parses x-amz-copy-source-range, "bytes=first-last" (both
// required; UploadPartCopy), against a source of size bytes.
func copyRange(v string, size int64) (start, length int64, err error) {
	if v == "" {
		return 0, size, nil
	}
	bad := invalidArgument("x-amz-copy-source-range", v, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	rest, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	f, l, ok := strings.Cut(rest, "-")
	first, err1 := strconv.ParseInt(f, 10, 64)
	last, err2 := strconv.ParseInt(l, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, bad
	}
	if last >= size {
		return 0, 0, errorf("InvalidRange", msgInvalidRange).with("RangeRequested", v).with("ActualObjectSize", strconv.FormatInt(size, 10))
	}
	return first, last - first + 1, nil
}

// handlePartCopy is UploadPartCopy (PUT
// /<bucket>/<key>?partNumber=N&uploadId=ID with x-amz-copy-source and
// optionally x-amz-copy-source-range), authorized as s3:GetObject on the
// source and s3:PutObject on the upload's object.
func (s *Server) handlePartCopy(w http.ResponseWriter, q *request) error {
	n, err := partNumber(q)
	if err != nil {
		return err
	}
	srcBucket, srcKey, err := copySource(q.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	b, u, err := s.loadUpload(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutObject", objectARN(q.bucket, q.key), nil); err != nil {
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
	start, length, err := copyRange(q.r.Header.Get("X-Amz-Copy-Source-Range"), src.Size)
	if err != nil {
		return err
	}
	if length > MaxObjectSize {
		return errorf("InvalidRequest", "The specified copy range is larger than the maximum allowable size for a copy source: %d", int64(MaxObjectSize))
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return storageError("seek body", err)
	}
	var computed hash.Hash
	var hashes []hash.Hash
	if u.ChecksumAlgorithm != "" {
		computed = sigv4.ChecksumAlgorithm(u.ChecksumAlgorithm).New()
		hashes = append(hashes, computed)
	}
	nb, err := s.bodies.write(ctxReader{q.ctx(), io.LimitReader(f, length)}, MaxObjectSize, false, hashes...)
	if err != nil {
		return err
	}
	sum, _ := partChecksum(u, sigv4.Checksum{}, false, computed)
	p := &keyfront.Part{UploadID: u.ID, Number: n, BodyID: nb.ID, Size: nb.Size,
		ETag: hex.EncodeToString(nb.MD5), LastModified: s.nowMilli(), Checksum: sum}
	replaced, err := s.commitPart(q, p)
	if err != nil {
		s.discard(nb)
		return err
	}
	s.bodies.release(nb.ID)
	s.bodies.remove(replaced)
	return writeXML(w, copyPartResult{Xmlns: xmlNamespace, ETag: quoteETag(p.ETag), LastModified: xmlTime(p.LastModified), checksumXML: newChecksumXML(sum)})
}

// handleUploadComplete is CompleteMultipartUpload (POST
// /<bucket>/<key>?uploadId=ID), authorized as s3:PutObject. The listed
// parts must exist with the listed ETags (InvalidPart), in ascending order
// (InvalidPartOrder), all but the last at least 5 MiB (EntityTooSmall).
func (s *Server) handleUploadComplete(w http.ResponseWriter, q *request) error {
	if err := checkKey(q.key); err != nil {
		return err
	}
	b, u, err := s.loadUpload(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutObject", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	cond, err := parseWriteCondition(q.r.Header)
	if err != nil {
		return err
	}
	// The x-amz-checksum-* headers of this request are the whole object's,
	// not the XML body's.
	body, err := s.requestBody(q, sigv4.IgnoreChecksumHeaders())
	if err != nil {
		return err
	}
	defer body.Close()
	in, err := readCompleteMultipartUpload(body)
	if err != nil {
		return err
	}

	var stored []*keyfront.Part
	err = s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		if _, err := getUpload(q, tx); err != nil {
			return err
		}
		var err error
		stored, err = tx.ListParts(q.ctx(), u.ID, 0, 0)
		return err
	})
	if err != nil {
		return err
	}
	parts, err := selectParts(in.Parts, stored)
	if err != nil {
		return err
	}
	etag, err := multipartETag(parts)
	if err != nil {
		return internalError(err)
	}

	// The object's checksum: COMPOSITE from the parts' checksums, or
	// FULL_OBJECT computed over the whole body while concatenating.
	var sum keyfront.Checksum
	var full hash.Hash
	var hashes []hash.Hash
	alg := sigv4.ChecksumAlgorithm(u.ChecksumAlgorithm)
	switch u.ChecksumType {
	case "COMPOSITE":
		if sum, err = compositeChecksum(alg, parts); err != nil {
			return err
		}
	case "FULL_OBJECT":
		full = alg.New()
		hashes = append(hashes, full)
	}
	var total int64
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = p.BodyID
		total += p.Size
	}
	nb, err := s.bodies.concat(q.ctx(), ids, total, hashes...)
	if err != nil {
		return err
	}
	if full != nil {
		sum = keyfront.Checksum{Algorithm: string(alg), Value: base64.StdEncoding.EncodeToString(full.Sum(nil)), Type: "FULL_OBJECT"}
		if want := q.r.Header.Get(alg.Header()); want != "" && want != sum.Value {
			s.discard(nb)
			return errorf("BadDigest", "The %s you specified for the full object did not match what was computed.", alg)
		}
	}

	o := &keyfront.Object{
		Bucket: q.bucket, Key: q.key, BodyID: nb.ID, Size: nb.Size, ETag: etag,
		LastModified: s.nowMilli(), Headers: u.Headers, Checksum: sum, PartSizes: make([]int64, len(parts)),
	}
	for i, p := range parts {
		o.PartSizes[i] = p.Size
	}
	var garbage []string
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		garbage = garbage[:0]
		if _, err := getUpload(q, tx); err != nil {
			return err
		}
		// The parts may have been replaced while they were concatenated.
		now, err := tx.ListParts(q.ctx(), u.ID, 0, 0)
		if err != nil {
			return err
		}
		byNumber := make(map[int]*keyfront.Part, len(now))
		for _, p := range now {
			byNumber[p.Number] = p
			garbage = append(garbage, p.BodyID)
		}
		for _, p := range parts {
			if cur := byNumber[p.Number]; cur == nil || cur.BodyID != p.BodyID {
				return errorf("InvalidPart", msgInvalidPart).with("PartNumber", itoa(p.Number))
			}
		}
		cur, err := tx.GetObject(q.ctx(), q.bucket, q.key)
		switch keyfront.ErrorCode(err) {
		case "":
			garbage = append(garbage, cur.BodyID)
		case keyfront.ENOTFOUND:
			cur = nil
		default:
			return err
		}
		if err := cond.check(q.key, cur); err != nil {
			return err
		}
		if err := tx.PutObject(q.ctx(), o); err != nil {
			return notFound(err, func() *apiError { return noSuchBucket(q.bucket) })
		}
		return tx.DeleteUpload(q.ctx(), u.ID)
	})
	if err != nil {
		s.discard(nb)
		return err
	}
	s.bodies.release(nb.ID)
	s.bodies.remove(garbage...)

	res := completeMultipartUploadResult{
		Xmlns: xmlNamespace, Location: location(q), Bucket: q.bucket, Key: q.key, ETag: quoteETag(etag),
		ChecksumType: sum.Type, checksumXML: newChecksumXML(sum),
	}
	return writeXML(w, res)
}

// location is the object's URL for CompleteMultipartUpload's <Location>.
func location(q *request) string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host + q.r.URL.EscapedPath()
}

// selectParts matches the parts a CompleteMultipartUpload lists with the
// stored ones.
func selectParts(listed []completePart, stored []*keyfront.Part) ([]*keyfront.Part, error) {
	byNumber := make(map[int]*keyfront.Part, len(stored))
	for _, p := range stored {
		byNumber[p.Number] = p
	}
	prev := 0
	for _, lp := range listed {
		if lp.PartNumber <= prev {
			return nil, errorf("InvalidPartOrder", msgInvalidPartOrder)
		}
		prev = lp.PartNumber
	}
	out := make([]*keyfront.Part, 0, len(listed))
	for i, lp := range listed {
		p := byNumber[lp.PartNumber]
		if p == nil || unquoteETag(lp.ETag) != p.ETag {
			return nil, errorf("InvalidPart", msgInvalidPart).with("PartNumber", itoa(lp.PartNumber)).with("ETag", lp.ETag)
		}
		// A checksum listed for a part must be the one it was uploaded
		// with.
		x := lp.checksumXML
		if f := x.field(p.Checksum.Algorithm); f != nil && *f != "" && *f != p.Checksum.Value {
			return nil, errorf("InvalidPart", msgInvalidPart).with("PartNumber", itoa(lp.PartNumber))
		}
		if i < len(listed)-1 && p.Size < MinPartSize {
			return nil, errorf("EntityTooSmall", msgEntityTooSmall).
				with("ProposedSize", strconv.FormatInt(p.Size, 10)).with("MinSizeAllowed", strconv.Itoa(MinPartSize)).
				with("PartNumber", itoa(p.Number)).with("ETag", quoteETag(p.ETag))
		}
		out = append(out, p)
	}
	return out, nil
}

// compositeChecksum is the checksum of the parts' checksums, followed by
// "-" and the number of parts.
func compositeChecksum(alg sigv4.ChecksumAlgorithm, parts []*keyfront.Part) (keyfront.Checksum, error) {
	h := alg.New()
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
		if err != nil || p.Checksum.Algorithm != string(alg) {
			return keyfront.Checksum{}, errorf("InvalidPart", "Part %d has no %s checksum.", p.Number, alg).with("PartNumber", itoa(p.Number))
		}
		h.Write(raw)
	}
	return keyfront.Checksum{
		Algorithm: string(alg),
		Value:     base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)),
		Type:      "COMPOSITE",
	}, nil
}

// handleUploadAbort is AbortMultipartUpload (DELETE
// /<bucket>/<key>?uploadId=ID), authorized as s3:AbortMultipartUpload.
func (s *Server) handleUploadAbort(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:AbortMultipartUpload", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	var garbage []string
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		garbage = garbage[:0]
		u, err := getUpload(q, tx)
		if err != nil {
			return err
		}
		parts, err := tx.ListParts(q.ctx(), u.ID, 0, 0)
		if err != nil {
			return err
		}
		for _, p := range parts {
			garbage = append(garbage, p.BodyID)
		}
		return tx.DeleteUpload(q.ctx(), u.ID)
	})
	if err != nil {
		return err
	}
	s.bodies.remove(garbage...)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handlePartList is ListParts (GET /<bucket>/<key>?uploadId=ID),
// authorized as s3:ListMultipartUploadParts; part-number-marker and
// max-parts page it.
func (s *Server) handlePartList(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:ListMultipartUploadParts", objectARN(q.bucket, q.key), nil); err != nil {
		return err
	}
	maxParts, err := parseMaxKeys(q, "max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := q.query.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return invalidArgument("part-number-marker", v, "Provided part-number-marker not an integer or within integer range")
		}
	}
	var u *keyfront.Upload
	var parts []*keyfront.Part
	err = s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		if u, err = getUpload(q, tx); err != nil {
			return err
		}
		parts, err = tx.ListParts(q.ctx(), u.ID, marker, maxParts+1)
		return err
	})
	if err != nil {
		return err
	}
	own := s.canonicalID()
	out := listPartsResult{
		Xmlns: xmlNamespace, Bucket: q.bucket, Key: q.key, UploadID: u.ID, PartNumberMarker: marker,
		MaxParts: maxParts, Initiator: own, Owner: own, StorageClass: "STANDARD",
		ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
	}
	if len(parts) > maxParts {
		parts, out.IsTruncated = parts[:maxParts], true
	}
	for _, p := range parts {
		out.Parts = append(out.Parts, partInfo{PartNumber: p.Number, LastModified: xmlTime(p.LastModified),
			ETag: quoteETag(p.ETag), Size: p.Size, checksumXML: newChecksumXML(p.Checksum)})
		out.NextPartNumberMarker = p.Number
	}
	return writeXML(w, out)
}

// handleUploadList is ListMultipartUploads (GET /<bucket>?uploads),
// authorized as s3:ListBucketMultipartUploads; prefix, key-marker,
// upload-id-marker and max-uploads are honoured, delimiter is not
// (uploads are listed without common prefixes).
func (s *Server) handleUploadList(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:ListBucketMultipartUploads", bucketARN(b.Name), nil); err != nil {
		return err
	}
	maxUploads, err := parseMaxKeys(q, "max-uploads")
	if err != nil {
		return err
	}
	uq := keyfront.UploadQuery{Prefix: q.query.Get("prefix"), KeyMarker: q.query.Get("key-marker"), Limit: maxUploads + 1}
	if uq.KeyMarker != "" {
		uq.IDMarker = q.query.Get("upload-id-marker")
	}
	var uploads []*keyfront.Upload
	err = s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		uploads, err = tx.ListUploads(q.ctx(), q.bucket, uq)
		return notFound(err, func() *apiError { return noSuchBucket(q.bucket) })
	})
	if err != nil {
		return err
	}
	out := listMultipartUploadsResult{
		Xmlns: xmlNamespace, Bucket: q.bucket, KeyMarker: uq.KeyMarker, UploadIDMarker: uq.IDMarker,
		Prefix: uq.Prefix, MaxUploads: maxUploads,
	}
	if len(uploads) > maxUploads {
		uploads, out.IsTruncated = uploads[:maxUploads], true
	}
	own := s.canonicalID()
	for _, u := range uploads {
		out.Uploads = append(out.Uploads, uploadInfo{Key: u.Key, UploadID: u.ID, Initiator: own, Owner: own,
			StorageClass: "STANDARD", Initiated: xmlTime(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType})
	}
	if out.IsTruncated && len(uploads) > 0 {
		last := uploads[len(uploads)-1]
		out.NextKeyMarker, out.NextUploadIDMarker = last.Key, last.ID
	}
	return writeXML(w, out)
}
