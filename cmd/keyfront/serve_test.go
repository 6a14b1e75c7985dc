package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	cli "keyfront/cmd/keyfront"
)

// Credentials the end-to-end tests give keyfront through its environment.
const (
	e2eAccessKey = "AKIAKEYFRONTE2ETEST"
	e2eSecretKey = "keyfront-e2e-secret-access-key"
	e2eAccount   = "111122223333"
)

// server is a `keyfront serve` running in this process on a free port.
type server struct {
	apiURL  string
	s3URL   string
	edgeURL string
	stdout  *syncBuffer
	stderr  *syncBuffer
	stop    func() int // stops the server gracefully and returns its exit status

	// edgeTLSURL is the edge's HTTPS listener, when --edge-tls-addr
	// asked for one.
	edgeTLSURL string
}

// syncBuffer is a bytes.Buffer safe for the server's goroutine to write
// while the test reads.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `keyfront serve` on dataDir with the given environment
// (nil: the e2e credentials and account) and waits until the control API
// answers /healthz.
func startServe(tb testing.TB, dataDir string, env map[string]string, args ...string) *server {
	tb.Helper()
	if env == nil {
		env = map[string]string{
			"KEYFRONT_ACCESS_KEY_ID":     e2eAccessKey,
			"KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey,
			"KEYFRONT_ACCOUNT_ID":        e2eAccount,
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := cli.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	urls := make(chan [2]string, 8)
	m.OnListen = func(plane, url string) { urls <- [2]string{plane, url} }
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	argv := append([]string{"serve", "--data-dir", dataDir, "--api-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0",
		"--edge-addr", "127.0.0.1:0"}, args...)
	go func() { done <- m.Run(ctx, argv, strings.NewReader(""), s.stdout, s.stderr) }()
	var once sync.Once
	status := 0
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case status = <-done:
			case <-time.After(30 * time.Second):
				tb.Errorf("keyfront serve did not stop within 30 s")
			}
		})
		return status
	}
	tb.Cleanup(func() { s.stop() })
	for s.apiURL == "" || s.s3URL == "" || s.edgeURL == "" {
		select {
		case u := <-urls:
			switch u[0] {
			case "control API":
				s.apiURL = u[1]
			case "origin (S3)":
				s.s3URL = u[1]
			case "edge":
				s.edgeURL = u[1]
			case "edge (TLS)":
				s.edgeTLSURL = u[1]
			}
		case status := <-done:
			tb.Fatalf("keyfront serve exited with %d before listening:\n%s", status, s.stderr)
		case <-time.After(30 * time.Second):
			tb.Fatalf("keyfront serve did not listen within 30 s:\n%s", s.stderr)
		}
	}
	for _, u := range []string{s.apiURL, s.s3URL, s.edgeURL} {
		resp, err := http.Get(u + "/healthz")
		if err != nil {
			tb.Fatalf("GET %s/healthz: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s/healthz = %d, want 200", u, resp.StatusCode)
		}
	}
	return s
}

func cloudfrontClient(url, akid, secret string) *cloudfront.Client {
	return cloudfront.New(cloudfront.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// seed is what the seed walkthrough creates: a public key in a key group
// trusted by a distribution whose S3 origin is behind origin access control.
type seed struct {
	keyID, keyETag     string
	groupID, groupETag string
	oacID, oacETag     string
	distID, distETag   string
	domainName         string
}

func createSeed(tb testing.TB, ctx context.Context, c *cloudfront.Client, pubPEM string) seed {
	tb.Helper()
	var s seed
	pk, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
		CallerReference: aws.String("seed-key"), Name: aws.String("seed-key"), EncodedKey: aws.String(pubPEM),
	}})
	if err != nil {
		tb.Fatalf("CreatePublicKey: %v", err)
	}
	s.keyID, s.keyETag = *pk.PublicKey.Id, *pk.ETag
	kg, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("seed-group"), Items: []string{s.keyID},
	}})
	if err != nil {
		tb.Fatalf("CreateKeyGroup: %v", err)
	}
	s.groupID, s.groupETag = *kg.KeyGroup.Id, *kg.ETag
	oac, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{
		OriginAccessControlConfig: &types.OriginAccessControlConfig{
			Name: aws.String("seed-oac"), OriginAccessControlOriginType: types.OriginAccessControlOriginTypesS3,
			SigningBehavior: types.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: types.OriginAccessControlSigningProtocolsSigv4,
		}})
	if err != nil {
		tb.Fatalf("CreateOriginAccessControl: %v", err)
	}
	s.oacID, s.oacETag = *oac.OriginAccessControl.Id, *oac.ETag
	d, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: seedDistributionConfig(s.groupID, s.oacID, true)})
	if err != nil {
		tb.Fatalf("CreateDistribution: %v", err)
	}
	s.distID, s.distETag, s.domainName = *d.Distribution.Id, *d.ETag, *d.Distribution.DomainName
	return s
}

