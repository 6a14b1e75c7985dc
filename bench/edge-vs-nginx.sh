#!/usr/bin/env bash
# Edge benchmarks: keyfront's edge against nginx serving the same file
# statically, driven by wrk, everything on loopback.
#
#   bench/edge-vs-nginx.sh
#
# 1. cookie  — a cached 1 KiB object, one valid signed cookie set (custom
#              policy, wildcard resource, RSA-2048 SHA1) on every request:
#              keyfront req/s vs nginx req/s.
# 2. unique  — the same object, a distinct signed URL on every request
#              (canned policy; each URL carries a distinct ?r=N, so each
#              signature is distinct and the edge's signature memo never
#              hits): once with ECDSA P-256 keys and once with RSA-2048
#              SHA1. nginx gets the same request-targets.
# 3. big     — a 256 MiB object fetched through the edge on a cache miss
#              (invalidated before each round), then once from the cache,
#              with keyfront's peak RSS (VmHWM) per fetch; nginx and the
#              origin alone for reference.
#
# keyfront and nginx are measured alternately, round by round, in one run.
# Settings (environment): ROUNDS=3 DURATION=10 (s per wrk run) THREADS=2
# CONNS=64 URLS_ECDSA=200000 URLS_RSA=150000 (signed URLs per round)
# UNIQUE_KEYS="ecdsa rsa" BIG_MIB=256 BIG_ROUNDS=3 TESTS="cookie unique big".
# RSA signing costs ~1 ms per URL on two cores: URLS_RSA=150000 takes about
# ROUNDS x 150 s to prepare. Needs root (or wrk and nginx already
# installed); installs them from Debian when missing.
set -euo pipefail
rounds=${ROUNDS:-3}
duration=${DURATION:-10}
threads=${THREADS:-2}
conns=${CONNS:-64}
urls_ecdsa=${URLS_ECDSA:-200000}
urls_rsa=${URLS_RSA:-150000}
unique_keys=${UNIQUE_KEYS:-ecdsa rsa}
big_mib=${BIG_MIB:-256}
big_rounds=${BIG_ROUNDS:-3}
tests=${TESTS:-cookie unique big}
referer=https://www.example.com/player
cd "$(dirname "$0")/.."

# --- tools -------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "wrk and nginx are needed: run as root, or apt-get install -y wrk nginx" >&2
    exit 1
  fi
  timeout 600 apt-get update
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y wrk nginx
fi
# The Debian package starts an nginx service of its own where systemd
# runs; ours listens on its own loopback port and does not touch it.

# --- workspace and cleanup ---------------------------------------------
work=$(mktemp -d /tmp/keyfront-bench.XXXXXX)
kf_pid= ngx_pid= child=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in $child $kf_pid $ngx_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $child $kf_pid $ngx_pid; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run CMD...: runs CMD in the background and waits for it, so that a
# signal reaches the trap at once rather than when CMD ends.
run() {
  local rc=0
  "$@" &
  child=$!
  wait "$child" || rc=$?
  child=
  return "$rc"
}

say() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- build, keys, files --------------------------------------------------
say "building keyfront and the seed helper into $work/bin"
go build -o "$work/bin/keyfront" ./cmd/keyfront
go build -o "$work/bin/seed" ./bench/internal/seed
kf=$work/bin/keyfront
seed=$work/bin/seed
cp -r bench/wrk "$work/wrk"
"$kf" keygen --out "$work/rsa.pem" --pubout "$work/rsa.pub" >/dev/null
"$kf" keygen --type ecdsa --out "$work/ec.pem" --pubout "$work/ec.pub" >/dev/null

# nginx's workers run as nobody: the document root must be readable.
chmod 755 "$work"
mkdir -p "$work/www/bench" "$work/nginx" "$work/data"
head -c 1024 /dev/urandom >"$work/www/bench/1k.bin"
if [[ " $tests " == *" big "* ]]; then
  head -c $((big_mib << 20)) /dev/urandom >"$work/www/bench/big.bin"
