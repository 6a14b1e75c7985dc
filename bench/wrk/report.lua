-- wrk script for bench/edge-vs-nginx.sh: sends wrk's default request (URL
-- and -H headers) and, when done, prints one machine-readable line with the
-- totals, the error counts (status = responses >= 400, wrk's "Non-2xx or
-- 3xx responses") and latency percentiles in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "KFBENCH requests=%d duration_us=%d bytes=%d status_errors=%d connect=%d read=%d write=%d timeout=%d " ..
    "lat_mean_us=%.0f lat_p50_us=%d lat_p99_us=%d lat_max_us=%d reused=0\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max))
end
