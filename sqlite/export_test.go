package sqlite

import (
	"context"
	"io/fs"
)

// MigrateFile applies the migrations in fsys to the database at path, as
// Open does with the embedded ones, so that tests can feed it broken or
// newer migration sets.
func MigrateFile(ctx context.Context, path string, fsys fs.FS) error {
	w, err := openWriter(path)
	if err != nil {
		return err
	}
	defer w.Close()
	return migrate(ctx, w, fsys)
}

// Migrations is the embedded schema history.
var Migrations = migrations