fi
chmod -R a+rX "$work/www"

# --- keyfront serve ------------------------------------------------------
export KEYFRONT_ACCESS_KEY_ID=AKIAKEYFRONTBENCH01
export KEYFRONT_SECRET_ACCESS_KEY=keyfront-bench-secret-not-for-production
export KEYFRONT_ACCOUNT_ID=123456789012
say "starting keyfront serve (data in $work/data)"
"$kf" serve --data-dir "$work/data" --api-addr 127.0.0.1:0 --edge-addr 127.0.0.1:0 --s3-addr 127.0.0.1:0 \
  >"$work/serve.out" 2>"$work/serve.log" &
kf_pid=$!
for _ in $(seq 1 300); do
  grep -q 'origin (S3)' "$work/serve.out" 2>/dev/null && break
  kill -0 "$kf_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
banner_url() { awk -v p="$1" 'index($0, p) { print $NF; exit }' "$work/serve.out"; }
edge_url=$(banner_url '  edge ')
api_url=$(banner_url 'control API')
s3_url=$(banner_url 'origin (S3)')
[ -n "$edge_url" ] && [ -n "$api_url" ] && [ -n "$s3_url" ] || { echo "no listener URLs in the banner" >&2; cat "$work/serve.out" >&2; exit 1; }
for u in "$edge_url" "$api_url" "$s3_url"; do
  curl -fsS --max-time 5 -o /dev/null "$u/healthz"
done
edge_port=${edge_url##*:}

objects=(bench/1k.bin="$work/www/bench/1k.bin")
[ -f "$work/www/bench/big.bin" ] && objects+=(bench/big.bin="$work/www/bench/big.bin")
say "setting up the seed: bucket, objects, keys, key group, OAC, distribution, bucket policy"
seed_vars=$(timeout 300 "$seed" setup --api "$api_url" --s3 "$s3_url" --edge "$edge_url" \
  --rsa-pub "$work/rsa.pub" --ec-pub "$work/ec.pub" --referer-like 'https://www.example.com/*' "${objects[@]}")
eval "$seed_vars" # DIST_ID DIST_DOMAIN DIST_ARN RSA_KEY_ID EC_KEY_ID
host=$DIST_DOMAIN:$edge_port # the Host viewers send, port included (signed)
base=http://$host

# --- nginx ---------------------------------------------------------------
ngx_port=
for p in $(seq 18080 18180); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ngx_port=$p; break; fi
done
[ -n "$ngx_port" ] || { echo "no free port for nginx in 18080-18180" >&2; exit 1; }
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$ngx_port;
    root $work/www;
  }
}
EOF
say "starting nginx on 127.0.0.1:$ngx_port"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
ngx_pid=$!
for _ in $(seq 1 100); do
  curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$ngx_port/bench/1k.bin" 2>/dev/null && break
  kill -0 "$ngx_pid" 2>/dev/null || { cat "$work/nginx/error.log" >&2; exit 1; }
  sleep 0.1
done
ngx=http://127.0.0.1:$ngx_port

# --- helpers -------------------------------------------------------------
expires=$(( $(date +%s) + 86400 ))
# fetch URL HOST OUT [curl args...]: GET through loopback with the given
# Host; prints "status size X-Cache".
fetch() {
  local url=$1 h=$2 out=$3; shift 3
  local target=${url#http://*/}
  local code size
  read -r code size < <(curl -sS --max-time 600 -H "Host: $h" -H "Referer: $referer" -D "$work/headers" \
    -o "$out" -w '%{http_code} %{size_download}\n' "$@" "http://127.0.0.1:${edge_port}/$target")
  printf '%s %s %s\n' "$code" "$size" "$(awk -F': ' 'tolower($1)=="x-cache" { sub(/\r$/, "", $2); print $2 }' "$work/headers")"
}
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$kf_pid/status"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$kf_pid/status"; }
mem=$work/mem.tsv # after-what VmRSS VmHWM (MiB)
: >"$mem"
mem_stage() { printf '%s\t%s\t%s\n' "$1" $(( $(rss_kib) / 1024 )) $(( $(hwm_kib) / 1024 )) >>"$mem"; }
mem_stage "setup (incl. upload)"
reset_hwm() { echo 5 >"/proc/$kf_pid/clear_refs" 2>/dev/null || say "cannot reset VmHWM (needs Linux >= 4.0 and permission): peaks are since start"; }

