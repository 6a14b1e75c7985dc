//go:build unix

package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"syscall"
	"testing"
	"time"

	"keyfront"
	"keyfront/sqlite"
)

// fillLog gives the database at path a log of n revisions of one change
// each, and n public keys, written directly in one transaction: through
// Update, each revision would cost a synced commit.
func fillLog(tb testing.TB, path string, n int) {
	tb.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("K%013d", i)
		if _, err := tx.Exec(`INSERT INTO changes VALUES (?, 0, 'public-key', ?, '')`, i, id); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO public_keys VALUES (?, 'E', 0, ?, 'n', 'pem', '')`, id, id); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := tx.Exec(`UPDATE feed SET revision = ?`, n); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkChanges measures a reader's "what changed since N" — one View
// calling Changes — against a log of 10,000 revisions, by how far behind
// the reader is. It should grow with the changes listed, not with the log.
func BenchmarkChanges(b *testing.B) {
	const logSize = 10000
	path := tempPath(b)
	db := openDB(b, path)
	fillLog(b, path, logSize)
	for _, behind := range []int{0, 1, 100, logSize} {
		b.Run(fmt.Sprintf("behind=%d", behind), func(b *testing.B) {
			since := keyfront.Revision(logSize - behind)
			ctx := context.Background()
			for b.Loop() {
				err := db.View(ctx, func(tx keyfront.Tx) error {
					cl, err := tx.Changes(ctx, since)
					if err == nil && len(cl.Changes) != behind {
						err = fmt.Errorf("%d changes, want %d", len(cl.Changes), behind)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIdleWaiter measures what a Wait that nothing wakes costs: the
// watch reading the revision once per poll interval. The poll interval is
// 1ms here so that b.N ticks take b.N milliseconds; cpu-ns/tick is the
// process's CPU time per tick, and idle-cpu-us/s what that comes to per
// second at the default interval. It should not grow with the size of the
// database.
func BenchmarkIdleWaiter(b *testing.B) {
	for _, records := range []int{0, 10000} {
		b.Run(fmt.Sprintf("records=%d", records), func(b *testing.B) {
			path := tempPath(b)
			db := openDB(b, path)
			fillLog(b, path, records)
			db.Close()
			db, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{PollInterval: time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := db.Wait(ctx, keyfront.Revision(records))
				done <- err
			}()
			time.Sleep(10 * time.Millisecond) // the waiter settles

			before := cpuTime(b)
			b.ResetTimer()
			time.Sleep(time.Duration(b.N) * time.Millisecond)
			b.StopTimer()
			perTick := float64(cpuTime(b)-before) / float64(b.N)
			cancel()
			<-done

			b.ReportMetric(perTick, "cpu-ns/tick")
			b.ReportMetric(perTick*float64(time.Second/sqlite.DefaultPollInterval)/1e3, "idle-cpu-us/s")
		})
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
