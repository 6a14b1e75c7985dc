package controlapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/smithy-go"

	"keyfront/controlapi"
	"keyfront/inmem"
)

// minimalDist is a DistributionConfig with placeholders for the parts the
// cases vary.
const minimalDist = `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>{{REF}}</CallerReference>` +
	`<Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>b.s3.localhost</DomainName>{{ORIGINCONFIG}}</Origin></Items></Origins>` +
	`<DefaultCacheBehavior><TargetOriginId>o</TargetOriginId><ViewerProtocolPolicy>{{VPP}}</ViewerProtocolPolicy><CachePolicyId>p</CachePolicyId></DefaultCacheBehavior>` +
	`<Comment></Comment><Enabled>{{ENABLED}}</Enabled></DistributionConfig>`

func dist(repl ...string) string {
	vars := map[string]string{"REF": "bad-input", "ORIGINCONFIG": "<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>",
		"VPP": "allow-all", "ENABLED": "true"}
	for i := 0; i+1 < len(repl); i += 2 {
		vars[repl[i]] = repl[i+1]
	}
	s := minimalDist
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

// TestBadInput sends malformed and invalid requests and checks status,
// code and that the message helps (§7, §8, §10, §11).
func TestBadInput(t *testing.T) {
	store := inmem.New()
	srv := httptest.NewServer(controlapi.NewServer(controlapi.Config{
		Store:        store,
		Authenticate: func(*http.Request) error { return nil },
		AccountID:    testAccountID,
		MaxBodyBytes: 8 << 10,
	}))
	t.Cleanup(srv.Close)
	post := func(path, body string) (*http.Response, string) {
		return rawRequest(t, srv, http.MethodPost, path, body, nil)
	}
	resp, body := post(api+"/public-key", publicKeyXML("r", "k", rsaPEM, ""))
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	keyID, keyETag := idRE.FindStringSubmatch(body)[1], resp.Header.Get("ETag")
	resp, body = post(api+"/distribution", dist("REF", "existing"))
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	distID := idRE.FindStringSubmatch(body)[1]

	big := "<PublicKeyConfig><Comment>" + strings.Repeat("x", 9<<10) + "</Comment></PublicKeyConfig>"
	for _, c := range []struct {
		name         string
		method, path string
		body         string
		header       map[string]string
		status       int
		code         string
		inMessage    string
	}{
		{"not XML", "POST", api + "/public-key", "hello", nil, 400, "MalformedInput", "root element"},
		{"unclosed element", "POST", api + "/public-key", "<PublicKeyConfig><Name>k</PublicKeyConfig>", nil, 400, "MalformedInput", "not well-formed"},
		{"truncated", "POST", api + "/key-group", "<KeyGroupConfig><Name>g</Name><Items>", nil, 400, "MalformedInput", "not well-formed"},
		{"wrong root", "POST", api + "/key-group", publicKeyXML("r", "k", rsaPEM, ""), nil, 400, "MalformedInput", "<KeyGroupConfig>"},
		{"second root", "POST", api + "/origin-access-control", oacXML("a", "") + "<X/>", nil, 400, "MalformedInput", "after the root"},
		{"duplicate element", "POST", api + "/origin-access-control", strings.Replace(oacXML("a", ""), "<Name>a</Name>", "<Name>a</Name><Name>b</Name>", 1), nil, 400, "MalformedInput", "more than once"},
		{"element in text", "POST", api + "/origin-access-control", strings.Replace(oacXML("a", ""), "<Name>a</Name>", "<Name><b>a</b></Name>", 1), nil, 400, "MalformedInput", "must hold text"},
		{"entity", "POST", api + "/origin-access-control", `<!DOCTYPE x [<!ENTITY e "boom">]>` + strings.Replace(oacXML("a", ""), ">a<", ">&e;<", 1), nil, 400, "MalformedInput", "not well-formed"},
		{"other encoding", "POST", api + "/origin-access-control", `<?xml version="1.0" encoding="ISO-8859-1"?>` + oacXML("a", ""), nil, 400, "MalformedInput", "not well-formed"},
		{"missing body", "POST", api + "/origin-access-control", "", nil, 400, "MissingBody", "requires a body"},
		{"blank body", "PUT", api + "/public-key/" + keyID + "/config", "  \n", map[string]string{"If-Match": keyETag}, 400, "MissingBody", "requires a body"},
		{"body too large", "POST", api + "/public-key", big, nil, 413, "RequestEntityTooLarge", "larger than 8192 bytes"},
		{"batch too large", "POST", api + "/distribution/" + distID + "/invalidation", big, nil, 413, "BatchTooLarge", "larger than"},
		{"wrong Quantity", "POST", api + "/distribution", strings.Replace(dist(), "<Quantity>1</Quantity>", "<Quantity>2</Quantity>", 1), nil, 400, "InconsistentQuantities", "Origins.Quantity is 2"},
		{"Quantity without Items", "POST", api + "/distribution", dist("REF", "q", "ORIGINCONFIG", `<S3OriginConfig><OriginAccessIdentity/></S3OriginConfig><CustomHeaders><Quantity>1</Quantity></CustomHeaders>`), nil, 400, "InconsistentQuantities", "CustomHeaders"},
		{"no origins", "POST", api + "/distribution", strings.Replace(dist(), `<Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>b.s3.localhost</DomainName><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig></Origin></Items>`, "<Quantity>0</Quantity>", 1), nil, 400, "InvalidArgument", "at least 1 Origin"},
		{"not an integer", "POST", api + "/distribution", dist("ORIGINCONFIG", `<CustomOriginConfig><HTTPPort>eighty</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig>`), nil, 400, "InvalidArgument", "Origins.Items[0].CustomOriginConfig.HTTPPort"},
		{"not a boolean", "POST", api + "/distribution", dist("ENABLED", "yes"), nil, 400, "InvalidArgument", "DistributionConfig.Enabled"},
		{"not in the enum", "POST", api + "/distribution", dist("VPP", "https-please"), nil, 400, "InvalidArgument", "allow-all, https-only, redirect-to-https"},
		{"missing required", "POST", api + "/distribution", strings.Replace(dist(), "<Comment></Comment>", "", 1), nil, 400, "InvalidArgument", "DistributionConfig.Comment is required"},
		{"missing required nested", "POST", api + "/distribution", dist("ORIGINCONFIG", "<S3OriginConfig/>"), nil, 400, "InvalidArgument", "OriginAccessIdentity is required"},
		{"no origin config", "POST", api + "/distribution", dist("ORIGINCONFIG", ""), nil, 400, "InvalidArgument", "exactly one of S3OriginConfig"},
		{"comment too long", "POST", api + "/public-key", publicKeyXML("r2", "k2", rsaPEM, strings.Repeat("c", 129)), nil, 400, "InvalidArgument", "longer than 128"},
		{"bad PEM", "POST", api + "/public-key", publicKeyXML("r3", "k3", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ""), nil, 400, "InvalidArgument", "does not parse"},
		{"RSA-1024", "POST", api + "/public-key", publicKeyXML("r4", "k4", rsa1024PEM, ""), nil, 400, "InvalidArgument", "RSA-1024"},
		{"missing If-Match", "DELETE", api + "/public-key/" + keyID, "", nil, 400, "InvalidIfMatchVersion", "If-Match"},
		{"stale If-Match", "DELETE", api + "/public-key/" + keyID, "", map[string]string{"If-Match": "E0000000000000"}, 412, "PreconditionFailed", "preconditions"},
		{"If-Match star", "DELETE", api + "/public-key/" + keyID, "", map[string]string{"If-Match": "*"}, 412, "PreconditionFailed", "preconditions"},
		{"404 before If-Match", "DELETE", api + "/public-key/KNOSUCHKEY0000", "", nil, 404, "NoSuchPublicKey", "doesn't exist"},
		{"If-Match before body", "PUT", api + "/public-key/" + keyID + "/config", "garbage", map[string]string{"If-Match": "E0000000000000"}, 412, "PreconditionFailed", ""},
		{"MaxItems zero", "GET", api + "/key-group?MaxItems=0", "", nil, 400, "InvalidArgument", "MaxItems"},
		{"unknown route", "GET", api + "/cache-policy", "", nil, 501, "NotImplemented", "GET /2020-05-31/cache-policy"},
		{"other method", "PATCH", api + "/public-key/" + keyID, "", nil, 501, "NotImplemented", "PATCH"},
		{"other API version", "GET", "/2019-03-26/distribution", "", nil, 501, "NotImplemented", "2019-03-26"},
		{"tagging other operation", "POST", api + "/tagging?Operation=Frob&Resource=x", "", nil, 501, "NotImplemented", "Frob"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := rawRequest(t, srv, c.method, c.path, c.body, c.header)
			if resp.StatusCode != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, c.status, c.code)
			}
			if !strings.Contains(body, c.inMessage) && !strings.Contains(body, xmlEscape(c.inMessage)) {
				t.Errorf("message does not mention %q: %s", c.inMessage, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
				t.Errorf("Content-Type = %q", ct)
			}
			wantType := "Sender"
			if c.status >= 500 {
				wantType = "Receiver"
			}
			if !strings.Contains(body, "<Type>"+wantType+"</Type>") {
				t.Errorf("want Type %s: %s", wantType, body)
			}
		})
	}

	// Liberal input (§1, §8): Quantity taken from Items, empty <Items/>,
	// no namespace, other namespaces, quoted and weak If-Match.
	for _, c := range []struct{ name, method, path, body string }{
		{"Quantity missing", "POST", api + "/distribution", strings.Replace(dist("REF", "no-qty"), "<Quantity>1</Quantity>", "", 1)},
		{"empty Items", "POST", api + "/distribution", dist("REF", "empty-items", "ORIGINCONFIG", `<S3OriginConfig><OriginAccessIdentity/></S3OriginConfig><CustomHeaders><Quantity>0</Quantity><Items/></CustomHeaders>`)},
		{"no namespace", "POST", api + "/origin-access-control", strings.Replace(oacXML("no-ns", ""), ` xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"`, "", 1)},
		{"other namespace", "POST", api + "/origin-access-control", strings.Replace(oacXML("other-ns", ""), "2020-05-31", "2019-03-26", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := rawRequest(t, srv, c.method, c.path, c.body, nil)
			if resp.StatusCode/100 != 2 {
				t.Fatalf("got %d %s", resp.StatusCode, body)
			}
		})
	}
	t.Run("quoted If-Match", func(t *testing.T) {
		resp, body := rawRequest(t, srv, "PUT", api+"/public-key/"+keyID+"/config", publicKeyXML("r", "k", rsaPEM, "c"), map[string]string{"If-Match": `"` + keyETag + `"`})
		if resp.StatusCode != 200 {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		resp, body = rawRequest(t, srv, "DELETE", api+"/public-key/"+keyID, "", map[string]string{"If-Match": `W/"` + resp.Header.Get("ETag") + `"`})
		if resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Type") != "" {
			t.Fatalf("delete: %d %q Content-Type %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
		}
	})
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// TestAuthentication: unsigned and wrongly signed requests are refused with
// the codes of §12, in the §11 error format.
func TestAuthentication(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	code := func(err error) string {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("got %v, want an API error", err)
		}
		return ae.ErrorCode()
	}
	if _, err := e.client.ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{}); err != nil {
		t.Fatalf("signed request: %v", err)
	}
	_, err := newClient(e.srv, "AKIDUNKNOWN", testSecretKey).ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{})
	if got := code(err); got != "InvalidClientTokenId" {
		t.Errorf("unknown access key: %s", got)
	}
	_, err = newClient(e.srv, testAccessKey, "wrong").CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{})
	if err == nil {
		t.Fatal("wrong secret accepted")
	}
	_, err = newClient(e.srv, testAccessKey, "wrong").ListKeyGroups(ctx, &cloudfront.ListKeyGroupsInput{MaxItems: aws.Int32(5)})
	if got := code(err); got != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %s", got)
	}
	resp, body := rawRequest(t, e.srv, "GET", api+"/distribution", "", nil)
	if resp.StatusCode != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") || resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, body)
	}
	// Route first, then SigV4 (§10): an unknown route is 501 even unsigned.
	resp, _ = rawRequest(t, e.srv, "GET", api+"/streaming-distribution", "", nil)
	if resp.StatusCode != 501 {
		t.Errorf("unsigned unknown route: %d", resp.StatusCode)
	}

	for _, c := range []struct {
		name   string
		auth   func(*http.Request) error
		status int
		code   string
	}{
		{"no authenticator", nil, 403, "MissingAuthenticationToken"},
		{"plain error", func(*http.Request) error { return errors.New("nope") }, 403, "AccessDenied"},
	} {
		srv := httptest.NewServer(controlapi.NewServer(controlapi.Config{Store: inmem.New(), Authenticate: c.auth}))
		resp, body := rawRequest(t, srv, "GET", api+"/public-key", "", nil)
		srv.Close()
		if resp.StatusCode != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, body)
		}
	}
}
