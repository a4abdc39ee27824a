#!/usr/bin/env bash
# The README's run command: builds edgesync if needed, starts a cloud and two edge nodes on 127.0.0.1
# with SQLite stores, publishes a sample object at the cloud and shows it arriving at both edges with
# its per-destination status, consumes it on one edge, sends an edge object up, and keeps the nodes
# running until Ctrl-C.
#   --once   run the scenario, stop the nodes, exit 0 on success
# EDGESYNC_BUILD_DIR=DIR uses the binaries already built there instead of building (the tests do).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
once=false
[ "${1:-}" = "--once" ] && once=true

if [ -n "${EDGESYNC_BUILD_DIR:-}" ]; then
  build_dir=$EDGESYNC_BUILD_DIR
else
  bash "$root/scripts/build.sh"
  build_dir=${BUILD_DIR:-"$root/build"}
fi
binary="$build_dir/server/edgesync"
work=$(mktemp -d -t edgesync-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_node() {  # name, args… ; sets $port (not run in a subshell: the node's pid must reach $pids)
  local name=$1; shift
  "$binary" --listen 127.0.0.1:0 --data-dir "$work/$name" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  port=""
  for _ in $(seq 1 200); do
    port=$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$work/$name.log" 2>/dev/null | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "demo: $name did not start:" >&2; cat "$work/$name.log" >&2; return 1
}

start_node cloud --config "$root/deploy/conf/cloud.yaml"; cloud_port=$port
start_node edge1 --config "$root/deploy/conf/edge.yaml" --cloud-url "http://127.0.0.1:$cloud_port" --dest-id edge1
edge1_port=$port
start_node edge2 --config "$root/deploy/conf/edge.yaml" --cloud-url "http://127.0.0.1:$cloud_port" --dest-id edge2
edge2_port=$port
cloud="http://127.0.0.1:$cloud_port/api/v1"
edge1="http://127.0.0.1:$edge1_port/api/v1"
edge2="http://127.0.0.1:$edge2_port/api/v1"
echo "cloud on $cloud; edges edge-type/edge1 on $edge1 and edge-type/edge2 on $edge2 (data in $work)"

step() { echo; echo "== $*"; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }
# Polls a command until its output contains the text (20 s at most).
await() {  # text, command…
  local text=$1; shift
  for _ in $(seq 1 400); do
    if "$@" 2>/dev/null | grep -qF -- "$text"; then return 0; fi
    sleep 0.05
  done
  return 1
}

step "publish myorg/config/sample at the cloud, for every edge of type edge-type"
curl -fsS -u admin@myorg: -X PUT "$cloud/objects/myorg/config/sample" \
  -d '{"meta":{"objectID":"sample","objectType":"config","destinationType":"edge-type","version":"1.0.0"}}'
printf 'threshold: 0.8\nmodel: v3\n' | curl -fsS -u admin@myorg: -X PUT --data-binary @- "$cloud/objects/myorg/config/sample/data"
expected=$(printf 'threshold: 0.8\nmodel: v3')
for edge in "$edge1" "$edge2"; do
  step "arrived at $edge"
  await '"objectID": "sample"' curl -fsS -u myorg/app: "$edge/objects/config" || fail "the object did not reach $edge"
  data=$(curl -fsS -u myorg/app: "$edge/objects/config/sample/data"); echo "$data"
  [ "$data" = "$expected" ] || fail "wrong data at $edge"
done
step "per-destination status at the cloud"
await '"status": "delivered"' curl -fsS -u admin@myorg: "$cloud/objects/myorg/config/sample/destinations"
curl -fsS -u admin@myorg: "$cloud/objects/myorg/config/sample/destinations"; echo
step "an application on edge1 consumes it; the cloud sees it"
curl -fsS -u myorg/app: -X PUT "$edge1/objects/config/sample/consumed"
await '"status": "consumed"' curl -fsS -u admin@myorg: "$cloud/objects/myorg/config/sample/destinations" ||
  fail "the cloud did not see the consumption"
curl -fsS -u admin@myorg: "$cloud/objects/myorg/config/sample/destinations"; echo
step "an application on edge2 publishes an object; it goes up to the cloud"
curl -fsS -u myorg/app: -X PUT "$edge2/objects/stats/today" -d '{"meta":{"objectID":"today","objectType":"stats"}}'
echo "42 events" | curl -fsS -u myorg/app: -X PUT --data-binary @- "$edge2/objects/stats/today/data"
await completelyReceived curl -fsS -u admin@myorg: "$cloud/objects/myorg/stats/today/status" ||
  fail "the edge object did not reach the cloud"
curl -fsS -u admin@myorg: "$cloud/objects/myorg/stats/today"; echo
step "edge health (with the state of its link to the cloud)"
curl -fsS -u myorg/app: "$edge1/health"; echo

echo
echo "demo: OK"
if [ "$once" = true ]; then exit 0; fi
echo "all three nodes keep running; Ctrl-C stops them"
wait
