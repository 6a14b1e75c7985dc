package edge_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"keyfront/edge"
)

// TestStalledViewerBodyIs408 relays a viewer's upload to the origin and
// stalls it: the edge answers 408 within a few times its idle deadline
// and closes the connection, rather than waiting on the viewer or blaming
// the origin with a 502 or 504. An upload whose bytes keep coming
// reaches the origin whole, however long it takes.
func TestStalledViewerBodyIs408(t *testing.T) {
	const idle = 300 * time.Millisecond
	e := newEnv(t, withConfig(func(c *edge.Config) { c.BodyIdleTimeout = idle }))
	e.basicSetup(func(d *dist) {
		d.Default = beh{Target: "o1", Methods: []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}}
	})

	start := time.Now()
	resp, conn := rawExchange(t, e, "POST /upload HTTP/1.1\r\nHost: "+host1+"\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 100))
	took := time.Since(start)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusRequestTimeout; got != want {
		t.Fatalf("status = %d, want %d; body %s", got, want, body)
	}
	if limit := 10 * idle; took > limit {
		t.Errorf("answered after %s, want within %s", took, limit)
	}
	if got := resp.Header.Get("X-Cache"); got != "Error from cloudfront" {
		t.Errorf("X-Cache = %q, want Error from cloudfront", got)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("connection still open after the 408 (read %d, %v)", n, err)
	}

	// A slow but steady upload is relayed whole.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 8; i++ {
			time.Sleep(idle / 3)
			pw.Write([]byte(strings.Repeat("y", 1000)))
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", "http://"+host1+"/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 8000
	resp, err = e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The fake origin answers 404 for a path it does not hold; what
	// matters is that the request got there and was not cut.
	if got, want := resp.StatusCode, http.StatusNotFound; got != want {
		t.Errorf("steady upload: status = %d, want the origin's %d", got, want)
	}
}