func seedDistributionConfig(groupID, oacID string, enabled bool) *types.DistributionConfig {
	return &types.DistributionConfig{
		CallerReference: aws.String("seed-distribution"),
		Comment:         aws.String("private videos"),
		Enabled:         aws.Bool(enabled),
		Origins: &types.Origins{Quantity: aws.Int32(1), Items: []types.Origin{{
			Id:                    aws.String("videos-bucket"),
			DomainName:            aws.String("videos.s3.localhost"),
			S3OriginConfig:        &types.S3OriginConfig{OriginAccessIdentity: aws.String("")},
			OriginAccessControlId: aws.String(oacID),
		}}},
		DefaultCacheBehavior: &types.DefaultCacheBehavior{
			TargetOriginId:       aws.String("videos-bucket"),
			ViewerProtocolPolicy: types.ViewerProtocolPolicyRedirectToHttps,
			TrustedKeyGroups:     &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{groupID}},
			CachePolicyId:        aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"),
		},
	}
}

// TestServeSeedFlowSDK walks the seed steps with the AWS SDK for Go v2
// against a real `keyfront serve`: upload a public key, put it in a key
// group, make a distribution trust the group, read everything back, update
// with If-Match, and tear it down in the order CloudFront requires.
func TestServeSeedFlowSDK(t *testing.T) {
	ctx := context.Background()
	srv := startServe(t, t.TempDir(), nil)
	c := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	kp := newKeyPair(t)
	s := createSeed(t, ctx, c, string(readFile(t, kp.pub)))

	if !strings.HasPrefix(s.domainName, "d") || !strings.HasSuffix(s.domainName, ".cloudfront.localhost") {
		t.Errorf("DomainName = %q, want d….cloudfront.localhost", s.domainName)
	}
	got, err := c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: &s.distID})
	if err != nil {
		t.Fatalf("GetDistribution: %v", err)
	}
	if *got.ETag != s.distETag {
		t.Errorf("GetDistribution ETag = %s, want the create's %s", *got.ETag, s.distETag)
	}
	if got, want := *got.Distribution.ARN, "arn:aws:cloudfront::"+e2eAccount+":distribution/"+s.distID; got != want {
		t.Errorf("ARN = %s, want %s", got, want)
	}
	if got, want := *got.Distribution.Status, "Deployed"; got != want {
		t.Errorf("Status = %s, want %s", got, want)
	}
	atk := got.Distribution.ActiveTrustedKeyGroups
	if atk == nil || !*atk.Enabled || len(atk.Items) != 1 || *atk.Items[0].KeyGroupId != s.groupID ||
		len(atk.Items[0].KeyPairIds.Items) != 1 || atk.Items[0].KeyPairIds.Items[0] != s.keyID {
		t.Errorf("ActiveTrustedKeyGroups = %+v, want group %s with key %s", atk, s.groupID, s.keyID)
	}
	byGroup, err := c.ListDistributionsByKeyGroup(ctx, &cloudfront.ListDistributionsByKeyGroupInput{KeyGroupId: &s.groupID})
	if err != nil {
		t.Fatalf("ListDistributionsByKeyGroup: %v", err)
	}
	if ids := byGroup.DistributionIdList.Items; len(ids) != 1 || ids[0] != s.distID {
		t.Errorf("ListDistributionsByKeyGroup = %v, want [%s]", ids, s.distID)
	}

	// The same name again is refused with the typed error.
	_, err = c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("seed-group"), Items: []string{s.keyID}}})
	var exists *types.KeyGroupAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("CreateKeyGroup with a used name: err = %v, want KeyGroupAlreadyExists", err)
	}
	// In use: neither the key nor the group can go while referenced.
	_, err = c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: &s.keyID, IfMatch: &s.keyETag})
	var keyInUse *types.PublicKeyInUse
	if !errors.As(err, &keyInUse) {
		t.Errorf("DeletePublicKey while in a group: err = %v, want PublicKeyInUse", err)
	}
	_, err = c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: &s.groupID, IfMatch: &s.groupETag})
	var groupInUse *types.ResourceInUse
	if !errors.As(err, &groupInUse) {
		t.Errorf("DeleteKeyGroup while trusted: err = %v, want ResourceInUse", err)
	}

	// Disable with If-Match; a stale ETag then fails.
	upd, err := c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: &s.distID, IfMatch: &s.distETag,
		DistributionConfig: seedDistributionConfig(s.groupID, s.oacID, false)})
	if err != nil {
		t.Fatalf("UpdateDistribution: %v", err)
	}
	_, err = c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: &s.distID, IfMatch: &s.distETag})
	var stale *types.PreconditionFailed
	if !errors.As(err, &stale) {
		t.Errorf("DeleteDistribution with a stale ETag: err = %v, want PreconditionFailed", err)
	}
	w := cloudfront.NewDistributionDeployedWaiter(c)
	if err := w.Wait(ctx, &cloudfront.GetDistributionInput{Id: &s.distID}, 30*time.Second); err != nil {
		t.Errorf("DistributionDeployed waiter: %v", err)
	}
	if _, err := c.DeleteDistribution(ctx, &cloudfront.DeleteDistributionInput{Id: &s.distID, IfMatch: upd.ETag}); err != nil {
		t.Fatalf("DeleteDistribution: %v", err)
	}
	if _, err := c.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: &s.groupID, IfMatch: &s.groupETag}); err != nil {
		t.Fatalf("DeleteKeyGroup: %v", err)
	}
	if _, err := c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: &s.keyID, IfMatch: &s.keyETag}); err != nil {
		t.Fatalf("DeletePublicKey: %v", err)
	}
	if _, err := c.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlInput{Id: &s.oacID, IfMatch: &s.oacETag}); err != nil {
		t.Fatalf("DeleteOriginAccessControl: %v", err)
	}
	_, err = c.GetKeyGroup(ctx, &cloudfront.GetKeyGroupInput{Id: &s.groupID})
	var gone *types.NoSuchResource
	if !errors.As(err, &gone) {
		t.Errorf("GetKeyGroup after delete: err = %v, want NoSuchResource", err)
	}
	if status := srv.stop(); status != 0 {
		t.Errorf("serve exit status = %d, want 0; stderr:\n%s", status, srv.stderr)
	}
}

