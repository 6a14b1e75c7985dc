package signing_test

import (
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

// §12: exact codes, messages, bodies and lengths.
func TestCodeBodies(t *testing.T) {
	tests := []struct {
		code    signing.Code
		name    string
		message string
		length  int
	}{
		{signing.MissingKey, "MissingKey", "Missing Key-Pair-Id query parameter or cookie value", 146},
		{signing.InvalidKey, "InvalidKey", "Unknown Key", 106},
		{signing.MalformedSignature, "MalformedSignature", "Could not unencode Signature", 131},
		{signing.MalformedPolicy, "MalformedPolicy", "Malformed Policy", 116},
		{signing.AccessDenied, "AccessDenied", "Access denied", 110},
	}
	for _, tt := range tests {
		if got := tt.code.String(); got != tt.name {
			t.Errorf("String() = %q, want %q", got, tt.name)
		}
		if got := tt.code.Message(); got != tt.message {
			t.Errorf("%s.Message() = %q, want %q", tt.name, got, tt.message)
		}
		want := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + tt.name + `</Code><Message>` + tt.message + `</Message></Error>`
		if got := string(tt.code.Body()); got != want {
			t.Errorf("%s.Body() = %s, want %s", tt.name, got, want)
		}
		if got := len(tt.code.Body()); got != tt.length {
			t.Errorf("len(%s.Body()) = %d, want %d", tt.name, got, tt.length)
		}
	}
	if got := signing.OK.Body(); got != nil {
		t.Errorf("OK.Body() = %q, want nil", got)
	}
	if got, want := signing.Code(200).String(), "Code(200)"; got != want {
		t.Errorf("Code(200).String() = %q, want %q", got, want)
	}
	if got := signing.Code(200).Body(); got != nil {
		t.Errorf("Code(200).Body() = %q, want nil", got)
	}
}

// §11: each reason maps to exactly one code.
func TestReasonCode(t *testing.T) {
	tests := []struct {
		reason signing.Reason
		want   signing.Code
	}{
		{"", signing.OK},
		{signing.ReasonKeyIDMissing, signing.MissingKey},
		{signing.ReasonHashAlgUnsupported, signing.MalformedPolicy},
		{signing.ReasonPolicyB64, signing.MalformedPolicy},
		{signing.ReasonExpiresInvalid, signing.MalformedPolicy},
		{signing.ReasonPolicyMissing, signing.MalformedPolicy},
		{signing.ReasonPolicyJSON, signing.MalformedPolicy},
		{signing.ReasonPolicyStatementCount, signing.MalformedPolicy},
		{signing.ReasonPolicyDLTMissing, signing.MalformedPolicy},
		{signing.ReasonPolicyEpochInvalid, signing.MalformedPolicy},
		{signing.ReasonPolicyIPInvalid, signing.MalformedPolicy},
		{signing.ReasonPolicyResourceInvalid, signing.MalformedPolicy},
		{signing.ReasonKeyUnknown, signing.InvalidKey},
		{signing.ReasonSignatureMissing, signing.AccessDenied},
		{signing.ReasonSignatureB64, signing.MalformedSignature},
		{signing.ReasonSignatureMismatch, signing.AccessDenied},
		{signing.ReasonSignatureNotDER, signing.AccessDenied},
		{signing.ReasonExpired, signing.AccessDenied},
		{signing.ReasonNotYetValid, signing.AccessDenied},
		{signing.ReasonIPMismatch, signing.AccessDenied},
		{signing.ReasonResourceMismatch, signing.AccessDenied},
	}
	for _, tt := range tests {
		if got := tt.reason.Code(); got != tt.want {
			t.Errorf("Reason(%q).Code() = %v, want %v", tt.reason, got, tt.want)
		}
	}
}

func TestRejectionError(t *testing.T) {
	_, err := signing.Verify(request(t, site+"/a.jpg"), testKeys())
	if err == nil {
		t.Fatal("Verify admitted an unsigned request")
	}
	if got, want := err.Error(), "MissingKey (key_id_missing): "; !strings.HasPrefix(got, want) {
		t.Errorf("Error() = %q, want prefix %q", got, want)
	}
	r := &signing.Rejection{Code: signing.AccessDenied, Reason: signing.ReasonExpired}
	if got, want := r.Error(), "AccessDenied (expired)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseHashAlgorithm(t *testing.T) {
	tests := []struct {
		in      string
		want    signing.HashAlgorithm
		wantErr bool
	}{
		{"", signing.SHA1, false},
		{"SHA1", signing.SHA1, false},
		{"sha1", signing.SHA1, false},
		{"SHA256", signing.SHA256, false},
		{"sha256", signing.SHA256, false},
		{"ShA256", signing.SHA256, false},
		{"SHA-256", 0, true},
		{"SHA-1", 0, true},
		{"SHA512", 0, true},
		{" SHA256", 0, true},
		{"MD5", 0, true},
	}
	for _, tt := range tests {
		got, err := signing.ParseHashAlgorithm(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseHashAlgorithm(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if got, want := signing.SHA1.String(), "SHA1"; got != want {
		t.Errorf("SHA1.String() = %q, want %q", got, want)
	}
	if got, want := signing.SHA256.String(), "SHA256"; got != want {
		t.Errorf("SHA256.String() = %q, want %q", got, want)
	}
	if got, want := signing.ModeURL.String(), "signed URL"; got != want {
		t.Errorf("ModeURL.String() = %q, want %q", got, want)
	}
	if got, want := signing.ModeCookies.String(), "signed cookies"; got != want {
		t.Errorf("ModeCookies.String() = %q, want %q", got, want)
	}
}

// §14.3: the date formats of `aws cloudfront sign`.
func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-01-01", utc(2026, 1, 1, 0, 0, 0)},
		{"2026-01-01T12:30:45", utc(2026, 1, 1, 12, 30, 45)},
		{"2026-01-01T12:30:45Z", utc(2026, 1, 1, 12, 30, 45)},
		{"2026-01-01T12:30:45+02:00", utc(2026, 1, 1, 10, 30, 45)},
		{"2026-01-01T00:30:45-02:30", utc(2026, 1, 1, 3, 0, 45)},
		{"2026-01-01T12:30:45+0200", utc(2026, 1, 1, 10, 30, 45)},
		{"2026-01-01T12:30:45.999", utc(2026, 1, 1, 12, 30, 45).Add(999 * time.Millisecond)},
		{"2026-01-01 12:30:45", utc(2026, 1, 1, 12, 30, 45)},
		{" 2026-01-01 ", utc(2026, 1, 1, 0, 0, 0)},
		{"1767290400", time.Unix(1767290400, 0).UTC()},
		{"1767290400.9", time.Unix(1767290400, 0).UTC()},
		{"1767290400.", time.Unix(1767290400, 0).UTC()},
		{"0", time.Unix(0, 0).UTC()},
		{"20260101", time.Unix(20260101, 0).UTC()},
		{"9007199254740993", time.Unix(9007199254740993, 0).UTC()},
	}
	for _, tt := range tests {
		got, err := signing.ParseTime(tt.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"", "  ", "tomorrow", "2026-1-1", "2026/01/01", "01/02/2026", "2026-01-01T25:00:00", "2026-02-30", "-1", "1e9", ".5", "1.2.3", "2026-01-01T12:30", "99999999999999999999"} {
		if got, err := signing.ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, got)
		}
	}
}
