package main_test

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cli "keyfront/cmd/keyfront"
	"keyfront/signing"
)

// runWithEnv runs keyfront in process with its own environment, as a
// shell with those variables exported would.
func runWithEnv(tb testing.TB, env map[string]string, args ...string) result {
	tb.Helper()
	var stdout, stderr syncBuffer
	m := cli.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	code := m.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// adminEnv holds the administrator's credentials the way the startup
// banner tells users to export them.
var adminEnv = map[string]string{"AWS_ACCESS_KEY_ID": e2eAccessKey, "AWS_SECRET_ACCESS_KEY": e2eSecretKey}

var verdictRE = regexp.MustCompile(`(?m)^(would be served|refused: (\d+) .*)\n\z`)

// TestVerifyEndpoint runs `keyfront verify --endpoint` against a real
// keyfront serve set up as the seed walkthrough, for a URL the edge serves
// and for refused ones, and checks that each verdict is what the edge
// answers the same request.
func TestVerifyEndpoint(t *testing.T) {
	st := newSeedSite(t)
	seg1 := st.url("/hls/seg1.ts")
	future := time.Now().Add(time.Hour)
	rsa := st.signer(t, st.rsaKey, st.rsaID, signing.SHA1)
	cookies := func(s *signing.Signer, terms signing.Terms) []string {
		cs, err := s.SignCookies(terms)
		if err != nil {
			t.Fatal(err)
		}
		var args []string
		for _, c := range cs {
			args = append(args, "--cookie", c.Name+"="+c.Value)
		}
		return args
	}
	sha256URL := signURL(t, st.signer(t, st.rsaKey, st.rsaID, signing.SHA256), seg1, signing.Terms{DateLessThan: future})
	_, port, _ := net.SplitHostPort(st.host)
	group := "signers (" + st.groupID + ")"

	tests := []struct {
		name   string
		url    string
		args   []string
		code   int // exit status
		status int // the edge's answer; 0: not asked (the case needs a viewer address, time or method of its own)
		want   []string
	}{
		{"served", signURL(t, rsa, seg1, signing.Terms{DateLessThan: future}), nil, 0, 200, []string{
			"checking GET as of ", "(server clock), unknown viewer address (see --viewer-ip), on the edge of " + st.srv.apiURL + "\n",
			"ok   host: " + st.host + " is distribution " + st.distID + " (",
			"ok   behavior: path /hls/seg1.ts matches no cache behavior's PathPattern: the default behavior (*) applies\n",
			"ok   restricted: yes: a signed URL or signed cookies are required; the behavior trusts key group " + group + "; its keys: ",
			"ok   signature: verifies with SHA1 and key " + st.rsaID,
			"ok   origin: the request goes to the cache or S3 origin videos-bucket (bucket videos)",
			"would be served\n"}},
		{"served with signed cookies", seg3(st), cookies(rsa, signing.Terms{Resource: st.url("/hls/*"), DateLessThan: future}), 0, 200, []string{
			"ok   mode: signed cookies", "ok   resource: pattern " + st.url("/hls/*") + " matches", "would be served\n"}},
		{"unsigned", seg1, nil, 1, 403, []string{
			"FAIL key-pair-id: no Key-Pair-Id query parameter and no CloudFront-Key-Pair-Id cookie\n",
			"refused: 403 MissingKey (key_id_missing)\n"}},
		{"key of a group the behavior does not trust", signURL(t, st.signer(t, st.otherKey, st.otherID, signing.SHA1), seg1, signing.Terms{DateLessThan: future}), nil, 1, 403, []string{
			"FAIL key: key " + st.otherID + " is in key group untrusted (", "), which this behavior does not trust (the behavior trusts " + group + ")\n",
			"refused: 403 InvalidKey (key_unknown)\n"}},
		{"expired", signURL(t, rsa, seg1, signing.Terms{DateLessThan: time.Now().Add(-time.Minute)}), nil, 1, 403, []string{
			"FAIL expiry: expired at ", " ago (server clock ", "refused: 403 AccessDenied (expired)\n"}},
		{"wildcard cookies for another path", st.url("/video/1.ts"), cookies(rsa, signing.Terms{Resource: st.url("/hls/*"), DateLessThan: future}), 1, 403, []string{
			"FAIL resource: resource pattern " + st.url("/hls/*") + " does not match the request " + st.url("/video/1.ts") +
				"; the pattern's path /hls/* does not match the request's path /video/1.ts\n",
			"refused: 403 AccessDenied (resource_mismatch)\n"}},
		{"SHA256 signature without Hash-Algorithm", strings.TrimSuffix(sha256URL, "&Hash-Algorithm=SHA256"), nil, 1, 403, []string{
			"FAIL signature: the signature does not verify with SHA1 (the default); it does with SHA256, but the request does not say Hash-Algorithm=SHA256\n",
			"refused: 403 AccessDenied (signature_mismatch)\n"}},
		{"tampered path", strings.Replace(signURL(t, rsa, seg1, signing.Terms{DateLessThan: future}), "/hls/seg1.ts", "/hls/seg2.ts", 1), nil, 1, 403, []string{
			"FAIL signature: ", "refused: 403 AccessDenied (signature_mismatch)\n"}},
		{"unknown host", "http://unknown.example:" + port + "/hls/seg1.ts", nil, 1, 403, []string{
			"FAIL host: no distribution has the domain name or alias unknown.example (hosts are matched without the port)\n",
			"refused: 403 (unknown_host)\n"}},
		{"method not allowed", signURL(t, rsa, seg1, signing.Terms{DateLessThan: future}), []string{"--method", "DELETE"}, 1, 0, []string{
			"checking DELETE as of ", "FAIL method: DELETE is not among the behavior's AllowedMethods (GET, HEAD)\n", "refused: 403 (method_not_allowed)\n"}},
		{"IP condition, viewer inside", signURL(t, rsa, seg1, signing.Terms{DateLessThan: future, IPAddress: "192.0.2.0/24"}), []string{"--viewer-ip", "192.0.2.9"}, 0, 0, []string{
			", viewer 192.0.2.9, ", "ok   ip-address: viewer address 192.0.2.9 is in 192.0.2.0/24\n", "would be served\n"}},
		{"IP condition, viewer outside", signURL(t, rsa, seg1, signing.Terms{DateLessThan: future, IPAddress: "192.0.2.0/24"}), []string{"--viewer-ip", "198.51.100.1"}, 1, 0, []string{
			"FAIL ip-address: viewer address 198.51.100.1 is not in the policy's AWS:SourceIp 192.0.2.0/24\n", "refused: 403 AccessDenied (ip_mismatch)\n"}},
		{"--now after the expiry", signURL(t, rsa, seg1, signing.Terms{DateLessThan: future}), []string{"--now", future.Add(time.Minute).UTC().Format("2006-01-02T15:04:05")}, 1, 0, []string{
			"(--now), ", "FAIL expiry: expired at ", "ago (clock ", "refused: 403 AccessDenied (expired)\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", tt.url, "--endpoint", st.srv.apiURL}, tt.args...)
			r := runWithEnv(t, adminEnv, args...)
			if r.code != tt.code || r.stderr != "" {
				t.Errorf("exit %d, want %d; stderr %q\nstdout:\n%s", r.code, tt.code, r.stderr, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			m := verdictRE.FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("the last line is not a verdict:\n%s", r.stdout)
			}
			if fails := strings.Count(r.stdout, "\nFAIL "); fails != tt.code {
				t.Errorf("%d FAIL lines with exit %d:\n%s", fails, r.code, r.stdout)
			}
			if tt.status == 0 {
				return
			}
			// What the edge answers the same request.
			var cookieHeader []string
			for i := 1; i < len(tt.args); i += 2 {
				if tt.args[i-1] == "--cookie" {
					cookieHeader = append(cookieHeader, tt.args[i])
				}
			}
			var header []string
			if len(cookieHeader) > 0 {
				header = []string{strings.Join(cookieHeader, "; ")}
			}
			resp, _ := st.get(t, tt.url, st.refererOK, header...)
			verdict := http.StatusOK
			if m[2] != "" {
				verdict, _ = strconv.Atoi(m[2])
			}
			if resp.StatusCode != tt.status || verdict != tt.status {
				t.Errorf("the edge answered %d, verify said %d, want %d", resp.StatusCode, verdict, tt.status)
			}
		})
	}
}

