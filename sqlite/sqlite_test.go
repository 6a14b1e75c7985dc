package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"keyfront"
	"keyfront/sqlite"
	"keyfront/storetest"

	sqlitedriver "modernc.org/sqlite"
)

// openDB opens the database at path and closes it when t ends.
func openDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func tempPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "keyfront.db")
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, o storetest.Options) keyfront.Store {
		db, err := sqlite.OpenWith(t.Context(), tempPath(t), sqlite.Options{KeepRevisions: o.KeepRevisions})
		if err != nil {
			t.Fatalf("OpenWith: %v", err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return db
	})
}

// fixture is one record of every kind, every field set; the sqlite store
// keeps even nil and empty slices apart, so it is compared with DeepEqual.
type fixture struct {
	publicKey    *keyfront.PublicKey
	keyGroups    []*keyfront.KeyGroup
	oac          *keyfront.OriginAccessControl
	distribution *keyfront.Distribution
	invalidation *keyfront.Invalidation
}

func newFixture() fixture {
	when := time.Date(2024, time.February, 29, 23, 59, 58, 999_000_000, time.UTC)
	comment := "group\ncomment"
	value := "v"
	return fixture{
		publicKey: &keyfront.PublicKey{ID: "K2JCJMDEHXQW5F", ETag: "E2QWRUHAPOMQZL", CreatedTime: when,
			CallerReference: "ref", Name: "key", EncodedKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
			Comment: "c"},
		keyGroups: []*keyfront.KeyGroup{
			{ID: "0b9b7cde-6f0a-4c8e-9a6c-2d1f0e3b4a59", ETag: "E1", LastModifiedTime: when, Name: "with comment",
				Items: []keyfront.KeyPairID{"K2JCJMDEHXQW5F", "K1AAAAAAAAAAAA"}, Comment: &comment},
			{ID: "1c0c8def-7a1b-4d9f-8b7d-3e2a1f4c5b6a", ETag: "E2", LastModifiedTime: when, Name: "no comment",
				Items: []keyfront.KeyPairID{}},
		},
		oac: &keyfront.OriginAccessControl{ID: "E1OAC000000000", ETag: "E3", Name: "oac", Description: "d",
			SigningProtocol: "sigv4", SigningBehavior: "always", OriginType: "s3", LastModifiedTime: when},
		distribution: &keyfront.Distribution{ID: "EDFDVBD6EXAMPL", ETag: "E4", Status: "Deployed", LastModifiedTime: when,
			DomainName: "d111111abcdef8.cloudfront.localhost", CallerReference: "dist", Enabled: true,
			Aliases: []string{"www.example.com"}, KeyGroupIDs: []keyfront.KeyGroupID{"0b9b7cde-6f0a-4c8e-9a6c-2d1f0e3b4a59"},
			OriginAccessControlIDs: []string{"E1OAC000000000"},
			Config:                 []byte("<DistributionConfig>\r\n\t<Enabled>true</Enabled>\n</DistributionConfig>\n\x00\xff"),
			Tags:                   []keyfront.Tag{{Key: "a", Value: &value}, {Key: "b"}}},
		invalidation: &keyfront.Invalidation{ID: "I2J0I21PCUYOIK", DistributionID: "EDFDVBD6EXAMPL", Status: "Completed",
			CreateTime: when, CallerReference: "inv", Paths: []string{"/*"}},
	}
}

func (f fixture) put(ctx context.Context, tx keyfront.Tx) error {
	errs := []error{tx.PutPublicKey(ctx, f.publicKey)}
	for _, g := range f.keyGroups {
		errs = append(errs, tx.PutKeyGroup(ctx, g))
	}
	errs = append(errs,
		tx.PutOriginAccessControl(ctx, f.oac),
		tx.PutDistribution(ctx, f.distribution),
		tx.PutInvalidation(ctx, f.invalidation))
	return errors.Join(errs...)
}

