package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mib = 1 << 20

// uploadParts uploads data in parts of partSize and returns what
// CompleteMultipartUpload needs.
func uploadParts(t *testing.T, c *s3.Client, bucket, key, uploadID string, data []byte, partSize int, alg types.ChecksumAlgorithm) []types.CompletedPart {
	t.Helper()
	var parts []types.CompletedPart
	for n, off := int32(1), 0; off < len(data); n, off = n+1, off+partSize {
		end := min(off+partSize, len(data))
		out, err := c.UploadPart(context.Background(), &s3.UploadPartInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
			PartNumber: aws.Int32(n), Body: bytes.NewReader(data[off:end]), ChecksumAlgorithm: alg,
		})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag,
			ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumSHA1: out.ChecksumSHA1,
			ChecksumSHA256: out.ChecksumSHA256, ChecksumCRC64NVME: out.ChecksumCRC64NVME})
	}
	return parts
}

// wantMultipartETag computes S3's multipart ETag independently.
func wantMultipartETag(data []byte, partSize int) string {
	var sums []byte
	n := 0
	for off := 0; off < len(data); off += partSize {
		s := md5.Sum(data[off:min(off+partSize, len(data))])
		sums = append(sums, s[:]...)
		n++
	}
	s := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), n)
}

func TestMultipartRoundTrip(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "mpu")
	ctx := context.Background()
	data := randomBytes(4, 20*mib+12345)
	const partSize = 5 * mib
	for _, tc := range []struct {
		name     string
		cc       clientConfig
		alg      types.ChecksumAlgorithm
		typ      types.ChecksumType
		wantType types.ChecksumType
	}{
		{"defaults", clientConfigs[1], "", "", ""},
		{"explicit, no algorithm", clientConfigs[0], "", "", ""},
		{"CRC32 composite", clientConfigs[0], types.ChecksumAlgorithmCrc32, "", types.ChecksumTypeComposite},
		{"SHA256 composite", clientConfigs[0], types.ChecksumAlgorithmSha256, "", types.ChecksumTypeComposite},
		{"CRC32C full object", clientConfigs[0], types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
		{"CRC64NVME", clientConfigs[0], types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := o.client(tc.cc)
			key := "big/" + tc.name + ".bin"
			create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key),
				ContentType: aws.String("video/mp4"), Metadata: map[string]string{"k": "v"}, ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			parts := uploadParts(t, c, "mpu", key, aws.ToString(create.UploadId), data, partSize, tc.alg)
			if tc.typ == types.ChecksumTypeFullObject {
				// The parts' checksums are not combined; leave them out.
				for i := range parts {
					parts[i].ChecksumCRC32C = nil
				}
			}
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: create.UploadId})
			if err != nil {
				t.Fatalf("ListParts: %v", err)
			}
			if len(lp.Parts) != 5 || aws.ToInt64(lp.Parts[4].Size) != 12345 {
				t.Errorf("ListParts: %d parts", len(lp.Parts))
			}
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String(key),
				UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got, want := aws.ToString(done.ETag), wantMultipartETag(data, partSize); got != want {
				t.Errorf("ETag = %s, want %s", got, want)
			}
			if done.ChecksumType != tc.wantType {
				t.Errorf("ChecksumType = %q, want %q", done.ChecksumType, tc.wantType)
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil {
				t.Fatalf("GetObject body (checksum validation): %v", err)
			}
			if sha(got) != sha(data) {
				t.Fatalf("multipart object differs: %d bytes, want %d", len(got), len(data))
			}
			if aws.ToString(get.ContentType) != "video/mp4" || get.Metadata["k"] != "v" {
				t.Errorf("headers of the upload not kept: %q %v", aws.ToString(get.ContentType), get.Metadata)
			}
			_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String(key), UploadId: create.UploadId})
			if got := errorCode(err); got != "NoSuchUpload" {
				t.Errorf("ListParts after completion: %s", got)
			}
			// GetObject by part number, as transfer managers download.
			part, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), PartNumber: aws.Int32(2)})
			if err != nil {
				t.Fatalf("GetObject part 2: %v", err)
			}
			got, _ = io.ReadAll(part.Body)
			part.Body.Close()
			if !bytes.Equal(got, data[partSize:2*partSize]) || aws.ToInt32(part.PartsCount) != 5 {
				t.Errorf("GetObject part 2: %d bytes, PartsCount %d", len(got), aws.ToInt32(part.PartsCount))
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String(key), PartNumber: aws.Int32(6)})
			if got := httpStatus(err); got != 416 {
				t.Errorf("HeadObject part 6 of 5: status %d", got)
			}
		})
	}
	// Parts and the uploads' leftovers are gone from disk: only the
	// objects' bodies remain.
	if n, err := o.srv.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("Sweep after completed uploads removed %d files (%v), want 0", n, err)
	}
}

