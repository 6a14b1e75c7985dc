package controlapi_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/smithy-go"

	"keyfront/controlapi"
)

func batch(ref string, paths ...string) *types.InvalidationBatch {
	return &types.InvalidationBatch{CallerReference: aws.String(ref),
		Paths: &types.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths}}
}

func TestInvalidationLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client
	d := e.createDistribution(t, distConfig("d")).Distribution.Id

	out, err := c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d,
		InvalidationBatch: batch("inv-1", "/index.html", "images/*")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Invalidation.Status); got != "InProgress" {
		t.Errorf("create status = %q, want InProgress (§3.4)", got)
	}
	// The CLI sends paths without the leading slash; they are echoed as sent
	// (§3.4 Choice).
	if !slices.Equal(out.Invalidation.InvalidationBatch.Paths.Items, []string{"/index.html", "images/*"}) {
		t.Errorf("paths echoed = %v", out.Invalidation.InvalidationBatch.Paths.Items)
	}

	start := time.Now()
	done, err := cloudfront.NewInvalidationCompletedWaiter(c).WaitForOutput(ctx,
		&cloudfront.GetInvalidationInput{DistributionId: d, Id: out.Invalidation.Id}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 10*time.Second || aws.ToString(done.Invalidation.Status) != "Completed" {
		t.Errorf("waiter: %v, %q", time.Since(start), aws.ToString(done.Invalidation.Status))
	}

	// The same CallerReference with the same paths returns the original.
	again, err := c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d,
		InvalidationBatch: batch("inv-1", "/index.html", "images/*")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.Invalidation.Id) != aws.ToString(out.Invalidation.Id) {
		t.Errorf("replay created %s, want the original %s", aws.ToString(again.Invalidation.Id), aws.ToString(out.Invalidation.Id))
	}
	_, err = c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("inv-1", "/other")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidationBatchAlreadyExists" {
		t.Errorf("reused CallerReference: %v", err)
	}

	list, err := c.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: d})
	if err != nil {
		t.Fatal(err)
	}
	if l := list.InvalidationList; aws.ToInt32(l.Quantity) != 1 || aws.ToString(l.Items[0].Status) != "Completed" {
		t.Errorf("ListInvalidations = %+v", l)
	}

	_, err = c.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: d, Id: aws.String("INOSUCHINVAL00")})
	wantErr[*types.NoSuchInvalidation](t, err)
	_, err = c.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String("ENOSUCHDIST000"), Id: out.Invalidation.Id})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: aws.String("ENOSUCHDIST000")})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: aws.String("ENOSUCHDIST000"), InvalidationBatch: batch("x", "/a")})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d,
		InvalidationBatch: &types.InvalidationBatch{CallerReference: aws.String("q"), Paths: &types.Paths{Quantity: aws.Int32(3), Items: []string{"/a"}}}})
	wantErr[*types.InconsistentQuantities](t, err)
	_, err = c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("empty")})
	wantErr[*types.InvalidArgument](t, err)
}

// TestInvalidationCompletedWhenEveryLiveEdgePurged checks that an
// invalidation stays InProgress while a live edge has not applied the
// revision that stored it, and is Completed once it has.
func TestInvalidationCompletedWhenEveryLiveEdgePurged(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.StatusWait = -1 })
	d := e.createDistribution(t, distConfig("d")).Distribution.Id
	e.putNode(t, "edge-1", 0) // up to date before the invalidation
	out, err := e.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("r", "/*")})
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		t.Helper()
		g, err := e.client.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: d, Id: out.Invalidation.Id})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(g.Invalidation.Status)
	}
	list := func() string {
		t.Helper()
		l, err := e.client.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: d})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(l.InvalidationList.Items[0].Status)
	}
	if got, want := get(), "InProgress"; got != want {
		t.Errorf("GetInvalidation while the edge has not purged: %q, want %q", got, want)
	}
	if got, want := list(), "InProgress"; got != want {
		t.Errorf("ListInvalidations while the edge has not purged: %q, want %q", got, want)
	}
	dist, err := e.client.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToInt32(dist.Distribution.InProgressInvalidationBatches), int32(1); got != want {
		t.Errorf("InProgressInvalidationBatches = %d, want %d", got, want)
	}
	e.putNode(t, "edge-1", 0) // the edge applied the invalidation
	if got, want := get(), "Completed"; got != want {
		t.Errorf("GetInvalidation once the edge purged: %q, want %q", got, want)
	}
	if got, want := list(), "Completed"; got != want {
		t.Errorf("ListInvalidations once the edge purged: %q, want %q", got, want)
	}
}

func TestInvalidationLimits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.Quotas.InvalidationPaths = 3; c.Quotas.InvalidationWildcards = 1 })
	d := e.createDistribution(t, distConfig("d")).Distribution.Id
	_, err := e.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("a", "/1", "/2", "/3", "/4")})
	wantErr[*types.BatchTooLarge](t, err)
	_, err = e.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("b", "/a/*", "/b/*")})
	wantErr[*types.BatchTooLarge](t, err)
	if _, err := e.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: d, InvalidationBatch: batch("c", "/1", "/2", "/3", "/a/*")}); err != nil {
		t.Fatal(err)
	}
}
