package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"keyfront"
)

// testFeed runs the change feed's tests: keyfront.Revision, Tx.Revision,
// Tx.Changes, Tx.LastChange and Store.Wait.
func testFeed(t *testing.T, openWith func(*testing.T, Options) keyfront.Store) {
	open := func(t *testing.T) keyfront.Store { return openWith(t, Options{}) }
	tests := []struct {
		name string
		run  func(*testing.T, keyfront.Store)
	}{
		{"NewStore", feedNewStore},
		{"Ordering", feedOrdering},
		{"AnySince", feedAnySince},
		{"RevisionInsideUpdate", feedRevisionInsideUpdate},
		{"NothingChanged", feedNothingChanged},
		{"RollbackAdvancesNothing", feedRollbackAdvancesNothing},
		{"ReaderAhead", feedReaderAhead},
		{"LastChange", feedLastChange},
		{"BadArguments", feedBadArguments},
		{"ConcurrentWriters", feedConcurrentWriters},
		{"WaitReturnsAtOnce", feedWaitReturnsAtOnce},
		{"WaitWakesOnCommit", feedWaitWakesOnCommit},
		{"WaitIgnoresNonChanges", feedWaitIgnoresNonChanges},
		{"WaitCancelled", feedWaitCancelled},
		{"WaitClosed", feedWaitClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
	t.Run("Pruned", func(t *testing.T) { feedPruned(t, openWith) })
}

// Records the feed tests write, and their RecordIDs.
var (
	k1  = publicKeys.make(1)
	k2  = publicKeys.make(2)
	g1  = keyGroups.make(1)
	o1  = originAccessControls.make(1)
	d1  = distribution(1)
	iA  = invalidation(distributionID(1), 'A', base)
	rK1 = keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k1.ID)}
	rK2 = keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k2.ID)}
	rG1 = keyfront.RecordID{Kind: keyfront.KindKeyGroup, ID: string(g1.ID)}
	rO1 = keyfront.RecordID{Kind: keyfront.KindOriginAccessControl, ID: o1.ID}
	rD1 = keyfront.RecordID{Kind: keyfront.KindDistribution, ID: string(d1.ID)}
	rIA = keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: iA.ID, DistributionID: iA.DistributionID}
)

// revision returns the store's revision, read in a View.
func revision(t *testing.T, s keyfront.Store) keyfront.Revision {
	t.Helper()
	var rev keyfront.Revision
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		rev, err = tx.Revision(ctx)
		return err
	})
	return rev
}

// changes returns Changes(since), read in a View.
func changes(t *testing.T, s keyfront.Store, since keyfront.Revision) *keyfront.ChangeList {
	t.Helper()
	var cl *keyfront.ChangeList
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		cl, err = tx.Changes(ctx, since)
		return err
	})
	return cl
}

// commit runs fn in an Update that must succeed and change something, and
// returns the store's revision after it.
func commit(t *testing.T, s keyfront.Store, fn func(ctx context.Context, tx keyfront.Tx) error) keyfront.Revision {
	t.Helper()
	before := revision(t, s)
	update(t, s, fn)
	after := revision(t, s)
	if after <= before {
		t.Fatalf("revision after an Update that changed records = %d, want more than %d", after, before)
	}
	return after
}

// change builds the Change of r at rev.
func change(rev keyfront.Revision, r keyfront.RecordID) keyfront.Change {
	return keyfront.Change{RecordID: r, Revision: rev}
}

func renderChanges(cs []keyfront.Change) string {
	var out []string
	for _, c := range cs {
		s := fmt.Sprintf("%d %s %s", c.Revision, c.Kind, c.ID)
		if c.DistributionID != "" {
			s += " of " + string(c.DistributionID)
		}
		out = append(out, s)
	}
	return fmt.Sprintf("%q", out)
}

// wantChanges fails the test unless cl lists exactly want and says
// nothing must be reloaded, as of revision rev.
func wantChanges(t *testing.T, what string, cl *keyfront.ChangeList, rev keyfront.Revision, want []keyfront.Change) {
	t.Helper()
	if got, want := cl.Reload, keyfront.ReloadNone; got != want {
		t.Errorf("%s: Reload = %v, want %v", what, got, want)
	}
	if got, want := cl.Revision, rev; got != want {
		t.Errorf("%s: Revision = %d, want %d", what, got, want)
	}
	if !slices.Equal(cl.Changes, want) {
		t.Errorf("%s: Changes\n got: %s\nwant: %s", what, renderChanges(cl.Changes), renderChanges(want))
	}
}

