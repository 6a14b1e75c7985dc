// Package controlapi serves keyfront's control plane: the Amazon
// CloudFront 2020-05-31 REST/XML API for public keys, key groups,
// distributions, origin access controls and invalidations, as an
// http.Handler that the AWS CLI and SDKs can talk to unchanged
// (shared/spec/control-api.md).
//
// Shapes come from the AWS API model: genshapes turns botocore's
// service-2.json into shapes_gen.go, a table of every shape reachable from
// the operations served. A generic codec walks that table: requests are
// decoded order- and namespace-insensitively with unknown elements ignored
// and every type, enum and Quantity/Items pair checked; responses are
// emitted in model member order with required members always present. A
// distribution's configuration is stored as the canonical XML of its
// DistributionConfig, so everything the model defines is echoed faithfully
// even where keyfront does not act on it; ParseDistributionConfig gives the
// typed subset the edge uses.
//
// Every rule that reads and writes the store (ETags and If-Match,
// uniqueness, references, quotas) runs inside one Store.Update
// transaction, so of two concurrent updates with the same ETag exactly one
// wins.
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
