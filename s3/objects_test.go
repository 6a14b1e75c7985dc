package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestPutGetObject round-trips objects through the SDK, with both client
// configurations and each checksum algorithm S3 accepts.
func TestPutGetObject(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "objects")
	ctx := context.Background()
	data := randomBytes(1, 300_000)
	sum := md5.Sum(data)
	wantETag := `"` + hex.EncodeToString(sum[:]) + `"`
	for _, cc := range clientConfigs {
		for _, alg := range []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
			types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme} {
			t.Run(cc.name+"/"+string(alg), func(t *testing.T) {
				c := o.client(cc)
				key := "dir/" + cc.name + "/" + string(alg) + "/ünï cödé+%.bin"
				put, err := c.PutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String("objects"), Key: aws.String(key), Body: bytes.NewReader(data),
					ChecksumAlgorithm: alg, ContentType: aws.String("application/x-test"),
					CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="t.bin"`),
					Metadata: map[string]string{"color": "blue", "Mixed-Case": "v"},
				})
				if err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				if got := aws.ToString(put.ETag); got != wantETag {
					t.Errorf("PutObject ETag = %s, want %s", got, wantETag)
				}
				// The checksum the client sent is echoed: explicitly
				// chosen, or the client's default CRC32.
				wantAlg := alg
				if wantAlg == "" && cc.explicit {
					wantAlg = types.ChecksumAlgorithmCrc32
				}
				if got := putChecksum(put); (got != "") != (wantAlg != "") {
					t.Errorf("PutObject checksum = %q, want one of %q", got, wantAlg)
				}

				get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objects"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				if err != nil {
					t.Fatalf("GetObject: %v", err)
				}
				got, err := io.ReadAll(get.Body)
				get.Body.Close()
				if err != nil {
					t.Fatalf("GetObject body: %v", err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("GetObject: %d bytes differ from the %d put", len(got), len(data))
				}
				for name, pair := range map[string][2]string{
					"ETag":               {aws.ToString(get.ETag), wantETag},
					"ContentType":        {aws.ToString(get.ContentType), "application/x-test"},
					"CacheControl":       {aws.ToString(get.CacheControl), "max-age=60"},
					"ContentDisposition": {aws.ToString(get.ContentDisposition), `attachment; filename="t.bin"`},
					"Metadata color":     {get.Metadata["color"], "blue"},
					"Metadata mixed":     {get.Metadata["mixed-case"], "v"},
					"ContentLength":      {fmt.Sprint(aws.ToInt64(get.ContentLength)), fmt.Sprint(len(data))},
				} {
					if pair[0] != pair[1] {
						t.Errorf("GetObject %s = %q, want %q", name, pair[0], pair[1])
					}
				}
				if wantAlg != "" && getChecksum(get) == "" {
					t.Errorf("GetObject with checksum mode: no %s checksum", wantAlg)
				}

				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objects"), Key: aws.String(key)})
				if err != nil {
					t.Fatalf("HeadObject: %v", err)
				}
				if aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ETag) != wantETag {
					t.Errorf("HeadObject = %d bytes, ETag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
				}
			})
		}
	}
}

func putChecksum(p *s3.PutObjectOutput) string {
	return aws.ToString(p.ChecksumCRC32) + aws.ToString(p.ChecksumCRC32C) + aws.ToString(p.ChecksumCRC64NVME) +
		aws.ToString(p.ChecksumSHA1) + aws.ToString(p.ChecksumSHA256)
}

func getChecksum(g *s3.GetObjectOutput) string {
	return aws.ToString(g.ChecksumCRC32) + aws.ToString(g.ChecksumCRC32C) + aws.ToString(g.ChecksumCRC64NVME) +
		aws.ToString(g.ChecksumSHA1) + aws.ToString(g.ChecksumSHA256)
}

func TestObjectEdgeCases(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "edge")
	c := o.ownerClient()
	ctx := context.Background()

	t.Run("empty object", func(t *testing.T) {
		o.mustPut(t, "edge", "empty", nil)
		if got := o.mustGet(t, "edge", "empty"); len(got) != 0 {
			t.Errorf("GetObject = %d bytes", len(got))
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("edge"), Key: aws.String("empty")})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(head.ETag), `"d41d8cd98f00b204e9800998ecf8427e"`; got != want {
			t.Errorf("ETag = %s, want %s", got, want)
		}
		// S3's Content-Type when the PUT had none (the SDK always sends
		// one; a raw request need not).
		req := o.newRequest(t, "PUT", "/edge/untyped", strings.NewReader("x"))
		signOwner(t, req)
		if resp, body := o.do(t, req); resp.StatusCode != 200 {
			t.Fatalf("PUT: %d %s", resp.StatusCode, body)
		}
		head, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("edge"), Key: aws.String("untyped")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(head.ContentType); got != "binary/octet-stream" {
			t.Errorf("default Content-Type = %q", got)
		}
	})
	t.Run("overwrite", func(t *testing.T) {
		o.mustPut(t, "edge", "over", []byte("first"))
		o.mustPut(t, "edge", "over", []byte("second"))
		if got := string(o.mustGet(t, "edge", "over")); got != "second" {
			t.Errorf("after overwrite: %q", got)
		}
	})
	t.Run("missing key", func(t *testing.T) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("edge"), Key: aws.String("nope")})
		if got := errorCode(err); got != "NoSuchKey" {
			t.Errorf("GetObject missing: %s", got)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("edge"), Key: aws.String("nope")})
		if got := httpStatus(err); got != 404 {
			t.Errorf("HeadObject missing: %d", got)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
		if got := errorCode(err); got != "NoSuchBucket" {
			t.Errorf("GetObject in missing bucket: %s", got)
		}
	})
	t.Run("delete", func(t *testing.T) {
		o.mustPut(t, "edge", "del", []byte("x"))
		for range 2 { // deleting a missing key succeeds too
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("edge"), Key: aws.String("del")}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
		}
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("edge"), Key: aws.String("del")})
		if got := errorCode(err); got != "NoSuchKey" {
			t.Errorf("GetObject after delete: %s", got)
		}
	})
	t.Run("conditional write", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("once"), Body: strings.NewReader("1"), IfNoneMatch: aws.String("*")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("once"), Body: strings.NewReader("2"), IfNoneMatch: aws.String("*")})
		if got := errorCode(err); got != "PreconditionFailed" {
			t.Errorf("second PutObject If-None-Match *: %s", got)
		}
	})
	t.Run("bad Content-MD5", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("md5"), Body: strings.NewReader("data"),
			ContentMD5: aws.String("1B2M2Y8AsgTpgAmY7PhCfg==")})
		if got := errorCode(err); got != "BadDigest" {
			t.Errorf("PutObject with a wrong Content-MD5: %s", got)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("edge"), Key: aws.String("md5")})
		if httpStatus(err) != 404 {
			t.Errorf("object stored despite a bad digest: %v", err)
		}
	})
	t.Run("metadata too large", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("edge"), Key: aws.String("meta"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"big": strings.Repeat("v", 2100)}})
		if got := errorCode(err); got != "MetadataTooLarge" {
			t.Errorf("PutObject: %s", got)
		}
	})
	t.Run("no body files outside objects", func(t *testing.T) {
		err := filepath.WalkDir(o.dataDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(o.dataDir, path)
			if !strings.HasPrefix(rel, "objects"+string(filepath.Separator)) && !strings.HasPrefix(rel, "keyfront.db") {
				t.Errorf("unexpected file %s", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestHostileKeys: keys are opaque strings; none reaches the file system.
func TestHostileKeys(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "hostile")
	c := o.ownerClient()
	ctx := context.Background()
	keys := []string{
		"../../etc/passwd", "%2e%2e/%2e%2e/x", "..", ".", "/leading", "//double//slash", "trailing/",
		"a b+c", "ü/ß/漢字", "x%2Fy", "q?uery&x=1#frag", "~tilde*", "nul\x01ctl", strings.Repeat("k", 1024),
	}
	for _, key := range keys {
		t.Run(url.PathEscape(key[:min(len(key), 32)]), func(t *testing.T) {
			data := []byte("body of " + key)
			o.mustPut(t, "hostile", key, data)
			if got := o.mustGet(t, "hostile", key); !bytes.Equal(got, data) {
				t.Errorf("GetObject = %q", got)
			}
		})
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("hostile"), EncodingType: types.EncodingTypeUrl})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, obj := range out.Contents {
		k, err := url.QueryUnescape(aws.ToString(obj.Key))
		if err != nil {
			t.Fatal(err)
		}
		listed[k] = true
	}
	for _, key := range keys {
		if !listed[key] {
			t.Errorf("key %q not listed", key)
		}
	}
	// Nothing escaped the data directory, and no file is named by a key.
	parent := filepath.Dir(o.dataDir)
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("files beside the data directory: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(o.dataDir, "objects", "etc")); err == nil {
		t.Error("a key became a path")
	}

	t.Run("too long", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("hostile"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
		if got := errorCode(err); got != "KeyTooLongError" {
			t.Errorf("PutObject with a 1,025-byte key: %s", got)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("hostile"), Key: aws.String(strings.Repeat("é", 513))})
		if got := errorCode(err); got != "KeyTooLongError" {
			t.Errorf("GetObject with a 1,026-byte key: %s", got)
		}
	})
}

func TestGetObjectRange(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "ranges")
	data := randomBytes(2, 1000)
	o.mustPut(t, "ranges", "obj", data)
	tests := []struct {
		name       string
		rng        string
		wantStatus int
		from, to   int // want data[from:to]
		wantRange  string
	}{
		{"first bytes", "bytes=0-9", 206, 0, 10, "bytes 0-9/1000"},
		{"middle", "bytes=100-199", 206, 100, 200, "bytes 100-199/1000"},
		{"open end", "bytes=990-", 206, 990, 1000, "bytes 990-999/1000"},
		{"suffix", "bytes=-5", 206, 995, 1000, "bytes 995-999/1000"},
		{"suffix longer than object", "bytes=-5000", 206, 0, 1000, "bytes 0-999/1000"},
		{"end beyond object", "bytes=900-99999", 206, 900, 1000, "bytes 900-999/1000"},
		{"last byte", "bytes=999-999", 206, 999, 1000, "bytes 999-999/1000"},
		{"start beyond object", "bytes=1000-", 416, 0, 0, ""},
		{"zero suffix", "bytes=-0", 416, 0, 0, ""},
		{"several ranges: whole object", "bytes=0-1,5-6", 200, 0, 1000, ""},
		{"malformed: whole object", "bytes=abc", 200, 0, 1000, ""},
		{"reversed: whole object", "bytes=9-1", 200, 0, 1000, ""},
		{"other unit: whole object", "items=0-1", 200, 0, 1000, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := o.newRequest(t, "GET", "/ranges/obj", nil)
			req.Header.Set("Range", tc.rng)
			signOwner(t, req)
			resp, body := o.do(t, req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == 416 {
				e := parseError(t, body)
				if e.Code != "InvalidRange" || e.Size != "1000" {
					t.Errorf("416 body: %+v", e)
				}
				return
			}
			if !bytes.Equal(body, data[tc.from:tc.to]) {
				t.Errorf("body is %d bytes, want data[%d:%d]", len(body), tc.from, tc.to)
			}
			if got := resp.Header.Get("Content-Range"); got != tc.wantRange {
				t.Errorf("Content-Range = %q, want %q", got, tc.wantRange)
			}
		})
	}

	t.Run("SDK", func(t *testing.T) {
		for _, cc := range clientConfigs {
			out, err := o.client(cc).GetObject(context.Background(), &s3.GetObjectInput{
				Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String("bytes=-10"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("%s: %v", cc.name, err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if !bytes.Equal(got, data[990:]) || aws.ToString(out.ContentRange) != "bytes 990-999/1000" {
				t.Errorf("%s: %d bytes, Content-Range %q", cc.name, len(got), aws.ToString(out.ContentRange))
			}
		}
		_, err := o.ownerClient().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("obj"), Range: aws.String("bytes=5000-")})
		if got := errorCode(err); got != "InvalidRange" {
			t.Errorf("unsatisfiable range: %s", got)
		}
	})
}

func TestGetObjectConditional(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "cond")
	o.mustPut(t, "cond", "obj", []byte("conditional"))
	head, err := o.ownerClient().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(head.ETag)
	mod := aws.ToTime(head.LastModified)
	before := mod.Add(-time.Hour).Format(http.TimeFormat)
	after := mod.Add(time.Hour).Format(http.TimeFormat)
	at := mod.Format(http.TimeFormat)
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"If-Match matches", map[string]string{"If-Match": etag}, 200},
		{"If-Match unquoted", map[string]string{"If-Match": strings.Trim(etag, `"`)}, 200},
		{"If-Match list", map[string]string{"If-Match": `"x", ` + etag}, 200},
		{"If-Match star", map[string]string{"If-Match": "*"}, 200},
		{"If-Match differs", map[string]string{"If-Match": `"other"`}, 412},
		{"If-None-Match matches", map[string]string{"If-None-Match": etag}, 304},
		{"If-None-Match differs", map[string]string{"If-None-Match": `"other"`}, 200},
		{"If-Modified-Since before", map[string]string{"If-Modified-Since": before}, 200},
		{"If-Modified-Since at", map[string]string{"If-Modified-Since": at}, 304},
		{"If-Modified-Since after", map[string]string{"If-Modified-Since": after}, 304},
		{"If-Unmodified-Since after", map[string]string{"If-Unmodified-Since": after}, 200},
		{"If-Unmodified-Since before", map[string]string{"If-Unmodified-Since": before}, 412},
		// GetObject: If-Match true and If-Unmodified-Since false: 200.
		{"If-Match wins over If-Unmodified-Since", map[string]string{"If-Match": etag, "If-Unmodified-Since": before}, 200},
		// GetObject: If-None-Match false and If-Modified-Since true: 304.
		{"If-None-Match wins over If-Modified-Since", map[string]string{"If-None-Match": etag, "If-Modified-Since": before}, 304},
		{"If-Range matches", map[string]string{"Range": "bytes=0-3", "If-Range": etag}, 206},
		{"If-Range differs", map[string]string{"Range": "bytes=0-3", "If-Range": `"other"`}, 200},
		{"bad date ignored", map[string]string{"If-Modified-Since": "yesterday"}, 200},
	}
	for _, tc := range tests {
		for _, method := range []string{"GET", "HEAD"} {
			t.Run(method+" "+tc.name, func(t *testing.T) {
				req := o.newRequest(t, method, "/cond/obj", nil)
				for k, v := range tc.headers {
					req.Header.Set(k, v)
				}
				signOwner(t, req)
				resp, body := o.do(t, req)
				if resp.StatusCode != tc.want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
				}
				switch {
				case tc.want == 412 && method == "GET":
					if e := parseError(t, body); e.Code != "PreconditionFailed" || e.Condition == "" {
						t.Errorf("412 body: %+v", e)
					}
				case tc.want == 304:
					if len(body) != 0 || resp.Header.Get("ETag") != etag {
						t.Errorf("304: body %q, ETag %q", body, resp.Header.Get("ETag"))
					}
				}
			})
		}
	}
	t.Run("SDK", func(t *testing.T) {
		_, err := o.ownerClient().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("obj"), IfMatch: aws.String(`"nope"`)})
		if got := errorCode(err); got != "PreconditionFailed" {
			t.Errorf("IfMatch: %s", got)
		}
		_, err = o.ownerClient().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("obj"), IfNoneMatch: aws.String(etag)})
		if got := httpStatus(err); got != 304 {
			t.Errorf("IfNoneMatch: status %d (%v)", got, err)
		}
	})
}

