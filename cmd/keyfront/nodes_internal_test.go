package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"keyfront"
	"keyfront/inmem"
)

// lockedBuffer is a bytes.Buffer a logger may write while the test reads.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNodeWatchLogsStaleNodesOnce checks that an edge node is logged once
// when it becomes stale and once when it is live again, and that the
// metrics listener counts live and stale nodes.
func TestNodeWatchLogsStaleNodesOnce(t *testing.T) {
	ctx := context.Background()
	store := inmem.New()
	var logs lockedBuffer
	w := newNodeWatch(store, time.Minute, slog.New(slog.NewTextHandler(&logs, nil)))
	put := func(id string, seen time.Time) {
		t.Helper()
		if err := store.Update(ctx, func(tx keyfront.Tx) error {
			return tx.PutNode(ctx, &keyfront.Node{ID: id, Revision: 1, LastSeen: seen})
		}); err != nil {
			t.Fatal(err)
		}
	}
	check := func() {
		t.Helper()
		if err := w.check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	put("edge-a", time.Now())
	put("edge-b", time.Now().Add(-time.Hour))
	check()
	check()
	if got, want := strings.Count(logs.String(), "edge node is stale"), 1; got != want {
		t.Errorf("stale lines after two checks: %d, want %d\n%s", got, want, logs.String())
	}
	if !strings.Contains(logs.String(), "node=edge-b") || strings.Contains(logs.String(), "node=edge-a") {
		t.Errorf("the stale line names the wrong node:\n%s", logs.String())
	}

	srv := httptest.NewServer(metricsMux(nil, w))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`keyfront_nodes{state="live"} 1`, `keyfront_nodes{state="stale"} 1`} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body.String())
		}
	}

	put("edge-b", time.Now())
	check()
	if got, want := strings.Count(logs.String(), "edge node is live again"), 1; got != want {
		t.Errorf("live-again lines: %d, want %d\n%s", got, want, logs.String())
	}
	put("edge-b", time.Now().Add(-time.Hour))
	check()
	if got, want := strings.Count(logs.String(), "edge node is stale"), 2; got != want {
		t.Errorf("stale lines after it went stale a second time: %d, want %d", got, want)
	}
}
