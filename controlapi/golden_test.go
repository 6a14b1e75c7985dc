package controlapi_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"keyfront/controlapi"
	"keyfront/inmem"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenEnv is a Server with a fixed clock and a seeded random source, so
// that IDs, ETags and times, and therefore whole responses, are
// reproducible. Requests are unsigned (Authenticate lets everything
// through): the golden tests are about bytes, the SDK tests about signing.
type goldenEnv struct {
	t   *testing.T
	srv *httptest.Server
}

func newGoldenEnv(t *testing.T) *goldenEnv {
	t.Helper()
	cfg := controlapi.Config{
		Store:        inmem.New(),
		Authenticate: func(*http.Request) error { return nil },
		AccountID:    testAccountID,
		EdgeDomain:   "cloudfront.localhost",
		BaseURL:      "https://cloudfront.keyfront.test/",
		Now:          fixedClock(),
		Rand:         rand.NewChaCha8([32]byte{'k', 'e', 'y', 'f', 'r', 'o', 'n', 't'}),
	}
	g := &goldenEnv{t: t, srv: httptest.NewServer(controlapi.NewServer(cfg))}
	t.Cleanup(g.srv.Close)
	return g
}

// response is what a golden file records.
type response struct {
	status int
	header http.Header
	body   string
}

func (g *goldenEnv) do(method, path, body string, header ...string) response {
	g.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	resp, b := rawRequest(g.t, g.srv, method, path, body, h)
	return response{resp.StatusCode, resp.Header, b}
}

// ok is do that fails the test unless the status is 2xx.
func (g *goldenEnv) ok(method, path, body string, header ...string) response {
	g.t.Helper()
	r := g.do(method, path, body, header...)
	if r.status/100 != 2 {
		g.t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	return r
}

var (
	idRE   = regexp.MustCompile(`<Id>([^<]*)</Id>`)
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// id returns the first <Id> of a response.
func (r response) id() string {
	m := idRE.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (r response) etag() string { return r.header.Get("ETag") }

// format renders the parts of a response the golden files pin down.
func (r response) format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s\n", r.status, http.StatusText(r.status))
	for _, h := range []string{"Content-Type", "ETag", "Location"} {
		if v := r.header.Get(h); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	b.WriteString("\n")
	b.WriteString(r.body)
	return b.String()
}

// golden compares r with testdata/<name>/response.txt, rewriting it under
// -update. Every response must carry a request ID (§1).
func (g *goldenEnv) golden(name string, r response) {
	g.t.Helper()
	if id := r.header.Get("X-Amzn-Requestid"); !uuidRE.MatchString(id) {
		g.t.Errorf("%s: x-amzn-RequestId = %q, want a UUID", name, id)
	}
	path := filepath.Join("testdata", name, "response.txt")
	got := r.format()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			g.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		g.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		g.t.Errorf("%s: response differs from %s\n got: %s\nwant: %s", name, path, got, want)
	}
}

// request reads testdata/<name>/request.xml, replacing {{KEY}} placeholders.
func request(tb testing.TB, name string, vars ...string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name, "request.xml"))
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(vars); i += 2 {
		b = bytes.ReplaceAll(b, []byte("{{"+vars[i]+"}}"), []byte(vars[i+1]))
	}
	return string(b)
}

func publicKeyXML(ref, name, encodedKey, comment string) string {
	c := ""
	if comment != "" {
		c = "<Comment>" + comment + "</Comment>"
	}
	return `<PublicKeyConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>` + ref +
		`</CallerReference><Name>` + name + `</Name><EncodedKey>` + encodedKey + `</EncodedKey>` + c + `</PublicKeyConfig>`
}

func keyGroupXML(name, comment string, keys ...string) string {
	var b strings.Builder
	b.WriteString(`<KeyGroupConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>` + name + `</Name><Items>`)
	for _, k := range keys {
		b.WriteString("<PublicKey>" + k + "</PublicKey>")
	}
	b.WriteString("</Items>")
	if comment != "" {
		b.WriteString("<Comment>" + comment + "</Comment>")
	}
	b.WriteString("</KeyGroupConfig>")
	return b.String()
}

func oacXML(name, description string) string {
	return `<OriginAccessControlConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>` + name +
		`</Name><Description>` + description + `</Description><SigningProtocol>sigv4</SigningProtocol><SigningBehavior>always</SigningBehavior><OriginAccessControlOriginType>s3</OriginAccessControlOriginType></OriginAccessControlConfig>`
}

