// Package signing implements CloudFront's signed URLs and signed cookies:
// canned and custom policies, CloudFront's URL-safe base64, signing with RSA
// or ECDSA P-256 keys under SHA-1 or SHA-256, and the edge's verification of
// a viewer request with the exact rejection CloudFront would give.
//
// The package is pure: it performs no I/O, keeps no global state and reads no
// clock; callers pass the time and the key lookup. Section numbers in
// comments (§n) refer to keyfront's signed-URL specification.
package signing
