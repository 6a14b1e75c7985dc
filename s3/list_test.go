package s3_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listKeys are the keys of the listing tests, in byte order.
var listKeys = []string{
	"a.txt",
	"photos/2023/jan/1.jpg", "photos/2023/jan/2.jpg", "photos/2023/feb/1.jpg",
	"photos/2024/a b+c.jpg", "photos/index.html", "photos0", "videos/x.mp4", "zz", "é/1",
}

func listOrigin(t *testing.T) *origin {
	t.Helper()
	o := newOrigin(t)
	o.mustCreateBucket(t, "list")
	for i, k := range listKeys {
		o.mustPut(t, "list", k, []byte(fmt.Sprint(i)))
	}
	return o
}

// page is one page as the tests compare it: keys, then common prefixes.
type page struct {
	keys, prefixes []string
}

func (p page) String() string { return fmt.Sprintf("keys %q prefixes %q", p.keys, p.prefixes) }

func TestListObjectsV2(t *testing.T) {
	o := listOrigin(t)
	tests := []struct {
		name      string
		in        s3.ListObjectsV2Input
		wantPages []page
	}{
		{"everything", s3.ListObjectsV2Input{}, []page{{keys: sortedKeys()}}},
		{"prefix", s3.ListObjectsV2Input{Prefix: aws.String("photos/2023/")},
			[]page{{keys: []string{"photos/2023/feb/1.jpg", "photos/2023/jan/1.jpg", "photos/2023/jan/2.jpg"}}}},
		{"delimiter at the root", s3.ListObjectsV2Input{Delimiter: aws.String("/")},
			[]page{{keys: []string{"a.txt", "photos0", "zz"}, prefixes: []string{"photos/", "videos/", "é/"}}}},
		{"delimiter under a prefix", s3.ListObjectsV2Input{Prefix: aws.String("photos/"), Delimiter: aws.String("/")},
			[]page{{keys: []string{"photos/index.html"}, prefixes: []string{"photos/2023/", "photos/2024/"}}}},
		{"pages of two with delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)},
			[]page{
				{keys: []string{"a.txt"}, prefixes: []string{"photos/"}},
				{keys: []string{"photos0"}, prefixes: []string{"videos/"}},
				{keys: []string{"zz"}, prefixes: []string{"é/"}},
			}},
		{"pages of one", s3.ListObjectsV2Input{Prefix: aws.String("photos/2023/jan"), MaxKeys: aws.Int32(1)},
			[]page{{keys: []string{"photos/2023/jan/1.jpg"}}, {keys: []string{"photos/2023/jan/2.jpg"}}}},
		{"start-after", s3.ListObjectsV2Input{StartAfter: aws.String("photos0")},
			[]page{{keys: []string{"videos/x.mp4", "zz", "é/1"}}}},
		{"start-after with delimiter", s3.ListObjectsV2Input{StartAfter: aws.String("photos/2023"), Delimiter: aws.String("/")},
			[]page{{keys: []string{"photos0", "zz"}, prefixes: []string{"photos/", "videos/", "é/"}}}},
		{"other delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("2")},
			[]page{{keys: []string{"a.txt", "photos/index.html", "photos0", "videos/x.mp4", "zz", "é/1"}, prefixes: []string{"photos/2"}}}},
		{"no match", s3.ListObjectsV2Input{Prefix: aws.String("nothing")}, []page{{}}},
	}
	for _, cc := range clientConfigs {
		for _, tc := range tests {
			t.Run(cc.name+"/"+tc.name, func(t *testing.T) {
				in := tc.in
				in.Bucket = aws.String("list")
				var got []page
				p := s3.NewListObjectsV2Paginator(o.client(cc), &in)
				for p.HasMorePages() {
					out, err := p.NextPage(context.Background())
					if err != nil {
						t.Fatalf("ListObjectsV2: %v", err)
					}
					var pg page
					for _, c := range out.Contents {
						pg.keys = append(pg.keys, aws.ToString(c.Key))
					}
					for _, c := range out.CommonPrefixes {
						pg.prefixes = append(pg.prefixes, aws.ToString(c.Prefix))
					}
					if n := int(aws.ToInt32(out.KeyCount)); n != len(pg.keys)+len(pg.prefixes) {
						t.Errorf("KeyCount = %d, want %d", n, len(pg.keys)+len(pg.prefixes))
					}
					got = append(got, pg)
					if len(got) > 20 {
						t.Fatal("too many pages")
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.wantPages) {
					t.Errorf("pages:\n got %v\nwant %v", got, tc.wantPages)
				}
			})
		}
	}

	t.Run("encoding-type url", func(t *testing.T) {
		out, err := o.ownerClient().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
			Bucket: aws.String("list"), Prefix: aws.String("photos/2024/"), EncodingType: types.EncodingTypeUrl})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "photos%2F2024%2Fa+b%2Bc.jpg" {
			t.Errorf("encoded keys: %+v", out.Contents)
		}
		if aws.ToString(out.Prefix) != "photos%2F2024%2F" {
			t.Errorf("encoded prefix %q", aws.ToString(out.Prefix))
		}
	})
	t.Run("max-keys 0", func(t *testing.T) {
		out, err := o.ownerClient().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) {
			t.Errorf("max-keys 0: %d keys, truncated %v", len(out.Contents), aws.ToBool(out.IsTruncated))
		}
	})
	t.Run("bad continuation token", func(t *testing.T) {
		_, err := o.ownerClient().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("!!!")})
		if got := errorCode(err); got != "InvalidArgument" {
			t.Errorf("bad token: %s", got)
		}
	})
}