func invalidationXML(ref string, paths ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Paths><Quantity>%d</Quantity><Items>`, len(paths))
	for _, p := range paths {
		b.WriteString("<Path>" + p + "</Path>")
	}
	b.WriteString("</Items></Paths><CallerReference>" + ref + "</CallerReference></InvalidationBatch>")
	return b.String()
}

const api = "/2020-05-31"

func TestGoldenPublicKeys(t *testing.T) {
	g := newGoldenEnv(t)
	g.golden("publickeys/list-empty", g.ok("GET", api+"/public-key", ""))
	created := g.ok("POST", api+"/public-key", publicKeyXML("cli-1763804467", "signer-a", rsaPEM, ""))
	g.golden("publickeys/create", created)
	id, etag := created.id(), created.etag()
	g.golden("publickeys/create-ecdsa", g.ok("POST", api+"/public-key", publicKeyXML("ref-ec", "signer-ec", ecPEM, "P-256 key")))
	g.golden("publickeys/get", g.ok("GET", api+"/public-key/"+id, ""))
	g.golden("publickeys/get-config", g.ok("GET", api+"/public-key/"+id+"/config", ""))
	g.golden("publickeys/list", g.ok("GET", api+"/public-key", ""))
	g.golden("publickeys/list-page", g.ok("GET", api+"/public-key?MaxItems=1", ""))
	g.golden("publickeys/update", g.ok("PUT", api+"/public-key/"+id+"/config",
		publicKeyXML("cli-1763804467", "signer-a", rsaPEM, "rotated &lt;2026&gt;"), "If-Match", etag))
}

func TestGoldenKeyGroups(t *testing.T) {
	g := newGoldenEnv(t)
	k1 := g.ok("POST", api+"/public-key", publicKeyXML("r1", "k1", rsaPEM, "")).id()
	k2 := g.ok("POST", api+"/public-key", publicKeyXML("r2", "k2", ecPEM, "")).id()
	created := g.ok("POST", api+"/key-group", keyGroupXML("signers", "", k1))
	g.golden("keygroups/create", created)
	id := created.id()
	g.golden("keygroups/get", g.ok("GET", api+"/key-group/"+id, ""))
	g.golden("keygroups/get-config", g.ok("GET", api+"/key-group/"+id+"/config", ""))
	g.golden("keygroups/update", g.ok("PUT", api+"/key-group/"+id, keyGroupXML("signers", "two keys", k1, k2, k1), "If-Match", created.etag()))
	g.golden("keygroups/list", g.ok("GET", api+"/key-group", ""))
}

func TestGoldenDistributions(t *testing.T) {
	g := newGoldenEnv(t)
	key := g.ok("POST", api+"/public-key", publicKeyXML("r1", "k1", rsaPEM, "")).id()
	kg := g.ok("POST", api+"/key-group", keyGroupXML("signers", "", key)).id()
	oac := g.ok("POST", api+"/origin-access-control", oacXML("media", "")).id()

	minimal := g.ok("POST", api+"/distribution", request(t, "distributions/create-minimal"))
	g.golden("distributions/create-minimal", minimal)
	g.golden("distributions/get-config-minimal", g.ok("GET", api+"/distribution/"+minimal.id()+"/config", ""))

	full := g.ok("POST", api+"/distribution", request(t, "distributions/create-full", "KEYGROUP", kg, "OAC", oac))
	g.golden("distributions/create-full", full)
	id := full.id()
	g.golden("distributions/get", g.ok("GET", api+"/distribution/"+id, ""))
	cfg := g.ok("GET", api+"/distribution/"+id+"/config", "")
	g.golden("distributions/get-config", cfg)
	g.golden("distributions/list", g.ok("GET", api+"/distribution", ""))
	g.golden("distributions/list-by-key-group", g.ok("GET", api+"/distributionsByKeyGroupId/"+kg, ""))

	// Disabling: the config read back, with Enabled false, sent again.
	disabled := strings.Replace(strings.TrimPrefix(cfg.body, "<?xml version=\"1.0\"?>\n"), "<Enabled>true</Enabled><ViewerCertificate>", "<Enabled>false</Enabled><ViewerCertificate>", 1)
	g.golden("distributions/update", g.ok("PUT", api+"/distribution/"+id+"/config", disabled, "If-Match", cfg.etag()))

	withTags := "<DistributionConfigWithTags>" + strings.Replace(request(t, "distributions/create-minimal"), "cli-1763804467-42", "tagged", -1) +
		"<Tags><Items><Tag><Key>team</Key><Value>media</Value></Tag><Tag><Key>no-value</Key></Tag></Items></Tags></DistributionConfigWithTags>"
	tagged := g.ok("POST", api+"/distribution?WithTags", withTags)
	g.golden("distributions/create-with-tags", tagged)
	g.golden("tagging/list", g.ok("GET", api+"/tagging?Resource=arn:aws:cloudfront::"+testAccountID+":distribution/"+tagged.id(), ""))
}

func TestGoldenOriginAccessControls(t *testing.T) {
	g := newGoldenEnv(t)
	created := g.ok("POST", api+"/origin-access-control", oacXML("media-bucket", "for the media bucket"))
	g.golden("oac/create", created)
	id := created.id()
	g.ok("POST", api+"/origin-access-control", oacXML("no-description", ""))
	g.golden("oac/get", g.ok("GET", api+"/origin-access-control/"+id, ""))
	g.golden("oac/get-config", g.ok("GET", api+"/origin-access-control/"+id+"/config", ""))
	g.golden("oac/list", g.ok("GET", api+"/origin-access-control", ""))
	g.golden("oac/update", g.ok("PUT", api+"/origin-access-control/"+id+"/config", oacXML("media-bucket", "renamed"), "If-Match", created.etag()))
}

func TestGoldenInvalidations(t *testing.T) {
	g := newGoldenEnv(t)
	dist := g.ok("POST", api+"/distribution", request(t, "distributions/create-minimal")).id()
	created := g.ok("POST", api+"/distribution/"+dist+"/invalidation", invalidationXML("inv-1", "/index.html", "images/*"))
	g.golden("invalidations/create", created)
	g.ok("POST", api+"/distribution/"+dist+"/invalidation", invalidationXML("inv-2", "/*"))
	g.golden("invalidations/get", g.ok("GET", api+"/distribution/"+dist+"/invalidation/"+created.id(), ""))
	g.golden("invalidations/list", g.ok("GET", api+"/distribution/"+dist+"/invalidation", ""))
	g.golden("invalidations/list-page", g.ok("GET", api+"/distribution/"+dist+"/invalidation?MaxItems=1", ""))
}

func TestGoldenErrors(t *testing.T) {
	g := newGoldenEnv(t)
	key := g.ok("POST", api+"/public-key", publicKeyXML("r1", "k1", rsaPEM, ""))
	dist := g.ok("POST", api+"/distribution", request(t, "distributions/create-minimal"))
	for _, c := range []struct {
		name               string
		method, path, body string
		header             []string
	}{
		{"no-such-distribution", "GET", api + "/distribution/EDOESNOTEXIST1", "", nil},
		{"no-such-key-group", "GET", api + "/key-group/00000000-0000-4000-8000-000000000000", "", nil},
		{"not-implemented", "GET", api + "/streaming-distribution", "", nil},
		{"missing-body", "POST", api + "/public-key", "", nil},
		{"malformed-xml", "POST", api + "/public-key", "<PublicKeyConfig><Name>x</PublicKeyConfig>", nil},
		{"wrong-root", "POST", api + "/public-key", "<KeyGroupConfig/>", nil},
		{"inconsistent-quantities", "POST", api + "/distribution/" + dist.id() + "/invalidation",
			`<InvalidationBatch><Paths><Quantity>2</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>x</CallerReference></InvalidationBatch>`, nil},
		{"missing-if-match", "DELETE", api + "/public-key/" + key.id(), "", nil},
		{"precondition-failed", "DELETE", api + "/public-key/" + key.id(), "", []string{"If-Match", "ESTALE"}},
		{"distribution-not-disabled", "DELETE", api + "/distribution/" + dist.id(), "", []string{"If-Match", dist.etag()}},
		{"bad-pem", "POST", api + "/public-key", publicKeyXML("r2", "k2", "not a key", ""), nil},
		{"rsa-1024", "POST", api + "/public-key", publicKeyXML("r3", "k3", rsa1024PEM, ""), nil},
		{"bad-enum", "POST", api + "/origin-access-control", strings.Replace(oacXML("o", ""), "always", "sometimes", 1), nil},
	} {
		g.golden("errors/"+c.name, g.do(c.method, c.path, c.body, c.header...))
	}
}