// TestServeRestartKeepsEverything stops keyfront and starts it again on the
// same data directory: every resource is still there with the same ETag.
func TestServeRestartKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServe(t, dir, nil)
	c := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	kp := newKeyPair(t)
	s := createSeed(t, ctx, c, string(readFile(t, kp.pub)))
	before, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: &s.distID})
	if err != nil {
		t.Fatal(err)
	}
	if status := srv.stop(); status != 0 {
		t.Fatalf("serve exit status = %d; stderr:\n%s", status, srv.stderr)
	}

	srv = startServe(t, dir, nil)
	c = cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	pk, err := c.GetPublicKey(ctx, &cloudfront.GetPublicKeyInput{Id: &s.keyID})
	if err != nil {
		t.Fatalf("GetPublicKey after restart: %v", err)
	}
	kg, err := c.GetKeyGroup(ctx, &cloudfront.GetKeyGroupInput{Id: &s.groupID})
	if err != nil {
		t.Fatalf("GetKeyGroup after restart: %v", err)
	}
	oac, err := c.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlInput{Id: &s.oacID})
	if err != nil {
		t.Fatalf("GetOriginAccessControl after restart: %v", err)
	}
	after, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: &s.distID})
	if err != nil {
		t.Fatalf("GetDistributionConfig after restart: %v", err)
	}
	for _, e := range []struct{ what, got, want string }{
		{"public key", *pk.ETag, s.keyETag},
		{"key group", *kg.ETag, s.groupETag},
		{"origin access control", *oac.ETag, s.oacETag},
		{"distribution", *after.ETag, *before.ETag},
	} {
		if e.got != e.want {
			t.Errorf("%s ETag after restart = %s, want %s", e.what, e.got, e.want)
		}
	}
	if got, want := *after.DistributionConfig.Comment, *before.DistributionConfig.Comment; got != want {
		t.Errorf("Comment after restart = %q, want %q", got, want)
	}
}

