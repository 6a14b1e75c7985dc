// Package controlapi serves keyfront's control plane: the Amazon
// CloudFront 2020-05-31 REST/XML API for public keys, key groups,
// distributions, origin access controls and invalidations, as an
// http.Handler that the AWS CLI and SDKs can talk to unchanged
// (shared/spec/control-api.md).
//
// It is a thin layer between XML and the domain: a handler decodes the
// request with the model package's codec (shapes generated from the AWS
// API model, decoded order- and namespace-insensitively with every type,
// enum and Quantity/Items pair checked), runs one operation of the domain
// package inside a Store transaction, and encodes the result in model
// member order. Every rule — validation, uniqueness, references, quotas,
// ETags and If-Match — lives in model and domain, where a console or a
// signing service reaches it too; and because each operation runs inside
// one Store.Update, of two concurrent updates with the same ETag exactly
// one wins. Errors from all three become responses in one place,
// writeError.
//
// # Request bodies
//
// The signature covers the body as received: sigv4 hashes it for the
// canonical request and never takes x-amz-content-sha256 (least of all
// S3's UNSIGNED-PAYLOAD) in its place, so a captured request cannot be
// replayed with another body. That means the body is read and buffered
// before anyone knows who sent it, so it is bounded three ways: in size
// (Config.MaxBodyBytes, 413), in time (Config.BodyIdleTimeout between
// bytes and Config.BodyTimeout in all, 408 RequestTimeoutException and the
// connection closed) and in number (Config.MaxPendingBodies read at once;
// the next is refused unread with 400 Throttling "Rate exceeded", which
// the AWS SDKs and CLI retry with backoff).
package controlapi