func TestMultipartErrors(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "mperr")
	c := o.ownerClient()
	ctx := context.Background()
	start := func(key string) string {
		t.Helper()
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UploadId)
	}
	complete := func(key, id string, parts []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String(key),
			UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}
	small := []byte("too small")
	big := randomBytes(5, 5*mib)

	t.Run("EntityTooSmall", func(t *testing.T) {
		id := start("small")
		parts := uploadParts(t, c, "mperr", "small", id, append(append([]byte{}, small...), small...), len(small), "")
		if got := errorCode(complete("small", id, parts)); got != "EntityTooSmall" {
			t.Errorf("Complete: %s", got)
		}
	})
	t.Run("InvalidPartOrder", func(t *testing.T) {
		id := start("order")
		parts := uploadParts(t, c, "mperr", "order", id, append(append([]byte{}, big...), small...), 5*mib, "")
		parts[0], parts[1] = parts[1], parts[0]
		if got := errorCode(complete("order", id, parts)); got != "InvalidPartOrder" {
			t.Errorf("Complete: %s", got)
		}
	})
	t.Run("InvalidPart", func(t *testing.T) {
		id := start("etag")
		parts := uploadParts(t, c, "mperr", "etag", id, small, len(small), "")
		parts[0].ETag = aws.String(`"00000000000000000000000000000000"`)
		if got := errorCode(complete("etag", id, parts)); got != "InvalidPart" {
			t.Errorf("Complete with a wrong ETag: %s", got)
		}
		parts[0].PartNumber = aws.Int32(7)
		if got := errorCode(complete("etag", id, parts)); got != "InvalidPart" {
			t.Errorf("Complete with a missing part: %s", got)
		}
	})
	t.Run("part numbers", func(t *testing.T) {
		id := start("numbers")
		for _, n := range []int32{0, 10001} {
			_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("numbers"), UploadId: aws.String(id),
				PartNumber: aws.Int32(n), Body: strings.NewReader("x")})
			if got := errorCode(err); got != "InvalidArgument" {
				t.Errorf("UploadPart %d: %s", n, got)
			}
		}
	})
	t.Run("other key's upload", func(t *testing.T) {
		id := start("mine")
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("theirs"), UploadId: aws.String(id),
			PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
		if got := errorCode(err); got != "NoSuchUpload" {
			t.Errorf("UploadPart to another key's upload: %s", got)
		}
	})
	t.Run("abort", func(t *testing.T) {
		id := start("abort")
		uploadParts(t, c, "mperr", "abort", id, small, len(small), "")
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("abort"), UploadId: aws.String(id)}); err != nil {
			t.Fatalf("AbortMultipartUpload: %v", err)
		}
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("abort"), UploadId: aws.String(id)})
		if got := errorCode(err); got != "NoSuchUpload" {
			t.Errorf("second Abort: %s", got)
		}
		if got := errorCode(complete("abort", id, nil)); got != "NoSuchUpload" && got != "MalformedXML" {
			t.Errorf("Complete after Abort: %s", got)
		}
	})
	t.Run("list uploads", func(t *testing.T) {
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mperr"), MaxUploads: aws.Int32(2)})
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		if len(out.Uploads) != 2 || !aws.ToBool(out.IsTruncated) {
			t.Fatalf("first page: %d uploads, truncated %v", len(out.Uploads), aws.ToBool(out.IsTruncated))
		}
		seen := map[string]bool{}
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String("mperr"), MaxUploads: aws.Int32(2)}
		for range 10 {
			out, err := c.ListMultipartUploads(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range out.Uploads {
				if seen[aws.ToString(u.UploadId)] {
					t.Errorf("upload %s listed twice", aws.ToString(u.UploadId))
				}
				seen[aws.ToString(u.UploadId)] = true
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		}
		// small, order, etag, numbers, mine: the aborted one is gone.
		if len(seen) != 5 {
			t.Errorf("%d uploads listed, want 5", len(seen))
		}
	})
}

func TestUploadPartCopy(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "partcopy")
	c := o.ownerClient()
	ctx := context.Background()
	src := randomBytes(6, 6*mib)
	o.mustPut(t, "partcopy", "src", src)
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("partcopy"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, rng := range []string{"bytes=0-5242879", "bytes=5242880-6291455"} {
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("partcopy"), Key: aws.String("dst"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("partcopy/src"), CopySourceRange: aws.String(rng)})
		if err != nil {
			t.Fatalf("UploadPartCopy %s: %v", rng, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("partcopy"), Key: aws.String("dst"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	if got := o.mustGet(t, "partcopy", "dst"); !bytes.Equal(got, src) {
		t.Errorf("copied multipart object differs")
	}
}
