package edge

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A request whose Host is no enabled distribution's gets CloudFront's 403
// "Bad request." page: CloudFront picks the distribution by the Host
// header alone and answers a name that no distribution lists (or an http
// request to an https-only behavior) with that page (AWS Knowledge Center,
// "resolve-cloudfront-bad-request-error"; Developer Guide,
// http-403-permission-denied, "Alternate CNAME is incorrectly
// configured"). The page says nothing about why, so that a scanner learns
// nothing, and a newcomer who tries `curl http://127.0.0.1:7080/x` learns
// nothing either. The edge therefore also logs, at Info, the Host it did
// not know and the names it does know, at most once per Host per
// hostLogInterval and at most hostLogLines lines per interval in all, so
// that a scanner trying many names cannot flood the log. Lines left out
// are counted in the next line's "unlogged" attribute, and go to the
// Debug log one by one.
const (
	hostLogInterval = time.Minute
	hostLogLines    = 10
	// knownHostsShown is how many of the known names a line lists; more
	// are counted.
	knownHostsShown = 5
	// maxLoggedHost bounds the Host value written to the log (a DNS name
	// is at most 253 bytes), so that a scanner's 8 KB Host (the URL limit
	// counts it) is not copied into the log whole.
	maxLoggedHost = 255
)

// hostLog decides which refusals of unknown hosts are logged.
type hostLog struct {
	mu sync.Mutex // guards the fields below
	// last is when each logged host was last logged. Entries older than
	// hostLogInterval are dropped when a new interval starts, so it never
	// holds more than 2×hostLogLines hosts.
	last map[string]time.Time
	// start is when the current interval began, lines the lines logged in
	// it, and unlogged the refusals not logged since the last line.
	start    time.Time
	lines    int
	unlogged int
}

// allow reports whether a refusal of host at now gets a log line and, if
// so, how many refusals went unlogged before it.
func (l *hostLog) allow(host string, now time.Time) (ok bool, unlogged int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	if now.Sub(l.start) >= hostLogInterval || now.Before(l.start) {
		l.start, l.lines = now, 0
		for h, t := range l.last {
			if now.Sub(t) >= hostLogInterval || now.Before(t) {
				delete(l.last, h)
			}
		}
	}
	if t, seen := l.last[host]; seen && now.Sub(t) < hostLogInterval || l.lines >= hostLogLines {
		l.unlogged++
		return false, 0
	}
	l.last[host] = now
	l.lines++
	unlogged, l.unlogged = l.unlogged, 0
	return true, unlogged
}

// knownHosts is what an unknown-host log line says about the names the
// edge serves: a few of them and how many there are.
type knownHosts struct {
	sample string // up to knownHostsShown names, comma-separated, sorted
	first  string // the first of them, for the hint's example URL
	count  int
}

// exampleURL is the refused request's URL with a known host in place of
// its own: the same scheme, port and path (not the query, which may hold
// a signature). A path of more than a few hundred bytes is cut.
func exampleURL(r *http.Request, rq *request, host string) string {
	port := ""
	if h := r.Host; !strings.HasSuffix(h, "]") {
		if i := strings.LastIndexByte(h, ':'); i >= 0 && i+1 < len(h) && len(h)-i <= 6 {
			port = h[i:]
		}
	}
	path, _ := splitTarget(r.RequestURI)
	if len(path) > 200 {
		path = path[:200] + "…"
	}
	return rq.scheme + "://" + host + port + path
}

// newKnownHosts summarises the names of enabled distributions in a
// snapshot's host index.
func newKnownHosts(hosts map[string]*distribution) knownHosts {
	var names []string
	for h, d := range hosts {
		if d.enabled {
			names = append(names, h)
		}
	}
	slices.Sort(names)
	k := knownHosts{count: len(names)}
	if len(names) > knownHostsShown {
		names = names[:knownHostsShown]
	}
	k.sample = strings.Join(names, ", ")
	if len(names) > 0 {
		k.first = names[0]
	}
	return k
}

// logUnknownHost logs the refusal of a request whose Host no enabled
// distribution has: at Info within the limits of hostLog, else at Debug.
// The names it lists are those of the current snapshot, which is the one
// the request was judged by unless a reload happened in between; then
// they are the names a retry would find.
func (s *Server) logUnknownHost(r *http.Request, rq *request) {
	host := r.Host
	if len(host) > maxLoggedHost {
		host = host[:maxLoggedHost] + "…"
	}
	key := canonicalHost(host)
	snap := s.snap.Load()
	dist := snap.hosts[key]
	ok, unlogged := s.hostLog.allow(key, s.now())
	if !ok {
		s.log.Debug("edge: request refused", "request_id", rq.id, "host", host, "status", http.StatusForbidden)
		return
	}
	attrs := []any{"request_id", rq.id, "host", host}
	var msg string
	if dist != nil {
		msg = `edge: refused with 403 "Bad request.": the distribution with this Host is disabled`
		attrs = append(attrs, "distribution", string(dist.id))
	} else {
		msg = `edge: refused with 403 "Bad request.": no distribution has this Host as its domain name or an alias`
	}
	known := snap.known()
	switch {
	case known.count == 0:
		attrs = append(attrs, "known_hosts", "none", "hint", "no distribution is enabled; create one with the control API")
	default:
		shown := known.sample
		if more := known.count - knownHostsShown; more > 0 {
			shown += " and " + strconv.Itoa(more) + " more"
		}
		attrs = append(attrs, "known_hosts", shown, "known_count", known.count,
			"hint", "hosts are matched without the port: try "+exampleURL(r, rq, known.first))
	}
	if unlogged > 0 {
		attrs = append(attrs, "unlogged", unlogged)
	}
	s.log.Info(msg, attrs...)
}
