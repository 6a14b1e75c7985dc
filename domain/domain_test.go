package domain_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
	"keyfront/sqlite"
)

// fixture is a store and the rules over it.
type fixture struct {
	t     *testing.T
	store keyfront.Store
	rules *domain.Rules
}

func newFixture(t *testing.T, q domain.Quotas) *fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keyfront.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{t: t, store: db, rules: domain.New(domain.Config{AccountID: "123456789012", Quotas: q})}
}

// update runs fn in a transaction and returns its error.
func (f *fixture) update(fn func(ctx context.Context, tx keyfront.Tx) error) error {
	ctx := context.Background()
	return f.store.Update(ctx, func(tx keyfront.Tx) error { return fn(ctx, tx) })
}

// must runs fn in a transaction and fails the test on error.
func (f *fixture) must(fn func(ctx context.Context, tx keyfront.Tx) error) {
	f.t.Helper()
	if err := f.update(fn); err != nil {
		f.t.Fatal(err)
	}
}

// code returns the CloudFront code of err, "" for nil.
func code(tb testing.TB, err error) string {
	tb.Helper()
	if err == nil {
		return ""
	}
	var me *model.Error
	if !errors.As(err, &me) {
		tb.Fatalf("error %v (%T) is not a *model.Error", err, err)
	}
	return me.Code
}

func publicKeyPEM(tb testing.TB) string {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func (f *fixture) createKey(name string) *keyfront.PublicKey {
	f.t.Helper()
	var k *keyfront.PublicKey
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		k, err = f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: name, Name: name, EncodedKey: publicKeyPEM(f.t)})
		return err
	})
	return k
}

func (f *fixture) createGroup(name string, keys ...keyfront.KeyPairID) *keyfront.KeyGroup {
	f.t.Helper()
	var g *keyfront.KeyGroup
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		g, err = f.rules.CreateKeyGroup(ctx, tx, domain.KeyGroupConfig{Name: name, Items: keys})
		return err
	})
	return g
}

// config returns a valid configuration whose default behavior trusts the
// key groups given.
func config(tb testing.TB, ref string, aliases []string, groups ...keyfront.KeyGroupID) *model.Canonical {
	tb.Helper()
	c := &model.DistributionConfig{
		CallerReference: ref,
		Aliases:         aliases,
		Enabled:         true,
		Origins:         []model.Origin{{ID: "o", DomainName: "media.s3.localhost", S3: &model.S3Origin{}}},
		DefaultCacheBehavior: model.CacheBehavior{TargetOriginID: "o", ViewerProtocolPolicy: "https-only",
			CachePolicyID: "658327ea-f89d-4fab-a63d-7e88639e58f6"},
	}
	if len(groups) > 0 {
		c.DefaultCacheBehavior.TrustedKeyGroups = model.TrustedKeyGroups{Enabled: true, Items: groups}
	}
	canon, err := c.Canonical()
	if err != nil {
		tb.Fatal(err)
	}
	return canon
}

func (f *fixture) createDistribution(c *model.Canonical) *keyfront.Distribution {
	f.t.Helper()
	var d *keyfront.Distribution
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		d, err = f.rules.CreateDistribution(ctx, tx, c, nil)
		return err
	})
	return d
}