// TestVerifyEndpointErrors: when no verdict can be had, verify exits 2
// and says why in one line.
func TestVerifyEndpointErrors(t *testing.T) {
	st := newSeedSite(t)
	u := st.url("/hls/seg1.ts")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	k := newKeyPair(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no credentials", nil, []string{u, "--endpoint", st.srv.apiURL},
			"--endpoint needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"wrong secret", map[string]string{"AWS_ACCESS_KEY_ID": e2eAccessKey, "AWS_SECRET_ACCESS_KEY": "wrong"}, []string{u, "--endpoint", st.srv.apiURL},
			"the control API at " + st.srv.apiURL + " answered 403 SignatureDoesNotMatch: "},
		{"unknown access key", map[string]string{"AWS_ACCESS_KEY_ID": "AKIANOBODY", "AWS_SECRET_ACCESS_KEY": "x"}, []string{u, "--endpoint", st.srv.apiURL},
			"answered 403 InvalidClientTokenId"},
		{"unreachable", adminEnv, []string{u, "--endpoint", closed}, "cannot reach the control API at " + closed + ": "},
		{"not a URL", adminEnv, []string{u, "--endpoint", "127.0.0.1:7081"}, `--endpoint "127.0.0.1:7081" is not the URL of a control API`},
		{"with a public key", adminEnv, []string{u, "--endpoint", st.srv.apiURL, "--public-key", k.pub}, "mutually exclusive"},
		{"with a key pair ID", adminEnv, []string{u, "--endpoint", st.srv.apiURL, "--key-pair-id", st.rsaID}, "mutually exclusive"},
		{"bad method", adminEnv, []string{u, "--endpoint", st.srv.apiURL, "--method", "GE T"}, `--method "GE T" is not an HTTP method`},
		{"a relative URL", adminEnv, []string{"/hls/seg1.ts", "--endpoint", st.srv.apiURL}, "must be absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFailure(t, runWithEnv(t, tt.env, append([]string{"verify"}, tt.args...)...), 2, tt.want)
		})
	}
}

