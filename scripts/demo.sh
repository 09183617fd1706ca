#!/usr/bin/env bash
# Sets up everything, builds trawl, compiles the shipped default rule packs (263 secret
# formats, the PII recognizers and the maltrail threat feed: 1.6M indicators) into one
# artifact, and runs the main job on the bundled sample package.
#   scripts/demo.sh [PACKAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# build/ is the user's build directory: configured with the defaults (nothing switched off
# in its cache), and only what the demo runs is built. scripts/test.sh builds in build-release/.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The CLI and default.tdb, the shipped packs (263 secret formats, the PII recognizers and
# the maltrail feed's 1.6M indicators) compiled into one artifact; rebuilt when a pack changes.
cmake --build build -j "$(nproc)" --target trawl_cli trawl_default_db
package=${1:-examples/sample/sample-package.tar.gz}
build/trawl db info build/default.tdb >/dev/null
exec build/trawl analyze --db build/default.tdb --format table "$package"
