package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"keyfront"
	"keyfront/signing"
)

// verifyCommand is `keyfront verify`: it evaluates a signed URL (and
// cookies) as the edge would, printing one line per check and a verdict:
// offline against one public key, or with --endpoint by asking a running
// keyfront, whose edge evaluates the request against its whole
// configuration. Exit status 0 means the edge would serve it, 1 that it
// would refuse it, 2 a usage error.
type verifyCommand struct {
	m         *Main
	fs        *flagSet
	cookies   stringList
	publicKey string
	keyPairID string
	nowFlag   string
	viewerIP  string
	endpoint  string
	method    string

	req  signing.Request // filled by parse
	keys signing.KeyMap  // filled by run

	// With --endpoint, filled by parse.
	vreq  keyfront.VerifyRequest
	creds aws.Credentials
}

// verifyPath is the control API route that evaluates a request on the
// edge (controlapi, handleVerify).
const verifyPath = "/keyfront/v1/verify"

// endpointTimeout bounds a --endpoint call: connecting, the evaluation
// and the answer.
const endpointTimeout = 30 * time.Second

func newVerifyCommand(m *Main) command {
	c := &verifyCommand{m: m}
	c.fs = newFlagSet("verify",
		"keyfront verify URL [--cookie NAME=VALUE ...] [--public-key FILE --key-pair-id ID | --endpoint URL]\n"+
			"                [--now TIME] [--viewer-ip IP] [--method METHOD]",
		"Explain whether a keyfront edge (or CloudFront) would serve URL with the given cookies:\n"+
			"one line per check, then the verdict.\n"+
			"With --public-key and --key-pair-id the signature is checked offline against that one key.\n"+
			"With --endpoint the control API of a running keyfront (whose process also runs the edge) has\n"+
			"its edge evaluate the request exactly as it would serve it: distribution, cache behavior,\n"+
			"protocol, method, the key groups the behavior trusts, then the signature and policy checks.\n"+
			"The call is signed with SigV4 using AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and\n"+
			"AWS_SESSION_TOKEN if set), the credentials keyfront serve prints.\n"+
			"URL is used exactly as written (scheme, host with port, raw path and query), as the edge\n"+
			"sees the request; cookies are examined only when the URL has no signing parameters.\n\n"+
			"Exit status: 0 would be served; 1 would be refused; 2 usage error (including an endpoint\n"+
			"that cannot be reached or refuses the credentials).")
	c.fs.Var(&c.cookies, "cookie", "a cookie the viewer sends, `NAME=VALUE` (repeatable), e.g. CloudFront-Policy=...")
	c.fs.StringVar(&c.publicKey, "public-key", "", "the public key PEM (BEGIN PUBLIC KEY), as `FILE`, file://FILE or the PEM text")
	c.fs.StringVar(&c.keyPairID, "key-pair-id", "", "the `ID` under which the edge trusts --public-key")
	c.fs.StringVar(&c.nowFlag, "now", "", "evaluate as of `TIME` (default: now; with --endpoint, the server's clock): "+dateHelp)
	c.fs.StringVar(&c.viewerIP, "viewer-ip", "", "the viewer's `IP` address, checked against an IP condition\n"+
		"(default: unknown, which no IP condition admits)")
	c.fs.StringVar(&c.endpoint, "endpoint", "", "the control API `URL` of a running keyfront, e.g. http://127.0.0.1:7081,\n"+
		"whose edge evaluates the request (instead of --public-key and --key-pair-id)")
	c.fs.StringVar(&c.method, "method", "", "the request `METHOD`, checked against the behavior's AllowedMethods (with --endpoint; default GET)")
	return c
}

func (c *verifyCommand) flags() *flagSet  { return c.fs }
func (c *verifyCommand) usageStatus() int { return statusUsage }

func (c *verifyCommand) parse(args []string) error {
	pos, err := c.fs.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("missing the URL to verify; run 'keyfront verify --help' for usage")
	}
	if c.endpoint != "" {
		if c.fs.isSet("public-key") || c.fs.isSet("key-pair-id") {
			return usagef("--endpoint and --public-key/--key-pair-id are mutually exclusive: the endpoint's edge uses the keys its cache behaviors trust")
		}
		if err := c.parseEndpoint(); err != nil {
			return err
		}
	} else {
		if c.method != "" {
			return usagef("--method needs --endpoint: offline, only the signature is checked")
		}
		if err := c.fs.requireFlags("public-key", "key-pair-id"); err != nil {
			return err
		}
	}
	scheme, host, uri, err := signing.SplitURL(pos[0])
	if err != nil {
		return usagef("%v", err)
	}
	c.req = signing.Request{Scheme: scheme, Host: host, RequestURI: uri, Now: c.m.Now()}
	c.vreq.URL = pos[0]
	if c.nowFlag != "" {
		if c.req.Now, err = parseDateFlag("now", c.nowFlag); err != nil {
			return err
		}
		// Without --now the endpoint's edge judges by its own clock.
		c.vreq.Time = c.req.Now.UTC()
	}
	c.req.Now = c.req.Now.UTC()
	if c.viewerIP != "" {
		ip, err := netip.ParseAddr(c.viewerIP)
		if err != nil {
			return usagef("--viewer-ip %q is not an IP address, e.g. 192.0.2.10", c.viewerIP)
		}
		c.req.ViewerIP = ip
		c.vreq.ViewerIP = ip
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
		c.vreq.Cookies = c.req.Cookies
	}
	return nil
}