func TestPublicKeyRules(t *testing.T) {
	f := newFixture(t, domain.Quotas{PublicKeys: 2})
	k := f.createKey("first")
	if len(k.ID) != 14 || k.ID[0] != 'K' || k.ETag == "" {
		t.Errorf("created key = %+v", k)
	}
	f.createGroup("group", k.ID)

	tests := []struct {
		name string
		op   func(ctx context.Context, tx keyfront.Tx) error
		want string
	}{
		{"same name", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: "other", Name: "first", EncodedKey: publicKeyPEM(t)})
			return err
		}, "PublicKeyAlreadyExists"},
		{"same caller reference", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: "first", Name: "other", EncodedKey: publicKeyPEM(t)})
			return err
		}, "PublicKeyAlreadyExists"},
		{"bad name", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: "x", Name: "a b", EncodedKey: publicKeyPEM(t)})
			return err
		}, "InvalidArgument"},
		{"not a key", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: "x", Name: "x", EncodedKey: "nope"})
			return err
		}, "InvalidArgument"},
		{"update without If-Match", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdatePublicKey(ctx, tx, k.ID, "", domain.PublicKeyConfig{CallerReference: "first", Name: "first", EncodedKey: k.EncodedKey})
			return err
		}, "InvalidIfMatchVersion"},
		{"update with a stale ETag", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdatePublicKey(ctx, tx, k.ID, "ESTALE", domain.PublicKeyConfig{CallerReference: "first", Name: "first", EncodedKey: k.EncodedKey})
			return err
		}, "PreconditionFailed"},
		{"update the key", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdatePublicKey(ctx, tx, k.ID, k.ETag, domain.PublicKeyConfig{CallerReference: "first", Name: "first", EncodedKey: publicKeyPEM(t)})
			return err
		}, "CannotChangeImmutablePublicKeyFields"},
		{"update the name", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdatePublicKey(ctx, tx, k.ID, k.ETag, domain.PublicKeyConfig{CallerReference: "first", Name: "renamed", EncodedKey: k.EncodedKey})
			return err
		}, "IllegalUpdate"},
		{"update a missing key", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdatePublicKey(ctx, tx, "KNOSUCHKEY0000", "E1", domain.PublicKeyConfig{})
			return err
		}, "NoSuchPublicKey"},
		{"delete a key in use", func(ctx context.Context, tx keyfront.Tx) error {
			return domain.DeletePublicKey(ctx, tx, k.ID, k.ETag)
		}, "PublicKeyInUse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, f.update(tt.op)); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
		})
	}

	f.createKey("second")
	err := f.update(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.CreatePublicKey(ctx, tx, domain.PublicKeyConfig{CallerReference: "third", Name: "third", EncodedKey: publicKeyPEM(t)})
		return err
	})
	if got, want := code(t, err), "TooManyPublicKeys"; got != want {
		t.Errorf("third key over a quota of 2: code = %q, want %q", got, want)
	}
}

// A failed rule writes nothing: the transaction that ran it rolls back.
func TestFailedRuleWritesNothing(t *testing.T) {
	f := newFixture(t, domain.Quotas{})
	k := f.createKey("k")
	g := f.createGroup("g", k.ID)
	f.createDistribution(config(t, "a", []string{"www.example.com"}, g.ID))
	err := f.update(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.CreateDistribution(ctx, tx, config(t, "b", []string{"WWW.example.com"}), nil)
		return err
	})
	if got, want := code(t, err), "CNAMEAlreadyExists"; got != want {
		t.Fatalf("code = %q, want %q", got, want)
	}
	var n int
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		all, err := tx.ListDistributions(ctx, keyfront.Page{})
		n = len(all)
		return err
	})
	if n != 1 {
		t.Errorf("%d distributions stored, want 1", n)
	}
}

func TestDistributionRules(t *testing.T) {
	f := newFixture(t, domain.Quotas{Distributions: 2})
	k := f.createKey("k")
	g := f.createGroup("g", k.ID)
	d := f.createDistribution(config(t, "first", []string{"www.example.com"}, g.ID))
	if d.Status != domain.StatusDeployed || len(d.ID) != 14 || d.ID[0] != 'E' {
		t.Errorf("created distribution = %+v", d)
	}
	if got, want := fmt.Sprint(d.KeyGroupIDs), fmt.Sprint([]keyfront.KeyGroupID{g.ID}); got != want {
		t.Errorf("KeyGroupIDs = %s, want %s", got, want)
	}

	tests := []struct {
		name string
		op   func(ctx context.Context, tx keyfront.Tx) error
		want string
	}{
		{"same caller reference", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreateDistribution(ctx, tx, config(t, "first", nil), nil)
			return err
		}, "DistributionAlreadyExists"},
		{"alias taken, other case", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreateDistribution(ctx, tx, config(t, "other", []string{"WWW.Example.com"}), nil)
			return err
		}, "CNAMEAlreadyExists"},
		{"missing key group", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.CreateDistribution(ctx, tx, config(t, "other", nil, "00000000-0000-4000-8000-000000000000"), nil)
			return err
		}, "TrustedKeyGroupDoesNotExist"},
		{"change the caller reference", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdateDistribution(ctx, tx, d.ID, d.ETag, config(t, "changed", nil))
			return err
		}, "IllegalUpdate"},
		{"update with a stale ETag", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := f.rules.UpdateDistribution(ctx, tx, d.ID, "ESTALE", config(t, "first", nil))
			return err
		}, "PreconditionFailed"},
		{"delete while enabled", func(ctx context.Context, tx keyfront.Tx) error {
			return domain.DeleteDistribution(ctx, tx, d.ID, d.ETag)
		}, "DistributionNotDisabled"},
		{"delete a trusted key group", func(ctx context.Context, tx keyfront.Tx) error {
			return domain.DeleteKeyGroup(ctx, tx, g.ID, g.ETag)
		}, "ResourceInUse"},
		{"get a missing distribution", func(ctx context.Context, tx keyfront.Tx) error {
			_, err := domain.GetDistribution(ctx, tx, "ENOSUCHDIST000")
			return err
		}, "NoSuchDistribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(t, f.update(tt.op)); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
		})
	}

	f.createDistribution(config(t, "second", nil))
	err := f.update(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.CreateDistribution(ctx, tx, config(t, "third", nil), nil)
		return err
	})
	if got, want := code(t, err), "TooManyDistributions"; got != want {
		t.Errorf("third distribution over a quota of 2: code = %q, want %q", got, want)
	}
}

