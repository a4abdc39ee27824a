# Shared by the bench scripts: build, start a node on 127.0.0.1, read its port and peak RSS.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
binary="$root/build/server/edgesync"
work=$(mktemp -d -t edgesync-bench-XXXXXX)
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

ensure_built() { [ -x "$binary" ] || bash "$root/scripts/build.sh"; }

start_cloud() {  # extra args…; sets node_pid and port
  "$binary" --mode cloud --listen 127.0.0.1:0 --data-dir "$work/cloud" "$@" >"$work/cloud.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 200); do
    port=$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$work/cloud.log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "cloud did not start" >&2; cat "$work/cloud.log" >&2; exit 1
}

peak_rss_kib() { grep VmHWM "/proc/$1/status" | awk '{print $2}'; }
