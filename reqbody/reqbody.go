// Package reqbody bounds how long a server waits for a request body.
//
// net/http cuts slow request headers (http.Server.ReadHeaderTimeout) but
// has only a total ReadTimeout for bodies, which no large upload can live
// with. Without a deadline a client that sends a valid header and then
// trickles its body, or announces a Content-Length it never sends, holds a
// connection, a goroutine and whatever the handler buffered for as long as
// it likes. Watch gives each body an idle deadline instead: every read may
// wait at most Limits.Idle for the next bytes, and the deadline moves on as
// bytes arrive, so a large upload at any steady rate is fine while a
// stalled one is cut. Limits.Total optionally bounds the whole body too,
// for handlers that buffer small bodies before they can authenticate them.
//
// The deadline is the connection's read deadline, set through
// http.ResponseController, so it also bounds the reads net/http itself
// does after a handler returns without reading the body (it discards up to
// 256 KiB of it before reusing the connection). The planes (controlapi,
// edge, s3) each call Watch first thing in ServeHTTP and answer a timed-out
// body in their own protocol's words.
package reqbody

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// DefaultIdle is the idle body timeout the planes use when their Config
// leaves it zero: 20 seconds, S3's own (S3 answers 400 RequestTimeout once
// a client has sent nothing for about 20 seconds; AWS knowledge center,
// s3-socket-connection-timeout-error).
const DefaultIdle = 20 * time.Second

// Limits are the deadlines of one request body.
type Limits struct {
	// Idle is how long one read may wait for the next bytes. Zero means
	// DefaultIdle.
	Idle time.Duration
	// Total, if positive, bounds the time from Watch to the body's last
	// byte, however steadily it arrives. Zero means no total bound.
	Total time.Duration
}

// ErrTimeout is returned by Body.Read once a deadline has passed. It
// matches os.ErrDeadlineExceeded with errors.Is, as the error of a
// connection whose read deadline passed does, so code that does not know
// this package (sigv4's body readers) reports it as a timeout too.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string {
	return "reqbody: the client sent no request body bytes within the read deadline"
}

// Timeout reports true, as net.Error's Timeout does for a passed deadline.
func (timeoutError) Timeout() bool { return true }

// Is makes errors.Is(ErrTimeout, os.ErrDeadlineExceeded) true.
func (timeoutError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// Body is a request body whose reads are bounded by Limits. It replaces
// r.Body; handlers read it as they read any body.
type Body struct {
	rc       io.ReadCloser
	ctl      *http.ResponseController
	idle     time.Duration
	end      time.Time // zero: no total bound
	noCtl    bool      // the ResponseWriter cannot set deadlines
	timedOut atomic.Bool
	done     atomic.Bool // EOF seen, or detached: Read leaves the deadline alone
}

// Watch replaces r.Body with a *Body enforcing l and returns it, or returns
// nil when the request has no body. It sets the first deadline at once, so
// that a handler that answers without reading the body (a refused
// signature, say) does not leave net/http waiting for it unbounded.
//
// w must be the ResponseWriter net/http passed to the handler, or one that
// unwraps to it (http.ResponseController); when it cannot set deadlines,
// as an httptest.ResponseRecorder cannot, the body is read without any.
// Reads may happen on another goroutine than the handler's (the edge's
// origin transport reads the viewer's body).
func Watch(w http.ResponseWriter, r *http.Request, l Limits) *Body {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	if l.Idle <= 0 {
		l.Idle = DefaultIdle
	}
	now := time.Now()
	b := &Body{rc: r.Body, ctl: http.NewResponseController(w), idle: l.Idle}
	if l.Total > 0 {
		b.end = now.Add(l.Total)
	}
	if err := b.ctl.SetReadDeadline(b.deadline(now)); err != nil {
		b.noCtl = true
	}
	r.Body = b
	return b
}

func (b *Body) deadline(now time.Time) time.Time {
	d := now.Add(b.idle)
	if !b.end.IsZero() && b.end.Before(d) {
		d = b.end
	}
	return d
}

// Read reads from the body, first moving the read deadline to Idle from
// now (or the total deadline, if sooner). A read that fails because the
// deadline passed returns ErrTimeout, on this and every later call.
func (b *Body) Read(p []byte) (int, error) {
	if b.timedOut.Load() {
		return 0, ErrTimeout
	}
	if !b.noCtl && !b.done.Load() {
		b.ctl.SetReadDeadline(b.deadline(time.Now()))
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		// Whole: nothing more to wait for. net/http starts its own
		// background read of the connection now, which a deadline left
		// behind would fail, cancelling the request's context while the
		// handler still works on the body.
		if b.done.CompareAndSwap(false, true) && !b.noCtl {
			b.ctl.SetReadDeadline(time.Time{})
		}
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		b.timedOut.Store(true)
		err = ErrTimeout
	}
	return n, err
}

// Close closes the underlying body.
func (b *Body) Close() error { return b.rc.Close() }

// TimedOut reports whether a read failed because a deadline passed.
func (b *Body) TimedOut() bool { return b != nil && b.timedOut.Load() }

// Abandon gives up on the rest of the body: it expires the read deadline,
// so that neither a handler nor net/http (which otherwise reads up to
// 256 KiB of an unread body after the response) waits for more bytes. Call
// it when refusing a request without reading its body, and set
// "Connection: close" on the response, since the connection cannot carry
// another request after an unread body. Abandon on a nil *Body does
// nothing.
func (b *Body) Abandon() {
	if b == nil || b.noCtl || b.done.Load() {
		return
	}
	b.ctl.SetReadDeadline(time.Now())
}

// Detach stops Read from moving the connection's read deadline; call it
// (deferred) when the handler returns, since a ResponseController must
// not be used after that, while a goroutine the handler started (an
// origin request still sending the body) may go on reading. The deadline
// last set stays, bounding what net/http reads of an unread body.
// Detach on a nil *Body does nothing.
func (b *Body) Detach() {
	if b != nil {
		b.done.Store(true)
	}
}
