#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) in their own build directory
# and runs each for a bounded time from its committed seed corpus (tests/fuzz/corpus/NAME). New
# inputs go to a scratch directory, so the committed corpus only changes by hand. A crash fails the
# script and leaves the reproducer (crash-*) in the fuzz build directory.
#   FUZZ_SECONDS  seconds per target (default 20)     FUZZ_BUILD_DIR  (default build-fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${FUZZ_BUILD_DIR:-"$root/build-fuzz"}
seconds=${FUZZ_SECONDS:-20}
targets=(metadata_fuzz names_fuzz range_fuzz request_fuzz edge_request_fuzz)

launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DEDGESYNC_BUILD_TESTS=OFF -DEDGESYNC_BUILD_FUZZERS=ON "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}" --target "${targets[@]}"

# On tmpfs when there is one: the request fuzzers open a new SQLite database for every input.
tmp_base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp_base=/dev/shm; fi
scratch=$(mktemp -d -p "$tmp_base" edgesync-fuzz-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/nodes"
export EDGESYNC_FUZZ_TMPDIR="$scratch/nodes"
for target in "${targets[@]}"; do
  corpus=${target%_fuzz}
  mkdir -p "$scratch/$corpus"
  echo "fuzzing $target for ${seconds}s"
  log="$scratch/$target.log"
  if ! (cd "$build_dir" && "./tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$scratch/$corpus" "$root/tests/fuzz/corpus/$corpus" >"$log" 2>&1); then
    # The whole report of a finding (sanitizer trace, the rule broken, the input), not just its tail.
    first=$(grep -n -m1 -E '^==[0-9]+==|^[a-z_]+_fuzz: |runtime error|deadly signal' "$log" | cut -d: -f1 || true)
    if [ -n "$first" ]; then sed -n "${first},+199p" "$log"; else tail -n 80 "$log"; fi
    echo "$target failed: reproducer in $build_dir (crash-*/timeout-*/leak-*)"
    exit 1
  fi
  tail -n 12 "$log"
done
echo "fuzzing passed"
