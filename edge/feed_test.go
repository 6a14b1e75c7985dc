package edge_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keyfront"
	"keyfront/edge"
	"keyfront/inmem"
	"keyfront/sqlite"
)

// The edge follows the change feed: a change rebuilds the distributions
// that depend on what changed, and only those.
func TestFeedRebuildsOnlyWhatChanged(t *testing.T) {
	e := newEnv(t, withStore(inmem.New()))
	const (
		dist2  = keyfront.DistributionID("EDISTRIBUTION2")
		dist3  = keyfront.DistributionID("EDISTRIBUTION3")
		group2 = "22222222-2222-3333-4444-555555555555"
		oac1   = "EOAC000000001"
	)
	e.putKey(keyA, rsaKey())
	e.putKey(keyEC, ecKey())
	e.putGroup(group, keyA)
	e.putGroup(group2, keyEC)
	putOAC := func() {
		e.update(func(ctx context.Context, tx keyfront.Tx) error {
			return tx.PutOriginAccessControl(ctx, &keyfront.OriginAccessControl{ID: oac1, ETag: nextETag(), Name: "oac",
				SigningProtocol: "sigv4", SigningBehavior: "never", OriginType: "s3"})
		})
	}
	putOAC()
	withOAC := e.customOrigin("o1")
	withOAC.OAC = oac1
	putDist1 := func() {
		e.putDist(dist1, dist{Domain: host1, Origins: []orig{withOAC}, Default: beh{Target: "o1", KeyGroups: []string{group}}})
	}
	putDist1()
	e.putDist(dist2, dist{Domain: "d2.cloudfront.localhost", Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", KeyGroups: []string{group2}}})
	e.putDist(dist3, dist{Domain: "d3.cloudfront.localhost", Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", TrustSelf: true}})

	for _, tc := range []struct {
		name   string
		change func()
		want   []keyfront.DistributionID // rebuilt
	}{
		{"the distribution itself", putDist1, []keyfront.DistributionID{dist1}},
		{"a key group it trusts", func() { e.putGroup(group2, keyEC) }, []keyfront.DistributionID{dist2}},
		{"a key in a group it trusts, or any key when it trusts the account", func() { e.putKey(keyEC, ecKey()) }, []keyfront.DistributionID{dist2, dist3}},
		{"a key no group holds: only TrustedSigners self", func() { e.putKey(keyB, rsaKey2()) }, []keyfront.DistributionID{dist3}},
		{"its origin access control", putOAC, []keyfront.DistributionID{dist1}},
		{"an invalidation", func() { e.invalidate(dist1, "I1", "/a.txt") }, nil},
		{"a key group nobody trusts", func() { e.putGroup("33333333-2222-3333-4444-555555555555", keyB) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := map[keyfront.DistributionID]any{}
			for _, id := range []keyfront.DistributionID{dist1, dist2, dist3} {
				before[id] = edge.BuiltDistribution(e.edge, string(id))
				if before[id] == nil {
					t.Fatalf("%s is not served", id)
				}
			}
			rev := e.edge.Revision()
			tc.change()
			if got := e.edge.Revision(); got <= rev {
				t.Fatalf("revision %d after the change, want > %d", got, rev)
			}
			for id, b := range before {
				gotRebuilt := edge.BuiltDistribution(e.edge, string(id)) != b
				wantRebuilt := false
				for _, w := range tc.want {
					wantRebuilt = wantRebuilt || w == id
				}
				if gotRebuilt != wantRebuilt {
					t.Errorf("%s rebuilt: %v, want %v", id, gotRebuilt, wantRebuilt)
				}
			}
		})
	}
}

// For every revision the node reports, the edge serves that revision's
// configuration: a key removed from the trusted group is refused, and an
// alias added is served, by the time the node says the edge applied the
// change. The check is free of races: the node is read first, then the
// edge asked, so whatever the edge answers it answers with a revision at
// least as new as the node's.
func TestFeedNodeNeverAheadOfWhatIsServed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) keyfront.Store
	}{
		{"inmem", func(*testing.T) keyfront.Store { return inmem.New() }},
		{"sqlite", func(t *testing.T) keyfront.Store {
			db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "keyfront.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withStore(tc.store(t)), withConfig(func(c *edge.Config) { c.HeartbeatInterval = 10 * time.Millisecond }))
			e.putKey(keyA, rsaKey())
			e.putKey(keyB, rsaKey2())
			e.putGroup(group, keyA, keyB)
			base := dist{Domain: host1, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", KeyGroups: []string{group}, CachePolicy: cachingDisabled}}
			e.putDist(dist1, base)
			e.origin.put("/a.txt", "secret")

			const steps = 20
			const removeAt = steps / 2
			urls := make([]string, steps)
			for i := range urls {
				urls[i] = signURL(t, keyA, fmt.Sprintf("http://a%d.example/a.txt", i))
			}
			urlB := signURL(t, keyB, "http://"+host1+"/a.txt")
			configs := make([][]byte, steps)
			aliases := make([][]string, steps)
			for i := range configs {
				d := base
				for j := range i + 1 {
					d.Aliases = append(d.Aliases, fmt.Sprintf("a%d.example", j))
				}
				configs[i], aliases[i] = d.stored(t), d.Aliases
			}
			if resp, body := e.get(urlB); resp.StatusCode != http.StatusOK {
				t.Fatalf("key B before its removal: %d %s", resp.StatusCode, body)
			}

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			e.edge.Start(ctx)

			// The writer adds alias a<i>.example at step i (the aliases
			// accumulate) and removes key B from the group before step
			// removeAt, noting the revision of each change once it
			// committed.
			var mu sync.Mutex
			var revs []keyfront.Revision // revision of step i
			removed := keyfront.Revision(-1)
			writerDone := make(chan error, 1)
			removalChecked := make(chan struct{})
			go func() {
				for i := range steps {
					if i == removeAt {
						// The group alone, so that nothing else
						// rebuilds the distribution.
						var rev keyfront.Revision
						err := e.store.Update(ctx, func(tx keyfront.Tx) error {
							err := tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: group, ETag: nextETag(), Name: group,
								Items: []keyfront.KeyPairID{keyA}, LastModifiedTime: testNow})
							if err != nil {
								return err
							}
							rev, err = tx.Revision(ctx)
							return err
						})
						if err != nil {
							writerDone <- err
							return
						}
						mu.Lock()
						removed = rev
						mu.Unlock()
						// Hold the next change until the key's
						// refusal was checked at this revision: the
						// next one rebuilds the distribution anyway.
						select {
						case <-removalChecked:
						case <-ctx.Done():
							writerDone <- ctx.Err()
							return
						}
					}
					var rev keyfront.Revision
					err := e.store.Update(ctx, func(tx keyfront.Tx) error {
						err := tx.PutDistribution(ctx, &keyfront.Distribution{ID: dist1, ETag: nextETag(), DomainName: host1,
							Enabled: true, Aliases: aliases[i], Config: configs[i], LastModifiedTime: testNow, CallerReference: string(dist1)})
						if err != nil {
							return err
						}
						rev, err = tx.Revision(ctx)
						return err
					})
					if err != nil {
						writerDone <- err
						return
					}
					mu.Lock()
					revs = append(revs, rev)
					mu.Unlock()
					time.Sleep(time.Millisecond)
				}
				writerDone <- nil
			}()

			checks := 0
			finished, removalSeen := false, false
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case err := <-writerDone:
					if err != nil {
						t.Fatal(err)
					}
					finished = true
				default:
				}
				node := e.node()
				mu.Lock()
				last, knownRevs, removedRev := -1, len(revs), removed
				for i, r := range revs {
					if r <= node.Revision {
						last = i
					}
				}
				mu.Unlock()
				if last >= 0 {
					checks++
					if resp, body := e.get(urls[last]); resp.StatusCode != http.StatusOK {
						t.Fatalf("node at revision %d, alias a%d.example added at revision %d: %d %s", node.Revision, last, revs[last], resp.StatusCode, body)
					}
				}
				if removedRev >= 0 && removedRev <= node.Revision {
					checks++
					resp, body := e.get(urlB)
					if resp.StatusCode != http.StatusForbidden {
						t.Fatalf("node at revision %d, key B removed at revision %d, yet accepted: %d", node.Revision, removedRev, resp.StatusCode)
					}
					checkRejection(t, resp, body, "InvalidKey")
					if !removalSeen {
						removalSeen = true
						close(removalChecked)
					}
				}
				if finished && last == knownRevs-1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the node never reported the last revision: at %d, steps %v", node.Revision, revs)
				}
			}
			if checks == 0 {
				t.Fatal("nothing was checked")
			}
			if got, want := e.edge.Revision(), revs[steps-1]; got < want {
				t.Errorf("Revision() = %d, want at least %d", got, want)
			}
		})
	}
}

