package signing

import (
	"encoding/base64"
	"errors"
)

// EncodeBase64 returns CloudFront's URL-safe base64 of b: standard padded
// base64 with '+' replaced by '-', '=' by '_' and '/' by '~' (§3.1). This is
// not RFC 4648 base64url.
func EncodeBase64(b []byte) string {
	return string(AppendBase64(nil, b))
}

// AppendBase64 appends CloudFront's URL-safe base64 of b to dst.
func AppendBase64(dst, b []byte) []byte {
	n := len(dst)
	dst = base64.StdEncoding.AppendEncode(dst, b)
	for i := n; i < len(dst); i++ {
		switch dst[i] {
		case '+':
			dst[i] = '-'
		case '=':
			dst[i] = '_'
		case '/':
			dst[i] = '~'
		}
	}
	return dst
}

var errBase64 = errors.New("not CloudFront base64")

// DecodeBase64 decodes CloudFront base64 liberally, as the edge must (§3.1):
// it maps '-', '_' and '~' back, also takes the standard '+', '/' and '=',
// ignores ASCII whitespace that MIME encoders insert, and accepts missing
// padding. Anything else is an error.
func DecodeBase64(s string) ([]byte, error) {
	buf := make([]byte, 0, len(s)+3)
	pad := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			c = '+'
		case c == '~':
			c = '/'
		case c == '_' || c == '=':
			pad++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		case c == '+' || c == '/' || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9'):
		default:
			return nil, errBase64
		}
		if pad > 0 {
			// Padding may only appear at the end.
			return nil, errBase64
		}
		buf = append(buf, c)
	}
	if pad > 2 || len(buf)%4 == 1 {
		return nil, errBase64
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(buf)))
	n, err := base64.RawStdEncoding.Decode(out, buf)
	if err != nil {
		return nil, errBase64
	}
	return out[:n], nil
}
