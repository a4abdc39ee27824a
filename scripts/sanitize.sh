#!/usr/bin/env bash
# Builds tests with AddressSanitizer and UndefinedBehaviorSanitizer (GCC, the normal compiler) in its
# own build directory and runs them. Not the whole suite: a sanitized build of every test executable
# takes longer than the CI budget on 2 cores, so this is the set where hostile or malformed input is
# parsed and where memory is shared across threads: the parsers and validators, the store, the HTTP
# server and client (TLS and Unix sockets included), the authenticators, and the integration tests whose
# edgesync processes (sanitized too) take hostile input, authentication and sync traffic.
# SANITIZE_TESTS overrides the list.
#   SANITIZE_BUILD_DIR (default build-asan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${SANITIZE_BUILD_DIR:-"$root/build-asan"}

launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGESYNC_WERROR=ON \
  -DEDGESYNC_BUILD_TESTS=ON -DEDGESYNC_SANITIZE=ON "${launcher[@]}" >/dev/null
tests=${SANITIZE_TESTS:-"metadata_codec_test names_test resource_key_test base64_test byte_range_test json_limits_test
  config_test sqlite_store_test group_commit_test request_test http_server_test http_client_test http_tls_test
  http_unix_socket_test
  dummy_authenticator_test preset_authenticator_test object_service_test security_test hostile_input_test
  auth_test cloud_api_test spi_test sync_test"}
# shellcheck disable=SC2086
cmake --build "$build_dir" -j "${JOBS:-2}" --target edgesync $tests
cd "$build_dir"
# detect_leaks: a leak is a finding too. halt_on_error: the first report fails the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure --timeout 900 -j "${JOBS:-2}" -R "^($(echo $tests | tr ' ' '|'))\$"
