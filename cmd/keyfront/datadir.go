package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lockFile is the name, in the data directory, of the file serve locks for
// as long as it runs, so that a second process on the same data directory
// is refused instead of wiping the first one's edge cache and sweeping
// object files it is still writing. It holds the holder's PID, for the
// second process's error message; the lock, not the file's presence, is
// what counts, so the file stays behind after exit.
const lockFile = "keyfront.lock"

// Modes of what keyfront creates in the data directory. The data directory
// holds the administrator's secret (identity.json), the deployment secret
// from which the edge's origin credential is derived, every distribution's
// configuration and every private object: only the user keyfront runs as
// may read it.
const (
	privateDirMode  os.FileMode = 0o700
	privateFileMode os.FileMode = 0o600
)

// dataDir is a data directory this process holds: created or made
// private, and locked. Close releases it.
type dataDir struct {
	path string
	lock *os.File // open on lockFile, holding the lock; closing it releases the lock
	// tightened is the mode the directory had when it was more open than
	// privateDirMode and openDataDir restricted it; zero otherwise.
	tightened os.FileMode
}

// openDataDir creates dir with mode 0700, or makes an existing one private
// to the user keyfront runs as, then locks it for this process.
//
// An existing directory more open than 0700 (as mkdir leaves it under the
// usual umask 022, or systemd's StateDirectory= with its default mode
// 0755) is restricted to 0700 when the running user owns it: that is the
// user's own directory, and refusing would only make them type the chmod.
// A directory owned by another user is refused whatever its mode, since
// its owner could read, replace or remove keyfront's files.
func openDataDir(dir string) (*dataDir, error) {
	if err := os.MkdirAll(dir, privateDirMode); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("data directory %s is not a directory: choose another --data-dir", dir)
	}
	if err := checkOwner(dir, info); err != nil {
		return nil, err
	}
	d := &dataDir{path: dir}
	if mode := info.Mode().Perm(); mode&^privateDirMode != 0 {
		if err := os.Chmod(dir, privateDirMode); err != nil {
			return nil, fmt.Errorf("data directory %s has mode %04o and cannot be made private (%v): run chmod 700 %s, or choose another --data-dir",
				dir, mode, err, dir)
		}
		d.tightened = mode
	}
	// Files an older keyfront or a restore from backup left readable by
	// others: the directory's mode already keeps others out, and these
	// make the files themselves say so too. The database files are
	// sqlite.Open's, the object files s3's, the cache files cache's.
	for _, name := range []string{identityFile, lockFile} {
		if err := tightenFile(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	if err := d.acquire(); err != nil {
		return nil, err
	}
	return d, nil
}

// tightenFile restricts an existing file to mode 0600; a missing file is
// not an error.
func tightenFile(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case info.Mode().Perm()&^privateFileMode == 0:
		return nil
	}
	if err := os.Chmod(path, privateFileMode); err != nil {
		return fmt.Errorf("%s has mode %04o and cannot be made private (%v): run chmod 600 %s", path, info.Mode().Perm(), err, path)
	}
	return nil
}

// acquire takes the exclusive lock on the data directory's lock file and
// writes this process's PID into it.
func (d *dataDir) acquire() error {
	path := filepath.Join(d.path, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, privateFileMode)
	if err != nil {
		return fmt.Errorf("data directory: open lock file: %w", err)
	}
	held, err := lockExclusive(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("data directory: lock %s: %w", path, err)
	}
	if held {
		holder := "another process"
		if pid := readPID(f); pid > 0 {
			holder = fmt.Sprintf("another process, PID %d,", pid)
		}
		f.Close()
		return fmt.Errorf("%s is using the data directory %s: stop it, or choose another --data-dir "+
			"(several keyfront processes on one host need one data directory each)", holder, d.path)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("data directory: write %s: %w", path, err)
	}
	d.lock = f
	return nil
}

// readPID returns the PID the lock's holder wrote, or 0 if there is none
// yet (the holder is between taking the lock and writing it).
func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// Close releases the lock. The lock file stays: removing it would let a
// process that opened it just before the removal lock a file nobody else
// can find.
func (d *dataDir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}
