//go:build unix

package sqlite_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"keyfront"
	"keyfront/sqlite"
)

// TestOpenCreatesPrivateFiles checks that the database and the -wal and
// -shm files SQLite creates beside it are mode 0600 even under a umask
// that would leave them readable by everyone, and that Open restricts
// files an earlier run left more open.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	// 022 is the usual umask, and SQLite's own default would give 0644.
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"new database", func(*testing.T, string) {}},
		{"database and log left readable by others", func(t *testing.T, path string) {
			openAndWrite(t, path).Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				f, err := os.OpenFile(path+suffix, os.O_RDWR|os.O_CREATE, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				if err := os.Chmod(path+suffix, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keyfront.db")
			tt.prepare(t, path)
			db := openAndWrite(t, path)
			defer db.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				info, err := os.Stat(path + suffix)
				if err != nil {
					t.Fatalf("%s: %v (an open database in WAL mode has it)", filepath.Base(path+suffix), err)
				}
				if got, want := info.Mode().Perm(), os.FileMode(0o600); got != want {
					t.Errorf("%s mode = %04o, want %04o", filepath.Base(path+suffix), got, want)
				}
			}
		})
	}
}

// openAndWrite opens the database at path and commits one write, so that
// SQLite has created its log and shared-memory files.
func openAndWrite(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Update(t.Context(), func(tx keyfront.Tx) error {
		return tx.PutPublicKey(t.Context(), newFixture().publicKey)
	}); err != nil {
		db.Close()
		t.Fatalf("Update: %v", err)
	}
	return db
}
