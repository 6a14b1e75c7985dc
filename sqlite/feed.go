package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"keyfront"
)

// The change feed (keyfront.Revision) is two tables written by the same
// transaction as the records they describe (migrations/0003_feed.sql): the
// one-row feed table holding the revision and how far the log is pruned,
// and the changes log. An Update's first write of a record advances the
// revision, so Updates that change nothing leave it; since every writer
// takes SQLite's write lock before its first read (BEGIN IMMEDIATE),
// revisions follow commit order across processes.
//
// Wait learns of commits made through this DB at once, from Update, and of
// commits made by other processes sharing the file by reading the feed
// row every PollInterval while anybody waits: one primary-key read of a
// one-row table per tick, whatever the size of the database, shared by
// every waiter of the DB.

// Defaults of Options.
const (
	DefaultKeepRevisions = 10000
	DefaultPollInterval  = 50 * time.Millisecond
)

// Options tune a DB's change feed. The zero value is the defaults.
type Options struct {
	// KeepRevisions is how many revisions' changes the log keeps: the
	// Update that commits revision R removes the changes of revisions at
	// or below R-KeepRevisions, so the log stays bounded. A reader further
	// behind than that is told to reload (keyfront.ReloadPruned). Zero
	// means DefaultKeepRevisions (10,000). A change takes about 130
	// bytes of the file with its index, so 10,000 revisions of one
	// change each take about 1.3 MB.
	KeepRevisions int64
	// PollInterval is how often Wait reads the revision to notice commits
	// made by other processes sharing the database file: the latency of a
	// change reaching another process's waiter, at the price of one read
	// per interval while anything waits. Commits made through this DB
	// wake its waiters at once. Zero means DefaultPollInterval (50ms).
	PollInterval time.Duration
}

// OpenWith is Open with the change feed tuned by o. It returns EINVALID if
// a field of o is negative.
func OpenWith(ctx context.Context, path string, o Options) (*DB, error) {
	const op = "sqlite: open"
	switch {
	case o.KeepRevisions < 0:
		return nil, &keyfront.Error{Code: keyfront.EINVALID, Op: op,
			Message: fmt.Sprintf("KeepRevisions is %d; it must be positive, or zero for the default (%d).", o.KeepRevisions, DefaultKeepRevisions)}
	case o.PollInterval < 0:
		return nil, &keyfront.Error{Code: keyfront.EINVALID, Op: op,
			Message: fmt.Sprintf("PollInterval is %v; it must be positive, or zero for the default (%v).", o.PollInterval, DefaultPollInterval)}
	}
	db, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	// Nothing has used db yet, so no lock is needed.
	if o.KeepRevisions > 0 {
		db.feed.keep = o.KeepRevisions
	}
	if o.PollInterval > 0 {
		db.feed.poll = o.PollInterval
	}
	return db, nil
}

// feed is a DB's side of the change feed: its settings and the waiters of
// Wait. The zero value holds the defaults.
type feed struct {
	keep int64         // KeepRevisions; 0 means the default
	poll time.Duration // PollInterval; 0 means the default

	mu       sync.Mutex        // guards the fields below
	known    keyfront.Revision // the highest revision seen committed
	changed  chan struct{}     // closed when known grows or the DB closes; nil until a waiter needs it
	waiters  int               // Waits blocked on changed
	watching bool              // a watch goroutine runs
	closed   bool              // set by DB.Close
	stop     chan struct{}     // closed by DB.Close to stop the watch goroutine; nil until one starts
}

func (f *feed) keepRevisions() int64 {
	if f.keep > 0 {
		return f.keep
	}
	return DefaultKeepRevisions
}

func (f *feed) pollInterval() time.Duration {
	if f.poll > 0 {
		return f.poll
	}
	return DefaultPollInterval
}

// advance records that revision rev has been committed, waking the
// waiters if it is news.
func (f *feed) advance(rev keyfront.Revision) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rev <= f.known {
		return
	}
	f.known = rev
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
}

// close wakes every waiter for good and stops the watch goroutine.
func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
	if f.stop != nil {
		close(f.stop)
	}
}

// errClosed is the error of a Wait on a closed DB.
func errClosed(op string) error {
	return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("database is closed")}
}

