#!/usr/bin/env bash
# Seeds for importers_fuzzer: the importer test fixtures, one per format.
#   tests/rules/importers_fuzzer_seeds.sh CORPUS_DIR
set -euo pipefail
cp -n "$(dirname "$0")"/importers/* "$1"/
