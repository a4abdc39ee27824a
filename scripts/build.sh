#!/usr/bin/env bash
# Installs what is missing (Debian packages) and builds edgesync into build/ (or $BUILD_DIR).
# Extra arguments are passed to CMake's configure step, e.g. -DEDGESYNC_WERROR=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-"$root/build"}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}"