// TestServeRefusesUnauthenticated checks that the control API answers
// nothing without a valid SigV4 signature, with the codes AWS uses.
func TestServeRefusesUnauthenticated(t *testing.T) {
	ctx := context.Background()
	srv := startServe(t, t.TempDir(), nil)

	resp, err := http.Get(srv.apiURL + "/2020-05-31/key-group")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("<Code>MissingAuthenticationToken</Code>")) {
		t.Errorf("unsigned request: %d %s, want 403 MissingAuthenticationToken", resp.StatusCode, body)
	}

	tests := []struct {
		name, akid, secret, wantCode string
	}{
		{"wrong secret", e2eAccessKey, "not-the-secret-at-all", "SignatureDoesNotMatch"},
		{"unknown access key", "AKIAUNKNOWNKEY000000", e2eSecretKey, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cloudfrontClient(srv.apiURL, tt.akid, tt.secret).ListKeyGroups(ctx, &cloudfront.ListKeyGroupsInput{})
			if err == nil || !strings.Contains(err.Error(), tt.wantCode) {
				t.Errorf("ListKeyGroups = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

// TestServeGeneratedCredentials starts keyfront with no credentials
// configured: it generates a pair, keeps it with mode 0600, prints it once
// with the export lines, and accepts requests signed with it.
func TestServeGeneratedCredentials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startServe(t, dir, map[string]string{})
	banner := srv.stdout.String()
	akid := exportedValue(t, banner, "AWS_ACCESS_KEY_ID")
	secret := exportedValue(t, banner, "AWS_SECRET_ACCESS_KEY")
	if !strings.HasPrefix(akid, "AKIA") || len(secret) != 40 {
		t.Errorf("generated credentials %q / %d-character secret, want AKIA… and 40 characters", akid, len(secret))
	}
	if !strings.Contains(banner, srv.apiURL) || !strings.Contains(banner, "export AWS_DEFAULT_REGION=us-east-1") {
		t.Errorf("banner lacks the listener URL or region:\n%s", banner)
	}
	if strings.Contains(srv.stderr.String(), secret) {
		t.Errorf("the secret appears in the log")
	}
	info, err := os.Stat(filepath.Join(dir, "identity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("identity.json mode = %o, want 600", got)
	}
	if _, err := cloudfrontClient(srv.apiURL, akid, secret).ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{}); err != nil {
		t.Errorf("ListPublicKeys with the generated credentials: %v", err)
	}
	srv.stop()

	srv = startServe(t, dir, map[string]string{})
	if again := srv.stdout.String(); strings.Contains(again, secret) || !strings.Contains(again, akid) {
		t.Errorf("second start: the banner must name the same access key and not print the secret again:\n%s", again)
	}
	if _, err := cloudfrontClient(srv.apiURL, akid, secret).ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{}); err != nil {
		t.Errorf("ListPublicKeys after restart: %v", err)
	}
}

func exportedValue(tb testing.TB, banner, name string) string {
	tb.Helper()
	for _, line := range strings.Split(banner, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export "+name+"="); ok {
			return v
		}
	}
	tb.Fatalf("banner has no export %s line:\n%s", name, banner)
	return ""
}

// TestServeBadConfiguration checks that serve refuses settings that cannot
// work, naming the setting, before it touches the data directory.
func TestServeBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "keyfront.yaml")
	writeFile(t, cfgFile, []byte("data_dir: "+dir+"\napi_adr: 127.0.0.1:0\n"), 0o644)
	noFeedLog := filepath.Join(dir, "no-feed-log.yaml")
	writeFile(t, noFeedLog, []byte("feed_keep_revisions: 0\n"), 0o644)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown config key", nil, []string{"--config", cfgFile}, "api_adr"},
		{"missing config file", nil, []string{"--config", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"bad address", nil, []string{"--api-addr", "7081"}, "api_addr"},
		{"bad origin address", nil, []string{"--s3-addr", "localhost"}, "s3_addr"},
		{"unknown role", nil, []string{"--roles", "api,cdn"}, "cdn"},
		{"edge without an origin", nil, []string{"--roles", "api,edge"}, "origin_s3_endpoint"},
		{"TLS without a certificate", nil, []string{"--edge-tls-addr", "127.0.0.1:0"}, "tls_cert"},
		{"bad trusted proxy", nil, []string{"--trusted-proxies", "10.0.0.0/8,lb.example"}, "lb.example"},
		{"half the credentials", map[string]string{"KEYFRONT_ACCESS_KEY_ID": e2eAccessKey}, nil, "KEYFRONT_SECRET_ACCESS_KEY"},
		{"account ID not 12 digits", map[string]string{"KEYFRONT_ACCOUNT_ID": "1234"}, nil, "account_id"},
		{"log format", nil, []string{"--log-format", "xml"}, "log_format"},
		{"body idle timeout without a unit", nil, []string{"--body-idle-timeout", "20"}, "body_idle_timeout \"20\""},
		{"body idle timeout zero", map[string]string{"KEYFRONT_BODY_IDLE_TIMEOUT": "0s"}, nil, "body_idle_timeout"},
		{"no change log", nil, []string{"--config", noFeedLog}, "feed_keep_revisions"},
		{"PostgreSQL store", nil, []string{"--store", "postgres://keyfront@db/keyfront"}, "PostgreSQL support is not built yet"},
		{"PostgreSQL store from the environment", map[string]string{"KEYFRONT_STORE": "postgresql://db/keyfront"}, nil, "PostgreSQL support is not built yet"},
		{"store given as a URL", nil, []string{"--store", "file:///var/lib/keyfront.db"}, "SQLite database file"},
		{"node live timeout without a unit", nil, []string{"--node-live-timeout", "10"}, "node_live_timeout \"10\""},
		{"node live timeout zero", map[string]string{"KEYFRONT_NODE_LIVE_TIMEOUT": "0s"}, nil, "node_live_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := cli.NewMain()
			m.Getenv = func(k string) string { return tt.env[k] }
			var stdout, stderr bytes.Buffer
			args := append([]string{"serve", "--data-dir", filepath.Join(dir, "data")}, tt.args...)
			status := m.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			if status != 2 || !strings.Contains(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Errorf("status %d, stderr %q, stdout %q; want 2, an error naming %q, no output", status, stderr.String(), stdout.String(), tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
				t.Errorf("the data directory was created despite the error")
			}
		})
	}
}

