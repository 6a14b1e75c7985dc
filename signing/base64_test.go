package signing_test

import (
	"bytes"
	"testing"

	"keyfront/signing"
)

// §3.1: standard padded base64 with + → -, = → _, / → ~ (not base64url).
func TestEncodeBase64(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte("f"), "Zg__"},
		{[]byte("fo"), "Zm8_"},
		{[]byte("foo"), "Zm9v"},
		{[]byte{0xfb, 0xff}, "-~8_"},
		{[]byte{0xff, 0xff, 0xff}, "~~~~"},
		{[]byte{0xf8}, "-A__"},
		{[]byte(vecP3), vecP3Cookie},
	}
	for _, tt := range tests {
		if got := signing.EncodeBase64(tt.in); got != tt.want {
			t.Errorf("EncodeBase64(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(signing.AppendBase64([]byte("x="), tt.in)); got != "x="+tt.want {
			t.Errorf("AppendBase64(x=, %q) = %q, want %q", tt.in, got, "x="+tt.want)
		}
	}
}

// §3.1: the edge decodes liberally.
func TestDecodeBase64(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{"empty", "", []byte{}},
		{"CloudFront alphabet", "-~8_", []byte{0xfb, 0xff}},
		{"standard alphabet", "+/8=", []byte{0xfb, 0xff}},
		{"mixed alphabets", "+~8_", []byte{0xfb, 0xff}},
		{"unpadded", "Zg", []byte("f")},
		{"unpadded two", "Zm8", []byte("fo")},
		{"one pad of two", "Zg_", []byte("f")},
		{"= padding", "Zg==", []byte("f")},
		{"mixed padding", "Zg_=", []byte("f")},
		{"CRLF inside", "Zm\r\n9v", []byte("foo")},
		{"spaces and tabs", " Zm9v\tZm9v ", []byte("foofoo")},
		{"whitespace after padding", "Zg__\r\n", []byte("f")},
		{"whitespace between padding", "Zg_ _", []byte("f")},
		{"non-zero trailing bits", "Zh", []byte("f")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := signing.DecodeBase64(tt.in)
			if err != nil {
				t.Fatalf("DecodeBase64(%q): %v", tt.in, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("DecodeBase64(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeBase64Rejects(t *testing.T) {
	for _, in := range []string{
		"%%%",
		"Zm9v%7E",
		"Zg.",
		"Z",
		"Zm9vZ",
		"Zg___",
		"Zg=a",
		"_Zg",
		"Zm9v\x00",
		"Zm9v\v",
		"Zm9v\u00e9",
		"Zm9v,",
	} {
		if got, err := signing.DecodeBase64(in); err == nil {
			t.Errorf("DecodeBase64(%q) = %q, want an error", in, got)
		}
	}
}
