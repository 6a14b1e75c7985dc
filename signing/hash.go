package signing

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"strings"
)

// HashAlgorithm is the digest a signature is made over: SHA1 (CloudFront's
// default, used when Hash-Algorithm is absent) or SHA256.
type HashAlgorithm uint8

// The hash algorithms CloudFront accepts (§9).
const (
	SHA1 HashAlgorithm = iota
	SHA256
)

// String returns the wire name: "SHA1" or "SHA256".
func (h HashAlgorithm) String() string {
	if h == SHA256 {
		return "SHA256"
	}
	return "SHA1"
}

// ParseHashAlgorithm parses a Hash-Algorithm value. Matching is
// case-insensitive and the empty string means SHA1 (§9).
func ParseHashAlgorithm(s string) (HashAlgorithm, error) {
	switch {
	case s == "" || strings.EqualFold(s, "SHA1"):
		return SHA1, nil
	case strings.EqualFold(s, "SHA256"):
		return SHA256, nil
	}
	return SHA1, fmt.Errorf("unsupported hash algorithm %q: use SHA1 or SHA256", s)
}

func (h HashAlgorithm) cryptoHash() crypto.Hash {
	if h == SHA256 {
		return crypto.SHA256
	}
	return crypto.SHA1
}

// digest returns the hash of msg under h, written into buf so that the
// verification path does not allocate for it.
func (h HashAlgorithm) digest(buf *[sha256.Size]byte, msg []byte) []byte {
	if h == SHA256 {
		*buf = sha256.Sum256(msg)
		return buf[:]
	}
	d := sha1.Sum(msg)
	return buf[:copy(buf[:], d[:])]
}
