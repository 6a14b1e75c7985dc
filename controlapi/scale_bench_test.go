package controlapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"keyfront"
	"keyfront/controlapi"
	"keyfront/sigv4"
	"keyfront/sqlite"
)

// BenchmarkDistributionsAtScale measures CreateDistribution,
// UpdateDistribution and ListDistributions (MaxItems 100) through the AWS
// SDK against a SQLite store that already holds 10, 1,000 and 10,000
// distributions (quota raised), so that the cost of the write rules'
// checks as the account grows shows (bench/README.md).
//
//	go test ./controlapi -run '^$' -bench DistributionsAtScale -benchtime 200x
func BenchmarkDistributionsAtScale(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("existing=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "keyfront.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			srv := httptest.NewServer(controlapi.NewServer(controlapi.Config{
				Store: db,
				Verifier: &sigv4.Verifier{Service: sigv4.ServiceCloudFront,
					Credentials: sigv4.StaticCredentials{testAccessKey: {SecretAccessKey: testSecretKey}}},
				AccountID: testAccountID,
				Quotas:    controlapi.Quotas{Distributions: 1 << 30},
			}))
			defer srv.Close()
			client := newClient(srv, testAccessKey, testSecretKey)
			// One distribution through the API, then copies of its record
			// straight into the store: populating 10,000 through the API
			// would cost what is being measured, n times.
			first, err := client.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: distConfig("seed")})
			if err != nil {
				b.Fatal(err)
			}
			err = db.Update(ctx, func(tx keyfront.Tx) error {
				d, err := tx.GetDistribution(ctx, keyfront.DistributionID(*first.Distribution.Id))
				if err != nil {
					return err
				}
				for i := 1; i < n; i++ {
					c := *d
					c.ID = keyfront.DistributionID(fmt.Sprintf("EPOP%010d", i))
					c.CallerReference = fmt.Sprintf("populated-%d", i)
					c.DomainName = fmt.Sprintf("dpop%09d.cloudfront.localhost", i)
					if err := tx.PutDistribution(ctx, &c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			id, etag := first.Distribution.Id, first.ETag
			cfg := distConfig("seed")

			created := 0 // the sub-benchmark runs more than once
			b.Run("CreateDistribution", func(b *testing.B) {
				for range b.N {
					created++
					if _, err := client.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{
						DistributionConfig: distConfig(fmt.Sprintf("bench-%d", created))}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("UpdateDistribution", func(b *testing.B) {
				for i := range b.N {
					cfg.Comment = aws.String(fmt.Sprintf("update %d", i))
					out, err := client.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: id, IfMatch: etag, DistributionConfig: cfg})
					if err != nil {
						b.Fatal(err)
					}
					etag = out.ETag
				}
			})
			b.Run("ListDistributions100", func(b *testing.B) {
				for range b.N {
					out, err := client.ListDistributions(ctx, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(100)})
					if err != nil {
						b.Fatal(err)
					}
					if len(out.DistributionList.Items) < min(100, n) {
						b.Fatalf("listed %d", len(out.DistributionList.Items))
					}
				}
			})
		})
	}
}