// history writes four Updates of every kind of change and returns their
// revisions and every change they made, in order.
func history(t *testing.T, s keyfront.Store) ([]keyfront.Revision, []keyfront.Change) {
	t.Helper()
	r1 := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return errors.Join(tx.PutPublicKey(ctx, k1), tx.PutKeyGroup(ctx, g1))
	})
	r2 := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return errors.Join(
			tx.PutDistribution(ctx, d1),
			tx.PutInvalidation(ctx, iA),
			tx.PutOriginAccessControl(ctx, o1),
		)
	})
	// A record written twice in one Update is one change, at the place
	// of its first write.
	changed := keyGroups.make(1)
	changed.Name = "renamed"
	r3 := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return errors.Join(
			tx.PutKeyGroup(ctx, changed),
			tx.DeletePublicKey(ctx, k1.ID),
			tx.PutKeyGroup(ctx, g1),
		)
	})
	// Deleting a distribution takes its invalidations along: the
	// distribution is the change.
	r4 := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return tx.DeleteDistribution(ctx, d1.ID)
	})
	return []keyfront.Revision{r1, r2, r3, r4}, []keyfront.Change{
		change(r1, rK1), change(r1, rG1),
		change(r2, rD1), change(r2, rIA), change(r2, rO1),
		change(r3, rG1), change(r3, rK1),
		change(r4, rD1),
	}
}

// after returns the changes of all with a revision above since.
func after(all []keyfront.Change, since keyfront.Revision) []keyfront.Change {
	out := []keyfront.Change{}
	for _, c := range all {
		if c.Revision > since {
			out = append(out, c)
		}
	}
	return out
}

func feedNewStore(t *testing.T, s keyfront.Store) {
	if got, want := revision(t, s), keyfront.Revision(0); got != want {
		t.Errorf("revision of a new store = %d, want %d", got, want)
	}
	wantChanges(t, "Changes(0) of a new store", changes(t, s, 0), 0, nil)
}

func feedOrdering(t *testing.T, s keyfront.Store) {
	revs, all := history(t, s)
	for i := 1; i < len(revs); i++ {
		if revs[i] <= revs[i-1] {
			t.Fatalf("revisions %d then %d: want strictly increasing", revs[i-1], revs[i])
		}
	}
	last := revs[len(revs)-1]
	wantChanges(t, "Changes(0)", changes(t, s, 0), last, all)
	wantChanges(t, "Changes(second revision)", changes(t, s, revs[1]), last, after(all, revs[1]))
	wantChanges(t, "Changes(last revision)", changes(t, s, last), last, nil)
}

// feedAnySince asks from every revision, and from the numbers around
// them: a store may skip numbers, and a reader may hold any revision.
func feedAnySince(t *testing.T, s keyfront.Store) {
	revs, all := history(t, s)
	last := revs[len(revs)-1]
	since := []keyfront.Revision{0}
	for _, r := range revs {
		since = append(since, r-1, r, r+1)
	}
	for _, n := range since {
		if n < 0 || n > last {
			continue
		}
		wantChanges(t, fmt.Sprintf("Changes(%d)", n), changes(t, s, n), last, after(all, n))
	}
}

// feedRevisionInsideUpdate checks that an Update sees its own changes at
// the revision it then commits as.
func feedRevisionInsideUpdate(t *testing.T, s keyfront.Store) {
	before := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k1) })
	var pending keyfront.Revision
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		rev, err := tx.Revision(ctx)
		if err != nil {
			return err
		}
		if rev != before {
			t.Errorf("Revision before any write = %d, want the store's %d", rev, before)
		}
		if err := tx.PutKeyGroup(ctx, g1); err != nil {
			return err
		}
		if pending, err = tx.Revision(ctx); err != nil {
			return err
		}
		if pending <= before {
			t.Errorf("Revision after a write = %d, want more than %d", pending, before)
		}
		cl, err := tx.Changes(ctx, before)
		if err != nil {
			return err
		}
		wantChanges(t, "Changes inside the Update", cl, pending, []keyfront.Change{change(pending, rG1)})
		last, err := tx.LastChange(ctx, rG1)
		if err != nil {
			return err
		}
		if last != pending {
			t.Errorf("LastChange of the record just written = %d, want %d", last, pending)
		}
		return nil
	})
	if got := revision(t, s); got != pending {
		t.Errorf("revision after commit = %d, want %d as seen inside the Update", got, pending)
	}
}