results=$work/results.tsv # test round server req/s requests status_errors socket_errors p50 p99 reused
: >"$results"
# run_wrk TEST ROUND SERVER WRK-ARGS... (URL and script arguments included)
clk_tck=$(getconf CLK_TCK)
# server_ticks SERVER: CPU time (user + system, clock ticks) used so far by
# keyfront, or by nginx's master and workers.
server_ticks() {
  local pids=$kf_pid
  [ "$1" = nginx ] && pids="$ngx_pid $(cat /proc/"$ngx_pid"/task/*/children)"
  for pid in $pids; do awk '{ print $14 + $15 }' "/proc/$pid/stat"; done | awk '{ s += $1 } END { print s }'
}
# machine_ticks: "busy total" clock ticks of all CPUs so far.
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat; }
# run_wrk TEST ROUND SERVER WRK-ARGS... (URL and script arguments included)
run_wrk() {
  local test=$1 round=$2 server=$3; shift 3
  local out=$work/wrk-$test-$round-$server.txt
  local t0 m0 t1 m1
  t0=$(server_ticks "$server")
  m0=$(machine_ticks)
  run timeout $((duration + 60)) wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 10s "$@" >"$out" 2>&1 || {
    echo "wrk failed ($test, round $round, $server):" >&2; cat "$out" >&2; exit 1; }
  t1=$(server_ticks "$server")
  m1=$(machine_ticks)
  local line
  line=$(grep '^KFBENCH' "$out") || { echo "no KFBENCH line from wrk:" >&2; cat "$out" >&2; exit 1; }
  # shellcheck disable=SC2086
  local $(echo "${line#KFBENCH }")
  local rps sock cpu_us cores busy
  rps=$(awk -v n="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  sock=$((connect + read + write + timeout))
  # the server's CPU per request, the cores it kept busy, and the share of
  # all CPUs busy (wrk, the server and anything else) during the run
  cpu_us=$(awk -v t="$((t1 - t0))" -v h="$clk_tck" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t / h * 1e6 / n : 0) }')
  cores=$(awk -v t="$((t1 - t0))" -v h="$clk_tck" -v d="$duration_us" 'BEGIN { printf "%.2f", t / h / (d / 1e6) }')
  busy=$(awk -v a="$m0" -v b="$m1" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", (y[1] - x[1]) * 100 / (y[2] - x[2]) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$test" "$round" "$server" "$rps" "$requests" \
    "$status_errors" "$sock" "$lat_p50_us" "$lat_p99_us" "$reused" "$cpu_us" "$cores" >>"$results"
  say "$(printf '%-14s round %s  %-8s %8s req/s  %s B/response  non-2xx/3xx %s  socket errors %s  p50 %s µs  p99 %s µs  server CPU %s µs/req (%s cores)  CPUs busy %s%%  load %s%s' \
    "$test" "$round" "$server" "$rps" "$((bytes / (requests > 0 ? requests : 1)))" "$status_errors" "$sock" "$lat_p50_us" "$lat_p99_us" \
    "$cpu_us" "$cores" "$busy" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$([ "$reused" -gt 0 ] && [ "$server" = keyfront ] && echo "  REUSED URLS $reused (memo hits possible)" || true)")"
  if [ "$status_errors" -gt 0 ] || [ "$sock" -gt 0 ]; then
    sed -n '/Non-2xx\|Socket errors/p' "$out" >&2
  fi
}

