#!/usr/bin/env bash
# The systemd units pass `systemd-analyze verify` with no complaint at all (it only warns about unknown
# keys, so any output fails). ExecStart is pointed at this build's binary, which verify requires to exist.
set -euo pipefail
source_dir=$1 binary_dir=$2
command -v systemd-analyze >/dev/null || { echo "SKIPPED: systemd-analyze is not available here"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for unit in "$source_dir"/deploy/systemd/*.service; do
  sed "s#/usr/local/bin/edgesync#$binary_dir/server/edgesync#" "$unit" > "$work/$(basename "$unit")"
done
output=$(cd "$work" && systemd-analyze verify ./*.service 2>&1) || { echo "$output"; exit 1; }
[ -z "$output" ] || { echo "$output"; exit 1; }
echo "verified: $(cd "$work" && ls)"
