package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"keyfront/edge"
	"keyfront/signing"
)

// BenchmarkEdge measures a request through the edge's handler, in
// process (no network), for a 1 KiB object already in the cache: the
// edge's own cost per request. The signed-URL cases use RSA-2048 SHA-1
// (what `aws cloudfront sign` emits); "memo" remembers the successful
// verification (signed-urls.md §16), "no memo" verifies every request;
// "unique URLs" signs a new URL per request, so the memo never hits.
func BenchmarkEdge(b *testing.B) {
	body := strings.Repeat("x", 1024)
	setup := func(b *testing.B, memo bool, restricted bool) *env {
		e := newEnv(b, withConfig(func(c *edge.Config) {
			c.AccessLog = nil
			if !memo {
				c.SignatureMemoSize = -1
			}
		}))
		e.basicSetup(func(d *dist) {
			if !restricted {
				d.Default.KeyGroups = nil
			}
		})
		e.origin.put("/obj.bin", body, "Cache-Control", "max-age=86400")
		return e
	}
	run := func(b *testing.B, e *env, target string, header ...string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Host = host1
		req.RemoteAddr = "192.0.2.1:1234"
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		// Warm the cache (and the memo).
		rec := httptest.NewRecorder()
		e.edge.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() != 1024 {
			b.Fatalf("warm-up: %d %q", rec.Code, rec.Body.String())
		}
		b.ReportAllocs()
		b.SetBytes(1024)
		b.ResetTimer()
		for b.Loop() {
			w := &discardWriter{h: http.Header{}}
			e.edge.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		}
	}
	requestTarget := func(signed string) string { return strings.TrimPrefix(signed, "http://"+host1) }

	b.Run("unrestricted", func(b *testing.B) {
		e := setup(b, true, false)
		run(b, e, "/obj.bin")
	})
	b.Run("signed URL RSA-SHA1 memo", func(b *testing.B) {
		e := setup(b, true, true)
		run(b, e, requestTarget(signURL(b, keyA, "http://"+host1+"/obj.bin")))
	})
	b.Run("signed URL RSA-SHA1 no memo", func(b *testing.B) {
		e := setup(b, false, true)
		run(b, e, requestTarget(signURL(b, keyA, "http://"+host1+"/obj.bin")))
	})
	b.Run("signed cookies RSA-SHA1 memo", func(b *testing.B) {
		e := setup(b, true, true)
		run(b, e, "/obj.bin", "Cookie", signCookies(b, keyA, "http://"+host1+"/obj.bin"))
	})
	b.Run("signed URL ECDSA-SHA256 memo", func(b *testing.B) {
		e := setup(b, true, true)
		u := mustSign(b, signer(b, keyEC, signing.SHA256), "http://"+host1+"/obj.bin", signing.Terms{DateLessThan: testNow.Add(time.Hour)})
		run(b, e, requestTarget(u))
	})
	b.Run("signed URL ECDSA-SHA256 no memo", func(b *testing.B) {
		e := setup(b, false, true)
		u := mustSign(b, signer(b, keyEC, signing.SHA256), "http://"+host1+"/obj.bin", signing.Terms{DateLessThan: testNow.Add(time.Hour)})
		run(b, e, requestTarget(u))
	})
}

// BenchmarkEdgeLoopback is the same cache hit over loopback HTTP/1.1 with
// keep-alive, from parallel clients: what a viewer sees, minus the
// network.
func BenchmarkEdgeLoopback(b *testing.B) {
	for _, memo := range []bool{true, false} {
		name := "signed URL RSA-SHA1 memo"
		if !memo {
			name = "signed URL RSA-SHA1 no memo"
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, withConfig(func(c *edge.Config) {
				c.AccessLog = nil
				if !memo {
					c.SignatureMemoSize = -1
				}
			}))
			e.basicSetup()
			e.origin.put("/obj.bin", strings.Repeat("x", 1024), "Cache-Control", "max-age=86400")
			url := signURL(b, keyA, "http://"+host1+"/obj.bin")
			e.client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			if resp, _ := e.get(url); resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode)
			}
			b.SetBytes(1024)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, body := e.get(url)
					if resp.StatusCode != 200 || len(body) != 1024 {
						b.Errorf("%d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	return len(p), nil
}
