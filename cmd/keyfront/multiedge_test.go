package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	cli "keyfront/cmd/keyfront"
	"keyfront/signing"
)

// childArgsEnv names the variable that makes this test binary run
// `keyfront` with the JSON array of arguments it holds (see TestMain), so
// that tests can start real keyfront processes and kill them.
const childArgsEnv = "KEYFRONT_TEST_CHILD_ARGS"

// proc is a `keyfront serve` running as a child process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	urls   map[string]string // plane → URL, from the banner
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
}

// startProc starts `keyfront` with args and env (added to none of the
// test's KEYFRONT_* variables) and waits until every listener its banner
// lists answers /healthz.
func startProc(tb testing.TB, name string, env map[string]string, args ...string) *proc {
	tb.Helper()
	argv, err := json.Marshal(args)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KEYFRONT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childArgsEnv+"="+string(argv))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{name: name, cmd: cmd, urls: map[string]string{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	tb.Cleanup(p.stop)
	// The banner lists "  <plane>  <url>" lines, then "  data dir …".
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "data" && f[1] == "dir" {
			break
		}
		if len(f) >= 2 && strings.HasPrefix(f[len(f)-1], "http") {
			p.urls[strings.Join(f[:len(f)-1], " ")] = f[len(f)-1]
		}
	}
	go io.Copy(io.Discard, stdout)
	if len(p.urls) == 0 {
		<-p.done
		tb.Fatalf("%s: keyfront serve printed no listener:\n%s", name, p.stderr)
	}
	for _, u := range p.urls {
		resp, err := http.Get(u + "/healthz")
		if err != nil {
			tb.Fatalf("%s: GET %s/healthz: %v\n%s", name, u, err, p.stderr)
		}
		resp.Body.Close()
	}
	return p
}

// kill9 kills the process with SIGKILL and waits for it to exit.
func (p *proc) kill9() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process with SIGTERM, as an operator would, and with
// SIGKILL if it has not exited within 20 s.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill9()
	}
}

// childMain runs keyfront with the arguments of childArgsEnv.
func childMain(argv string) int {
	var args []string
	if err := json.Unmarshal([]byte(argv), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	m := cli.NewMain()
	return m.Run(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr)
}

// edgeView is a viewer of one edge process: it signs URLs for the
// distribution's Host on that edge's port and sends them there.
type edgeView struct {
	name   string
	host   string // Host as the viewer sends it, port included
	client *http.Client
}

func newEdgeView(name, edgeURL, domainName string) *edgeView {
	addr := strings.TrimPrefix(edgeURL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	return &edgeView{name: name, host: domainName + ":" + port, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}}}
}

// answer is what an edge answered.
type answer struct {
	status int
	body   string
	xcache string
}

func (a answer) String() string { return fmt.Sprintf("%d %q (X-Cache %q)", a.status, a.body, a.xcache) }

// get fetches path signed by s (nil: unsigned) from the edge.
func (v *edgeView) get(tb testing.TB, s *signing.Signer, path string) answer {
	tb.Helper()
	u := "http://" + v.host + path
	if s != nil {
		var err error
		if u, err = s.SignURL(u, signing.Terms{DateLessThan: time.Now().Add(time.Hour)}); err != nil {
			tb.Fatal(err)
		}
	}
	resp, err := v.client.Get(u)
	if err != nil {
		tb.Fatalf("%s: GET %s: %v", v.name, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), xcache: resp.Header.Get("X-Cache")}
}

// deployment is one `serve --roles api,s3` and the edges following its
// store from data directories of their own.
type deployment struct {
	t        testing.TB
	ctlDir   string
	ctl      *proc
	cf       *cloudfront.Client
	s3       *s3.Client
	edgeDirs []string
	edges    []*proc
}

// liveTimeout is the control plane's --node-live-timeout in these tests:
// short, so that a stopped edge stops blocking soon.
const liveTimeout = 2 * time.Second

func newDeployment(t testing.TB, edges int) *deployment {
	t.Helper()
	d := &deployment{t: t, ctlDir: filepath.Join(t.TempDir(), "control")}
	d.ctl = startProc(t, "control plane", map[string]string{
		"KEYFRONT_ACCESS_KEY_ID":     e2eAccessKey,
		"KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey,
		"KEYFRONT_ACCOUNT_ID":        e2eAccount,
	}, "serve", "--roles", "api,s3", "--data-dir", d.ctlDir, "--api-addr", "127.0.0.1:0", "--s3-addr", "127.0.0.1:0",
		"--node-live-timeout", liveTimeout.String())
	d.cf = cloudfrontClient(d.ctl.urls["control API"], e2eAccessKey, e2eSecretKey)
	d.s3 = s3Client(d.ctl.urls["origin (S3)"], e2eAccessKey, e2eSecretKey)
	for i := range edges {
		d.edgeDirs = append(d.edgeDirs, filepath.Join(t.TempDir(), fmt.Sprintf("edge%d", i+1)))
		d.edges = append(d.edges, d.startEdge(i))
	}
	return d
}

