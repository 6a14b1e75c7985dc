package controlapi_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront/controlapi"
)

// TestPagination walks every list through more than 100 items, with the
// SDK's paginators where it has them (§9): each ID once, pages of at most
// 100, no NextMarker on the last page.
func TestPagination(t *testing.T) {
	const n = 205
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) {
		c.Quotas = controlapi.Quotas{PublicKeys: n, KeyGroups: n, Distributions: n, OriginAccessControls: n, DistributionsPerKeyGroup: n}
		c.Now = fixedClock() // strictly increasing CreateTimes
	})
	c := e.client

	var keys, groups, dists, oacs, invs []string
	for i := range n {
		keys = append(keys, aws.ToString(e.createKey(t, fmt.Sprintf("key-%03d", i)).PublicKey.Id))
	}
	for i := range n {
		groups = append(groups, aws.ToString(e.createKeyGroup(t, fmt.Sprintf("group-%03d", i), keys[0]).KeyGroup.Id))
	}
	for i := range n {
		dists = append(dists, aws.ToString(e.createDistribution(t, distConfig(fmt.Sprintf("dist-%03d", i), groups[0])).Distribution.Id))
	}
	for i := range n {
		o, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig(fmt.Sprintf("oac-%03d", i))})
		if err != nil {
			t.Fatal(err)
		}
		oacs = append(oacs, aws.ToString(o.OriginAccessControl.Id))
	}
	for i := range n {
		inv, err := c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: aws.String(dists[0]), InvalidationBatch: batch(fmt.Sprintf("inv-%03d", i), "/x")})
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, aws.ToString(inv.Invalidation.Id))
	}
	sorted := func(ids []string) []string { s := slices.Clone(ids); slices.Sort(s); return s }

	// pageCheck records a page and checks its size.
	type page struct {
		items      int
		nextMarker *string
	}
	check := func(t *testing.T, what string, pages []page, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: paged through %d IDs, want %d in order", what, len(got), len(want))
		}
		if len(pages) != 3 {
			t.Errorf("%s: %d pages, want 3", what, len(pages))
		}
		for i, p := range pages {
			last := i == len(pages)-1
			if p.items > 100 || !last && p.items != 100 {
				t.Errorf("%s: page %d holds %d items", what, i, p.items)
			}
			if last != (p.nextMarker == nil) {
				t.Errorf("%s: page %d (last %v) NextMarker %v", what, i, last, aws.ToString(p.nextMarker))
			}
		}
	}

	t.Run("public keys", func(t *testing.T) {
		var got []string
		var pages []page
		p := cloudfront.NewListPublicKeysPaginator(c, &cloudfront.ListPublicKeysInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.PublicKeyList.Items {
				got = append(got, aws.ToString(it.Id))
			}
			pages = append(pages, page{len(out.PublicKeyList.Items), out.PublicKeyList.NextMarker})
		}
		check(t, "ListPublicKeys", pages, got, sorted(keys))
	})
	t.Run("key groups", func(t *testing.T) {
		var got []string
		var pages []page
		var marker *string
		for {
			out, err := c.ListKeyGroups(ctx, &cloudfront.ListKeyGroupsInput{Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.KeyGroupList.Items {
				got = append(got, aws.ToString(it.KeyGroup.Id))
			}
			pages = append(pages, page{len(out.KeyGroupList.Items), out.KeyGroupList.NextMarker})
			if marker = out.KeyGroupList.NextMarker; marker == nil {
				break
			}
		}
		check(t, "ListKeyGroups", pages, got, sorted(groups))
	})
	t.Run("distributions", func(t *testing.T) {
		var got []string
		var pages []page
		p := cloudfront.NewListDistributionsPaginator(c, &cloudfront.ListDistributionsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			l := out.DistributionList
			for _, it := range l.Items {
				got = append(got, aws.ToString(it.Id))
			}
			if aws.ToBool(l.IsTruncated) != (l.NextMarker != nil) {
				t.Errorf("IsTruncated %v with NextMarker %q", aws.ToBool(l.IsTruncated), aws.ToString(l.NextMarker))
			}
			pages = append(pages, page{len(l.Items), l.NextMarker})
		}
		check(t, "ListDistributions", pages, got, sorted(dists))
	})
	t.Run("distributions by key group", func(t *testing.T) {
		var got []string
		var pages []page
		var marker *string
		for {
			out, err := c.ListDistributionsByKeyGroup(ctx, &cloudfront.ListDistributionsByKeyGroupInput{KeyGroupId: aws.String(groups[0]), Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, out.DistributionIdList.Items...)
			pages = append(pages, page{len(out.DistributionIdList.Items), out.DistributionIdList.NextMarker})
			if marker = out.DistributionIdList.NextMarker; marker == nil {
				break
			}
		}
		check(t, "ListDistributionsByKeyGroup", pages, got, sorted(dists))
	})
	t.Run("origin access controls", func(t *testing.T) {
		var got []string
		var pages []page
		p := cloudfront.NewListOriginAccessControlsPaginator(c, &cloudfront.ListOriginAccessControlsInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.OriginAccessControlList.Items {
				got = append(got, aws.ToString(it.Id))
			}
			pages = append(pages, page{len(out.OriginAccessControlList.Items), out.OriginAccessControlList.NextMarker})
		}
		check(t, "ListOriginAccessControls", pages, got, sorted(oacs))
	})
	t.Run("invalidations", func(t *testing.T) {
		var got []string
		var pages []page
		p := cloudfront.NewListInvalidationsPaginator(c, &cloudfront.ListInvalidationsInput{DistributionId: aws.String(dists[0])})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.InvalidationList.Items {
				got = append(got, aws.ToString(it.Id))
			}
			pages = append(pages, page{len(out.InvalidationList.Items), out.InvalidationList.NextMarker})
		}
		// Newest first (§9).
		newestFirst := slices.Clone(invs)
		slices.Reverse(newestFirst)
		check(t, "ListInvalidations", pages, got, newestFirst)
	})
	t.Run("MaxItems", func(t *testing.T) {
		out, err := c.ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{MaxItems: aws.Int32(1000)})
		if err != nil {
			t.Fatal(err)
		}
		if l := out.PublicKeyList; aws.ToInt32(l.MaxItems) != 100 || len(l.Items) != 100 {
			t.Errorf("MaxItems 1000: MaxItems %d, %d items; want clamped to 100", aws.ToInt32(l.MaxItems), len(l.Items))
		}
		out, err = c.ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{MaxItems: aws.Int32(7), Marker: aws.String(sorted(keys)[n-3])})
		if err != nil {
			t.Fatal(err)
		}
		if l := out.PublicKeyList; len(l.Items) != 2 || l.NextMarker != nil {
			t.Errorf("after the third-last key: %d items, NextMarker %q", len(l.Items), aws.ToString(l.NextMarker))
		}
		_, err = c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(0)})
		wantErr[*types.InvalidArgument](t, err)
	})
	t.Run("MaxItems not a number", func(t *testing.T) {
		srv := newUnsignedServer(t, e.store)
		resp, body := rawRequest(t, srv, http.MethodGet, "/2020-05-31/origin-access-control?MaxItems=ten", "", nil)
		if resp.StatusCode != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code>") {
			t.Errorf("MaxItems=ten: %d %s", resp.StatusCode, body)
		}
	})
}