// feedNothingChanged checks that what writes no record of the
// configuration leaves the revision.
func feedNothingChanged(t *testing.T, s keyfront.Store) {
	rev := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k1) })
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx keyfront.Tx) error
	}{
		{"nothing", func(context.Context, keyfront.Tx) error { return nil }},
		{"reads", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := tx.ListPublicKeys(ctx, keyfront.Page{})
			return err
		}},
		{"failed deletes", func(ctx context.Context, tx keyfront.Tx) error {
			for _, err := range []error{
				tx.DeletePublicKey(ctx, k2.ID),
				tx.DeleteKeyGroup(ctx, g1.ID),
				tx.DeleteOriginAccessControl(ctx, o1.ID),
				tx.DeleteDistribution(ctx, d1.ID),
			} {
				wantCode(t, "delete of a missing record", err, keyfront.ENOTFOUND)
			}
			return nil
		}},
		{"failed invalidation", func(ctx context.Context, tx keyfront.Tx) error {
			wantCode(t, "PutInvalidation without its distribution", tx.PutInvalidation(ctx, iA), keyfront.ENOTFOUND)
			return nil
		}},
		{"a node", func(ctx context.Context, tx keyfront.Tx) error {
			return tx.PutNode(ctx, &keyfront.Node{ID: "edge-1", Revision: rev, LastSeen: base})
		}},
		{"a bucket", func(ctx context.Context, tx keyfront.Tx) error {
			otx, ok := tx.(keyfront.ObjectTx)
			if !ok {
				return nil
			}
			return otx.PutBucket(ctx, bucket("feed"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			update(t, s, tt.fn)
			if got := revision(t, s); got != rev {
				t.Errorf("revision = %d after an Update that changed no record, want %d", got, rev)
			}
			wantChanges(t, "Changes", changes(t, s, rev), rev, nil)
		})
	}
}

func feedRollbackAdvancesNothing(t *testing.T, s keyfront.Store) {
	seed(t, s)
	rev := revision(t, s)
	check := func(what string) {
		t.Helper()
		if got := revision(t, s); got != rev {
			t.Errorf("revision = %d after %s, want %d", got, what, rev)
		}
		wantChanges(t, "Changes after "+what, changes(t, s, rev), rev, nil)
	}

	err := s.Update(t.Context(), func(tx keyfront.Tx) error {
		if err := writeEverything(t.Context(), tx); err != nil {
			t.Errorf("writing: %v", err)
		}
		return errStale
	})
	if err != errStale {
		t.Fatalf("Update error = %v, want %v", err, errStale)
	}
	check("an Update that failed")

	func() {
		defer func() { recover() }()
		s.Update(t.Context(), func(tx keyfront.Tx) error {
			writeEverything(t.Context(), tx)
			panic("boom")
		})
	}()
	check("an Update that panicked")

	ctx, cancel := context.WithCancel(t.Context())
	s.Update(ctx, func(tx keyfront.Tx) error {
		writeEverything(ctx, tx)
		cancel()
		return nil
	})
	check("a cancelled Update")

	// The next commit reports its own changes only.
	next := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k2) })
	wantChanges(t, "Changes after the next commit", changes(t, s, rev), next, []keyfront.Change{change(next, rK2)})
}

func feedReaderAhead(t *testing.T, s keyfront.Store) {
	tests := []struct {
		name  string
		since keyfront.Revision
	}{
		{"new store", 1},
		{"far ahead", 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := changes(t, s, tt.since)
			if got, want := cl.Reload, keyfront.ReloadAhead; got != want {
				t.Errorf("Changes(%d) of a store at %d: Reload = %v, want %v", tt.since, cl.Revision, got, want)
			}
			if len(cl.Changes) != 0 {
				t.Errorf("Changes listed along with a reload: %s", renderChanges(cl.Changes))
			}
		})
	}
	rev := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k1) })
	if got, want := changes(t, s, rev+1).Reload, keyfront.ReloadAhead; got != want {
		t.Errorf("Changes(%d) of a store at %d: Reload = %v, want %v", rev+1, rev, got, want)
	}
}

func feedLastChange(t *testing.T, s keyfront.Store) {
	revs, _ := history(t, s)
	other := keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: iA.ID, DistributionID: distributionID(2)}
	tests := []struct {
		name string
		r    keyfront.RecordID
		want keyfront.Revision
	}{
		{"deleted record", rK1, revs[2]},
		{"changed twice", rG1, revs[2]},
		{"deleted distribution", rD1, revs[3]},
		{"invalidation", rIA, revs[1]},
		{"origin access control", rO1, revs[1]},
		{"never written", rK2, 0},
		{"same invalidation ID, other distribution", other, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				got, err := tx.LastChange(ctx, tt.r)
				if err != nil {
					return err
				}
				if got != tt.want {
					t.Errorf("LastChange(%v) = %d, want %d", tt.r, got, tt.want)
				}
				return nil
			})
		})
	}
}

