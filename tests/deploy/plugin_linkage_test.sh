#!/usr/bin/env bash
# What loading the PostgreSQL store as a plugin is for: the edgesync binary links no database client
# (an edge never maps libpq, libpqxx and their ~20 libraries: ~4 MiB of idle RSS). The plugin exports
# its two entry points only (store_plugin.hpp), and a shipped binary exports none of its static C++
# runtime, so the plugin's libstdc++.so and libpqxx never bind to the binary's copy.
#   plugin_linkage_test.sh <edgesync> <edgesync-store-postgres.so> <sanitized: ON|OFF>
set -euo pipefail
binary=$1 plugin=$2 sanitized=$3
command -v readelf >/dev/null || { echo "SKIPPED: readelf is not installed"; exit 77; }
needed() { readelf -d --wide "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
defined_symbols() {
  readelf --dyn-syms --wide "$1" | awk '$7 != "UND" && $7 != "Ndx" && ($5 == "GLOBAL" || $5 == "WEAK") {print $8}' | sort
}
fail() { echo "FAILED: $*"; exit 1; }

binary_needs=$(needed "$binary")
if grep -E '^lib(pq|pqxx)' <<<"$binary_needs"; then fail "$binary links a PostgreSQL client library"; fi
plugin_needs=$(needed "$plugin")
grep -q '^libpq\.so' <<<"$plugin_needs" || fail "$plugin does not link libpq: $plugin_needs"
if [ "$sanitized" != ON ]; then
  if grep -E '^libstdc\+\+' <<<"$binary_needs"; then fail "$binary links libstdc++ shared"; fi
  runtime=$(defined_symbols "$binary" | grep -E '^_Z(N|T|S)' || true)
  [ -z "$runtime" ] || fail "$binary exports C++ symbols a plugin's libraries could bind to: $(head -3 <<<"$runtime")"
fi

exported=$(defined_symbols "$plugin")
expected=$(printf '%s\n' edgesync_store_plugin_abi edgesync_store_plugin_open)
[ "$exported" = "$expected" ] || fail "$plugin exports more or less than its entry points:"$'\n'"$exported"
echo "edgesync needs: $(tr '\n' ' ' <<<"$binary_needs")"
echo "plugin needs: $(tr '\n' ' ' <<<"$plugin_needs")— exports: $(tr '\n' ' ' <<<"$exported")"