// parseEndpoint checks --endpoint and --method and reads the credentials
// the call is signed with.
func (c *verifyCommand) parseEndpoint() error {
	u, err := url.Parse(c.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return usagef("--endpoint %q is not the URL of a control API, e.g. http://127.0.0.1:7081", c.endpoint)
	}
	c.vreq.Method = c.method
	if c.method != "" && strings.ContainsAny(c.method, " \t\r\n/:;,") {
		return usagef("--method %q is not an HTTP method, e.g. GET", c.method)
	}
	akid, secret := c.m.Getenv("AWS_ACCESS_KEY_ID"), c.m.Getenv("AWS_SECRET_ACCESS_KEY")
	if akid == "" || secret == "" {
		return usagef("--endpoint needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the administrator's (keyfront serve prints the export lines)")
	}
	c.creds = aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: c.m.Getenv("AWS_SESSION_TOKEN")}
	return nil
}

func (c *verifyCommand) run(ctx context.Context) error {
	if c.endpoint != "" {
		return c.runEndpoint(ctx)
	}
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
		printCheck(w, ch.Name, ch.OK, ch.Detail)
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

// printCheck writes one check as one line: "ok  " or "FAIL", its name and
// what was found.
func printCheck(w io.Writer, name string, ok bool, detail string) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
	}
	fmt.Fprintf(w, "%s %s: %s\n", mark, name, oneLine(detail))
}

// runEndpoint has the endpoint's edge evaluate the request and prints its
// checks and verdict. Everything that keeps an answer from coming (no
// connection, credentials refused, no edge in that process) is a usage
// error: the verdict is unknown, not "refused".
func (c *verifyCommand) runEndpoint(ctx context.Context) error {
	body, err := json.Marshal(c.vreq)
	if err != nil {
		return err
	}
	target := strings.TrimRight(c.endpoint, "/") + verifyPath
	ctx, cancel := context.WithTimeout(ctx, endpointTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return usagef("--endpoint %q: %v", c.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	// The control API authenticates keyfront's own routes as CloudFront's:
	// SigV4, service cloudfront, region us-east-1 (control-api.md §12).
	if err := v4.NewSigner().SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "cloudfront", "us-east-1", c.m.Now()); err != nil {
		return usagef("sign the request to %s: %v", target, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return usagef("cannot reach the control API at %s: %v", c.endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return usagef("read the answer of the control API at %s: %v", c.endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return usagef("the control API at %s answered %s", c.endpoint, describeAPIError(resp.StatusCode, raw))
	}
	var res keyfront.VerifyResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return usagef("the answer of %s is not a verification (%v); is it a keyfront control API?", target, err)
	}
	c.printResult(&res)
	if res.Served {
		return nil
	}
	return &exitError{status: statusFailure}
}

// printResult writes the endpoint's verdict: what it was judged as, one
// line per check, then "would be served" or "refused: STATUS [CODE]
// (reason)".
func (c *verifyCommand) printResult(res *keyfront.VerifyResult) {
	w := c.m.Stdout
	clock := "--now"
	if res.ServerClock {
		clock = "server clock"
	}
	viewer := "unknown viewer address (see --viewer-ip)"
	if c.vreq.ViewerIP.IsValid() {
		viewer = "viewer " + c.vreq.ViewerIP.String()
	}
	method := c.vreq.Method
	if method == "" {
		method = http.MethodGet
	}
	fmt.Fprintf(w, "checking %s as of %s (%s), %s, on the edge of %s\n",
		method, res.Time.UTC().Format(time.RFC3339), clock, viewer, c.endpoint)
	for _, ch := range res.Checks {
		printCheck(w, ch.Name, ch.OK, ch.Detail)
	}
	if res.Served {
		fmt.Fprintln(w, "would be served")
		return
	}
	verdict := fmt.Sprintf("refused: %d ", res.Status)
	if res.Code != "" {
		verdict += res.Code + " "
	}
	verdict += "(" + res.Reason + ")"
	if res.Location != "" {
		verdict += " to " + res.Location
	}
	fmt.Fprintln(w, verdict)
}

// describeAPIError turns a control API error answer (CloudFront's
// ErrorResponse XML) into "STATUS CODE: message".
func describeAPIError(status int, body []byte) string {
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	if xml.Unmarshal(body, &e) != nil || e.Code == "" {
		return fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	return fmt.Sprintf("%d %s: %s", status, e.Code, e.Message)
}