// Changing a key group's keys changes every distribution that trusts it
// (ActiveTrustedKeyGroups shows them; control-api.md §5).
func TestKeyGroupUpdateTouchesTrustingDistributions(t *testing.T) {
	f := newFixture(t, domain.Quotas{})
	k1, k2 := f.createKey("k1"), f.createKey("k2")
	g := f.createGroup("g", k1.ID)
	trusting := f.createDistribution(config(t, "trusting", nil, g.ID))
	other := f.createDistribution(config(t, "other", nil))
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.UpdateKeyGroup(ctx, tx, g.ID, g.ETag, domain.KeyGroupConfig{Name: "g", Items: []keyfront.KeyPairID{k1.ID, k2.ID, k2.ID}})
		return err
	})
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		for _, tt := range []struct {
			d           *keyfront.Distribution
			wantChanged bool
		}{{trusting, true}, {other, false}} {
			now, err := tx.GetDistribution(ctx, tt.d.ID)
			if err != nil {
				return err
			}
			if changed := now.ETag != tt.d.ETag; changed != tt.wantChanged {
				t.Errorf("%s: ETag changed = %t, want %t", tt.d.CallerReference, changed, tt.wantChanged)
			}
		}
		p, err := f.rules.Progress(ctx, tx)
		if err != nil {
			return err
		}
		st, err := domain.State(ctx, tx, p, trusting)
		if err != nil {
			return err
		}
		if got, want := fmt.Sprint(st.KeyGroups), fmt.Sprint([]domain.ActiveKeyGroup{{ID: g.ID, Keys: []keyfront.KeyPairID{k1.ID, k2.ID}}}); got != want {
			t.Errorf("active key groups = %s, want %s (duplicates collapse)", got, want)
		}
		return nil
	})
}

func TestInvalidationRules(t *testing.T) {
	f := newFixture(t, domain.Quotas{InvalidationWildcards: 2})
	d := f.createDistribution(config(t, "d", nil))
	// An edge that has not applied the invalidations yet keeps them in
	// progress.
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutNode(ctx, &keyfront.Node{ID: "edge-1", Revision: 0, LastSeen: time.Now()})
	})
	create := func(ref string, paths ...string) (*keyfront.Invalidation, bool, error) {
		var (
			inv    *keyfront.Invalidation
			replay bool
		)
		err := f.update(func(ctx context.Context, tx keyfront.Tx) error {
			var err error
			inv, replay, err = f.rules.CreateInvalidation(ctx, tx, d.ID, domain.InvalidationBatch{CallerReference: ref, Paths: paths})
			return err
		})
		return inv, replay, err
	}
	first, replay, err := create("r1", "/a/*")
	if err != nil || replay || first.Status != domain.StatusInProgress {
		t.Fatalf("first = %+v, %t, %v", first, replay, err)
	}
	again, replay, err := create("r1", "/a/*")
	if err != nil || !replay || again.ID != first.ID {
		t.Errorf("the same batch again = %+v, %t, %v; want the first, replayed", again, replay, err)
	}
	if _, _, err := create("r1", "/b"); code(t, err) != "InvalidationBatchAlreadyExists" {
		t.Errorf("the caller reference with other paths: %v", err)
	}
	if _, _, err := create("r2", "/b/*", "/c/*"); code(t, err) != "TooManyInvalidationsInProgress" {
		t.Errorf("three wildcards in progress over a quota of 2: %v", err)
	}
	if _, _, err := create("r3", "/b/*", "/c/*", "/d/*"); code(t, err) != "BatchTooLarge" {
		t.Errorf("a batch of three wildcards over a quota of 2: %v", err)
	}
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		rev, err := tx.Revision(ctx)
		if err != nil {
			return err
		}
		return tx.PutNode(ctx, &keyfront.Node{ID: "edge-1", Revision: rev, LastSeen: time.Now()})
	})
	if _, _, err := create("r2", "/b/*", "/c/*"); err != nil {
		t.Errorf("two wildcards once the edge purged the first: %v", err)
	}
}