// TestServeConfigPrecedence checks flags > environment > file > defaults by
// where the data ends up.
func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	fileDir, envDir, flagDir := filepath.Join(dir, "from-file"), filepath.Join(dir, "from-env"), filepath.Join(dir, "from-flag")
	cfgFile := filepath.Join(dir, "keyfront.yaml")
	writeFile(t, cfgFile, []byte("data_dir: "+fileDir+"\naccount_id: \"444455556666\"\n"), 0o644)
	env := map[string]string{"KEYFRONT_ACCESS_KEY_ID": e2eAccessKey, "KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey}

	srv := startServe(t, fileDir, env, "--config", cfgFile)
	if !strings.Contains(srv.stdout.String(), "444455556666") {
		t.Errorf("account from the config file not used:\n%s", srv.stdout)
	}
	srv.stop()

	env["KEYFRONT_DATA_DIR"] = envDir
	env["KEYFRONT_ACCOUNT_ID"] = "777788889999"
	m := cli.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	m.OnListen = func(string, string) { cancel() }
	var out, errOut bytes.Buffer
	if status := m.Run(ctx, []string{"serve", "--config", cfgFile, "--api-addr", "127.0.0.1:0", "--roles", "api"}, strings.NewReader(""), &out, &errOut); status != 0 {
		t.Fatalf("serve: %d %s", status, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(envDir, "keyfront.db")); err != nil {
		t.Errorf("KEYFRONT_DATA_DIR did not override the file's data_dir: %v", err)
	}
	if !strings.Contains(out.String(), "777788889999") {
		t.Errorf("KEYFRONT_ACCOUNT_ID did not override the file's account_id:\n%s", out.String())
	}

	srv = startServe(t, flagDir, env, "--config", cfgFile)
	if _, err := os.Stat(filepath.Join(flagDir, "keyfront.db")); err != nil {
		t.Errorf("--data-dir did not override KEYFRONT_DATA_DIR: %v", err)
	}
}

// TestServeKill9DuringCreates kills a keyfront serve process with SIGKILL
// while clients create public keys concurrently, starts it again on the same
// data directory, and checks that every create the API acknowledged is
// there with its ETag — nothing acknowledged is lost, nothing half-written.
func TestServeKill9DuringCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills child processes; skipped in -short mode")
	}
	dir := t.TempDir()
	kp := newKeyPair(t)
	pub := string(readFile(t, kp.pub))
	acked := map[string]string{} // public key ID → ETag
	for round := 0; round < 3; round++ {
		url, child := startChildServe(t, dir)
		c := cloudfrontClient(url, e2eAccessKey, e2eSecretKey)
		var mu sync.Mutex // guards acked
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					// Public keys are limited to 10 per account by default;
					// delete what was made so the loop can go on.
					name := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					out, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
						CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(pub)}})
					if err != nil {
						return
					}
					mu.Lock()
					acked[*out.PublicKey.Id] = *out.ETag
					mu.Unlock()
				}
			}()
		}
		time.Sleep(300 * time.Millisecond)
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cancel()
		wg.Wait()
		child.Wait()
	}
	if len(acked) == 0 {
		t.Fatal("no create was acknowledged before the kills; the test proved nothing")
	}
	srv := startServe(t, dir, nil)
	c := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey)
	for id, etag := range acked {
		got, err := c.GetPublicKey(context.Background(), &cloudfront.GetPublicKeyInput{Id: aws.String(id)})
		if err != nil {
			t.Errorf("acknowledged public key %s is gone after kill -9: %v", id, err)
			continue
		}
		if *got.ETag != etag {
			t.Errorf("public key %s ETag = %s, want the acknowledged %s", id, *got.ETag, etag)
		}
	}
	t.Logf("%d acknowledged creates survived three kill -9 restarts", len(acked))
}