func sortedKeys() []string {
	k := slices.Clone(listKeys)
	slices.Sort(k)
	return k
}

// TestListObjectsV1 pages with Marker and NextMarker, as the AWS CLI's
// older paths and many tools do.
func TestListObjectsV1(t *testing.T) {
	o := listOrigin(t)
	for _, tc := range []struct {
		name      string
		in        s3.ListObjectsInput
		wantPages []page
	}{
		{"everything", s3.ListObjectsInput{}, []page{{keys: sortedKeys()}}},
		{"delimiter, pages of two", s3.ListObjectsInput{Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)},
			[]page{
				{keys: []string{"a.txt"}, prefixes: []string{"photos/"}},
				{keys: []string{"photos0"}, prefixes: []string{"videos/"}},
				{keys: []string{"zz"}, prefixes: []string{"é/"}},
			}},
		{"marker", s3.ListObjectsInput{Marker: aws.String("videos/x.mp4")}, []page{{keys: []string{"zz", "é/1"}}}},
		{"pages of four without delimiter", s3.ListObjectsInput{MaxKeys: aws.Int32(4)},
			[]page{{keys: sortedKeys()[:4]}, {keys: sortedKeys()[4:8]}, {keys: sortedKeys()[8:]}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("list")
			var got []page
			for range 20 {
				out, err := o.ownerClient().ListObjects(context.Background(), &in)
				if err != nil {
					t.Fatalf("ListObjects: %v", err)
				}
				var pg page
				for _, c := range out.Contents {
					pg.keys = append(pg.keys, aws.ToString(c.Key))
					if c.Owner == nil || aws.ToString(c.Owner.ID) == "" {
						t.Errorf("key %s without Owner", aws.ToString(c.Key))
					}
				}
				for _, c := range out.CommonPrefixes {
					pg.prefixes = append(pg.prefixes, aws.ToString(c.Prefix))
				}
				got = append(got, pg)
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				next := aws.ToString(out.NextMarker)
				if next == "" {
					next = pg.keys[len(pg.keys)-1]
				}
				in.Marker = aws.String(next)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantPages) {
				t.Errorf("pages:\n got %v\nwant %v", got, tc.wantPages)
			}
		})
	}

	t.Run("raw shape", func(t *testing.T) {
		req := o.newRequest(t, "GET", "/list?prefix="+url.QueryEscape("photos/")+"&delimiter=/&max-keys=1", nil)
		signOwner(t, req)
		resp, body := o.do(t, req)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var res struct {
			XMLName     xml.Name `xml:"ListBucketResult"`
			Marker      *string  `xml:"Marker"`
			NextMarker  string   `xml:"NextMarker"`
			IsTruncated bool     `xml:"IsTruncated"`
			KeyCount    *int     `xml:"KeyCount"`
		}
		if err := xml.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if res.Marker == nil || res.KeyCount != nil || !res.IsTruncated || res.NextMarker != "photos/2023/" {
			t.Errorf("ListObjects v1 shape: %s", body)
		}
		if !strings.Contains(string(body), `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`) {
			t.Errorf("no S3 namespace: %s", body)
		}
	})
}
