package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"keyfront"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations is the schema history: files named NNNN_description.sql, where
// NNNN is the schema version the file brings the database to. Versions
// start at 1 and have no gaps. A released migration is never edited; a
// change to the schema is a new file.
var migrations = func() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}()

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads and orders the *.sql files of fsys, checking that
// their versions run 1, 2, 3… without gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: path.Base(name), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate brings the database's schema to the newest version in fsys. The
// migrations and the new PRAGMA user_version are written in one
// transaction, so a failed or interrupted migration leaves the database at
// its old version, untouched.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	const op = "sqlite: migrate"
	ms, err := loadMigrations(fsys)
	if err != nil {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: err}
	}
	// On the writer pool this is BEGIN IMMEDIATE: two processes opening the
	// same new file cannot both apply version 1.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return internal(ctx, op, err)
	}
	defer tx.Rollback()

	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return internal(ctx, op, err)
	}
	if current > len(ms) {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op,
			Err: fmt.Errorf("%w: the database is at schema version %d, this keyfront knows versions up to %d; run a newer keyfront",
				ErrNewerSchema, current, len(ms))}
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return internal(ctx, op+" "+m.name, err)
		}
		// PRAGMA takes no bound parameters; m.version is an int.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return internal(ctx, op+" "+m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return internal(ctx, op, err)
	}
	return nil
}
