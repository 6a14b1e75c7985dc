package model_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"keyfront"
	"keyfront/model"
)

// full is a configuration with every typed field set to a value other
// than its default, so that it survives encoding unchanged.
func full() *model.DistributionConfig {
	return &model.DistributionConfig{
		CallerReference:   "ref-1",
		Aliases:           []string{"media.example.com", "www.example.com"},
		DefaultRootObject: "index.html",
		Origins: []model.Origin{
			{ID: "s3", DomainName: "media.s3.localhost", OriginPath: "/v1", S3: &model.S3Origin{ReadTimeout: 40 * time.Second},
				ConnectionAttempts: 2, ConnectionTimeout: 4 * time.Second, OriginAccessControlID: "EOAC"},
			{ID: "app", DomainName: "app.example.com", CustomHeaders: []model.OriginHeader{{Name: "X-Secret", Value: "s3cr<t"}},
				Custom: &model.CustomOrigin{HTTPPort: 8080, HTTPSPort: 8443, ProtocolPolicy: "https-only", SSLProtocols: []string{"TLSv1.2"},
					ReadTimeout: time.Minute, KeepaliveTimeout: 7 * time.Second},
				ConnectionAttempts: 1, ConnectionTimeout: 3 * time.Second},
		},
		DefaultCacheBehavior: model.CacheBehavior{
			PathPattern: "*", TargetOriginID: "s3", ViewerProtocolPolicy: "redirect-to-https",
			TrustedKeyGroups: model.TrustedKeyGroups{Enabled: true, Items: []keyfront.KeyGroupID{"kg-1", "kg-2"}},
			AllowedMethods:   []string{"GET", "HEAD", "OPTIONS"}, CachedMethods: []string{"GET", "HEAD"},
			Compress: true, CachePolicyID: "658327ea-f89d-4fab-a63d-7e88639e58f6", ResponseHeadersPolicyID: "rhp",
		},
		CacheBehaviors: []model.CacheBehavior{{
			PathPattern: "/api/*", TargetOriginID: "app", ViewerProtocolPolicy: "https-only",
			TrustedSigners: model.TrustedSigners{Enabled: true, Items: []string{"self"}},
			AllowedMethods: []string{"GET", "HEAD"}, CachedMethods: []string{"GET", "HEAD"}, SmoothStreaming: true,
			OriginRequestPolicyID: "orp",
			ForwardedValues: &model.ForwardedValues{QueryString: true, QueryStringCacheKeys: []string{"v"},
				Cookies: "whitelist", CookieNames: []string{"session"}, Headers: []string{"Origin"}},
			MinTTL: time.Second, DefaultTTL: time.Minute, MaxTTL: time.Hour,
		}},
		CustomErrorResponses: []model.CustomErrorResponse{{ErrorCode: 404, ResponsePagePath: "/404.html", ResponseCode: "404", ErrorCachingMinTTL: 30 * time.Second}},
		Comment:              "Everything & more",
		Enabled:              true,
		HTTPVersion:          "http2and3",
		PriceClass:           "PriceClass_100",
		IsIPV6Enabled:        true,
	}
}

// A configuration built from Go values is stored as canonical XML that
// reads back as the same values, and that the model accepts again
// unchanged.
func TestCanonicalRoundTrip(t *testing.T) {
	want := full()
	c, err := want.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Config, want) {
		t.Errorf("Canonical().Config = %+v\nwant %+v", c.Config, want)
	}
	got, err := model.DecodeStored(c.XML)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeStored = %+v\nwant %+v", got, want)
	}
	again, err := model.DecodeDistributionConfig(c.XML)
	if err != nil {
		t.Fatalf("the stored form is refused: %v", err)
	}
	if !bytes.Equal(again.XML, c.XML) {
		t.Errorf("not canonical:\n%s\n%s", c.XML, again.XML)
	}
}

// Fields left at their zero value get CloudFront's defaults (§3.5).
func TestCanonicalDefaults(t *testing.T) {
	c, err := (&model.DistributionConfig{
		CallerReference: "ref",
		Origins:         []model.Origin{{ID: "o", DomainName: "example.com", Custom: &model.CustomOrigin{HTTPPort: 80, HTTPSPort: 443, ProtocolPolicy: "http-only"}}},
		DefaultCacheBehavior: model.CacheBehavior{TargetOriginID: "o", ViewerProtocolPolicy: "allow-all",
			ForwardedValues: &model.ForwardedValues{}},
	}).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	o, b := c.Config.Origins[0], c.Config.DefaultCacheBehavior
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"ConnectionAttempts", o.ConnectionAttempts, 3},
		{"ConnectionTimeout", o.ConnectionTimeout, 10 * time.Second},
		{"OriginReadTimeout", o.Custom.ReadTimeout, 30 * time.Second},
		{"OriginKeepaliveTimeout", o.Custom.KeepaliveTimeout, 5 * time.Second},
		{"AllowedMethods", b.AllowedMethods, []string{"HEAD", "GET"}},
		{"CachedMethods", b.CachedMethods, []string{"HEAD", "GET"}},
		{"Cookies", b.ForwardedValues.Cookies, "none"},
		{"DefaultTTL", b.DefaultTTL, 24 * time.Hour},
		{"MaxTTL", b.MaxTTL, 365 * 24 * time.Hour},
		{"PriceClass", c.Config.PriceClass, "PriceClass_All"},
		{"HttpVersion", c.Config.HTTPVersion, "http2"},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !bytes.Contains(c.XML, []byte("<ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>")) {
		t.Errorf("no default viewer certificate in %s", c.XML)
	}
}

