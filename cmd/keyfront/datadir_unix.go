//go:build unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// lockExclusive takes flock(2)'s exclusive lock on f without waiting.
// held reports that another open file description holds it: another
// process, or this one through another open (flock locks belong to the
// open file, not to the process). The kernel releases the lock when the
// file is closed, including when the process dies of SIGKILL, so a
// crashed keyfront never leaves its data directory locked.
func lockExclusive(f *os.File) (held bool, err error) {
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return true, nil
		default:
			return false, err
		}
	}
}

// checkOwner refuses a data directory that the user keyfront runs as does
// not own.
func checkOwner(dir string, info fs.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Errorf("data directory %s belongs to uid %d, but keyfront runs as uid %d: "+
			"its owner could read or replace keyfront's credentials; chown it to uid %d, or choose another --data-dir",
			dir, st.Uid, uid, uid)
	}
	return nil
}
