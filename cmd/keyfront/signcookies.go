package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"keyfront/signing"
)

// signCookiesCommand is `keyfront sign-cookies`: the AWS CLI's
// `sign-cookies` (a JSON object of cookie name → value), plus ready
// Set-Cookie lines with --output set-cookie (spec §14.3).
type signCookiesCommand struct {
	m  *Main
	fs *flagSet
	signingFlags
	resource     string
	output       string
	cookieDomain string
	cookiePath   string
	noSecure     bool
	noHTTPOnly   bool
	sameSite     string

	attrs signing.CookieAttributes // filled by parse
}

// cookieAttributeFlags only make sense with --output set-cookie.
var cookieAttributeFlags = []string{"cookie-domain", "cookie-path", "no-secure", "no-http-only", "same-site"}

func newSignCookiesCommand(m *Main) command {
	c := &signCookiesCommand{m: m}
	c.fs = newFlagSet("sign-cookies",
		"keyfront sign-cookies --resource PATTERN --key-pair-id ID --private-key file://KEY.pem --date-less-than TIME\n"+
			"              [--date-greater-than TIME] [--ip-address CIDR] [--hash-algorithm SHA1|SHA256]\n"+
			"              [--output json|set-cookie] [--cookie-domain DOMAIN] [--cookie-path /]\n"+
			"              [--no-secure] [--no-http-only] [--same-site lax|strict|none]",
		"Make CloudFront signed cookies granting --resource. A resource with * gets a custom policy\n"+
			"(CloudFront-Policy); one without grants exactly that URL with a canned policy\n"+
			"(CloudFront-Expires) unless --date-greater-than or --ip-address ask for a custom one.\n"+
			"Prints a JSON object of cookie name to value, as the AWS CLI does, or with --output set-cookie\n"+
			"one Set-Cookie header per cookie (Path /, Secure and HttpOnly unless turned off).\n\n"+
			"Exit status: 0 signed; 252 bad arguments; 255 unusable private key.")
	c.fs.StringVar(&c.resource, "resource", "", "the URL or `PATTERN` the cookies grant, with * and ? wildcards\n"+
		"(e.g. https://d111.cloudfront.net/videos/*)")
	c.signingFlags.register(c.fs)
	c.fs.StringVar(&c.output, "output", "json", "output `FORMAT`: json (cookie name to value) or set-cookie (Set-Cookie header lines)")
	c.fs.StringVar(&c.cookieDomain, "cookie-domain", "", "set-cookie: the Domain attribute (default: none, host-only cookies)")
	c.fs.StringVar(&c.cookiePath, "cookie-path", "/", "set-cookie: the Path attribute")
	c.fs.BoolVar(&c.noSecure, "no-secure", false, "set-cookie: omit Secure, so that browsers also send the cookies over plain HTTP")
	c.fs.BoolVar(&c.noHTTPOnly, "no-http-only", false, "set-cookie: omit HttpOnly, so that scripts can read the cookies")
	c.fs.StringVar(&c.sameSite, "same-site", "", "set-cookie: the SameSite attribute, a `MODE`: lax, strict or none (default: omitted)")
	return c
}

func (c *signCookiesCommand) flags() *flagSet  { return c.fs }
func (c *signCookiesCommand) usageStatus() int { return statusAWSArgs }

func (c *signCookiesCommand) parse(args []string) error {
	if _, err := c.fs.parse(args, 0); err != nil {
		return err
	}
	if err := c.fs.requireFlags("resource", "key-pair-id", "private-key", "date-less-than"); err != nil {
		return err
	}
	if err := c.signingFlags.check(); err != nil {
		return err
	}
	if err := signing.ValidateResource(c.resource); err != nil {
		return usagef("invalid --resource: %v", err)
	}
	c.terms.Resource = c.resource
	switch c.output {
	case "json":
		for _, name := range cookieAttributeFlags {
			if c.fs.isSet(name) {
				return usagef("--%s applies only to --output set-cookie; JSON output has names and values only", name)
			}
		}
		return nil
	case "set-cookie":
	default:
		return usagef("--output %q is not supported; use json or set-cookie", c.output)
	}
	return c.parseAttributes()
}

// parseAttributes checks the Set-Cookie attributes. net/http silently drops
// a Domain or Path it finds invalid, which would give cookies that browsers
// never send where the user expects; refuse such values instead.
func (c *signCookiesCommand) parseAttributes() error {
	if d := c.cookieDomain; d != "" {
		for i := 0; i < len(d); i++ {
			if ch := d[i]; !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '.' || ch == '-') {
				return usagef("--cookie-domain %q is not a domain name (letters, digits, '.' and '-' only), e.g. .example.com", d)
			}
		}
	}
	if !strings.HasPrefix(c.cookiePath, "/") {
		return usagef("--cookie-path %q must start with /", c.cookiePath)
	}
	for i := 0; i < len(c.cookiePath); i++ {
		if ch := c.cookiePath[i]; ch < 0x21 || ch > 0x7e || ch == ';' {
			return usagef("--cookie-path %q has a space, ';' or non-ASCII byte; percent-encode it", c.cookiePath)
		}
	}
	c.attrs = signing.CookieAttributes{Domain: c.cookieDomain, Path: c.cookiePath, Secure: !c.noSecure, HttpOnly: !c.noHTTPOnly}
	switch strings.ToLower(c.sameSite) {
	case "":
	case "lax":
		c.attrs.SameSite = http.SameSiteLaxMode
	case "strict":
		c.attrs.SameSite = http.SameSiteStrictMode
	case "none":
		// Browsers drop SameSite=None cookies that are not Secure.
		if c.noSecure {
			return usagef("--same-site none needs Secure cookies: browsers reject SameSite=None without Secure; drop --no-secure")
		}
		c.attrs.SameSite = http.SameSiteNoneMode
	default:
		return usagef("--same-site %q is not supported; use lax, strict or none", c.sameSite)
	}
	return nil
}

func (c *signCookiesCommand) run(context.Context) error {
	signer, err := c.signer()
	if err != nil {
		return err
	}
	cookies, err := signer.SignCookies(c.terms)
	if err != nil {
		return usagef("%v", err)
	}
	var out []byte
	if c.output == "set-cookie" {
		for _, ck := range cookies {
			out = append(out, "Set-Cookie: "+c.attrs.SetCookie(ck)+"\n"...)
		}
	} else {
		out = cookiesJSON(cookies)
	}
	_, err = c.m.Stdout.Write(out)
	return err
}

// cookiesJSON formats cookies as the AWS CLI prints its JSON output: an
// object indented by four spaces, members in emission order, a final
// newline. encoding/json would sort a map's keys, hence the hand-made object.
func cookiesJSON(cookies []signing.Cookie) []byte {
	var b bytes.Buffer
	b.WriteString("{")
	for i, ck := range cookies {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		writeJSONString(&b, ck.Name)
		b.WriteString(": ")
		writeJSONString(&b, ck.Value)
	}
	if len(cookies) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func writeJSONString(w io.Writer, s string) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.Encode(s) // a string always encodes
	w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
