#!/usr/bin/env bash
# The README's run command, in its --once mode, against the binaries of this build.
set -euo pipefail
source_dir=$1 binary_dir=$2
EDGESYNC_BUILD_DIR=$binary_dir exec bash "$source_dir/deploy/demo.sh" --once