// startEdge starts edge i on its data directory. It is given no
// credentials nor account: it takes the deployment's identity from beside
// the store.
func (d *deployment) startEdge(i int) *proc {
	d.t.Helper()
	return startProc(d.t, fmt.Sprintf("edge %d", i+1), nil, "serve", "--roles", "edge", "--data-dir", d.edgeDirs[i],
		"--store", filepath.Join(d.ctlDir, "keyfront.db"), "--origin-s3-endpoint", d.ctl.urls["origin (S3)"],
		"--edge-addr", "127.0.0.1:0")
}

// awaitDeployed polls GetDistribution until it says Deployed, and then
// requires every check to hold on every edge, each checked by requests
// made after that answer: Deployed must never be said while an edge still
// answers per an older configuration. It returns the ETag deployed.
func (d *deployment) awaitDeployed(what, id string, views []*edgeView, check func(*edgeView) error) string {
	d.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := d.cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(id)})
		if err != nil {
			d.t.Fatalf("%s: GetDistribution: %v", what, err)
		}
		if aws.ToString(out.Distribution.Status) == "Deployed" {
			for _, v := range views {
				if err := check(v); err != nil {
					d.t.Fatalf("%s: GetDistribution said Deployed (ETag %s), then %s answered per an older configuration: %v",
						what, aws.ToString(out.ETag), v.name, err)
				}
			}
			return aws.ToString(out.ETag)
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: not Deployed within 30 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSeveralEdgesDeployedAndCompleted runs one `serve --roles api,s3` and
// two `serve --roles edge` processes sharing its store, and checks that
// Deployed and Completed mean that every live edge serves the change: a
// new distribution, a key leaving the trusted group, invalidations, an
// edge killed with kill -9 catching up when it comes back, a stopped edge
// no longer blocking after the live timeout, and a disabled distribution.
func TestSeveralEdgesDeployedAndCompleted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three keyfront processes; skipped in -short mode")
	}
	ctx := context.Background()
	d := newDeployment(t, 2)
	cf := d.cf

	// A private bucket behind origin access control: the bucket policy
	// admits the distributions of the account, and nobody else.
	bucket := "media"
	if _, err := d.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	putObject := func(body string) {
		t.Helper()
		if _, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a.txt"), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	putObject("version 1")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*",` +
		`"Condition":{"StringLike":{"AWS:SourceArn":"arn:aws:cloudfront::` + e2eAccount + `:distribution/*"}}}]}`
	if _, err := d.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	keys := map[string]*signing.Signer{}
	keyIDs := map[string]string{}
	for _, name := range []string{"k1", "k2", "k3"} {
		kp := newKeyPair(t)
		out, err := cf.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(name), Name: aws.String(name), EncodedKey: aws.String(string(readFile(t, kp.pub)))}})
		if err != nil {
			t.Fatal(err)
		}
		keyIDs[name] = *out.PublicKey.Id
		if keys[name], err = signing.NewSigner(*out.PublicKey.Id, kp.signer(t), signing.SHA1); err != nil {
			t.Fatal(err)
		}
	}
	g, err := cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("signers"), Items: []string{keyIDs["k1"], keyIDs["k2"]}}})
	if err != nil {
		t.Fatal(err)
	}
	g3, err := cf.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("next"), Items: []string{keyIDs["k3"]}}})
	if err != nil {
		t.Fatal(err)
	}
	oac, err := cf.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: &types.OriginAccessControlConfig{
		Name: aws.String("media-oac"), OriginAccessControlOriginType: types.OriginAccessControlOriginTypesS3,
		SigningBehavior: types.OriginAccessControlSigningBehaviorsAlways, SigningProtocol: types.OriginAccessControlSigningProtocolsSigv4}})
	if err != nil {
		t.Fatal(err)
	}
	dc := &types.DistributionConfig{
		CallerReference: aws.String("media"),
		Comment:         aws.String("private media"),
		Enabled:         aws.Bool(true),
		Origins: &types.Origins{Quantity: aws.Int32(1), Items: []types.Origin{{
			Id: aws.String("media"), DomainName: aws.String("media.s3.localhost"),
			S3OriginConfig:        &types.S3OriginConfig{OriginAccessIdentity: aws.String("")},
			OriginAccessControlId: oac.OriginAccessControl.Id,
		}}},
		DefaultCacheBehavior: &types.DefaultCacheBehavior{
			TargetOriginId:       aws.String("media"),
			ViewerProtocolPolicy: types.ViewerProtocolPolicyAllowAll,
			TrustedKeyGroups:     &types.TrustedKeyGroups{Enabled: aws.Bool(true), Quantity: aws.Int32(1), Items: []string{*g.KeyGroup.Id}},
			CachePolicyId:        aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"), // CachingOptimized: one day
		},
	}
	created, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: dc})
	if err != nil {
		t.Fatal(err)
	}
	id, domainName := *created.Distribution.Id, *created.Distribution.DomainName
	if got := aws.ToString(created.Distribution.Status); got != "InProgress" {
		t.Errorf("CreateDistribution status %q, want InProgress", got)
	}
	views := func() []*edgeView {
		var out []*edgeView
		for i, e := range d.edges {
			out = append(out, newEdgeView(fmt.Sprintf("edge %d", i+1), e.urls["edge"], domainName))
		}
		return out
	}
	vs := views()
	expect := func(s *signing.Signer, wantStatus int, wantBody string) func(*edgeView) error {
		return func(v *edgeView) error {
			a := v.get(t, s, "/a.txt")
			if a.status != wantStatus || (wantBody != "" && a.body != wantBody) {
				return fmt.Errorf("got %s, want %d %q", a, wantStatus, wantBody)
			}
			return nil
		}
	}

	// 1. A new distribution: Deployed only once both edges serve it.
	d.awaitDeployed("new distribution", id, vs, expect(keys["k1"], 200, "version 1"))
	for _, v := range vs {
		if a := v.get(t, keys["k2"], "/a.txt"); a.status != 200 {
			t.Fatalf("%s: a URL signed with k2 before it leaves the group: %s", v.name, a)
		}
		if a := v.get(t, keys["k1"], "/a.txt"); a.xcache != "Hit from cloudfront" {
			t.Fatalf("%s: a second request: %s, want a Hit", v.name, a)
		}
	}

	// 2. k2 leaves the trusted group: Deployed means no edge accepts it.
	gc, err := cf.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: g.KeyGroup.Id})
	if err != nil {
		t.Fatal(err)
	}
	gc.KeyGroupConfig.Items = []string{keyIDs["k1"]}
	if _, err := cf.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: gc.ETag, KeyGroupConfig: gc.KeyGroupConfig}); err != nil {
		t.Fatal(err)
	}
	// The SDK's own waiter, polling fast, stands for a deployment script.
	waiter := cloudfront.NewDistributionDeployedWaiter(cf, func(o *cloudfront.DistributionDeployedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(ctx, &cloudfront.GetDistributionInput{Id: aws.String(id)}, 30*time.Second); err != nil {
		t.Fatalf("wait distribution-deployed after the key left the group: %v", err)
	}
	for _, v := range vs {
		if err := expect(keys["k2"], 403, "")(v); err != nil {
			t.Fatalf("the SDK's waiter returned after k2 left the group, then %s: %v", v.name, err)
		}
	}
	d.awaitDeployed("k2 left the group", id, vs, expect(keys["k2"], 403, ""))

	// 3. An invalidation is Completed only once both edges purged it.
	putObject("version 2")
	awaitCompleted := func(what, ref string) {
		t.Helper()
		inv, err := cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{DistributionId: aws.String(id), InvalidationBatch: &types.InvalidationBatch{
			CallerReference: aws.String(ref), Paths: &types.Paths{Quantity: aws.Int32(1), Items: []string{"/a.txt"}}}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(id), Id: inv.Invalidation.Id})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(got.Invalidation.Status) == "Completed" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not Completed within 30 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	awaitCompleted("invalidation with both edges up", "inv-1")
	for _, v := range vs {
		if a := v.get(t, keys["k1"], "/a.txt"); a.status != 200 || a.body != "version 2" || a.xcache != "Miss from cloudfront" {
			t.Fatalf("the invalidation said Completed, then %s answered %s; want 200 \"version 2\", a Miss", v.name, a)
		}
	}

	// 4. Edge 2 is killed. While it is down the object changes, an
	// invalidation and a new configuration (trust k3's group instead) are
	// made. Until edge 2 is stale they wait for it; then they no longer
	// do, and edge 1 serves them.
	killed := time.Now()
	d.edges[1].kill9()
	putObject("version 3")
	awaitCompleted("invalidation while edge 2 is down", "inv-2")
	dcOut, err := cf.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	dcOut.DistributionConfig.DefaultCacheBehavior.TrustedKeyGroups.Items = []string{*g3.KeyGroup.Id}
	if _, err := cf.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: aws.String(id), IfMatch: dcOut.ETag, DistributionConfig: dcOut.DistributionConfig}); err != nil {
		t.Fatal(err)
	}
	d.awaitDeployed("new key group with edge 2 down", id, vs[:1], expect(keys["k3"], 200, "version 3"))
	// Edge 2 reported at most its heartbeat (1 s) before the kill, and
	// holds things back until liveTimeout after that report.
	if waited := time.Since(killed); waited < liveTimeout-time.Second {
		t.Errorf("Deployed and Completed %s after edge 2 was killed, before it could be stale (live timeout %s)", waited, liveTimeout)
	}

	// 5. Edge 2 comes back on its data directory and catches up: the new
	// key group, and the invalidation made while it was down (its cache
	// on disk still holds version 2).
	d.edges[1] = d.startEdge(1)
	vs = views()
	waitFor(t, "the restarted edge serves the key group made while it was down", func() bool {
		return vs[1].get(t, keys["k1"], "/a.txt").status == 403
	})
	if a := vs[1].get(t, keys["k3"], "/a.txt"); a.status != 200 || a.body != "version 3" {
		t.Fatalf("the restarted edge answered %s, want 200 \"version 3\": it kept what an invalidation made while it was down purged", a)
	}

	// 6. The distribution is disabled: Deployed means no edge serves it.
	dcOut, err = cf.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	dcOut.DistributionConfig.Enabled = aws.Bool(false)
	if _, err := cf.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: aws.String(id), IfMatch: dcOut.ETag, DistributionConfig: dcOut.DistributionConfig}); err != nil {
		t.Fatal(err)
	}
	notServed := func(v *edgeView) error {
		if a := v.get(t, keys["k3"], "/a.txt"); a.status == 200 {
			return fmt.Errorf("the disabled distribution served %s", a)
		}
		return nil
	}
	if _, err := exec.LookPath("aws"); err == nil {
		// The AWS CLI's waiter polls every 60 s after a first poll that
		// finds the update in progress.
		cmd := exec.Command("aws", "--endpoint-url", d.ctl.urls["control API"], "cloudfront", "wait", "distribution-deployed", "--id", id)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+e2eAccessKey, "AWS_SECRET_ACCESS_KEY="+e2eSecretKey,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("aws cloudfront wait distribution-deployed: %v\n%s", err, out)
		}
		for _, v := range vs {
			if err := notServed(v); err != nil {
				t.Fatalf("aws cloudfront wait distribution-deployed returned, then %s: %v", v.name, err)
			}
		}
	}
	d.awaitDeployed("disabled", id, vs, notServed)

	// 7. Edge 1 stops for good: once stale it blocks nothing.
	d.edges[0].stop()
	stopped := time.Now()
	dcOut, err = cf.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	dcOut.DistributionConfig.Enabled = aws.Bool(true)
	if _, err := cf.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: aws.String(id), IfMatch: dcOut.ETag, DistributionConfig: dcOut.DistributionConfig}); err != nil {
		t.Fatal(err)
	}
	d.awaitDeployed("enabled again with edge 1 stopped", id, vs[1:], expect(keys["k3"], 200, "version 3"))
	if waited := time.Since(stopped); waited < liveTimeout-time.Second {
		t.Errorf("Deployed %s after edge 1 stopped, before it could be stale (live timeout %s)", waited, liveTimeout)
	}
	// The control plane checks the nodes every quarter of the live
	// timeout, so the line may follow Deployed by that much.
	waitFor(t, "the control plane logs the stale edge", func() bool {
		return strings.Contains(d.ctl.stderr.String(), "edge node is stale")
	})
}

// TestEdgeWithSharedStoreNeedsTheDeploymentsIdentity checks that an edge
// whose --store names a database without identity.json beside it stops
// with a message saying what to start first, instead of generating a
// secret the origin would not know.
func TestEdgeWithSharedStoreNeedsTheDeploymentsIdentity(t *testing.T) {
	ctlDir := t.TempDir()
	m := cli.NewMain()
	m.Getenv = func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	status := m.Run(context.Background(), []string{"serve", "--roles", "edge", "--data-dir", filepath.Join(t.TempDir(), "edge"),
		"--store", filepath.Join(ctlDir, "keyfront.db"), "--origin-s3-endpoint", "http://127.0.0.1:1", "--edge-addr", "127.0.0.1:0"},
		strings.NewReader(""), &stdout, &stderr)
	if status == 0 || !strings.Contains(stderr.String(), "identity.json") || !strings.Contains(stderr.String(), ctlDir) {
		t.Errorf("status %d, stderr %q; want a failure naming %s/identity.json", status, stderr.String(), ctlDir)
	}
	if _, err := os.Stat(filepath.Join(ctlDir, "identity.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the edge wrote an identity into the control plane's directory: %v", err)
	}
}
