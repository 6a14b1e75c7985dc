// Package sqlite implements keyfront.Store on one SQLite database file,
// through the pure-Go driver modernc.org/sqlite (no cgo, so keyfront stays a
// single static binary).
//
// # Connections and transactions
//
// A DB holds two connection pools on the same file. Update runs on the only
// connection of the writer pool and starts with BEGIN IMMEDIATE, which takes
// SQLite's write lock before the first read: a read-compare-write inside one
// Update (an If-Match check) therefore cannot interleave with another
// Update, in this process or in any other that opens the file. View runs on
// the reader pool, whose connections are opened with PRAGMA query_only, so
// any number of Views proceed concurrently with each other and with an
// Update; in WAL mode each View sees the database as it was at its first
// read, unaffected by commits made while it runs. Calling a Put or Delete
// method inside View returns an EINTERNAL error before touching the
// database. Do not call Update from inside an Update: the inner call would
// wait forever for the writer connection the outer one holds. (A View
// inside an Update works, but does not see the Update's writes.) Views
// share a pool of max(4, GOMAXPROCS) connections.
//
// # Durability
//
// The database is in WAL mode with synchronous=FULL: SQLite syncs the
// write-ahead log before a commit returns, so an Update that returned nil
// survives the process being killed and, as far as the disk honours fsync,
// the machine losing power. synchronous=NORMAL would survive a killed
// process but may lose the last commits on power loss; keyfront acknowledges
// API writes to clients, so it pays the sync per commit.
//
// # Schema
//
// The schema lives in migrations/NNNN_name.sql, embedded in the binary. Open
// applies the ones newer than the database's PRAGMA user_version in a single
// transaction, and refuses with ErrNewerSchema a database written by a newer
// keyfront, rather than guess at tables it does not know.
//
// # Change feed
//
// Every Update that changes the configuration advances the revision in a
// one-row table and records what it changed in a log table, in the same
// transaction (see feed.go and migrations/0003_feed.sql). The log keeps
// the changes of the last Options.KeepRevisions revisions (10,000 by
// default); readers further behind are told to reload. Wait wakes at once
// for commits made through the same DB, and notices other processes'
// commits by reading the revision every Options.PollInterval (50ms by
// default) while anybody waits. Writing the origin's buckets and objects,
// or nodes, is not a change.
//
// # Values
//
// Timestamps are stored as Unix milliseconds and returned in UTC: a time
// with finer precision comes back truncated to the millisecond, which is
// the precision the CloudFront API shows. Distribution.Config is stored as a
// BLOB and returned byte for byte. Slices inside records are stored as JSON
// arrays: order is kept, and so is the difference between a nil and an
// empty slice, except that Config always comes back non-nil (callers
// should not rely on the difference; storetest does not require it of
// other stores). Every value returned is freshly decoded, so callers may
// modify it.
//
// # Errors
//
// Every error returned is a *keyfront.Error: ENOTFOUND for a missing ID,
// EINVALID for a malformed argument (an empty ID, a negative Page.Limit),
// EINTERNAL for anything SQLite or the file system reports. Driver errors
// are flattened to their text so that no driver type leaves this package;
// context cancellation is kept, so errors.Is(err, context.Canceled) works.
// Errors returned by the function given to Update or View are returned
// unchanged.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"keyfront"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMS is how long a connection waits for a lock held by another
// connection (another process, or a checkpoint) before failing with
// SQLITE_BUSY. In-process writers never wait on it: they queue for the
// single writer connection instead.
const busyTimeoutMS = 10000

// DB is a keyfront.Store on a SQLite database file. It is safe for
// concurrent use.
type DB struct {
	path   string
	writer *sql.DB // exactly one connection; every Update runs on it
	reader *sql.DB // query_only connections for View

	mu       sync.Mutex     // guards closed and calls to inflight.Add
	closed   bool           // set by Close; no transaction starts after it
	inflight sync.WaitGroup // transactions started and not yet finished

	feed feed // the change feed's settings and waiters (feed.go)
}

