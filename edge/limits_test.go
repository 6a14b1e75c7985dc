package edge_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// CloudFront's limits: a URL over 8,192 bytes or a request over 20,480
// bytes gets 413 and the connection is closed; nothing is forwarded
// (signed-urls.md §10).
func TestRequestLimits(t *testing.T) {
	e := newEnv(t)
	e.putDist(dist1, dist{Domain: host1, Origins: []orig{e.customOrigin("o")}, Default: beh{Target: "o", CachePolicy: cachingDisabled}})
	e.origin.put("/a.txt", "ok")
	urlLen := func(path string) int { return len("http://") + len(host1) + len(path) }
	pad := func(n int) string { return strings.Repeat("p", n) }

	long := "/a.txt?x=" + pad(8192-urlLen("/a.txt?x="))
	if urlLen(long) != 8192 {
		t.Fatal("bad arithmetic")
	}
	for _, tc := range []struct {
		name    string
		raw     string
		tooLong bool
	}{
		{name: "URL of 8,192 bytes", raw: "GET " + long + " HTTP/1.1\r\nHost: " + host1 + "\r\n\r\n"},
		{name: "URL of 8,193 bytes", raw: "GET " + long + "p HTTP/1.1\r\nHost: " + host1 + "\r\n\r\n", tooLong: true},
		{name: "headers over 20,480 bytes", raw: "GET /a.txt HTTP/1.1\r\nHost: " + host1 + "\r\nX-Big: " + pad(20480) + "\r\n\r\n", tooLong: true},
		{name: "many headers over 20,480 bytes", raw: "GET /a.txt HTTP/1.1\r\nHost: " + host1 + "\r\n" + strings.Repeat("Cookie: "+pad(1000)+"\r\n", 21) + "\r\n", tooLong: true},
		{name: "headers under the limit", raw: "GET /a.txt HTTP/1.1\r\nHost: " + host1 + "\r\nX-Big: " + pad(20000) + "\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.origin.count()
			resp, conn := rawExchange(t, e, tc.raw)
			body, _ := io.ReadAll(resp.Body)
			if !tc.tooLong {
				if resp.StatusCode == http.StatusRequestEntityTooLarge {
					t.Fatalf("refused a request within the limits")
				}
				if e.origin.count() != before+1 {
					t.Errorf("not forwarded")
				}
				return
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			if !strings.Contains(string(body), "<H1>413 ERROR</H1>") {
				t.Errorf("body:\n%s", body)
			}
			if !resp.Close {
				t.Errorf("response does not announce Connection: close")
			}
			// The server closes the connection: the next read sees EOF.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("connection still open after 413: read %d, %v", n, err)
			}
			if e.origin.count() != before {
				t.Errorf("an oversized request reached the origin")
			}
		})
	}
	// CloudFront does not log requests refused for their size.
	if strings.Contains(e.alog.String(), "\t413\t") {
		t.Errorf("413 logged:\n%s", e.alog.String())
	}
}
