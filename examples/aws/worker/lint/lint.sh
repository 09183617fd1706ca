#!/usr/bin/env bash
# Lints examples/aws/worker/Dockerfile without a Docker engine: dockerfile-utils (npm,
# pinned by package-lock.json, installed once into BUILD_DIR/image-lint; hadolint is in
# neither Debian bookworm nor npm), every problem an error, plus a self-test of seeded ones.
# Exit 77 (skip) when npm cannot install it.
#   examples/aws/worker/lint/lint.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=$(mkdir -p "${1:-$here/../../../../build}/image-lint" && cd "${1:-$here/../../../../build}/image-lint" && pwd)
if ! { [[ -f $tools/package-lock.json ]] && cmp -s "$here/package-lock.json" "$tools/package-lock.json" &&
       [[ -d $tools/node_modules/dockerfile-utils ]]; }; then
  cp "$here/package.json" "$here/package-lock.json" "$tools/"
  if ! command -v npm >/dev/null || ! (cd "$tools" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2); then
    rm -f "$tools/package-lock.json"
    echo "lint: SKIPPED: npm ci of dockerfile-utils failed (registry unreachable?)" >&2; exit 77
  fi
fi
NODE_PATH=$tools/node_modules node "$here/lint.mjs" --self-test "$here/../Dockerfile"
