#!/usr/bin/env bash
# Installs the validators the tests run on trawl's documents (tests/tools/package.json,
# pinned by its lock file) into DIR (default build/test-tools). Idempotent: a second run
# with the same lock file does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/test-tools}
mkdir -p "$dir"
if [[ -f $dir/package-lock.json ]] && cmp -s tests/tools/package-lock.json "$dir/package-lock.json" &&
   [[ -x $dir/node_modules/.bin/ajv ]]; then
  exit 0
fi
cp tests/tools/package.json tests/tools/package-lock.json "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
# npm 11 does not run install scripts by default; the Multitool's only script is this chmod.
chmod u+x "$dir"/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
