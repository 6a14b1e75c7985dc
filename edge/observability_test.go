package edge_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keyfront/edge"
)

func TestAccessLog(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a b.txt", "0123456789")
	url := signURL(t, keyA, "http://"+host1+"/a%20b.txt?x=1")
	e.get(url, "Referer", "https://example.com/p", "User-Agent", "Mozilla/5.0 (X11; Linux)")
	e.get(url, "Range", "bytes=2-4")
	e.get("http://" + host1 + "/a%20b.txt")

	lines := logLines(t, e.alog.String())
	if len(lines) != 3 {
		t.Fatalf("%d records, want 3", len(lines))
	}
	// The field order of CloudFront's standard log (standard-logs-
	// reference, "Log file fields").
	fields := strings.Fields(strings.TrimPrefix(strings.Split(e.alog.String(), "\n")[1], "#Fields: "))
	want := []string{"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem",
		"sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type",
		"x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for",
		"ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status",
		"fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
		"sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Fatalf("#Fields:\n got %v\nwant %v", fields, want)
	}
	rec := func(i int) map[string]string {
		m := map[string]string{}
		for j, f := range fields {
			m[f] = lines[i][j]
		}
		return m
	}
	first := rec(0)
	for k, v := range map[string]string{
		"date": "2026-01-01", "time": "17:53:20", "x-edge-location": "test-node", "c-ip": "127.0.0.1",
		"cs-method": "GET", "cs(Host)": host1, "cs-uri-stem": "/a%20b.txt", "sc-status": "200",
		"cs(Referer)": "https://example.com/p", "cs(User-Agent)": "Mozilla/5.0%20(X11;%20Linux)",
		"x-edge-result-type": "Miss", "x-host-header": host1, "cs-protocol": "http", "x-forwarded-for": "-",
		"ssl-protocol": "-", "cs-protocol-version": "HTTP/1.1", "sc-content-len": "10", "cs(Cookie)": "-",
		"sc-content-type": "text/plain;%20charset=utf-8",
	} {
		if first[k] != v {
			t.Errorf("%s = %q, want %q", k, first[k], v)
		}
	}
	// Signature redacted by default, the rest of the query kept.
	q := first["cs-uri-query"]
	if !strings.HasPrefix(q, "x=1&Expires=") || !strings.Contains(q, "&Signature=-&Key-Pair-Id="+keyA) {
		t.Errorf("cs-uri-query %q", q)
	}
	if len(first["x-edge-request-id"]) != 56 {
		t.Errorf("x-edge-request-id %q", first["x-edge-request-id"])
	}
	second := rec(1)
	if second["sc-status"] != "206" || second["sc-range-start"] != "2" || second["sc-range-end"] != "4" {
		t.Errorf("range record: status %s range %s-%s", second["sc-status"], second["sc-range-start"], second["sc-range-end"])
	}
	third := rec(2)
	if third["sc-status"] != "403" || third["x-edge-result-type"] != "Error" || third["cs-uri-query"] != "-" {
		t.Errorf("rejection record: %v", third)
	}
}

func TestAccessLogUnredacted(t *testing.T) {
	e := newEnv(t, withConfig(func(c *edge.Config) { c.LogSignatures = true }))
	e.basicSetup()
	url := signURL(t, keyA, "http://"+host1+"/a.txt")
	e.get(url)
	lines := logLines(t, e.alog.String())
	_, q, _ := strings.Cut(url, "?")
	if got := lines[0][11]; got != q {
		t.Errorf("cs-uri-query %q, want %q", got, q)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "secret")
	url := signURL(t, keyA, "http://"+host1+"/a.txt")
	e.get(url)
	e.get(url)
	e.get("http://" + host1 + "/a.txt")

	rec := httptest.NewRecorder()
	e.edge.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	text := string(b)
	for _, want := range []string{
		`keyfront_edge_requests_total{cache="Miss",distribution="EDISTRIBUTION1",status="200"} 1`,
		`keyfront_edge_requests_total{cache="Hit",distribution="EDISTRIBUTION1",status="200"} 1`,
		`keyfront_edge_requests_total{cache="Error",distribution="EDISTRIBUTION1",status="403"} 1`,
		`keyfront_edge_signature_rejections_total{code="MissingKey"} 1`,
		`keyfront_edge_signature_memo_total{result="hit"} 1`,
		`keyfront_edge_signature_memo_total{result="miss"} 2`,
		`keyfront_edge_origin_request_duration_seconds_count{distribution="EDISTRIBUTION1"} 1`,
		`keyfront_edge_cache_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if rec.Code != http.StatusOK {
		t.Errorf("status %d", rec.Code)
	}
}
