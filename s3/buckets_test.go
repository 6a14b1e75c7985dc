package s3_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	s3origin "keyfront/s3"
)

func TestBucketLifecycle(t *testing.T) {
	o := newOrigin(t)
	ctx := context.Background()
	for _, cc := range clientConfigs {
		t.Run(cc.name, func(t *testing.T) {
			c := o.client(cc)
			prefix := "b" + strings.ReplaceAll(strings.ToLower(cc.name[:4]), " ", "")
			plain, regional := prefix+"-plain", prefix+"-regional"
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(plain)}); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(regional),
				CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest3}}); err != nil {
				t.Fatalf("CreateBucket with configuration: %v", err)
			}
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(plain)})
			if got, want := errorCode(err), "BucketAlreadyOwnedByYou"; got != want {
				t.Errorf("CreateBucket again: %s, want %s", got, want)
			}

			for _, tc := range []struct {
				bucket, want string
			}{{plain, ""}, {regional, "eu-west-3"}} {
				loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(tc.bucket)})
				if err != nil {
					t.Fatalf("GetBucketLocation %s: %v", tc.bucket, err)
				}
				if got := string(loc.LocationConstraint); got != tc.want {
					t.Errorf("GetBucketLocation %s = %q, want %q", tc.bucket, got, tc.want)
				}
				head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(tc.bucket)})
				if err != nil {
					t.Fatalf("HeadBucket %s: %v", tc.bucket, err)
				}
				if want := cmpRegion(tc.want); aws.ToString(head.BucketRegion) != want {
					t.Errorf("HeadBucket %s region = %q, want %q", tc.bucket, aws.ToString(head.BucketRegion), want)
				}
			}

			list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
			if err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			var names []string
			for _, b := range list.Buckets {
				names = append(names, aws.ToString(b.Name))
				if b.CreationDate == nil || b.CreationDate.IsZero() {
					t.Errorf("bucket %s has no CreationDate", aws.ToString(b.Name))
				}
			}
			if !slices.Contains(names, plain) || !slices.Contains(names, regional) || !slices.IsSorted(names) {
				t.Errorf("ListBuckets = %q, want both buckets in order", names)
			}

			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(plain), Key: aws.String("x"), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(plain)})
			if got, want := errorCode(err), "BucketNotEmpty"; got != want {
				t.Errorf("DeleteBucket with an object: %s, want %s", got, want)
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(plain), Key: aws.String("x")}); err != nil {
				t.Fatal(err)
			}
			// An upload in progress does not keep the bucket.
			if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(plain), Key: aws.String("mp")}); err != nil {
				t.Fatal(err)
			}
			for _, b := range []string{plain, regional} {
				if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)}); err != nil {
					t.Fatalf("DeleteBucket %s: %v", b, err)
				}
			}
			_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(plain)})
			if got := httpStatus(err); got != http.StatusNotFound {
				t.Errorf("HeadBucket after delete: status %d (%v), want 404", got, err)
			}
			_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(plain)})
			if got, want := errorCode(err), "NoSuchBucket"; got != want {
				t.Errorf("ListObjectsV2 after delete: %s, want %s", got, want)
			}
			_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(plain)})
			if got, want := errorCode(err), "NoSuchBucket"; got != want {
				t.Errorf("DeleteBucket twice: %s, want %s", got, want)
			}
		})
	}
}

func cmpRegion(loc string) string {
	if loc == "" {
		return "us-east-1"
	}
	return loc
}

func TestBucketNames(t *testing.T) {
	o := newOrigin(t)
	c := o.ownerClient()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"my.bucket-1", true},
		{strings.Repeat("a", 63), true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"UpperCase", false},
		{"-leading", false},
		{"trailing-", false},
		{"two..dots", false},
		{"192.168.5.4", false},
		{"xn--punycode", false},
		{"under_score", false},
		{"bucket-s3alias", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(tc.name)})
			switch {
			case tc.ok && err != nil:
				t.Errorf("CreateBucket: %v", err)
			case !tc.ok && errorCode(err) != "InvalidBucketName":
				t.Errorf("CreateBucket: %v, want InvalidBucketName", err)
			}
		})
	}
}

// TestVirtualHostedStyle addresses buckets as <bucket>.<Domain>.
func TestVirtualHostedStyle(t *testing.T) {
	o := newOrigin(t, func(c *s3origin.Config) { c.Domain = "s3.example.test" })
	port := o.http.Listener.Addr().String()[strings.LastIndex(o.http.Listener.Addr().String(), ":"):]
	c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://s3.example.test" + port),
		Credentials:  o.ownerClient().Options().Credentials,
		HTTPClient:   pinnedClient(o.http.Listener.Addr().String()),
		Retryer:      aws.NopRetryer{},
	})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("/lead/ing"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	// Path style sees the same object.
	if got := string(o.mustGet(t, "vhost", "/lead/ing")); got != "v" {
		t.Errorf("path-style GET = %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "/lead/ing" {
		t.Errorf("ListObjectsV2 = %+v", out.Contents)
	}
}
