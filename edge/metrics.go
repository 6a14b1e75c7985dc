package edge

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"keyfront"
)

// metrics are the edge's Prometheus collectors.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	originLatency *prometheus.HistogramVec
	rejections    *prometheus.CounterVec
	memo          *prometheus.CounterVec
	storeErrors   prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, c Cache, revision func() keyfront.Revision) (*metrics, error) {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyfront_edge_requests_total",
			Help: "Viewer requests by distribution, status and cache result (Hit, RefreshHit, Miss, Error, Redirect, or - when refused before routing).",
		}, []string{"distribution", "status", "cache"}),
		originLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "keyfront_edge_origin_request_duration_seconds",
			Help:    "Time from sending an origin request to receiving its response headers, by distribution.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"distribution"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyfront_edge_signature_rejections_total",
			Help: "Signed URL and signed cookie rejections by CloudFront error code.",
		}, []string{"code"}),
		memo: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keyfront_edge_signature_memo_total",
			Help: "Signature checks answered from the memo of successful verifications (hit) or verified (miss).",
		}, []string{"result"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "keyfront_edge_store_errors_total",
			Help: "Failed attempts to follow the store (read its changes or report this edge's node); the edge serves its last configuration meanwhile.",
		}),
	}
	cs := []prometheus.Collector{m.requests, m.originLatency, m.rejections, m.memo, m.storeErrors,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "keyfront_edge_config_revision",
			Help: "The store revision this edge has applied: it serves that revision's configuration and has purged every invalidation up to it.",
		}, func() float64 { return float64(revision()) }),
	}
	if c != nil {
		cs = append(cs,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "keyfront_edge_cache_bytes",
				Help: "Bytes stored in the edge cache, memory and files together.",
			}, func() float64 { return float64(c.Stats().Bytes) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "keyfront_edge_cache_objects",
				Help: "Objects stored in the edge cache.",
			}, func() float64 { return float64(c.Stats().Entries) }),
		)
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
