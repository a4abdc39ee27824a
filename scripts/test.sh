#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors,
# and runs every test under ctest. Ends with ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-"$root/build"}

start=$(date +%s)
bash "$root/scripts/install-deps.sh" --tests
bash "$root/scripts/build.sh" -DEDGESYNC_WERROR=ON -DEDGESYNC_BUILD_TESTS=ON
if [ -d "$root/.git" ]; then bash "$root/scripts/check-format.sh"; fi
echo "build finished in $(( $(date +%s) - start )) s"
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j "${JOBS:-2}"