# --- 1. cached 1 KiB object, signed cookie --------------------------------
if [[ " $tests " == *" cookie "* ]]; then
  cookie=$("$kf" sign-cookies --resource "$base/bench/*" --key-pair-id "$RSA_KEY_ID" \
    --private-key "file://$work/rsa.pem" --date-less-than "$expires" --output set-cookie |
    awk '{ sub(/^Set-Cookie: /, ""); sub(/;.*/, ""); printf "%s%s", sep, $0; sep = "; " }')
  for want in Miss Hit; do
    read -r code size xcache < <(fetch "$base/bench/1k.bin" "$host" "$work/got" -H "Cookie: $cookie")
    [ "$code" = 200 ] && [ "$size" = 1024 ] && [ "$xcache" = "$want from cloudfront" ] && cmp -s "$work/got" "$work/www/bench/1k.bin" ||
      { echo "cookie check: $code $size $xcache, want 200 1024 '$want from cloudfront' and the object" >&2; exit 1; }
  done
  read -r code _ _ < <(fetch "$base/bench/1k.bin" "$host" /dev/null)
  [ "$code" = 403 ] || { echo "unsigned request: $code, want 403" >&2; exit 1; }
  say "cookie: ${#cookie}-byte Cookie header; wrk -t$threads -c$conns -d${duration}s, $rounds rounds"
  for r in $(seq 1 "$rounds"); do
    run_wrk cookie "$r" keyfront -s "$work/wrk/report.lua" \
      -H "Host: $host" -H "Cookie: $cookie" -H "Referer: $referer" "http://127.0.0.1:$edge_port/bench/1k.bin"
    run_wrk cookie "$r" nginx -s "$work/wrk/report.lua" \
      -H "Cookie: $cookie" -H "Referer: $referer" "$ngx/bench/1k.bin"
  done
  mem_stage "cookie runs"
fi

# --- 2. unique signed URL per request -------------------------------------
if [[ " $tests " == *" unique "* ]]; then
  for kt in $unique_keys; do
    case $kt in
      ecdsa) key=$work/ec.pem id=$EC_KEY_ID n=$urls_ecdsa label="unique-ecdsa" ;;
      rsa) key=$work/rsa.pem id=$RSA_KEY_ID n=$urls_rsa label="unique-rsa" ;;
      *) echo "UNIQUE_KEYS: unknown key type $kt" >&2; exit 1 ;;
    esac
    for r in $(seq 1 "$rounds"); do
      say "$label: signing $n URLs for round $r with keyfront sign --urls-from"
      s=$(date +%s%N)
      awk -v b="$base/bench/1k.bin" -v r="$r" -v n="$n" \
        'BEGIN { for (i = 1; i <= n; i++) printf "%s?r=%d-%d\n", b, r, i }' >"$work/unsigned.txt"
      run timeout 1800 "$kf" sign --urls-from "$work/unsigned.txt" --key-pair-id "$id" --private-key "file://$key" \
        --date-less-than "$expires" >"$work/urls-$kt-$r.txt"
      e=$(date +%s%N)
      say "$label: signed $(wc -l <"$work/urls-$kt-$r.txt") URLs in $(( (e - s) / 1000000 )) ms"
    done
    first=$(head -n 1 "$work/urls-$kt-1.txt")
    read -r code size xcache < <(fetch "$first" "$host" "$work/got")
    [ "$code" = 200 ] && [ "$size" = 1024 ] && cmp -s "$work/got" "$work/www/bench/1k.bin" ||
      { echo "$label check: $code $size $xcache, want 200 and the object" >&2; exit 1; }
    for r in $(seq 1 "$rounds"); do
      run_wrk "$label" "$r" keyfront -s "$work/wrk/urls.lua" -H "Host: $host" -H "Referer: $referer" \
        "http://127.0.0.1:$edge_port" -- "$work/urls-$kt-$r.txt" "$threads"
      run_wrk "$label" "$r" nginx -s "$work/wrk/urls.lua" -H "Referer: $referer" \
        "$ngx" -- "$work/urls-$kt-$r.txt" "$threads"
    done
    rm -f "$work"/urls-"$kt"-*.txt
    mem_stage "$label runs"
  done