func TestResponseOverrides(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "over")
	o.mustPut(t, "over", "doc", []byte("text"))
	out, err := o.ownerClient().GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String("over"), Key: aws.String("doc"),
		ResponseContentType: aws.String("text/markdown"), ResponseContentDisposition: aws.String(`attachment; filename="d.md"`),
		ResponseCacheControl: aws.String("no-store"), ResponseContentLanguage: aws.String("fr"),
		ResponseContentEncoding: aws.String("identity"), ResponseExpires: aws.Time(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
	})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	for name, pair := range map[string][2]string{
		"Content-Type":        {aws.ToString(out.ContentType), "text/markdown"},
		"Content-Disposition": {aws.ToString(out.ContentDisposition), `attachment; filename="d.md"`},
		"Cache-Control":       {aws.ToString(out.CacheControl), "no-store"},
		"Content-Language":    {aws.ToString(out.ContentLanguage), "fr"},
		"Content-Encoding":    {aws.ToString(out.ContentEncoding), "identity"},
		"Expires":             {aws.ToString(out.ExpiresString), "Wed, 02 Jan 2030 03:04:05 GMT"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", name, pair[0], pair[1])
		}
	}

	// Anonymous requests may not use them, even where they may read.
	o.mustPutPolicy(t, "over", publicRead("over"))
	resp, body := o.do(t, o.newRequest(t, "GET", "/over/doc?response-content-type=text/html", nil))
	if resp.StatusCode != 400 || parseError(t, body).Code != "InvalidRequest" {
		t.Errorf("anonymous with override: %d %s", resp.StatusCode, body)
	}
	resp, body = o.do(t, o.newRequest(t, "GET", "/over/doc", nil))
	if resp.StatusCode != 200 || string(body) != "text" {
		t.Errorf("anonymous without override: %d %s", resp.StatusCode, body)
	}
}

