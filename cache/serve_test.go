package cache_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"keyfront/cache"
)

func TestServeFromCache(t *testing.T) {
	const lastMod = "Wed, 21 Oct 2015 07:28:00 GMT"
	body := strings.Repeat("0123456789", 300) // 3000 bytes: in memory below, on disk in the "disk" tier
	header := http.Header{
		"Content-Type":  {"text/plain"},
		"Etag":          {`"abc"`},
		"Last-Modified": {lastMod},
		"Cache-Control": {"max-age=3600"},
	}
	for _, tier := range []struct {
		name string
		cfg  cache.Config
	}{
		{"memory", cache.Config{}},
		{"disk", cache.Config{Dir: "tmp", MaxBytes: 1 << 20, MaxMemoryBytes: 64 << 10, MemoryObjectLimit: 1024}},
	} {
		for _, tc := range []struct {
			name         string
			method       string
			hdr          []string
			wantStatus   int
			wantBody     string
			wantHeader   map[string]string
			wantNoHeader []string
		}{
			{name: "full", method: "GET", wantStatus: 200, wantBody: body,
				wantHeader: map[string]string{"Content-Length": "3000", "Etag": `"abc"`, "Last-Modified": lastMod, "Accept-Ranges": "bytes", "Age": "5"}},
			{name: "head", method: "HEAD", wantStatus: 200, wantBody: "",
				wantHeader: map[string]string{"Content-Length": "3000"}},
			{name: "range", method: "GET", hdr: []string{"Range", "bytes=10-19"}, wantStatus: 206, wantBody: body[10:20],
				wantHeader: map[string]string{"Content-Range": "bytes 10-19/3000", "Content-Length": "10"}},
			{name: "suffix range", method: "GET", hdr: []string{"Range", "bytes=-5"}, wantStatus: 206, wantBody: body[2995:],
				wantHeader: map[string]string{"Content-Range": "bytes 2995-2999/3000"}},
			{name: "open range", method: "GET", hdr: []string{"Range", "bytes=2990-"}, wantStatus: 206, wantBody: body[2990:]},
			{name: "unsatisfiable range", method: "GET", hdr: []string{"Range", "bytes=5000-6000"}, wantStatus: 416,
				wantHeader: map[string]string{"Content-Range": "bytes */3000"}},
			{name: "if-none-match match", method: "GET", hdr: []string{"If-None-Match", `"abc"`}, wantStatus: 304, wantBody: "",
				wantHeader: map[string]string{"Etag": `"abc"`}, wantNoHeader: []string{"Content-Length", "Content-Type"}},
			{name: "if-none-match weak match", method: "GET", hdr: []string{"If-None-Match", `W/"abc", "zzz"`}, wantStatus: 304},
			{name: "if-none-match other", method: "GET", hdr: []string{"If-None-Match", `"zzz"`}, wantStatus: 200, wantBody: body},
			{name: "if-modified-since not modified", method: "GET", hdr: []string{"If-Modified-Since", lastMod}, wantStatus: 304},
			{name: "if-modified-since older", method: "GET", hdr: []string{"If-Modified-Since", "Tue, 20 Oct 2015 07:28:00 GMT"}, wantStatus: 200, wantBody: body},
			{name: "if-match other", method: "GET", hdr: []string{"If-Match", `"zzz"`}, wantStatus: 412},
			{name: "if-range same etag", method: "GET", hdr: []string{"Range", "bytes=0-3", "If-Range", `"abc"`}, wantStatus: 206, wantBody: body[:4]},
			{name: "if-range other etag", method: "GET", hdr: []string{"Range", "bytes=0-3", "If-Range", `"old"`}, wantStatus: 200, wantBody: body},
			{name: "if-range date", method: "GET", hdr: []string{"Range", "bytes=0-3", "If-Range", lastMod}, wantStatus: 206, wantBody: body[:4]},
		} {
			t.Run(tier.name+"/"+tc.name, func(t *testing.T) {
				c, clk := newCache(t, tier.cfg)
				put(t, c, "k", object{header: header, body: body, path: "/k", ttl: time.Hour})
				clk.Advance(5 * time.Second)
				e, ok := c.Get("k")
				if !ok {
					t.Fatal("Get missed")
				}
				defer e.Close()
				w := serve(e, tc.method, tc.hdr...)
				if got, want := w.Code, tc.wantStatus; got != want {
					t.Fatalf("status = %d, want %d", got, want)
				}
				if tc.wantStatus != 416 && tc.wantStatus != 412 {
					if got := w.Body.String(); got != tc.wantBody {
						t.Errorf("body = %q (%d bytes), want %d bytes", truncate(got), len(got), len(tc.wantBody))
					}
				}
				for k, want := range tc.wantHeader {
					if got := w.Header().Get(k); got != want {
						t.Errorf("%s = %q, want %q", k, got, want)
					}
				}
				for _, k := range tc.wantNoHeader {
					if got := w.Header().Values(k); len(got) != 0 {
						t.Errorf("%s = %q, want none", k, got)
					}
				}
			})
		}
	}
}

