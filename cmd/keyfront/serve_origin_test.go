package main_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func s3Client(url, akid, secret string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(url),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	})
}

// TestServeOriginSDK uses the origin of a real `keyfront serve` with the
// AWS SDK for Go v2 S3 client: the administrator creates a bucket and an
// object and reads it back whole and by range; an anonymous viewer gets
// S3's AccessDenied until a bucket policy allows it; the object survives a
// restart.
func TestServeOriginSDK(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServe(t, dir, nil)
	c := s3Client(srv.s3URL, e2eAccessKey, e2eSecretKey)
	body := bytes.Repeat([]byte("keyfront private segment\n"), 4096)

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("videos")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("videos"), Key: aws.String("hls/seg 1.ts"),
		Body: bytes.NewReader(body), ContentType: aws.String("video/mp2t")})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("videos"), Key: aws.String("hls/seg 1.ts"), Range: aws.String("bytes=25-49")})
	if err != nil {
		t.Fatalf("GetObject range: %v", err)
	}
	part, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(part, body[25:50]) || *got.ETag != *put.ETag {
		t.Errorf("range read %q (ETag %s), want %q (ETag %s)", part, *got.ETag, body[25:50], *put.ETag)
	}

	anon := func() (int, string) {
		t.Helper()
		resp, err := http.Get(srv.s3URL + "/videos/hls/seg%201.ts")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, b := anon(); status != http.StatusForbidden || !strings.Contains(b, "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous GET without a policy: %d %s, want 403 AccessDenied", status, b)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::videos/hls/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("videos"), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	if status, b := anon(); status != http.StatusOK || b != string(body) {
		t.Errorf("anonymous GET with a public-read policy: %d (%d bytes), want 200 and the object", status, len(b))
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("videos"), Policy: aws.String(`{"Statement":[{"Effect":"Allow"}]}`)})
	if err == nil || !strings.Contains(err.Error(), "MalformedPolicy") {
		t.Errorf("PutBucketPolicy with a broken policy: %v, want MalformedPolicy", err)
	}

	srv.stop()
	srv = startServe(t, dir, nil)
	c = s3Client(srv.s3URL, e2eAccessKey, e2eSecretKey)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("videos"), Key: aws.String("hls/seg 1.ts")})
	if err != nil {
		t.Fatalf("HeadObject after restart: %v", err)
	}
	if *head.ETag != *put.ETag || *head.ContentLength != int64(len(body)) || *head.ContentType != "video/mp2t" {
		t.Errorf("after restart: ETag %s, %d bytes, %s; want %s, %d, video/mp2t", *head.ETag, *head.ContentLength, *head.ContentType, *put.ETag, len(body))
	}
}