func TestDeleteObjects(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "many")
	ctx := context.Background()
	for _, cc := range clientConfigs {
		for _, quiet := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s quiet=%v", cc.name, quiet), func(t *testing.T) {
				var ids []types.ObjectIdentifier
				for i := range 5 {
					key := fmt.Sprintf("d/%d/ key+%d", i, i)
					o.mustPut(t, "many", key, []byte{byte(i)})
					ids = append(ids, types.ObjectIdentifier{Key: aws.String(key)})
				}
				ids = append(ids, types.ObjectIdentifier{Key: aws.String("never-existed")})
				out, err := o.client(cc).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("many"),
					Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(quiet)}})
				if err != nil {
					t.Fatalf("DeleteObjects: %v", err)
				}
				wantDeleted := len(ids)
				if quiet {
					wantDeleted = 0
				}
				if len(out.Deleted) != wantDeleted || len(out.Errors) != 0 {
					t.Errorf("DeleteObjects: %d deleted, %d errors; want %d, 0", len(out.Deleted), len(out.Errors), wantDeleted)
				}
				list, err := o.ownerClient().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many")})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Contents) != 0 {
					t.Errorf("%d objects left", len(list.Contents))
				}
			})
		}
	}
}

func TestCopyObject(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "src")
	o.mustCreateBucket(t, "dst")
	c := o.ownerClient()
	ctx := context.Background()
	data := randomBytes(3, 70_000)
	srcKey := "dir/sôurce key+1.txt"
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), Body: bytes.NewReader(data),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"origin": "src"}, ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	source := "src/" + url.PathEscape(srcKey)

	t.Run("COPY", func(t *testing.T) {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String(source)})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		sum := md5.Sum(data)
		if got, want := aws.ToString(out.CopyObjectResult.ETag), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
			t.Errorf("ETag = %s, want %s", got, want)
		}
		if !bytes.Equal(o.mustGet(t, "dst", "copy"), data) {
			t.Error("copy differs")
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ContentType) != "text/plain" || head.Metadata["origin"] != "src" || aws.ToString(head.ChecksumSHA256) == "" {
			t.Errorf("copied headers: %q %v %q", aws.ToString(head.ContentType), head.Metadata, aws.ToString(head.ChecksumSHA256))
		}
	})
	t.Run("REPLACE", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"), CopySource: aws.String("/" + source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/json"), Metadata: map[string]string{"new": "yes"}})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ContentType) != "application/json" || head.Metadata["new"] != "yes" || head.Metadata["origin"] != "" {
			t.Errorf("replaced headers: %q %v", aws.ToString(head.ContentType), head.Metadata)
		}
	})
	t.Run("onto itself", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source)})
		if got := errorCode(err); got != "InvalidRequest" {
			t.Errorf("copy onto itself without REPLACE: %s", got)
		}
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/csv")})
		if err != nil {
			t.Errorf("copy onto itself with REPLACE: %v", err)
		}
		if !bytes.Equal(o.mustGet(t, "src", srcKey), data) {
			t.Error("object changed by copying onto itself")
		}
	})
	t.Run("missing source", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/nope")})
		if got := errorCode(err); got != "NoSuchKey" {
			t.Errorf("copy of a missing key: %s", got)
		}
	})
	t.Run("source condition", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String(source), CopySourceIfMatch: aws.String(`"nope"`)})
		if got := errorCode(err); got != "PreconditionFailed" {
			t.Errorf("copy with a failing x-amz-copy-source-if-match: %s", got)
		}
	})
}