// check fails t unless s holds f exactly.
func (f fixture) check(t *testing.T, s keyfront.Store) {
	t.Helper()
	err := s.View(t.Context(), func(tx keyfront.Tx) error {
		ctx := t.Context()
		same := func(what string, got, want any, err error) {
			t.Helper()
			if err != nil {
				t.Errorf("%s: %v", what, err)
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %+v, want %+v", what, got, want)
			}
		}
		pk, err := tx.GetPublicKey(ctx, f.publicKey.ID)
		same("public key", pk, f.publicKey, err)
		for _, want := range f.keyGroups {
			g, err := tx.GetKeyGroup(ctx, want.ID)
			same("key group "+want.Name, g, want, err)
		}
		o, err := tx.GetOriginAccessControl(ctx, f.oac.ID)
		same("origin access control", o, f.oac, err)
		d, err := tx.GetDistribution(ctx, f.distribution.ID)
		same("distribution", d, f.distribution, err)
		inv, err := tx.GetInvalidation(ctx, f.distribution.ID, f.invalidation.ID)
		same("invalidation", inv, f.invalidation, err)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPersistsAcrossCloseAndOpen(t *testing.T) {
	path := tempPath(t)
	f := newFixture()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(t.Context(), func(tx keyfront.Tx) error { return f.put(t.Context(), tx) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// A clean close checkpoints the log into the database file.
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close, stat %s-wal: %v, want it removed", path, err)
	}
	for i := range 2 { // the second reopen finds the schema already current
		t.Run(fmt.Sprintf("reopen %d", i+1), func(t *testing.T) {
			db := openDB(t, path)
			f.check(t, db)
		})
	}
}

func TestOpenSetsModes(t *testing.T) {
	path := tempPath(t)
	openDB(t, path)
	raw := rawDB(t, path)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"user_version", fmt.Sprint(migrationCount(t))},
	}
	for _, tt := range tests {
		var got string
		if err := raw.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
}

// rawDB opens path with the driver directly, to do what keyfront never
// would; it is closed when t ends.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(sqlite.Migrations, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notADatabase := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notADatabase, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		code string
	}{
		{"empty path", "", keyfront.EINVALID},
		{"missing directory", filepath.Join(dir, "missing", "keyfront.db"), keyfront.EINTERNAL},
		{"directory", dir, keyfront.EINTERNAL},
		{"not a database", notADatabase, keyfront.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.Open(t.Context(), tt.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.path)
			}
			if got := keyfront.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (error %v)", got, tt.code, err)
			}
			checkNoDriverError(t, err)
		})
	}
}

