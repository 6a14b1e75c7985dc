package main_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront/signing"
)

// BenchmarkUpdateToEveryEdgeServes measures, with one `serve --roles
// api,s3` and two `serve --roles edge` processes, the time from sending
// UpdateDistribution to every edge serving the new configuration, and to
// GetDistribution saying Deployed. Each update switches the trusted key
// group between two groups of one key each; an edge serves the update
// once a URL signed with the newly trusted key gets 200 from it. It
// reports p50 and p99 over b.N updates (bench/README.md):
//
//	go test ./cmd/keyfront -run '^$' -bench UpdateToEveryEdgeServes -benchtime 200x
func BenchmarkUpdateToEveryEdgeServes(b *testing.B) {
	ctx := context.Background()
	d := newDeployment(b, 2)
	cf := d.cf
	bucket := "media"
	if _, err := d.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		b.Fatal(err)
	}
	if _, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a.txt"), Body: strings.NewReader("hello")}); err != nil {
		b.Fatal(err)
	}
	// No origin access control here: the bucket lets anyone read, so
	// that the figure is the edges' following of the store alone.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*"}]}`
	if _, err := d.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(policy)}); err != nil {
		b.Fatal(err)
	}
	var groups [2]string
	var signers [2]*signing.Signer
	for i := range 2 {
		kp := newKeyPair(b, "--type", "ecdsa")
		pk, err := cf.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(fmt.Sprint(i)), Name: aws.String(fmt.Sprint("k", i)), EncodedKey: aws.String(string(readFile(b, kp.pub)))}})
		if err != nil {
			b.Fatal(err)
		}
		if signers[i], err = signing.NewSigner(*pk.PublicKey.Id, kp.signer(b), signing.SHA256); err != nil {
			b.Fatal(err)
		}
		g, err := cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
			Name: aws.String(fmt.Sprint("g", i)), Items: []string{*pk.PublicKey.Id}}})
		if err != nil {
			b.Fatal(err)
		}
		groups[i] = *g.KeyGroup.Id
	}
	dc := &types.DistributionConfig{
		CallerReference: aws.String("bench"), Comment: aws.String(""), Enabled: aws.Bool(true),
		Origins: &types.Origins{Quantity: aws.Int32(1), Items: []types.Origin{{Id: aws.String("media"), DomainName: aws.String("media.s3.localhost"),
			S3OriginConfig: &types.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &types.DefaultCacheBehavior{TargetOriginId: aws.String("media"), ViewerProtocolPolicy: types.ViewerProtocolPolicyAllowAll,
			TrustedKeyGroups: &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{groups[0]}},
			CachePolicyId:    aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
	}
	created, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: dc})
	if err != nil {
		b.Fatal(err)
	}
	id, etag := created.Distribution.Id, created.ETag
	var views []*edgeView
	for i, e := range d.edges {
		views = append(views, newEdgeView(fmt.Sprintf("edge %d", i+1), e.urls["edge"], *created.Distribution.DomainName))
	}
	// serves waits until every edge serves a URL signed by s, and returns
	// how long that took from start.
	serves := func(s *signing.Signer, start time.Time) time.Duration {
		for _, v := range views {
			for v.get(b, s, "/a.txt").status != 200 {
				if time.Since(start) > 30*time.Second {
					b.Fatalf("%s does not serve the update after 30 s", v.name)
				}
				time.Sleep(time.Millisecond)
			}
		}
		return time.Since(start)
	}
	serves(signers[0], time.Now())

	served := make([]time.Duration, 0, b.N)
	deployed := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		next := (i + 1) % 2
		dc.DefaultCacheBehavior.TrustedKeyGroups.Items = []string{groups[next]}
		start := time.Now()
		out, err := cf.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, IfMatch: etag, DistributionConfig: dc})
		if err != nil {
			b.Fatal(err)
		}
		etag = out.ETag
		served = append(served, serves(signers[next], start))
		for {
			g, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: id})
			if err != nil {
				b.Fatal(err)
			}
			if aws.ToString(g.Distribution.Status) == "Deployed" {
				break
			}
		}
		deployed = append(deployed, time.Since(start))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p int) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[(len(s)-1)*p/100].Microseconds()) / 1000
	}
	b.ReportMetric(pct(served, 50), "served-p50-ms")
	b.ReportMetric(pct(served, 99), "served-p99-ms")
	b.ReportMetric(pct(deployed, 50), "deployed-p50-ms")
	b.ReportMetric(pct(deployed, 99), "deployed-p99-ms")
}
