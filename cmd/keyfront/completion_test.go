package main_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCompletion checks that the completion scripts name every subcommand
// and their flags, and that bash accepts the script and completes with it.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh"} {
		out := mustRun(t, "", "completion", shell)
		for _, want := range []string{"serve", "sign-cookies", "--urls-from", "--edge-tls-addr", "--demo", "complete -F _keyfront keyfront"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s completion lacks %q", shell, want)
			}
		}
	}
	if r := run(t, "", "completion", "fish"); r.code != 2 || !strings.Contains(r.stderr, "bash") {
		t.Errorf("completion fish: exit %d, %q; want 2 naming the shells", r.code, r.stderr)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH, so the script is not run")
	}
	script := mustRun(t, "", "completion", "bash") +
		"\nCOMP_WORDS=(keyfront sign --urls); COMP_CWORD=2; _keyfront; echo \"${COMPREPLY[@]}\"\n" +
		"COMP_WORDS=(keyfront sig); COMP_CWORD=1; _keyfront; echo \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command(bash, "--norc", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || lines[0] != "--urls-from" || lines[1] != "sign sign-cookies" {
		t.Errorf("bash completions = %q, want [--urls-from, sign sign-cookies]", lines)
	}
}