func feedBadArguments(t *testing.T, s keyfront.Store) {
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		_, err := tx.Changes(ctx, -1)
		wantCode(t, "Changes(-1)", err, keyfront.EINVALID)
		tests := []struct {
			name string
			r    keyfront.RecordID
		}{
			{"unknown kind", keyfront.RecordID{Kind: "bucket", ID: "b"}},
			{"empty kind", keyfront.RecordID{ID: "b"}},
			{"empty ID", keyfront.RecordID{Kind: keyfront.KindKeyGroup}},
			{"invalidation without distribution", keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: iA.ID}},
			{"distribution on another kind", keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k1.ID), DistributionID: d1.ID}},
		}
		for _, tt := range tests {
			_, err := tx.LastChange(ctx, tt.r)
			wantCode(t, "LastChange: "+tt.name, err, keyfront.EINVALID)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	_, err := s.Wait(ctx, -1)
	wantCode(t, "Wait(-1)", err, keyfront.EINVALID)
}

// feedConcurrentWriters has writers commit concurrently while a reader
// follows the feed as an edge would: Wait, then Changes and the changed
// records in one View. Every change must reach the reader once, in
// revision order, with the records it names readable in that View.
func feedConcurrentWriters(t *testing.T, s keyfront.Store) {
	const writers, updates = 4, 10
	const total = writers * updates * 2
	key := func(w, i int, half string) *keyfront.PublicKey {
		k := publicKeys.make(1)
		k.ID = keyfront.KeyPairID(fmt.Sprintf("K%02d%02d%s", w, i, half))
		return k
	}

	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	followed := make(chan []keyfront.Change, 1)
	go func() {
		var seen []keyfront.Change
		defer func() { followed <- seen }()
		var rev keyfront.Revision
		for len(seen) < total {
			if _, err := s.Wait(ctx, rev); err != nil {
				t.Errorf("follower: Wait(%d): %v", rev, err)
				return
			}
			err := s.View(ctx, func(tx keyfront.Tx) error {
				cl, err := tx.Changes(ctx, rev)
				if err != nil {
					return err
				}
				if cl.Reload != keyfront.ReloadNone {
					return fmt.Errorf("Changes(%d): Reload = %v", rev, cl.Reload)
				}
				for _, c := range cl.Changes {
					if _, err := tx.GetPublicKey(ctx, keyfront.KeyPairID(c.ID)); err != nil {
						return fmt.Errorf("reading changed %s: %w", c.ID, err)
					}
				}
				seen = append(seen, cl.Changes...)
				rev = cl.Revision
				return nil
			})
			if err != nil {
				t.Errorf("follower: %v", err)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range updates {
				err := s.Update(ctx, func(tx keyfront.Tx) error {
					return errors.Join(tx.PutPublicKey(ctx, key(w, i, "A")), tx.PutPublicKey(ctx, key(w, i, "B")))
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	seen := wait(t, followed, "the follower to see every change")

	all := changes(t, s, 0)
	if !slices.Equal(seen, all.Changes) {
		t.Errorf("the follower saw\n%s\nChanges(0) lists\n%s", renderChanges(seen), renderChanges(all.Changes))
	}
	if got := len(all.Changes); got != total {
		t.Fatalf("Changes(0) lists %d changes, want %d", got, total)
	}
	// Each Update is one revision of two changes, A then B, and revisions
	// strictly increase from one Update to the next.
	for i := 0; i < total; i += 2 {
		a, b := all.Changes[i], all.Changes[i+1]
		if a.Revision != b.Revision || a.ID[:5] != b.ID[:5] || a.ID[5:] != "A" || b.ID[5:] != "B" {
			t.Errorf("changes %d and %d: %s, want one Update's A and B at one revision", i, i+1, renderChanges(all.Changes[i:i+2]))
		}
		if i > 0 && a.Revision <= all.Changes[i-1].Revision {
			t.Errorf("change %d at revision %d follows revision %d: want strictly increasing per Update", i, a.Revision, all.Changes[i-1].Revision)
		}
	}
}

func feedWaitReturnsAtOnce(t *testing.T, s keyfront.Store) {
	rev := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k1) })
	for _, since := range []keyfront.Revision{0, rev - 1} {
		ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
		got, err := s.Wait(ctx, since)
		cancel()
		if err != nil || got != rev {
			t.Errorf("Wait(%d) on a store at %d = %d, %v; want %d at once", since, rev, got, err, rev)
		}
	}
}

func feedWaitWakesOnCommit(t *testing.T, s keyfront.Store) {
	rev := revision(t, s)
	const waiters = 3
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	type result struct {
		rev keyfront.Revision
		err error
	}
	results := make(chan result, waiters)
	var started sync.WaitGroup
	for range waiters {
		started.Add(1)
		go func() {
			started.Done()
			r, err := s.Wait(ctx, rev)
			results <- result{r, err}
		}()
	}
	started.Wait()
	// Give the waiters a moment to block; a waiter that starts after the
	// commit returns at once, which the checks below accept too.
	time.Sleep(20 * time.Millisecond)
	committed := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k1) })
	for range waiters {
		r := wait(t, results, "a waiter to wake")
		if r.err != nil || r.rev < committed {
			t.Errorf("Wait(%d) = %d, %v; want %d after the commit", rev, r.rev, r.err, committed)
		}
	}
}

