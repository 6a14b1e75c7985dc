package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsControl runs `aws --endpoint-url URL cloudfront ARGS` with the e2e
// credentials and decodes its JSON output into out (when non-nil).
func awsControl(t *testing.T, aws, url string, out any, args ...string) error {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(aws, append([]string{"--endpoint-url", url, "--output", "json", "cloudfront"}, args...)...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+e2eAccessKey,
		"AWS_SECRET_ACCESS_KEY="+e2eSecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return &cliError{args: args, stderr: stderr.String(), err: err}
	}
	// The CLI prints nothing for an auto-paginated list that came back
	// empty, as it does against CloudFront.
	if out != nil && len(strings.TrimSpace(string(stdout))) > 0 {
		if err := json.Unmarshal(stdout, out); err != nil {
			t.Fatalf("aws cloudfront %s: output is not JSON (%v): %s", args[0], err, stdout)
		}
	}
	return nil
}

type cliError struct {
	args   []string
	stderr string
	err    error
}

func (e *cliError) Error() string {
	return "aws cloudfront " + strings.Join(e.args, " ") + ": " + e.err.Error() + ": " + strings.TrimSpace(e.stderr)
}

// TestServeAWSCLISeedFlow drives the seed steps with the AWS CLI against a
// real `keyfront serve`: the commands a user copies from an AWS tutorial,
// with only --endpoint-url added.
func TestServeAWSCLISeedFlow(t *testing.T) {
	aws := awsCLI(t)
	srv := startServe(t, t.TempDir(), nil)
	kp := newKeyPair(t)
	dir := t.TempDir()
	must := func(out any, args ...string) {
		t.Helper()
		if err := awsControl(t, aws, srv.apiURL, out, args...); err != nil {
			t.Fatal(err)
		}
	}

	// create-public-key with EncodedKey read from public_key.pem.
	pkConfig := map[string]string{"CallerReference": "cli-seed", "Name": "cli-seed-key",
		"EncodedKey": string(readFile(t, kp.pub)), "Comment": "seed key"}
	writeJSON(t, filepath.Join(dir, "pk.json"), pkConfig)
	var pk struct {
		ETag      string
		PublicKey struct {
			Id              string
			PublicKeyConfig struct{ EncodedKey, Comment string }
		}
	}
	must(&pk, "create-public-key", "--public-key-config", "file://"+filepath.Join(dir, "pk.json"))
	if pk.PublicKey.PublicKeyConfig.EncodedKey != string(readFile(t, kp.pub)) {
		t.Errorf("EncodedKey echoed as %q, want the PEM as uploaded", pk.PublicKey.PublicKeyConfig.EncodedKey)
	}

	var kg struct {
		ETag     string
		KeyGroup struct{ Id string }
	}
	must(&kg, "create-key-group", "--key-group-config", `{"Name":"cli-seed-group","Items":["`+pk.PublicKey.Id+`"]}`)

	dist := map[string]any{
		"CallerReference": "cli-seed-dist",
		"Comment":         "private downloads",
		"Enabled":         true,
		"Origins": map[string]any{"Quantity": 1, "Items": []any{map[string]any{
			"Id": "downloads", "DomainName": "downloads.s3.localhost",
			"S3OriginConfig": map[string]any{"OriginAccessIdentity": ""},
		}}},
		"DefaultCacheBehavior": map[string]any{
			"TargetOriginId":       "downloads",
			"ViewerProtocolPolicy": "https-only",
			"TrustedKeyGroups":     map[string]any{"Enabled": true, "Quantity": 1, "Items": []string{kg.KeyGroup.Id}},
			"CachePolicyId":        "658327ea-f89d-4fab-a63d-7e88639e58f6",
		},
	}
	writeJSON(t, filepath.Join(dir, "dist.json"), dist)
	var created struct {
		ETag         string
		Distribution struct {
			Id, Status, DomainName string
		}
	}
	must(&created, "create-distribution", "--distribution-config", "file://"+filepath.Join(dir, "dist.json"))
	if !strings.HasSuffix(created.Distribution.DomainName, ".cloudfront.localhost") {
		t.Errorf("DomainName = %q", created.Distribution.DomainName)
	}

	var got struct {
		ETag         string
		Distribution struct {
			Status                 string
			ActiveTrustedKeyGroups struct {
				Enabled bool
				Items   []struct {
					KeyGroupId string
					KeyPairIds struct{ Items []string }
				}
			}
		}
	}
	must(&got, "get-distribution", "--id", created.Distribution.Id)
	if got.Distribution.Status != "Deployed" || len(got.Distribution.ActiveTrustedKeyGroups.Items) != 1 ||
		got.Distribution.ActiveTrustedKeyGroups.Items[0].KeyPairIds.Items[0] != pk.PublicKey.Id {
		t.Errorf("get-distribution = %+v, want Deployed, trusting %s", got.Distribution, pk.PublicKey.Id)
	}
	// The CLI paginates list commands itself and prints the merged Items
	// (without Quantity); --no-paginate shows the single page as sent.
	var list struct {
		DistributionList struct {
			Items []struct{ Id string }
		}
	}
	must(&list, "list-distributions")
	if len(list.DistributionList.Items) != 1 || list.DistributionList.Items[0].Id != created.Distribution.Id {
		t.Errorf("list-distributions = %+v, want [%s]", list.DistributionList, created.Distribution.Id)
	}
	var keys struct {
		PublicKeyList struct {
			Quantity, MaxItems int
			Items              []struct{ Id string }
		}
	}
	must(&keys, "list-public-keys", "--no-paginate")
	if keys.PublicKeyList.Quantity != 1 || keys.PublicKeyList.MaxItems != 100 || len(keys.PublicKeyList.Items) != 1 {
		t.Errorf("list-public-keys --no-paginate = %+v, want 1 of at most 100", keys.PublicKeyList)
	}

	// update-public-key: Comment only, with --if-match; a stale ETag fails.
	pkConfig["Comment"] = "rotated next month"
	writeJSON(t, filepath.Join(dir, "pk.json"), pkConfig)
	var updated struct{ ETag string }
	must(&updated, "update-public-key", "--id", pk.PublicKey.Id, "--if-match", pk.ETag,
		"--public-key-config", "file://"+filepath.Join(dir, "pk.json"))
	err := awsControl(t, aws, srv.apiURL, nil, "update-public-key", "--id", pk.PublicKey.Id, "--if-match", pk.ETag,
		"--public-key-config", "file://"+filepath.Join(dir, "pk.json"))
	if err == nil || !strings.Contains(err.Error(), "PreconditionFailed") {
		t.Errorf("update with a stale ETag: %v, want PreconditionFailed", err)
	}

	// Disable, then delete everything in order.
	dist["Enabled"] = false
	writeJSON(t, filepath.Join(dir, "dist.json"), dist)
	var disabled struct{ ETag string }
	must(&disabled, "update-distribution", "--id", created.Distribution.Id, "--if-match", got.ETag,
		"--distribution-config", "file://"+filepath.Join(dir, "dist.json"))
	must(nil, "delete-distribution", "--id", created.Distribution.Id, "--if-match", disabled.ETag)
	must(nil, "delete-key-group", "--id", kg.KeyGroup.Id, "--if-match", kg.ETag)
	must(nil, "delete-public-key", "--id", pk.PublicKey.Id, "--if-match", updated.ETag)
	keys.PublicKeyList.Quantity = -1
	must(&keys, "list-public-keys", "--no-paginate")
	if keys.PublicKeyList.Quantity != 0 {
		t.Errorf("list-public-keys after delete: Quantity = %d, want 0", keys.PublicKeyList.Quantity)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data, 0o644)
}
