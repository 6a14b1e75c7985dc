package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"keyfront/signing"
)

// signCommand is `keyfront sign`: `aws cloudfront sign` with the same flags,
// date formats, output and exit statuses (spec §14.3), plus
// --policy-resource, --hash-algorithm and batch signing with --urls-from.
type signCommand struct {
	m  *Main
	fs *flagSet
	signingFlags
	url            string
	policyResource string
	urlsFrom       string
}

func newSignCommand(m *Main) command {
	c := &signCommand{m: m}
	c.fs = newFlagSet("sign",
		"keyfront sign --url URL --key-pair-id ID --private-key file://KEY.pem --date-less-than TIME\n"+
			"              [--date-greater-than TIME] [--ip-address CIDR] [--policy-resource PATTERN]\n"+
			"              [--hash-algorithm SHA1|SHA256] [--urls-from FILE|-]",
		"Sign a URL for CloudFront (or a keyfront edge) as `aws cloudfront sign` does, and print it\n"+
			"without a trailing newline. The policy is canned unless --date-greater-than, --ip-address\n"+
			"or a --policy-resource other than the URL asks for a custom one. With --urls-from, the key is\n"+
			"read once and every non-empty line of FILE (- for stdin) is signed, one signed URL per output\n"+
			"line; on a bad line keyfront stops with an error naming it, after writing the URLs of the\n"+
			"lines before it.\n\n"+
			"Exit status: 0 signed; 252 bad arguments; 255 unusable private key.")
	c.fs.StringVar(&c.url, "url", "", "the `URL` to sign: absolute http(s), percent-encoded exactly as viewers will request it")
	c.signingFlags.register(c.fs)
	c.fs.StringVar(&c.policyResource, "policy-resource", "", "the custom policy's Resource, a `PATTERN` with * and ? wildcards\n"+
		"(e.g. https://d111.cloudfront.net/videos/*); the URL must match it")
	c.fs.StringVar(&c.urlsFrom, "urls-from", "", "sign every line of `FILE` (- for stdin) instead of --url")
	return c
}

func (c *signCommand) flags() *flagSet  { return c.fs }
func (c *signCommand) usageStatus() int { return statusAWSArgs }

func (c *signCommand) parse(args []string) error {
	if _, err := c.fs.parse(args, 0); err != nil {
		return err
	}
	required := []string{"url", "key-pair-id", "private-key", "date-less-than"}
	if c.urlsFrom != "" {
		if c.url != "" {
			return usagef("--url and --urls-from cannot be used together: sign one URL with --url, or a file of URLs with --urls-from")
		}
		required = required[1:]
	}
	if err := c.fs.requireFlags(required...); err != nil {
		return err
	}
	if err := c.signingFlags.check(); err != nil {
		return err
	}
	if c.policyResource != "" {
		if err := signing.ValidateResource(c.policyResource); err != nil {
			return usagef("invalid --policy-resource: %v", err)
		}
		c.terms.Resource = c.policyResource
	}
	if c.url != "" {
		if err := checkURLArg(c.url); err != nil {
			return usagef("--url %v", err)
		}
	}
	return nil
}

// checkURLArg catches the URL mistakes a user makes most (no scheme,
// spaces, a fragment) before the key is read, so that they are reported as
// argument errors whatever the key. SignURL checks the rest.
func checkURLArg(u string) error {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("%q must be an absolute URL starting with https:// or http://", u)
	}
	if err := signing.ValidateResource(u); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "resource "))
	}
	return nil
}

func (c *signCommand) run(ctx context.Context) error {
	if c.urlsFrom != "" {
		return c.runBatch(ctx)
	}
	signer, err := c.signer()
	if err != nil {
		return err
	}
	signed, err := signer.SignURL(c.url, c.terms)
	if err != nil {
		return usagef("%v", err)
	}
	// No trailing newline: `aws cloudfront sign` writes the URL alone
	// (sys.stdout.write), and scripts capture it with $(...).
	_, err = io.WriteString(c.m.Stdout, signed)
	return err
}

// batchSize is how many input lines runBatch signs at once: enough to keep
// every core busy, small enough that memory does not grow with the input.
const batchSize = 256

// batchLine is one non-empty input line and what became of it.
type batchLine struct {
	line   int    // 1-based line number in the input
	url    string // the URL as read, trimmed
	signed string
	err    error // a usage error naming the line
}

// runBatch signs one URL per input line with a key parsed once: this is
// what makes thousands of URLs cheap (one PEM parse, no process per URL).
// Lines are signed in batches spread over GOMAXPROCS workers — an RSA-2048
// signature costs about 2 ms of one core — and written in input order.
// At the first bad line, the lines before it have been written and the
// error names the bad one.
func (c *signCommand) runBatch(ctx context.Context) error {
	in, name, closeIn, err := c.openURLs()
	if err != nil {
		return err
	}
	defer closeIn()
	signer, err := c.signer()
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	w := bufio.NewWriter(c.m.Stdout)
	defer w.Flush()
	batch := make([]batchLine, 0, batchSize)
	line := 0
	for more := true; more; {
		batch = batch[:0]
		for len(batch) < batchSize {
			if more = sc.Scan(); !more {
				break
			}
			line++
			if u := strings.TrimSpace(sc.Text()); u != "" {
				batch = append(batch, batchLine{line: line, url: u})
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		c.signBatch(signer, name, batch)
		for _, b := range batch {
			if b.err != nil {
				return b.err
			}
			w.WriteString(b.signed)
			w.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return usagef("%s line %d: line longer than 1 MiB; put one URL per line", name, line+1)
		}
		return &exitError{status: statusFailure, msg: fmt.Sprintf("reading %s: %v", name, err)}
	}
	return w.Flush()
}

// signBatch signs every line of batch in place, on up to GOMAXPROCS
// goroutines.
func (c *signCommand) signBatch(signer *signing.Signer, name string, batch []batchLine) {
	workers := min(runtime.GOMAXPROCS(0), len(batch))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(batch); i = int(next.Add(1)) - 1 {
				b := &batch[i]
				if err := checkURLArg(b.url); err != nil {
					b.err = usagef("%s line %d: URL %v", name, b.line, err)
					continue
				}
				signed, err := signer.SignURL(b.url, c.terms)
				if err != nil {
					b.err = usagef("%s line %d: %v", name, b.line, err)
					continue
				}
				b.signed = signed
			}
		}()
	}
	wg.Wait()
}

// openURLs opens the --urls-from input: a file, or stdin for "-".
func (c *signCommand) openURLs() (r io.Reader, name string, closeFn func(), err error) {
	if c.urlsFrom == "-" {
		return c.m.Stdin, "stdin", func() {}, nil
	}
	path := strings.TrimPrefix(c.urlsFrom, "file://")
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, usagef("cannot read --urls-from: %v", err)
	}
	return f, path, func() { f.Close() }, nil
}
