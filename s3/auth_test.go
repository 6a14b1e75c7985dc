package s3_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront/originauth"
)

// The seed tutorials' policies for the bucket "content".
const (
	seedOAC = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::content/*",` +
		`"Condition":{"StringEquals":{"AWS:SourceArn":"` + distARN + `"}}}]}`

	seedOACReferer = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnlyFromSite","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::content/*",` +
		`"Condition":{"StringEquals":{"AWS:SourceArn":"` + distARN + `"},"StringLike":{"aws:Referer":"https://www.example.com/*"}}}]}`
)

func TestBucketPolicyOperations(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "pol")
	ctx := context.Background()
	for _, cc := range clientConfigs {
		t.Run(cc.name, func(t *testing.T) {
			c := o.client(cc)
			_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
			if got := errorCode(err); got != "NoSuchBucketPolicy" {
				t.Errorf("GetBucketPolicy without one: %s", got)
			}
			doc := strings.ReplaceAll(publicRead("pol"), ",", ",\n  ")
			if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(doc)}); err != nil {
				t.Fatalf("PutBucketPolicy: %v", err)
			}
			got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
			if err != nil {
				t.Fatalf("GetBucketPolicy: %v", err)
			}
			if aws.ToString(got.Policy) != doc {
				t.Errorf("GetBucketPolicy = %q, want what was put", aws.ToString(got.Policy))
			}
			if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pol")}); err != nil {
				t.Fatalf("DeleteBucketPolicy: %v", err)
			}
			_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
			if got := errorCode(err); got != "NoSuchBucketPolicy" {
				t.Errorf("GetBucketPolicy after delete: %s", got)
			}
		})
	}

	t.Run("MalformedPolicy", func(t *testing.T) {
		for _, tc := range []struct {
			name, doc, wantInMessage string
		}{
			{"not JSON", `Version: 2012`, "first byte must be '{'"},
			{"other bucket", strings.ReplaceAll(publicRead("pol"), "pol/*", "other/*"), "Statement[0].Resource"},
			{"bad effect", strings.ReplaceAll(publicRead("pol"), `"Allow"`, `"allow"`), "Invalid effect"},
			{"bad action", strings.ReplaceAll(publicRead("pol"), "s3:GetObject", "s3:Fly"), "Policy has invalid action"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := o.ownerClient().PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(tc.doc)})
				if got := errorCode(err); got != "MalformedPolicy" {
					t.Fatalf("PutBucketPolicy: %v", err)
				}
				if !strings.Contains(err.Error(), tc.wantInMessage) {
					t.Errorf("message %q does not say %q", err.Error(), tc.wantInMessage)
				}
			})
		}
	})
}

// anonymous sends an unsigned request.
func (o *origin) anonymous(t *testing.T, method, path string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req := o.newRequest(t, method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return o.do(t, req)
}

func TestAnonymousAccess(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "anon")
	o.mustPut(t, "anon", "public/file.txt", []byte("hello"))

	check := func(t *testing.T, method, path string, wantStatus int, wantCode string) {
		t.Helper()
		resp, body := o.anonymous(t, method, path, nil)
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, body)
		}
		if wantCode != "" {
			e := parseError(t, body)
			if e.Code != wantCode {
				t.Errorf("%s %s: code %s, want %s", method, path, e.Code, wantCode)
			}
			if wantCode == "AccessDenied" && (e.Message != "Access Denied" || e.RequestID == "" || e.HostID == "") {
				t.Errorf("AccessDenied body: %+v", e)
			}
		}
	}
	t.Run("denied without a policy", func(t *testing.T) {
		check(t, "GET", "/anon/public/file.txt", 403, "AccessDenied")
		check(t, "HEAD", "/anon/public/file.txt", 403, "")
		check(t, "GET", "/anon?list-type=2", 403, "AccessDenied")
		check(t, "PUT", "/anon/new", 403, "AccessDenied")
		check(t, "DELETE", "/anon/public/file.txt", 403, "AccessDenied")
		check(t, "GET", "/", 403, "AccessDenied")
		check(t, "PUT", "/newbucket", 403, "AccessDenied")
		check(t, "GET", "/anon?policy", 403, "AccessDenied")
		check(t, "GET", "/nobucket/k", 404, "NoSuchBucket")
	})
	t.Run("public read", func(t *testing.T) {
		o.mustPutPolicy(t, "anon", publicRead("anon"))
		resp, body := o.anonymous(t, "GET", "/anon/public/file.txt", nil)
		if resp.StatusCode != 200 || string(body) != "hello" {
			t.Fatalf("GET: %d %q", resp.StatusCode, body)
		}
		// Reading is not listing, writing or deleting.
		check(t, "GET", "/anon?list-type=2", 403, "AccessDenied")
		check(t, "PUT", "/anon/new", 403, "AccessDenied")
		check(t, "DELETE", "/anon/public/file.txt", 403, "AccessDenied")
		// A missing key is 403 for whoever may not list the bucket.
		check(t, "GET", "/anon/missing", 403, "AccessDenied")
	})
	t.Run("public read and list", func(t *testing.T) {
		o.mustPutPolicy(t, "anon", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::anon/*","arn:aws:s3:::anon"]}]}`)
		check(t, "GET", "/anon/missing", 404, "NoSuchKey")
		check(t, "GET", "/anon?list-type=2", 200, "")
	})
	t.Run("list with s3:prefix", func(t *testing.T) {
		o.mustPutPolicy(t, "anon", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon/*"},
			{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::anon",
			 "Condition":{"StringEquals":{"s3:prefix":"public/"}}}]}`)
		check(t, "GET", "/anon?list-type=2&prefix=public/", 200, "")
		check(t, "GET", "/anon?list-type=2&prefix=private/", 403, "AccessDenied")
		check(t, "GET", "/anon?list-type=2", 403, "AccessDenied")
	})
	t.Run("deny overrides", func(t *testing.T) {
		o.mustPutPolicy(t, "anon", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon/*"},
			{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::anon","arn:aws:s3:::anon/*"],
			 "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
		check(t, "GET", "/anon/public/file.txt", 403, "AccessDenied")
		// The owner is always allowed, explicit Deny or not.
		if got := string(o.mustGet(t, "anon", "public/file.txt")); got != "hello" {
			t.Errorf("owner GET: %q", got)
		}
	})
	t.Run("source IP", func(t *testing.T) {
		o.mustPutPolicy(t, "anon", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon/*",
			 "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}]}`)
		check(t, "GET", "/anon/public/file.txt", 200, "")
		// X-Forwarded-For is not the peer.
		resp, _ := o.anonymous(t, "GET", "/anon/public/file.txt", map[string]string{"X-Forwarded-For": "203.0.113.9"})
		if resp.StatusCode != 200 {
			t.Errorf("with X-Forwarded-For: %d", resp.StatusCode)
		}
		o.mustPutPolicy(t, "anon", strings.ReplaceAll(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon/*",
			 "Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`, "\n", ""))
		resp, _ = o.anonymous(t, "GET", "/anon/public/file.txt", map[string]string{"X-Forwarded-For": "203.0.113.9"})
		if resp.StatusCode != 403 {
			t.Errorf("forged X-Forwarded-For: %d, want 403", resp.StatusCode)
		}
	})
}

// TestOriginAccessControl is the seed tutorial's setup: the edge signs
// with the service credential and says which distribution asks; the
// bucket policy allows exactly that distribution.
func TestOriginAccessControl(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "content")
	o.mustPut(t, "content", "index.html", []byte("<h1>private</h1>"))
	o.mustPut(t, "content", "img/a b+c.png", []byte("png"))
	o.mustPutPolicy(t, "content", seedOAC)
	signer := originauth.NewSigner(serviceAKID, serviceSecret, "")

	edgeGet := func(t *testing.T, path, arn string, header map[string]string) *http.Request {
		t.Helper()
		req := o.newRequest(t, "GET", path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if err := signer.Sign(context.Background(), req, arn, account); err != nil {
			t.Fatal(err)
		}
		return req
	}
	status := func(t *testing.T, req *http.Request) (int, string) {
		t.Helper()
		resp, body := o.do(t, req)
		code := ""
		if resp.StatusCode >= 300 {
			code = parseError(t, body).Code
		}
		return resp.StatusCode, code
	}

	tests := []struct {
		name     string
		req      func(t *testing.T) *http.Request
		want     int
		wantCode string
	}{
		{"the distribution", func(t *testing.T) *http.Request { return edgeGet(t, "/content/index.html", distARN, nil) }, 200, ""},
		{"encoded key", func(t *testing.T) *http.Request { return edgeGet(t, "/content/img/a%20b%2Bc.png", distARN, nil) }, 200, ""},
		{"another distribution", func(t *testing.T) *http.Request { return edgeGet(t, "/content/index.html", otherARN, nil) }, 403, "AccessDenied"},
		{"listing is not allowed", func(t *testing.T) *http.Request { return edgeGet(t, "/content?list-type=2", distARN, nil) }, 403, "AccessDenied"},
		{"missing key without ListBucket", func(t *testing.T) *http.Request { return edgeGet(t, "/content/nope", distARN, nil) }, 403, "AccessDenied"},
		{"anonymous", func(t *testing.T) *http.Request { return o.newRequest(t, "GET", "/content/index.html", nil) }, 403, "AccessDenied"},
		{"forged headers, unsigned", func(t *testing.T) *http.Request {
			req := o.newRequest(t, "GET", "/content/index.html", nil)
			req.Header.Set(originauth.HeaderSourceArn, distARN)
			req.Header.Set(originauth.HeaderSourceAccount, account)
			return req
		}, 403, "AccessDenied"},
		{"header changed after signing", func(t *testing.T) *http.Request {
			req := edgeGet(t, "/content/index.html", otherARN, nil)
			req.Header.Set(originauth.HeaderSourceArn, distARN)
			return req
		}, 403, "SignatureDoesNotMatch"},
		{"header added after signing", func(t *testing.T) *http.Request {
			req := o.newRequest(t, "GET", "/content/index.html", nil)
			if err := signer.Sign(context.Background(), req, otherARN, account); err != nil {
				t.Fatal(err)
			}
			req.Header.Add(originauth.HeaderSourceArn, distARN)
			return req
		}, 403, "SignatureDoesNotMatch"},
		{"replayed signature, other path", func(t *testing.T) *http.Request {
			req := edgeGet(t, "/content/index.html", distARN, nil)
			other := o.newRequest(t, "GET", "/content/img/a%20b%2Bc.png", nil)
			other.Header = req.Header.Clone()
			return other
		}, 403, "SignatureDoesNotMatch"},
		{"owner credential claiming the distribution", func(t *testing.T) *http.Request {
			// Signed, but not by the service: the headers give nothing;
			// the owner is allowed anyway, as the owner.
			req := o.newRequest(t, "GET", "/content/index.html", nil)
			req.Header.Set(originauth.HeaderSourceArn, otherARN)
			signOwner(t, req)
			return req
		}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, code := status(t, tc.req(t))
			if got != tc.want || code != tc.wantCode {
				t.Errorf("status %d %s, want %d %s", got, code, tc.want, tc.wantCode)
			}
		})
	}

	t.Run("stricter Referer variant", func(t *testing.T) {
		o.mustPutPolicy(t, "content", seedOACReferer)
		for _, tc := range []struct {
			name    string
			referer string
			arn     string
			want    int
		}{
			{"matching referer", "https://www.example.com/page.html", distARN, 200},
			{"no referer", "", distARN, 403},
			{"other site", "https://evil.example.net/", distARN, 403},
			{"look-alike", "https://www.example.com.evil.net/x", distARN, 403},
			{"matching referer, other distribution", "https://www.example.com/page.html", otherARN, 403},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := map[string]string{}
				if tc.referer != "" {
					h["Referer"] = tc.referer
				}
				if got, code := status(t, edgeGet(t, "/content/index.html", tc.arn, h)); got != tc.want {
					t.Errorf("status %d %s, want %d", got, code, tc.want)
				}
			})
		}
		// A Referer added after signing is not covered by the signature,
		// but S3 does not vouch for Referer anyway: it is as good as the
		// viewer's word, which is what the tutorial's policy tests.
	})

	t.Run("source account", func(t *testing.T) {
		o.mustPutPolicy(t, "content", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::content/*",
			"Condition":{"StringEquals":{"AWS:SourceAccount":"`+account+`"},"ArnLike":{"AWS:SourceArn":"arn:aws:cloudfront::`+account+`:distribution/*"}}}]}`)
		for _, tc := range []struct {
			name, arn, acct string
			want            int
		}{
			{"this account", otherARN, account, 200},
			{"another account", otherARN, "444455556666", 403},
			{"no account", otherARN, "", 403},
		} {
			req := o.newRequest(t, "GET", "/content/index.html", nil)
			if err := signer.Sign(context.Background(), req, tc.arn, tc.acct); err != nil {
				t.Fatal(err)
			}
			if got, code := status(t, req); got != tc.want {
				t.Errorf("%s: status %d %s, want %d", tc.name, got, code, tc.want)
			}
		}
	})

	t.Run("time condition", func(t *testing.T) {
		now := time.Now().UTC()
		o.mustPutPolicy(t, "content", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::content/*",
			"Condition":{"DateLessThan":{"aws:CurrentTime":"`+now.Add(-time.Hour).Format(time.RFC3339)+`"}}}]}`)
		if got, _ := status(t, edgeGet(t, "/content/index.html", distARN, nil)); got != 403 {
			t.Errorf("after the policy's end date: %d, want 403", got)
		}
	})
}

func TestPresignedGet(t *testing.T) {
	o := newOrigin(t)
	o.mustCreateBucket(t, "presign")
	key := "reports/2024 final+v2.pdf"
	o.mustPut(t, "presign", key, []byte("%PDF"))
	for _, cc := range clientConfigs {
		t.Run(cc.name, func(t *testing.T) {
			ps := s3.NewPresignClient(o.client(cc))
			req, err := ps.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String(key),
				ResponseContentDisposition: aws.String(`attachment; filename="r.pdf"`)}, s3.WithPresignExpires(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(req.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "%PDF" {
				t.Fatalf("presigned GET: %d %q", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Disposition"); got != `attachment; filename="r.pdf"` {
				t.Errorf("Content-Disposition = %q", got)
			}
			// The signature covers the path.
			resp, err = http.Get(strings.Replace(req.URL, "final", "draft", 1))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 403 {
				t.Errorf("presigned URL with another key: %d", resp.StatusCode)
			}
		})
	}
}