fi

# --- 3. 256 MiB object: miss throughput and peak RSS ----------------------
big=$work/big.tsv # what round status bytes ttfb_s total_s MB/s rss_before_MiB hwm_MiB xcache
: >"$big"
if [[ " $tests " == *" big "* ]]; then
  big_bytes=$((big_mib << 20))
  # curl_big WHAT ROUND URL [curl args]: times one GET of the big object;
  # for fetches served by keyfront, resets VmHWM first and reads it after.
  curl_big() {
    local what=$1 round=$2 url=$3; shift 3
    local code size ttfb total speed xcache mbs rss=- hwm=-
    case $what in keyfront-* | origin-*) reset_hwm; rss=$(( $(rss_kib) / 1024 )) ;; esac
    read -r code size ttfb total speed < <(curl -sS --max-time 600 -D "$work/headers" -o /dev/null \
      -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total} %{speed_download}\n' "$@" "$url")
    case $what in keyfront-* | origin-*) hwm=$(( $(hwm_kib) / 1024 )) ;; esac
    xcache=$(awk -F': ' 'tolower($1)=="x-cache" { sub(/\r$/, "", $2); print $2 }' "$work/headers")
    mbs=$(awk -v s="$speed" 'BEGIN { printf "%.0f", s / 1e6 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$what" "$round" "$code" "$size" "$ttfb" "$total" \
      "$mbs" "$rss" "$hwm" "${xcache:--}" >>"$big"
    say "$(printf 'big %-14s round %s  %s  %s bytes  ttfb %ss  total %ss  %s MB/s  RSS before %s MiB, peak %s MiB  %s' \
      "$what" "$round" "$code" "$size" "$ttfb" "$total" "$mbs" "$rss" "$hwm" "${xcache:--}")"
    [ "$code" = 200 ] && [ "$size" = "$big_bytes" ] || { echo "big $what: $code $size, want 200 $big_bytes" >&2; exit 1; }
  }
  presigned=$(timeout 60 "$seed" presign --s3 "$s3_url" --bucket bench --key bench/big.bin)
  for r in $(seq 1 "$big_rounds"); do
    run timeout 60 "$seed" invalidate --api "$api_url" --dist "$DIST_ID" /bench/big.bin
    signed=$("$kf" sign --url "$base/bench/big.bin?round=$r" --key-pair-id "$EC_KEY_ID" \
      --private-key "file://$work/ec.pem" --date-less-than "$expires")
    target=${signed#"$base"}
    curl_big keyfront-miss "$r" "http://127.0.0.1:$edge_port$target" -H "Host: $host" -H "Referer: $referer"
    [ "$(tail -n 1 "$big" | cut -f10)" = "Miss from cloudfront" ] || { echo "big round $r: not a cache miss" >&2; exit 1; }
    curl_big keyfront-hit "$r" "http://127.0.0.1:$edge_port$target" -H "Host: $host" -H "Referer: $referer"
    curl_big nginx "$r" "$ngx/bench/big.bin"
    curl_big origin-direct "$r" "$presigned"
  done
fi
mem_stage "end"

# --- keyfront's log --------------------------------------------------------
log_warn=$(grep -c 'level=WARN' "$work/serve.log" || true)
log_err=$(grep -c 'level=ERROR' "$work/serve.log" || true)
if [ "$log_warn" -gt 0 ] || [ "$log_err" -gt 0 ]; then
  say "keyfront logged $log_warn warnings and $log_err errors; the first ones:"
  grep -m 10 'level=WARN\|level=ERROR' "$work/serve.log" >&2 || true
fi
ngx_err=$(grep -c '\[error\]\|\[crit\]\|\[alert\]\|\[emerg\]' "$work/nginx/error.log" || true)

# --- summary ----------------------------------------------------------------
echo
echo "$("$kf" version 2>/dev/null | head -n 1), $(nginx -v 2>&1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "$(nproc) CPUs shared by wrk and the server: $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "wrk -t$threads -c$conns -d${duration}s per run, $rounds rounds, keyfront and nginx alternating"
echo
if [ -s "$results" ]; then
  echo "server CPU: user + system CPU time of keyfront (or nginx's master and workers) per request, and the cores it kept busy"
  printf '| %-13s | %5s | %14s | %11s | %6s | %16s | %13s | %17s | %16s | %19s | %13s |\n' test round "keyfront req/s" "nginx req/s" ratio \
    "keyfront non-2xx" "socket errors" "p50/p99 µs kf" "p50/p99 µs nginx" "CPU µs/req kf/nginx" "cores kf/nginx"
  echo '|---|---|---|---|---|---|---|---|---|---|---|'
  awk -F'\t' '
    { key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      rps[key, $3] = $4; st[key, $3] = $6; so[key, $3] = $7; p[key, $3] = $8 "/" $9; ru[key, $3] = $10
      cpu[key, $3] = $11; cores[key, $3] = $12 }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]; split(k, a, SUBSEP)
        kr = rps[k, "keyfront"]; nr = rps[k, "nginx"]
        note = (ru[k, "keyfront"] > 0) ? " (" ru[k, "keyfront"] " reused URLs)" : ""
        printf "| %-13s | %5s | %14s | %11s | %6.3f | %16s | %13s | %17s | %16s | %19s | %13s |\n", a[1], a[2], kr, nr, (nr > 0 ? kr / nr : 0),
          st[k, "keyfront"] note, so[k, "keyfront"] "/" so[k, "nginx"], p[k, "keyfront"], p[k, "nginx"],
          cpu[k, "keyfront"] "/" cpu[k, "nginx"], cores[k, "keyfront"] "/" cores[k, "nginx"]
        t = a[1]; sum[t, "k"] += kr; sum[t, "n"] += nr; sum[t, "kc"] += cpu[k, "keyfront"]; sum[t, "nc"] += cpu[k, "nginx"]; cnt[t]++
        if (!(t in tseen)) { tseen[t] = 1; torder[++tn] = t }
      }
      for (i = 1; i <= tn; i++) {
        t = torder[i]; c = cnt[t]; km = sum[t, "k"] / c; nm = sum[t, "n"] / c
        printf "| %-13s | %5s | %14.0f | %11.0f | %6.3f | %16s | %13s | %17s | %16s | %19s | %13s |\n", t, "mean", km, nm, km / nm, "", "", "", "",
          sprintf("%.1f/%.1f", sum[t, "kc"] / c, sum[t, "nc"] / c), ""
      }
    }' "$results"
  echo
fi
if [ -s "$big" ]; then
  echo "${big_mib} MiB object, one curl per fetch (origin-direct: a presigned S3 GET from keyfront's own origin;"
  echo "RSS before/peak: keyfront's VmRSS before the fetch and its VmHWM during it, reset before it):"
  printf '| %-14s | %5s | %6s | %11s | %7s | %7s | %6s | %22s | %-20s |\n' fetch round status bytes "ttfb s" "total s" "MB/s" "RSS before/peak MiB" X-Cache
  echo '|---|---|---|---|---|---|---|---|---|'
  awk -F'\t' '{ printf "| %-14s | %5s | %6s | %11s | %7.3f | %7.3f | %6s | %22s | %-20s |\n", $1, $2, $3, $4, $5, $6, $7, $8 "/" $9, $10 }' "$big"
  echo
fi
echo "keyfront memory after each part (VmHWM is the peak since start, or since the last reset in the ${big_mib} MiB part):"
echo "| after | VmRSS MiB | VmHWM MiB |"
echo "|---|---|---|"
awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$mem"
echo
echo "keyfront log: $log_warn warnings, $log_err errors; nginx error log: $ngx_err errors"