// checkNoDriverError fails t if a driver type is in err's chain.
func checkNoDriverError(t *testing.T, err error) {
	t.Helper()
	var derr *sqlitedriver.Error
	if errors.As(err, &derr) {
		t.Errorf("error %v carries the driver's %T", err, derr)
	}
	var kerr *keyfront.Error
	if !errors.As(err, &kerr) {
		t.Errorf("error %v (%T) is not a *keyfront.Error", err, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := tempPath(t)
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := rawDB(t, path).Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(t.Context(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a database from a newer schema")
	}
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Errorf("error = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, "version 99"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestMigrate(t *testing.T) {
	v1 := "CREATE TABLE a (x INTEGER) STRICT;\nCREATE INDEX a_x ON a (x);"
	v2 := "ALTER TABLE a ADD COLUMN y TEXT;"
	broken := "CREATE TABLE b (x INTEGER);\nTHIS IS NOT SQL;"
	type step struct {
		files       fstest.MapFS
		wantErr     bool
		wantVersion int
		wantTables  string
	}
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name  string
		steps []step
	}{
		{"one, then the next", []step{
			{files: fstest.MapFS{"0001_a.sql": file(v1)}, wantVersion: 1, wantTables: "a"},
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0002_b.sql": file(v2)}, wantVersion: 2, wantTables: "a"},
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0002_b.sql": file(v2)}, wantVersion: 2, wantTables: "a"},
		}},
		{"a failing migration rolls back the ones before it", []step{
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0002_b.sql": file(broken)}, wantErr: true, wantVersion: 0, wantTables: ""},
		}},
		{"a failing migration keeps the applied version", []step{
			{files: fstest.MapFS{"0001_a.sql": file(v1)}, wantVersion: 1, wantTables: "a"},
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0002_b.sql": file(broken)}, wantErr: true, wantVersion: 1, wantTables: "a"},
		}},
		{"gap in versions", []step{
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0003_b.sql": file(v2)}, wantErr: true, wantVersion: 0, wantTables: ""},
		}},
		{"badly named file", []step{
			{files: fstest.MapFS{"first.sql": file(v1)}, wantErr: true, wantVersion: 0, wantTables: ""},
		}},
		{"newer database", []step{
			{files: fstest.MapFS{"0001_a.sql": file(v1), "0002_b.sql": file(v2)}, wantVersion: 2, wantTables: "a"},
			{files: fstest.MapFS{"0001_a.sql": file(v1)}, wantErr: true, wantVersion: 2, wantTables: "a"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t)
			for i, s := range tt.steps {
				err := sqlite.MigrateFile(t.Context(), path, s.files)
				if (err != nil) != s.wantErr {
					t.Fatalf("step %d: error = %v, want error %v", i, err, s.wantErr)
				}
				raw := rawDB(t, path)
				var version int
				var tables string
				if err := raw.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
					t.Fatal(err)
				}
				if err := raw.QueryRow("SELECT coalesce(group_concat(name, ','), '') FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
					t.Fatal(err)
				}
				raw.Close()
				if version != s.wantVersion || tables != s.wantTables {
					t.Errorf("step %d: version %d, tables %q; want %d, %q", i, version, tables, s.wantVersion, s.wantTables)
				}
			}
		})
	}
}

func TestNotFoundErrors(t *testing.T) {
	db := openDB(t, tempPath(t))
	ctx := t.Context()
	if err := db.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutDistribution(ctx, &keyfront.Distribution{ID: "EEXISTS0000000"})
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		op   string
		call func(keyfront.Tx) error
	}{
		{"sqlite: get public key", func(tx keyfront.Tx) error { _, err := tx.GetPublicKey(ctx, "KMISSING"); return err }},
		{"sqlite: delete public key", func(tx keyfront.Tx) error { return tx.DeletePublicKey(ctx, "KMISSING") }},
		{"sqlite: get key group", func(tx keyfront.Tx) error { _, err := tx.GetKeyGroup(ctx, "missing"); return err }},
		{"sqlite: delete key group", func(tx keyfront.Tx) error { return tx.DeleteKeyGroup(ctx, "missing") }},
		{"sqlite: get origin access control", func(tx keyfront.Tx) error { _, err := tx.GetOriginAccessControl(ctx, "EMISSING"); return err }},
		{"sqlite: delete origin access control", func(tx keyfront.Tx) error { return tx.DeleteOriginAccessControl(ctx, "EMISSING") }},
		{"sqlite: get distribution", func(tx keyfront.Tx) error { _, err := tx.GetDistribution(ctx, "EMISSING"); return err }},
		{"sqlite: delete distribution", func(tx keyfront.Tx) error { return tx.DeleteDistribution(ctx, "EMISSING") }},
		{"sqlite: get invalidation", func(tx keyfront.Tx) error {
			_, err := tx.GetInvalidation(ctx, "EEXISTS0000000", "IMISSING")
			return err
		}},
		{"sqlite: list invalidations", func(tx keyfront.Tx) error {
			_, err := tx.ListInvalidations(ctx, "EMISSING", keyfront.Page{})
			return err
		}},
		{"sqlite: put invalidation", func(tx keyfront.Tx) error {
			return tx.PutInvalidation(ctx, &keyfront.Invalidation{ID: "INEW", DistributionID: "EMISSING"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			db.Update(ctx, func(tx keyfront.Tx) error {
				err := tt.call(tx)
				var kerr *keyfront.Error
				if !errors.As(err, &kerr) {
					t.Fatalf("error = %v (%T), want a *keyfront.Error", err, err)
				}
				if kerr.Code != keyfront.ENOTFOUND || kerr.Op != tt.op || kerr.Message == "" {
					t.Errorf("error = %#v, want code %q, Op %q and a message", kerr, keyfront.ENOTFOUND, tt.op)
				}
				return nil
			})
		})
	}
}

func TestInvalidArguments(t *testing.T) {
	db := openDB(t, tempPath(t))
	ctx := t.Context()
	tests := []struct {
		name string
		call func(keyfront.Tx) error
	}{
		{"negative limit", func(tx keyfront.Tx) error { _, err := tx.ListKeyGroups(ctx, keyfront.Page{Limit: -1}); return err }},
		{"empty public key ID", func(tx keyfront.Tx) error { return tx.PutPublicKey(ctx, &keyfront.PublicKey{}) }},
		{"empty key group ID", func(tx keyfront.Tx) error { return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{}) }},
		{"empty origin access control ID", func(tx keyfront.Tx) error {
			return tx.PutOriginAccessControl(ctx, &keyfront.OriginAccessControl{})
		}},
		{"empty distribution ID", func(tx keyfront.Tx) error { return tx.PutDistribution(ctx, &keyfront.Distribution{}) }},
		{"empty invalidation ID", func(tx keyfront.Tx) error {
			return tx.PutInvalidation(ctx, &keyfront.Invalidation{DistributionID: "E1"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db.Update(ctx, func(tx keyfront.Tx) error {
				if got := keyfront.ErrorCode(tt.call(tx)); got != keyfront.EINVALID {
					t.Errorf("code = %q, want %q", got, keyfront.EINVALID)
				}
				return nil
			})
		})
	}
}

// TestDriverErrorsAreConverted damages the schema behind the store's back,
// so that SQLite itself fails a statement.
func TestDriverErrorsAreConverted(t *testing.T) {
	path := tempPath(t)
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := rawDB(t, path).Exec("DROP TABLE key_groups"); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, path)
	err = db.View(t.Context(), func(tx keyfront.Tx) error {
		_, err := tx.GetKeyGroup(t.Context(), "any")
		return err
	})
	var kerr *keyfront.Error
	if !errors.As(err, &kerr) || kerr.Code != keyfront.EINTERNAL || kerr.Op != "sqlite: get key group" {
		t.Fatalf("error = %#v, want EINTERNAL from sqlite: get key group", err)
	}
	if !strings.Contains(err.Error(), "no such table") {
		t.Errorf("error %q lost the cause's text", err)
	}
	if got, want := keyfront.ErrorMessage(err), "An internal error occurred."; got != want {
		t.Errorf("client message = %q, want %q", got, want)
	}
	checkNoDriverError(t, err)
}

func TestViewWriteError(t *testing.T) {
	db := openDB(t, tempPath(t))
	err := db.View(t.Context(), func(tx keyfront.Tx) error {
		return tx.PutKeyGroup(t.Context(), &keyfront.KeyGroup{ID: "g"})
	})
	var kerr *keyfront.Error
	if !errors.As(err, &kerr) || kerr.Code != keyfront.EINTERNAL || kerr.Op != "sqlite: put key group" {
		t.Errorf("error = %#v, want EINTERNAL from sqlite: put key group", err)
	}
}

func TestCloseWaitsForTransactions(t *testing.T) {
	path := tempPath(t)
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- db.Update(context.Background(), func(tx keyfront.Tx) error {
			close(inside)
			<-release
			return tx.PutKeyGroup(context.Background(), &keyfront.KeyGroup{ID: "late", Items: []keyfront.KeyPairID{}})
		})
	}()
	<-inside
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while an Update was in progress", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-updated; err != nil {
		t.Fatalf("Update in progress during Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, run := range map[string]func(context.Context, func(keyfront.Tx) error) error{"View": db.View, "Update": db.Update} {
		err := run(t.Context(), func(keyfront.Tx) error { return nil })
		if got := keyfront.ErrorCode(err); got != keyfront.EINTERNAL {
			t.Errorf("%s after Close: error %v, want EINTERNAL", name, err)
		}
	}
	db = openDB(t, path)
	err = db.View(t.Context(), func(tx keyfront.Tx) error {
		_, err := tx.GetKeyGroup(t.Context(), "late")
		return err
	})
	if err != nil {
		t.Errorf("the Update that finished during Close was lost: %v", err)
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with%25odd#chars")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keyfront.db")
	db := openDB(t, path)
	if got := db.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created where asked: %v", err)
	}
}

func BenchmarkPutGet(b *testing.B) {
	db := openDB(b, tempPath(b))
	ctx := context.Background()
	group := func(i int) *keyfront.KeyGroup {
		c := "benchmark"
		return &keyfront.KeyGroup{ID: keyfront.KeyGroupID(fmt.Sprintf("%036d", i)), ETag: "E1",
			LastModifiedTime: time.Now(), Name: fmt.Sprintf("group-%d", i),
			Items: []keyfront.KeyPairID{"K2JCJMDEHXQW5F", "K1AAAAAAAAAAAA"}, Comment: &c}
	}
	const stored = 100
	if err := db.Update(ctx, func(tx keyfront.Tx) error {
		for i := range stored {
			if err := tx.PutKeyGroup(ctx, group(i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}

	b.Run("Put", func(b *testing.B) {
		// One Update per Put: the cost is the commit's fsync.
		i := 0
		for b.Loop() {
			g := group(i % stored)
			i++
			if err := db.Update(ctx, func(tx keyfront.Tx) error { return tx.PutKeyGroup(ctx, g) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		i := 0
		for b.Loop() {
			id := group(i % stored).ID
			i++
			if err := db.View(ctx, func(tx keyfront.Tx) error { _, err := tx.GetKeyGroup(ctx, id); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				id := group(i % stored).ID
				i++
				if err := db.View(ctx, func(tx keyfront.Tx) error { _, err := tx.GetKeyGroup(ctx, id); return err }); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("List100", func(b *testing.B) {
		for b.Loop() {
			if err := db.View(ctx, func(tx keyfront.Tx) error {
				gs, err := tx.ListKeyGroups(ctx, keyfront.Page{Limit: stored})
				if err == nil && len(gs) != stored {
					err = fmt.Errorf("listed %d", len(gs))
				}
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
