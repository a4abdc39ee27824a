#!/usr/bin/env bash
# The runtime image installs exactly what the installed binaries and store plugins link (the PostgreSQL
# plugin's libpq and its libraries too: one image serves clouds and edges; an edge never loads them):
# each shared library (ldd) maps to a Debian package (dpkg -S) that is either in the Dockerfile's
# RUNTIME_PACKAGES or essential in debian:bookworm-slim. Also every program the Dockerfile and the
# compose file run is installed.
set -euo pipefail
source_dir=$1 binary_dir=$2
command -v dpkg >/dev/null || { echo "SKIPPED: not a Debian system"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cmake --install "$binary_dir" --prefix "$work" >/dev/null
declared=$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' "$source_dir/deploy/Dockerfile")
[ -n "$declared" ] || { echo "no ARG RUNTIME_PACKAGES line in deploy/Dockerfile"; exit 1; }
in_slim="libc6 libgcc-s1 libstdc++6 zlib1g"   # part of debian:bookworm-slim itself
missing=()
for program in "$work"/bin/* "$work"/lib/edgesync/*.so; do
  for library in $(ldd "$program" | awk '/=> \//{print $3}'); do
    case "$library" in "$work"/*) continue;; esac  # installed with the binaries (libedgesync_client)
    # A sanitized test build (scripts/test.sh) links the sanitizer runtimes; the image's build does not.
    case "$(basename "$library")" in libasan.so* | libubsan.so* | liblsan.so* | libtsan.so*) continue;; esac
    package=$(dpkg -S "$library" 2>/dev/null || dpkg -S "$(readlink -f "$library")" 2>/dev/null || true)
    package=${package%%:*}
    [ -n "$package" ] || { echo "$(basename "$program"): $library belongs to no package"; exit 1; }
    case " $declared $in_slim " in *" $package "*) ;; *) missing+=("$package ($(basename "$program"))");; esac
  done
done
[ ${#missing[@]} -eq 0 ] || { echo "runtime packages missing from deploy/Dockerfile: ${missing[*]}"; exit 1; }
for program in $(grep -ohE '"(edgesync|edgesyncctl|receive_file|send_file)"' \
                   "$source_dir/deploy/Dockerfile" "$source_dir/deploy/docker-compose.yml" | tr -d '"' | sort -u); do
  [ -x "$work/bin/$program" ] || { echo "$program is run by the image but not installed (cmake --install)"; exit 1; }
done
echo "installed: $(ls "$work/bin" "$work/lib/edgesync" | tr '\n' ' ')— runtime packages cover them"
