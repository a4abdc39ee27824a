#!/usr/bin/env bash
# Fails when a tracked C++ file differs from .clang-format's style; prints the files to fix.
# Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
