package s3

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"keyfront"
)

// listing is the outcome of listing a bucket: keys and common prefixes
// in byte order, merged (ListObjectsV2, "CommonPrefixes").
type listing struct {
	objects   []*keyfront.Object
	prefixes  []string
	truncated bool
	// next is the exclusive lower bound of the next page: the last key
	// returned, or the last common prefix followed by 0xFF, which sorts
	// after every key that starts with it (keys are UTF-8 and never
	// contain the byte 0xFF).
	next string
	// last is the last key or common prefix returned (ListObjects'
	// NextMarker).
	last string
}

// listParams are the parameters both list versions share.
type listParams struct {
	prefix, delimiter string
	after             string // exclusive: start-after, marker or the token's position
	maxKeys           int
}

// listBatch is how many records one store query fetches while listing.
// With a delimiter, a query ends at the first key under a new common
// prefix and the next one seeks past the prefix in the index; small
// batches then keep a prefix with many keys from being read in vain.
const (
	listBatch          = 1000
	listBatchDelimited = 64
)

// listObjects lists a bucket as ListObjects and ListObjectsV2 do: keys
// starting with prefix and after `after`; with a delimiter, the keys that
// contain it after the prefix are rolled up into one common prefix each
// (prefix through the first delimiter), which counts once against
// maxKeys. It reads in one transaction, so a page is consistent.
func (s *Server) listObjects(q *request, p listParams) (*listing, error) {
	out := &listing{}
	limit := listBatch
	if p.delimiter != "" {
		limit = listBatchDelimited
	}
	err := s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		*out = listing{}
		after := p.after
		count := 0
		for {
			batch, err := tx.ListObjects(q.ctx(), q.bucket, keyfront.ObjectQuery{Prefix: p.prefix, After: after, Limit: limit})
			if err != nil {
				return notFound(err, func() *apiError { return noSuchBucket(q.bucket) })
			}
			restart := false
			for _, o := range batch {
				if count == p.maxKeys {
					// With max-keys 0, S3 answers an empty, untruncated page.
					out.truncated = p.maxKeys > 0
					return nil
				}
				if p.delimiter != "" {
					rest := o.Key[len(p.prefix):]
					if i := strings.Index(rest, p.delimiter); i >= 0 {
						cp := p.prefix + rest[:i+len(p.delimiter)]
						after = cp + "\xff"
						restart = true
						// A marker equal to a common prefix means "after
						// everything under it" (ListObjects' NextMarker).
						if cp != p.after {
							out.prefixes = append(out.prefixes, cp)
							out.last, out.next = cp, after
							count++
						}
						break
					}
				}
				out.objects = append(out.objects, o)
				out.last, out.next = o.Key, o.Key
				after = o.Key
				count++
			}
			if !restart && len(batch) < limit {
				return nil
			}
		}
	})
	return out, err
}

// parseMaxKeys reads max-keys: default and ceiling 1,000.
func parseMaxKeys(q *request, param string) (int, error) {
	v := q.query.Get(param)
	if v == "" {
		return maxListKeys, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument(param, v, "Provided %s not an integer or within integer range", param)
	}
	return min(n, maxListKeys), nil
}

// encoder returns how keys are written in a list response: as they are,
// or URL-encoded for encoding-type=url, with the space as "+" as S3 and
// the AWS CLI's decoder (unquote_plus) have it.
func encoder(q *request) (func(string) string, string, error) {
	switch et := q.query.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		return url.QueryEscape, "url", nil
	default:
		return nil, "", invalidArgument("encoding-type", et, "Invalid Encoding Method specified in Request")
	}
}

// handleObjectListV2 is ListObjectsV2 (GET /<bucket>?list-type=2),
// authorized as s3:ListBucket with s3:prefix, s3:delimiter and s3:max-keys.
// The continuation token is the page's position, opaque to clients.
func (s *Server) handleObjectListV2(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:ListBucket", bucketARN(b.Name), listConditions(q)); err != nil {
		return err
	}
	enc, encType, err := encoder(q)
	if err != nil {
		return err
	}
	p := listParams{prefix: q.query.Get("prefix"), delimiter: q.query.Get("delimiter"), after: q.query.Get("start-after")}
	if p.maxKeys, err = parseMaxKeys(q, "max-keys"); err != nil {
		return err
	}
	token := q.query.Get("continuation-token")
	if q.query.Has("continuation-token") {
		pos, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(pos) == 0 {
			return invalidArgument("continuation-token", token, "The continuation token provided is incorrect")
		}
		p.after = string(pos)
	}
	l, err := s.listObjects(q, p)
	if err != nil {
		return err
	}
	keyCount := len(l.objects) + len(l.prefixes)
	out := listBucketResult{
		Xmlns: xmlNamespace, Name: b.Name, Prefix: enc(p.prefix), Delimiter: enc(p.delimiter),
		MaxKeys: p.maxKeys, EncodingType: encType, IsTruncated: l.truncated, KeyCount: &keyCount,
		ContinuationToken: token, StartAfter: enc(q.query.Get("start-after")),
	}
	if l.truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(l.next))
	}
	var own *owner
	if q.query.Get("fetch-owner") == "true" {
		o := s.canonicalID()
		own = &o
	}
	s.fillListing(&out, l, enc, own)
	return writeXML(w, out)
}

// handleObjectListV1 is ListObjects (GET /<bucket>), authorized as
// s3:ListBucket. NextMarker is returned when a delimiter is given, as S3
// does; without one, clients continue from the last key.
func (s *Server) handleObjectListV1(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:ListBucket", bucketARN(b.Name), listConditions(q)); err != nil {
		return err
	}
	enc, encType, err := encoder(q)
	if err != nil {
		return err
	}
	marker := q.query.Get("marker")
	p := listParams{prefix: q.query.Get("prefix"), delimiter: q.query.Get("delimiter"), after: marker}
	if p.maxKeys, err = parseMaxKeys(q, "max-keys"); err != nil {
		return err
	}
	l, err := s.listObjects(q, p)
	if err != nil {
		return err
	}
	m := enc(marker)
	out := listBucketResult{
		Xmlns: xmlNamespace, Name: b.Name, Prefix: enc(p.prefix), Marker: &m, Delimiter: enc(p.delimiter),
		MaxKeys: p.maxKeys, EncodingType: encType, IsTruncated: l.truncated,
	}
	if l.truncated && p.delimiter != "" {
		out.NextMarker = enc(l.last)
	}
	own := s.canonicalID()
	s.fillListing(&out, l, enc, &own)
	return writeXML(w, out)
}

func (s *Server) fillListing(out *listBucketResult, l *listing, enc func(string) string, own *owner) {
	for _, o := range l.objects {
		out.Contents = append(out.Contents, objectInfo{
			Key: enc(o.Key), LastModified: xmlTime(o.LastModified), ETag: quoteETag(o.ETag),
			ChecksumAlgorithm: o.Checksum.Algorithm, ChecksumType: o.Checksum.Type,
			Size: o.Size, Owner: own, StorageClass: "STANDARD",
		})
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
}
