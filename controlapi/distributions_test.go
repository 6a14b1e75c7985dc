package controlapi_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront"
	"keyfront/controlapi"
	"keyfront/model"
)

var domainRE = regexp.MustCompile(`^d[a-z0-9]{13}\.cloudfront\.localhost$`)

func TestDistributionLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client
	k := aws.ToString(e.createKey(t, "k").PublicKey.Id)
	g := aws.ToString(e.createKeyGroup(t, "g", k).KeyGroup.Id)

	created := e.createDistribution(t, distConfig("ref-1", g))
	d := created.Distribution
	id := d.Id
	if !regexp.MustCompile(`^E[A-Z0-9]{13}$`).MatchString(aws.ToString(id)) {
		t.Errorf("Id = %q", aws.ToString(id))
	}
	if !domainRE.MatchString(aws.ToString(d.DomainName)) {
		t.Errorf("DomainName = %q", aws.ToString(d.DomainName))
	}
	if got, want := aws.ToString(d.ARN), "arn:aws:cloudfront::"+testAccountID+":distribution/"+aws.ToString(id); got != want {
		t.Errorf("ARN = %q, want %q", got, want)
	}
	if atk := d.ActiveTrustedKeyGroups; !aws.ToBool(atk.Enabled) || len(atk.Items) != 1 ||
		aws.ToString(atk.Items[0].KeyGroupId) != g || !slices.Equal(atk.Items[0].KeyPairIds.Items, []string{k}) {
		t.Errorf("ActiveTrustedKeyGroups = %+v", atk)
	}
	if ats := d.ActiveTrustedSigners; aws.ToBool(ats.Enabled) || aws.ToInt32(ats.Quantity) != 0 {
		t.Errorf("ActiveTrustedSigners = %+v", ats)
	}

	// Deployed at once: the waiter's first poll succeeds.
	start := time.Now()
	deployed, err := cloudfront.NewDistributionDeployedWaiter(c).WaitForOutput(ctx, &cloudfront.GetDistributionInput{Id: id}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 10*time.Second || aws.ToString(deployed.Distribution.Status) != "Deployed" {
		t.Errorf("waiter took %v, status %q", time.Since(start), aws.ToString(deployed.Distribution.Status))
	}
	if aws.ToString(deployed.ETag) != aws.ToString(created.ETag) {
		t.Errorf("GetDistribution ETag %s, create said %s", aws.ToString(deployed.ETag), aws.ToString(created.ETag))
	}

	cfg, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.ETag) != aws.ToString(created.ETag) {
		t.Errorf("GetDistributionConfig ETag %s", aws.ToString(cfg.ETag))
	}
	// Defaults filled in (§3.5).
	dc := cfg.DistributionConfig
	if aws.ToString((*string)(&dc.PriceClass)) != "PriceClass_All" || aws.ToBool(dc.IsIPV6Enabled) != true || dc.HttpVersion != types.HttpVersionHttp2 ||
		aws.ToInt32(dc.Aliases.Quantity) != 0 || dc.DefaultCacheBehavior.AllowedMethods == nil || aws.ToBool(dc.DefaultCacheBehavior.Compress) {
		t.Errorf("defaults not filled: %+v", dc)
	}

	list, err := c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	dl := list.DistributionList
	if aws.ToInt32(dl.Quantity) != 1 || aws.ToBool(dl.IsTruncated) || dl.NextMarker != nil || aws.ToString(dl.Marker) != "" ||
		aws.ToString(dl.Items[0].Id) != aws.ToString(id) || aws.ToString(dl.Items[0].Comment) != "test ref-1" || aws.ToBool(dl.Items[0].Staging) {
		t.Errorf("ListDistributions = %+v", dl)
	}
	byGroup, err := c.ListDistributionsByKeyGroup(ctx, &cloudfront.ListDistributionsByKeyGroupInput{KeyGroupId: aws.String(g)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(byGroup.DistributionIdList.Items, []string{aws.ToString(id)}) {
		t.Errorf("ListDistributionsByKeyGroup = %v", byGroup.DistributionIdList.Items)
	}

	_, err = c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: id, IfMatch: cfg.ETag})
	wantErr[*types.DistributionNotDisabled](t, err)

	dc.Enabled = aws.Bool(false)
	_, err = c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, DistributionConfig: dc})
	wantErr[*types.InvalidIfMatchVersion](t, err)
	_, err = c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, IfMatch: aws.String("ESTALE"), DistributionConfig: dc})
	wantErr[*types.PreconditionFailed](t, err)
	upd, err := c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, IfMatch: cfg.ETag, DistributionConfig: dc})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(upd.Distribution.DistributionConfig.Enabled) || aws.ToString(upd.ETag) == aws.ToString(cfg.ETag) {
		t.Errorf("UpdateDistribution: Enabled %v, ETag %s", aws.ToBool(upd.Distribution.DistributionConfig.Enabled), aws.ToString(upd.ETag))
	}
	_, err = c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: id, IfMatch: cfg.ETag})
	wantErr[*types.PreconditionFailed](t, err)
	if _, err := c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: id, IfMatch: upd.ETag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: id})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: id})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, IfMatch: upd.ETag, DistributionConfig: dc})
	wantErr[*types.NoSuchDistribution](t, err)
	_, err = c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: id, IfMatch: upd.ETag})
	wantErr[*types.NoSuchDistribution](t, err)
	// The key group is free again.
	kg, _ := c.GetKeyGroup(ctx, &cloudfront.GetKeyGroupInput{Id: aws.String(g)})
	if _, err := c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: aws.String(g), IfMatch: kg.ETag}); err != nil {
		t.Fatal(err)
	}
}

