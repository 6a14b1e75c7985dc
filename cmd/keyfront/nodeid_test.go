//go:build unix

package main_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keyfront"
	"keyfront/sqlite"
)

// The edge of `keyfront serve` is a node of the store under an ID kept in
// the data directory's node-id file: created once with mode 0600, the
// same after a restart, named in Via, and registered in the store with
// the revision the edge applied.
func TestServeEdgeKeepsItsNodeID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "node-id")

	srv := startServe(t, dir, nil)
	first := strings.TrimSpace(string(readFile(t, path)))
	if !regexp.MustCompile(`^[a-z0-9-]+-[a-z0-9]{8}$`).MatchString(first) {
		t.Errorf("node ID %q, want <host>-<8 random characters>", first)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Errorf("node-id mode %04o, want %04o", got, want)
	}
	// A Host no distribution has: the edge answers itself, with Via.
	resp, err := http.Get(srv.edgeURL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Via"), "1.1 "+first+" (keyfront)"; got != want {
		t.Errorf("Via %q, want %q", got, want)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exited with %d:\n%s", code, srv.stderr)
	}

	srv = startServe(t, dir, nil)
	if got := strings.TrimSpace(string(readFile(t, path))); got != first {
		t.Errorf("node ID after a restart %q, want %q", got, first)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("serve exited with %d:\n%s", code, srv.stderr)
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "keyfront.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(ctx, func(tx keyfront.Tx) error {
		nodes, err := tx.ListNodes(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		if len(nodes) != 1 || nodes[0].ID != first {
			t.Errorf("nodes in the store: %+v, want one, %s", nodes, first)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A node-id file that holds something unusable stops serve with a message
// that names the file and says what to do.
func TestServeRefusesBadNodeID(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"space inside", "edge one\n", "only letters, digits"},
		{"too long", strings.Repeat("e", 65), "at most 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "node-id"), []byte(tc.content), 0o600)
			r := serveRefused(t, map[string]string{
				"KEYFRONT_ACCESS_KEY_ID":     e2eAccessKey,
				"KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey,
			}, "serve", "--data-dir", dir, "--api-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0", "--edge-addr", "127.0.0.1:0")
			if r.code == 0 || !strings.Contains(r.stderr, "node-id") || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "remove it") {
				t.Errorf("exit %d, stderr %q; want a failure naming node-id, %q, and what to do", r.code, r.stderr, tc.want)
			}
			if got := string(readFile(t, filepath.Join(dir, "node-id"))); got != tc.content {
				t.Errorf("node-id now holds %q; a bad file must be left as it was", got)
			}
		})
	}
}
