// Command seed sets up the seed site of the edge benchmarks
// (bench/edge-vs-nginx.sh) against a running `keyfront serve`, through
// the same AWS SDK calls a user makes: a private bucket and its objects,
// an RSA and an ECDSA public key in one key group, an origin access
// control, a distribution whose default behavior trusts the key group
// (restricted viewer access), and the seed bucket policy (service
// principal cloudfront.amazonaws.com, AWS:SourceArn of the distribution,
// aws:Referer). It also invalidates paths and presigns origin GETs for the
// script. Credentials come from KEYFRONT_ACCESS_KEY_ID and
// KEYFRONT_SECRET_ACCESS_KEY, as for the server.
//
//	seed setup --api URL --s3 URL --edge URL --rsa-pub PEM --ec-pub PEM \
//	     [--bucket NAME] [--referer-like PATTERN] KEY=FILE...
//	seed invalidate --api URL --dist ID PATH...
//	seed presign --s3 URL --bucket NAME --key KEY
//
// setup prints shell assignments (DIST_ID, DIST_DOMAIN, DIST_ARN,
// RSA_KEY_ID, EC_KEY_ID) once the edge knows the distribution.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront/signing"
)

// Managed policies, by their CloudFront IDs.
const (
	cachingOptimized        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	userAgentRefererHeaders = "acba4595-bd28-49b8-b9fe-13317c0390fa"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: seed setup|invalidate|presign [flags]")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var err error
	switch os.Args[1] {
	case "setup":
		err = setup(ctx, os.Args[2:])
	case "invalidate":
		err = invalidate(ctx, os.Args[2:])
	case "presign":
		err = presign(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func creds() (aws.CredentialsProvider, error) {
	id, secret := os.Getenv("KEYFRONT_ACCESS_KEY_ID"), os.Getenv("KEYFRONT_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, errors.New("set KEYFRONT_ACCESS_KEY_ID and KEYFRONT_SECRET_ACCESS_KEY")
	}
	return credentials.NewStaticCredentialsProvider(id, secret, ""), nil
}

func cfClient(endpoint string) (*cloudfront.Client, error) {
	c, err := creds()
	if err != nil {
		return nil, err
	}
	return cloudfront.New(cloudfront.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: c}), nil
}

func s3Client(endpoint string) (*s3.Client, error) {
	c, err := creds()
	if err != nil {
		return nil, err
	}
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Credentials: c}), nil
}