// Wait returns the revision as soon as it is greater than after; see
// keyfront.Store.
func (db *DB) Wait(ctx context.Context, after keyfront.Revision) (keyfront.Revision, error) {
	const op = "sqlite: wait"
	if after < 0 {
		return 0, &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The revision is negative."}
	}
	// Another process may have committed while nobody here watched.
	rev, err := db.readRevision(ctx, op)
	if err != nil {
		return 0, err
	}
	db.feed.advance(rev)

	f := &db.feed
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return 0, errClosed(op)
		}
		if f.known > after {
			rev := f.known
			f.mu.Unlock()
			return rev, nil
		}
		if f.changed == nil {
			f.changed = make(chan struct{})
		}
		changed := f.changed
		f.waiters++
		if !f.watching {
			f.watching = true
			if f.stop == nil {
				f.stop = make(chan struct{})
			}
			go db.watch(f.stop)
		}
		f.mu.Unlock()

		select {
		case <-changed:
		case <-ctx.Done():
		}
		f.mu.Lock()
		f.waiters--
		f.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return 0, &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: err}
		}
	}
}

// watch reads the revision every poll interval while anybody waits, so
// that commits made by other processes wake this one's waiters. It ends
// when the last waiter has gone or the DB closes.
func (db *DB) watch(stop <-chan struct{}) {
	f := &db.feed
	tick := time.NewTicker(f.pollInterval())
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		f.mu.Lock()
		if f.waiters == 0 {
			f.watching = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		// An error (the file briefly locked past the busy timeout, a
		// closing DB) is retried on the next tick; a closed DB stops this
		// goroutine through stop.
		if rev, err := db.readRevision(context.Background(), "sqlite: watch"); err == nil {
			f.advance(rev)
		}
	}
}

// readRevision reads the committed revision outside any transaction.
func (db *DB) readRevision(ctx context.Context, op string) (keyfront.Revision, error) {
	if err := db.enter(op); err != nil {
		return 0, err
	}
	defer db.inflight.Done()
	var rev keyfront.Revision
	if err := db.reader.QueryRowContext(ctx, `SELECT revision FROM feed WHERE id = 1`).Scan(&rev); err != nil {
		return 0, internal(ctx, op, err)
	}
	return rev, nil
}

// changeSet is what one Update has recorded in the log so far.
type changeSet struct {
	rev  keyfront.Revision // the revision the Update commits as; 0 until its first change
	seq  int               // changes recorded at rev
	seen map[keyfront.RecordID]bool
	// err is the first failure to record a change. Update refuses to
	// commit after one, even if its function ignored the error: a record
	// written without its change would never reach the feed's readers.
	err error
}

// record notes in the log that the transaction put or deleted r. The
// first change of an Update advances the revision and prunes the log;
// later changes of the same record in the same Update are not repeated.
func (t *tx) record(ctx context.Context, op string, r keyfront.RecordID) error {
	c := &t.changes
	if c.seen[r] {
		return nil
	}
	if err := t.recordNew(ctx, op, r); err != nil {
		if c.err == nil {
			c.err = err
		}
		return err
	}
	return nil
}