func TestServeMultipleRanges(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	put(t, c, "k", object{header: http.Header{"Content-Type": {"text/plain"}}, body: "abcdefghij", path: "/k", ttl: time.Hour})
	e, _ := c.Get("k")
	defer e.Close()
	w := serve(e, "GET", "Range", "bytes=0-1,5-6")
	if got, want := w.Code, 206; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "multipart/byteranges; boundary=") {
		t.Errorf("Content-Type = %q, want multipart/byteranges", ct)
	}
	for _, part := range []string{"Content-Range: bytes 0-1/10\r\n", "\r\n\r\nab\r\n", "Content-Range: bytes 5-6/10\r\n", "\r\n\r\nfg\r\n"} {
		if !strings.Contains(w.Body.String(), part) {
			t.Errorf("body lacks %q", part)
		}
	}
}

func TestServeReplaysHeaders(t *testing.T) {
	for _, tc := range []struct {
		name       string
		o          object
		method     string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{
			name:       "cached 404 page",
			o:          object{status: 404, header: http.Header{"Content-Type": {"text/html"}}, body: "<h1>gone</h1>", ttl: 10 * time.Second},
			method:     "GET",
			wantStatus: 404, wantBody: "<h1>gone</h1>",
			wantHeader: map[string]string{"Content-Type": "text/html", "Content-Length": "13"},
		},
		{
			name:       "redirect",
			o:          object{status: 301, header: http.Header{"Location": {"/new"}}, body: "", ttl: time.Hour},
			method:     "GET",
			wantStatus: 301, wantBody: "",
			wantHeader: map[string]string{"Location": "/new"},
		},
		{
			name:       "HEAD of an error page",
			o:          object{status: 404, header: http.Header{"Content-Type": {"text/html"}}, body: "<h1>gone</h1>", ttl: 10 * time.Second},
			method:     "HEAD",
			wantStatus: 404, wantBody: "",
			wantHeader: map[string]string{"Content-Length": "13"},
		},
		{
			name: "gzip content keeps its length",
			o: object{header: http.Header{"Content-Type": {"text/css"}, "Content-Encoding": {"gzip"}, "Vary": {"Accept-Encoding"}},
				body: "\x1f\x8bgzipped", ttl: time.Hour},
			method:     "GET",
			wantStatus: 200, wantBody: "\x1f\x8bgzipped",
			wantHeader: map[string]string{"Content-Encoding": "gzip", "Content-Length": "9", "Vary": "Accept-Encoding"},
		},
		{
			name:       "no content type is not sniffed",
			o:          object{body: "<html>hi</html>", ttl: time.Hour},
			method:     "GET",
			wantStatus: 200, wantBody: "<html>hi</html>",
			wantHeader: map[string]string{"Content-Type": ""},
		},
		{
			name:       "hop-by-hop fields are not stored",
			o:          object{header: http.Header{"Connection": {"close"}, "Keep-Alive": {"timeout=5"}, "X-Amz-Meta-A": {"1"}}, body: "x", ttl: time.Hour},
			method:     "GET",
			wantStatus: 200, wantBody: "x",
			wantHeader: map[string]string{"Connection": "", "Keep-Alive": "", "X-Amz-Meta-A": "1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(t, cache.Config{})
			tc.o.path = "/k"
			put(t, c, "k", tc.o)
			e, ok := c.Get("k")
			if !ok {
				t.Fatal("Get missed")
			}
			defer e.Close()
			w := serve(e, tc.method)
			if got, want := w.Code, tc.wantStatus; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if got := w.Body.String(); got != tc.wantBody {
				t.Errorf("body = %q, want %q", got, tc.wantBody)
			}
			for k, want := range tc.wantHeader {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestServeKeepsCallerHeaders(t *testing.T) {
	c, _ := newCache(t, cache.Config{})
	put(t, c, "k", object{header: http.Header{"Via": {"1.1 origin"}}, body: "x", path: "/k", ttl: time.Hour})
	e, _ := c.Get("k")
	defer e.Close()
	r, w := newGet(), newRecorder()
	w.Header().Set("X-Cache", "Hit from cloudfront")
	e.ServeHTTP(w, r)
	if got, want := w.Header().Get("X-Cache"), "Hit from cloudfront"; got != want {
		t.Errorf("X-Cache = %q, want %q", got, want)
	}
	// Adding to a replayed field must not change the stored object.
	w.Header().Add("Via", "1.1 keyfront")
	if got, want := e.Header.Values("Via"), []string{"1.1 origin"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("stored Via = %q after the caller added to it, want %q", got, want)
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