// TestErrorFormat checks S3's error document and the headers every
// response carries.
func TestErrorFormat(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "errs")
	req := o.newRequest(t, "GET", "/errs/missing-key", nil)
	signOwner(t, req)
	resp, body := o.do(t, req)
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	e := parseError(t, body)
	if e.Code != "NoSuchKey" || e.Message != "The specified key does not exist." || e.Key != "missing-key" ||
		e.Resource != "/errs/missing-key" || e.RequestID == "" || e.HostID == "" {
		t.Errorf("error body: %+v\n%s", e, body)
	}
	if !strings.HasPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %s", body)
	}
	if got := resp.Header.Get("X-Amz-Request-Id"); got != e.RequestID || len(got) != 16 {
		t.Errorf("x-amz-request-id %q, body RequestId %q", got, e.RequestID)
	}
	if resp.Header.Get("X-Amz-Id-2") != e.HostID || resp.Header.Get("Server") != "keyfront" {
		t.Errorf("x-amz-id-2 %q, Server %q", resp.Header.Get("X-Amz-Id-2"), resp.Header.Get("Server"))
	}

	// A signature that does not verify: sigv4's code and fields.
	req = o.newRequest(t, "GET", "/errs/k", nil)
	signAs(t, req, ownerAKID, "wrong-secret")
	resp, body = o.do(t, req)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") ||
		!strings.Contains(string(body), "<StringToSign>") {
		t.Errorf("bad signature: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Error("no x-amz-request-id on a signature failure")
	}

	for _, tc := range []struct {
		method, path, code string
		status             int
	}{
		{"GET", "/errs?acl", "NotImplemented", 501},
		{"POST", "/errs", "MethodNotAllowed", 405},
		{"PUT", "/errs/k?partNumber=1&uploadId=nope", "NoSuchUpload", 404},
		{"GET", "/errs?list-type=2&encoding-type=base64", "InvalidArgument", 400},
		{"GET", "/errs?list-type=2&max-keys=x", "InvalidArgument", 400},
		{"GET", "//errs", "InvalidBucketName", 400},
	} {
		req := o.newRequest(t, tc.method, tc.path, nil)
		signOwner(t, req)
		resp, body := o.do(t, req)
		if resp.StatusCode != tc.status || parseError(t, body).Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.code)
		}
	}

	resp, body = o.do(t, o.newRequest(t, "GET", "/healthz", nil))
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
}