// An invalidation record in the store purges its paths from the cache,
// whether the edge is told to Reload or follows the feed by itself; the
// paths of another distribution's invalidation touch nothing here.
func TestFeedInvalidationPurgesCache(t *testing.T) {
	e := newEnv(t, withStore(inmem.New()))
	e.basicSetup()
	e.origin.put("/a.txt", "a1")
	e.origin.put("/b.txt", "b1")
	get := func(path string) (string, string) {
		t.Helper()
		resp, body := e.get(signURL(t, keyA, "http://"+host1+path))
		return body, resp.Header.Get("X-Cache")
	}
	get("/a.txt")
	get("/b.txt")
	e.origin.put("/a.txt", "a2")
	e.origin.put("/b.txt", "b2")

	const other = keyfront.DistributionID("EOTHER00000000")
	e.putDist(other, dist{Domain: "other.cloudfront.localhost", Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}})
	e.invalidate(other, "I1", "/*")
	if body, x := get("/a.txt"); body != "a1" || x != "Hit from cloudfront" {
		t.Errorf("after another distribution's invalidation: %q %q", body, x)
	}

	e.invalidate(dist1, "I2", "/a.txt")
	if body, x := get("/a.txt"); body != "a2" || x != "Miss from cloudfront" {
		t.Errorf("after its invalidation (Reload): %q %q", body, x)
	}
	if body, x := get("/b.txt"); body != "b1" || x != "Hit from cloudfront" {
		t.Errorf("a path no invalidation names: %q %q", body, x)
	}

	// Followed: nobody calls Reload; once the edge reports the revision,
	// the path is purged.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.edge.Start(ctx)
	var rev keyfront.Revision
	err := e.store.Update(ctx, func(tx keyfront.Tx) error {
		if err := tx.PutInvalidation(ctx, &keyfront.Invalidation{ID: "I3", DistributionID: dist1, CreateTime: testNow,
			CallerReference: "I3", Paths: []string{"/b*"}}); err != nil {
			return err
		}
		var err error
		rev, err = tx.Revision(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.waitNode(rev)
	if body, x := get("/b.txt"); body != "b2" || x != "Miss from cloudfront" {
		t.Errorf("after an invalidation the edge followed: %q %q", body, x)
	}
}

// A restarted edge (a new Server with the same NodeID, cache and store)
// catches up on what happened while it was down: the configuration, and
// the invalidations, whose paths it purges and no others.
func TestFeedRestartPurgesMissedInvalidations(t *testing.T) {
	e := newEnv(t, withStore(inmem.New()))
	e.basicSetup()
	e.origin.put("/a.txt", "a1")
	e.origin.put("/b.txt", "b1")
	urlA := signURL(t, keyA, "http://"+host1+"/a.txt")
	urlB := signURL(t, keyA, "http://"+host1+"/b.txt")
	e.get(urlA)
	e.get(urlB)
	e.edge.Close()

	// While the edge is down: an invalidation, and a new alias.
	e.origin.put("/a.txt", "a2")
	e.origin.put("/b.txt", "b2")
	ctx := t.Context()
	err := e.store.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutInvalidation(ctx, &keyfront.Invalidation{ID: "I1", DistributionID: dist1, CreateTime: testNow,
			CallerReference: "I1", Paths: []string{"/a.txt"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	d := dist{Domain: host1, Aliases: []string{"new.example"}, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", KeyGroups: []string{group}}}
	cfg := d.stored(t)
	err = e.store.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutDistribution(ctx, &keyfront.Distribution{ID: dist1, ETag: nextETag(), DomainName: host1, Enabled: true,
			Aliases: d.Aliases, Config: cfg, LastModifiedTime: testNow, CallerReference: string(dist1)})
	})
	if err != nil {
		t.Fatal(err)
	}

	restarted := e.restart(e.cfg.NodeID)
	for _, tc := range []struct {
		name, url, body, xcache string
	}{
		{"invalidated while down", urlA, "a2", "Miss from cloudfront"},
		{"not invalidated", urlB, "b1", "Hit from cloudfront"},
		{"alias added while down", signURL(t, keyA, "http://new.example/b.txt"), "b1", "Hit from cloudfront"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, x := serve(t, restarted, tc.url)
			if status != http.StatusOK || body != tc.body || x != tc.xcache {
				t.Errorf("got %d %q %q, want 200 %q %q", status, body, x, tc.body, tc.xcache)
			}
		})
	}
	if got, want := e.node().Revision, restarted.Revision(); got != want {
		t.Errorf("node revision %d after the restart, want %d", got, want)
	}
}

// An edge that cannot know which invalidations it missed purges its whole
// cache: one with no node record in the store (a new NodeID on an old
// cache), and one whose node revision the store's log no longer reaches,
// at start or while it runs.
func TestFeedPurgesEverythingWhenItCannotCatchUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		// lose makes the edge lose track; it returns the server to ask.
		lose func(t *testing.T, e *env) *edge.Server
	}{
		{"restart under a new node ID", func(t *testing.T, e *env) *edge.Server {
			e.edge.Close()
			return e.restart("another-node")
		}},
		{"restart after the log was pruned", func(t *testing.T, e *env) *edge.Server {
			e.edge.Close()
			e.churn(5)
			return e.restart(e.cfg.NodeID)
		}},
		{"running, after the log was pruned", func(t *testing.T, e *env) *edge.Server {
			e.churn(5)
			if err := e.edge.Reload(t.Context()); err != nil {
				t.Fatal(err)
			}
			return e.edge
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withStore(inmem.NewWith(inmem.Options{KeepRevisions: 2})))
			e.basicSetup()
			e.origin.put("/a.txt", "a1")
			url := signURL(t, keyA, "http://"+host1+"/a.txt")
			e.get(url)
			if resp, _ := e.get(url); resp.Header.Get("X-Cache") != "Hit from cloudfront" {
				t.Fatalf("not cached: %q", resp.Header.Get("X-Cache"))
			}
			e.origin.put("/a.txt", "a2")
			srv := tc.lose(t, e)
			status, body, x := serve(t, srv, url)
			if status != http.StatusOK || body != "a2" || x != "Miss from cloudfront" {
				t.Errorf("got %d %q %q, want 200 \"a2\" Miss", status, body, x)
			}
		})
	}
}

