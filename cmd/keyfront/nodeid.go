package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// nodeIDFile is the name, in the data directory, of the file that keeps
// the ID under which this process's edge registers in the store
// (keyfront.Node). It is generated on the first start with an edge and
// kept, so that a restarted edge is the same node: it then purges only the
// invalidations created while it was down, and the control plane does not
// see a new node for each restart. A user may write the file before the
// first start to choose the name (it appears in Via and in the access log
// as x-edge-location).
const nodeIDFile = "node-id"

// maxNodeIDLen bounds a node ID: it travels in every response's Via header.
const maxNodeIDLen = 64

// loadNodeID returns the edge's node ID from the data directory, creating
// the file (mode 0600) with a new ID if there is none.
func loadNodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, nodeIDFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		id := strings.TrimSpace(string(data))
		if id == "" {
			// A start that crashed while writing the file: the ID was
			// never used.
			break
		}
		if msg := checkNodeID(id); msg != "" {
			return "", fmt.Errorf("%s: %s: write another ID into it, or remove it to have keyfront generate one (the edge is then a new node and empties its cache at start)", path, msg)
		}
		return id, nil
	case errors.Is(err, fs.ErrNotExist):
	default:
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	id, err := newNodeID()
	if err != nil {
		return "", err
	}
	if err := writeTextAtomic(path, id+"\n", privateFileMode); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return id, nil
}

// newNodeID returns the host's name, reduced to the characters a node ID
// allows, and a random suffix: several edges on one host, each with its
// own data directory, are distinct nodes that an operator can still place.
func newNodeID() (string, error) {
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(strings.ToLower(host), ".")
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, host)
	host = strings.Trim(host, "-")
	if host == "" {
		host = "edge"
	}
	if len(host) > 40 {
		host = host[:40]
	}
	suffix, err := randomString("abcdefghijklmnopqrstuvwxyz0123456789", 8)
	if err != nil {
		return "", err
	}
	return host + "-" + suffix, nil
}

// checkNodeID says what is wrong with a node ID read from the file, or "".
func checkNodeID(id string) string {
	if len(id) > maxNodeIDLen {
		return fmt.Sprintf("the node ID has %d characters; at most %d are allowed", len(id), maxNodeIDLen)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Sprintf("the node ID %q holds %q; only letters, digits, '-', '_' and '.' are allowed", id, r)
		}
	}
	return ""
}

// writeTextAtomic writes text to path through a temporary file, fsync and
// rename, so that a crash leaves no file or the whole one.
func writeTextAtomic(path, text string, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
