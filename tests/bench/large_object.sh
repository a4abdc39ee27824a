#!/usr/bin/env bash
# Upload then download one large object (default 1 GiB) at the cloud; prints MB/s and the server's
# peak RSS. Usage: tests/bench/large_object.sh [size_MiB]
set -euo pipefail
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
ensure_built
start_cloud
base="http://127.0.0.1:$port/api/v1/objects/myorg"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/object.bin"
expected=$(sha256sum "$work/object.bin" | cut -d' ' -f1)
curl -fsS -u admin@myorg: -X PUT "$base/bench/large" -d '{"meta":{"objectID":"large","objectType":"bench"}}'
echo "idle RSS: $(peak_rss_kib "$node_pid") KiB"

start=$(date +%s.%N)
curl -fsS -u admin@myorg: -T "$work/object.bin" -X PUT "$base/bench/large/data"  # -T streams the file
end=$(date +%s.%N)
echo "upload ${size_mib} MiB: $(echo "$size_mib * 1.048576 / ($end - $start)" | bc -l | cut -c1-7) MB/s; peak RSS $(peak_rss_kib "$node_pid") KiB"
rm "$work/object.bin"

start=$(date +%s.%N)
actual=$(curl -fsS -u admin@myorg: "$base/bench/large/data" | sha256sum | cut -d' ' -f1)
end=$(date +%s.%N)
echo "download ${size_mib} MiB: $(echo "$size_mib * 1.048576 / ($end - $start)" | bc -l | cut -c1-7) MB/s; peak RSS $(peak_rss_kib "$node_pid") KiB"
[ "$actual" = "$expected" ] && echo "sha256 matches" || { echo "SHA-256 MISMATCH"; exit 1; }
