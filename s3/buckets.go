package s3

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"keyfront"
	"keyfront/iampolicy"
)

// canonicalID is the owner's S3 canonical user ID (64 hex digits) as
// listings show it: derived from the account ID, since keyfront has no
// other users.
func (s *Server) canonicalID() owner {
	sum := sha256.Sum256([]byte("keyfront canonical user: " + s.cfg.Owner.AccountID))
	return owner{ID: hex.EncodeToString(sum[:])}
}

// handleBucketList is ListBuckets (GET /). Only the owner may list
// (s3:ListAllMyBuckets is an identity-policy permission; no bucket policy
// grants it).
func (s *Server) handleBucketList(w http.ResponseWriter, q *request) error {
	if !q.owner {
		return accessDenied()
	}
	var all []*keyfront.Bucket
	err := s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		all, err = tx.ListBuckets(q.ctx(), keyfront.Page{})
		return err
	})
	if err != nil {
		return err
	}
	out := listAllMyBucketsResult{Xmlns: xmlNamespace, Owner: s.canonicalID(), Buckets: []bucketInfo{}}
	for _, b := range all {
		out.Buckets = append(out.Buckets, bucketInfo{Name: b.Name, CreationDate: xmlTime(b.CreationDate), BucketRegion: b.Region})
	}
	return writeXML(w, out)
}

// validBucketName applies the naming rules of general purpose buckets
// (S3 User Guide, bucketnamingrules.html): 3 to 63 lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit, no
// two dots in a row, not an IPv4 address, none of the reserved prefixes
// and suffixes.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

// validRegion accepts a LocationConstraint: lower-case letters, digits and
// hyphens ("eu-west-3"), or S3's legacy "EU".
func validRegion(r string) bool {
	if r == "EU" {
		return true
	}
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// handleBucketCreate is CreateBucket (PUT /<bucket>), with an optional
// CreateBucketConfiguration body naming the region. Only the owner may
// create buckets. Creating a bucket the owner already has is 409
// BucketAlreadyOwnedByYou.
func (s *Server) handleBucketCreate(w http.ResponseWriter, q *request) error {
	if !q.owner {
		return accessDenied()
	}
	if !validBucketName(q.bucket) {
		return errorf("InvalidBucketName", msgInvalidBucketName).with("BucketName", q.bucket)
	}
	region := s.cfg.Region
	body, err := s.requestBody(q)
	if err != nil {
		return err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxXMLBody+1))
	if err != nil {
		return readError(err)
	}
	if strings.TrimSpace(string(data)) != "" {
		var cfg createBucketConfiguration
		if err := readXML(strings.NewReader(string(data)), &cfg); err != nil {
			return err
		}
		if cfg.LocationConstraint != "" {
			if !validRegion(cfg.LocationConstraint) {
				return errorf("InvalidLocationConstraint", "The specified location-constraint is not valid").
					with("LocationConstraint", cfg.LocationConstraint)
			}
			region = cfg.LocationConstraint
		}
	}
	b := &keyfront.Bucket{Name: q.bucket, CreationDate: s.nowMilli(), Region: region}
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		_, err := tx.GetBucket(q.ctx(), q.bucket)
		switch keyfront.ErrorCode(err) {
		case "":
			return errorf("BucketAlreadyOwnedByYou", msgBucketExists).with("BucketName", q.bucket)
		case keyfront.ENOTFOUND:
		default:
			return err
		}
		return tx.PutBucket(q.ctx(), b)
	})
	if err != nil {
		return err
	}
	s.policies.forget(q.bucket)
	w.Header().Set("Location", "/"+q.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

// loadBucket reads a bucket in its own transaction, or NoSuchBucket.
func (s *Server) loadBucket(q *request) (*keyfront.Bucket, error) {
	var b *keyfront.Bucket
	err := s.view(q.ctx(), func(tx keyfront.ObjectTx) error {
		var err error
		b, err = getBucket(q.ctx(), tx, q.bucket)
		return err
	})
	return b, err
}

// handleBucketHead is HeadBucket (HEAD /<bucket>), authorized as
// s3:ListBucket.
func (s *Server) handleBucketHead(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:ListBucket", bucketARN(b.Name), nil); err != nil {
		return err
	}
	w.Header().Set("X-Amz-Bucket-Region", b.Region)
	w.WriteHeader(http.StatusOK)
	return nil
}

