package main_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// TestServeRemainingOperationsSDK drives, against a real `keyfront serve`,
// the operations TestServeSeedFlowSDK does not: the *Config getters,
// updates of keys, groups and origin access controls, distributions with
// tags, invalidations with their waiter, and pagination through more than
// one page with the SDK's paginators (quotas raised by configuration).
func TestServeRemainingOperationsSDK(t *testing.T) {
	ctx := context.Background()
	cfg := filepath.Join(t.TempDir(), "keyfront.yaml")
	writeFile(t, cfg, []byte("quotas:\n  public_keys: 200\n  key_groups: 200\n"), 0o644)
	srv := startServe(t, t.TempDir(), nil, "--config", cfg)
	c := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	kp := newKeyPair(t)
	pub := string(readFile(t, kp.pub))
	s := createSeed(t, ctx, c, pub)

	pkc, err := c.GetPublicKeyConfig(ctx, &cloudfront.GetPublicKeyConfigInput{Id: &s.keyID})
	if err != nil || *pkc.ETag != s.keyETag || *pkc.PublicKeyConfig.Name != "seed-key" {
		t.Fatalf("GetPublicKeyConfig = %+v, %v", pkc, err)
	}
	cfgOut := *pkc.PublicKeyConfig
	cfgOut.Comment = aws.String("primary signer")
	upk, err := c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: &s.keyID, IfMatch: &s.keyETag, PublicKeyConfig: &cfgOut})
	if err != nil || *upk.PublicKey.PublicKeyConfig.Comment != "primary signer" || *upk.ETag == s.keyETag {
		t.Fatalf("UpdatePublicKey = %+v, %v; want the new comment and a new ETag", upk, err)
	}
	other := newKeyPair(t)
	changed := cfgOut
	changed.EncodedKey = aws.String(string(readFile(t, other.pub)))
	_, err = c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: &s.keyID, IfMatch: upk.ETag, PublicKeyConfig: &changed})
	var immutable *types.CannotChangeImmutablePublicKeyFields
	if !errors.As(err, &immutable) {
		t.Errorf("UpdatePublicKey replacing the key: err = %v, want CannotChangeImmutablePublicKeyFields", err)
	}
	renamed := cfgOut
	renamed.Name = aws.String("renamed")
	_, err = c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: &s.keyID, IfMatch: upk.ETag, PublicKeyConfig: &renamed})
	var illegal *types.IllegalUpdate
	if !errors.As(err, &illegal) {
		t.Errorf("UpdatePublicKey renaming the key: err = %v, want IllegalUpdate", err)
	}

	kgc, err := c.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: &s.groupID})
	if err != nil || *kgc.ETag != s.groupETag {
		t.Fatalf("GetKeyGroupConfig = %+v, %v", kgc, err)
	}
	kgc.KeyGroupConfig.Comment = aws.String("video signers")
	ukg, err := c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: &s.groupID, IfMatch: kgc.ETag, KeyGroupConfig: kgc.KeyGroupConfig})
	if err != nil || *ukg.KeyGroup.KeyGroupConfig.Comment != "video signers" {
		t.Fatalf("UpdateKeyGroup = %+v, %v", ukg, err)
	}

	oacc, err := c.GetOriginAccessControlConfig(ctx, &cloudfront.GetOriginAccessControlConfigInput{Id: &s.oacID})
	if err != nil {
		t.Fatal(err)
	}
	oacc.OriginAccessControlConfig.Description = aws.String("signs every origin request")
	uoac, err := c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: &s.oacID, IfMatch: oacc.ETag,
		OriginAccessControlConfig: oacc.OriginAccessControlConfig})
	if err != nil || *uoac.OriginAccessControl.OriginAccessControlConfig.Description != "signs every origin request" {
		t.Fatalf("UpdateOriginAccessControl = %+v, %v", uoac, err)
	}
	_, err = c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: &s.oacID, IfMatch: uoac.ETag})
	var oacInUse *types.OriginAccessControlInUse
	if !errors.As(err, &oacInUse) {
		t.Errorf("DeleteOriginAccessControl while an origin uses it: err = %v, want OriginAccessControlInUse", err)
	}
	oacs, err := c.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsInput{})
	if err != nil || len(oacs.OriginAccessControlList.Items) != 1 {
		t.Errorf("ListOriginAccessControls = %+v, %v; want 1", oacs, err)
	}

	// A second distribution, with tags.
	dc := seedDistributionConfig(s.groupID, s.oacID, true)
	dc.CallerReference = aws.String("tagged")
	tagged, err := c.CreateDistributionWithTags(ctx, &cloudfront.CreateDistributionWithTagsInput{
		DistributionConfigWithTags: &types.DistributionConfigWithTags{DistributionConfig: dc,
			Tags: &types.Tags{Items: []types.Tag{{Key: aws.String("team"), Value: aws.String("video")}}}}})
	if err != nil {
		t.Fatalf("CreateDistributionWithTags: %v", err)
	}
	tags, err := c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: tagged.Distribution.ARN})
	if err != nil || len(tags.Tags.Items) != 1 || *tags.Tags.Items[0].Key != "team" {
		t.Errorf("ListTagsForResource = %+v, %v; want team=video", tags, err)
	}
	dists, err := c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	if err != nil || *dists.DistributionList.Quantity != 2 {
		t.Errorf("ListDistributions = %+v, %v; want 2", dists, err)
	}

	// Invalidations: created, then Completed for the waiter.
	inv, err := c.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: &s.distID,
		InvalidationBatch: &types.InvalidationBatch{CallerReference: aws.String("inv-1"),
			Paths: &types.Paths{Quantity: aws.Int32(2), Items: []string{"/videos/*", "/index.html"}}}})
	if err != nil {
		t.Fatalf("CreateInvalidation: %v", err)
	}
	w := cloudfront.NewInvalidationCompletedWaiter(c)
	if err := w.Wait(ctx, &cloudfront.GetInvalidationInput{DistributionId: &s.distID, Id: inv.Invalidation.Id}, 30*time.Second); err != nil {
		t.Errorf("InvalidationCompleted waiter: %v", err)
	}
	invs, err := c.ListInvalidations(ctx, &cloudfront.ListInvalidationsInput{DistributionId: &s.distID})
	if err != nil || len(invs.InvalidationList.Items) != 1 || *invs.InvalidationList.Items[0].Status != "Completed" {
		t.Errorf("ListInvalidations = %+v, %v; want one Completed", invs, err)
	}
	_, err = c.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: &s.distID, Id: aws.String("INOSUCHINVALID")})
	var noInv *types.NoSuchInvalidation
	if !errors.As(err, &noInv) {
		t.Errorf("GetInvalidation of an unknown ID: err = %v, want NoSuchInvalidation", err)
	}

	// Pagination: 150 public keys through the SDK's paginator, 100 a page.
	for i := 1; i < 150; i++ {
		name := fmt.Sprintf("page-key-%03d", i)
		if _, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(pub)}}); err != nil {
			t.Fatalf("CreatePublicKey %d: %v", i, err)
		}
	}
	seen := map[string]bool{}
	pages := 0
	p := cloudfront.NewListPublicKeysPaginator(c, &cloudfront.ListPublicKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListPublicKeys page %d: %v", pages+1, err)
		}
		pages++
		for _, k := range page.PublicKeyList.Items {
			if seen[*k.Id] {
				t.Errorf("public key %s listed twice", *k.Id)
			}
			seen[*k.Id] = true
		}
	}
	if len(seen) != 150 || pages != 2 {
		t.Errorf("paginated %d public keys in %d pages, want 150 in 2", len(seen), pages)
	}
}
