#!/usr/bin/env bash
# Installs every Debian package edgesync needs to build (and with --tests, to run every test). A no-op
# when all are present. Works as root, or through sudo when it is available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-all-dev libsqlitecpp-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libspdlog-dev libfmt-dev
  libyaml-cpp-dev libcli11-dev libssl-dev curl clang-format git libpqxx-dev
)
if [ "${1:-}" = "--tests" ]; then
  # docker-compose validates deploy/docker-compose.yml (no engine is needed or installed); nginx-light
  # is the benchmarks' HTTP ceiling (tests/bench starts its own instance on a free 127.0.0.1 port).
  # openssl: the client tests run `openssl s_server` as a TLS peer and make their certificates with it.
  packages+=(docker-compose nginx-light openssl)
  # The API description's checks (tests/spec) validate schemas/ and its examples with Debian's Python.
  packages+=(python3-jsonschema python3-yaml)
  # clang and its libFuzzer runtime build the fuzz targets (scripts/fuzz.sh).
  packages+=(clang libclang-rt-14-dev)
  # The PostgreSQL store tests start a throwaway cluster of their own (initdb in a temporary directory).
  packages+=(postgresql)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo; install them and retry" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