// TestVerifyEndpointWithoutEdge: a control API running without the edge
// role cannot evaluate anything, and verify says what is needed.
func TestVerifyEndpointWithoutEdge(t *testing.T) {
	env := map[string]string{"KEYFRONT_ACCESS_KEY_ID": e2eAccessKey, "KEYFRONT_SECRET_ACCESS_KEY": e2eSecretKey, "KEYFRONT_ACCOUNT_ID": e2eAccount}
	ctx, cancel := context.WithCancel(context.Background())
	m := cli.NewMain()
	m.Getenv = func(k string) string { return env[k] }
	urls := make(chan string, 4)
	m.OnListen = func(plane, url string) {
		if plane == "control API" {
			urls <- url
		}
	}
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--data-dir", t.TempDir(), "--roles", "api", "--api-addr", "127.0.0.1:0"},
			strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("keyfront serve did not stop within 30 s")
		}
	})
	var api string
	select {
	case api = <-urls:
	case code := <-done:
		t.Fatalf("keyfront serve --roles api exited with %d:\n%s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("keyfront serve --roles api did not listen within 30 s:\n%s", stderr.String())
	}
	r := runWithEnv(t, adminEnv, "verify", "http://d111111abcdef8.cloudfront.localhost/a.txt", "--endpoint", api)
	checkFailure(t, r, 2, "answered 501 NotImplemented: keyfront verify --endpoint needs the edge role in the same process as the control API")
}
