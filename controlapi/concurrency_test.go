package controlapi_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// race runs fn n times at once and returns the errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// exactlyOne checks that one call succeeded and every other failed with T.
func exactlyOne[T error](t *testing.T, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		var target T
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &target):
			t.Errorf("loser failed with %v, want %T", err, target)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent requests won, want exactly 1", wins, len(errs))
	}
}

// TestConcurrentUpdates: clients updating the same resource with the same
// ETag — exactly one wins, the others get PreconditionFailed (§5; issue 3
// item 5).
func TestConcurrentUpdates(t *testing.T) {
	const n = 16
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client
	k := e.createKey(t, "k")
	g := e.createKeyGroup(t, "g", aws.ToString(k.PublicKey.Id))
	d := e.createDistribution(t, distConfig("d"))
	o, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("o")})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("public key", func(t *testing.T) {
		exactlyOne[*types.PreconditionFailed](t, race(n, func(i int) error {
			_, err := c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: k.PublicKey.Id, IfMatch: k.ETag,
				PublicKeyConfig: &types.PublicKeyConfig{CallerReference: aws.String("ref-k"), Name: aws.String("k"),
					EncodedKey: aws.String(rsaPEM), Comment: aws.String(fmt.Sprint(i))}})
			return err
		}))
	})
	t.Run("key group", func(t *testing.T) {
		exactlyOne[*types.PreconditionFailed](t, race(n, func(i int) error {
			_, err := c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: g.ETag,
				KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String(fmt.Sprintf("g-%d", i)), Items: []string{aws.ToString(k.PublicKey.Id)}}})
			return err
		}))
	})
	t.Run("distribution", func(t *testing.T) {
		exactlyOne[*types.PreconditionFailed](t, race(n, func(i int) error {
			cfg := distConfig("d")
			cfg.Comment = aws.String(fmt.Sprint(i))
			_, err := c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: d.Distribution.Id, IfMatch: d.ETag, DistributionConfig: cfg})
			return err
		}))
	})
	t.Run("origin access control", func(t *testing.T) {
		exactlyOne[*types.PreconditionFailed](t, race(n, func(i int) error {
			cfg := oacConfig("o")
			cfg.Description = aws.String(fmt.Sprint(i))
			_, err := c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: o.OriginAccessControl.Id, IfMatch: o.ETag, OriginAccessControlConfig: cfg})
			return err
		}))
	})
	t.Run("delete", func(t *testing.T) {
		k2 := e.createKey(t, "k2")
		errs := race(n, func(int) error {
			_, err := c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: k2.PublicKey.Id, IfMatch: k2.ETag})
			return err
		})
		exactlyOne[*types.NoSuchPublicKey](t, errs)
	})
	t.Run("create with the same name", func(t *testing.T) {
		exactlyOne[*types.KeyGroupAlreadyExists](t, race(n, func(int) error {
			_, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("same"), Items: []string{aws.ToString(k.PublicKey.Id)}}})
			return err
		}))
		exactlyOne[*types.DistributionAlreadyExists](t, race(n, func(int) error {
			_, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: distConfig("same-ref")})
			return err
		}))
	})
}
