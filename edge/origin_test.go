package edge_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"keyfront"
	"keyfront/edge"
)

// recordingSigner stands in for originauth.Signer: it marks the request
// and records the ARN it was asked to sign for.
type recordingSigner struct {
	mu   sync.Mutex
	arns []string
}

func (s *recordingSigner) Sign(ctx context.Context, req *http.Request, arn, account string) error {
	s.mu.Lock()
	s.arns = append(s.arns, arn+" "+account)
	s.mu.Unlock()
	req.Header.Set("Authorization", "test-signature")
	return nil
}

func TestOriginRequests(t *testing.T) {
	signer := &recordingSigner{}
	e := newEnv(t, withS3Endpoint(), withConfig(func(c *edge.Config) { c.OriginSigner = signer }))
	e.update(func(ctx context.Context, tx keyfront.Tx) error {
		for id, behavior := range map[string]string{"EOACALWAYS0001": "always", "EOACNEVER00001": "never", "EOACNOOVERRIDE": "no-override"} {
			if err := tx.PutOriginAccessControl(ctx, &keyfront.OriginAccessControl{ID: id, ETag: nextETag(), Name: id,
				SigningProtocol: "sigv4", SigningBehavior: behavior, OriginType: "s3", LastModifiedTime: testNow}); err != nil {
				return err
			}
		}
		return nil
	})
	custom := e.customOrigin("custom")
	custom.Path = "/base"
	custom.Headers = [][2]string{{"X-Origin-Secret", "s3cr3t"}, {"User-Agent", "keyfront-test"}}
	e.putDist(dist1, dist{
		Domain: host1,
		Origins: []orig{
			custom,
			{ID: "s3", Domain: "media.s3.localhost", S3: true, Path: "/v1", OAC: "EOACALWAYS0001"},
			{ID: "s3aws", Domain: "other-bucket.s3.us-west-2.amazonaws.com", S3: true, OAC: "EOACNEVER00001"},
			{ID: "s3global", Domain: "third.s3.amazonaws.com", S3: true, OAC: "EOACNOOVERRIDE"},
		},
		Default: beh{Target: "custom", CachePolicy: cachingDisabled},
		Behaviors: []beh{
			{Pattern: "/s3/*", Target: "s3", CachePolicy: cachingDisabled},
			{Pattern: "/aws/*", Target: "s3aws", CachePolicy: cachingDisabled},
			{Pattern: "/global/*", Target: "s3global", Headers: []string{"Authorization"}},
		},
	})
	for _, tc := range []struct {
		name, path   string
		header       []string
		wantURI      string
		wantHost     string
		wantSigned   bool
		wantAuth     string
		checkHeaders func(t *testing.T, h http.Header)
	}{
		{name: "custom origin", path: "/x/y.txt?q=1", wantURI: "/base/x/y.txt", wantHost: "127.0.0.1:" + strconv.Itoa(e.origin.port()),
			header: []string{"Authorization", "Bearer viewer", "X-Amz-Security-Token", "forged", "Accept", "text/html", "Referer", "r"},
			checkHeaders: func(t *testing.T, h http.Header) {
				for name, want := range map[string]string{
					"X-Origin-Secret": "s3cr3t", "User-Agent": "keyfront-test", "Authorization": "",
					"X-Amz-Security-Token": "", "Accept": "", "Referer": "", "Via": "1.1 test-node (keyfront)",
				} {
					if got := h.Get(name); got != want {
						t.Errorf("%s: %q, want %q", name, got, want)
					}
				}
			}},
		{name: "S3 origin, path-style, OAC always", path: "/s3/a.txt", wantURI: "/media/v1/s3/a.txt", wantSigned: true, wantAuth: "test-signature"},
		{name: "S3 regional name, OAC never", path: "/aws/a.txt", wantURI: "/other-bucket/aws/a.txt"},
		{name: "S3 global name, OAC no-override, viewer signs", path: "/global/a.txt", header: []string{"Authorization", "AWS4-HMAC-SHA256 viewer"},
			wantURI: "/third/global/a.txt", wantAuth: "AWS4-HMAC-SHA256 viewer"},
		{name: "S3 global name, OAC no-override, edge signs", path: "/global/b.txt", wantURI: "/third/global/b.txt", wantSigned: true, wantAuth: "test-signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer.mu.Lock()
			before := len(signer.arns)
			signer.mu.Unlock()
			e.get("http://"+host1+tc.path, tc.header...)
			got := e.origin.last(t)
			if got.RequestURI != tc.wantURI {
				t.Errorf("request-target %q, want %q", got.RequestURI, tc.wantURI)
			}
			if tc.wantHost != "" && got.Host != tc.wantHost {
				t.Errorf("Host %q, want %q", got.Host, tc.wantHost)
			}
			if a := got.Header.Get("Authorization"); a != tc.wantAuth {
				t.Errorf("Authorization %q, want %q", a, tc.wantAuth)
			}
			signer.mu.Lock()
			signed := len(signer.arns) > before
			var arn string
			if signed {
				arn = signer.arns[len(signer.arns)-1]
			}
			signer.mu.Unlock()
			if signed != tc.wantSigned {
				t.Errorf("signed %t, want %t", signed, tc.wantSigned)
			}
			if signed && arn != "arn:aws:cloudfront::123456789012:distribution/"+string(dist1)+" 123456789012" {
				t.Errorf("signed for %q", arn)
			}
			if tc.checkHeaders != nil {
				tc.checkHeaders(t, got.Header)
			}
		})
	}
}

func TestOriginUnreachable(t *testing.T) {
	e := newEnv(t)
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// An origin that accepts and never answers.
	stall := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stall }))
	t.Cleanup(func() { close(stall); slow.Close() })
	slowPort := slow.Listener.Addr().(*net.TCPAddr).Port

	e.putDist(dist1, dist{Domain: host1,
		Origins: []orig{
			{ID: "dead", Domain: "127.0.0.1", HTTPPort: port, Protocol: "http-only", Attempts: 1, ConnectTimeout: 1},
			{ID: "slow", Domain: "127.0.0.1", HTTPPort: slowPort, Protocol: "http-only", ReadTimeout: 1},
		},
		Default:   beh{Target: "dead"},
		Behaviors: []beh{{Pattern: "/slow/*", Target: "slow"}, {Pattern: "/nowhere/*", Target: "no-such-origin"}},
	})
	for _, tc := range []struct {
		path   string
		status int
		text   string
	}{
		{"/a.txt", 502, "keyfront wasn't able to connect to the origin."},
		{"/nowhere/a.txt", 502, "keyfront wasn't able to connect to the origin."},
		{"/slow/a.txt", 504, "keyfront attempted to establish a connection with the origin, but either the attempt failed or the origin closed the connection."},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := e.get("http://" + host1 + tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !strings.Contains(body, tc.text) || !strings.Contains(body, "<H1>"+strconv.Itoa(tc.status)+" ERROR</H1>") {
				t.Errorf("body:\n%s", body)
			}
			if x := resp.Header.Get("X-Cache"); x != "Error from cloudfront" {
				t.Errorf("X-Cache %q", x)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	lines := logLines(t, e.alog.String())
	if got := lines[len(lines)-1][28]; got != "OriginReadTimeout" {
		t.Errorf("x-edge-detailed-result-type %q", got)
	}
}
