// Package sigv4 verifies AWS Signature Version 4 on requests that keyfront
// receives: the CloudFront-compatible control API (service "cloudfront")
// and the embedded S3 origin (service "s3"). Signing is left to the AWS
// SDK's signer; this package is the server side, and imports only the
// standard library.
//
// A handler verifies a request, then, for S3, reads the body through the
// returned Auth so that the payload hash, aws-chunked chunk signatures and
// checksums are enforced:
//
//	v := &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: creds}
//	auth, err := v.Verify(r)
//	if err != nil {
//		// err is a *sigv4.Error: render e.Status, e.Code, e.Message, e.Fields.
//	}
//	body, err := auth.Body(r.Body)
//	// copy body to a temporary file; commit only after io.EOF.
//
// What it implements, and where the rules come from:
//
//   - The canonical request, string to sign and signing key of "Create a
//     signed AWS API request" (IAM User Guide, create-signed-request), in
//     the Authorization header form and the presigned query form
//     (S3 API Reference, sig-v4-header-based-auth, sigv4-query-string-auth).
//   - Where the specification leaves room, the choices of the clients
//     keyfront must serve, botocore (auth.py SigV4Auth, S3SigV4Auth) and
//     aws-sdk-go-v2 (aws/signer/v4): the path as sent for S3 and encoded
//     again for other services; query components decoded and re-encoded
//     with only RFC 3986 unreserved characters left bare; header values
//     trimmed with inner white space collapsed.
//   - aws-chunked uploads with chained chunk signatures, signed and unsigned
//     trailers (sigv4-streaming, sigv4-streaming-trailers) and the S3
//     additional checksums CRC32, CRC32C, CRC64NVME, SHA1 and SHA256
//     (S3 User Guide, checking-object-integrity).
//   - Errors carry the status, code and message AWS answers with, in S3's
//     vocabulary for service "s3" and in that of the other REST/query
//     services (CloudFront's) otherwise.
//
// Signatures are compared in constant time. Derived signing keys are cached
// per access key, date, region and service.
package sigv4
