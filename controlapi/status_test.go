package controlapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"keyfront"
	"keyfront/controlapi"
)

// TestDistributionDeployedWhenEveryLiveEdgeServesIt checks the status of
// GetDistribution and ListDistributions against the edges' reports: a
// live edge behind the distribution's last change keeps it InProgress; a
// stale one does not; a key group change counts as the distribution's.
func TestDistributionDeployedWhenEveryLiveEdgeServesIt(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.NodeLiveTimeout, c.StatusWait = time.Hour, -1 })
	k := e.createKey(t, "k")
	g := e.createKeyGroup(t, "g", aws.ToString(k.PublicKey.Id))
	d := e.createDistribution(t, distConfig("d", aws.ToString(g.KeyGroup.Id))).Distribution.Id
	status := func() (get, list string) {
		t.Helper()
		out, err := e.client.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d})
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.client.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Distribution.Status), aws.ToString(l.DistributionList.Items[0].Status)
	}
	for _, step := range []struct {
		name  string
		do    func()
		wantS string
	}{
		{"no edge", func() {}, "Deployed"},
		{"an edge one revision behind", func() { e.putNode(t, "edge-1", -1) }, "InProgress"},
		{"the edge caught up", func() { e.putNode(t, "edge-1", 0) }, "Deployed"},
		{"a second edge behind", func() { e.putNode(t, "edge-2", -1) }, "InProgress"},
		{"the second edge is stale", func() {
			err := e.store.Update(ctx, func(tx keyfront.Tx) error {
				return tx.PutNode(ctx, &keyfront.Node{ID: "edge-2", LastSeen: time.Now().Add(-2 * time.Hour)})
			})
			if err != nil {
				t.Fatal(err)
			}
		}, "Deployed"},
		{"the key group changes", func() {
			cfg, err := e.client.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: g.KeyGroup.Id})
			if err != nil {
				t.Fatal(err)
			}
			cfg.KeyGroupConfig.Comment = aws.String("rotated")
			if _, err := e.client.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: cfg.ETag, KeyGroupConfig: cfg.KeyGroupConfig}); err != nil {
				t.Fatal(err)
			}
		}, "InProgress"},
		{"the live edge applied the key group", func() { e.putNode(t, "edge-1", 0) }, "Deployed"},
	} {
		step.do()
		get, list := status()
		if get != step.wantS || list != step.wantS {
			t.Errorf("%s: GetDistribution %s, ListDistributions %s; want %s", step.name, get, list, step.wantS)
		}
	}
}

// TestGetDistributionWaitsForTheEdges checks Config.StatusWait: a
// GetDistribution made while an edge is behind answers Deployed if the
// edge catches up within the wait, and InProgress if it does not.
func TestGetDistributionWaitsForTheEdges(t *testing.T) {
	ctx := context.Background()
	const wait = 5 * time.Second
	e := newEnv(t, func(c *controlapi.Config) { c.StatusWait = wait })
	d := e.createDistribution(t, distConfig("d")).Distribution.Id
	e.putNode(t, "edge-1", -1)
	caughtUp := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		caughtUp <- e.store.Update(ctx, func(tx keyfront.Tx) error {
			rev, err := tx.Revision(ctx)
			if err != nil {
				return err
			}
			return tx.PutNode(ctx, &keyfront.Node{ID: "edge-1", Revision: rev, LastSeen: time.Now()})
		})
	}()
	out, err := e.client.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d})
	if err := <-caughtUp; err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Distribution.Status), "Deployed"; got != want {
		t.Errorf("the edge caught up during the wait: %s, want %s", got, want)
	}

	short := newEnv(t, func(c *controlapi.Config) { c.StatusWait = 100 * time.Millisecond })
	d = short.createDistribution(t, distConfig("d")).Distribution.Id
	short.putNode(t, "edge-1", -1)
	out, err = short.client.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Distribution.Status), "InProgress"; got != want {
		t.Errorf("the edge stayed behind: %s, want %s", got, want)
	}
}
