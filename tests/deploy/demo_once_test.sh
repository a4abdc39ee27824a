#!/usr/bin/env bash
# The README's run command, in its --once mode, against the binaries of this build; afterwards no node
# it started may still be running.
set -euo pipefail
source_dir=$1 binary_dir=$2
export TMPDIR
TMPDIR=$(mktemp -d -t edgesync-demo-test-XXXXXX)
trap 'rm -rf "$TMPDIR"' EXIT
EDGESYNC_BUILD_DIR=$binary_dir bash "$source_dir/deploy/demo.sh" --once
for _ in $(seq 1 100); do
  pgrep -f -- "--data-dir $TMPDIR/" >/dev/null || { echo "every node stopped"; exit 0; }
  sleep 0.1
done
echo "nodes the demo started are still running:"; pgrep -af -- "--data-dir $TMPDIR/"; pkill -f -- "--data-dir $TMPDIR/"
exit 1