// feedWaitIgnoresNonChanges checks that what changes no record does not
// end a Wait: the Wait runs out its (short) deadline instead.
func feedWaitIgnoresNonChanges(t *testing.T, s keyfront.Store) {
	rev := revision(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		r, err := s.Wait(ctx, rev)
		if err == nil {
			err = fmt.Errorf("Wait returned revision %d", r)
		}
		done <- err
	}()
	s.Update(t.Context(), func(tx keyfront.Tx) error {
		tx.PutPublicKey(t.Context(), k1)
		return errStale
	})
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutNode(ctx, &keyfront.Node{ID: "edge-1", LastSeen: base})
	})
	if err := wait(t, done, "the Wait's deadline"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait after a rolled-back Update and a node's heartbeat: %v, want context.DeadlineExceeded", err)
	}
}

func feedWaitCancelled(t *testing.T, s keyfront.Store) {
	rev := revision(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(ctx, rev)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := wait(t, done, "a cancelled Wait to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait cancelled while waiting: %v, want context.Canceled", err)
	}
	_, err := s.Wait(ctx, rev)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context: %v, want context.Canceled", err)
	}
}

// feedWaitClosed checks that Close ends the Waits in progress, and that
// later Waits fail instead of blocking.
func feedWaitClosed(t *testing.T, s keyfront.Store) {
	rev := revision(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Wait(ctx, rev)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := wait(t, done, "Close to end a Wait"); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait in progress when the store closed: %v, want an error at Close", err)
	}
	if _, err := s.Wait(ctx, rev); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait on a closed store: %v, want an error at once", err)
	}
}

// feedPruned checks that the log is bounded and that a reader that fell
// behind it is told to reload.
func feedPruned(t *testing.T, openWith func(*testing.T, Options) keyfront.Store) {
	const keep, updates = 3, 10
	s := openWith(t, Options{KeepRevisions: keep})
	var revs []keyfront.Revision
	var all []keyfront.Change
	for i := range updates {
		k := publicKeys.make(i + 1)
		r := commit(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutPublicKey(ctx, k) })
		revs = append(revs, r)
		all = append(all, change(r, keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k.ID)}))
	}
	last := revs[updates-1]

	// The last keep revisions are kept.
	since := revs[updates-1-keep]
	wantChanges(t, fmt.Sprintf("Changes(%d), %d revisions behind", since, keep), changes(t, s, since), last, after(all, since))

	// Readers more than 2×keep behind are told to reload.
	for _, since := range []keyfront.Revision{0, revs[0], revs[updates-2-2*keep]} {
		cl := changes(t, s, since)
		if got, want := cl.Reload, keyfront.ReloadPruned; got != want {
			t.Errorf("Changes(%d) with the log kept for %d revisions up to %d: Reload = %v, want %v", since, keep, last, got, want)
		}
		if got, want := cl.Revision, last; got != want {
			t.Errorf("Changes(%d): Revision = %d, want %d", since, got, want)
		}
		if len(cl.Changes) != 0 {
			t.Errorf("Changes(%d) listed along with a reload: %s", since, renderChanges(cl.Changes))
		}
	}

	// LastChange of a record whose change was pruned is never older than
	// the truth, nor newer than the store.
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		got, err := tx.LastChange(ctx, all[0].RecordID)
		if err != nil {
			return err
		}
		if got < revs[0] || got > last {
			t.Errorf("LastChange of a pruned change at %d = %d, want between %d and %d", revs[0], got, revs[0], last)
		}
		got, err = tx.LastChange(ctx, all[updates-1].RecordID)
		if err == nil && got != last {
			t.Errorf("LastChange of the last change = %d, want %d", got, last)
		}
		return err
	})
}
