package reqbody_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyfront/reqbody"
)

// readResult is what a handler got reading its body.
type readResult struct {
	n        int
	err      error
	timedOut bool
	took     time.Duration
}

// serve starts a server whose handler watches the body with l, reads it
// whole and reports the result on the returned channel.
func serve(t *testing.T, l reqbody.Limits) (addr string, results <-chan readResult) {
	t.Helper()
	ch := make(chan readResult, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := reqbody.Watch(w, r, l)
		defer b.Detach()
		data, err := io.ReadAll(r.Body)
		ch <- readResult{n: len(data), err: err, timedOut: b.TimedOut(), took: time.Since(start)}
		if err != nil {
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusRequestTimeout)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), ch
}

// trickle sends a POST of n bytes to addr, one chunk of size bytes every
// interval, and stops after stopAfter chunks (or never, if negative).
func trickle(t *testing.T, addr string, n, size int, interval time.Duration, stopAfter int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(n)+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	go func() {
		for sent, chunks := 0, 0; sent < n && chunks != stopAfter; chunks++ {
			k := min(size, n-sent)
			if _, err := conn.Write([]byte(strings.Repeat("x", k))); err != nil {
				return
			}
			sent += k
			time.Sleep(interval)
		}
	}()
	return conn
}

func wait(t *testing.T, ch <-chan readResult, limit time.Duration) readResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(limit):
		t.Fatalf("the handler got no result within %s", limit)
		return readResult{}
	}
}

func TestWatch(t *testing.T) {
	const idle = 200 * time.Millisecond
	tests := []struct {
		name        string
		limits      reqbody.Limits
		n, size     int
		interval    time.Duration
		stopAfter   int
		wantTimeout bool
	}{
		{name: "stalled", limits: reqbody.Limits{Idle: idle}, n: 1000, size: 10, stopAfter: 1, wantTimeout: true},
		{name: "slower than idle", limits: reqbody.Limits{Idle: idle}, n: 1000, size: 10, interval: 3 * idle, stopAfter: -1, wantTimeout: true},
		// Takes about 4 × idle in all, but bytes never pause for idle.
		{name: "steady, longer than idle", limits: reqbody.Limits{Idle: idle}, n: 1000, size: 100, interval: idle / 3, stopAfter: -1},
		{name: "steady, longer than total", limits: reqbody.Limits{Idle: idle, Total: 2 * idle}, n: 1000, size: 100, interval: idle / 3, stopAfter: -1, wantTimeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, results := serve(t, tt.limits)
			trickle(t, addr, tt.n, tt.size, tt.interval, tt.stopAfter)
			r := wait(t, results, 20*idle)
			if !tt.wantTimeout {
				if r.err != nil || r.n != tt.n {
					t.Fatalf("read %d bytes, %v; want all %d", r.n, r.err, tt.n)
				}
				if r.took < idle {
					t.Fatalf("the body took %s, less than the idle deadline: the case proves nothing", r.took)
				}
				return
			}
			if !errors.Is(r.err, reqbody.ErrTimeout) || !errors.Is(r.err, os.ErrDeadlineExceeded) || !r.timedOut {
				t.Fatalf("read error %v (TimedOut %v), want reqbody.ErrTimeout, matching os.ErrDeadlineExceeded", r.err, r.timedOut)
			}
			if limit := 10 * idle; r.took > limit {
				t.Errorf("timed out after %s, want within %s", r.took, limit)
			}
		})
	}
}

// TestAbandon refuses a request without reading its body: the answer
// comes at once, not after net/http has waited for the body, even with a
// long idle deadline.
func TestAbandon(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := reqbody.Watch(w, r, reqbody.Limits{Idle: time.Minute})
		defer b.Detach()
		b.Abandon()
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a refused request whose body never comes: %v", err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusTooManyRequests; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
}

// TestWatchWithoutBody returns nil for a request without a body; the nil
// *Body's methods are safe.
func TestWatchWithoutBody(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	b := reqbody.Watch(httptest.NewRecorder(), r, reqbody.Limits{})
	if b != nil {
		t.Fatalf("Watch = %v for a request without a body, want nil", b)
	}
	b.Abandon()
	b.Detach()
	if b.TimedOut() {
		t.Error("nil Body timed out")
	}
}

// TestWatchWithoutDeadlines reads the body as it is when the
// ResponseWriter cannot set deadlines.
func TestWatchWithoutDeadlines(t *testing.T) {
	r := httptest.NewRequest("POST", "/", strings.NewReader("hello"))
	reqbody.Watch(httptest.NewRecorder(), r, reqbody.Limits{Idle: time.Millisecond})
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != "hello" {
		t.Fatalf("ReadAll = %q, %v; want hello", got, err)
	}
}

// TestWatchHTTP2 checks the idle deadline on an HTTP/2 stream, as the
// edge's TLS listener serves: a stalled body times out, a steady one
// longer than the deadline is read whole.
func TestWatchHTTP2(t *testing.T) {
	const idle = 200 * time.Millisecond
	results := make(chan readResult, 2)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.ProtoAtLeast(2, 0) {
			t.Errorf("request over %s, want HTTP/2", r.Proto)
		}
		start := time.Now()
		b := reqbody.Watch(w, r, reqbody.Limits{Idle: idle})
		defer b.Detach()
		data, err := io.ReadAll(r.Body)
		results <- readResult{n: len(data), err: err, timedOut: b.TimedOut(), took: time.Since(start)}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	done := make(chan struct{})
	defer close(done)

	send := func(chunks int, interval time.Duration, stall bool) {
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < chunks; i++ {
				pw.Write([]byte(strings.Repeat("x", 100)))
				time.Sleep(interval)
			}
			if stall {
				<-done
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL, pr)
		go func() {
			if resp, err := srv.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}

	send(1, 0, true)
	r := wait(t, results, 20*idle)
	if !errors.Is(r.err, reqbody.ErrTimeout) || !r.timedOut {
		t.Errorf("stalled: read error %v (TimedOut %v), want reqbody.ErrTimeout", r.err, r.timedOut)
	}
	if limit := 10 * idle; r.took > limit {
		t.Errorf("stalled: timed out after %s, want within %s", r.took, limit)
	}

	send(10, idle/3, false)
	r = wait(t, results, 40*idle)
	if r.err != nil || r.n != 1000 || r.took < idle {
		t.Errorf("steady: read %d bytes in %s, %v; want all 1000 in more than %s", r.n, r.took, r.err, idle)
	}
}
