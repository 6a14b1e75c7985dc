//go:build unix

package edge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"
	"testing"
	"time"

	"keyfront"
	"keyfront/edge"
	"keyfront/sqlite"
)

// feedBench is an edge on a SQLite store, as keyfront serve runs it,
// holding n distributions that all trust one key group. poll is the
// store's sqlite.Options.PollInterval (0: the default).
func feedBench(b *testing.B, n int, poll time.Duration) *env {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenWith(ctx, filepath.Join(b.TempDir(), "keyfront.db"), sqlite.Options{PollInterval: poll})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	e := newEnv(b, withStore(db), withConfig(func(c *edge.Config) { c.AccessLog = nil }))
	e.putKey(keyA, rsaKey())
	e.putGroup(group, keyA)
	cfg := dist{Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", KeyGroups: []string{group}}}.stored(b)
	err = db.Update(ctx, func(tx keyfront.Tx) error {
		for i := range n {
			id := keyfront.DistributionID(fmt.Sprintf("E%013d", i))
			err := tx.PutDistribution(ctx, &keyfront.Distribution{ID: id, ETag: nextETag(), DomainName: fmt.Sprintf("d%013d.cloudfront.localhost", i),
				Enabled: true, Config: cfg, KeyGroupIDs: []keyfront.KeyGroupID{group}, LastModifiedTime: testNow, CallerReference: string(id)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.edge.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	return e
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFeedChange measures what the edge spends applying one change
// (Reload: read the change and the record, rebuild, report the node),
// with 1, 100 and 10,000 distributions: a change to one distribution
// rebuilds it alone; a change to the key group they all trust rebuilds
// every one. The store's write is not counted. cpu-µs/change is the
// process's CPU time, which includes SQLite's work on other threads.
//
//	go test ./edge -run '^$' -bench FeedChange -benchtime 200x
func BenchmarkFeedChange(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		for _, kind := range []string{"distribution", "key group"} {
			b.Run(fmt.Sprintf("distributions=%d/change=%s", n, kind), func(b *testing.B) {
				e := feedBench(b, n, 0)
				ctx := context.Background()
				cfg := dist{Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", KeyGroups: []string{group}}}.stored(b)
				change := func(i int) error {
					return e.store.Update(ctx, func(tx keyfront.Tx) error {
						if kind == "key group" {
							return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: group, ETag: nextETag(), Name: group,
								Items: []keyfront.KeyPairID{keyA}, LastModifiedTime: testNow})
						}
						id := keyfront.DistributionID(fmt.Sprintf("E%013d", i%n))
						return tx.PutDistribution(ctx, &keyfront.Distribution{ID: id, ETag: nextETag(), DomainName: fmt.Sprintf("d%013d.cloudfront.localhost", i%n),
							Enabled: true, Config: cfg, KeyGroupIDs: []keyfront.KeyGroupID{group}, LastModifiedTime: testNow, CallerReference: string(id)})
					})
				}
				var cpu time.Duration
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					if err := change(i); err != nil {
						b.Fatal(err)
					}
					before := cpuTime(b)
					b.StartTimer()
					if err := e.edge.Reload(ctx); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					cpu += cpuTime(b) - before
					b.StartTimer()
				}
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/change")
			})
		}
	}
}

// BenchmarkFeedIdle measures what a started edge costs when nothing
// changes, with 1, 100 and 10,000 distributions: each iteration is one
// idle second. cpu-ms/s is the process's CPU time in the median second. "store
// poll 50ms" is keyfront serve's SQLite store, which reads its revision
// every 50 ms while the edge waits, to notice other processes' commits;
// "no store poll" leaves only the edge's own cost (one read of the feed
// and one node report per heartbeat), as with a store that is woken
// instead of polled.
//
//	go test ./edge -run '^$' -bench FeedIdle -benchtime 5x
func BenchmarkFeedIdle(b *testing.B) {
	for _, p := range []struct {
		name string
		poll time.Duration
	}{{"store poll 50ms", 0}, {"no store poll", time.Hour}} {
		for _, n := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/distributions=%d", p.name, n), func(b *testing.B) {
				e := feedBench(b, n, p.poll)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				e.edge.Start(ctx)
				// Let the follower settle, and collect the setup's
				// garbage and return it to the system, which is not the idle
				// edge's work.
				time.Sleep(100 * time.Millisecond)
				debug.FreeOSMemory()
				seconds := make([]time.Duration, b.N)
				b.ResetTimer()
				for i := range seconds {
					before := cpuTime(b)
					time.Sleep(time.Second)
					seconds[i] = cpuTime(b) - before
				}
				b.Logf("CPU per idle second: %v", seconds)
				// The median: a second may hold a cost that is not the
				// idle edge's, such as SQLite checkpointing the setup's
				// writes, or the machine's other load.
				slices.Sort(seconds)
				b.ReportMetric(float64(seconds[len(seconds)/2].Microseconds())/1000, "cpu-ms/s")
			})
		}
	}
}
