package main_test

import (
	"runtime"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"help", []string{"help"}, []string{"keygen", "sign", "sign-cookies", "verify", "version"}},
		{"--help", []string{"--help"}, []string{"keygen", "sign-cookies"}},
		{"-h", []string{"-h"}, []string{"verify"}},
		{"help sign", []string{"help", "sign"}, []string{"--url", "--urls-from"}},
		// The flags of DESIGN.md's command-line contract, per subcommand.
		{"keygen --help", []string{"keygen", "--help"}, []string{"--type", "--out", "--pubout", "--format", "--force"}},
		{"sign --help", []string{"sign", "--help"}, []string{"--url", "--key-pair-id", "--private-key", "--date-less-than",
			"--date-greater-than", "--ip-address", "--policy-resource", "--hash-algorithm", "--urls-from", "Exit status"}},
		{"sign-cookies --help", []string{"sign-cookies", "-h"}, []string{"--resource", "--key-pair-id", "--private-key",
			"--date-less-than", "--date-greater-than", "--ip-address", "--hash-algorithm", "--output", "--cookie-domain",
			"--cookie-path", "--no-secure", "--no-http-only", "--same-site"}},
		{"verify --help", []string{"verify", "--help"}, []string{"--cookie", "--public-key", "--key-pair-id", "--now", "--viewer-ip", "--endpoint"}},
		{"version --help", []string{"version", "--help"}, []string{"keyfront version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "missing subcommand"},
		{"unknown subcommand", []string{"serve-all"}, `unknown subcommand "serve-all"`},
		{"help for unknown subcommand", []string{"help", "nope"}, `unknown subcommand "nope"`},
		{"version with argument", []string{"version", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFailure(t, run(t, "", tt.args...), 2, tt.want)
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		got := mustRun(t, "", args...)
		want := "keyfront dev " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
		if got != want {
			t.Errorf("keyfront %s = %q, want %q", args[0], got, want)
		}
	}
}
