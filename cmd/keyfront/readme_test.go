package main_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// step is one command of the README walkthrough and the output the README
// shows for it ("…" matches anything).
type step struct {
	cmd, want string
}

// readmeWalkthrough returns the commands of the README's walkthrough: the
// "$ " lines of its console blocks, each with the lines shown after it.
func readmeWalkthrough(t *testing.T) []step {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "\n## Walkthrough")
	if start < 0 {
		t.Fatal("README.md has no Walkthrough section")
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var steps []step
	inBlock := false
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "```console"):
			inBlock = true
		case strings.HasPrefix(line, "```"):
			inBlock = false
		case inBlock && strings.HasPrefix(line, "$ "):
			steps = append(steps, step{cmd: strings.TrimPrefix(line, "$ ")})
		case inBlock && len(steps) > 0:
			s := &steps[len(steps)-1]
			if s.want != "" {
				s.want += "\n"
			}
			s.want += line
		}
	}
	if len(steps) < 10 {
		t.Fatalf("README walkthrough has %d commands; the parser or the README is broken", len(steps))
	}
	return steps
}

// TestREADMEWalkthrough runs the README's walkthrough, command by command
// in one shell, against a real keyfront serve on free ports, and compares
// each command's output with what the README shows. The documentation
// therefore cannot drift from the product.
func TestREADMEWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws (the AWS CLI) is not on PATH: the walkthrough uses it; TestServeSeedEndToEnd runs the same steps through the AWS SDK for Go")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not on PATH: the walkthrough uses it")
	}
	steps := readmeWalkthrough(t)
	srv := startServe(t, t.TempDir(), nil)
	work := t.TempDir()
	bin := filepath.Join(t.TempDir(), "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "keyfront"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS(filepath.Join("..", "..", "examples"))); err != nil {
		t.Fatal(err)
	}

	// The README uses the default ports; the test server has free ones.
	hostport := func(u string) string { return strings.TrimPrefix(u, "http://") }
	edgePort := hostport(srv.edgeURL)[strings.LastIndexByte(hostport(srv.edgeURL), ':'):]
	ports := strings.NewReplacer(
		"127.0.0.1:7080", hostport(srv.edgeURL),
		"127.0.0.1:7081", hostport(srv.apiURL),
		"127.0.0.1:7082", hostport(srv.s3URL),
		":7080/", edgePort+"/",
	)
	var script strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&script, "echo '@@step %d'\n%s\necho \"@@status $?\"\n", i, ports.Replace(s.cmd))
	}
	cmd := exec.Command("bash", "--norc", "--noprofile")
	cmd.Dir = work
	cmd.Stdin = strings.NewReader(script.String())
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID="+e2eAccessKey, "AWS_SECRET_ACCESS_KEY="+e2eSecretKey, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(work, ".aws-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(work, ".aws-credentials"),
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\n%s", err, stderr.String())
	}

	outputs := strings.Split(stdout.String(), "@@step ")[1:]
	if len(outputs) != len(steps) {
		t.Fatalf("ran %d of %d walkthrough commands; stderr:\n%s", len(outputs), len(steps), stderr.String())
	}
	for i, out := range outputs {
		out = out[strings.IndexByte(out, '\n')+1:]
		body, status, _ := strings.Cut(out, "@@status ")
		if status = strings.TrimSpace(status); status != "0" {
			t.Errorf("README command %d exited %s:\n  $ %s\n%s", i+1, status, steps[i].cmd, body)
		}
		if !outputMatches(steps[i].want, body) {
			t.Errorf("README command %d:\n  $ %s\ngot:\n%s\nthe README shows:\n%s", i+1, steps[i].cmd, body, steps[i].want)
		}
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr.String())
	}
}

// outputMatches compares a command's output with the README's, where "…"
// stands for any text.
func outputMatches(want, got string) bool {
	trim := func(s string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		return strings.Join(lines, "\n")
	}
	want, got = trim(want), trim(got)
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)\A` + strings.Join(parts, ".*") + `\z`).MatchString(got)
}
