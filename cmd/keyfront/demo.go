package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"keyfront"
	"keyfront/signing"
)

// demoFile is the file in the data directory's demo/ folder that records
// what --demo created, so that a restart reuses it instead of creating it
// again.
const demoFile = "demo.json"

// demoBucket and demoObject are the private bucket and object --demo serves.
const (
	demoBucket = "keyfront-demo"
	demoObject = "hello.txt"
	demoBody   = "Hello from keyfront: this object is private and you are holding a valid signed URL.\n"
)

// demoState is what --demo created.
type demoState struct {
	KeyPairID       string `json:"key_pair_id"`
	KeyGroupID      string `json:"key_group_id"`
	OriginAccessID  string `json:"origin_access_control_id"`
	DistributionID  string `json:"distribution_id"`
	DomainName      string `json:"domain_name"`
	DistributionARN string `json:"distribution_arn"`
}

// runDemo sets up, through keyfront's own control API and S3 API with the
// AWS SDK for Go v2 (the same calls a user makes with the AWS CLI), a
// private bucket with one object, a key pair, public key, key group,
// origin access control, a distribution with restricted viewer access and
// the bucket policy that admits only that distribution; then it prints a
// signed URL and the commands to try. On a data directory where the demo
// already ran it only prints. explain is the edge's Explain, which judges
// the unsigned URL without a request (see printDemo).
func (c *serveCommand) runDemo(ctx context.Context, id identity, urls map[string]string, reload func(context.Context) error,
	explain func(context.Context, keyfront.VerifyRequest) (*keyfront.VerifyResult, error)) error {
	dir := filepath.Join(c.cfg.DataDir, "demo")
	if err := os.MkdirAll(dir, privateDirMode); err != nil {
		return err
	}
	privPath, pubPath := filepath.Join(dir, "private_key.pem"), filepath.Join(dir, "public_key.pem")
	var st demoState
	data, err := os.ReadFile(filepath.Join(dir, demoFile))
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("demo: %s is damaged (%v); remove the demo folder to start over", filepath.Join(dir, demoFile), err)
		}
	case errors.Is(err, fs.ErrNotExist):
		if st, err = c.createDemo(ctx, id, urls, privPath, pubPath); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(dir, demoFile), st, privateFileMode); err != nil {
			return err
		}
	default:
		return err
	}
	if err := reload(ctx); err != nil {
		return fmt.Errorf("demo: reload the edge: %w", err)
	}
	return c.printDemo(ctx, st, urls[planeEdge], privPath, explain)
}

