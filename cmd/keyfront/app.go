package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// version is the release this binary was built from, set at link time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/keyfront
var version = "dev"

// Exit statuses. sign and sign-cookies use the AWS CLI's (spec §14.3) so
// that scripts written for `aws cloudfront sign` keep working; the other
// subcommands use the usual 0/1/2.
const (
	statusOK      = 0
	statusFailure = 1   // verify: the request would be refused; others: a runtime failure
	statusUsage   = 2   // bad command line (keygen, verify, version, help)
	statusAWSArgs = 252 // AWS CLI: parameter validation failed
	statusAWSKey  = 255 // AWS CLI: any other error, here always a key problem
)

// Main is the keyfront program: it parses the command line into one
// subcommand, runs it and turns the outcome into an exit status. Tests run
// it whole, in process, with their own arguments and streams.
type Main struct {
	// Stdin, Stdout and Stderr are the program's streams. Run sets them.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Now returns the current time. NewMain sets time.Now; tests may pin it.
	Now func() time.Time
	// Getenv reads an environment variable. NewMain sets os.Getenv; tests
	// pass their own so that they do not depend on the machine's.
	Getenv func(string) string
	// OnListen, if set, is called by serve with each plane's name and URL
	// once it is listening; tests use it to find ports chosen with :0.
	OnListen func(plane, url string)

	name string  // the subcommand ParseFlags selected, e.g. "sign"
	cmd  command // nil until ParseFlags succeeds
}

// NewMain returns a Main that reads the real clock.
func NewMain() *Main {
	return &Main{Now: time.Now, Getenv: os.Getenv, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
}

// command is one subcommand: it owns a flag set, parses its arguments into
// fields, and runs.
type command interface {
	// flags returns the subcommand's flag set, for parsing and help.
	flags() *flagSet
	// parse parses the arguments after the subcommand's name and checks
	// them, returning a *usageError for anything wrong with them.
	parse(args []string) error
	// run does the work. Its errors carry their exit status (*exitError)
	// or are usage errors.
	run(ctx context.Context) error
	// usageStatus is the exit status of a usage error: the AWS CLI's 252
	// for sign and sign-cookies, 2 elsewhere.
	usageStatus() int
}

// subcommands lists the subcommands in the order help shows them.
var subcommands = []struct {
	name, summary string
	new           func(m *Main) command
}{
	{"serve", "run keyfront: the CloudFront-compatible control API", newServeCommand},
	{"keygen", "generate a key pair for signing (RSA 2048 or ECDSA P-256)", newKeygenCommand},
	{"sign", "sign a URL, as `aws cloudfront sign` does", newSignCommand},
	{"sign-cookies", "make signed cookies for a resource pattern", newSignCookiesCommand},
	{"verify", "explain whether a signed URL or cookies would be served, and why", newVerifyCommand},
	{"version", "print keyfront's version", newVersionCommand},
	{"completion", "print a bash or zsh completion script", newCompletionCommand},
}

// usageError is a mistake on the command line. Its status depends on the
// subcommand (see command.usageStatus).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError is a failure with a fixed exit status. An empty msg means the
// command already said everything (verify's verdict) and nothing more is
// printed.
type exitError struct {
	status int
	msg    string
}

func (e *exitError) Error() string { return e.msg }

// keyErrorf reports a problem with a key file: the AWS CLI exits 255 for
// those.
func keyErrorf(format string, args ...any) error {
	return &exitError{status: statusAWSKey, msg: fmt.Sprintf(format, args...)}
}

// errHelp asks Run to print help to stdout and exit 0.
var errHelp = errors.New("help requested")

// ParseFlags selects the subcommand named by args[0] and parses the rest of
// args into it. "help", "-h" and "--help" ask for help.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("missing subcommand; run 'keyfront help' for the list")
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if sub := lookup(args[1]); sub != nil {
				m.name, m.cmd = args[1], sub(m)
			} else {
				return usagef("unknown subcommand %q; run 'keyfront help' for the list", args[1])
			}
		}
		return errHelp
	case "-version", "--version":
		name = "version"
	}
	sub := lookup(name)
	if sub == nil {
		return usagef("unknown subcommand %q; run 'keyfront help' for the list", name)
	}
	m.name, m.cmd = name, sub(m)
	return m.cmd.parse(args[1:])
}

func lookup(name string) func(*Main) command {
	for _, s := range subcommands {
		if s.name == name {
			return s.new
		}
	}
	return nil
}

// Run parses args, runs the selected subcommand with the given streams and
// returns the process exit status. Errors are printed as one line on
// stderr, prefixed with the subcommand; stdout then stays empty.
func (m *Main) Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m.Stdin, m.Stdout, m.Stderr = stdin, stdout, stderr
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	err := m.ParseFlags(ctx, args)
	if err == nil {
		defer m.Close()
		err = m.cmd.run(ctx)
	}
	return m.exit(err)
}

// Close releases what the subcommand holds. The signing subcommands hold
// nothing; serve will.
func (m *Main) Close() error { return nil }

// exit prints err and returns its exit status.
func (m *Main) exit(err error) int {
	if err == nil {
		return statusOK
	}
	if errors.Is(err, errHelp) {
		if m.cmd == nil {
			m.printHelp(m.Stdout)
		} else {
			printCommandHelp(m.Stdout, m.name, m.cmd.flags())
		}
		return statusOK
	}
	prefix := "keyfront: "
	if m.name != "" {
		prefix = "keyfront " + m.name + ": "
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(m.Stderr, prefix+oneLine(ue.msg))
		if m.cmd == nil {
			return statusUsage
		}
		return m.cmd.usageStatus()
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(m.Stderr, prefix+oneLine(ee.msg))
		}
		return ee.status
	}
	fmt.Fprintln(m.Stderr, prefix+oneLine(err.Error()))
	return statusFailure
}

// oneLine keeps an error to one line whatever a library put in it, so that
// scripts can rely on one line per failure.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (m *Main) printHelp(w io.Writer) {
	fmt.Fprintf(w, "keyfront: a private content delivery system that speaks CloudFront's protocols.\n\n")
	fmt.Fprintf(w, "Usage:\n  keyfront <subcommand> [flags]\n\nSubcommands:\n")
	for _, s := range subcommands {
		fmt.Fprintf(w, "  %-13s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, "\nRun 'keyfront <subcommand> --help' for its flags.\n")
}

// versionCommand prints the version.
type versionCommand struct {
	m  *Main
	fs *flagSet
}

func newVersionCommand(m *Main) command {
	return &versionCommand{m: m, fs: newFlagSet("version", "keyfront version", "Print keyfront's version and the Go version it was built with.")}
}

func (c *versionCommand) flags() *flagSet  { return c.fs }
func (c *versionCommand) usageStatus() int { return statusUsage }
func (c *versionCommand) parse(a []string) error {
	_, err := c.fs.parse(a, 0)
	return err
}

func (c *versionCommand) run(context.Context) error {
	_, err := fmt.Fprintf(c.m.Stdout, "keyfront %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
