package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyfront"
)

// waitLimit bounds every wait for another goroutine, so that a store that
// deadlocks fails the test instead of hanging it.
const waitLimit = 10 * time.Second

// errStale is what the compare-and-swap tests' functions return when the
// record's ETag is not the one they expected, as the control API will on a
// stale If-Match.
var errStale = errors.New("storetest: stale ETag")

// seed stores one record of every kind, and an invalidation.
func seed(t *testing.T, s keyfront.Store) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		return errors.Join(
			tx.PutPublicKey(ctx, publicKeys.make(1)),
			tx.PutKeyGroup(ctx, keyGroups.make(1)),
			tx.PutOriginAccessControl(ctx, originAccessControls.make(1)),
			tx.PutDistribution(ctx, distribution(1)),
			tx.PutInvalidation(ctx, invalidation(distributionID(1), 'A', base)),
		)
	})
}

// dump renders everything in s, for comparing a store's whole state before
// and after something that must not change it.
func dump(t *testing.T, s keyfront.Store) string {
	t.Helper()
	var b strings.Builder
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		all := keyfront.Page{}
		pks, err := tx.ListPublicKeys(ctx, all)
		if err != nil {
			return err
		}
		for _, r := range pks {
			fmt.Fprintln(&b, render(r))
		}
		kgs, err := tx.ListKeyGroups(ctx, all)
		if err != nil {
			return err
		}
		for _, r := range kgs {
			fmt.Fprintln(&b, render(r))
		}
		oacs, err := tx.ListOriginAccessControls(ctx, all)
		if err != nil {
			return err
		}
		for _, r := range oacs {
			fmt.Fprintln(&b, render(r))
		}
		ds, err := tx.ListDistributions(ctx, all)
		if err != nil {
			return err
		}
		for _, r := range ds {
			fmt.Fprintln(&b, render(r))
			invs, err := tx.ListInvalidations(ctx, r.ID, all)
			if err != nil {
				return err
			}
			for _, inv := range invs {
				fmt.Fprintln(&b, render(inv))
			}
		}
		return nil
	})
	return b.String()
}

// writeEverything puts a new record of every kind, replaces and deletes
// seeded ones, and adds an invalidation: everything an Update can do.
func writeEverything(ctx context.Context, tx keyfront.Tx) error {
	changed := keyGroups.make(1)
	changed.ETag = "ECHANGED"
	return errors.Join(
		tx.PutPublicKey(ctx, publicKeys.make(2)),
		tx.PutKeyGroup(ctx, keyGroups.make(2)),
		tx.PutKeyGroup(ctx, changed),
		tx.PutOriginAccessControl(ctx, originAccessControls.make(2)),
		tx.PutDistribution(ctx, distribution(2)),
		tx.PutInvalidation(ctx, invalidation(distributionID(1), 'B', base)),
		tx.DeletePublicKey(ctx, publicKeys.make(1).ID),
		tx.DeleteOriginAccessControl(ctx, originAccessControls.make(1).ID),
		tx.DeleteDistribution(ctx, distributionID(1)),
	)
}

// wait waits for ch to be closed or to deliver, failing the test after
// waitLimit with what it was waiting for.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("gave up after %v waiting for %s", waitLimit, what)
		panic("unreachable")
	}
}