func (c *serveCommand) createDemo(ctx context.Context, id identity, urls map[string]string, privPath, pubPath string) (demoState, error) {
	var st demoState
	creds := credentials.NewStaticCredentialsProvider(id.AccessKeyID, id.SecretAccessKey, "")
	cf := cloudfront.New(cloudfront.Options{Region: defaultRegion, BaseEndpoint: aws.String(urls[planeAPI]), Credentials: creds})
	s3c := s3.New(s3.Options{Region: defaultRegion, BaseEndpoint: aws.String(urls[planeOrigin]), Credentials: creds, UsePathStyle: true})

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return st, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return st, err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	if err := writeKeyFile(privPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), privateFileMode, true); err != nil {
		return st, err
	}
	// Not secret, but everything in the data directory is private to its
	// user (see openDataDir), which is who runs the demo's commands.
	if err := writeKeyFile(pubPath, pubPEM, privateFileMode, true); err != nil {
		return st, err
	}

	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demoBucket)}); err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		return st, fmt.Errorf("create bucket: %w", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(demoObject),
		Body: strings.NewReader(demoBody), ContentType: aws.String("text/plain; charset=utf-8")}); err != nil {
		return st, fmt.Errorf("put object: %w", err)
	}
	ref := fmt.Sprintf("keyfront-demo-%d", time.Now().Unix())
	pk, err := cf.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &cftypes.PublicKeyConfig{
		CallerReference: aws.String(ref), Name: aws.String(ref), EncodedKey: aws.String(string(pubPEM)),
		Comment: aws.String("made by keyfront serve --demo")}})
	if err != nil {
		return st, fmt.Errorf("create public key: %w", err)
	}
	st.KeyPairID = *pk.PublicKey.Id
	kg, err := cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &cftypes.KeyGroupConfig{
		Name: aws.String(ref), Items: []string{st.KeyPairID}}})
	if err != nil {
		return st, fmt.Errorf("create key group: %w", err)
	}
	st.KeyGroupID = *kg.KeyGroup.Id
	oac, err := cf.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: &cftypes.OriginAccessControlConfig{
		Name: aws.String(ref), OriginAccessControlOriginType: cftypes.OriginAccessControlOriginTypesS3,
		SigningBehavior: cftypes.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: cftypes.OriginAccessControlSigningProtocolsSigv4}})
	if err != nil {
		return st, fmt.Errorf("create origin access control: %w", err)
	}
	st.OriginAccessID = *oac.OriginAccessControl.Id
	d, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String(ref), Comment: aws.String("keyfront demo: private content behind signed URLs"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("demo-bucket"), DomainName: aws.String(demoBucket + "." + c.cfg.S3Domain),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}, OriginAccessControlId: aws.String(st.OriginAccessID)}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId:       aws.String("demo-bucket"),
			ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
			TrustedKeyGroups:     &cftypes.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{st.KeyGroupID}},
			CachePolicyId:        aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"), // managed CachingOptimized
		},
	}})
	if err != nil {
		return st, fmt.Errorf("create distribution: %w", err)
	}
	st.DistributionID, st.DomainName, st.DistributionARN = *d.Distribution.Id, *d.Distribution.DomainName, *d.Distribution.ARN
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow",` +
		`"Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + demoBucket + `/*",` +
		`"Condition":{"StringEquals":{"AWS:SourceArn":"` + st.DistributionARN + `"}}}]}`
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(policy)}); err != nil {
		return st, fmt.Errorf("put bucket policy: %w", err)
	}
	return st, nil
}

// printDemo prints the demo's URLs, what they return right now, and the
// commands that make more of them.
//
// The signed URL is fetched through the edge's listener, which proves the
// whole path (signature, origin access control, bucket policy). The
// unsigned one is judged by the edge's Explain, the decision ServeHTTP
// acts on, so that the demo's own check does not show up as a viewer's
// refusal ("edge: signed request refused" at Info) in an operator's log,
// nor in the access log; a real unsigned request is logged as always.
// Both are judged before anything is printed, so that whatever the edge
// logs comes before the demo's lines rather than between them.
func (c *serveCommand) printDemo(ctx context.Context, st demoState, edgeURL, privPath string,
	explain func(context.Context, keyfront.VerifyRequest) (*keyfront.VerifyResult, error)) error {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(edgeURL, "http://"))
	base := "http://" + st.DomainName + ":" + port + "/" + demoObject
	pemBytes, err := os.ReadFile(privPath)
	if err != nil {
		return err
	}
	key, err := signing.ParsePrivateKey(pemBytes)
	if err != nil {
		return err
	}
	signer, err := signing.NewSigner(st.KeyPairID, key, signing.SHA1)
	if err != nil {
		return err
	}
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	signed, err := signer.SignURL(base, signing.Terms{DateLessThan: expires})
	if err != nil {
		return err
	}
	unsignedVerdict := demoExplain(ctx, explain, base)
	signedVerdict := demoFetch(ctx, edgeURL, signed)
	w := c.m.Stdout
	fmt.Fprintf(w, "Demo: a private bucket %q behind distribution %s (%s)\n", demoBucket, st.DistributionID, st.DomainName)
	fmt.Fprintf(w, "  key pair %s, private key %s\n\n", st.KeyPairID, privPath)
	fmt.Fprintf(w, "Unsigned, refused (%s):\n  %s\n\n", unsignedVerdict, base)
	fmt.Fprintf(w, "Signed, valid until %s (%s):\n  %s\n\n", expires.Format(time.RFC3339), signedVerdict, signed)
	fmt.Fprintf(w, "Try them (curl resolves *.localhost to this machine):\n")
	fmt.Fprintf(w, "  curl -i '%s'\n  curl -i '%s'\n\n", base, signed)
	fmt.Fprintf(w, "Sign more, with keyfront or the AWS CLI (same output, byte for byte):\n")
	fmt.Fprintf(w, "  keyfront sign --url %s --key-pair-id %s --private-key file://%s --date-less-than %s\n",
		base, st.KeyPairID, privPath, expires.Format("2006-01-02T15:04:05"))
	fmt.Fprintf(w, "  aws cloudfront sign --url %s --key-pair-id %s --private-key file://%s --date-less-than %s\n",
		base, st.KeyPairID, privPath, expires.Format("2006-01-02T15:04:05"))
	fmt.Fprintf(w, "Ask why a URL is refused:\n  keyfront verify '%s' --public-key %s --key-pair-id %s\n\n",
		base, filepath.Join(filepath.Dir(privPath), "public_key.pem"), st.KeyPairID)
	return nil
}

// demoExplain has the edge judge a GET of rawURL without serving it and
// says what it would answer, as demoFetch does: "answers 403 MissingKey".
func demoExplain(ctx context.Context, explain func(context.Context, keyfront.VerifyRequest) (*keyfront.VerifyResult, error), rawURL string) string {
	res, err := explain(ctx, keyfront.VerifyRequest{URL: rawURL})
	if err != nil {
		return err.Error()
	}
	if res.Code != "" {
		return fmt.Sprintf("answers %d %s", res.Status, res.Code)
	}
	return fmt.Sprintf("answers %d", res.Status)
}

// demoFetch fetches rawURL through the edge and says what came back, e.g.
// "403 MissingKey" or "200, 86 bytes".
func demoFetch(ctx context.Context, edgeURL, rawURL string) string {
	edgeAddr := strings.TrimPrefix(edgeURL, "http://")
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, edgeAddr)
		}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return fmt.Sprintf("answers 200 with %d bytes", len(body))
	}
	code := ""
	if i, j := bytes.Index(body, []byte("<Code>")), bytes.Index(body, []byte("</Code>")); i >= 0 && j > i {
		code = " " + string(body[i+len("<Code>"):j])
	}
	return fmt.Sprintf("answers %d%s", resp.StatusCode, code)
}
