#!/usr/bin/env bash
# Measures what signing many URLs costs with `keyfront sign --urls-from`
# (key parsed once, one process) against one `keyfront sign` process per URL
# and, when the AWS CLI is installed, one `aws cloudfront sign` per URL.
# Everything runs locally; nothing is sent over a network.
#
#   bench/sign-batch.sh [URLS] [SINGLE_RUNS]
set -euo pipefail
urls=${1:-20000}
single=${2:-50}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/keyfront" ./cmd/keyfront
kf="$work/keyfront"
"$kf" keygen --out "$work/key.pem" --pubout "$work/pub.pem" >/dev/null
"$kf" keygen --type ecdsa --out "$work/ec.pem" --pubout "$work/ecpub.pem" >/dev/null
for i in $(seq 1 "$urls"); do
  echo "https://d111111abcdef8.cloudfront.net/videos/segment-$i.ts?quality=high"
done >"$work/urls.txt"

now_ns() { date +%s%N; }
per_url() { # label start end count
  awk -v l="$1" -v s="$2" -v e="$3" -v n="$4" \
    'BEGIN { t=(e-s)/1e9; printf "%-46s %8d URLs %9.3f s %10.1f µs/URL %9.0f URLs/s\n", l, n, t, t*1e6/n, n/t }'
}

batch() { # label key extra-flags...
  local label=$1 key=$2; shift 2
  local s e
  s=$(now_ns)
  "$kf" sign --urls-from "$work/urls.txt" --key-pair-id K2JCJMDEHXQW5F \
    --private-key "file://$key" --date-less-than 2030-01-01 "$@" >"$work/out.txt"
  e=$(now_ns)
  [ "$(wc -l <"$work/out.txt")" -eq "$urls" ] || { echo "batch output has the wrong number of lines" >&2; exit 1; }
  per_url "$label" "$s" "$e" "$urls"
}

batch "keyfront sign --urls-from (RSA-2048, SHA1)" "$work/key.pem"
batch "keyfront sign --urls-from (RSA-2048, SHA256)" "$work/key.pem" --hash-algorithm SHA256
batch "keyfront sign --urls-from (ECDSA P-256)" "$work/ec.pem"

s=$(now_ns)
for i in $(seq 1 "$single"); do
  "$kf" sign --url "https://d111111abcdef8.cloudfront.net/videos/segment-$i.ts" --key-pair-id K2JCJMDEHXQW5F \
    --private-key "file://$work/key.pem" --date-less-than 2030-01-01 >/dev/null
done
e=$(now_ns)
per_url "keyfront sign, one process per URL (RSA)" "$s" "$e" "$single"

if command -v aws >/dev/null 2>&1; then
  n=$(( single < 10 ? single : 10 ))
  s=$(now_ns)
  for i in $(seq 1 "$n"); do
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
      aws cloudfront sign --url "https://d111111abcdef8.cloudfront.net/videos/segment-$i.ts" \
      --key-pair-id K2JCJMDEHXQW5F --private-key "file://$work/key.pem" --date-less-than 2030-01-01 >/dev/null
  done
  e=$(now_ns)
  per_url "aws cloudfront sign, one process per URL (RSA)" "$s" "$e" "$n"
else
  echo "aws not on PATH: AWS CLI comparison skipped"
fi
