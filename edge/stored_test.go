package edge_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"keyfront"
)

// The edge serves a distribution as the control API stored it and does
// not judge the stored configuration again: a configuration accepted by
// an API whose rules were laxer than this edge's (here, a Comment longer
// than today's 128 characters, and a ConnectionAttempts outside 1–3) is
// still served, while one that is not XML at all is not.
func TestStoredConfigurationIsNotValidatedAgain(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(cfg []byte) []byte
		wantCode int
	}{
		{"as stored", func(cfg []byte) []byte { return cfg }, http.StatusOK},
		{"long comment", func(cfg []byte) []byte {
			return bytes.Replace(cfg, []byte("<Comment></Comment>"), []byte("<Comment>"+strings.Repeat("c", 300)+"</Comment>"), 1)
		}, http.StatusOK},
		{"connection attempts out of range", func(cfg []byte) []byte {
			return bytes.Replace(cfg, []byte("<ConnectionAttempts>3</ConnectionAttempts>"), []byte("<ConnectionAttempts>7</ConnectionAttempts>"), 1)
		}, http.StatusOK},
		{"not XML", func(cfg []byte) []byte { return cfg[:len(cfg)/2] }, http.StatusForbidden}, // an unknown Host
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.origin.put("/a.txt", "public")
			d := dist{Domain: host1, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}}
			stored := d.stored(t)
			edited := tt.edit(stored)
			if tt.name != "as stored" && bytes.Equal(edited, stored) {
				t.Fatalf("the edit changed nothing in %s", stored)
			}
			e.update(func(ctx context.Context, tx keyfront.Tx) error {
				return tx.PutDistribution(ctx, &keyfront.Distribution{ID: dist1, ETag: nextETag(), Status: "Deployed",
					DomainName: host1, Enabled: true, Config: edited, LastModifiedTime: testNow, CallerReference: "test"})
			})
			resp, body := e.get("http://" + host1 + "/a.txt")
			if got, want := resp.StatusCode, tt.wantCode; got != want {
				t.Fatalf("status = %d, want %d: %s", got, want, body)
			}
		})
	}
}
