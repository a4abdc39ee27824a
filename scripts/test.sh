#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors and
# with AddressSanitizer + UndefinedBehaviorSanitizer, runs the libFuzzer targets for a bounded time
# (scripts/fuzz.sh, its own clang build), then every test under ctest, sanitized.
#
# One sanitized build rather than a plain one plus a sanitized subset: on 2 cores the build is most of
# the time, and the suite itself runs in a few minutes even under ASan, so every test (and every
# edgesync process the integration tests start) is checked for memory errors, leaks and UB at the cost
# of one build. The build lives in build-asan/ (BUILD_DIR), apart from the plain build/ of the demo.
# EDGESYNC_FUZZ_STAGE=0 skips the fuzzers (e.g. while iterating).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-"$root/build-asan"}

start=$(date +%s)
bash "$root/scripts/install-deps.sh" --tests
bash "$root/scripts/build.sh" -DEDGESYNC_WERROR=ON -DEDGESYNC_BUILD_TESTS=ON -DEDGESYNC_SANITIZE=ON
if [ -d "$root/.git" ]; then bash "$root/scripts/check-format.sh"; fi
echo "build finished in $(( $(date +%s) - start )) s"
# The fuzz stage runs first, so that the run ends with the suite's ctest summary.
if [ "${EDGESYNC_FUZZ_STAGE:-1}" = 1 ]; then
  bash "$root/scripts/fuzz.sh"
  echo "fuzz stage finished at $(( $(date +%s) - start )) s"
fi
cd "$BUILD_DIR"
# detect_leaks: a leak is a finding too. halt_on_error: the first report fails the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure --timeout 600 -j "${JOBS:-2}"
