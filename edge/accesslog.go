package edge

import (
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// logWriter records what the access log and the metrics need of a
// response while passing it on.
type logWriter struct {
	http.ResponseWriter
	start       time.Time
	status      int
	bytes       int64 // body bytes
	headerBytes int
	firstByte   time.Duration
	wrote       bool
}

func (w *logWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.status = status
		w.firstByte = time.Since(w.start)
		w.headerBytes = headerSize(status, w.Header())
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the underlying writer's sendfile path for bodies served
// from cache files.
func (w *logWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	}
	w.bytes += n
	return n, err
}

// Flush implements http.Flusher.
func (w *logWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// headerSize estimates the bytes of a status line and header block.
func headerSize(status int, h http.Header) int {
	n := len("HTTP/1.1 000 ") + len(http.StatusText(status)) + 2
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// finish records a finished request in the metrics and the access log.
func (s *Server) finish(w *logWriter, r *http.Request, rq *request) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	result := rq.result
	if result == "" {
		result = "-"
	}
	s.metrics.requests.WithLabelValues(rq.distID(), strconv.Itoa(status), result).Inc()
	if s.alog == nil || rq.tooLarge {
		return
	}
	s.alog.write(s.logLine(w, r, rq, status))
}

// accessLogFields are the 33 fields of CloudFront's standard log, in
// order (Developer Guide, standard-logs-reference, "Log file fields").
const accessLogFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status " +
	"cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header " +
	"cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type " +
	"cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type " +
	"sc-content-type sc-content-len sc-range-start sc-range-end"

// accessLog writes CloudFront standard log lines to a writer, one Write
// per line so that lines of concurrent requests never interleave.
type accessLog struct {
	mu     sync.Mutex // guards w
	w      io.Writer
	redact bool
}

func newAccessLog(w io.Writer, redact bool) *accessLog {
	return &accessLog{w: w, redact: redact}
}

func (l *accessLog) writeHeader() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := io.WriteString(l.w, "#Version: 1.0\n#Fields: "+accessLogFields+"\n")
	return err
}

func (l *accessLog) write(line string) {
	l.mu.Lock()
	io.WriteString(l.w, line)
	l.mu.Unlock()
}

// logLine formats one request. Absent values are "-"; values that could
// hold spaces or tabs are percent-encoded, as CloudFront's are.
func (s *Server) logLine(w *logWriter, r *http.Request, rq *request, status int) string {
	end := s.now()
	taken := time.Since(rq.start)
	var b strings.Builder
	b.Grow(512)
	field := func(v string) {
		if b.Len() > 0 {
			b.WriteByte('\t')
		}
		if v == "" {
			v = "-"
		}
		b.WriteString(v)
	}
	utc := end.UTC()
	field(utc.Format("2006-01-02"))
	field(utc.Format("15:04:05"))
	field(logEscape(s.cfg.NodeID))
	field(strconv.FormatInt(int64(w.headerBytes)+w.bytes, 10))
	field(addrString(rq.viewerIP.String()))
	field(logEscape(r.Method))
	if rq.dist != nil {
		field(rq.dist.domain)
	} else {
		field("-")
	}
	path, query := splitTarget(r.RequestURI)
	field(logEscape(path))
	field(strconv.Itoa(status))
	field(logEscape(r.Header.Get("Referer")))
	field(logEscape(r.Header.Get("User-Agent")))
	if s.alog.redact {
		query = redactQueryValues(query)
	}
	field(logEscape(query))
	field("-") // cs(Cookie): cookies are not logged (they carry credentials)
	field(rq.result)
	field(rq.id)
	field(logEscape(rq.hostHeader))
	field(rq.scheme)
	field(strconv.Itoa(rq.reqBytes))
	field(seconds(taken))
	field(logEscape(strings.Join(r.Header.Values("X-Forwarded-For"), ",")))
	proto, cipher := tlsNames(r.TLS)
	field(proto)
	field(cipher)
	field(rq.result)
	field(r.Proto)
	field("-") // fle-status
	field("-") // fle-encrypted-fields
	if rq.peer.IsValid() {
		field(strconv.Itoa(int(rq.peer.Port())))
	} else {
		field("-")
	}
	field(seconds(w.firstByte))
	field(rq.detailed)
	h := w.Header()
	field(logEscape(h.Get("Content-Type")))
	field(h.Get("Content-Length"))
	start, stop := "-", "-"
	if status == http.StatusPartialContent {
		if cr := h.Get("Content-Range"); strings.HasPrefix(cr, "bytes ") {
			rng, _, _ := strings.Cut(cr[len("bytes "):], "/")
			if a, z, ok := strings.Cut(rng, "-"); ok {
				start, stop = a, z
			}
		}
	}
	field(start)
	field(stop)
	b.WriteByte('\n')
	return b.String()
}

func addrString(s string) string {
	if s == "invalid IP" {
		return "-"
	}
	return s
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// tlsNames returns ssl-protocol and ssl-cipher: "TLSv1.3" and the cipher
// suite's name, or "-" for plain HTTP.
func tlsNames(cs *tls.ConnectionState) (string, string) {
	if cs == nil {
		return "-", "-"
	}
	var proto string
	switch cs.Version {
	case tls.VersionTLS10:
		proto = "TLSv1"
	case tls.VersionTLS11:
		proto = "TLSv1.1"
	case tls.VersionTLS12:
		proto = "TLSv1.2"
	case tls.VersionTLS13:
		proto = "TLSv1.3"
	default:
		proto = "-"
	}
	return proto, tls.CipherSuiteName(cs.CipherSuite)
}

// logEscape percent-encodes the bytes that would break a tab-separated
// line or a reader's decoding: controls, space, non-ASCII, '%' that
// starts no escape, '"' and '\'.
func logEscape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if needsLogEscape(s, i) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needsLogEscape(s, i) {
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func needsLogEscape(s string, i int) bool {
	c := s[i]
	switch {
	case c <= ' ' || c >= 0x7f || c == '"' || c == '\\':
		return true
	case c == '%':
		return !(i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]))
	}
	return false
}

// redactQueryValues replaces the values of Signature and Policy with "-"
// (signed-urls.md §13, edge.log_redact_signatures): a logged URL must not
// be a working signed URL. The names and the rest stay as received.
func redactQueryValues(q string) string {
	if !strings.Contains(q, "Signature") && !strings.Contains(q, "Policy") && !strings.Contains(q, "%") {
		return q
	}
	var b strings.Builder
	for rest, first := q, true; ; first = false {
		var item string
		var more bool
		item, rest, more = strings.Cut(rest, "&")
		if !first {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(item, "=")
		switch queryName(name) {
		case "Signature", "Policy":
			if hasValue {
				item = name + "=-"
			}
		}
		b.WriteString(item)
		if !more {
			break
		}
	}
	return b.String()
}

// redactQuery redacts the query of a request-target for the error log.
func redactQuery(uri string) string {
	path, query, ok := strings.Cut(uri, "?")
	if !ok {
		return uri
	}
	return path + "?" + redactQueryValues(query)
}