func (t *tx) recordNew(ctx context.Context, op string, r keyfront.RecordID) error {
	c := &t.changes
	if c.rev == 0 {
		// The feed row's CHECK keeps pruned <= revision; keep >= 1.
		var rev, pruned keyfront.Revision
		err := t.tx.QueryRowContext(ctx, `
			UPDATE feed SET revision = revision + 1, pruned = max(pruned, revision + 1 - ?)
			WHERE id = 1 RETURNING revision, pruned`, t.keep).Scan(&rev, &pruned)
		if err != nil {
			return internal(ctx, op, err)
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM changes WHERE revision <= ?`, pruned); err != nil {
			return internal(ctx, op, err)
		}
		c.rev = rev
		c.seen = map[keyfront.RecordID]bool{}
	}
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO changes (revision, seq, kind, id, distribution_id) VALUES (?, ?, ?, ?, ?)`,
		c.rev, c.seq, string(r.Kind), r.ID, string(r.DistributionID)); err != nil {
		return internal(ctx, op, err)
	}
	c.seq++
	c.seen[r] = true
	return nil
}

// feedRow reads the feed row as this transaction sees it.
func (t *tx) feedRow(ctx context.Context, op string) (rev, pruned keyfront.Revision, err error) {
	if err := t.tx.QueryRowContext(ctx, `SELECT revision, pruned FROM feed WHERE id = 1`).Scan(&rev, &pruned); err != nil {
		return 0, 0, internal(ctx, op, err)
	}
	return rev, pruned, nil
}

// Revision returns the revision this transaction sees.
func (t *tx) Revision(ctx context.Context) (keyfront.Revision, error) {
	rev, _, err := t.feedRow(ctx, "sqlite: revision")
	return rev, err
}

// Changes lists the changes after since that this transaction sees.
func (t *tx) Changes(ctx context.Context, since keyfront.Revision) (*keyfront.ChangeList, error) {
	const op = "sqlite: changes"
	if since < 0 {
		return nil, &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The revision is negative."}
	}
	rev, pruned, err := t.feedRow(ctx, op)
	if err != nil {
		return nil, err
	}
	cl := &keyfront.ChangeList{Revision: rev, Changes: []keyfront.Change{}}
	switch {
	case since > rev:
		cl.Reload = keyfront.ReloadAhead
		return cl, nil
	case since < pruned:
		cl.Reload = keyfront.ReloadPruned
		return cl, nil
	}
	rows, err := t.tx.QueryContext(ctx, `
		SELECT revision, kind, id, distribution_id FROM changes
		WHERE revision > ? ORDER BY revision, seq`, since)
	if err != nil {
		return nil, internal(ctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c keyfront.Change
		if err := rows.Scan(&c.Revision, &c.Kind, &c.ID, &c.DistributionID); err != nil {
			return nil, internal(ctx, op, err)
		}
		cl.Changes = append(cl.Changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, op, err)
	}
	return cl, nil
}

// LastChange returns the revision of the last change to r this
// transaction sees, or the revision up to which the log is pruned when it
// no longer holds one.
func (t *tx) LastChange(ctx context.Context, r keyfront.RecordID) (keyfront.Revision, error) {
	const op = "sqlite: last change"
	if err := r.Check(); err != nil {
		return 0, &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: keyfront.ErrorMessage(err)}
	}
	var last sql.NullInt64
	var pruned keyfront.Revision
	err := t.tx.QueryRowContext(ctx, `
		SELECT (SELECT max(revision) FROM changes WHERE kind = ? AND distribution_id = ? AND id = ?), pruned
		FROM feed WHERE id = 1`,
		string(r.Kind), string(r.DistributionID), r.ID).Scan(&last, &pruned)
	if err != nil {
		return 0, internal(ctx, op, err)
	}
	if last.Valid {
		return keyfront.Revision(last.Int64), nil
	}
	return pruned, nil
}

// Nodes.

const nodeColumns = `id, revision, last_seen`

func scanNode(s scanner) (*keyfront.Node, error) {
	var n keyfront.Node
	var seen int64
	if err := s.Scan(&n.ID, &n.Revision, &seen); err != nil {
		return nil, err
	}
	n.LastSeen = fromMillis(seen)
	return &n, nil
}

// GetNode returns the node with that ID, or ENOTFOUND.
func (t *tx) GetNode(ctx context.Context, id string) (*keyfront.Node, error) {
	return get(ctx, t, "sqlite: get node", "node", scanNode,
		`SELECT `+nodeColumns+` FROM nodes WHERE id = ?`, id)
}

// ListNodes returns a page of nodes ordered by ID.
func (t *tx) ListNodes(ctx context.Context, p keyfront.Page) ([]*keyfront.Node, error) {
	const op = "sqlite: list nodes"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanNode,
		`SELECT `+nodeColumns+` FROM nodes WHERE id > ? ORDER BY id LIMIT ?`, p.Marker, limit)
}

// PutNode registers n or replaces the node with its ID. It is not a
// change: the revision stays.
func (t *tx) PutNode(ctx context.Context, n *keyfront.Node) error {
	const op = "sqlite: put node"
	if err := t.checkPut(op, "node", n.ID); err != nil {
		return err
	}
	if n.Revision < 0 {
		return &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The node's revision is negative."}
	}
	return t.exec(ctx, op, `
		INSERT INTO nodes (`+nodeColumns+`) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, last_seen = excluded.last_seen`,
		n.ID, n.Revision, toMillis(n.LastSeen))
}

// DeleteNode deletes the node with that ID, or returns ENOTFOUND.
func (t *tx) DeleteNode(ctx context.Context, id string) error {
	const op = "sqlite: delete node"
	if err := t.checkWrite(op); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM nodes WHERE id = ?`, id)
	if err != nil {
		return internal(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal(ctx, op, err)
	} else if n == 0 {
		return notFound(op, "node")
	}
	return nil
}