// handleBucketDelete is DeleteBucket (DELETE /<bucket>): 409
// BucketNotEmpty while it holds objects. Multipart uploads in progress do
// not keep it: they are aborted with it.
func (s *Server) handleBucketDelete(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:DeleteBucket", bucketARN(b.Name), nil); err != nil {
		return err
	}
	var garbage []string
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		garbage = garbage[:0]
		if _, err := tx.ListObjects(q.ctx(), q.bucket, keyfront.ObjectQuery{Limit: 1}); err != nil {
			return notFound(err, func() *apiError { return noSuchBucket(q.bucket) })
		}
		uploads, err := tx.ListUploads(q.ctx(), q.bucket, keyfront.UploadQuery{})
		if err != nil {
			return err
		}
		for _, u := range uploads {
			parts, err := tx.ListParts(q.ctx(), u.ID, 0, 0)
			if err != nil {
				return err
			}
			for _, p := range parts {
				garbage = append(garbage, p.BodyID)
			}
			if err := tx.DeleteUpload(q.ctx(), u.ID); err != nil {
				return err
			}
		}
		err = tx.DeleteBucket(q.ctx(), q.bucket)
		switch keyfront.ErrorCode(err) {
		case keyfront.ECONFLICT:
			return errorf("BucketNotEmpty", msgBucketNotEmpty).with("BucketName", q.bucket)
		case keyfront.ENOTFOUND:
			return noSuchBucket(q.bucket)
		}
		return err
	})
	if err != nil {
		return err
	}
	s.bodies.remove(garbage...)
	s.policies.forget(q.bucket)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleBucketLocationGet is GetBucketLocation (GET /<bucket>?location):
// an empty LocationConstraint for us-east-1, as S3 answers.
func (s *Server) handleBucketLocationGet(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:GetBucketLocation", bucketARN(b.Name), nil); err != nil {
		return err
	}
	region := b.Region
	if region == "us-east-1" {
		region = ""
	}
	return writeXML(w, locationConstraint{Xmlns: xmlNamespace, Region: region})
}

// handleBucketPolicyGet is GetBucketPolicy (GET /<bucket>?policy): the
// document as it was put, or 404 NoSuchBucketPolicy.
func (s *Server) handleBucketPolicyGet(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:GetBucketPolicy", bucketARN(b.Name), nil); err != nil {
		return err
	}
	if b.Policy == nil {
		return errorf("NoSuchBucketPolicy", msgNoSuchBucketPolicy).with("BucketName", b.Name)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b.Policy)))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Policy)
	return nil
}

// maxPolicyBody bounds the PutBucketPolicy body read: iampolicy measures
// its 20 KB limit after removing white space, so a larger raw document
// may still fit.
const maxPolicyBody = 8 * iampolicy.MaxSize

// handleBucketPolicyPut is PutBucketPolicy (PUT /<bucket>?policy): the
// document is parsed and validated as S3 does (iampolicy.ParseForBucket);
// one that does not parse is 400 MalformedPolicy with a message that says
// what and where. Success is 204.
func (s *Server) handleBucketPolicyPut(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:PutBucketPolicy", bucketARN(b.Name), nil); err != nil {
		return err
	}
	body, err := s.requestBody(q)
	if err != nil {
		return err
	}
	defer body.Close()
	doc, err := io.ReadAll(io.LimitReader(body, maxPolicyBody+1))
	if err != nil {
		return readError(err)
	}
	if len(doc) > maxPolicyBody {
		return errorf("MalformedPolicy", iampolicy.MsgTooLarge)
	}
	if _, err := iampolicy.ParseForBucket(doc, b.Name); err != nil {
		var pe *iampolicy.Error
		if errors.As(err, &pe) {
			return &apiError{Code: iampolicy.ErrorCode, Message: pe.Error(), Err: err}
		}
		return errorf("MalformedPolicy", "%s", err.Error())
	}
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		cur, err := getBucket(q.ctx(), tx, q.bucket)
		if err != nil {
			return err
		}
		cur.Policy = doc
		return tx.PutBucket(q.ctx(), cur)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleBucketPolicyDelete is DeleteBucketPolicy (DELETE
// /<bucket>?policy): 204 whether or not there was a policy.
func (s *Server) handleBucketPolicyDelete(w http.ResponseWriter, q *request) error {
	b, err := s.loadBucket(q)
	if err != nil {
		return err
	}
	if err := s.authorize(q, b, "s3:DeleteBucketPolicy", bucketARN(b.Name), nil); err != nil {
		return err
	}
	err = s.update(q.ctx(), func(tx keyfront.ObjectTx) error {
		cur, err := getBucket(q.ctx(), tx, q.bucket)
		if err != nil || cur.Policy == nil {
			return err
		}
		cur.Policy = nil
		return tx.PutBucket(q.ctx(), cur)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
