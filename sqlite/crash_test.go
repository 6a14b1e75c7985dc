//go:build unix

package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"keyfront"
	"keyfront/sqlite"
)

// The crash test runs this test binary again as a child that writes to the
// database named by crashDBEnv until the parent kills it.
const (
	crashDBEnv     = "KEYFRONT_SQLITE_CRASH_DB"
	crashPrefixEnv = "KEYFRONT_SQLITE_CRASH_PREFIX"
)

// counterID names the key group whose Name counts the transactions the
// child committed: every transaction adds one distribution and increments
// it, so after any crash the count must equal the distributions present.
const counterID = keyfront.KeyGroupID("00000000-0000-4000-8000-000000000000")

// crashRecords returns the distribution and invalidation the child writes
// in the transaction it acknowledges as id; the parent rebuilds them to
// check what survived.
func crashRecords(id string) (*keyfront.Distribution, *keyfront.Invalidation) {
	// A few KiB of config, so that a transaction spans several pages.
	var cfg bytes.Buffer
	for i := range 64 {
		fmt.Fprintf(&cfg, "<Line n=\"%d\">%s</Line>\r\n", i, strings.Repeat(id, 3))
	}
	d := &keyfront.Distribution{
		ID: keyfront.DistributionID(id), ETag: "ETAG" + id, Status: "Deployed",
		LastModifiedTime: time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC),
		DomainName:       strings.ToLower("d"+id[1:]) + ".cloudfront.localhost", CallerReference: "ref-" + id,
		Enabled: true, Aliases: []string{id + ".example.com"}, KeyGroupIDs: []keyfront.KeyGroupID{counterID},
		OriginAccessControlIDs: []string{}, Config: cfg.Bytes(), Tags: []keyfront.Tag{{Key: "id", Value: &id}},
	}
	inv := &keyfront.Invalidation{
		ID: "I" + id[1:], DistributionID: d.ID, Status: "InProgress",
		CreateTime: d.LastModifiedTime, CallerReference: "inv-" + id, Paths: []string{"/" + id + "/*"},
	}
	return d, inv
}

// crashChild writes from several goroutines until killed, printing
// "ack ID" on stdout after each commit returns.
func crashChild(path, prefix string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		fail(err)
	}
	// The parent kills the child long before this; the deadline only
	// stops an orphan.
	deadline := time.Now().Add(30 * time.Second)
	var seq atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				id := fmt.Sprintf("E%s%012d", prefix, seq.Add(1))
				d, inv := crashRecords(id)
				err := db.Update(ctx, func(tx keyfront.Tx) error {
					counter, err := tx.GetKeyGroup(ctx, counterID)
					if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
						counter, err = &keyfront.KeyGroup{ID: counterID, Name: "0", Items: []keyfront.KeyPairID{}}, nil
					}
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(counter.Name)
					if err != nil {
						return err
					}
					counter.Name = strconv.Itoa(n + 1)
					return errors.Join(
						tx.PutKeyGroup(ctx, counter),
						tx.PutDistribution(ctx, d),
						tx.PutInvalidation(ctx, inv))
				})
				if err != nil {
					fail(err)
				}
				// One write(2) per line: lines from the goroutines do not
				// interleave, and a line is either whole or absent.
				fmt.Fprintf(os.Stdout, "ack %s\n", id)
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}

// runCrashChild starts a child writing to path, kills it with SIGKILL once
// it has acknowledged killAfter transactions, and returns every ID it
// acknowledged before dying.
func runCrashChild(t *testing.T, path, prefix string, killAfter int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashPrefixEnv+"="+prefix)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Should the child stall, kill it anyway so that the read below ends.
	stall := time.AfterFunc(15*time.Second, func() { cmd.Process.Kill() })
	defer stall.Stop()

	var acked []string
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break // EOF: the child is dead; a partial line was never an ack
		}
		id, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == killAfter {
			// SIGKILL: no deferred function, no Close, no checkpoint.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, &stderr)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v, want killed by SIGKILL\n%s", err, &stderr)
	}
	if len(acked) < killAfter {
		t.Fatalf("child acknowledged %d transactions, want at least %d\n%s", len(acked), killAfter, &stderr)
	}
	return acked
}