var _ keyfront.Store = (*DB)(nil)

// ErrNewerSchema is the cause (see errors.Is) of Open's error when the
// database was written by a newer keyfront whose schema this one does not
// know.
var ErrNewerSchema = errors.New("database schema is newer than this keyfront supports")

// Open opens the database at path, creating the file if it does not exist
// (its directory must), and brings its schema up to date. ctx bounds the
// migration. The database and its -wal and -shm files are readable and
// writable by their owner only (mode 0600); Open restricts existing ones
// that are more open.
func Open(ctx context.Context, path string) (*DB, error) {
	op := "sqlite: open " + path
	if path == "" {
		return nil, &keyfront.Error{Code: keyfront.EINVALID, Op: "sqlite: open", Message: "empty database path"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, internal(ctx, op, err)
	}
	db := &DB{path: abs}
	if err := createPrivate(abs); err != nil {
		return nil, internal(ctx, op, err)
	}

	db.writer, err = openWriter(abs)
	if err != nil {
		return nil, internal(ctx, op, err)
	}
	if err := db.checkModes(ctx, op); err != nil {
		db.writer.Close()
		return nil, err
	}
	if err := migrate(ctx, db.writer, migrations); err != nil {
		db.writer.Close()
		var kerr *keyfront.Error
		if errors.As(err, &kerr) {
			// "sqlite: open /data/keyfront.db: migrate 0002_x.sql: …"
			kerr.Op = op + ": " + strings.TrimPrefix(kerr.Op, "sqlite: ")
			return nil, kerr
		}
		return nil, internal(ctx, op, err)
	}
	// SQLite syncs the directory when it creates the log, but not when it
	// creates the database file itself; without this, a new database could
	// vanish with its directory entry on power loss.
	if err := syncDir(filepath.Dir(abs)); err != nil {
		db.writer.Close()
		return nil, internal(ctx, op, err)
	}

	// Readers are opened after the migration so that they never see a
	// file without the WAL mode or the schema.
	db.reader, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS),
			"query_only(1)",
		},
	}))
	if err != nil {
		db.writer.Close()
		return nil, internal(ctx, op, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)
	if err := db.reader.PingContext(ctx); err != nil {
		db.reader.Close()
		db.writer.Close()
		return nil, internal(ctx, op, err)
	}
	return db, nil
}

// fileMode is the mode of the database and of the files SQLite creates
// next to it: they hold every distribution's configuration.
const fileMode os.FileMode = 0o600

// createPrivate creates the database file at abs with mode 0600 if it does
// not exist, and restricts it and its companions to 0600 if they do.
//
// SQLite's unix VFS creates a new database with mode 0644 less the umask
// (SQLITE_DEFAULT_FILE_PERMISSIONS), and gives the -wal, -journal and
// -shm files it creates later the mode of the database file
// (findCreateFileMode and unixOpenSharedMemory in os_unix.c; modernc.org/
// sqlite is that C code translated to Go). Creating the database file
// ourselves with 0600 therefore makes every file SQLite creates 0600,
// whatever the umask, without changing the umask of the whole process
// (which would also change the mode of files that keyfront's user names,
// such as the access log). Companions left by an earlier run, from before
// this rule or from a kill -9, keep their mode when SQLite reuses them, so
// they are restricted here too.
func createPrivate(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		p := abs + suffix
		info, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if info.Mode().Perm()&^fileMode != 0 {
			if err := os.Chmod(p, fileMode); err != nil {
				return err
			}
		}
	}
	return nil
}

// openWriter opens the pool of one connection that every Update uses. Its
// DSN sets the file's persistent journal mode (WAL) and the
// per-connection settings that matter for writes; _txlock makes every
// BeginTx on it a BEGIN IMMEDIATE.
func openWriter(abs string) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS),
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(FULL)",
		},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	return w, nil
}

