package controlapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront/controlapi"
)

func TestKeyGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client
	k1 := aws.ToString(e.createKey(t, "k1").PublicKey.Id)
	k2 := aws.ToString(e.createKey(t, "k2").PublicKey.Id)

	created := e.createKeyGroup(t, "group", k1)
	id := created.KeyGroup.Id
	if created.KeyGroup.KeyGroupConfig.Comment != nil {
		t.Errorf("Comment = %q, want absent when not sent", aws.ToString(created.KeyGroup.KeyGroupConfig.Comment))
	}
	got, err := c.GetKeyGroup(ctx, &cloudfront.GetKeyGroupInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) != aws.ToString(created.ETag) || !slices.Equal(got.KeyGroup.KeyGroupConfig.Items, []string{k1}) {
		t.Errorf("GetKeyGroup = %+v, ETag %s", got.KeyGroup.KeyGroupConfig, aws.ToString(got.ETag))
	}
	cfg, err := c.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.ETag) != aws.ToString(created.ETag) || aws.ToString(cfg.KeyGroupConfig.Name) != "group" {
		t.Errorf("GetKeyGroupConfig = %+v", cfg.KeyGroupConfig)
	}

	upd, err := c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: id, IfMatch: created.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("renamed"), Items: []string{k1, k2}, Comment: aws.String("both")}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(upd.KeyGroup.KeyGroupConfig.Items, []string{k1, k2}) || aws.ToString(upd.KeyGroup.KeyGroupConfig.Name) != "renamed" {
		t.Errorf("UpdateKeyGroup = %+v", upd.KeyGroup.KeyGroupConfig)
	}
	_, err = c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: id, IfMatch: created.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("renamed"), Items: []string{k1}}})
	wantErr[*types.PreconditionFailed](t, err)

	list, err := c.ListKeyGroups(ctx, &cloudfront.ListKeyGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.KeyGroupList.Items) != 1 || aws.ToString(list.KeyGroupList.Items[0].KeyGroup.Id) != aws.ToString(id) {
		t.Errorf("ListKeyGroups = %+v", list.KeyGroupList.Items)
	}

	_, err = c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: id})
	wantErr[*types.InvalidIfMatchVersion](t, err)
	if _, err := c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: id, IfMatch: upd.ETag}); err != nil {
		t.Fatal(err)
	}
	// A missing key group is NoSuchResource everywhere (§10).
	_, err = c.GetKeyGroup(ctx, &cloudfront.GetKeyGroupInput{Id: id})
	wantErr[*types.NoSuchResource](t, err)
	_, err = c.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: id})
	wantErr[*types.NoSuchResource](t, err)
	_, err = c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: id, IfMatch: upd.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("x"), Items: []string{k1}}})
	wantErr[*types.NoSuchResource](t, err)
	_, err = c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: id, IfMatch: upd.ETag})
	wantErr[*types.NoSuchResource](t, err)
	_, err = c.ListDistributionsByKeyGroup(ctx, &cloudfront.ListDistributionsByKeyGroupInput{KeyGroupId: id})
	wantErr[*types.NoSuchResource](t, err)
}

func TestKeyGroupRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.Quotas.PublicKeys = 20; c.Quotas.KeyGroups = 2 })
	c := e.client
	var keys []string
	for i := range 6 {
		keys = append(keys, aws.ToString(e.createKey(t, fmt.Sprintf("k%d", i)).PublicKey.Id))
	}
	g := e.createKeyGroup(t, "taken", keys[0])
	create := func(name string, items ...string) error {
		_, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String(name), Items: items}})
		return err
	}
	wantErr[*types.KeyGroupAlreadyExists](t, create("taken", keys[1]))
	wantErr[*types.TooManyPublicKeysInKeyGroup](t, create("six", keys...))
	wantErr[*types.InvalidArgument](t, create("unknown", "KNOSUCHKEY0000"))
	wantErr[*types.InvalidArgument](t, create("bad name!", keys[0]))
	// Duplicates collapse (§7 Choice): five distinct keys listed six times.
	out, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("five"), Items: append(keys[:5:5], keys[0])}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.KeyGroup.KeyGroupConfig.Items); n != 5 {
		t.Errorf("duplicates kept: %d items", n)
	}
	wantErr[*types.TooManyKeyGroups](t, create("third", keys[0]))
	// Renaming onto a taken name.
	_, err = c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: out.KeyGroup.Id, IfMatch: out.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("taken"), Items: keys[:1]}})
	wantErr[*types.KeyGroupAlreadyExists](t, err)
	// Keeping one's own name is fine.
	if _, err := c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: g.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("taken"), Items: keys[:2]}}); err != nil {
		t.Fatal(err)
	}
}

func TestKeyGroupInUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	k1 := aws.ToString(e.createKey(t, "k1").PublicKey.Id)
	k2 := aws.ToString(e.createKey(t, "k2").PublicKey.Id)
	g := e.createKeyGroup(t, "g", k1)
	d := e.createDistribution(t, distConfig("d1", aws.ToString(g.KeyGroup.Id)))

	_, err := e.client.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: g.ETag})
	wantErr[*types.ResourceInUse](t, err)

	// Changing the group's keys changes the distribution's
	// ActiveTrustedKeyGroups, hence its ETag (§5).
	if _, err := e.client.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: g.ETag,
		KeyGroupConfig: &types.KeyGroupConfig{Name: aws.String("g"), Items: []string{k1, k2}}}); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d.Distribution.Id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) == aws.ToString(d.ETag) {
		t.Error("distribution ETag unchanged after its key group's keys changed")
	}
	atk := got.Distribution.ActiveTrustedKeyGroups
	if !aws.ToBool(atk.Enabled) || len(atk.Items) != 1 || !slices.Equal(atk.Items[0].KeyPairIds.Items, []string{k1, k2}) {
		t.Errorf("ActiveTrustedKeyGroups = %+v", atk)
	}
}