// TestCrashSafety kills a writing process three times and checks, after
// each, that every transaction it acknowledged is there and intact, and that
// no transaction is there in part.
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv(crashDBEnv); path != "" {
		crashChild(path, os.Getenv(crashPrefixEnv))
		return
	}
	path := tempPath(t)
	var acked []string
	for i, killAfter := range []int{100, 150, 200} {
		prefix := string(rune('A' + i)) // IDs from each run sort apart
		acked = append(acked, runCrashChild(t, path, prefix, killAfter)...)
		checkAfterCrash(t, path, acked)
	}
	t.Logf("%d transactions acknowledged across 3 kills", len(acked))

	var integrity string
	if err := rawDB(t, path).QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil {
		t.Fatal(err)
	}
	if integrity != "ok" {
		t.Errorf("integrity_check: %s", integrity)
	}
}

func checkAfterCrash(t *testing.T, path string, acked []string) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	defer db.Close()
	ctx := t.Context()
	err = db.View(ctx, func(tx keyfront.Tx) error {
		for _, id := range acked {
			wantD, wantInv := crashRecords(id)
			d, err := tx.GetDistribution(ctx, wantD.ID)
			if err != nil {
				t.Errorf("acknowledged distribution %s: %v", id, err)
				continue
			}
			if !reflect.DeepEqual(d, wantD) {
				t.Errorf("acknowledged distribution %s damaged:\n got %+v\nwant %+v", id, d, wantD)
			}
			inv, err := tx.GetInvalidation(ctx, wantD.ID, wantInv.ID)
			if err != nil {
				t.Errorf("acknowledged invalidation %s: %v", wantInv.ID, err)
			} else if !reflect.DeepEqual(inv, wantInv) {
				t.Errorf("acknowledged invalidation %s damaged:\n got %+v\nwant %+v", wantInv.ID, inv, wantInv)
			}
		}
		// Transactions committed but not acknowledged (the kill came
		// between commit and print) may be there, but only whole.
		all, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		for _, d := range all {
			_, wantInv := crashRecords(string(d.ID))
			if _, err := tx.GetInvalidation(ctx, d.ID, wantInv.ID); err != nil {
				t.Errorf("distribution %s without the invalidation of its transaction: %v", d.ID, err)
			}
		}
		counter, err := tx.GetKeyGroup(ctx, counterID)
		if err != nil {
			return err
		}
		if got, want := counter.Name, strconv.Itoa(len(all)); got != want {
			t.Errorf("counter = %s, want %s, the number of distributions", got, want)
		}
		if len(all) < len(acked) {
			t.Errorf("%d distributions, fewer than the %d acknowledged", len(all), len(acked))
		}
		// The change feed is written in the same transactions: one
		// revision and three changes for each transaction that survived,
		// naming the distributions present, and nothing else.
		cl, err := tx.Changes(ctx, 0)
		if err != nil {
			return err
		}
		if cl.Reload != keyfront.ReloadNone || cl.Revision != keyfront.Revision(len(all)) || len(cl.Changes) != 3*len(all) {
			t.Errorf("after the kill: revision %d, %d changes, reload %v; want %d, %d, none",
				cl.Revision, len(cl.Changes), cl.Reload, len(all), 3*len(all))
		}
		logged := map[string]bool{}
		for _, c := range cl.Changes {
			if c.Kind == keyfront.KindDistribution {
				logged[c.ID] = true
			}
		}
		for _, d := range all {
			if !logged[string(d.ID)] {
				t.Errorf("distribution %s survived the kill without its change", d.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
