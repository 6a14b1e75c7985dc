package main_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
)

// TestServeDemo runs `keyfront serve --demo` on an empty data directory:
// the URLs it prints answer as it says (unsigned 403 MissingKey, signed
// 200), and a restart reuses the demo instead of creating another.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, dir, nil, "--demo")
	out := srv.stdout.String()
	for _, want := range []string{"Unsigned, refused (answers 403 MissingKey)", "answers 200 with", "keyfront sign --url", "aws cloudfront sign --url", "curl -i"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The demo's own checks are no viewer's refusals: nothing in the log
	// says "refused" while it sets up and prints (at the default level,
	// Info).
	if refused := refusedLogLines(srv.stderr.String()); len(refused) != 0 {
		t.Errorf("the demo's self-check logged refusals:\n%s", strings.Join(refused, "\n"))
	}
	urls := regexp.MustCompile(`curl -i '([^']+)'`).FindAllStringSubmatch(out, -1)
	if len(urls) != 2 {
		t.Fatalf("demo printed %d curl lines, want 2:\n%s", len(urls), out)
	}
	edgeAddr := strings.TrimPrefix(srv.edgeURL, "http://")
	viewer := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, edgeAddr)
	}}}
	for i, want := range []int{http.StatusForbidden, http.StatusOK} {
		resp, err := viewer.Get(urls[i][1])
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("curl line %d: %d %q, want %d", i+1, resp.StatusCode, body, want)
		}
	}
	// A viewer's unsigned request, the first curl line, is logged as
	// refused, with its reason.
	if refused := refusedLogLines(srv.stderr.String()); len(refused) != 1 || !strings.Contains(refused[0], "code=MissingKey") {
		t.Errorf("after a viewer's unsigned request, refusals logged:\n%s\nwant one, MissingKey", strings.Join(refused, "\n"))
	}
	srv.stop()

	srv = startServe(t, dir, nil, "--demo")
	if out := srv.stdout.String(); !strings.Contains(out, "Unsigned, refused (answers 403 MissingKey)") || !strings.Contains(out, "answers 200 with") {
		t.Errorf("demo after restart:\n%s", out)
	}
	if refused := refusedLogLines(srv.stderr.String()); len(refused) != 0 {
		t.Errorf("the demo's self-check after a restart logged refusals:\n%s", strings.Join(refused, "\n"))
	}
	list, err := cloudfrontClient(srv.apiURL, e2eAccessKey, e2eSecretKey).ListDistributions(context.Background(), &cloudfront.ListDistributionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := *list.DistributionList.Quantity; got != 1 {
		t.Errorf("distributions after a restart with --demo = %d, want 1", got)
	}
}

// refusedLogLines returns the log lines at Info or above that say a
// request was refused.
func refusedLogLines(log string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "refused") && !strings.Contains(line, "level=DEBUG") {
			out = append(out, line)
		}
	}
	return out
}
