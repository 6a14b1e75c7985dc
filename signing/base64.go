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

// Classes in b64Values besides the sextet values 0 to 63.
const (
	b64Pad     = 0x40 // '=' or '_'
	b64Space   = 0x41 // ASCII whitespace, skipped
	b64Invalid = 0xff
)

// b64Values maps each byte to its sextet in both CloudFront's and the
// standard alphabet, or to its class.
var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(std) {
		t[std[i]] = byte(i)
	}
	t['-'], t['~'] = 62, 63
	t['='], t['_'] = b64Pad, b64Pad
	t[' '], t['\t'], t['\r'], t['\n'] = b64Space, b64Space, b64Space, b64Space
	return t
}()

// DecodeBase64 decodes CloudFront base64 liberally, as the edge must (§3.1):
// it maps '-', '_' and '~' back, also takes the standard '+', '/' and '=',
// ignores ASCII whitespace that MIME encoders insert, and accepts missing
// padding. Anything else is an error. It decodes in one pass into one
// allocation: it runs twice per signed request.
func DecodeBase64(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/4*3+2)
	var acc uint32 // pending sextets
	n, pad := 0, 0
	for i := 0; i < len(s); i++ {
		switch v := b64Values[s[i]]; {
		case v < 64:
			if pad > 0 {
				// Padding may only appear at the end.
				return nil, errBase64
			}
			acc = acc<<6 | uint32(v)
			if n++; n == 4 {
				out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
				acc, n = 0, 0
			}
		case v == b64Pad:
			pad++
		case v == b64Space:
		default:
			return nil, errBase64
		}
	}
	if pad > 2 {
		return nil, errBase64
	}
	// A final group of one sextet holds no whole byte; two or three hold
	// one or two. Leftover low bits are ignored, as base64.StdEncoding does
	// in its default non-strict mode.
	switch n {
	case 1:
		return nil, errBase64
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, nil
}
