#!/usr/bin/env bash
# GET and durable PUT of object metadata at 64 connections (wrk), plus nginx's ceiling when present.
# Usage: tests/bench/metadata_throughput.sh [seconds]
set -euo pipefail
source "$(dirname "$0")/common.sh"
seconds=${1:-10}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
ensure_built
start_cloud
base="http://127.0.0.1:$port/api/v1/objects/myorg"
curl -fsS -u admin@myorg: -X PUT "$base/bench/get1" -d '{"meta":{"objectID":"get1","objectType":"bench","noData":true}}'

echo "== GET metadata, 64 connections, ${seconds}s"
wrk -t2 -c64 -d"${seconds}s" --latency -H "Authorization: Basic YWRtaW5AbXlvcmc6" "$base/bench/get1" | grep -E "Requests/sec|^ +(50|99)%"
echo "== durable PUT metadata, 64 connections, ${seconds}s"
wrk -t2 -c64 -d"${seconds}s" --latency -s "$(dirname "$0")/put_metadata.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
echo "== durable PUT metadata, 1 connection, ${seconds}s"
wrk -t1 -c1 -d"${seconds}s" --latency -s "$(dirname "$0")/put_metadata.lua" "http://127.0.0.1:$port" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
echo "cloud peak RSS: $(peak_rss_kib "$node_pid") KiB"