// TestMain lets this test binary act as a `keyfront serve` child process
// for the kill -9 test, and as `keyfront` with any arguments for the tests
// that run several processes (multiedge_test.go).
func TestMain(m *testing.M) {
	if args := os.Getenv(childArgsEnv); args != "" {
		os.Exit(childMain(args))
	}
	if dir := os.Getenv("KEYFRONT_TEST_CHILD_SERVE"); dir != "" {
		os.Exit(childServe(dir))
	}
	os.Exit(m.Run())
}

// startChildServe runs `keyfront serve` in a child process (this test binary
// re-executed, see TestMain) and returns its control API URL.
func startChildServe(tb testing.TB, dir string) (string, *exec.Cmd) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"KEYFRONT_TEST_CHILD_SERVE="+dir,
		"KEYFRONT_ACCESS_KEY_ID="+e2eAccessKey,
		"KEYFRONT_SECRET_ACCESS_KEY="+e2eSecretKey,
		"KEYFRONT_ACCOUNT_ID="+e2eAccount)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "control" && f[1] == "API" {
			go io.Copy(io.Discard, stdout)
			return f[2], cmd
		}
	}
	tb.Fatalf("child keyfront serve printed no control API line")
	return "", nil
}

// childServe runs `keyfront serve` for TestServeKill9DuringCreates, with
// the public key quota raised so that clients keep writing until the kill.
func childServe(dir string) int {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg := filepath.Join(dir, "quota.yaml")
	data, _ := json.Marshal(map[string]any{"quotas": map[string]int{"public_keys": 100000}})
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	m := cli.NewMain()
	return m.Run(context.Background(), []string{"serve", "--config", cfg, "--data-dir", dir, "--api-addr", "127.0.0.1:0", "--roles", "api"},
		strings.NewReader(""), os.Stdout, os.Stderr)
}