// Go values meet the rules a client's XML meets, with the same codes.
func TestCanonicalRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *model.DistributionConfig)
		code string
	}{
		{"TTL order", func(c *model.DistributionConfig) { c.CacheBehaviors[0].MinTTL = 2 * time.Hour }, "InvalidTTLOrder"},
		{"no target", func(c *model.DistributionConfig) { c.DefaultCacheBehavior.TargetOriginID = "" }, "InvalidArgument"},
		{"viewer policy", func(c *model.DistributionConfig) { c.DefaultCacheBehavior.ViewerProtocolPolicy = "sometimes" }, "InvalidArgument"},
		{"error code", func(c *model.DistributionConfig) { c.CustomErrorResponses[0].ErrorCode = 200 }, "InvalidErrorCode"},
		{"root object", func(c *model.DistributionConfig) { c.DefaultRootObject = "/index.html" }, "InvalidDefaultRootObject"},
		{"OAC and OAI", func(c *model.DistributionConfig) {
			c.Origins[0].S3.OriginAccessIdentity = "origin-access-identity/cloudfront/E1"
		}, "IllegalOriginAccessConfiguration"},
		{"read timeout", func(c *model.DistributionConfig) { c.Origins[1].Custom.ReadTimeout = time.Hour }, "InvalidOriginReadTimeout"},
		{"comment", func(c *model.DistributionConfig) { c.Comment = strings.Repeat("c", 129) }, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := full()
			tt.edit(c)
			_, err := c.Canonical()
			var me *model.Error
			if !errors.As(err, &me) {
				t.Fatalf("error = %v, want a *model.Error", err)
			}
			if got, want := me.Code, tt.code; got != want {
				t.Errorf("code = %s, want %s (%s)", got, want, me.Message)
			}
		})
	}
}

// DecodeStored reads what was stored without judging it by today's rules;
// only XML that does not parse fails.
func TestDecodeStored(t *testing.T) {
	c, err := full().Canonical()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("c", 300)
	lax := bytes.Replace(c.XML, []byte("<Comment>Everything &amp; more</Comment>"), []byte("<Comment>"+long+"</Comment>"), 1)
	if bytes.Equal(lax, c.XML) {
		t.Fatalf("no Comment to replace in %s", c.XML)
	}
	if _, err := model.DecodeDistributionConfig(lax); err == nil {
		t.Fatal("DecodeDistributionConfig accepted a 300-character comment")
	}
	got, err := model.DecodeStored(lax)
	if err != nil {
		t.Fatalf("DecodeStored: %v", err)
	}
	if got.Comment != long || got.CallerReference != "ref-1" {
		t.Errorf("DecodeStored = %+v", got)
	}
	if _, err := model.DecodeStored(c.XML[:len(c.XML)-5]); err == nil {
		t.Error("DecodeStored of truncated XML succeeded")
	}
	// Required elements missing: read as zero values, no panic.
	bare, err := model.DecodeStored([]byte("<DistributionConfig><CallerReference>r</CallerReference><Enabled>yes</Enabled></DistributionConfig>"))
	if err != nil {
		t.Fatalf("DecodeStored of a bare configuration: %v", err)
	}
	if bare.CallerReference != "r" || bare.Enabled || len(bare.Origins) != 0 {
		t.Errorf("bare configuration = %+v", bare)
	}
}

func TestReferences(t *testing.T) {
	c := full()
	c.CacheBehaviors[0].TrustedKeyGroups = model.TrustedKeyGroups{Items: []keyfront.KeyGroupID{"kg-2", "kg-3"}}
	if got, want := c.KeyGroupIDs(), []keyfront.KeyGroupID{"kg-1", "kg-2", "kg-3"}; !slices.Equal(got, want) {
		t.Errorf("KeyGroupIDs() = %v, want %v", got, want)
	}
	if got, want := c.OriginAccessControlIDs(), []string{"EOAC"}; !slices.Equal(got, want) {
		t.Errorf("OriginAccessControlIDs() = %v, want %v", got, want)
	}
}

func TestDistributionARN(t *testing.T) {
	if got, want := model.DistributionARN("123456789012", "EDFDVBD6EXAMPLE"), "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"; got != want {
		t.Errorf("DistributionARN = %q, want %q", got, want)
	}
}
