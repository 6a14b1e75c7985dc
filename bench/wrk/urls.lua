-- wrk script for bench/edge-vs-nginx.sh: one distinct request-target per
-- request, taken from a file of signed URLs (one per line, as written by
-- `keyfront sign --urls-from`).
--
--   wrk ... -s bench/wrk/urls.lua http://127.0.0.1:PORT -- FILE THREADS
--
-- Thread k of THREADS sends lines k, k+THREADS, k+2*THREADS, ... in order,
-- so no two requests of a run carry the same signature while the file lasts.
-- If a thread runs out it starts over; the requests sent again are counted
-- and reported as "reused" (a reused URL can hit the edge's signature memo,
-- so a run with reused > 0 does not measure what it claims to).
-- Scheme and host are stripped from each line: the Host header (-H) must be
-- the host the URLs were signed for.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  targets = {}
  local i = 0
  for line in io.lines(file) do
    if line ~= "" then
      if i % nthreads == id then
        targets[#targets + 1] = (line:gsub("^https?://[^/]+", ""))
      end
      i = i + 1
    end
  end
  if #targets == 0 then
    error("no URLs for thread " .. id .. " in " .. file)
  end
  sent = 0
  reused = 0
end

function request()
  sent = sent + 1
  if sent > #targets then
    reused = reused + 1
  end
  return wrk.format(nil, targets[(sent - 1) % #targets + 1])
end

function done(summary, latency, requests)
  local total_reused = 0
  for _, t in ipairs(threads) do
    total_reused = total_reused + (t:get("reused") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "KFBENCH requests=%d duration_us=%d bytes=%d status_errors=%d connect=%d read=%d write=%d timeout=%d " ..
    "lat_mean_us=%.0f lat_p50_us=%d lat_p99_us=%d lat_max_us=%d reused=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(99), latency.max, total_reused))
end