func testTransactions(t *testing.T, open func(*testing.T) keyfront.Store) {
	t.Run("UpdateReturnsErrorUnchanged", func(t *testing.T) {
		s := open(t)
		tests := []struct {
			name string
			err  error
		}{
			{"plain error", errors.New("plain")},
			{"application error", keyfront.Errorf(keyfront.EPRECONDITION, "The ETag is stale.")},
			{"wrapped error", fmt.Errorf("controlapi: update key group: %w", errStale)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.Update(t.Context(), func(keyfront.Tx) error { return tt.err })
				if err != tt.err {
					t.Errorf("Update error = %v (%T), want the function's error %v unchanged", err, err, tt.err)
				}
				err = s.View(t.Context(), func(keyfront.Tx) error { return tt.err })
				if err != tt.err {
					t.Errorf("View error = %v (%T), want the function's error %v unchanged", err, err, tt.err)
				}
			})
		}
	})

	t.Run("UpdateRollsBackOnError", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		before := dump(t, s)
		err := s.Update(t.Context(), func(tx keyfront.Tx) error {
			if err := writeEverything(t.Context(), tx); err != nil {
				t.Errorf("writing: %v", err)
			}
			return errStale
		})
		if err != errStale {
			t.Fatalf("Update error = %v, want %v", err, errStale)
		}
		if after := dump(t, s); after != before {
			t.Errorf("store changed by a failed Update\nbefore:\n%s\nafter:\n%s", before, after)
		}
		// And the store still takes writes.
		update(t, s, writeEverything)
		if after := dump(t, s); after == before {
			t.Errorf("store unchanged by a successful Update")
		}
	})

	t.Run("UpdateRollsBackOnPanic", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		before := dump(t, s)
		func() {
			defer func() {
				if got, want := recover(), "boom"; got != want {
					t.Errorf("recovered %v, want the function's panic %q", got, want)
				}
			}()
			s.Update(t.Context(), func(tx keyfront.Tx) error {
				if err := writeEverything(t.Context(), tx); err != nil {
					t.Errorf("writing: %v", err)
				}
				panic("boom")
			})
		}()
		if after := dump(t, s); after != before {
			t.Errorf("store changed by a panicking Update\nbefore:\n%s\nafter:\n%s", before, after)
		}
		// A store that leaked its writer on the panic would hang here.
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.Update(t.Context(), func(tx keyfront.Tx) error { return writeEverything(t.Context(), tx) })
		}()
		wait(t, done, "an Update after a panicking one")
	})

	t.Run("UpdateSeesItsOwnWrites", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			if err := writeEverything(ctx, tx); err != nil {
				return err
			}
			g, err := tx.GetKeyGroup(ctx, keyGroups.make(1).ID)
			if err != nil {
				return err
			}
			if got, want := g.ETag, "ECHANGED"; got != want {
				t.Errorf("ETag = %q, want %q", got, want)
			}
			ds, err := tx.ListDistributions(ctx, keyfront.Page{})
			if err != nil {
				return err
			}
			if got, want := idsOf(ds, func(d *keyfront.Distribution) string { return string(d.ID) }), []string{string(distributionID(2))}; !slices.Equal(got, want) {
				t.Errorf("distributions = %q, want %q", got, want)
			}
			return nil
		})
	})

	t.Run("ViewCannotWrite", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		before := dump(t, s)
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			writes := []struct {
				name string
				err  error
			}{
				{"PutPublicKey", tx.PutPublicKey(ctx, publicKeys.make(2))},
				{"PutKeyGroup", tx.PutKeyGroup(ctx, keyGroups.make(2))},
				{"PutOriginAccessControl", tx.PutOriginAccessControl(ctx, originAccessControls.make(2))},
				{"PutDistribution", tx.PutDistribution(ctx, distribution(2))},
				{"PutInvalidation", tx.PutInvalidation(ctx, invalidation(distributionID(1), 'B', base))},
				{"DeletePublicKey", tx.DeletePublicKey(ctx, publicKeys.make(1).ID)},
				{"DeleteKeyGroup", tx.DeleteKeyGroup(ctx, keyGroups.make(1).ID)},
				{"DeleteOriginAccessControl", tx.DeleteOriginAccessControl(ctx, originAccessControls.make(1).ID)},
				{"DeleteDistribution", tx.DeleteDistribution(ctx, distributionID(1))},
			}
			for _, w := range writes {
				if w.err == nil {
					t.Errorf("%s in View: error = nil, want an error", w.name)
				}
			}
			return nil
		})
		if after := dump(t, s); after != before {
			t.Errorf("store changed by writes in View\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("ViewIsASnapshot", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		id := keyGroups.make(1).ID
		firstRead, resume := make(chan struct{}), make(chan struct{})
		viewDone := make(chan error, 1)
		go func() {
			ctx := t.Context()
			viewDone <- s.View(ctx, func(tx keyfront.Tx) error {
				before, err := tx.GetKeyGroup(ctx, id)
				close(firstRead)
				if err != nil {
					return err
				}
				<-resume
				after, err := tx.GetKeyGroup(ctx, id)
				if err != nil {
					return err
				}
				if after.ETag != before.ETag {
					t.Errorf("View saw a commit made after its first read: ETag %q, then %q", before.ETag, after.ETag)
				}
				groups, err := tx.ListKeyGroups(ctx, keyfront.Page{})
				if err != nil {
					return err
				}
				if got, want := len(groups), 1; got != want {
					t.Errorf("View listed %d key groups, want the %d of its snapshot", got, want)
				}
				return nil
			})
		}()
		wait(t, firstRead, "the View's first read")
		committed := make(chan error, 1)
		go func() {
			committed <- s.Update(t.Context(), func(tx keyfront.Tx) error { return writeEverything(t.Context(), tx) })
		}()
		select {
		case err := <-committed:
			if err != nil {
				t.Errorf("Update: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("an open View blocked an Update for %v", waitLimit)
		}
		close(resume)
		if err := wait(t, viewDone, "the View"); err != nil {
			t.Errorf("View: %v", err)
		}
	})

	t.Run("ViewsRunConcurrently", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		started, release := make(chan struct{}), make(chan struct{})
		firstDone := make(chan error, 1)
		go func() {
			ctx := t.Context()
			firstDone <- s.View(ctx, func(tx keyfront.Tx) error {
				_, err := tx.GetKeyGroup(ctx, keyGroups.make(1).ID)
				close(started)
				<-release
				return err
			})
		}()
		wait(t, started, "the first View")
		secondDone := make(chan struct{})
		go func() {
			defer close(secondDone)
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				_, err := tx.ListDistributions(ctx, keyfront.Page{})
				return err
			})
		}()
		select {
		case <-secondDone:
		case <-time.After(waitLimit):
			t.Errorf("a View waited %v for another View to end", waitLimit)
		}
		close(release)
		if err := wait(t, firstDone, "the first View to end"); err != nil {
			t.Errorf("first View: %v", err)
		}
	})

	t.Run("ViewDuringUpdate", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		id := keyGroups.make(1).ID
		written, release := make(chan struct{}), make(chan struct{})
		updateDone := make(chan error, 1)
		go func() {
			ctx := t.Context()
			updateDone <- s.Update(ctx, func(tx keyfront.Tx) error {
				err := writeEverything(ctx, tx)
				close(written)
				<-release
				return err
			})
		}()
		wait(t, written, "the Update's writes")
		viewDone := make(chan struct{})
		go func() {
			defer close(viewDone)
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				g, err := tx.GetKeyGroup(ctx, id)
				if err != nil {
					return err
				}
				if g.ETag == "ECHANGED" {
					t.Errorf("View saw an uncommitted write")
				}
				return nil
			})
		}()
		select {
		case <-viewDone:
		case <-time.After(waitLimit):
			t.Errorf("a View waited %v for an Update to end", waitLimit)
		}
		close(release)
		if err := wait(t, updateDone, "the Update to end"); err != nil {
			t.Fatalf("Update: %v", err)
		}
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			g, err := tx.GetKeyGroup(ctx, id)
			if err == nil && g.ETag != "ECHANGED" {
				t.Errorf("after commit: ETag = %q, want %q", g.ETag, "ECHANGED")
			}
			return err
		})
	})

	t.Run("ConcurrentCompareAndSwap", func(t *testing.T) {
		s := open(t)
		const workers, rounds = 8, 15
		id := keyGroups.make(1).ID
		g := keyGroups.make(1)
		g.ETag = "v0"
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutKeyGroup(ctx, g) })
		for round := range rounds {
			from, to := fmt.Sprintf("v%d", round), fmt.Sprintf("v%d", round+1)
			var wins atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for w := range workers {
				wg.Go(func() {
					<-start
					ctx := t.Context()
					err := s.Update(ctx, func(tx keyfront.Tx) error {
						g, err := tx.GetKeyGroup(ctx, id)
						if err != nil {
							return err
						}
						if g.ETag != from {
							return errStale
						}
						g.ETag, g.Comment = to, ptr(fmt.Sprintf("won by worker %d", w))
						return tx.PutKeyGroup(ctx, g)
					})
					switch {
					case err == nil:
						wins.Add(1)
					case !errors.Is(err, errStale):
						t.Errorf("round %d, worker %d: %v", round, w, err)
					}
				})
			}
			close(start)
			wg.Wait()
			if got, want := wins.Load(), int32(1); got != want {
				t.Fatalf("round %d: %d workers swapped ETag %s, want exactly %d", round, got, from, want)
			}
		}
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			g, err := tx.GetKeyGroup(ctx, id)
			if err == nil && g.ETag != fmt.Sprintf("v%d", rounds) {
				t.Errorf("final ETag = %q, want v%d", g.ETag, rounds)
			}
			return err
		})
	})

	t.Run("NoLostUpdates", func(t *testing.T) {
		// The control API's shape: read the ETag in a View, then update
		// with If-Match in an Update, retrying when it went stale.
		s := open(t)
		const workers, increments = 4, 10
		g := keyGroups.make(1)
		g.ETag, g.Name = "n0", "0"
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutKeyGroup(ctx, g) })
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				ctx := t.Context()
				for done := 0; done < increments; {
					var etag string
					err := s.View(ctx, func(tx keyfront.Tx) error {
						g, err := tx.GetKeyGroup(ctx, g.ID)
						if err == nil {
							etag = g.ETag
						}
						return err
					})
					if err != nil {
						t.Errorf("worker %d: View: %v", w, err)
						return
					}
					err = s.Update(ctx, func(tx keyfront.Tx) error {
						g, err := tx.GetKeyGroup(ctx, g.ID)
						if err != nil {
							return err
						}
						if g.ETag != etag {
							return errStale
						}
						n, err := strconv.Atoi(g.Name)
						if err != nil {
							return err
						}
						g.Name = strconv.Itoa(n + 1)
						g.ETag = fmt.Sprintf("n%d-w%d", n+1, w)
						return tx.PutKeyGroup(ctx, g)
					})
					switch {
					case err == nil:
						done++
					case !errors.Is(err, errStale):
						t.Errorf("worker %d: Update: %v", w, err)
						return
					}
				}
			})
		}
		wg.Wait()
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			got, err := tx.GetKeyGroup(ctx, g.ID)
			if err == nil && got.Name != strconv.Itoa(workers*increments) {
				t.Errorf("counter = %s, want %d", got.Name, workers*increments)
			}
			return err
		})
	})

	t.Run("Cancellation", func(t *testing.T) {
		s := open(t)
		seed(t, s)
		before := dump(t, s)

		canceled, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.Update(canceled, func(tx keyfront.Tx) error { return writeEverything(canceled, tx) })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Update with a cancelled context: error = %v, want context.Canceled", err)
		}
		err = s.View(canceled, func(tx keyfront.Tx) error {
			_, err := tx.ListKeyGroups(canceled, keyfront.Page{})
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("View with a cancelled context: error = %v, want context.Canceled", err)
		}

		// Cancelled halfway, by a function that ignores the errors that
		// follow: nothing may be committed.
		ctx, cancel := context.WithCancel(t.Context())
		err = s.Update(ctx, func(tx keyfront.Tx) error {
			if err := tx.PutPublicKey(ctx, publicKeys.make(2)); err != nil {
				t.Errorf("put before cancelling: %v", err)
			}
			cancel()
			writeEverything(ctx, tx)
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Update cancelled halfway: error = %v, want context.Canceled", err)
		}
		if after := dump(t, s); after != before {
			t.Errorf("store changed by cancelled Updates\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}
