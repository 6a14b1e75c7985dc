package sqlite_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"testing"
	"testing/fstest"
	"time"

	"keyfront"
	"keyfront/sqlite"
)

// feedChildEnv names the database a child process of TestWaitWakesOnAnotherProcess
// commits one change to.
const feedChildEnv = "KEYFRONT_SQLITE_FEED_CHILD_DB"

// pollInterval is the poll interval the cross-process tests configure:
// short, so that they finish quickly.
const pollInterval = 5 * time.Millisecond

func openWith(t *testing.T, path string, o sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.OpenWith(t.Context(), path, o)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func putKey(ctx context.Context, s keyfront.Store, id keyfront.KeyPairID) error {
	return s.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutPublicKey(ctx, &keyfront.PublicKey{ID: id, ETag: "E1", Name: string(id), EncodedKey: "pem"})
	})
}

// waitFor runs Wait(after) in a goroutine and returns its result channel.
func waitFor(ctx context.Context, s keyfront.Store, after keyfront.Revision) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(ctx, after)
		done <- err
	}()
	return done
}

// TestWaitWakesOnAnotherDB has a waiter on one DB woken by a commit made
// through another DB on the same file: nothing but the file is shared, as
// between two processes.
func TestWaitWakesOnAnotherDB(t *testing.T) {
	path := tempPath(t)
	waiter := openWith(t, path, sqlite.Options{PollInterval: pollInterval})
	writer := openWith(t, path, sqlite.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	done := waitFor(ctx, waiter, 0)
	time.Sleep(20 * time.Millisecond)
	if err := putKey(ctx, writer, "K1"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait on the other DB: %v", err)
	}
	var cl *keyfront.ChangeList
	err := waiter.View(ctx, func(tx keyfront.Tx) error {
		var err error
		cl, err = tx.Changes(ctx, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cl.Changes), 1; got != want || cl.Changes[0].ID != "K1" {
		t.Errorf("changes seen through the waiting DB: %+v, want the other DB's one change", cl.Changes)
	}
}

// TestWaitWakesOnAnotherProcess has a child process commit while this one
// waits.
func TestWaitWakesOnAnotherProcess(t *testing.T) {
	if path := os.Getenv(feedChildEnv); path != "" {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := putKey(context.Background(), db, "KCHILD"); err != nil {
			t.Fatal(err)
		}
		return
	}
	path := tempPath(t)
	db := openWith(t, path, sqlite.Options{PollInterval: pollInterval})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := waitFor(ctx, db, 0)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWaitWakesOnAnotherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), feedChildEnv+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait while another process committed: %v", err)
	}
}

// TestWaitWatchRestarts checks that the watch that notices other
// processes' commits stops with the last waiter and starts again with the
// next.
func TestWaitWatchRestarts(t *testing.T) {
	path := tempPath(t)
	waiter := openWith(t, path, sqlite.Options{PollInterval: pollInterval})
	writer := openWith(t, path, sqlite.Options{})
	for i, id := range []keyfront.KeyPairID{"K1", "K2"} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		done := waitFor(ctx, waiter, keyfront.Revision(i))
		time.Sleep(20 * time.Millisecond)
		if err := putKey(ctx, writer, id); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait %d: %v", i+1, err)
		}
		cancel()
		// Long enough for the idle watch to notice it has nobody to
		// wake and stop.
		time.Sleep(5 * pollInterval)
	}
}

// TestFeedOfAnOlderDatabase opens a database written before the change
// feed existed: its records are described by no change, so a reader
// starting from revision 0 must be told to reload.
func TestFeedOfAnOlderDatabase(t *testing.T) {
	before := fstest.MapFS{}
	for _, name := range []string{"0001_initial.sql", "0002_objects.sql"} {
		b, err := fs.ReadFile(sqlite.Migrations, name)
		if err != nil {
			t.Fatal(err)
		}
		before[name] = &fstest.MapFile{Data: b}
	}
	tests := []struct {
		name       string
		write      string
		wantRev    keyfront.Revision
		wantReload keyfront.ReloadReason
	}{
		{"empty", "", 0, keyfront.ReloadNone},
		{"with a key group", `INSERT INTO key_groups VALUES ('g', 'E', 0, 'n', '[]', NULL)`, 1, keyfront.ReloadPruned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			if err := sqlite.MigrateFile(t.Context(), path, before); err != nil {
				t.Fatal(err)
			}
			if tt.write != "" {
				raw := rawDB(t, path)
				if _, err := raw.Exec(tt.write); err != nil {
					t.Fatal(err)
				}
				raw.Close()
			}
			db := openDB(t, path)
			err := db.View(t.Context(), func(tx keyfront.Tx) error {
				cl, err := tx.Changes(t.Context(), 0)
				if err != nil {
					return err
				}
				if cl.Revision != tt.wantRev || cl.Reload != tt.wantReload {
					t.Errorf("Changes(0) = revision %d, reload %v; want %d, %v", cl.Revision, cl.Reload, tt.wantRev, tt.wantReload)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The first change after the upgrade is listed to a reader
			// that loaded everything at the upgrade.
			if err := putKey(t.Context(), db, "K1"); err != nil {
				t.Fatal(err)
			}
			err = db.View(t.Context(), func(tx keyfront.Tx) error {
				cl, err := tx.Changes(t.Context(), tt.wantRev)
				if err != nil {
					return err
				}
				if cl.Reload != keyfront.ReloadNone || len(cl.Changes) != 1 || cl.Changes[0].Revision != tt.wantRev+1 {
					t.Errorf("Changes(%d) after one commit = %+v, want one change at %d", tt.wantRev, cl, tt.wantRev+1)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenWithRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    sqlite.Options
	}{
		{"negative KeepRevisions", sqlite.Options{KeepRevisions: -1}},
		{"negative PollInterval", sqlite.Options{PollInterval: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.OpenWith(t.Context(), tempPath(t), tt.o)
			if err == nil {
				db.Close()
				t.Fatal("OpenWith succeeded")
			}
			if got, want := keyfront.ErrorCode(err), keyfront.EINVALID; got != want {
				t.Errorf("error %v has code %q, want %q", err, got, want)
			}
		})
	}
}
