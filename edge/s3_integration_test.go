package edge_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront"
	"keyfront/cache"
	"keyfront/edge"
	"keyfront/originauth"
	s3origin "keyfront/s3"
	"keyfront/sigv4"
	"keyfront/sqlite"
)

// The seed, end to end inside one test: the embedded S3 origin with a
// bucket policy that admits only this distribution's origin access control
// and only with the right Referer, behind the edge (DESIGN.md; issue 5).
func TestEmbeddedS3WithOriginAccessControl(t *testing.T) {
	const (
		account     = "111122223333"
		ownerAKID   = "AKIAKEYFRONTOWNER001"
		ownerSecret = "ownerSecret/K7MDENG+bPxRfiCYEXAMPLEKEY"
		deployment  = "deployment-secret-of-the-edge-tests-0123"
		distA       = keyfront.DistributionID("EDISTAAAAAAAAA")
		distB       = keyfront.DistributionID("EDISTBBBBBBBBB")
		hostA       = "daaaaaaaaaaaaa.cloudfront.localhost"
		hostB       = "dbbbbbbbbbbbbb.cloudfront.localhost"
		oac         = "EOAC0000000001"
	)
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "keyfront.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	// The origin.
	serviceAKID, serviceSecret := originauth.DeriveCredential(deployment)
	creds := originauth.Credentials(account,
		originauth.Key{AccessKeyID: ownerAKID, SecretAccessKey: ownerSecret},
		originauth.Key{AccessKeyID: serviceAKID, SecretAccessKey: serviceSecret})
	origin := httptest.NewServer(s3origin.NewServer(s3origin.Config{
		Store:    db,
		DataDir:  dir,
		Verifier: &sigv4.Verifier{Service: sigv4.ServiceS3, Credentials: creds},
		Owner:    s3origin.Owner{AccountID: account, AccessKeyID: ownerAKID},
	}))
	t.Cleanup(origin.Close)
	s3c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(origin.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(ownerAKID, ownerSecret, ""),
		HTTPClient:  origin.Client(), Retryer: aws.NopRetryer{},
	})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("private/video.mp4"),
		Body: bytes.NewReader([]byte("the private video")), ContentType: aws.String("video/mp4")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipal","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*",` +
		`"Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::` + account + `:distribution/` + string(distA) + `"},` +
		`"StringLike":{"aws:Referer":"https://www.example.com/*"}}}]}`
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("media"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	// The edge, on the same store.
	c, err := cache.New(cache.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	e := &env{t: t, store: db, clock: newClock(testNow), alog: &syncBuffer{}}
	e.cache = c
	e.edge, err = edge.NewServer(edge.Config{
		Store: db, AccountID: account, Cache: c, Now: e.clock.now, NodeID: "test-node",
		OriginS3Endpoint: origin.URL, OriginSigner: originauth.NewSigner(serviceAKID, serviceSecret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.edge.Close() })
	startEdge(t, e)

	e.putKey(keyA, rsaKey())
	e.putGroup(group, keyA)
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutOriginAccessControl(ctx, &keyfront.OriginAccessControl{ID: oac, ETag: nextETag(), Name: "media",
			SigningProtocol: "sigv4", SigningBehavior: "always", OriginType: "s3", LastModifiedTime: testNow})
	})
	for id, host := range map[keyfront.DistributionID]string{distA: hostA, distB: hostB} {
		e.putDist(id, dist{Domain: host,
			Origins: []orig{{ID: "media", Domain: "media.s3.localhost", S3: true, OAC: oac}},
			Default: beh{Target: "media", KeyGroups: []string{group}, Headers: []string{"Referer"}}})
	}

	const good = "https://www.example.com/player.html"
	url := signURL(t, keyA, "http://"+hostA+"/private/video.mp4")
	resp, body := e.get(url, "Referer", good)
	if resp.StatusCode != http.StatusOK || body != "the private video" {
		t.Fatalf("signed URL with the right Referer: %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "video/mp4" {
		t.Errorf("Content-Type %q", ct)
	}
	// Cached: the second viewer is a hit.
	if resp, _ := e.get(url, "Referer", good); resp.Header.Get("X-Cache") != "Hit from cloudfront" {
		t.Errorf("second request X-Cache %q", resp.Header.Get("X-Cache"))
	}

	// The bucket refuses the wrong Referer, a missing one, and the other
	// distribution; the edge relays S3's answer as CloudFront does.
	for _, tc := range []struct {
		name, url string
		header    []string
	}{
		{name: "wrong Referer", url: url, header: []string{"Referer", "https://evil.example.net/"}},
		{name: "no Referer", url: url},
		{name: "other distribution", url: signURL(t, keyA, "http://"+hostB+"/private/video.mp4"), header: []string{"Referer", good}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.get(tc.url, tc.header...)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403 from the bucket: %s", resp.StatusCode, body)
			}
			// S3's error, not the edge's: "Access Denied" with a capital
			// D and a RequestId (signed-urls.md §12).
			if !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "<RequestId>") {
				t.Errorf("body %s", body)
			}
			if x := resp.Header.Get("X-Cache"); x != "Error from cloudfront" {
				t.Errorf("X-Cache %q", x)
			}
		})
	}

	// Without a signature the edge refuses before the bucket is asked.
	resp, body = e.get("http://"+hostA+"/private/video.mp4", "Referer", good)
	checkRejection(t, resp, body, "MissingKey")

	// Anonymous, straight to the origin: the bucket refuses.
	direct, err := http.Get(origin.URL + "/media/private/video.mp4")
	if err != nil {
		t.Fatal(err)
	}
	direct.Body.Close()
	if direct.StatusCode != http.StatusForbidden {
		t.Errorf("direct anonymous GET: %d", direct.StatusCode)
	}
	// Forged source headers without the signature get nothing either.
	req, _ := http.NewRequest("GET", origin.URL+"/media/private/video.mp4", nil)
	req.Header.Set(originauth.HeaderSourceArn, "arn:aws:cloudfront::"+account+":distribution/"+string(distA))
	req.Header.Set("Referer", good)
	forged, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	forged.Body.Close()
	if forged.StatusCode != http.StatusForbidden {
		t.Errorf("forged source headers: %d", forged.StatusCode)
	}
}
