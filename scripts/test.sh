#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors,
# and runs every test under ctest; then, each in its own build directory, the input-facing tests under ASan
# and UBSan (scripts/sanitize.sh) and the libFuzzer targets for a bounded time (scripts/fuzz.sh).
# EDGESYNC_SANITIZE_STAGE=0 or EDGESYNC_FUZZ_STAGE=0 skips a stage (e.g. while iterating).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-"$root/build"}

start=$(date +%s)
bash "$root/scripts/install-deps.sh" --tests
bash "$root/scripts/build.sh" -DEDGESYNC_WERROR=ON -DEDGESYNC_BUILD_TESTS=ON
if [ -d "$root/.git" ]; then bash "$root/scripts/check-format.sh"; fi
echo "build finished in $(( $(date +%s) - start )) s"
# The sanitizer and fuzz stages run first, so that the run ends with the main suite's ctest summary.
if [ "${EDGESYNC_SANITIZE_STAGE:-1}" = 1 ]; then
  bash "$root/scripts/sanitize.sh"
  echo "sanitizer stage finished at $(( $(date +%s) - start )) s"
fi
if [ "${EDGESYNC_FUZZ_STAGE:-1}" = 1 ]; then
  bash "$root/scripts/fuzz.sh"
  echo "fuzz stage finished at $(( $(date +%s) - start )) s"
fi
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j "${JOBS:-2}"
