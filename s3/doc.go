// Package s3 is keyfront's embedded S3-compatible origin: buckets,
// objects, multipart uploads and bucket policies behind Amazon S3's REST
// API, so that the AWS CLI (aws s3, aws s3api) and the AWS SDKs manage it
// with --endpoint-url, and the edge fetches from it with origin access
// control (DESIGN.md, "Origin access control between edge and embedded
// origin").
//
// # Requests
//
// Server is an http.Handler for path-style (/<bucket>/<key>) and
// virtual-hosted-style (<bucket>.<Domain>/<key>) requests. Every request
// is either signed with SigV4 (header or presigned; sigv4.Verifier, which
// also verifies aws-chunked bodies, trailers and checksums) or carries no
// authentication at all and is anonymous. Responses carry
// x-amz-request-id, x-amz-id-2 and Server: keyfront; errors are S3's XML
// <Error> documents with S3's codes and statuses. A request body that
// stops arriving for Config.BodyIdleTimeout (20 seconds, as S3's) is
// answered 400 RequestTimeout and its connection closed; the deadline
// moves on with every byte, so uploads of any size at any steady rate
// complete.
//
// The operations (each has its page, under its name, in the S3 API
// Reference) and the IAM action each is authorized as:
//
//	ListBuckets                 GET /                            owner only
//	CreateBucket                PUT /b                           owner only
//	HeadBucket                  HEAD /b                          s3:ListBucket
//	DeleteBucket                DELETE /b                        s3:DeleteBucket
//	GetBucketLocation           GET /b?location                  s3:GetBucketLocation
//	Get/Put/DeleteBucketPolicy  GET|PUT|DELETE /b?policy         s3:GetBucketPolicy, ...
//	ListObjects, ListObjectsV2  GET /b, GET /b?list-type=2       s3:ListBucket (+ s3:prefix, s3:delimiter, s3:max-keys)
//	ListMultipartUploads        GET /b?uploads                   s3:ListBucketMultipartUploads
//	DeleteObjects               POST /b?delete                   s3:DeleteObject, per key
//	GetObject, HeadObject       GET|HEAD /b/k                    s3:GetObject
//	PutObject                   PUT /b/k                         s3:PutObject
//	CopyObject                  PUT /b/k + x-amz-copy-source     s3:PutObject, s3:GetObject on the source
//	DeleteObject                DELETE /b/k                      s3:DeleteObject
//	CreateMultipartUpload       POST /b/k?uploads                s3:PutObject
//	UploadPart, UploadPartCopy  PUT /b/k?partNumber&uploadId     s3:PutObject (+ s3:GetObject on a copy source)
//	CompleteMultipartUpload     POST /b/k?uploadId               s3:PutObject
//	AbortMultipartUpload        DELETE /b/k?uploadId             s3:AbortMultipartUpload
//	ListParts                   GET /b/k?uploadId                s3:ListMultipartUploadParts
//
// # Authorization
//
// The owner (Config.Owner) may do anything. Everyone else, the anonymous
// principal included, is asked about in the bucket's policy (iampolicy),
// with the global condition keys aws:SourceIp (the TCP peer),
// aws:SecureTransport, aws:Referer, aws:UserAgent, aws:CurrentTime,
// aws:EpochTime, aws:PrincipalType (and PrincipalArn, PrincipalAccount,
// PrincipalIsAWSService, PrincipalServiceName where they apply) and, for
// listings, s3:prefix, s3:delimiter and s3:max-keys; no policy allows
// nothing. Requests signed with the origin access control credential are
// the service principal cloudfront.amazonaws.com, with AWS:SourceArn and
// AWS:SourceAccount from headers the signature covers (originauth). A
// refusal is 403 AccessDenied "Access Denied"; the reason is logged at
// Debug. GetObject of a missing key is 404 NoSuchKey only for callers
// who may list the bucket, 403 for the others, as in S3.
//
// # Storage
//
// Metadata lives in the Store (keyfront.ObjectTx), bodies in files under
// DataDir/objects named by random IDs, never by keys. A body is written to
// a temporary file, synced, renamed and its directory synced before the
// record that names it is committed, so a crash never exposes a partial
// object; bodies a crash left unnamed are removed by Sweep. Bodies stream
// in and out: memory does not grow with object size.
package s3
