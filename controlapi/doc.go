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
package controlapi
