package sigv4

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// ChecksumAlgorithm names an S3 additional checksum (S3 User Guide,
// checking-object-integrity): CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.
type ChecksumAlgorithm string

// The checksum algorithms S3 accepts in x-amz-checksum-* headers and
// trailers.
const (
	ChecksumCRC32     ChecksumAlgorithm = "CRC32"
	ChecksumCRC32C    ChecksumAlgorithm = "CRC32C"
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	ChecksumSHA1      ChecksumAlgorithm = "SHA1"
	ChecksumSHA256    ChecksumAlgorithm = "SHA256"
)

// checksumAlgorithms lists them in a fixed order.
var checksumAlgorithms = []ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256}

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME: polynomial 0xAD93D23594C93659, reflected, init and xorout
	// all ones (NVM Express Command Set spec §5.2.1.3.4). hash/crc64 wants
	// the bit-reversed polynomial and already applies the init/xorout
	// inversion, as for crc64.ECMA; the check value of "123456789" is
	// 0xAE8B14860A799888 (TestChecksumCheckValues).
	crc64NVME = crc64.MakeTable(0x9A6C9329AC4BC9B5)
)

// New returns a fresh hash for the algorithm, or nil if it is not one of
// the five. Its Sum is big-endian, as S3 encodes CRCs.
func (a ChecksumAlgorithm) New() hash.Hash {
	switch a {
	case ChecksumCRC32:
		return crc32.NewIEEE()
	case ChecksumCRC32C:
		return crc32.New(castagnoli)
	case ChecksumCRC64NVME:
		return crc64.New(crc64NVME)
	case ChecksumSHA1:
		return sha1.New()
	case ChecksumSHA256:
		return sha256.New()
	}
	return nil
}

// Size returns the length in bytes of the algorithm's digest, or 0.
func (a ChecksumAlgorithm) Size() int {
	switch a {
	case ChecksumCRC32, ChecksumCRC32C:
		return crc32.Size
	case ChecksumCRC64NVME:
		return crc64.Size
	case ChecksumSHA1:
		return sha1.Size
	case ChecksumSHA256:
		return sha256.Size
	}
	return 0
}

// Header returns the lower-case header or trailer name carrying the
// algorithm's checksum, e.g. "x-amz-checksum-crc32".
func (a ChecksumAlgorithm) Header() string {
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// checksumFromHeader maps "x-amz-checksum-crc32" (any case) to CRC32.
// ok is false for other names, including x-amz-checksum-mode, -type and
// -algorithm, which carry no checksum.
func checksumFromHeader(name string) (ChecksumAlgorithm, bool) {
	l := strings.ToLower(name)
	for _, a := range checksumAlgorithms {
		if l == a.Header() {
			return a, true
		}
	}
	return "", false
}

// Checksum is an x-amz-checksum-* value: the algorithm and the base64 of
// the big-endian digest.
type Checksum struct {
	Algorithm ChecksumAlgorithm
	Value     string
}

// validValue reports whether v is the base64 of a digest of the right size.
func (a ChecksumAlgorithm) validValue(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == a.Size()
}

// sum64 encodes h's digest as S3 does.
func sum64(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }
