#!/usr/bin/env bash
# Sets up everything, builds trawl, compiles the shipped default rule packs (263 secret
# formats, the PII recognizers and a 70,000-indicator threat pack) into one artifact, and
# runs the main job on the bundled sample package.
#   scripts/demo.sh [PACKAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# build/ is the user's build directory: configured with the defaults (nothing switched off
# in its cache), and only the CLI is built. scripts/test.sh builds in build-release/.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target trawl_cli
package=${1:-examples/sample/sample-package.tar.gz}
if [[ ! -f build/default.tdb || rules -nt build/default.tdb ]]; then
  build/trawl compile rules/secrets.json rules/pii.json rules/indicators.ndjson.gz \
    -o build/default.tdb
fi
build/trawl db info build/default.tdb >/dev/null
exec build/trawl analyze --db build/default.tdb --format table "$package"
