package keyfront_test

import (
	"testing"

	"keyfront"
)

func TestRecordIDCheck(t *testing.T) {
	tests := []struct {
		name     string
		r        keyfront.RecordID
		wantCode string
	}{
		{"public key", keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: "K2JCJMDEHXQW5F"}, ""},
		{"key group", keyfront.RecordID{Kind: keyfront.KindKeyGroup, ID: "0b9b7cde-6f0a-4c8e-9a6c-2d1f0e3b4a59"}, ""},
		{"origin access control", keyfront.RecordID{Kind: keyfront.KindOriginAccessControl, ID: "E1OAC000000000"}, ""},
		{"distribution", keyfront.RecordID{Kind: keyfront.KindDistribution, ID: "EDFDVBD6EXAMPL"}, ""},
		{"invalidation", keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: "I2J0I21PCUYOIK", DistributionID: "EDFDVBD6EXAMPL"}, ""},
		{"empty ID", keyfront.RecordID{Kind: keyfront.KindDistribution}, keyfront.EINVALID},
		{"empty kind", keyfront.RecordID{ID: "EDFDVBD6EXAMPL"}, keyfront.EINVALID},
		{"unknown kind", keyfront.RecordID{Kind: "bucket", ID: "b"}, keyfront.EINVALID},
		{"invalidation without distribution", keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: "I2J0I21PCUYOIK"}, keyfront.EINVALID},
		{"distribution ID on a key group", keyfront.RecordID{Kind: keyfront.KindKeyGroup, ID: "g", DistributionID: "EDFDVBD6EXAMPL"}, keyfront.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := keyfront.ErrorCode(tt.r.Check()), tt.wantCode; got != want {
				t.Errorf("Check(%+v) code = %q, want %q", tt.r, got, want)
			}
		})
	}
}

func TestReloadReasonString(t *testing.T) {
	tests := []struct {
		r    keyfront.ReloadReason
		want string
	}{
		{keyfront.ReloadNone, "none"},
		{keyfront.ReloadPruned, "pruned"},
		{keyfront.ReloadAhead, "ahead"},
		{keyfront.ReloadReason(7), "ReloadReason(7)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("ReloadReason(%d).String() = %q, want %q", int(tt.r), got, tt.want)
		}
	}
}