func setup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	api := fs.String("api", "", "control API URL")
	s3URL := fs.String("s3", "", "origin (S3) URL")
	edgeURL := fs.String("edge", "", "edge URL")
	rsaPub := fs.String("rsa-pub", "", "RSA public key PEM file")
	ecPub := fs.String("ec-pub", "", "ECDSA public key PEM file")
	bucket := fs.String("bucket", "bench", "bucket name")
	refererLike := fs.String("referer-like", "https://www.example.com/*", "aws:Referer StringLike condition of the bucket policy; empty for none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	objects := fs.Args()
	if *api == "" || *s3URL == "" || *edgeURL == "" || *rsaPub == "" || *ecPub == "" || len(objects) == 0 {
		return errors.New("setup needs --api, --s3, --edge, --rsa-pub, --ec-pub and at least one KEY=FILE")
	}
	cf, err := cfClient(*api)
	if err != nil {
		return err
	}
	sc, err := s3Client(*s3URL)
	if err != nil {
		return err
	}

	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		return fmt.Errorf("CreateBucket: %w", err)
	}
	for _, o := range objects {
		key, file, ok := strings.Cut(o, "=")
		if !ok {
			return fmt.Errorf("object %q: want KEY=FILE", o)
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		_, err = sc.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: f})
		f.Close()
		if err != nil {
			return fmt.Errorf("PutObject %s: %w", key, err)
		}
	}

	upload := func(name, file string) (string, error) {
		pem, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		out, err := cf.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(string(pem))}})
		if err != nil {
			return "", fmt.Errorf("CreatePublicKey %s: %w", name, err)
		}
		return *out.PublicKey.Id, nil
	}
	rsaID, err := upload("bench-rsa", *rsaPub)
	if err != nil {
		return err
	}
	ecID, err := upload("bench-ecdsa", *ecPub)
	if err != nil {
		return err
	}
	kg, err := cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("bench-signers"), Items: []string{rsaID, ecID}}})
	if err != nil {
		return fmt.Errorf("CreateKeyGroup: %w", err)
	}
	oac, err := cf.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: &types.OriginAccessControlConfig{
		Name: aws.String("bench-oac"), OriginAccessControlOriginType: types.OriginAccessControlOriginTypesS3,
		SigningBehavior: types.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: types.OriginAccessControlSigningProtocolsSigv4}})
	if err != nil {
		return fmt.Errorf("CreateOriginAccessControl: %w", err)
	}
	origin := *bucket + "-bucket"
	d, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &types.DistributionConfig{
		CallerReference: aws.String("bench-distribution"),
		Comment:         aws.String("keyfront edge benchmark"),
		Enabled:         aws.Bool(true),
		Origins: &types.Origins{Quantity: aws.Int32(1), Items: []types.Origin{{
			Id:                    aws.String(origin),
			DomainName:            aws.String(*bucket + ".s3.localhost"),
			S3OriginConfig:        &types.S3OriginConfig{OriginAccessIdentity: aws.String("")},
			OriginAccessControlId: oac.OriginAccessControl.Id,
		}}},
		DefaultCacheBehavior: &types.DefaultCacheBehavior{
			TargetOriginId:        aws.String(origin),
			ViewerProtocolPolicy:  types.ViewerProtocolPolicyAllowAll,
			TrustedKeyGroups:      &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{*kg.KeyGroup.Id}},
			CachePolicyId:         aws.String(cachingOptimized),
			OriginRequestPolicyId: aws.String(userAgentRefererHeaders),
		},
	}})
	if err != nil {
		return fmt.Errorf("CreateDistribution: %w", err)
	}
	distID, distARN, domain := *d.Distribution.Id, *d.Distribution.ARN, *d.Distribution.DomainName

	cond := `"StringEquals":{"AWS:SourceArn":"` + distARN + `"}`
	if *refererLike != "" {
		cond += `,"StringLike":{"aws:Referer":"` + *refererLike + `"}`
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + *bucket + `/*",` +
		`"Condition":{` + cond + `}}]}`
	if _, err := sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(policy)}); err != nil {
		return fmt.Errorf("PutBucketPolicy: %w", err)
	}

	// The edge follows the store by polling: wait until an unsigned
	// request gets CloudFront's MissingKey 403 rather than the
	// unknown-host page.
	u, err := url.Parse(*edgeURL)
	if err != nil {
		return err
	}
	firstKey, _, _ := strings.Cut(objects[0], "=")
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *edgeURL+"/"+firstKey, nil)
		req.Host = domain + ":" + u.Port()
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden && bytes.Equal(body, signing.MissingKey.Body()) {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the distribution did not reach the edge within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("DIST_ID=%s\nDIST_DOMAIN=%s\nDIST_ARN=%s\nRSA_KEY_ID=%s\nEC_KEY_ID=%s\n", distID, domain, distARN, rsaID, ecID)
	return nil
}

// invalidate creates an invalidation and waits until it is Completed: the
// edge has purged the paths by then.
func invalidate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("invalidate", flag.ContinueOnError)
	api := fs.String("api", "", "control API URL")
	dist := fs.String("dist", "", "distribution ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := fs.Args()
	if *api == "" || *dist == "" || len(paths) == 0 {
		return errors.New("invalidate needs --api, --dist and at least one path")
	}
	cf, err := cfClient(*api)
	if err != nil {
		return err
	}
	out, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: dist, InvalidationBatch: &types.InvalidationBatch{
		CallerReference: aws.String(fmt.Sprintf("bench-%d", time.Now().UnixNano())),
		Paths:           &types.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths}}})
	if err != nil {
		return fmt.Errorf("CreateInvalidation: %w", err)
	}
	id := out.Invalidation.Id
	deadline := time.Now().Add(30 * time.Second)
	for status := *out.Invalidation.Status; status != "Completed"; {
		if time.Now().After(deadline) {
			return fmt.Errorf("invalidation %s still %s after 30 s", *id, status)
		}
		time.Sleep(50 * time.Millisecond)
		g, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: dist, Id: id})
		if err != nil {
			return fmt.Errorf("GetInvalidation: %w", err)
		}
		status = *g.Invalidation.Status
	}
	return nil
}

// presign prints a SigV4-presigned GET of an object on the origin, to
// time the origin without the edge.
func presign(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("presign", flag.ContinueOnError)
	s3URL := fs.String("s3", "", "origin (S3) URL")
	bucket := fs.String("bucket", "bench", "bucket name")
	key := fs.String("key", "", "object key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, err := s3Client(*s3URL)
	if err != nil {
		return err
	}
	req, err := s3.NewPresignClient(sc).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key},
		s3.WithPresignExpires(time.Hour))
	if err != nil {
		return err
	}
	fmt.Print(req.URL)
	return nil
}