// A store that fails leaves the edge serving its last configuration, and
// the edge catches up once the store answers again.
func TestFeedStoreErrorsKeepServing(t *testing.T) {
	st := &flakyStore{Store: inmem.New()}
	logs := &syncBuffer{}
	e := newEnv(t, withStore(st), withConfig(func(c *edge.Config) {
		c.HeartbeatInterval = 10 * time.Millisecond
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}))
	e.putDist(dist1, dist{Domain: host1, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}})
	e.origin.put("/a.txt", "secret")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.edge.Start(ctx)
	before := e.edge.Revision()

	st.fail.Store(true)
	// Disable the distribution behind the failing store's back.
	cfg := dist{Domain: host1, Disabled: true, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}}.stored(t)
	err := st.Store.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutDistribution(ctx, &keyfront.Distribution{ID: dist1, ETag: nextETag(), DomainName: host1,
			Config: cfg, LastModifiedTime: testNow, CallerReference: string(dist1)})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edge to fail twice", func() bool { return metricValue(t, e.edge, "keyfront_edge_store_errors_total") >= 2 })
	if resp, body := e.get("http://" + host1 + "/a.txt"); resp.StatusCode != http.StatusOK || body != "secret" {
		t.Errorf("while the store fails: %d %q, want the last configuration's 200", resp.StatusCode, body)
	}
	if got := e.edge.Revision(); got != before {
		t.Errorf("Revision() = %d while the store fails, want %d", got, before)
	}
	if !strings.Contains(logs.String(), "cannot follow the store") {
		t.Errorf("no warning logged:\n%s", logs)
	}

	st.fail.Store(false)
	waitFor(t, "the edge to catch up", func() bool { return e.edge.Revision() > before })
	if resp, _ := e.get("http://" + host1 + "/a.txt"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("after the store recovered: %d, want 403 for the disabled distribution", resp.StatusCode)
	}
	if got, want := metricValue(t, e.edge, "keyfront_edge_config_revision"), float64(e.edge.Revision()); got != want {
		t.Errorf("keyfront_edge_config_revision = %v, want %v", got, want)
	}
}

