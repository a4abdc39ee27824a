#!/usr/bin/env bash
# The installed SDK package: `cmake --install --component sdk` into a temporary prefix, then a tiny
# project outside the tree does find_package(edgesync) + target_link_libraries(consumer
# edgesync::client), builds with only that prefix, and runs (the library found through the prefix).
set -euo pipefail
source_dir=$1
binary_dir=$2
consumer_flags=${3:-}  # compiler and linker flags of the SDK's build that its consumers need too
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$binary_dir" --prefix "$work/prefix" --component sdk >"$work/install.log"
test -f "$work/prefix/include/edgesync/client.hpp"
test -x "$work/prefix/bin/edgesyncctl"
# The public headers must not pull in Beast, Asio or nlohmann_json.
if grep -rqE '#include <(boost|nlohmann)/' "$work/prefix/include/edgesync"; then
  echo "public headers include Boost or nlohmann" >&2
  exit 1
fi
cmake -S "$source_dir/tests/client/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$consumer_flags" -DCMAKE_EXE_LINKER_FLAGS="$consumer_flags" >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64:$work/prefix/lib/x86_64-linux-gnu" "$work/build/consumer"
# The installed edgesyncctl runs from the prefix (its RPATH finds the installed library).
"$work/prefix/bin/edgesyncctl" --help >/dev/null
