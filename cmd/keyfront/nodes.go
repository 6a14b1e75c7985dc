package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"keyfront"
	"keyfront/domain"
)

// nodeWatch makes stale edges visible from the control plane. An edge
// that stops heartbeating for longer than the live timeout no longer
// holds Deployed and Completed back (domain.Progress), which is right for
// an edge that was stopped and wrong for one that is still serving but
// cannot reach the store: the operator must hear of it. nodeWatch logs a
// warning once when a node becomes stale and a line when it is live again,
// and keeps the gauge keyfront_nodes{state="live"|"stale"} for the
// metrics listener (docs/deploy.md).
type nodeWatch struct {
	store    keyfront.Store
	timeout  time.Duration
	interval time.Duration
	log      *slog.Logger
	reg      *prometheus.Registry
	gauge    *prometheus.GaugeVec

	mu sync.Mutex // guards stale
	// stale holds the IDs of the nodes last seen stale, so that each
	// becoming stale is logged once.
	stale map[string]bool
}

func newNodeWatch(store keyfront.Store, timeout time.Duration, log *slog.Logger) *nodeWatch {
	w := &nodeWatch{
		store:   store,
		timeout: timeout,
		// Checking at a quarter of the timeout reports a node stale within
		// 1.25 timeouts of its last heartbeat.
		interval: max(timeout/4, 100*time.Millisecond),
		log:      log,
		reg:      prometheus.NewRegistry(),
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "keyfront_nodes",
			Help: "Edge nodes registered in the store, by state: live (heartbeat within node_live_timeout; Deployed and Completed wait for them) or stale.",
		}, []string{"state"}),
		stale: map[string]bool{},
	}
	w.reg.MustRegister(w.gauge)
	w.gauge.WithLabelValues("live")
	w.gauge.WithLabelValues("stale")
	return w
}

// run checks the nodes until ctx ends.
func (w *nodeWatch) run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		if err := w.check(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("reading the edge nodes", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check reads the nodes once, logs the changes of state and sets the
// gauge.
func (w *nodeWatch) check(ctx context.Context) error {
	var nodes []*keyfront.Node
	err := w.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		nodes, err = tx.ListNodes(ctx, keyfront.Page{})
		return err
	})
	if err != nil {
		return err
	}
	now := time.Now()
	p := domain.NewProgress(nodes, now, w.timeout)
	w.gauge.WithLabelValues("live").Set(float64(len(p.Live)))
	w.gauge.WithLabelValues("stale").Set(float64(len(p.Stale)))

	w.mu.Lock()
	defer w.mu.Unlock()
	seen := map[string]bool{}
	for _, n := range p.Stale {
		seen[n.ID] = true
		if !w.stale[n.ID] {
			w.stale[n.ID] = true
			w.log.Warn("edge node is stale: no heartbeat within node_live_timeout, so Deployed and Completed no longer wait for it; if it still serves viewers, it may serve an old configuration",
				"node", n.ID, "last_seen", n.LastSeen.UTC().Format(time.RFC3339Nano), "revision", n.Revision, "node_live_timeout", w.timeout)
		}
	}
	for _, n := range p.Live {
		if w.stale[n.ID] {
			w.log.Info("edge node is live again", "node", n.ID, "revision", n.Revision)
		}
	}
	for id := range w.stale {
		if !seen[id] {
			delete(w.stale, id)
		}
	}
	return nil
}

// metricsMux serves GET /metrics: the edge's metrics (edge may be nil)
// followed by the node gauge (nodes may be nil). Both are written in the
// Prometheus text format, so that the two registries' outputs can follow
// each other in one response.
func metricsMux(edge http.Handler, nodes *nodeWatch) http.Handler {
	var parts []http.Handler
	if edge != nil {
		parts = append(parts, edge)
	}
	if nodes != nil {
		parts = append(parts, promhttp.HandlerFor(nodes.reg, promhttp.HandlerOpts{}))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		// Without Accept and Accept-Encoding every handler answers plain
		// text, which concatenates.
		r = r.Clone(r.Context())
		r.Header.Del("Accept")
		r.Header.Del("Accept-Encoding")
		var body bytes.Buffer
		for _, h := range parts {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				http.Error(w, rec.Body.String(), rec.Code)
				return
			}
			body.Write(rec.Body.Bytes())
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write(body.Bytes())
	})
	return mux
}
