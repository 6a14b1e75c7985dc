package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI returns the path of the AWS CLI, or skips the test.
func awsCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (the AWS CLI) is not on PATH, so byte-identity with `aws cloudfront sign` is not checked here")
	}
	return path
}

// runAWS runs the AWS CLI offline: `aws cloudfront sign` needs no
// credentials and makes no request, but the CLI looks for a configuration,
// so it gets dummy credentials and a region, and no config files.
func runAWS(t *testing.T, aws string, args ...string) (stdout string, err error) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(aws, args...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Logf("aws %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), err
}

// TestSignMatchesAWSCLI checks the contract of DESIGN.md: with the same RSA
// key and inputs, `keyfront sign` prints exactly what `aws cloudfront sign`
// prints, byte for byte, trailing newline (none) included.
func TestSignMatchesAWSCLI(t *testing.T) {
	aws := awsCLI(t)
	k := newKeyPair(t) // RSA-2048, PKCS#1: the only form AWS CLI v1 loads
	const h = "https://d111111abcdef8.cloudfront.net"
	tests := []struct {
		name string
		args []string
	}{
		{"canned", []string{"--url", h + "/image.jpg", "--date-less-than", "2030-01-01"}},
		{"canned epoch seconds", []string{"--url", h + "/image.jpg", "--date-less-than", "1767290400"}},
		{"canned time with offset", []string{"--url", h + "/image.jpg", "--date-less-than", "2030-01-01T10:30:00+02:00"}},
		{"canned time UTC", []string{"--url", h + "/image.jpg", "--date-less-than", "2030-01-01T10:30:00"}},
		{"canned existing query", []string{"--url", h + "/image.jpg?size=large&license=yes", "--date-less-than", "2030-01-01"}},
		{"canned percent-encoded path", []string{"--url", h + "/my%20videos/%7Euser/clip.mp4", "--date-less-than", "2030-01-01"}},
		{"canned port", []string{"--url", "http://cdn.example.com:8080/a.txt", "--date-less-than", "2030-01-01"}},
		{"custom date-greater-than", []string{"--url", h + "/video.mp4", "--date-less-than", "2030-01-01", "--date-greater-than", "2026-01-01T08:00:00"}},
		{"custom ip bare", []string{"--url", h + "/document.pdf", "--date-less-than", "2030-01-01", "--ip-address", "192.0.2.10"}},
		{"custom ip range", []string{"--url", h + "/document.pdf", "--date-less-than", "2030-01-01", "--ip-address", "192.168.0.0/24"}},
		{"custom ip and date-greater-than", []string{"--url", h + "/document.pdf", "--date-less-than", "2030-01-01",
			"--date-greater-than", "2026-01-01", "--ip-address", "10.0.0.0/8"}},
		{"custom existing query", []string{"--url", h + "/image.jpg?size=large", "--date-less-than", "2030-01-01", "--ip-address", "10.0.0.0/8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--key-pair-id", keyID, "--private-key", "file://" + k.priv}, tt.args...)
			want, err := runAWS(t, aws, append([]string{"cloudfront", "sign"}, args...)...)
			if err != nil {
				t.Fatalf("aws cloudfront sign failed: %v", err)
			}
			got := mustRun(t, "", append([]string{"sign"}, args...)...)
			if got != want {
				t.Errorf("keyfront sign differs from aws cloudfront sign\n got: %q\nwant: %q", got, want)
			}
		})
	}
}