// The edge registers its node when it starts and heartbeats it: LastSeen
// follows the edge's clock even when nothing changes.
func TestFeedHeartbeat(t *testing.T) {
	e := newEnv(t, withStore(inmem.New()), withConfig(func(c *edge.Config) { c.HeartbeatInterval = 10 * time.Millisecond }))
	n := e.node()
	if !n.LastSeen.Equal(testNow) || n.Revision != e.edge.Revision() {
		t.Errorf("node at start: %+v, want revision %d seen at %v", n, e.edge.Revision(), testNow)
	}
	e.putKey(keyA, rsaKey())
	if got, want := e.node().Revision, e.edge.Revision(); got != want {
		t.Errorf("node revision %d after Reload, want %d", got, want)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.edge.Start(ctx)
	later := testNow.Add(time.Minute)
	e.clock.set(later)
	waitFor(t, "a heartbeat", func() bool { return e.node().LastSeen.Equal(later) })
}

func TestNewServerRequiresNodeID(t *testing.T) {
	_, err := edge.NewServer(edge.Config{Store: inmem.New()})
	if err == nil || !strings.Contains(err.Error(), "NodeID") {
		t.Errorf("NewServer without NodeID: %v, want an error naming NodeID", err)
	}
}

// flakyStore fails every transaction and Wait while fail is set.
type flakyStore struct {
	keyfront.Store
	fail atomic.Bool
}

var errFlaky = &keyfront.Error{Code: keyfront.EINTERNAL, Message: "the store is unreachable (test)"}

func (s *flakyStore) View(ctx context.Context, fn func(keyfront.Tx) error) error {
	if s.fail.Load() {
		return errFlaky
	}
	return s.Store.View(ctx, fn)
}

func (s *flakyStore) Update(ctx context.Context, fn func(keyfront.Tx) error) error {
	if s.fail.Load() {
		return errFlaky
	}
	return s.Store.Update(ctx, fn)
}

func (s *flakyStore) Wait(ctx context.Context, after keyfront.Revision) (keyfront.Revision, error) {
	if s.fail.Load() {
		return 0, errFlaky
	}
	return s.Store.Wait(ctx, after)
}

// invalidate stores an invalidation of paths and reloads the edge.
func (e *env) invalidate(d keyfront.DistributionID, id string, paths ...string) {
	e.t.Helper()
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutInvalidation(ctx, &keyfront.Invalidation{ID: id, DistributionID: d, CreateTime: testNow,
			CallerReference: id, Paths: paths})
	})
}