func TestDistributionTags(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client
	out, err := c.CreateDistributionWithTags(ctx, &cloudfront.CreateDistributionWithTagsInput{
		DistributionConfigWithTags: &types.DistributionConfigWithTags{
			DistributionConfig: distConfig("tagged"),
			Tags:               &types.Tags{Items: []types.Tag{{Key: aws.String("team"), Value: aws.String("media")}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.Distribution.ARN
	tags := func() []types.Tag {
		t.Helper()
		l, err := c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: arn})
		if err != nil {
			t.Fatal(err)
		}
		return l.Tags.Items
	}
	if got := tags(); len(got) != 1 || aws.ToString(got[0].Key) != "team" || aws.ToString(got[0].Value) != "media" {
		t.Errorf("tags = %+v", got)
	}
	if _, err := c.TagResource(ctx, &cloudfront.TagResourceInput{Resource: arn, Tags: &types.Tags{Items: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("web")}, {Key: aws.String("env")}}}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); len(got) != 2 || aws.ToString(got[0].Value) != "web" || got[1].Value != nil {
		t.Errorf("tags after TagResource = %+v", got)
	}
	if _, err := c.UntagResource(ctx, &cloudfront.UntagResourceInput{Resource: arn, TagKeys: &types.TagKeys{Items: []string{"team"}}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); len(got) != 1 || aws.ToString(got[0].Key) != "env" {
		t.Errorf("tags after UntagResource = %+v", got)
	}
	_, err = c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: aws.String("arn:aws:cloudfront::" + testAccountID + ":distribution/ENOSUCHDIST000")})
	wantErr[*types.NoSuchResource](t, err)
	_, err = c.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceInput{Resource: aws.String("arn:aws:cloudfront::999999999999:distribution/X")})
	wantErr[*types.InvalidArgument](t, err)
}

func TestDistributionRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) {
		c.Quotas = controlapi.Quotas{KeyGroupsPerCacheBehavior: 2, DistributionsPerKeyGroup: 2, Distributions: 4,
			Origins: 2, CacheBehaviors: 1, CNAMEs: 2, KeyGroups: 10}
	})
	c := e.client
	k := aws.ToString(e.createKey(t, "k").PublicKey.Id)
	var groups []string
	for i := range 3 {
		groups = append(groups, aws.ToString(e.createKeyGroup(t, fmt.Sprintf("g%d", i), k).KeyGroup.Id))
	}
	oac, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("bucket")})
	if err != nil {
		t.Fatal(err)
	}
	base := e.createDistribution(t, func() *types.DistributionConfig {
		cfg := distConfig("base", groups[0])
		cfg.Aliases = &types.Aliases{Quantity: aws.Int32(1), Items: []string{"cdn.example.com"}}
		return cfg
	}())

	create := func(edit func(*types.DistributionConfig)) error {
		cfg := distConfig("new")
		edit(cfg)
		_, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: cfg})
		return err
	}
	origin := func(id string) types.Origin {
		return types.Origin{Id: aws.String(id), DomainName: aws.String(id + ".example.com"),
			CustomOriginConfig: &types.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: types.OriginProtocolPolicyHttpOnly}}
	}
	behavior := func(path, target string) types.CacheBehavior {
		return types.CacheBehavior{PathPattern: aws.String(path), TargetOriginId: aws.String(target),
			ViewerProtocolPolicy: types.ViewerProtocolPolicyAllowAll, CachePolicyId: aws.String("p")}
	}
	fwd := &types.ForwardedValues{QueryString: aws.Bool(false), Cookies: &types.CookiePreference{Forward: types.ItemSelectionNone}}

	for _, tc := range []struct {
		name  string
		edit  func(*types.DistributionConfig)
		check func(*testing.T, error)
	}{
		{"caller reference taken", func(d *types.DistributionConfig) { d.CallerReference = aws.String("base") },
			func(t *testing.T, err error) { wantErr[*types.DistributionAlreadyExists](t, err) }},
		{"CNAME taken", func(d *types.DistributionConfig) {
			d.Aliases = &types.Aliases{Quantity: aws.Int32(1), Items: []string{"CDN.example.com"}}
		}, func(t *testing.T, err error) { wantErr[*types.CNAMEAlreadyExists](t, err) }},
		{"unknown key group", func(d *types.DistributionConfig) {
			d.DefaultCacheBehavior.TrustedKeyGroups = &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{"00000000-0000-4000-8000-000000000000"}}
		}, func(t *testing.T, err error) { wantErr[*types.TrustedKeyGroupDoesNotExist](t, err) }},
		{"foreign trusted signer", func(d *types.DistributionConfig) {
			d.DefaultCacheBehavior.TrustedSigners = &types.TrustedSigners{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{"999999999999"}}
		}, func(t *testing.T, err error) { wantErr[*types.TrustedSignerDoesNotExist](t, err) }},
		{"unknown target origin", func(d *types.DistributionConfig) { d.DefaultCacheBehavior.TargetOriginId = aws.String("nope") },
			func(t *testing.T, err error) { wantErr[*types.NoSuchOrigin](t, err) }},
		{"unknown target origin in a cache behavior", func(d *types.DistributionConfig) {
			d.CacheBehaviors = &types.CacheBehaviors{Quantity: aws.Int32(1), Items: []types.CacheBehavior{behavior("/x/*", "nope")}}
		}, func(t *testing.T, err error) { wantErr[*types.NoSuchOrigin](t, err) }},
		{"quantity mismatch", func(d *types.DistributionConfig) { d.Origins.Quantity = aws.Int32(2) },
			func(t *testing.T, err error) { wantErr[*types.InconsistentQuantities](t, err) }},
		{"TTL order", func(d *types.DistributionConfig) {
			d.DefaultCacheBehavior.CachePolicyId = nil
			d.DefaultCacheBehavior.ForwardedValues = fwd
			d.DefaultCacheBehavior.MinTTL = aws.Int64(100)
			d.DefaultCacheBehavior.DefaultTTL = aws.Int64(10)
		}, func(t *testing.T, err error) { wantErr[*types.InvalidTTLOrder](t, err) }},
		{"default root object with slash", func(d *types.DistributionConfig) { d.DefaultRootObject = aws.String("/index.html") },
			func(t *testing.T, err error) { wantErr[*types.InvalidDefaultRootObject](t, err) }},
		{"cache policy and forwarded values", func(d *types.DistributionConfig) { d.DefaultCacheBehavior.ForwardedValues = fwd },
			func(t *testing.T, err error) { wantErr[*types.InvalidArgument](t, err) }},
		{"neither cache policy nor forwarded values", func(d *types.DistributionConfig) { d.DefaultCacheBehavior.CachePolicyId = nil },
			func(t *testing.T, err error) { wantErr[*types.InvalidArgument](t, err) }},
		{"allowed methods", func(d *types.DistributionConfig) {
			d.DefaultCacheBehavior.AllowedMethods = &types.AllowedMethods{Quantity: aws.Int32(2), Items: []types.Method{types.MethodGet, types.MethodPost}}
		}, func(t *testing.T, err error) { wantErr[*types.InvalidArgument](t, err) }},
		{"OAC and OAI", func(d *types.DistributionConfig) {
			d.Origins.Items[0].OriginAccessControlId = oac.OriginAccessControl.Id
			d.Origins.Items[0].S3OriginConfig.OriginAccessIdentity = aws.String("origin-access-identity/cloudfront/E1")
		}, func(t *testing.T, err error) { wantErr[*types.IllegalOriginAccessConfiguration](t, err) }},
		{"unknown OAC", func(d *types.DistributionConfig) {
			d.Origins.Items[0].OriginAccessControlId = aws.String("ENOSUCHOAC0000")
		},
			func(t *testing.T, err error) { wantErr[*types.InvalidOriginAccessControl](t, err) }},
		{"duplicate origin IDs", func(d *types.DistributionConfig) {
			d.Origins = &types.Origins{Quantity: aws.Int32(2), Items: []types.Origin{d.Origins.Items[0], d.Origins.Items[0]}}
		}, func(t *testing.T, err error) { wantErr[*types.InvalidArgument](t, err) }},
		{"too many origins", func(d *types.DistributionConfig) {
			d.Origins = &types.Origins{Quantity: aws.Int32(3), Items: []types.Origin{d.Origins.Items[0], origin("a"), origin("b")}}
		}, func(t *testing.T, err error) { wantErr[*types.TooManyOrigins](t, err) }},
		{"too many cache behaviors", func(d *types.DistributionConfig) {
			d.CacheBehaviors = &types.CacheBehaviors{Quantity: aws.Int32(2), Items: []types.CacheBehavior{behavior("/a", "s3-origin"), behavior("/b", "s3-origin")}}
		}, func(t *testing.T, err error) { wantErr[*types.TooManyCacheBehaviors](t, err) }},
		{"too many CNAMEs", func(d *types.DistributionConfig) {
			d.Aliases = &types.Aliases{Quantity: aws.Int32(3), Items: []string{"a.example", "b.example", "c.example"}}
		}, func(t *testing.T, err error) { wantErr[*types.TooManyDistributionCNAMEs](t, err) }},
		{"too many key groups in a behavior", func(d *types.DistributionConfig) {
			d.DefaultCacheBehavior.TrustedKeyGroups = &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(3), Items: groups}
		}, func(t *testing.T, err error) { wantErr[*types.TooManyKeyGroupsAssociatedToDistribution](t, err) }},
		{"trusted signers self", func(d *types.DistributionConfig) {
			d.CallerReference = aws.String("self-signer")
			d.DefaultCacheBehavior.TrustedSigners = &types.TrustedSigners{Enabled: aws.Bool(true), Quantity: aws.Int32(2), Items: []string{"self", testAccountID}}
		}, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, create(tc.edit)) })
	}

	// Distributions per key group: base and one more use groups[0].
	e.createDistribution(t, distConfig("second", groups[0]))
	wantErr[*types.TooManyDistributionsAssociatedToKeyGroup](t, create(func(d *types.DistributionConfig) {
		d.CallerReference = aws.String("third")
		d.DefaultCacheBehavior.TrustedKeyGroups = &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: groups[:1]}
	}))
	// Distributions per account: base, self-signer, second, and one more.
	e.createDistribution(t, distConfig("fourth"))
	wantErr[*types.TooManyDistributions](t, create(func(d *types.DistributionConfig) { d.CallerReference = aws.String("fifth") }))

	// CallerReference is immutable; a distribution keeps its own aliases.
	cfg, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: base.Distribution.Id})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DistributionConfig.CallerReference = aws.String("changed")
	_, err = c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: base.Distribution.Id, IfMatch: cfg.ETag, DistributionConfig: cfg.DistributionConfig})
	wantErr[*types.IllegalUpdate](t, err)
	cfg.DistributionConfig.CallerReference = aws.String("base")
	if _, err := c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: base.Distribution.Id, IfMatch: cfg.ETag, DistributionConfig: cfg.DistributionConfig}); err != nil {
		t.Fatalf("updating with its own CNAME: %v", err)
	}
}

