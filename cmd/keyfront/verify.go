package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"keyfront/signing"
)

// verifyCommand is `keyfront verify`: it evaluates a signed URL (and
// cookies) offline as the edge would, printing one line per check and a
// verdict. Exit status 0 means the edge would serve it, 1 that it would
// refuse it, 2 a usage error.
type verifyCommand struct {
	m         *Main
	fs        *flagSet
	cookies   stringList
	publicKey string
	keyPairID string
	nowFlag   string
	viewerIP  string
	endpoint  string

	req  signing.Request // filled by parse
	keys signing.KeyMap  // filled by run
}

func newVerifyCommand(m *Main) command {
	c := &verifyCommand{m: m}
	c.fs = newFlagSet("verify",
		"keyfront verify URL [--cookie NAME=VALUE ...] --public-key FILE --key-pair-id ID\n"+
			"                [--now TIME] [--viewer-ip IP]",
		"Explain whether a keyfront edge (or CloudFront) would serve URL with the given cookies,\n"+
			"checking the signature against one public key: one line per check, then the verdict.\n"+
			"URL is used exactly as written (scheme, host with port, raw path and query), as the edge\n"+
			"sees the request; cookies are examined only when the URL has no signing parameters.\n\n"+
			"Exit status: 0 would be served; 1 would be refused; 2 usage error.")
	c.fs.Var(&c.cookies, "cookie", "a cookie the viewer sends, `NAME=VALUE` (repeatable), e.g. CloudFront-Policy=...")
	c.fs.StringVar(&c.publicKey, "public-key", "", "the public key PEM (BEGIN PUBLIC KEY), as `FILE`, file://FILE or the PEM text")
	c.fs.StringVar(&c.keyPairID, "key-pair-id", "", "the `ID` under which the edge trusts --public-key")
	c.fs.StringVar(&c.nowFlag, "now", "", "evaluate as of `TIME` (default: now): "+dateHelp)
	c.fs.StringVar(&c.viewerIP, "viewer-ip", "", "the viewer's `IP` address, checked against an IP condition\n"+
		"(default: unknown, which no IP condition admits)")
	c.fs.StringVar(&c.endpoint, "endpoint", "", "ask a running keyfront control API at `URL` for the keys (not available yet)")
	return c
}

func (c *verifyCommand) flags() *flagSet  { return c.fs }
func (c *verifyCommand) usageStatus() int { return statusUsage }

func (c *verifyCommand) parse(args []string) error {
	pos, err := c.fs.parse(args, 1)
	if err != nil {
		return err
	}
	if c.endpoint != "" {
		return usagef("--endpoint is not available yet (it comes with the control API); use --public-key FILE --key-pair-id ID")
	}
	if len(pos) == 0 {
		return usagef("missing the URL to verify; run 'keyfront verify --help' for usage")
	}
	if err := c.fs.requireFlags("public-key", "key-pair-id"); err != nil {
		return err
	}
	scheme, host, uri, err := splitURL(pos[0])
	if err != nil {
		return usagef("%v", err)
	}
	c.req = signing.Request{Scheme: scheme, Host: host, RequestURI: uri, Now: c.m.Now()}
	if c.nowFlag != "" {
		if c.req.Now, err = parseDateFlag("now", c.nowFlag); err != nil {
			return err
		}
	}
	c.req.Now = c.req.Now.UTC()
	if c.viewerIP != "" {
		ip, err := netip.ParseAddr(c.viewerIP)
		if err != nil {
			return usagef("--viewer-ip %q is not an IP address, e.g. 192.0.2.10", c.viewerIP)
		}
		c.req.ViewerIP = ip
	}
	for _, ck := range c.cookies {
		name, _, ok := strings.Cut(ck, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return usagef("--cookie %q is not NAME=VALUE, e.g. --cookie CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F", ck)
		}
	}
	if len(c.cookies) > 0 {
		// One Cookie header, as a browser sends them (RFC 6265 §5.4).
		c.req.Cookies = []string{strings.Join(c.cookies, "; ")}
	}
	return nil
}

// splitURL splits an absolute URL into scheme, host (port kept) and
// request-target by hand: url.Parse and URL.String re-encode paths and
// queries, and the signature covers the bytes exactly as written (spec §5).
// The fragment is dropped because clients never send it.
func splitURL(raw string) (scheme, host, requestURI string, err error) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "", "", "", fmt.Errorf("URL %q must be absolute, e.g. https://d111111abcdef8.cloudfront.net/image.jpg?...", raw)
	}
	scheme = strings.ToLower(raw[:i])
	if scheme != "http" && scheme != "https" {
		return "", "", "", fmt.Errorf("URL %q must start with https:// or http://", raw)
	}
	rest := raw[i+3:]
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		rest = rest[:j]
	}
	host, requestURI = rest, "/"
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		host, requestURI = rest[:j], rest[j:]
		if rest[j] == '?' {
			// A client requests https://h?q as GET /?q.
			requestURI = "/" + requestURI
		}
	}
	if j := strings.LastIndexByte(host, '@'); j >= 0 {
		// Userinfo never reaches the Host header.
		host = host[j+1:]
	}
	if host == "" {
		return "", "", "", fmt.Errorf("URL %q has no host", raw)
	}
	return scheme, host, requestURI, nil
}

func (c *verifyCommand) run(context.Context) error {
	data, where, err := readKeyArg(c.publicKey, "--public-key")
	if err != nil {
		return usagef("%v", err)
	}
	pub, err := signing.ParsePublicKey(data)
	if err != nil {
		return usagef("public key %s: %v", where, err)
	}
	c.keys = signing.KeyMap{c.keyPairID: pub}

	viewer := "unknown viewer address (see --viewer-ip)"
	if c.req.ViewerIP.IsValid() {
		viewer = "viewer " + c.req.ViewerIP.String()
	}
	w := c.m.Stdout
	fmt.Fprintf(w, "checking as of %s, %s, trusting key %s (%s)\n",
		c.req.Now.Format(time.RFC3339), viewer, c.keyPairID, signing.DescribeKey(pub))
	_, checks := signing.Explain(&c.req, c.keys)
	for _, ch := range checks {
		mark := "ok  "
		if !ch.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, ch.Name, oneLine(ch.Detail))
	}
	// The verdict comes from Verify, the function the edge calls, so that
	// what verify prints can never disagree with what the edge does.
	_, verr := signing.Verify(&c.req, c.keys)
	if verr == nil {
		fmt.Fprintln(w, "would be served")
		return nil
	}
	var rej *signing.Rejection
	if !errors.As(verr, &rej) {
		return &exitError{status: statusFailure, msg: verr.Error()}
	}
	fmt.Fprintf(w, "refused: 403 %s (%s)\n", rej.Code, rej.Reason)
	return &exitError{status: statusFailure}
}
