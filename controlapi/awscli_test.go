package controlapi_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLI drives a few operations with the AWS CLI (botocore signs and
// serialises: no Content-Type, caller order, no XML declaration; §1),
// including the CLI's own customizations of create-distribution,
// update-distribution and create-invalidation (§12). Skipped when aws is
// not on PATH. The lead's end-to-end tests run the full seed flow.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		t.Skip("aws CLI not on PATH (or -short)")
	}
	e := newEnv(t, nil)
	dir := t.TempDir()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsPath, append([]string{"--endpoint-url", e.srv.URL, "--output", "json", "cloudfront"}, args...)...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws cloudfront %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		var m map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws cloudfront %s: %v\n%s", args[0], err, out)
			}
		}
		return m
	}
	get := func(m any, path ...string) any {
		for _, p := range path {
			m = m.(map[string]any)[p]
		}
		return m
	}

	cfg := filepath.Join(dir, "pk.json")
	b, _ := json.Marshal(map[string]string{"CallerReference": "cli-1", "Name": "cli-key", "EncodedKey": rsaPEM, "Comment": "from the CLI"})
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	pk := run("create-public-key", "--public-key-config", "file://"+cfg)
	keyID := get(pk, "PublicKey", "Id").(string)
	if got := get(pk, "PublicKey", "PublicKeyConfig", "EncodedKey"); got != rsaPEM {
		t.Errorf("EncodedKey = %q", got)
	}

	kg := run("create-key-group", "--key-group-config", "Name=cli-group,Items="+keyID)
	if got := get(kg, "KeyGroup", "KeyGroupConfig", "Items").([]any); len(got) != 1 || got[0] != keyID {
		t.Errorf("key group items = %v", got)
	}

	d := run("create-distribution", "--origin-domain-name", "media.s3.amazonaws.com", "--default-root-object", "index.html")
	distID := get(d, "Distribution", "Id").(string)
	if got := get(d, "Distribution", "DistributionConfig", "DefaultRootObject"); got != "index.html" {
		t.Errorf("DefaultRootObject = %v", got)
	}
	run("update-distribution", "--id", distID, "--default-root-object", "home.html")
	dc := run("get-distribution-config", "--id", distID)
	if got := get(dc, "DistributionConfig", "DefaultRootObject"); got != "home.html" {
		t.Errorf("after update-distribution --default-root-object: %v", got)
	}

	inv := run("create-invalidation", "--distribution-id", distID, "--paths", "/index.html", "images/*")
	if got := get(inv, "Invalidation", "Status"); got != "InProgress" {
		t.Errorf("invalidation status = %v", got)
	}
	invID := get(inv, "Invalidation", "Id").(string)
	run("wait", "invalidation-completed", "--distribution-id", distID, "--id", invID)
	run("wait", "distribution-deployed", "--id", distID)

	// The CLI paginates (botocore paginate.py) and keeps only the items.
	keys := run("list-public-keys")
	if items, _ := get(keys, "PublicKeyList", "Items").([]any); len(items) != 1 {
		t.Errorf("list-public-keys = %v", keys)
	}
	dists := run("list-distributions")
	if items, _ := get(dists, "DistributionList", "Items").([]any); len(items) != 1 {
		t.Errorf("list-distributions = %v", dists)
	}
}