// syncDir flushes the directory dir to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// dsn returns the driver's data source name for the file at abs: a
// "file:" URI, so that a path containing '?' or '%' is escaped rather than
// taken for parameters.
func dsn(abs string, params url.Values) string {
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: abs}).EscapedPath(), RawQuery: params.Encode()}
	return u.String()
}

// checkModes verifies that the journal and sync modes asked for in the DSN
// took effect: PRAGMA journal_mode=WAL does not fail where WAL is
// impossible (a VFS without shared memory), it answers with the mode it
// kept; and the durability promise rests on both modes.
func (db *DB) checkModes(ctx context.Context, op string) error {
	var mode string
	var sync int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return internal(ctx, op, err)
	}
	if err := db.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return internal(ctx, op, err)
	}
	if mode != "wal" || sync != 2 {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op,
			Err: fmt.Errorf("journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)}
	}
	return nil
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Close waits for the transactions in progress to finish, then closes the
// database. Transactions asked for after Close has begun fail with
// EINTERNAL. Calling Close more than once is harmless.
func (db *DB) Close() error {
	db.mu.Lock()
	already := db.closed
	db.closed = true
	db.mu.Unlock()
	if already {
		return nil
	}
	db.feed.close()
	db.inflight.Wait()
	// Readers first: when the writer's connection, the last one, closes,
	// SQLite checkpoints the WAL into the main file and removes it.
	rerr := db.reader.Close()
	werr := db.writer.Close()
	if err := errors.Join(rerr, werr); err != nil {
		return internal(context.Background(), "sqlite: close", err)
	}
	return nil
}

// enter registers a transaction about to start, unless the DB is closed.
func (db *DB) enter(op string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("database is closed")}
	}
	db.inflight.Add(1)
	return nil
}

// View runs fn in a read-only transaction on a snapshot of the database.
func (db *DB) View(ctx context.Context, fn func(keyfront.Tx) error) error {
	const op = "sqlite: view"
	if err := db.enter(op); err != nil {
		return err
	}
	defer db.inflight.Done()
	stx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return internal(ctx, op, err)
	}
	// A read transaction has nothing to commit; rolling back ends it and
	// releases its snapshot, which lets checkpoints make progress.
	defer stx.Rollback()
	return fn(&tx{tx: stx})
}

// Update runs fn in a read-write transaction, serialised with every other
// Update, and commits if fn returns nil. If fn returns an error or panics,
// nothing it wrote is kept, and the error or panic is passed on unchanged.
func (db *DB) Update(ctx context.Context, fn func(keyfront.Tx) error) error {
	const op = "sqlite: update"
	if err := db.enter(op); err != nil {
		return err
	}
	defer db.inflight.Done()
	stx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return internal(ctx, op, err)
	}
	done := false
	defer func() {
		if !done {
			stx.Rollback()
		}
	}()
	t := &tx{tx: stx, writable: true, keep: db.feed.keepRevisions()}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.changes.err; err != nil {
		return err
	}
	done = true
	if err := stx.Commit(); err != nil {
		return internal(ctx, "sqlite: commit", err)
	}
	if t.changes.rev != 0 {
		db.feed.advance(t.changes.rev)
	}
	return nil
}

// internal converts an error from the driver, database/sql or the file
// system into an EINTERNAL *keyfront.Error. The cause keeps the text but not
// the type of err, so that no driver error escapes; if ctx is done, the
// cause wraps ctx.Err() instead, since an interrupted statement is the
// caller's cancellation, not a fault.
func internal(ctx context.Context, op string, err error) error {
	ctxErr := ctx.Err()
	switch {
	case errors.Is(err, context.Canceled):
		ctxErr = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		ctxErr = context.DeadlineExceeded
	}
	var cause error
	switch text := err.Error(); {
	case ctxErr == nil:
		cause = errors.New(text)
	case text == ctxErr.Error():
		cause = ctxErr
	default:
		cause = fmt.Errorf("%w (%s)", ctxErr, text)
	}
	return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: cause}
}
