package s3

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keyfront"
)

// The XML of S3's REST API (S3 API Reference; shapes as in the API model
// s3/2006-03-01). Responses are in S3's namespace; request bodies are
// accepted with or without it.

const (
	xmlHeader    = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	xmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"
	// timeFormat is S3's XML timestamp: ISO 8601 with milliseconds.
	timeFormat = "2006-01-02T15:04:05.000Z"
)

func xmlTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// quoteETag returns an ETag as S3 sends it, in double quotes.
func quoteETag(etag string) string { return `"` + etag + `"` }

// unquoteETag strips the quotes (and a weak W/ prefix) clients may send.
func unquoteETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

func itoa(n int) string { return strconv.Itoa(n) }

// appendEscaped appends s with XML's special characters escaped.
func appendEscaped(b []byte, s string) []byte {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s))
	return append(b, sb.String()...)
}

// writeXML writes v as the response body with status 200.
func writeXML(w http.ResponseWriter, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return internalError(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xmlHeader)+len(body)))
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xmlHeader)
	w.Write(body)
	return nil
}

// readXML decodes an XML request body of at most maxXMLBody bytes into v.
// An empty body is MissingRequestBodyError; one that does not decode,
// MalformedXML.
func readXML(body io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, maxXMLBody+1))
	if err != nil {
		return readError(err)
	}
	if len(data) > maxXMLBody {
		return errorf("MaxMessageLengthExceeded", "Your request was too big.")
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return errorf("MissingRequestBodyError", msgMissingBody)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return malformedXML(err)
	}
	return nil
}

// owner is the <Owner> element: the account's canonical user ID.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// checksumXML holds the Checksum* elements of listings and results.
type checksumXML struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func newChecksumXML(c keyfront.Checksum) checksumXML {
	var x checksumXML
	if f := x.field(c.Algorithm); f != nil {
		*f = c.Value
	}
	return x
}

// field returns the element of an algorithm, or nil.
func (x *checksumXML) field(alg string) *string {
	switch alg {
	case "CRC32":
		return &x.ChecksumCRC32
	case "CRC32C":
		return &x.ChecksumCRC32C
	case "CRC64NVME":
		return &x.ChecksumCRC64NVME
	case "SHA1":
		return &x.ChecksumSHA1
	case "SHA256":
		return &x.ChecksumSHA256
	}
	return nil
}

// ListBuckets.
type listAllMyBucketsResult struct {
	XMLName xml.Name     `xml:"ListAllMyBucketsResult"`
	Xmlns   string       `xml:"xmlns,attr"`
	Owner   owner        `xml:"Owner"`
	Buckets []bucketInfo `xml:"Buckets>Bucket"`
}

type bucketInfo struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

// CreateBucket request body.
type createBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
}

// GetBucketLocation.
type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// ListObjects and ListObjectsV2: one shape, the elements each version
// uses (pointers and omitempty leave out the others).
type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []objectInfo   `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type objectInfo struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *owner `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// DeleteObjects.
type deleteRequest struct {
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

// readDeleteRequest reads a DeleteObjects body: 1 to 1,000 <Object>s,
// else MalformedXML, as S3 answers (DeleteObjects: "You can specify up to
// 1000 keys").
func readDeleteRequest(body io.Reader) (*deleteRequest, error) {
	var in deleteRequest
	if err := readXML(body, &in); err != nil {
		return nil, err
	}
	if len(in.Objects) == 0 || len(in.Objects) > maxDeleteKeys {
		return nil, malformedXML(fmt.Errorf("%d objects", len(in.Objects)))
	}
	return &in, nil
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// CopyObject and UploadPartCopy.
type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumXML
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumXML
}

// Multipart uploads.
type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

type completeMultipartUpload struct {
	Parts []completePart `xml:"Part"`
}

// readCompleteMultipartUpload reads a CompleteMultipartUpload body: 1 to
// MaxParts <Part>s, else MalformedXML, as S3 answers a body without parts.
func readCompleteMultipartUpload(body io.Reader) (*completeMultipartUpload, error) {
	var in completeMultipartUpload
	if err := readXML(body, &in); err != nil {
		return nil, err
	}
	if len(in.Parts) == 0 {
		return nil, malformedXML(fmt.Errorf("no parts"))
	}
	if len(in.Parts) > MaxParts {
		return nil, malformedXML(fmt.Errorf("%d parts", len(in.Parts)))
	}
	return &in, nil
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumXML
}

type completeMultipartUploadResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumXML
}

type listPartsResult struct {
	XMLName              xml.Name   `xml:"ListPartsResult"`
	Xmlns                string     `xml:"xmlns,attr"`
	Bucket               string     `xml:"Bucket"`
	Key                  string     `xml:"Key"`
	UploadID             string     `xml:"UploadId"`
	PartNumberMarker     int        `xml:"PartNumberMarker"`
	NextPartNumberMarker int        `xml:"NextPartNumberMarker"`
	MaxParts             int        `xml:"MaxParts"`
	IsTruncated          bool       `xml:"IsTruncated"`
	Parts                []partInfo `xml:"Part"`
	Initiator            owner      `xml:"Initiator"`
	Owner                owner      `xml:"Owner"`
	StorageClass         string     `xml:"StorageClass"`
	ChecksumAlgorithm    string     `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string     `xml:"ChecksumType,omitempty"`
}

type partInfo struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumXML
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name     `xml:"ListMultipartUploadsResult"`
	Xmlns              string       `xml:"xmlns,attr"`
	Bucket             string       `xml:"Bucket"`
	KeyMarker          string       `xml:"KeyMarker"`
	UploadIDMarker     string       `xml:"UploadIdMarker"`
	NextKeyMarker      string       `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string       `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string       `xml:"Prefix"`
	MaxUploads         int          `xml:"MaxUploads"`
	IsTruncated        bool         `xml:"IsTruncated"`
	Uploads            []uploadInfo `xml:"Upload"`
}

type uploadInfo struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}
