package controlapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront/controlapi"
)

func oacConfig(name string) *types.OriginAccessControlConfig {
	return &types.OriginAccessControlConfig{
		Name:                          aws.String(name),
		SigningProtocol:               types.OriginAccessControlSigningProtocolsSigv4,
		SigningBehavior:               types.OriginAccessControlSigningBehaviorsAlways,
		OriginAccessControlOriginType: types.OriginAccessControlOriginTypesS3,
	}
}

func TestOriginAccessControlLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.Quotas.OriginAccessControls = 2 })
	c := e.client

	created, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("bucket")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.OriginAccessControl.Id
	got, err := c.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) != aws.ToString(created.ETag) || aws.ToString(got.OriginAccessControl.OriginAccessControlConfig.Name) != "bucket" {
		t.Errorf("GetOriginAccessControl = %+v", got.OriginAccessControl.OriginAccessControlConfig)
	}
	cfg, err := c.GetOriginAccessControlConfig(ctx, &cloudfront.GetOriginAccessControlConfigInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.ETag) != aws.ToString(created.ETag) || cfg.OriginAccessControlConfig.SigningBehavior != types.OriginAccessControlSigningBehaviorsAlways {
		t.Errorf("GetOriginAccessControlConfig = %+v", cfg.OriginAccessControlConfig)
	}

	_, err = c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("bucket")})
	wantErr[*types.OriginAccessControlAlreadyExists](t, err)
	other, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("other")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("third")})
	wantErr[*types.TooManyOriginAccessControls](t, err)
	_, err = c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: other.OriginAccessControl.Id, IfMatch: other.ETag, OriginAccessControlConfig: oacConfig("bucket")})
	wantErr[*types.OriginAccessControlAlreadyExists](t, err)

	list, err := c.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if l := list.OriginAccessControlList; aws.ToInt32(l.Quantity) != 2 || aws.ToBool(l.IsTruncated) || l.NextMarker != nil {
		t.Errorf("ListOriginAccessControls = %+v", l)
	}

	nc := oacConfig("bucket")
	nc.Description = aws.String("signs always")
	nc.SigningBehavior = types.OriginAccessControlSigningBehaviorsNoOverride
	_, err = c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: id, OriginAccessControlConfig: nc})
	wantErr[*types.InvalidIfMatchVersion](t, err)
	upd, err := c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: id, IfMatch: created.ETag, OriginAccessControlConfig: nc})
	if err != nil {
		t.Fatal(err)
	}
	if upd.OriginAccessControl.OriginAccessControlConfig.SigningBehavior != types.OriginAccessControlSigningBehaviorsNoOverride {
		t.Errorf("update = %+v", upd.OriginAccessControl.OriginAccessControlConfig)
	}

	// In use by a distribution: OriginAccessControlInUse until it is gone.
	dc := distConfig("uses-oac")
	dc.Origins.Items[0].OriginAccessControlId = id
	d := e.createDistribution(t, dc)
	_, err = c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: id, IfMatch: upd.ETag})
	wantErr[*types.OriginAccessControlInUse](t, err)
	dc.Enabled = aws.Bool(false)
	dis, err := c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: d.Distribution.Id, IfMatch: d.ETag, DistributionConfig: dc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: d.Distribution.Id, IfMatch: dis.ETag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: id, IfMatch: created.ETag})
	wantErr[*types.PreconditionFailed](t, err)
	if _, err := c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: id, IfMatch: upd.ETag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: id})
	wantErr[*types.NoSuchOriginAccessControl](t, err)
	_, err = c.GetOriginAccessControlConfig(ctx, &cloudfront.GetOriginAccessControlConfigInput{Id: id})
	wantErr[*types.NoSuchOriginAccessControl](t, err)
	_, err = c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: id, IfMatch: upd.ETag, OriginAccessControlConfig: nc})
	wantErr[*types.NoSuchOriginAccessControl](t, err)
	_, err = c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: id, IfMatch: upd.ETag})
	wantErr[*types.NoSuchOriginAccessControl](t, err)
}
