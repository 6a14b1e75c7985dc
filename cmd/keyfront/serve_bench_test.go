package main_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// BenchmarkControlAPI measures control API requests through the AWS SDK for
// Go v2 against a real `keyfront serve` (SigV4, HTTP, SQLite with fsync),
// with as many concurrent clients as GOMAXPROCS. Figures are in
// bench/README.md.
func BenchmarkControlAPI(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	cfg := filepath.Join(b.TempDir(), "keyfront.yaml")
	writeFile(b, cfg, []byte("quotas:\n  key_groups: 10000000\n"), 0o644)
	srv := startServe(b, dir, nil, "--config", cfg, "--log-level", "error")
	c := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	kp := newKeyPair(b)
	s := createSeed(b, ctx, c, string(readFile(b, kp.pub)))

	var n atomic.Int64 // key group names stay unique across the benchmark's runs
	b.Run("CreateKeyGroup", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				name := fmt.Sprintf("bench-%d", n.Add(1))
				_, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
					Name: aws.String(name), Items: []string{s.keyID}}})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("GetDistribution", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &s.distID}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("ListKeyGroups", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.ListKeyGroups(ctx, &cloudfront.ListKeyGroupsInput{MaxItems: aws.Int32(10)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}