// churn commits n changes to a key group no distribution trusts, without
// reloading the edge.
func (e *env) churn(n int) {
	e.t.Helper()
	ctx := context.Background()
	for range n {
		err := e.store.Update(ctx, func(tx keyfront.Tx) error {
			return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: "99999999-2222-3333-4444-555555555555", ETag: nextETag(),
				Name: "churn", Items: []keyfront.KeyPairID{keyA}, LastModifiedTime: testNow})
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// node returns the edge's node as the store has it.
func (e *env) node() *keyfront.Node {
	e.t.Helper()
	var n *keyfront.Node
	err := e.store.View(context.Background(), func(tx keyfront.Tx) error {
		var err error
		n, err = tx.GetNode(context.Background(), e.cfg.NodeID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitNode waits until the edge's node reports rev or later.
func (e *env) waitNode(rev keyfront.Revision) {
	e.t.Helper()
	waitFor(e.t, fmt.Sprintf("the node to report revision %d", rev), func() bool { return e.node().Revision >= rev })
}

// restart starts a new Server with e's configuration under nodeID, on the
// same store and cache, as a restarted process would be.
func (e *env) restart(nodeID string) *edge.Server {
	e.t.Helper()
	cfg := e.cfg
	cfg.NodeID = nodeID
	cfg.AccessLog = nil
	cfg.Metrics = nil
	srv, err := edge.NewServer(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { srv.Close() })
	return srv
}

// serve asks srv for url in process and returns the status, body and
// X-Cache.
func serve(tb testing.TB, srv *edge.Server, url string) (int, string, string) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.RemoteAddr = "127.0.0.1:1234"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		tb.Fatal(err)
	}
	return rec.Code, string(body), rec.Header().Get("X-Cache")
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// metricValue returns the value of an unlabelled metric the edge serves.
func metricValue(tb testing.TB, srv *edge.Server, name string) float64 {
	tb.Helper()
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				tb.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	tb.Fatalf("no metric %s in:\n%s", name, rec.Body.String())
	return 0
}

// When two distributions claim one alias (the control API keeps aliases
// unique, so only a store written by other means has this), the lower ID
// serves it whatever the order of the changes, and the other takes over
// when the lower one lets it go.
func TestFeedAliasClaimedTwice(t *testing.T) {
	e := newEnv(t, withStore(inmem.New()))
	const (
		low  = keyfront.DistributionID("EAAAAAAAAAAAAA")
		high = keyfront.DistributionID("EZZZZZZZZZZZZZ")
	)
	e.origin.put("/low/a.txt", "low")
	e.origin.put("/high/a.txt", "high")
	claim := func(id keyfront.DistributionID, path string, aliases ...string) {
		o := e.customOrigin("o1")
		o.Path = path
		e.putDist(id, dist{Domain: strings.ToLower(string(id)) + ".cloudfront.localhost", Aliases: aliases,
			Origins: []orig{o}, Default: beh{Target: "o1", CachePolicy: cachingDisabled}})
	}
	for _, tc := range []struct {
		name   string
		change func()
		want   string // body served for shared.example, "" for none
	}{
		{"the higher ID alone", func() { claim(high, "/high", "shared.example") }, "high"},
		{"the lower ID claims it too", func() { claim(low, "/low", "shared.example") }, "low"},
		{"the higher ID changes", func() { claim(high, "/high", "shared.example", "other.example") }, "low"},
		{"the lower ID lets it go", func() { claim(low, "/low") }, "high"},
		{"the lower ID takes it back", func() { claim(low, "/low", "shared.example") }, "low"},
		{"the lower ID is deleted", func() {
			e.update(func(ctx context.Context, tx keyfront.Tx) error { return tx.DeleteDistribution(ctx, low) })
		}, "high"},
		{"the higher ID is deleted", func() {
			e.update(func(ctx context.Context, tx keyfront.Tx) error { return tx.DeleteDistribution(ctx, high) })
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			resp, body := e.get("http://shared.example/a.txt")
			switch {
			case tc.want == "" && resp.StatusCode != http.StatusForbidden:
				t.Errorf("got %d %q, want 403: no distribution has the alias", resp.StatusCode, body)
			case tc.want != "" && (resp.StatusCode != http.StatusOK || body != tc.want):
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, tc.want)
			}
		})
	}
}