func TestParseDistributionConfig(t *testing.T) {
	raw := request(t, "distributions/create-full", "KEYGROUP", "kg-1", "OAC", "EOAC")
	c, err := model.DecodeDistributionConfig([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Config
	if got.CallerReference != "full-config-1" || !got.Enabled || got.Comment != "Everything & more" || got.DefaultRootObject != "index.html" ||
		!slices.Equal(got.Aliases, []string{"media.example.com", "www.example.com"}) || got.HTTPVersion != "http2and3" {
		t.Errorf("top level = %+v", got)
	}
	if len(got.Origins) != 2 {
		t.Fatalf("origins = %+v", got.Origins)
	}
	s3, app := got.Origins[0], got.Origins[1]
	if s3.S3 == nil || s3.OriginAccessControlID != "EOAC" || s3.OriginPath != "/v1" || s3.ConnectionAttempts != 2 || s3.ConnectionTimeout != 10*time.Second {
		t.Errorf("S3 origin = %+v", s3)
	}
	if app.Custom == nil || app.Custom.HTTPSPort != 8443 || app.Custom.ProtocolPolicy != "https-only" || app.Custom.ReadTimeout != time.Minute ||
		app.Custom.KeepaliveTimeout != 5*time.Second || !slices.Equal(app.Custom.SSLProtocols, []string{"TLSv1.2"}) ||
		len(app.CustomHeaders) != 1 || app.CustomHeaders[0] != (model.OriginHeader{Name: "X-Origin-Secret", Value: "s3cr<t"}) {
		t.Errorf("custom origin = %+v %+v", app, app.Custom)
	}
	def := got.DefaultCacheBehavior
	if def.PathPattern != "*" || !def.Restricted() || !slices.Equal(def.TrustedKeyGroups.Items, []keyfront.KeyGroupID{"kg-1"}) ||
		!def.Compress || def.CachePolicyID == "" || def.ForwardedValues != nil || len(def.AllowedMethods) != 3 {
		t.Errorf("default behavior = %+v", def)
	}
	if len(got.CacheBehaviors) != 2 {
		t.Fatalf("behaviors = %+v", got.CacheBehaviors)
	}
	api, legacy := got.CacheBehaviors[0], got.CacheBehaviors[1]
	if api.PathPattern != "/api/*" || api.Restricted() || api.ForwardedValues == nil || !api.ForwardedValues.QueryString ||
		api.ForwardedValues.Cookies != "whitelist" || !slices.Equal(api.ForwardedValues.CookieNames, []string{"session"}) ||
		api.DefaultTTL != time.Minute || api.MaxTTL != time.Hour {
		t.Errorf("api behavior = %+v %+v", api, api.ForwardedValues)
	}
	if !legacy.Restricted() || legacy.MinTTL != 10*time.Second || legacy.DefaultTTL != 86400*time.Second {
		t.Errorf("legacy behavior = %+v", legacy)
	}
	if len(got.CustomErrorResponses) != 1 || got.CustomErrorResponses[0].ErrorCachingMinTTL != 30*time.Second {
		t.Errorf("custom error responses = %+v", got.CustomErrorResponses)
	}

	if _, err := model.DecodeDistributionConfig([]byte("<DistributionConfig>")); err == nil {
		t.Error("truncated XML parsed")
	}
}
