package cache_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"keyfront/cache"
)

// TestRestart starts a cache on a Dir that a previous process left behind
// (it crashed mid-fill, so temporary files remain beside stored objects):
// New removes the temporary files and drops the objects, and leaves files
// it does not own alone.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := cache.Config{Dir: dir, MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 16}

	// A first run stores a file-backed object and is never closed.
	first, err := cache.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	put(t, first, "k", object{body: strings.Repeat("a", 100), path: "/k", ttl: time.Hour})
	for name, content := range map[string]string{
		"fill-123456.tmp": "half a body",
		"fill-999.tmp":    "",
		"README":          "not ours",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.tmp"), 0o700); err != nil {
		t.Fatal(err)
	}

	second, _ := newCache(t, cfg)
	if got, want := files(t, dir), []string{"README", "sub.tmp"}; !slices.Equal(got, want) {
		t.Errorf("files after New = %q, want %q", got, want)
	}
	if has(second, "k") {
		t.Error("the previous run's object was reloaded; it should be dropped")
	}
	if s := second.Stats(); s.Entries != 0 || s.Bytes != 0 {
		t.Errorf("Stats = %+v, want empty", s)
	}
	// The second run works normally in the same Dir.
	put(t, second, "k", object{body: strings.Repeat("b", 100), path: "/k", ttl: time.Hour})
	if got := len(files(t, dir)); got != 3 {
		t.Errorf("files = %d, want README, sub.tmp and one object", got)
	}
}

func TestNewCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	c, _ := newCache(t, cache.Config{Dir: dir})
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), os.FileMode(0o700); got != want {
		t.Errorf("Dir mode = %v, want %v", got, want)
	}
	_ = c
}

func TestCloseRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	c, err := cache.New(cache.Config{Dir: dir, MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 16})
	if err != nil {
		t.Fatal(err)
	}
	put(t, c, "k", object{body: strings.Repeat("a", 100), path: "/k", ttl: time.Hour})
	e, ok := c.Get("k")
	if !ok {
		t.Fatal("Get missed")
	}
	defer e.Close()
	c.Close()
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files after Close = %q, want none", got)
	}
	if got, want := string(bodyOf(t, e)), strings.Repeat("a", 100); got != want {
		t.Error("an Entry taken before Close is no longer readable")
	}
	if _, ok := c.Get("k"); ok {
		t.Error("Get hit after Close")
	}
}

// TestLastCloseReleasesFile checks that an unlinked file stays open while
// an Entry holds it and is closed by the Entry's Close (Linux: counts
// /proc/self/fd).
func TestLastCloseReleasesFile(t *testing.T) {
	openFiles := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	c, _ := newCache(t, cache.Config{Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 16})
	base := openFiles()
	put(t, c, "k", object{body: strings.Repeat("a", 100), path: "/k", ttl: time.Hour})
	if got, want := openFiles(), base+1; got != want {
		t.Fatalf("open files with one stored object = %d, want %d", got, want)
	}
	e1, _ := c.Get("k")
	e2, _ := c.Get("k")
	c.Purge("/k")
	if got, want := openFiles(), base+1; got != want {
		t.Errorf("open files after purge with two handles = %d, want %d", got, want)
	}
	e1.Close()
	e1.Close() // idempotent: must not release e2's reference
	if got, want := openFiles(), base+1; got != want {
		t.Errorf("open files with one handle left = %d, want %d", got, want)
	}
	if got, want := string(bodyOf(t, e2)), strings.Repeat("a", 100); got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	e2.Close()
	if got, want := openFiles(), base; got != want {
		t.Errorf("open files after the last Close = %d, want %d", got, want)
	}
}
